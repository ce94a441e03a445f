#!/usr/bin/env bash
# Run the README commands in a fresh clone of HEAD inside a bare Debian 12 root (debootstrap
# minbase + python3, venv, pip, git, make): no system package of this machine is there, so a
# set-up step that only works here shows. As root, from the checkout; ~15 minutes.
#   scripts/bare_debian_check.sh 'make demo' 'make test'
# The base root is cached in $BASE; each run's log is $LOG.
set -u
top=$(git rev-parse --show-toplevel) || exit 2
BASE=${BASE:-/tmp/handeye-bare-debian-base}; RUN=${RUN:-/tmp/handeye-bare-debian-run}
LOG=${LOG:-/tmp/handeye-bare-debian.log}
[ "$(id -u)" = 0 ] || { echo "bare_debian_check: run as root (it uses debootstrap and chroot)"; exit 2; }
(($#)) || set -- 'make demo' 'make test'
if [ ! -d "$BASE" ]; then
  command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }
  # The Debian archive this machine's apt already uses.
  mirror=$(grep -hoE '^URIs: *[^ ]+' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 | awk '{print $2}')
  [ -n "$mirror" ] || mirror=$(grep -hoE '^deb +[^ ]+' /etc/apt/sources.list 2>/dev/null | head -1 | awk '{print $2}')
  echo "bare_debian_check: building the base root once (a few minutes)"
  debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,git,ca-certificates,make \
    bookworm "$BASE.tmp" "$mirror" >"$LOG.debootstrap" 2>&1 || { echo "debootstrap failed: $LOG.debootstrap"; exit 2; }
  mv "$BASE.tmp" "$BASE"
fi
mounts=()
cleanup() { for ((i=${#mounts[@]}-1; i>=0; i--)); do umount "${mounts[i]}" 2>/dev/null; done; }
trap cleanup EXIT
rm -rf "$RUN"; cp -a "$BASE" "$RUN"
cp /etc/resolv.conf "$RUN/etc/"; [ -f /etc/pip.conf ] && cp /etc/pip.conf "$RUN/etc/"
# This machine's CA bundle: the registries are reached through whatever it trusts.
cp /etc/ssl/certs/ca-certificates.crt "$RUN/etc/ssl/certs/ca-certificates.crt"
[ -d /etc/xdg/pip ] && mkdir -p "$RUN/etc/xdg" && cp -a /etc/xdg/pip "$RUN/etc/xdg/"
# pip's settings from the environment (PIP_*) go in too, and the local package folders pip is
# configured with here (find-links, file:// indexes) are bound in: a new machine has them.
pipenv=$(env | grep -E '^PIP_' || true)
for d in $(pip config list 2>/dev/null | grep -E "find-links|index-url" | grep -oE "(file://)?/[^' ]+" | sed 's#^file://##; s#/simple/*$##' | sort -u); do
  [ -d "$d" ] && mkdir -p "$RUN$d" && mount --bind "$d" "$RUN$d" && mounts+=("$RUN$d")
done
for m in proc sys dev dev/pts; do mount --bind "/$m" "$RUN/$m" && mounts+=("$RUN/$m"); done
git clone -q "$top" "$RUN/root/project"
: >"$LOG"; status=0
for cmd in "$@"; do
  echo "== $cmd"; start=$(date +%s)
  # shellcheck disable=SC2086 # one PIP_NAME=value word each
  chroot "$RUN" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 $pipenv bash -c "cd /root/project && $cmd" >>"$LOG" 2>&1; rc=$?
  echo "== exit $rc after $(( $(date +%s) - start )) s (log: $LOG)"; ((rc == 0)) || status=$rc
  tail -3 "$LOG"
done
exit $status
