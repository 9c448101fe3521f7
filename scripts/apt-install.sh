#!/bin/sh
# Installs Debian packages for the test setup scripts: apt-get as root, or through sudo.
# Usage: scripts/apt-install.sh WHO PACKAGE...   (WHO names the calling script in messages)
set -eu
who="$1"
shift

if ! command -v apt-get >/dev/null 2>&1; then
  echo "$who: no apt-get; install $* by hand" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=""
elif command -v sudo >/dev/null 2>&1; then
  as_root="sudo"
else
  echo "$who: need root (or sudo) to run apt-get install $*" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update
$as_root apt-get install -y --no-install-recommends "$@"
