// Similarity search benchmarks.
//
//   search/exact/tessera/n:<N>/d:<D>/q:1/threads:<T>    one query, fused scan + top-10;
//        bytes_per_second (corpus bytes read per second) and queries/s
//   search/exact/tessera/n:<N>/d:<D>/q:64/threads:<T>   a batch of 64 queries, GEMM blocks +
//        candidate rescoring; gflops (2·q·n·d per batch) and queries/s
//   search/exact/tessera_int8/n:<N>/d:<D>/q:<1|64>/threads:<T>  the same searches over int8
//        codes of the corpus (search/int8_codes.hpp; built once, like a FAISS index's add):
//        identical hits; bytes_per_second counts the code bytes read, gflops stays 2·q·n·d
//   search/hnsw_build/tessera/n:<N>/d:<D>/M:16/efc:100/threads:1   build time (one iteration)
//   search/hnsw/tessera/n:<N>/d:<D>/ef:<E>/threads:1    top-10 queries/s and recall@10
//
// Data: with TESSERA_BENCH_SEARCH_DIR set, the .npy files that
// tools/reference/bench_search_peers.py writes there (so FAISS, numpy and hnswlib see the
// same numbers): corpus.npy [n, d] and queries.npy [q, d] (unit rows) for exact search,
// hnsw_base.npy and hnsw_queries.npy (clustered) for HNSW. Without it the bench generates
// data of the same kinds with a fixed seed (exact: 1M × 384; HNSW: 50k × 384, or
// TESSERA_BENCH_HNSW_N rows). TESSERA_BENCH_HNSW_SEED (default 1) is the index's level seed:
// a graph's recall at a given ef moves by a few thousandths from one seed to another.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/search/hnsw.hpp"
#include "tessera/search/topk.hpp"

namespace {

using namespace tessera;
using namespace tessera::search;

// Minimal .npy reader: little-endian float32, C order, rank 2.
tensor<float> load_npy(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot open " + path);
    char magic[8];
    f.read(magic, 8);
    if (std::memcmp(magic, "\x93NUMPY", 6) != 0) throw std::runtime_error(path + ": not .npy");
    std::size_t header_len = 0;
    if (magic[6] == 1) {
        std::uint16_t h;
        f.read(reinterpret_cast<char*>(&h), 2);
        header_len = h;
    } else {
        std::uint32_t h;
        f.read(reinterpret_cast<char*>(&h), 4);
        header_len = h;
    }
    std::string header(header_len, ' ');
    f.read(header.data(), std::streamsize(header_len));
    if (header.find("'<f4'") == std::string::npos || header.find("'fortran_order': False") == std::string::npos)
        throw std::runtime_error(path + ": expected little-endian float32 in C order");
    const auto open = header.find('(', header.find("'shape'"));
    std::size_t rows = 0, cols = 0;
    if (std::sscanf(header.c_str() + open, "(%zu, %zu)", &rows, &cols) != 2) throw std::runtime_error(path + ": expected rank 2");
    tensor<float> t(shape{rows, cols});
    f.read(reinterpret_cast<char*>(t.data()), std::streamsize(rows * cols * sizeof(float)));
    if (!f) throw std::runtime_error(path + ": short read");
    return t;
}

const char* data_dir() { return std::getenv("TESSERA_BENCH_SEARCH_DIR"); }

// Approximately normal numbers from a xorshift generator (fast for a 1.5 GB corpus).
struct fast_rng {
    std::uint64_t s;
    float normal() noexcept {
        float acc = 0;
        for (int i = 0; i < 4; ++i) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            acc += float(s >> 40) * (1.0f / 16777216.0f);
        }
        return (acc - 2.0f) * 1.7320508f;
    }
};

tensor<float> unit_rows(std::size_t n, std::size_t d, std::uint64_t seed) {
    tensor<float> t(shape{n, d});
    fast_rng r{seed};
    for (float& v : t.span()) v = r.normal();
    normalize_rows(t.view());
    return t;
}

tensor<float> clustered_rows(std::size_t n, std::size_t d, std::size_t clusters, std::uint64_t seed) {
    fast_rng r{seed};
    tensor<float> centres(shape{clusters, d});
    for (float& v : centres.span()) v = r.normal();
    tensor<float> t(shape{n, d});
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t c = std::size_t(r.s % clusters);
        for (std::size_t j = 0; j < d; ++j) t(i, j) = centres(c, j) + 0.5f * r.normal();
        r.normal();
    }
    return t;
}

struct exact_data {
    tensor<float> corpus, queries;
    mutable std::unique_ptr<int8_codes> codes;  // built on first use
};
const exact_data& exact() {
    static const exact_data data = [] {
        if (const char* dir = data_dir())
            return exact_data{load_npy(std::string(dir) + "/corpus.npy"), load_npy(std::string(dir) + "/queries.npy"), nullptr};
        return exact_data{unit_rows(1'000'000, 384, 1), unit_rows(64, 384, 2), nullptr};
    }();
    return data;
}

struct hnsw_data {
    tensor<float> base, queries;
    std::vector<std::vector<hit>> truth;
    std::unique_ptr<hnsw_index> index;
    double build_seconds = 0;
};
hnsw_data& hnsw() {
    static hnsw_data data = [] {
        hnsw_data h;
        if (const char* dir = data_dir()) {
            h.base = load_npy(std::string(dir) + "/hnsw_base.npy");
            h.queries = load_npy(std::string(dir) + "/hnsw_queries.npy");
        } else {
            const char* n_env = std::getenv("TESSERA_BENCH_HNSW_N");
            const std::size_t n = n_env ? std::strtoull(n_env, nullptr, 10) : 50'000;
            auto all = clustered_rows(n + 1000, 384, 100, 3);
            h.base = tensor<float>::from_view(all.view().slice(0, 0, n));
            h.queries = tensor<float>::from_view(all.view().slice(0, n, n + 1000));
        }
        h.truth = exact_top_k_batch(h.queries.view(), h.base.view(), 10, {.kind = metric::cosine});
        return h;
    }();
    return data;
}

