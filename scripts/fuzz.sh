#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in build-fuzz/ and runs each over its corpus.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     SECONDS per target (default 60);
#                                             targets: fuzz_safetensors fuzz_gguf fuzz_config
#                                             fuzz_tokenizer_json fuzz_vocab_txt
#                                             fuzz_encode_decode fuzz_catalog
#   scripts/fuzz.sh --refresh-seeds           regenerate fuzz/corpus/<target>/ from the hostile
#                                             corpus generator (small files only) and the seed
#                                             generator fuzz/make_seeds.cpp, and exit;
#                                             fuzz/corpus/<target>/regression_* files are kept
#
# Seeds in fuzz/corpus/<target>/ are read, never written; inputs libFuzzer finds go to
# build-fuzz/corpus/<target>/, crashes to build-fuzz/artifacts/<target>/. Prints executions and
# exec/s per target; exits non-zero if any target found something.
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(fuzz_safetensors fuzz_gguf fuzz_config fuzz_tokenizer_json fuzz_vocab_txt fuzz_encode_decode
             fuzz_catalog)
build=build-fuzz
jobs=${FUZZ_BUILD_JOBS:-2}

configure() {
  if [[ ! -f $build/CMakeCache.txt ]]; then
    cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE= \
      -DTESSERA_BUILD_FUZZERS=ON -DTESSERA_BUILD_TESTS=OFF -DTESSERA_BUILD_EXAMPLES=OFF \
      -DTESSERA_BUILD_BENCH=OFF -DTESSERA_BUILD_TOOLS=OFF -DTESSERA_INSTALL=OFF >/dev/null
  fi
}

if [[ ${1:-} == --refresh-seeds ]]; then
  configure
  cmake --build "$build" --target fuzz_make_corpus fuzz_make_seeds -j"$jobs"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  "$build"/bin/fuzz_make_corpus "$tmp" >/dev/null
  max=65536  # bytes; the big cases (a million entries, 100k-deep nesting) stay out of the seeds
  # regression_* files are inputs that once crashed a target: they are kept.
  for t in "${all_targets[@]}"; do
    mkdir -p "fuzz/corpus/$t"
    find "fuzz/corpus/$t" -type f ! -name 'regression_*' -delete
  done
  while IFS=$'\t' read -r name expect flags; do
    case $name in
      *.safetensors) files=("$tmp/$name"); target=fuzz_safetensors ;;
      *.gguf) files=("$tmp/$name"); target=fuzz_gguf ;;
      *) files=(); target= ;;
    esac
    if [[ -d $tmp/$name ]]; then  # a model directory: its config and weights seed two targets
      cp "$tmp/$name/config.json" "fuzz/corpus/fuzz_config/$name.json"
      [[ $expect == ok ]] && cp "$tmp/$name/model.safetensors" "fuzz/corpus/fuzz_safetensors/$name.safetensors"
      continue
    fi
    for f in "${files[@]}"; do
      [[ $(stat -c %s "$f") -le $max ]] && cp "$f" "fuzz/corpus/$target/"
    done
  done < "$tmp/manifest.tsv"
  "$build"/bin/fuzz_make_seeds "$tmp/seeds" >/dev/null
  for d in "$tmp"/seeds/*/; do cp "$d"* "fuzz/corpus/$(basename "$d")/"; done
  for t in "${all_targets[@]}"; do echo "$t: $(ls "fuzz/corpus/$t" | wc -l) seeds"; done
  exit 0
fi

seconds=${1:-60}
shift || true
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=("${all_targets[@]}")

configure
cmake --build "$build" --target "${targets[@]}" -j"$jobs"

status=0
summary=()
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t" "$build/artifacts/$t"
  extra=()
  [[ $t == fuzz_config ]] && extra=(-dict=fuzz/config.dict)
  [[ $t == fuzz_tokenizer_json || $t == fuzz_vocab_txt ]] && extra=(-dict=fuzz/tokenizer_json.dict)
  log="$build/$t.log"
  echo "== $t: ${seconds}s"
  if ! "$build/bin/$t" -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$build/artifacts/$t/" "${extra[@]}" "$build/corpus/$t" "fuzz/corpus/$t" >"$log" 2>&1; then
    status=1
    echo "$t: FINDING (see $log and $build/artifacts/$t/)"
  fi
  execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
  rate=$(grep -m1 'stat::average_exec_per_sec' "$log" | awk '{print $2}')
  summary+=("$t: ${execs:-?} executions, ${rate:-?} exec/s in ${seconds}s")
done
printf '%s\n' "${summary[@]}"
exit $status
