#!/usr/bin/env bash
# Packs bench/gpu/verify.ts for a Linux x64 GPU machine that has neither npm nor network (nor, maybe,
# Node): one bundled script, the runtime packages esbuild leaves external (onnxruntime-node with its
# Linux x64 binaries only), and, with --with-node, this machine's node binary, stripped. All of it is
# compressed to fit a capped upload (about 35 MB with node). See bench/gpu/README.md, "Offline machines".
#
#   bench/gpu/pack.sh <out-dir> [--with-node]
#
# On the GPU machine, from a checkout of this repository (it needs models/ and bench/):
#   <out-dir>/unpack.sh   then   bench/gpu/run.sh <data.jsonl> [rows] [verify.ts options...]
set -euo pipefail
cd "$(dirname "$0")/../.."

out=${1:?usage: bench/gpu/pack.sh <out-dir> [--with-node]}
with_node=${2:-}
mkdir -p "$out"

# onnxruntime-node stays external as in esbuild.mjs (it loads its native library from its folder).
# transformers.js requires sharp at load time but only calls it for images: a stub stands in for it,
# which saves its 8 MB of native libraries.
stub=$(mktemp --suffix=.cjs)
echo 'module.exports = {};' >"$stub"
npx esbuild bench/gpu/verify.ts --bundle --platform=node --target=node20 --format=cjs --log-level=warning \
  --external:onnxruntime-node --external:onnxruntime-web --alias:sharp="$stub" --outfile="$out/gpu-verify.cjs"
rm -f "$stub"

ort=node_modules/onnxruntime-node
tar -cJf "$out/node_modules.tar.xz" \
  --exclude="$ort/bin/napi-v6/darwin" --exclude="$ort/bin/napi-v6/win32" --exclude="$ort/bin/napi-v6/linux/arm64" \
  "$ort" node_modules/onnxruntime-common

if [ "$with_node" = --with-node ]; then
  tmp=$(mktemp -d)
  cp "$(command -v node)" "$tmp/node" && strip "$tmp/node"
  xz -T0 -9 -c "$tmp/node" >"$out/node.xz"
  rm -rf "$tmp"
fi

cat >"$out/unpack.sh" <<'EOF'
#!/usr/bin/env bash
# Unpacks what bench/gpu/pack.sh made into the checkout that contains this folder's parent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
tar -xJf "$here/node_modules.tar.xz"
# In bench/, where the scripts it bundles find the repository root (bench/result.ts).
cp "$here/gpu-verify.cjs" bench/gpu-verify.cjs
if [ -f "$here/node.xz" ] && ! command -v node >/dev/null; then
  mkdir -p "$here/bin" && xz -dc "$here/node.xz" >"$here/bin/node" && chmod +x "$here/bin/node"
  echo "export PATH=$here/bin:\$PATH"
fi
EOF
chmod +x "$out/unpack.sh"
du -sh "$out"/*