void build_hnsw(hnsw_data& h) {
    const std::size_t d = h.base.extent(1);
    const char* seed_env = std::getenv("TESSERA_BENCH_HNSW_SEED");
    const std::uint64_t seed = seed_env ? std::strtoull(seed_env, nullptr, 10) : 1;
    h.index = std::make_unique<hnsw_index>(d, hnsw_params{.M = 16, .ef_construction = 100, .kind = metric::cosine, .seed = seed});
    for (std::size_t i = 0; i < h.base.extent(0); ++i) h.index->add(std::span<const float>(h.base.data() + i * d, d));
}

void bm_exact(benchmark::State& s, std::size_t nq, int threads, bool int8) {
    const auto& data = exact();
    if (int8 && !data.codes) data.codes = std::make_unique<int8_codes>(int8_codes::build(data.corpus.view()));
    const int8_codes* codes = int8 ? data.codes.get() : nullptr;
    std::unique_ptr<thread_pool> pool;
    if (threads > 1) pool = std::make_unique<thread_pool>(threads);
    const std::size_t n = data.corpus.extent(0), d = data.corpus.extent(1);
    const auto queries = data.queries.view().slice(0, 0, nq);
    std::size_t i = 0;
    for (auto _ : s) {
        if (nq == 1) {
            const std::span<const float> q(data.queries.data() + (i++ % data.queries.extent(0)) * d, d);
            benchmark::DoNotOptimize(exact_top_k(q, data.corpus.view(), 10, {.kind = metric::dot, .pool = pool.get(), .codes = codes}));
        } else {
            benchmark::DoNotOptimize(
                exact_top_k_batch(queries, data.corpus.view(), 10, {.kind = metric::dot, .pool = pool.get(), .codes = codes}));
        }
    }
    const double iters = double(s.iterations());
    s.SetBytesProcessed(std::int64_t(iters * double(codes ? codes->bytes() : n * d * sizeof(float))));
    s.counters["queries/s"] = benchmark::Counter(iters * double(nq), benchmark::Counter::kIsRate);
    if (nq > 1) s.counters["gflops"] = benchmark::Counter(iters * 2.0 * double(nq * n * d) / 1e9, benchmark::Counter::kIsRate);
}

void bm_hnsw_build(benchmark::State& s) {
    auto& h = hnsw();
    for (auto _ : s) build_hnsw(h);
    s.counters["nodes/s"] = benchmark::Counter(double(h.base.extent(0)) * double(s.iterations()), benchmark::Counter::kIsRate);
}

void bm_hnsw_search(benchmark::State& s, std::size_t ef) {
    auto& h = hnsw();
    if (!h.index) build_hnsw(h);
    const std::size_t nq = h.queries.extent(0), d = h.queries.extent(1);
    std::size_t found = 0, total = 0, i = 0;
    for (auto _ : s) {
        const std::size_t qi = i++ % nq;
        const auto got = h.index->search(std::span<const float>(h.queries.data() + qi * d, d), 10, ef);
        benchmark::DoNotOptimize(got.data());
        std::set<std::size_t> t;
        for (const hit& x : h.truth[qi]) t.insert(x.corpus_id);
        for (const hit& x : got) found += t.count(x.corpus_id);
        total += h.truth[qi].size();
    }
    s.counters["queries/s"] = benchmark::Counter(double(s.iterations()), benchmark::Counter::kIsRate);
    s.counters["recall@10"] = total ? double(found) / double(total) : 0.0;
}

std::string shape_tag(std::size_t n, std::size_t d) { return "n:" + std::to_string(n) + "/d:" + std::to_string(d); }

const int registered = [] {
    // Sizes appear in the names; with a data directory they are read from the files' headers
    // lazily, so the names use the defaults unless TESSERA_BENCH_SEARCH_N/D say otherwise.
    const char* n_env = std::getenv("TESSERA_BENCH_SEARCH_N");
    const std::string tag = shape_tag(n_env ? std::strtoull(n_env, nullptr, 10) : 1'000'000, 384);
    for (bool int8 : {false, true})
        for (std::size_t nq : {1, 64})
            for (int t : {1, 2})
                benchmark::RegisterBenchmark((std::string("search/exact/") + (int8 ? "tessera_int8/" : "tessera/") + tag +
                                              "/q:" + std::to_string(nq) + "/threads:" + std::to_string(t)).c_str(),
                                             bm_exact, nq, t, int8)
                    ->UseRealTime()
                    ->Unit(benchmark::kMillisecond);
    const char* h_env = std::getenv("TESSERA_BENCH_HNSW_N");
    const std::string htag = shape_tag(h_env ? std::strtoull(h_env, nullptr, 10) : 50'000, 384);
    benchmark::RegisterBenchmark(("search/hnsw_build/tessera/" + htag + "/M:16/efc:100/threads:1").c_str(), bm_hnsw_build)
        ->Iterations(1)
        ->UseRealTime()
        ->Unit(benchmark::kSecond);
    for (std::size_t ef : {10, 16, 32, 64, 128, 256})
        benchmark::RegisterBenchmark(("search/hnsw/tessera/" + htag + "/ef:" + std::to_string(ef) + "/threads:1").c_str(),
                                     bm_hnsw_search, ef)
            ->UseRealTime()
            ->Unit(benchmark::kMicrosecond);
    return 0;
}();

}  // namespace
