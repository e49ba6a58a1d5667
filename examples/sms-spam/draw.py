"""Draws the demo's SMS spam subset from the shared JSONL copy (see SOURCE.md).

Usage: python draw.py <folder with train.jsonl and test.jsonl>
Writes train.csv and test.csv here. Deterministic: random.Random(20231127), rows
de-duplicated (whitespace-collapsed, lower-cased) within and across the files before drawing.
"""
import csv
import json
import random
import sys
from pathlib import Path

SEED = 20231127
DRAW = {"train": {"ham": 200, "spam": 100}, "test": {"ham": 70, "spam": 30}}


def main(source: Path) -> None:
    rng = random.Random(SEED)
    seen: set[str] = set()
    for split, per_label in DRAW.items():
        rows = [json.loads(line) for line in (source / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()]
        picked = []
        for label, count in per_label.items():
            pool = []
            for row in rows:
                key = " ".join(row["text"].lower().split())
                if row["label"] == label and key not in seen:
                    seen.add(key)
                    pool.append(row)
            picked += rng.sample(pool, count)
        rng.shuffle(picked)
        with open(Path(__file__).parent / f"{split}.csv", "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(["text", "label"])
            writer.writerows([row["text"], row["label"]] for row in picked)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
