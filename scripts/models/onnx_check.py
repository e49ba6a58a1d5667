"""Runs exported graphs in onnxruntime (one thread, so numbers repeat exactly) on the reference batch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort


def open_session(graph: Path | bytes) -> ort.InferenceSession:
    """A session on a graph file or serialized model bytes."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(graph if isinstance(graph, bytes) else str(graph), options, providers=["CPUExecutionProvider"])


def feeds_for(session: ort.InferenceSession, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The graph's inputs from a tokenized batch: position_ids count 0.. (right padding), past
    key/values are empty (past sequence length 0) and the merged decoder takes its no-cache branch."""
    batch, length = inputs["input_ids"].shape
    feeds: dict[str, np.ndarray] = {}
    for graph_input in session.get_inputs():
        name = graph_input.name
        if name in inputs:
            feeds[name] = inputs[name].astype(np.int64)
        elif name == "position_ids":
            feeds[name] = np.tile(np.arange(length, dtype=np.int64), (batch, 1))
        elif name.startswith("past_key_values."):
            _, heads, _, head_dim = graph_input.shape
            feeds[name] = np.zeros((batch, heads, 0, head_dim), dtype=np.float32)
        elif name == "use_cache_branch":
            feeds[name] = np.array([False])
        else:
            raise SystemExit(f"{name}: graph input with no value in the reference batch")
    return feeds


def run(path: Path, inputs: dict[str, np.ndarray], output: str) -> np.ndarray:
    session = open_session(path)
    return session.run([output], feeds_for(session, inputs))[0]


def max_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.float64) - b.astype(np.float64)).max())


def row_cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity of each row of a with the same row of b."""
    a, b = a.astype(np.float64), b.astype(np.float64)
    return (a * b).sum(-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))
