// ops/positional.hpp: sinusoidal table vs PyTorch (the tutorial's formula in float64),
// learned positions, RoPE in both layouts with partial rotary, linear/NTK/llama3 scaling vs
// an HF-style torch implementation, and RoPE's defining properties.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

#include "golden/attention/goldens.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/ops/positional.hpp"

using namespace tessera;

namespace {

tensor<float> randn(const shape& s, std::uint32_t seed) {
    tensor<float> t(s);
    std::mt19937 rng(seed);
    std::normal_distribution<float> nd;
    for (float& x : t.span()) x = nd(rng);
    return t;
}

ops::rope_config rope16(ops::rope_layout layout, std::size_t rot = 0) {
    ops::rope_config c;
    c.head_dim = 16;
    c.rotary_dim = rot;
    c.layout = layout;
    return c;
}

std::vector<std::size_t> far_positions() {
    const auto f = golden::store::get()("rope.far_positions");
    std::vector<std::size_t> p;
    for (float x : f.span()) p.push_back(std::size_t(x));
    return p;
}

}  // namespace

TEST_CASE("sinusoidal table equals the original Transformer's formula (PyTorch, float64)") {
    const auto want = golden::store::get()("sinusoidal");
    tensor<float> pe(want.dims());
    ops::sinusoidal_positions(pe.view());
    golden::check("sinusoidal [50, 32]", pe.view(), want.view());
    // An offset table is the matching slice of the full one.
    tensor<float> tail(shape{10, 32});
    ops::sinusoidal_positions(tail.view(), 40);
    for (std::size_t i = 0; i < 10; ++i)
        for (std::size_t c = 0; c < 32; ++c) CHECK(tail(i, c) == pe(40 + i, c));
}

TEST_CASE("sinusoidal with an odd width ends with a sin column; add_sinusoidal_positions adds it") {
    tensor<float> pe(shape{3, 7});
    ops::sinusoidal_positions(pe.view(), 5);
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t c = 0; c < 7; ++c) {
            const double a = double(5 + i) / std::pow(10000.0, double(c / 2 * 2) / 7.0);
            CHECK(pe(i, c) == doctest::Approx(c % 2 ? std::cos(a) : std::sin(a)).epsilon(1e-6));
        }
    tensor<float> x(shape{3, 7}, 1.0f);
    ops::add_sinusoidal_positions(x.view(), 5);
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t c = 0; c < 7; ++c) CHECK(x(i, c) == 1.0f + pe(i, c));
}

TEST_CASE("learned positions add table rows and refuse positions past the table") {
    const auto table = randn(shape{8, 4}, 3);
    tensor<float> x(shape{3, 4});
    ops::add_learned_positions(x.view(), table.view(), 5);
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t c = 0; c < 4; ++c) CHECK(x(i, c) == table(5 + i, c));
    try {
        ops::add_learned_positions(x.view(), table.view(), 6);
        FAIL("no error");
    } catch (const error& e) {
        CHECK(e.kind() == error_kind::context_overflow);
    }
    tensor<float> wrong(shape{3, 5});
    CHECK_THROWS_AS(ops::add_learned_positions(wrong.view(), table.view(), 0), error);
}

TEST_CASE("RoPE matches HF-style torch rotations: both layouts, partial, far positions, scalings") {
    const auto& g = golden::store::get();
    const auto x = g("rope.x");  // [6, 3, 16]
    const auto far = far_positions();
    struct rope_case {
        const char* name;
        ops::rope_config cfg;
        bool near;
    };
    ops::rope_config linear = rope16(ops::rope_layout::half_split);
    linear.scaling = ops::rope_scaling::linear;
    linear.factor = 2.0f;
    ops::rope_config ntk = rope16(ops::rope_layout::half_split);
    ntk.scaling = ops::rope_scaling::ntk;
    ntk.factor = 4.0f;
    ops::rope_config llama3 = rope16(ops::rope_layout::half_split);
    llama3.theta = 500000.0f;
    llama3.scaling = ops::rope_scaling::llama3;
    llama3.factor = 8.0f;
    llama3.low_freq_factor = 1.0f;
    llama3.high_freq_factor = 4.0f;
    llama3.original_max_positions = 256;
    const rope_case cases[] = {
        {"rope.half", rope16(ops::rope_layout::half_split), true},
        {"rope.interleaved", rope16(ops::rope_layout::interleaved), true},
        {"rope.half_far", rope16(ops::rope_layout::half_split), false},
        {"rope.partial_half", rope16(ops::rope_layout::half_split, 8), true},
        {"rope.partial_interleaved", rope16(ops::rope_layout::interleaved, 8), true},
        {"rope.linear", linear, false},
        {"rope.ntk", ntk, false},
        {"rope.llama3", llama3, false},
    };
    for (const auto& c : cases) {
        tensor<float> y = x;
        const ops::rope_table table = c.near ? ops::rope_table(c.cfg, 5, 6) : ops::rope_table(c.cfg, far);
        ops::apply_rope(y.view(), table);
        golden::check(c.name, y.view(), g(c.name).view());
    }
}

