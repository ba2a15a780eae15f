// make_hostile_corpus DIR: writes every case of the hostile-input corpus (hostile_corpus.hpp)
// into DIR with manifest.tsv. Deterministic; run by ctest before the CLI corpus test, and by
// scripts/fuzz.sh to refresh the fuzz seeds.
#include <cstdio>
#include <exception>

#include "hostile/hostile_corpus.hpp"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_hostile_corpus DIR\n");
        return 1;
    }
    try {
        const auto cases = tessera::testing::all_corpus_cases();
        tessera::testing::write_corpus(argv[1], cases);
        std::printf("%zu cases written to %s\n", cases.size(), argv[1]);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "make_hostile_corpus: %s\n", e.what());
        return 2;
    }
    return 0;
}
