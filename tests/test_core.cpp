#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <vector>

#include "tessera/core.hpp"

using namespace tessera;

TEST_CASE("tensor is 64-byte aligned, zero-filled and copyable") {
    tensor<float> t(shape{3, 5});
    CHECK(reinterpret_cast<std::uintptr_t>(t.data()) % 64 == 0);
    CHECK(t.numel() == 15);
    for (float v : t.span()) CHECK(v == 0.0f);
    t(1, 2) = 7.0f;
    tensor<float> u = t;
    CHECK(u(1, 2) == 7.0f);
    u(1, 2) = 1.0f;
    CHECK(t(1, 2) == 7.0f);
}

TEST_CASE("tensor_view slicing, rows, transpose and copy") {
    tensor<float> t(shape{4, 6});
    std::iota(t.data(), t.data() + t.numel(), 0.0f);
    auto v = t.view();
    auto s = v.slice(1, 2, 5);  // [4, 3]
    CHECK(s.dims() == shape{4, 3});
    CHECK(!s.is_contiguous());
    CHECK(s(2, 1) == 2 * 6 + 3);
    auto row = v[3];
    CHECK(row.rank() == 1);
    CHECK(row(5) == 23.0f);
    auto tr = v.transpose();
    CHECK(tr(5, 3) == 23.0f);
    tensor<float> c = tensor<float>::from_view(s);
    CHECK(c.view().is_contiguous());
    CHECK(c(3, 2) == 3 * 6 + 4);
    tensor_view<const float> cv = v;  // mutable -> const view
    CHECK(cv(0, 1) == 1.0f);
    CHECK_THROWS_AS(v.slice(1, 4, 7), error);
    CHECK_THROWS_AS(v.at(4, 0), error);
    CHECK_THROWS_AS(s.reshape(shape{12}), error);
    try {
        v.slice(0, 2, 9);
    } catch (const error& e) {
        CHECK(e.kind() == error_kind::out_of_range);
    }
    CHECK(v.reshape(shape{2, 12})(1, 0) == 12.0f);
}

TEST_CASE("shape element count overflow is an error") {
    shape s{std::size_t(1) << 40, std::size_t(1) << 40};
    CHECK_THROWS_AS(s.numel(), error);
    CHECK_THROWS_AS(checked_mul(std::uint64_t(1) << 63, 2, "x"), error);
    CHECK(checked_add(1, 2, "x") == 3);
}

// f16 conversion: every one of the 65536 bit patterns round-trips through f32 exactly,
// and f32 -> f16 matches round-to-nearest-even computed in double arithmetic.
TEST_CASE("f16 conversions are exact and round to nearest even") {
    for (std::uint32_t b = 0; b < 65536; ++b) {
        f16 h{std::uint16_t(b)};
        float f = to_f32(h);
        if (std::isnan(f)) {
            CHECK(std::isnan(to_f32(to_f16(f))));
            continue;
        }
        CHECK(to_f16(f).bits == h.bits);
    }
    // Ties: 1 + 2^-11 is halfway between 1 and 1 + 2^-10 -> even (1).
    CHECK(to_f16(1.0f + std::ldexp(1.0f, -11)).bits == 0x3c00);
    CHECK(to_f16(1.0f + 3 * std::ldexp(1.0f, -11)).bits == 0x3c02);
    CHECK(to_f16(65504.0f).bits == 0x7bff);
    CHECK(to_f16(65519.0f).bits == 0x7bff);
    CHECK(to_f16(65520.0f).bits == 0x7c00);
    CHECK(to_f16(std::ldexp(1.0f, -25)).bits == 0x0000);                      // tie -> 0
    CHECK(to_f16(std::ldexp(1.0f, -25) * 1.0000001f).bits == 0x0001);         // just above
    CHECK(to_f16(std::ldexp(3.0f, -25)).bits == 0x0002);                      // 1.5 ulp -> even 2
    CHECK(to_f16(-0.0f).bits == 0x8000);
    // Random f32 values against a double-precision oracle.
    std::uint32_t x = 12345;
    for (int i = 0; i < 200000; ++i) {
        x = x * 1664525u + 1013904223u;
        float f = std::bit_cast<float>((x & 0x8fffffffu) | 0x30000000u);  // mostly in f16 range
        if (!std::isfinite(f) || std::fabs(f) > 65504.0f) continue;
        f16 h = to_f16(f);
        double got = to_f32(h);
        // The neighbours of h must not be closer to f.
        f16 up{std::uint16_t(h.bits + 1)}, down{std::uint16_t(h.bits - 1)};
        double err = std::fabs(got - f);
        if ((h.bits & 0x7fff) != 0x7bff) CHECK(std::fabs(double(to_f32(up)) - f) >= err);
        if ((h.bits & 0x7fff) != 0) CHECK(std::fabs(double(to_f32(down)) - f) >= err);
    }
}

TEST_CASE("bf16 conversions round to nearest even") {
    CHECK(to_bf16(1.0f).bits == 0x3f80);
    CHECK(to_bf16(std::bit_cast<float>(0x3f808000u)).bits == 0x3f80);  // tie, even stays
    CHECK(to_bf16(std::bit_cast<float>(0x3f818000u)).bits == 0x3f82);  // tie, odd rounds up
    CHECK(to_bf16(std::bit_cast<float>(0x3f808001u)).bits == 0x3f81);
    CHECK(std::isnan(to_f32(to_bf16(std::numeric_limits<float>::quiet_NaN()))));
    CHECK(std::isnan(to_f32(to_bf16(std::bit_cast<float>(0x7f800001u)))));  // NaN never becomes inf
    for (std::uint32_t b = 0; b < 65536; ++b) {
        float f = to_f32(bf16{std::uint16_t(b)});
        if (!std::isnan(f)) CHECK(to_bf16(f).bits == b);
    }
}

TEST_CASE("thread_pool runs every task once and propagates exceptions" * doctest::test_suite("concurrency")) {
    for (std::size_t n : {1u, 2u, 3u, 5u}) {
        thread_pool pool(n);
        CHECK(pool.size() == n);
        for (int rep = 0; rep < 50; ++rep) {
            std::vector<std::atomic<int>> hits(97);
            pool.run(hits.size(), [&](std::size_t i) { hits[i]++; });
            for (auto& h : hits) CHECK(h.load() == 1);
        }
        CHECK_THROWS_AS(pool.run(10, [](std::size_t i) {
            if (i == 7) throw error(error_kind::invalid_argument, "task 7");
        }), error);
        // Nested runs execute serially inside a task.
        std::atomic<int> total{0};
        pool.run(4, [&](std::size_t) { pool.run(3, [&](std::size_t) { total++; }); });
        CHECK(total.load() == 12);
    }
    std::atomic<int> serial{0};
    parallel_for(nullptr, 5, [&](std::size_t) { serial++; });
    CHECK(serial.load() == 5);
}

TEST_CASE("Eigen interop maps without copying") {
    tensor<float> t(shape{3, 4});
    auto m = as_eigen(t.view());
    m(2, 3) = 5.0f;
    CHECK(t(2, 3) == 5.0f);
    auto s = t.view().slice(1, 1, 3);  // padded rows
    auto ms = as_eigen(s);
    CHECK(ms.rows() == 3);
    CHECK(ms.cols() == 2);
    CHECK(ms(2, 1) == 0.0f);
    ms(2, 1) = 9.0f;
    CHECK(t(2, 2) == 9.0f);
    eigen_row_matrix<float> e(2, 2);
    e << 1, 2, 3, 4;
    auto v = view_of(e);
    CHECK(v(1, 0) == 3.0f);
}
