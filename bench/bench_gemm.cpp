// GEMM beside its peers: gemm/<impl>/<M>x<N>x<K>/threads:<T>, C[M,N] = A[M,K]·B[N,K]ᵀ
// (the linear-layer layout), with a `gflops` rate counter. <T> is the number of threads the
// implementation itself is given. `tessera` packs B on every call, as the peers do;
// `tessera_prepacked` multiplies by an ops::packed_matrix made once before timing, which
// is how tessera's models use their weights (shown for information; the peers have no
// equivalent in these calls).
#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <string>

#include <Eigen/Core>

#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/ops/gemm.hpp"
#include "tessera/ops/packed_matrix.hpp"

#ifdef TESSERA_BENCH_OPENBLAS
#include <cblas.h>
#endif
#if defined(_OPENMP)
#include <omp.h>
#endif

namespace {

struct problem {
    std::size_t m, n, k;
    tessera::tensor<float> a, b, c;
    problem(std::size_t m_, std::size_t n_, std::size_t k_)
        : m(m_), n(n_), k(k_), a(tessera::shape{m_, k_}), b(tessera::shape{n_, k_}), c(tessera::shape{m_, n_}) {
        std::mt19937 rng(1);
        std::uniform_real_distribution<float> d(-1, 1);
        for (float& v : a.span()) v = d(rng);
        for (float& v : b.span()) v = d(rng);
    }
};

void set_rate(benchmark::State& s, const problem& p) {
    s.counters["gflops"] = benchmark::Counter(2.0 * double(p.m) * double(p.n) * double(p.k) * double(s.iterations()) / 1e9,
                                              benchmark::Counter::kIsRate);
}

void bm_tessera(benchmark::State& s, std::size_t m, std::size_t n, std::size_t k, int threads) {
    problem p(m, n, k);
    std::unique_ptr<tessera::thread_pool> pool;
    if (threads > 1) pool = std::make_unique<tessera::thread_pool>(threads);
    for (auto _ : s) {
        tessera::ops::matmul(p.a.view(), p.b.view(), p.c.view(), {.transpose_b = true}, pool.get());
        benchmark::DoNotOptimize(p.c.data());
        benchmark::ClobberMemory();
    }
    set_rate(s, p);
}

void bm_tessera_prepacked(benchmark::State& s, std::size_t m, std::size_t n, std::size_t k, int threads) {
    problem p(m, n, k);
    std::unique_ptr<tessera::thread_pool> pool;
    if (threads > 1) pool = std::make_unique<tessera::thread_pool>(threads);
    const auto packed = tessera::ops::packed_matrix<>::pack(p.b.view());
    for (auto _ : s) {
        tessera::ops::matmul(p.a.view(), packed, p.c.view(), {}, pool.get());
        benchmark::DoNotOptimize(p.c.data());
        benchmark::ClobberMemory();
    }
    set_rate(s, p);
}

#ifdef TESSERA_BENCH_OPENBLAS
void bm_openblas(benchmark::State& s, std::size_t m, std::size_t n, std::size_t k, int threads) {
    problem p(m, n, k);
    openblas_set_num_threads(threads);
    for (auto _ : s) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(m), int(n), int(k), 1.0f, p.a.data(), int(k),
                    p.b.data(), int(k), 0.0f, p.c.data(), int(n));
        benchmark::DoNotOptimize(p.c.data());
        benchmark::ClobberMemory();
    }
    set_rate(s, p);
}
#endif

void bm_eigen(benchmark::State& s, std::size_t m, std::size_t n, std::size_t k, int threads) {
    problem p(m, n, k);
    using mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    Eigen::Map<const mat> a(p.a.data(), Eigen::Index(m), Eigen::Index(k));
    Eigen::Map<const mat> b(p.b.data(), Eigen::Index(n), Eigen::Index(k));
    Eigen::Map<mat> c(p.c.data(), Eigen::Index(m), Eigen::Index(n));
#if defined(_OPENMP)
    Eigen::setNbThreads(threads);
#else
    if (threads > 1) {
        s.SkipWithError("Eigen built without OpenMP runs single-threaded");
        return;
    }
#endif
    for (auto _ : s) {
        c.noalias() = a * b.transpose();
        benchmark::DoNotOptimize(p.c.data());
        benchmark::ClobberMemory();
    }
    set_rate(s, p);
}

const int registered = [] {
    const std::size_t shapes[][3] = {{512, 512, 512},   {1024, 1024, 1024}, {4096, 384, 384}, {4096, 1536, 384},
                                     {4096, 384, 1536}, {128, 1536, 576},   {32, 576, 576},   {1, 1536, 576},
                                     {1, 576, 1536},    {1, 49152, 576}};
    for (auto [m, n, k] : shapes)
        for (int t : {1, 2}) {
            const std::string tail = "/" + std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k) +
                                     "/threads:" + std::to_string(t);
            benchmark::RegisterBenchmark(("gemm/tessera" + tail).c_str(), bm_tessera, m, n, k, t)->UseRealTime();
            benchmark::RegisterBenchmark(("gemm/tessera_prepacked" + tail).c_str(), bm_tessera_prepacked, m, n, k, t)
                ->UseRealTime();
#ifdef TESSERA_BENCH_OPENBLAS
            benchmark::RegisterBenchmark(("gemm/openblas" + tail).c_str(), bm_openblas, m, n, k, t)->UseRealTime();
#endif
            benchmark::RegisterBenchmark(("gemm/eigen" + tail).c_str(), bm_eigen, m, n, k, t)->UseRealTime();
        }
    return 0;
}();

}  // namespace
