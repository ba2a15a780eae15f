// fuzz_replay CORPUS_DIR: runs every fuzz target's harness (fuzz/fuzz_*.cpp, built here without
// libFuzzer, each entry point renamed to <target>_one) over every file in
// CORPUS_DIR/<target>/ — the committed seeds and the regression_* inputs that once crashed a
// target. This is how each fuzz finding stays a regression test in the ordinary suite (and
// under ASan+UBSan in the sanitizer stage). A harness that finds something aborts, traps or
// raises a sanitizer report; the input's path is printed first.
#include <algorithm>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <signal.h>
#include <unistd.h>

#define TESSERA_FUZZ_TARGETS(X) \
    X(fuzz_safetensors) X(fuzz_gguf) X(fuzz_config) X(fuzz_tokenizer_json) X(fuzz_vocab_txt) X(fuzz_encode_decode) X(fuzz_catalog)

#define TESSERA_DECLARE(t) extern "C" int t##_one(const std::uint8_t*, std::size_t);
TESSERA_FUZZ_TARGETS(TESSERA_DECLARE)
#undef TESSERA_DECLARE

namespace {

struct target {
    const char* name;
    int (*run)(const std::uint8_t*, std::size_t);
};

#define TESSERA_ENTRY(t) target{#t, &t##_one},
constexpr target targets[] = {TESSERA_FUZZ_TARGETS(TESSERA_ENTRY)};
#undef TESSERA_ENTRY

char current[4096] = "";  // the input being replayed, for the crash handlers

void say_current() {
    const char prefix[] = "fuzz_replay: FINDING while replaying ";
    (void)!::write(2, prefix, sizeof prefix - 1);
    (void)!::write(2, current, std::strlen(current));
    (void)!::write(2, "\n", 1);
}

constexpr int crash_signals[] = {SIGABRT, SIGSEGV, SIGILL, SIGBUS, SIGFPE, SIGTRAP};
struct sigaction previous[std::size(crash_signals)];

// Names the input, puts back the handler that was there before (the sanitizer runtime's,
// under ASan) and returns: a faulting instruction faults again and that handler reports it
// with the right context; abort() re-raises by itself.
extern "C" void on_signal(int sig) {
    say_current();
    for (std::size_t i = 0; i < std::size(crash_signals); ++i)
        if (crash_signals[i] == sig) ::sigaction(sig, &previous[i], nullptr);
}

}  // namespace

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    if (argc != 2) {
        std::fprintf(stderr, "usage: fuzz_replay CORPUS_DIR\n");
        return 1;
    }
    for (std::size_t i = 0; i < std::size(crash_signals); ++i) {
        struct sigaction sa {};
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        ::sigaction(crash_signals[i], &sa, &previous[i]);
    }
    std::set_terminate([] {  // an exception escaped a harness: say which (abort() names the input)
        if (const auto e = std::current_exception()) try {
                std::rethrow_exception(e);
            } catch (const std::exception& x) {
                std::fprintf(stderr, "fuzz_replay: uncaught exception: %s\n", x.what());
            } catch (...) {
                std::fprintf(stderr, "fuzz_replay: uncaught exception of an unknown type\n");
            }
        std::abort();
    });
    const fs::path root = argv[1];
    std::size_t total = 0, regressions = 0;
    for (const target& t : targets) {
        const fs::path dir = root / t.name;
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) {
            std::fprintf(stderr, "fuzz_replay: %s is missing\n", dir.c_str());
            return 1;
        }
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(dir))
            if (e.is_regular_file()) files.push_back(e.path());
        std::sort(files.begin(), files.end());
        std::size_t n_regression = 0;
        for (const fs::path& p : files) {
            std::snprintf(current, sizeof current, "%s", p.c_str());
            std::ifstream f(p, std::ios::binary);
            const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
            t.run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
            if (p.filename().string().starts_with("regression_")) ++n_regression;
        }
        if (files.empty()) {
            std::fprintf(stderr, "fuzz_replay: %s holds no inputs\n", dir.c_str());
            return 1;
        }
        std::printf("fuzz_replay: %-20s %4zu inputs (%zu regression)\n", t.name, files.size(), n_regression);
        std::fflush(stdout);
        total += files.size();
        regressions += n_regression;
    }
    std::printf("fuzz_replay: %zu inputs replayed through %zu targets (%zu regression inputs), no finding\n", total,
                std::size(targets), regressions);
    return 0;
}
