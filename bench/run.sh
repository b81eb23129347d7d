#!/usr/bin/env bash
# Benchmark awsmfa's cache hit against a floor built in the same run, on every
# keyring backend this machine offers, plus scaling, a cold-cache storm,
# binary size and peak memory. Prints Markdown; bench/RESULTS.md holds a run.
#
#   bench/run.sh [--aws-vault PATH] [--runs N] [--storm N]
#
# Never downloads anything; --aws-vault compares against a binary you have.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'EOF'
usage: bench/run.sh [--aws-vault PATH] [--runs N] [--storm N]

Builds awsmfa, the floor and the driver from this tree and measures them on
every keyring backend this machine offers. This script never downloads
anything: --aws-vault compares against an aws-vault binary you already have
(bench/RESULTS.md says how to build one from source).
EOF
}

driver_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --aws-vault)
      if [ ! -x "${2:-}" ]; then
        echo "bench/run.sh: --aws-vault ${2:-}: not an executable file; this script never downloads one, see bench/RESULTS.md" >&2
        exit 2
      fi
      driver_args+=(-aws-vault "$(realpath "$2")"); shift 2 ;;
    --runs) driver_args+=(-runs "$2"); shift 2 ;;
    --storm) driver_args+=(-storm "$2"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -trimpath -o "$bin/awsmfa" .
go build -trimpath -o "$bin/floor" ./bench/floor
go build -trimpath -o "$bin/benchawsmfa" ./bench/benchawsmfa
go build -trimpath -o "$bin/driver" ./bench/driver
driver=("$bin/driver" -awsmfa "$bin/awsmfa" -bench-awsmfa "$bin/benchawsmfa" -floor "$bin/floor" "${driver_args[@]}")

echo "## awsmfa benchmark"
echo
echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
echo "- machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr), $(go version | cut -d' ' -f3)"
echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- build: go build -trimpath, CGO_ENABLED=$(go env CGO_ENABLED) for all binaries (set CGO_ENABLED=0 in the environment to measure static builds)"
echo "- binary size: awsmfa $(stat -c %s "$bin/awsmfa") bytes, floor $(stat -c %s "$bin/floor") bytes"
echo "- times are wall clock from fork to exit, medians; ratio = awsmfa / floor, measured alternately in the same run"

# Default environment: no D-Bus variables. The driver picks the backend
# from AWSMFA_KEYRING_BACKEND, like awsmfa.
env -u DBUS_SESSION_BUS_ADDRESS AWSMFA_KEYRING_BACKEND=file "${driver[@]}"
if env -u DBUS_SESSION_BUS_ADDRESS AWSMFA_KEYRING_BACKEND=keyctl "${driver[@]}" 2>"$bin/keyctl.err"; then :; else
  echo; echo "keyctl: not measured: $(cat "$bin/keyctl.err")"
fi
if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
  # A private session bus with gnome-keyring's login collection unlocked,
  # as in a desktop session; everything it started ends with the bus.
  home=$(mktemp -d) rt=$(mktemp -d)
  chmod 700 "$rt"
  HOME=$home XDG_RUNTIME_DIR=$rt XDG_DATA_HOME=$home/.local/share XDG_CONFIG_HOME=$home/.config \
    AWSMFA_KEYRING_BACKEND=secret-service dbus-run-session -- sh -c \
    'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"' sh "${driver[@]}" \
    || echo "secret-service: not measured (see above)"
  rm -rf "$home" "$rt"
else
  echo; echo "secret-service: not measured: dbus-run-session or gnome-keyring-daemon missing"
fi
