// Opening a model file: open/<format>/<model>[/cold]. Each iteration opens and validates
// the file and closes it again. Warm: the page cache holds the file after the first open.
// Cold: before each iteration (untimed) the file's pages are dropped from the page cache
// with posix_fadvise(POSIX_FADV_DONTNEED), which needs no root (drop_caches does), so the
// open reads its header pages from the disk again.
// Counters, measured once around a first open that is kept open:
//   file_kB  resident file-backed pages the open added (the header pages it read),
//   anon_kB  resident anonymous memory it added (RssAnon),
//   heap_kB  bytes it left allocated on the heap (mallinfo2: index, names, small values),
//   file_MB  the file's size, for scale,
//   first_ms the wall time of that first open (the cold-cache figure when caches were dropped).
// The GGUF reader keeps string arrays (the vocabulary, the merges) as views of the mapped
// file, so heap_kB stays at the size of its indexes; the full llama_model open builds a
// tokenizer, which copies the vocabulary on purpose (its own lookup tables).
#include <benchmark/benchmark.h>

#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "tessera/io/gguf.hpp"
#include "tessera/io/model_cache.hpp"
#include "tessera/io/safetensors_file.hpp"
#include "tessera/models/llama.hpp"

namespace {

namespace fs = std::filesystem;
using namespace tessera;

struct memory_now {
    double anon_kB = 0, file_kB = 0, heap_kB = 0;
};

memory_now memory() {
    memory_now m;
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("RssAnon:", 0) == 0) m.anon_kB = std::stod(line.substr(8));
        if (line.rfind("RssFile:", 0) == 0) m.file_kB = std::stod(line.substr(8));
    }
    m.heap_kB = double(mallinfo2().uordblks) / 1024.0;
    return m;
}

// Drops the file's pages from the page cache (pages another process has mapped stay).
void evict(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) return;
    (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
}

template <class Open>
void bm_open(benchmark::State& s, const fs::path& path, Open open, bool cold) {
    if (!fs::exists(path)) {
        s.SkipWithError(("model not found at " + path.string()).c_str());
        return;
    }
    {
        if (cold) evict(path);
        const memory_now before = memory();
        const auto t0 = std::chrono::steady_clock::now();
        const auto kept = open(path.string());
        const auto t1 = std::chrono::steady_clock::now();
        const memory_now after = memory();
        s.counters["first_ms"] = std::chrono::duration<double, std::milli>(t1 - t0).count();
        benchmark::DoNotOptimize(&kept);
        s.counters["file_kB"] = after.file_kB - before.file_kB;
        s.counters["anon_kB"] = after.anon_kB - before.anon_kB;
        s.counters["heap_kB"] = after.heap_kB - before.heap_kB;
        s.counters["file_MB"] = double(fs::file_size(path)) / 1e6;
    }
    for (auto _ : s) {
        if (cold) {
            s.PauseTiming();
            evict(path);
            s.ResumeTiming();
        }
        const auto f = open(path.string());
        benchmark::DoNotOptimize(&f);
    }
}

void bm_gguf(benchmark::State& s, bool cold) {
    bm_open(s, io::default_decoder_file(), [](const std::string& p) { return io::gguf_file::open(p); }, cold);
}
void bm_safetensors(benchmark::State& s, bool cold) {
    bm_open(s, io::default_encoder_dir() / "model.safetensors",
            [](const std::string& p) { return io::safetensors_file(p); }, cold);
}
void bm_llama_model(benchmark::State& s, bool cold) {
    bm_open(s, io::default_decoder_file(), [](const std::string& p) { return models::llama_model::open(p); }, cold);
}

}  // namespace

BENCHMARK_CAPTURE(bm_gguf, warm, false)->Name("open/gguf/smollm2_q4_1")->Unit(benchmark::kMillisecond)->MinTime(0.5);
BENCHMARK_CAPTURE(bm_gguf, cold, true)->Name("open/gguf/smollm2_q4_1/cold")->Unit(benchmark::kMillisecond)->MinTime(0.5);
BENCHMARK_CAPTURE(bm_safetensors, warm, false)->Name("open/safetensors/minilm_l6")->Unit(benchmark::kMillisecond)->MinTime(0.5);
BENCHMARK_CAPTURE(bm_safetensors, cold, true)->Name("open/safetensors/minilm_l6/cold")->Unit(benchmark::kMillisecond)->MinTime(0.5);
BENCHMARK_CAPTURE(bm_llama_model, warm, false)->Name("open/llama_model/smollm2_q4_1")->Unit(benchmark::kMillisecond)->MinTime(0.5);
BENCHMARK_CAPTURE(bm_llama_model, cold, true)->Name("open/llama_model/smollm2_q4_1/cold")->Unit(benchmark::kMillisecond)->MinTime(0.5);
