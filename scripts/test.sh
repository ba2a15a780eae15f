#!/usr/bin/env bash
# Builds tessera (Release, -march=native) in build/ and runs the whole test suite.
# Extra arguments go to ctest, e.g. `./scripts/test.sh -R package` or `-L package`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./scripts/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
