// membw/read/threads:<T>: how fast this machine streams memory into the cores, the ceiling
// a GEMV (M = 1) is judged against. Sums a 1 GiB buffer (far larger than L3) with SIMD
// loads, each thread its own contiguous part; bytes_per_second is the figure.
#include <benchmark/benchmark.h>

#include <memory>

#include <xsimd/xsimd.hpp>

#include "tessera/core/aligned.hpp"
#include "tessera/core/thread_pool.hpp"

namespace {

float sum_range(const float* p, std::size_t n) {
    using batch = xsimd::batch<float>;
    constexpr std::size_t W = batch::size;
    batch a0(0.0f), a1(0.0f), a2(0.0f), a3(0.0f);
    std::size_t i = 0;
    for (; i + 4 * W <= n; i += 4 * W) {
        a0 += batch::load_aligned(p + i);
        a1 += batch::load_aligned(p + i + W);
        a2 += batch::load_aligned(p + i + 2 * W);
        a3 += batch::load_aligned(p + i + 3 * W);
    }
    float s = xsimd::hadd((a0 + a1) + (a2 + a3));
    for (; i < n; ++i) s += p[i];
    return s;
}

void bm_membw(benchmark::State& s, int threads) {
    constexpr std::size_t bytes = std::size_t(1) << 30, n = bytes / sizeof(float);
    auto buf = tessera::aligned_alloc_array<float>(n);
    for (std::size_t i = 0; i < n; ++i) buf[i] = 1.0f;  // touch every page
    tessera::thread_pool pool(threads);
    float partial[8] = {};
    for (auto _ : s) {
        pool.run(threads, [&](std::size_t t) {
            const std::size_t lo = n / threads * t, hi = t + 1 == std::size_t(threads) ? n : n / threads * (t + 1);
            partial[t] = sum_range(buf.get() + lo, hi - lo);
        });
        benchmark::DoNotOptimize(partial);
    }
    s.SetBytesProcessed(std::int64_t(s.iterations()) * std::int64_t(bytes));
}

const int registered = [] {
    for (int t : {1, 2})
        benchmark::RegisterBenchmark(("membw/read/threads:" + std::to_string(t)).c_str(), bm_membw, t)
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond);
    return 0;
}();

}  // namespace
