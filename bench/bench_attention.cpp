// Attention of one sequence: attention/<impl>/seq:<S>/d:<D>/causal:<0|1>/threads:<T>, with
// 8 query heads and 8 kv heads of width D, S queries against S keys, and a `gflops` rate
// counter over the visible (query, key) pairs: 4·D flops each (q·k and p·v), S² pairs, or
// S(S+1)/2 when causal.
//   tessera  ops::attention: tiled online softmax, O(D) scratch per task
//   tessera_bidirectional  ops::bidirectional_attention (non-causal only): whole score rows
//            from register-tiled products with Kᵀ packed per head, the encoders' kernel
//   eigen    the textbook way for comparison: per head, the full S×S score matrix with
//            Eigen GEMMs, a row softmax, then P·V (O(S²) memory); causal masks the scores
//            but still multiplies the whole matrix, as a plain implementation does
#include <benchmark/benchmark.h>

#include <cmath>
#include <limits>
#include <memory>
#include <random>
#include <string>

#include <Eigen/Core>

#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/ops/attention.hpp"
#include "tessera/ops/bidirectional_attention.hpp"

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace {

constexpr std::size_t heads = 8;

struct problem {
    std::size_t seq, d;
    tessera::tensor<float> q, k, v, out;  // [seq, heads, d]
    problem(std::size_t s, std::size_t d_)
        : seq(s), d(d_), q(tessera::shape{s, heads, d_}), k(tessera::shape{s, heads, d_}),
          v(tessera::shape{s, heads, d_}), out(tessera::shape{s, heads, d_}) {
        std::mt19937 rng(1);
        std::normal_distribution<float> nd;
        for (auto* t : {&q, &k, &v})
            for (float& x : t->span()) x = nd(rng);
    }
};

void set_rate(benchmark::State& s, const problem& p, bool causal) {
    const double pairs = causal ? double(p.seq) * double(p.seq + 1) / 2 : double(p.seq) * double(p.seq);
    s.counters["gflops"] = benchmark::Counter(4.0 * pairs * double(p.d) * heads * double(s.iterations()) / 1e9,
                                              benchmark::Counter::kIsRate);
}

void bm_tessera(benchmark::State& s, std::size_t seq, std::size_t d, bool causal, int threads) {
    problem p(seq, d);
    std::unique_ptr<tessera::thread_pool> pool;
    if (threads > 1) pool = std::make_unique<tessera::thread_pool>(threads);
    tessera::ops::attention_options opt;
    opt.causal = causal;
    for (auto _ : s) {
        tessera::ops::attention(p.q.view(), p.k.view(), p.v.view(), p.out.view(), opt, pool.get());
        benchmark::DoNotOptimize(p.out.data());
        benchmark::ClobberMemory();
    }
    set_rate(s, p, causal);
}

void bm_bidirectional(benchmark::State& s, std::size_t seq, std::size_t d, int threads) {
    problem p(seq, d);
    std::unique_ptr<tessera::thread_pool> pool;
    if (threads > 1) pool = std::make_unique<tessera::thread_pool>(threads);
    for (auto _ : s) {
        tessera::ops::bidirectional_attention(p.q.view(), p.k.view(), p.v.view(), p.out.view(), {}, pool.get());
        benchmark::DoNotOptimize(p.out.data());
        benchmark::ClobberMemory();
    }
    set_rate(s, p, false);
}

void bm_eigen(benchmark::State& s, std::size_t seq, std::size_t d, bool causal, int threads) {
    using mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    problem p(seq, d);
#if defined(_OPENMP)
    omp_set_num_threads(threads);
#else
    (void)threads;
#endif
    // Heads laid out [heads][seq][d] beforehand (not timed): Eigen wants contiguous matrices.
    std::vector<mat> qh(heads, mat(seq, d)), kh(heads, mat(seq, d)), vh(heads, mat(seq, d));
    for (std::size_t h = 0; h < heads; ++h)
        for (std::size_t i = 0; i < seq; ++i)
            for (std::size_t c = 0; c < d; ++c) {
                qh[h](i, c) = p.q(i, h, c);
                kh[h](i, c) = p.k(i, h, c);
                vh[h](i, c) = p.v(i, h, c);
            }
    mat scores(seq, seq), o(seq, d);
    const float scale = 1.0f / std::sqrt(float(d));
    for (auto _ : s) {
        for (std::size_t h = 0; h < heads; ++h) {
            scores.noalias() = (qh[h] * kh[h].transpose()) * scale;
            for (std::size_t i = 0; i < seq; ++i) {
                if (causal)
                    for (std::size_t j = i + 1; j < seq; ++j) scores(i, j) = -std::numeric_limits<float>::infinity();
                const float m = scores.row(i).maxCoeff();
                scores.row(i) = (scores.row(i).array() - m).exp();
                scores.row(i) /= scores.row(i).sum();
            }
            o.noalias() = scores * vh[h];
            benchmark::DoNotOptimize(o.data());
        }
        benchmark::ClobberMemory();
    }
    set_rate(s, p, causal);
}

const int registered = [] {
    for (std::size_t seq : {128, 512, 2048})
        for (std::size_t d : {32, 64, 128})
            for (bool causal : {false, true})
                for (int t : {1, 2}) {
                    const std::string tail = "/seq:" + std::to_string(seq) + "/d:" + std::to_string(d) +
                                             "/causal:" + (causal ? "1" : "0") + "/threads:" + std::to_string(t);
                    benchmark::RegisterBenchmark(("attention/tessera" + tail).c_str(), bm_tessera, seq, d, causal, t)
                        ->UseRealTime();
                    if (!causal)
                        benchmark::RegisterBenchmark(("attention/tessera_bidirectional" + tail).c_str(), bm_bidirectional,
                                                     seq, d, t)
                            ->UseRealTime();
                    benchmark::RegisterBenchmark(("attention/eigen" + tail).c_str(), bm_eigen, seq, d, causal, t)
                        ->UseRealTime();
                }
    return 0;
}();

}  // namespace
