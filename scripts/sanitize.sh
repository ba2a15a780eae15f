#!/usr/bin/env bash
# Sanitizer stages of CI (docs/reliability.md):
#   asan  — clang, AddressSanitizer + UndefinedBehaviorSanitizer, -fno-sanitize-recover=all,
#           the whole test suite (packaging checks excepted: they test the build, not the code)
#   tsan  — clang, ThreadSanitizer, the test cases in the doctest suite "concurrency" (the
#           NAME.threads entries labelled `tsan`, see tests/CMakeLists.txt)
# Usage: scripts/sanitize.sh [asan|tsan|all]   (default all). Build trees: build-asan/, build-tsan/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

which="${1:-all}"
jobs="$(nproc)"
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)

# stage NAME FLAGS EXTRA_CMAKE_ARG CTEST_ARGS...
stage() {
  local name="$1" flags="$2" extra="$3"; shift 3
  local dir="build-$name" start=$SECONDS
  # Configured every time (cheap when nothing changed): a half-configured tree from an
  # interrupted run must not be mistaken for a ready one.
  local gen=()
  [[ -f "$dir/CMakeCache.txt" ]] || gen=("${generator[@]}")
  cmake -S . -B "$dir" "${gen[@]}" >/dev/null \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ "${launcher[@]}" \
    -DTESSERA_NATIVE=ON -DTESSERA_BUILD_BENCH=OFF -DTESSERA_INSTALL=OFF \
    -DCMAKE_CXX_FLAGS="$flags -fno-omit-frame-pointer" \
    -DCMAKE_EXE_LINKER_FLAGS="$flags" "$extra"
  # The TSan stage builds only what its tests run (NAME.threads runs target NAME);
  # the ASan stage builds everything, since its tests also run the CLI and generators.
  local targets=()
  if [[ "$name" == tsan ]]; then
    for t in $(ctest --test-dir "$dir" -N "$@" | awk '/Test +#[0-9]+:/ {sub(/\.threads$/, "", $3); print $3}'); do
      targets+=(--target "$t")
    done
  fi
  cmake --build "$dir" -j "$jobs" "${targets[@]}"
  ctest --test-dir "$dir" --output-on-failure -j "$jobs" "$@"
  echo "sanitize: stage $name took $((SECONDS - start)) s"
}

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"

case "$which" in
  asan|all) stage asan "-O1 -fsanitize=address,undefined -fno-sanitize-recover=all" -DTESSERA_TSAN_SUBSET=OFF -LE package ;;&
  tsan|all) stage tsan "-O1 -fsanitize=thread" -DTESSERA_TSAN_SUBSET=ON -L tsan ;;
  asan) ;;
  *) echo "usage: $0 [asan|tsan|all]" >&2; exit 1 ;;
esac
