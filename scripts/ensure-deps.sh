#!/usr/bin/env bash
# Installs the system packages the build and tests need, when they are missing (Debian/Ubuntu).
# Rust and Node are expected on the machine; everything else comes from here.
set -euo pipefail

missing=()
# libpq: diesel's PostgreSQL backend links against it (libpq-dev provides the unversioned libpq.so).
if ! ldconfig -p 2>/dev/null | grep -qE '[[:space:]]libpq\.so[[:space:]]'; then
  missing+=(libpq-dev)
fi
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
for extra in "$@"; do
  case "$extra" in
    chromium) command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-noto-cjk) ;;
  esac
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "installing system packages: ${missing[*]}" >&2
if [ "$(id -u)" = 0 ]; then
  apt_get=(apt-get)
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  apt_get=(sudo apt-get)
else
  echo "please install: ${missing[*]} (e.g. sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${apt_get[@]}" update -qq
"${apt_get[@]}" install -y -qq "${missing[@]}" >/dev/null
