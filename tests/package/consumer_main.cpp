// A program written the way a user of tessera writes one: public headers only, linked to
// tessera::tessera only, none of tessera's build flags. Both consumer projects build it.
//
// It fills a [rows, cols] tensor with t(i, j) = i + j, sums each row in a parallel_for on a
// thread_pool, and compares the total with the closed form
//   sum_i sum_j (i + j) = cols * rows(rows-1)/2 + rows * cols(cols-1)/2.
// It also checks that a tessera::error thrown inside the header reaches the caller.
#include <cstddef>
#include <cstdio>
#include <numeric>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"

#ifndef TESSERA_CONSUMER_MODE
#error "the consumer's CMakeLists defines TESSERA_CONSUMER_MODE"
#endif
#ifndef TESSERA_CONSUMER_VERSION
#error "the consumer's CMakeLists defines TESSERA_CONSUMER_VERSION"
#endif

int main() {
    constexpr std::size_t rows = 96, cols = 130;
    tessera::tensor<float> t(tessera::shape{rows, cols});
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j) t(i, j) = static_cast<float>(i + j);

    tessera::thread_pool pool(3);
    std::vector<double> row_sums(rows, 0.0);
    tessera::parallel_for(&pool, rows, [&](std::size_t i) {
        double s = 0.0;
        for (float v : t.view()[i].span()) s += v;
        row_sums[i] = s;
    });
    const double total = std::accumulate(row_sums.begin(), row_sums.end(), 0.0);
    const double expected = cols * (rows * (rows - 1) / 2.0) + rows * (cols * (cols - 1) / 2.0);

    bool error_reached = false;
    try {
        (void)t.view().at(rows, 0);  // one past the last row
    } catch (const tessera::error& e) {
        error_reached = e.kind() == tessera::error_kind::out_of_range;
    }

    const bool ok = total == expected && error_reached;
    std::printf("tessera %s via %s: %zu threads, sum %.0f (expected %.0f), error kind %s: %s\n",
                TESSERA_CONSUMER_VERSION, TESSERA_CONSUMER_MODE, pool.size(), total, expected,
                error_reached ? "out_of_range" : "WRONG", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
