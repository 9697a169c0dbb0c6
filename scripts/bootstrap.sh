#!/usr/bin/env bash
# Installs what CertDesk needs on a Debian/Ubuntu machine: Qt's system libraries, CJK fonts and
# the PDF tools the tests read reports with, then a virtual environment with the Python
# dependencies from pyproject.toml. Safe to run again: it only installs what is missing.
# Usage: scripts/bootstrap.sh [app|test]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
extra="${1:-app}"

apt_packages=(
  # Qt offscreen and xcb platforms (see shared FACTS: without these, libGL/libxcb-cursor errors)
  libegl1 libgl1 libfontconfig1 libglib2.0-0 libxkbcommon0 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxkbcommon-x11-0
  # Chinese text on screen and embedded in PDFs (TrueType collections reportlab can embed)
  fonts-wqy-zenhei fonts-arphic-uming
)
if [ "$extra" = test ]; then
  # Xvfb for screenshots, poppler for reading PDFs back, PostgreSQL for the bureau backend tests
  apt_packages+=(xvfb xauth poppler-utils postgresql)
fi

if command -v apt-get >/dev/null 2>&1; then
  missing=()
  for pkg in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing system packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  echo "no apt-get here: install Qt's runtime libraries and a CJK font yourself" >&2
fi

python="${PYTHON:-python3}"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "CertDesk needs Python 3.11 or newer ($python is $("$python" --version 2>&1))" >&2
  exit 1
}
venv="$root/.venv"
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
stamp="$venv/.installed-$extra"
want="$(cat "$root/pyproject.toml" | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  target="$root"
  [ "$extra" = test ] && target="$root[test]"
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip install -q -e "$target"
  echo "$want" > "$stamp"
fi
