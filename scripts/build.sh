#!/usr/bin/env bash
# Installs what is missing (setup.sh), configures build/ (Release, TESSERA_NATIVE=ON, Ninja
# and ccache when present) and builds the given targets (all when none are given).
# Shared by test.sh and demo.sh so both build the same tree the same way.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./scripts/setup.sh

configure=(-S . -B build -DCMAKE_BUILD_TYPE=Release -DTESSERA_NATIVE=ON)
# The generator can only be chosen when build/ is first configured.
if [[ ! -f build/CMakeCache.txt ]] && command -v ninja >/dev/null 2>&1; then
  configure+=(-G Ninja)
fi
if command -v ccache >/dev/null 2>&1; then
  configure+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

cmake "${configure[@]}"
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build build -j "$(nproc)" "${targets[@]}"
