#!/usr/bin/env bash
# Builds tessera's demo in build/ (Release, -march=native) and runs it: product matching
# with all-MiniLM-L6-v2 over the bilingual sample catalog (examples/recommend), on a few
# Chinese, English and mixed customer needs, one of them with an attribute filter.
# Works from a fresh clone: setup.sh (through build.sh) installs the toolchain and
# fetch-models.sh downloads the pinned model files once.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./scripts/build.sh hello recommend
./scripts/fetch-models.sh
./build/bin/hello

echo
echo "== recommend: customer needs -> products (data/catalog.jsonl) =="
./build/bin/recommend --top-k 3 \
  "儿童防水鞋 下雨天穿" \
  "a gift for my grandfather who loves tea" \
  "wireless headphones for the gym" \
  "yoga mat for beginners"
echo
echo "== recommend with a filter: shoes in stock under ¥300 =="
./build/bin/recommend --top-k 3 --filter "category=shoes AND price<300 AND stock>0" "lightweight running shoes"