TEST_CASE("RoPE keeps norms, leaves the unrotated dims alone, and makes scores depend on n - m only") {
    const auto q = randn(shape{1, 1, 64}, 7), k = randn(shape{1, 1, 64}, 8);
    for (auto layout : {ops::rope_layout::half_split, ops::rope_layout::interleaved}) {
        ops::rope_config c;
        c.head_dim = 64;
        c.rotary_dim = 48;
        c.layout = layout;
        const auto score = [&](std::size_t m, std::size_t n) {
            tensor<float> qm = q, kn = k;
            ops::apply_rope(qm.view(), ops::rope_table(c, m, 1));
            ops::apply_rope(kn.view(), ops::rope_table(c, n, 1));
            double s = 0, nq = 0, nq0 = 0;
            for (std::size_t i = 0; i < 64; ++i) {
                s += double(qm(0, 0, i)) * kn(0, 0, i);
                nq += double(qm(0, 0, i)) * qm(0, 0, i);
                nq0 += double(q(0, 0, i)) * q(0, 0, i);
            }
            CHECK(nq == doctest::Approx(nq0).epsilon(1e-5));
            for (std::size_t i = 48; i < 64; ++i) CHECK(qm(0, 0, i) == q(0, 0, i));
            return s;
        };
        CHECK(score(3, 10) == doctest::Approx(score(103, 110)).epsilon(1e-4));
        CHECK(score(0, 0) == doctest::Approx(score(50, 50)).epsilon(1e-4));
        CHECK(score(3, 10) != doctest::Approx(score(3, 11)).epsilon(1e-4));
    }
}

TEST_CASE("RoPE rotates strided views in place (the q block of a fused QKV output)") {
    const auto buf = randn(shape{4, 3 * 16}, 9);  // [tokens, q | k | v] with one 16-wide head each
    tensor<float> a = buf, b(shape{4, 1, 16});
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t c = 0; c < 16; ++c) b(i, 0, c) = buf(i, 16 + c);
    const ops::rope_table t(rope16(ops::rope_layout::half_split), 2, 4);
    ops::apply_rope(tensor_view<float>(a.data() + 16, shape{4, 1, 16}, shape{48, 16, 1}), t);
    ops::apply_rope(b.view(), t);
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t c = 0; c < 16; ++c) {
            CHECK(a(i, 16 + c) == b(i, 0, c));
            CHECK(a(i, c) == buf(i, c));  // q and v blocks untouched
            CHECK(a(i, 32 + c) == buf(i, 32 + c));
        }
}

TEST_CASE("RoPE rejects bad configurations and shapes") {
    const auto expect_invalid = [](ops::rope_config c) {
        try {
            ops::rope_table t(c, 0, 1);
            FAIL("no error");
        } catch (const error& e) {
            CHECK(e.kind() == error_kind::invalid_argument);
        }
    };
    expect_invalid(rope16(ops::rope_layout::half_split, 7));   // odd
    expect_invalid(rope16(ops::rope_layout::half_split, 18));  // wider than the head
    auto c = rope16(ops::rope_layout::half_split);
    c.theta = 0.0f;
    expect_invalid(c);
    c = rope16(ops::rope_layout::half_split);
    c.scaling = ops::rope_scaling::linear;
    c.factor = std::nanf("");
    expect_invalid(c);
    c = rope16(ops::rope_layout::half_split, 2);
    c.scaling = ops::rope_scaling::ntk;
    c.factor = 2.0f;
    expect_invalid(c);
    c = rope16(ops::rope_layout::half_split);
    c.scaling = ops::rope_scaling::llama3;
    c.low_freq_factor = 4.0f;
    c.high_freq_factor = 1.0f;
    expect_invalid(c);
    const ops::rope_table t(rope16(ops::rope_layout::half_split), 0, 3);
    tensor<float> wrong_rows(shape{4, 2, 16}), wrong_dim(shape{3, 2, 12});
    CHECK_THROWS_AS(ops::apply_rope(wrong_rows.view(), t), error);
    CHECK_THROWS_AS(ops::apply_rope(wrong_dim.view(), t), error);
}
