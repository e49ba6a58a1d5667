#!/usr/bin/env bash
# Installs the offline real-VS-Code test harness (see shared/docs/real-vscode-offline.md):
# Debian's chromium, ripgrep and libkrb5-dev, then code-server and playwright-core into
# $STC_VSCODE_DIR (default ~/.cache/stc-lens/vscode), apart from the project's node_modules.
# Idempotent: every step that is already done is skipped. Runs unattended (CI: root, no stdin).
#
# The install lives outside the repository on purpose: VS Code takes every theme whose folder
# lies inside the extension under development for that extension's own, so a code-server inside
# the repository would replace the configured color theme with one of its built-in ones. Outside,
# it is also shared by every clone on the machine (CI runs in a fresh clone).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/scripts/vscode
prefix=${STC_VSCODE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/stc-lens/vscode}
case "$prefix/" in
  "$root"/*) echo "[vscode-setup] STC_VSCODE_DIR=$prefix is inside the repository: choose a folder outside it" >&2; exit 1 ;;
esac

# code-server 4.100.3 installs @vscode/ripgrep 1.15.11, whose postinstall downloads this
# archive unless it finds it in its cache under the temp dir.
ripgrep_cache=vscode-ripgrep-cache-1.15.11
ripgrep_archive=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

now_ms() { echo $(($(date +%s%N) / 1000000)); }
elapsed() { local ms=$(($(now_ms) - $1)); printf '%d.%d s' $((ms / 1000)) $((ms % 1000 / 100)); }
started=$(now_ms)
log() { echo "[vscode-setup] $*"; }

install_debian_packages() {
  local t missing=()
  t=$(now_ms)
  for pkg in chromium ripgrep libkrb5-dev; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if ((${#missing[@]} == 0)); then
    log "debian packages: already installed"
    return
  fi
  local sudo=()
  [[ $(id -u) == 0 ]] || sudo=(sudo)
  log "debian packages: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
  log "debian packages: done in $(elapsed "$t")"
}

# A stamp of everything the installed tree depends on: when it matches, nothing is reinstalled.
install_stamp() {
  cat "$here/package.json" "$here/package-lock.json" 2>/dev/null | sha256sum | cut -d' ' -f1
  node --version
}

install_node_packages() {
  local t stamp
  t=$(now_ms)
  stamp=$(install_stamp)
  if [[ -f $prefix/.installed && $(cat "$prefix/.installed") == "$stamp" \
     && -f $prefix/node_modules/code-server/out/node/entry.js \
     && -d $prefix/node_modules/playwright-core ]]; then
    log "code-server + playwright-core: already installed in $prefix"
    return
  fi
  log "code-server + playwright-core: installing into $prefix"
  rm -f "$prefix/.installed"
  mkdir -p "$prefix/tmp/$ripgrep_cache"
  tar -czf "$prefix/tmp/$ripgrep_cache/$ripgrep_archive" -C "$(dirname "$(command -v rg)")" rg
  cp "$here/package.json" "$prefix/package.json"

  # npm_config_unsafe_perm: code-server's postinstall refuses to run as root (CI) without it.
  # npm_config_yes: node-pty's postinstall runs `npx node-gyp`, which would otherwise ask.
  # npm_config_nodedir: node-gyp builds node-pty, spdlog, kerberos and argon2 against the
  # installed Node's headers instead of downloading them.
  local -x TMPDIR=$prefix/tmp npm_config_unsafe_perm=true npm_config_yes=true npm_config_nodedir=/usr \
    npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
  # The committed lock pins the whole tree; to move a version, change package.json, delete the
  # lock and run this script: npm install then writes a new one.
  if [[ -f $here/package-lock.json ]]; then
    cp "$here/package-lock.json" "$prefix/package-lock.json"
    npm ci --prefix "$prefix" --loglevel=error </dev/null
  else
    npm install --prefix "$prefix" --loglevel=error </dev/null
    cp "$prefix/package-lock.json" "$here/package-lock.json"
    log "wrote $here/package-lock.json: commit it"
    stamp=$(install_stamp)
  fi
  rm -rf "$prefix/tmp"
  echo "$stamp" >"$prefix/.installed"
  log "code-server + playwright-core: done in $(elapsed "$t") ($(du -sh "$prefix/node_modules" | cut -f1))"
}

install_debian_packages
install_node_packages
version() { node -p "require('$prefix/node_modules/$1/package.json').version"; }
log "ready in $(elapsed "$started"): code-server $(version code-server), playwright-core $(version playwright-core)"
