#!/usr/bin/env bash
# Idempotent set-up: system packages (when root), the .venv, torch (CPU wheel first), handeye and its extras.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(chromium chromium-headless-shell chromium-driver xvfb xdotool scrot tesseract-ocr libosmesa6 libegl1 libgl1-mesa-dri tmux ffmpeg fonts-dejavu-core libtk8.6 fonts-wqy-microhei python3-tk)
# What Playwright's driver (its bundled node needs libatomic) and Chromium load: the list of
# `playwright install-deps chromium` for Debian 12, with Ubuntu 24.04's t64 names tried first
# ("a|b": the first the archive has). Its font list is left out: fonts change every page.
BROWSER_LIBS=(libatomic1 "libasound2t64|libasound2" "libatk-bridge2.0-0t64|libatk-bridge2.0-0"
  "libatk1.0-0t64|libatk1.0-0" "libatspi2.0-0t64|libatspi2.0-0" libcairo2 "libcups2t64|libcups2"
  libdbus-1-3 libdrm2 libgbm1 "libglib2.0-0t64|libglib2.0-0" libnspr4 libnss3 libpango-1.0-0
  libx11-6 libxcb1 libxcomposite1 libxdamage1 libxext6 libxfixes3 libxkbcommon0 libxrandr2)
TORCH_SPEC="torch==2.13.0"
EXTRAS="${HANDEYE_EXTRAS:-dev}"
STAMP=.venv/.handeye-setup
ROOT_USER=$([ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && echo 1 || true)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }

missing=()
for spec in "${APT_PACKAGES[@]}" "${BROWSER_LIBS[@]}"; do
  IFS='|' read -r -a alts <<<"$spec"
  ok=""
  for p in "${alts[@]}"; do installed "$p" && ok=1 && break; done
  [ -n "$ok" ] || missing+=("$spec")
done
installed_any=""
if ((${#missing[@]})); then
  if [ -n "$ROOT_USER" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    pick=()
    for spec in "${missing[@]}"; do
      IFS='|' read -r -a alts <<<"$spec"
      chosen="${alts[-1]}"
      for p in "${alts[@]}"; do
        if apt-cache policy "$p" 2>/dev/null | grep -q "Candidate: [^(]"; then chosen="$p"; break; fi
      done
      pick+=("$chosen")
    done
    echo "setup: installing system packages: ${pick[*]}"
    apt-get install -y -qq --no-install-recommends "${pick[@]}" >/dev/null
    installed_any=1
  else
    names=()
    for spec in "${missing[@]}"; do names+=("${spec##*|}"); done
    echo "setup: missing system packages: ${names[*]}" >&2
    echo "setup: run as root, or: sudo apt-get install ${names[*]}" >&2
    echo "setup: (continuing; the parts that need them will say so when used)" >&2
  fi
fi
# A debootstrap root has no localhost line; Selenium (the Farama peer) dials "localhost".
if [ -n "$ROOT_USER" ] && ! getent hosts localhost >/dev/null; then
  echo "127.0.0.1 localhost" >>/etc/hosts
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
  # System libraries changed under a ready venv: check that the browser starts now.
  [ -z "$installed_any" ] || $VPY -m envs.browser.check || true
  exit 0
fi
$VPY -m pip install -q --upgrade pip
# torch first: anything that depends on torch unpinned would otherwise pull CUDA wheels.
$VPY -m pip install -q "$TORCH_SPEC"
$VPY -m pip install -q -e ".[$EXTRAS]"
# Start Playwright's driver and Chromium once; it says in words what is missing if they fail.
if ! $VPY -m envs.browser.check; then
  if [ -n "$ROOT_USER" ]; then
    echo "setup: the browser check failed (above); fix that and run it again" >&2
    exit 1
  fi
  echo "setup: the browser envs will not start until that is fixed (continuing)" >&2
fi
echo "$want" > "$STAMP"
echo "setup: done (.venv ready)"
