#!/usr/bin/env bash
# Idempotent set-up: system packages (when root), the .venv, torch (CPU wheel first), handeye and its extras.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(chromium chromium-headless-shell chromium-driver xvfb xdotool scrot tesseract-ocr libosmesa6 libegl1 libgl1-mesa-dri tmux ffmpeg fonts-dejavu-core libtk8.6 fonts-wqy-microhei)
TORCH_SPEC="torch==2.13.0"
EXTRAS="${HANDEYE_EXTRAS:-dev}"
STAMP=.venv/.handeye-setup

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing system packages: ${missing[*]}" >&2
    echo "setup: run as root, or: sudo apt-get install ${missing[*]}" >&2
    echo "setup: (continuing; the parts that need them will say so when used)" >&2
  fi
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi
VPY=.venv/bin/python

# Re-install only when the project's dependency list changed since the last set-up.
want="$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  exit 0
fi
$VPY -m pip install -q --upgrade pip
# torch first: anything that depends on torch unpinned would otherwise pull CUDA wheels.
$VPY -m pip install -q "$TORCH_SPEC"
$VPY -m pip install -q -e ".[$EXTRAS]"
echo "$want" > "$STAMP"
echo "setup: done (.venv ready)"
