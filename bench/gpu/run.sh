#!/usr/bin/env bash
# Verifies the GPU extraction path on a Linux x64 machine with an NVIDIA GPU, in a few minutes:
# installs onnxruntime-node's CUDA provider libraries if they are missing, puts the CUDA runtime
# libraries on the library path, then runs bench/gpu/verify.ts (CUDA vs CPU
# features and throughput; WebGPU too when an adapter exists). See bench/gpu/README.md.
#
#   bench/gpu/run.sh <data.jsonl> [rows=2000] [verify.ts options...]
#
# Environment:
#   ORT_CUDA_LIBS  for machines without network: a folder holding libonnxruntime_providers_{cuda,shared}.so,
#                  or the file they come in (Microsoft.ML.OnnxRuntime.Gpu.Linux .nupkg, or PyPI's
#                  onnxruntime_gpu .whl), of exactly the onnxruntime version in node_modules/onnxruntime-node
#   CUDA_PYTHON    a Python whose site-packages hold the nvidia-* wheels of the provider's CUDA major
#                  version (runtime, cuBLAS, cuFFT, cuRAND, cuDNN); their lib folders join LD_LIBRARY_PATH
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

# The CUDA runtime libraries, from pip's nvidia-* wheels when a Python that has them is named.
if [ -n "${CUDA_PYTHON:-}" ]; then
  nvidia_libs=$("$CUDA_PYTHON" -c "import glob, os, nvidia; root = list(nvidia.__path__)[0]; print(':'.join(sorted(glob.glob(os.path.join(root, '*', 'lib')) + glob.glob(os.path.join(root, '*', '*', 'lib')))))") \
    || not_verified "CUDA_PYTHON=$CUDA_PYTHON cannot import the nvidia-* packages."
  export LD_LIBRARY_PATH="$nvidia_libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "nvidia-smi not found"
# The provider library names the CUDA major version it was built for (onnxruntime-node 1.30's: CUDA
# 13), so ask the loader what it cannot find rather than keeping a list. cuDNN is loaded later, by
# name, and is not in this list. Not fatal here: verify.ts names these only if the provider fails.
if [ -f "$bin/libonnxruntime_providers_cuda.so" ]; then
  missing=$(ldd "$bin/libonnxruntime_providers_cuda.so" | awk '/not found/ { print $1 }' | tr '\n' ' ')
  [ -z "$missing" ] || setup+=("not found on the library path: $missing(see bench/gpu/README.md, CUDA_PYTHON)")
fi

# A packed checkout (bench/gpu/pack.sh) has the bundled script and no tsx.
script=(--import tsx bench/gpu/verify.ts)
[ -f bench/gpu-verify.cjs ] && script=(bench/gpu-verify.cjs)
exec node "${script[@]}" --data "$data" --rows "$rows" --setup-problems "$(IFS=';'; echo "${setup[*]}")" "$@"
