#!/usr/bin/env bash
# Verifies the GPU extraction path on a Linux x64 machine with an NVIDIA GPU, in a few minutes:
# installs onnxruntime-node's CUDA provider libraries if they are missing, puts the CUDA 12 and
# cuDNN 9 runtime libraries on the library path, then runs bench/gpu/verify.ts (CUDA vs CPU
# features and throughput; WebGPU too when an adapter exists). See bench/gpu/README.md.
#
#   bench/gpu/run.sh <data.jsonl> [rows=2000] [verify.ts options...]
#
# Environment:
#   ORT_CUDA_LIBS  for machines without network: a folder holding libonnxruntime_providers_{cuda,shared}.so,
#                  or the file they come in (Microsoft.ML.OnnxRuntime.Gpu.Linux .nupkg, or PyPI's
#                  onnxruntime_gpu .whl), of exactly the onnxruntime version in node_modules/onnxruntime-node
#   CUDA_PYTHON    a Python whose site-packages hold the nvidia-*-cu12 wheels (CUDA runtime, cuBLAS,
#                  cuFFT, cuRAND, cuDNN); their lib folders are added to LD_LIBRARY_PATH
set -euo pipefail
cd "$(dirname "$0")/../.."

data=${1:?usage: bench/gpu/run.sh <data.jsonl> [rows=2000] [verify.ts options...]}
rows=${2:-2000}
shift $(( $# >= 2 ? 2 : 1 ))

not_verified() { echo "GPU path not verified: $*" >&2; exit 1; }

[ "$(uname -s)/$(uname -m)" = "Linux/x86_64" ] || not_verified "onnxruntime-node ships CUDA support for Linux x64 only, this is $(uname -s)/$(uname -m)."

bin=node_modules/onnxruntime-node/bin/napi-v6/linux/x64
setup=()  # problems found while preparing; verify.ts names them when the provider does not start
ort_version=$(node -p "require('./node_modules/onnxruntime-node/package.json').version")
if [ ! -f "$bin/libonnxruntime_providers_cuda.so" ]; then
  if [ -n "${ORT_CUDA_LIBS:-}" ]; then
    if [ -f "$ORT_CUDA_LIBS" ] && [[ "$(basename "$ORT_CUDA_LIBS")" != *"$ort_version"* ]]; then
      not_verified "ORT_CUDA_LIBS=$ORT_CUDA_LIBS is not of onnxruntime $ort_version; the provider libraries must match the runtime exactly."
    fi
    echo "Taking the CUDA provider libraries from $ORT_CUDA_LIBS"
    if [ -f "$ORT_CUDA_LIBS" ]; then
      # A .nupkg or .whl is a zip: extract just the two libraries (adm-zip comes with onnxruntime-node).
      node -e "const Zip = require('adm-zip'); const z = new Zip(process.argv[1]);
        for (const e of z.getEntries()) if (/libonnxruntime_providers_(cuda|shared)\.so$/.test(e.entryName)) z.extractEntryTo(e, process.argv[2], false, true);" \
        "$ORT_CUDA_LIBS" "$bin"
    else
      cp "$ORT_CUDA_LIBS"/libonnxruntime_providers_cuda.so "$ORT_CUDA_LIBS"/libonnxruntime_providers_shared.so "$bin"/ || true
    fi
    [ -f "$bin/libonnxruntime_providers_cuda.so" ] && [ -f "$bin/libonnxruntime_providers_shared.so" ] \
      || not_verified "ORT_CUDA_LIBS=$ORT_CUDA_LIBS does not hold libonnxruntime_providers_cuda.so and libonnxruntime_providers_shared.so."
  else
    # onnxruntime-node's own installer: resolves Microsoft.ML.OnnxRuntime.Gpu.Linux $ort_version on
    # api.nuget.org and extracts runtimes/linux-x64/native/libonnxruntime_providers_{cuda,shared,tensorrt}.so
    # into $bin. The project's .npmrc skips this at npm install; the variable overrides that.
    echo "Installing the CUDA provider libraries (NuGet Microsoft.ML.OnnxRuntime.Gpu.Linux $ort_version, needs network access)"
    ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js 2>&1 | grep -v '^    at ' \
      || true
    [ -f "$bin/libonnxruntime_providers_cuda.so" ] \
      || setup+=("the CUDA provider libraries could not be downloaded from api.nuget.org (no network?): fetch them elsewhere and set ORT_CUDA_LIBS, see bench/gpu/README.md")
  fi
fi

# CUDA 12 runtime and cuDNN 9, from pip's nvidia-* wheels when a Python that has them is named.
if [ -n "${CUDA_PYTHON:-}" ]; then
  nvidia_libs=$("$CUDA_PYTHON" -c "import glob, os, nvidia; print(':'.join(sorted(glob.glob(os.path.join(list(nvidia.__path__)[0], '*', 'lib')))))") \
    || not_verified "CUDA_PYTHON=$CUDA_PYTHON cannot import the nvidia-*-cu12 packages."
  export LD_LIBRARY_PATH="$nvidia_libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
missing=()
for lib in libcudart.so.12 libcublas.so.12 libcublasLt.so.12 libcufft.so.11 libcurand.so.10 libcudnn.so.9; do
  found=
  lib_path=${LD_LIBRARY_PATH:-}
  for dir in ${lib_path//:/ }; do [ -e "$dir/$lib" ] && found=1 && break; done
  [ -n "$found" ] || ldconfig -p 2>/dev/null | grep -q "$lib" || missing+=("$lib")
done
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "nvidia-smi not found"
# Not fatal here: a library may sit where the loader finds it without ldconfig knowing; verify.ts
# tries the provider and names these only if it does not start.
[ ${#missing[@]} -eq 0 ] || setup+=("not found on the library path: ${missing[*]} (the CUDA provider needs CUDA 12 and cuDNN 9, see bench/gpu/README.md)")

exec node --import tsx bench/gpu/verify.ts --data "$data" --rows "$rows" --setup-problems "$(IFS=';'; echo "${setup[*]}")" "$@"
