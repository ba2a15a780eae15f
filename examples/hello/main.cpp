// hello: the smallest tour of tessera.
//
// Prints the version and the SIMD instruction set its kernels use in this program, fills a
// [rows, cols] tensor with t(i, j) = (i * cols + j) % 7, sums each row in a parallel_for
// over a thread_pool, and checks the total against a serial sum over the same storage.
// Exits non-zero if they differ, so `ctest` runs it as a test.
#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <thread>
#include <vector>

#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/simd/arch.hpp"
#include "tessera/version.hpp"

int main() {
    std::printf("tessera %s\n", tessera::version_string);
    // Decided by this file's compiler flags (-march=native here with TESSERA_NATIVE=ON).
    std::printf("simd level: %s (%zu floats per register)\n", tessera::simd_level(), tessera::simd::batch_size);

    constexpr std::size_t rows = 512, cols = 1000;
    tessera::tensor<float> t(tessera::shape{rows, cols});  // zero-filled, 64-byte aligned
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j) t(i, j) = static_cast<float>((i * cols + j) % 7);

    // The pool is created here and passed in: tessera never starts threads of its own.
    const std::size_t n_threads = std::max(2u, std::thread::hardware_concurrency());
    tessera::thread_pool pool(n_threads);

    // One task per row; each row sum is written by exactly one task, so the result does
    // not depend on the number of threads.
    std::vector<double> row_sums(rows, 0.0);
    tessera::parallel_for(&pool, rows, [&](std::size_t i) {
        double s = 0.0;
        for (float v : t.view()[i].span()) s += v;
        row_sums[i] = s;
    });
    double parallel_total = 0.0;
    for (double s : row_sums) parallel_total += s;

    double serial_total = 0.0;
    for (float v : t.span()) serial_total += v;

    const bool ok = parallel_total == serial_total && serial_total > 0.0;
    std::printf("tensor %s, %zu threads: parallel sum %.0f, serial sum %.0f: %s\n", t.dims().to_string().c_str(),
                pool.size(), parallel_total, serial_total, ok ? "ok" : "MISMATCH");
    return ok ? 0 : 1;
}
