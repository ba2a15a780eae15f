#!/usr/bin/env bash
# Builds tessera's demo in build/ (Release, -march=native) and runs it.
# Today the demo is examples/hello; reply generation and product matching replace it as
# the readers, tokenizers and models land.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./scripts/build.sh hello
./build/bin/hello
