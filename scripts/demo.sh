#!/usr/bin/env bash
# Builds tessera's demo in build/ (Release, -march=native) and runs its two jobs: product matching
# with all-MiniLM-L6-v2 over the bilingual sample catalog (examples/recommend), on a few
# Chinese, English and mixed customer needs, one of them with an attribute filter; and reply
# generation (examples/reply): customer messages answered from the sample shop knowledge,
# with the passages used, and the hand-off for a message the knowledge does not cover.
# Works from a fresh clone: setup.sh (through build.sh) installs the toolchain and
# fetch-models.sh downloads the pinned model files once.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./scripts/build.sh hello recommend reply
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

echo
echo "== reply: customer messages -> grounded replies (data/shop_knowledge.jsonl + data/catalog.jsonl) =="
echo "   (retrieval: all-MiniLM-L6-v2 + BM25; generation: SmolLM2-135M-Instruct Q4_1, the default decoder;"
echo "    the last message is outside the shop's knowledge and is handed off to a person)"
./build/bin/reply --max-new-tokens 96 \
  "How long do I have to return an item?" \
  "Do you ship to Hong Kong?" \
  "Can you recommend a good restaurant near me?"
echo
echo "== reply in Chinese: SmolLM2 writes English only, so these use the multilingual Gemma 3 270M =="
echo "   (a base model, prompted as a completion; policy passages only)"
./build/bin/reply --no-catalog --max-new-tokens 96 \
  --decoder "${TESSERA_MODELS:-$HOME/.cache/tessera/models}/gemma-3-270m/gemma-3-270m-q4_k_m.gguf" \
  "退款多久能到账？"
