// ops/attention.hpp: tiled online-softmax attention against a float64 oracle written out
// naively here (every mask, GQA, strides, tile edges), against PyTorch goldens, for
// bitwise determinism over thread counts, incremental (one query row at a time) vs full,
// and for its O(d) scratch memory at seq 8192.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <limits>
#include <random>
#include <vector>

#include "golden/attention/goldens.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/ops/attention.hpp"
#include "tessera/ops/bidirectional_attention.hpp"

using namespace tessera;

namespace {

tensor<float> randn(const shape& s, std::uint32_t seed, float scale = 1.0f) {
    tensor<float> t(s);
    std::mt19937 rng(seed);
    std::normal_distribution<float> nd(0.0f, scale);
    for (float& x : t.span()) x = nd(rng);
    return t;
}

// softmax(q·kᵀ·scale + masks)·v in double, straight from the definition.
tensor<float> oracle(tensor_view<const float> q, tensor_view<const float> k, tensor_view<const float> v,
                     const ops::attention_options& opt) {
    const std::size_t nq = q.extent(0), h = q.extent(1), d = q.extent(2), nkv = k.extent(0);
    const std::size_t group = h / k.extent(1), dv = v.extent(2);
    const double scale = opt.scale > 0 ? opt.scale : 1.0 / std::sqrt(double(d));
    tensor<float> out(shape{nq, h, dv});
    std::vector<double> s(nkv);
    for (std::size_t i = 0; i < nq; ++i)
        for (std::size_t hh = 0; hh < h; ++hh) {
            const std::size_t g = hh / group;
            double m = -INFINITY;
            for (std::size_t j = 0; j < nkv; ++j) {
                bool visible = j < opt.kv_valid && (!opt.causal || j <= opt.q_pos0 + i) &&
                               (opt.key_mask.empty() || opt.key_mask[j] != 0);
                double x = 0;
                for (std::size_t c = 0; c < d; ++c) x += double(q(i, hh, c)) * double(k(j, g, c));
                x *= scale;
                if (opt.additive_mask.rank() != 0) x += opt.additive_mask(i, j);
                s[j] = visible ? x : -INFINITY;
                m = std::max(m, s[j]);
            }
            double l = 0;
            for (std::size_t j = 0; j < nkv; ++j) l += s[j] == -INFINITY ? 0.0 : std::exp(s[j] - m);
            for (std::size_t c = 0; c < dv; ++c) {
                double acc = 0;
                for (std::size_t j = 0; j < nkv; ++j)
                    if (s[j] != -INFINITY) acc += std::exp(s[j] - m) * double(v(j, g, c));
                out(i, hh, c) = l > 0 ? float(acc / l) : 0.0f;
            }
        }
    return out;
}

// Relative tolerance of an f32 computation against the oracle: scores and sums of a few
// hundred terms; 1e-5 of the output scale is ~100 ulp of headroom.
void check_against_oracle(const tensor<float>& got, const tensor<float>& want, const std::string& what) {
    const golden::figures f = golden::compare(got.view(), want.view());
    INFO(what << ": max|d| " << f.max_abs << " scale " << f.scale << " nmse " << f.nmse);
    CHECK(f.max_abs <= 1e-5 * std::max(1.0, f.scale));
    CHECK(f.nmse <= 1e-11);
}

bool bitwise_equal(const tensor<float>& a, const tensor<float>& b) {
    return a.dims() == b.dims() && std::equal(a.span().begin(), a.span().end(), b.span().begin(),
                                              [](float x, float y) { return std::memcmp(&x, &y, 4) == 0; });
}

// Shapes for the oracle tests: tile and block edges, GQA, odd head dims.
struct shape_case {
    std::size_t nq, nkv, h, hk, d, dv;
};
const shape_case oracle_cases[] = {
    {1, 1, 1, 1, 1, 1},     {5, 7, 4, 4, 16, 16},   {63, 64, 2, 1, 64, 64},  {65, 65, 8, 2, 64, 64},
    {17, 130, 3, 1, 7, 5},  {1, 200, 6, 3, 128, 128}, {33, 129, 4, 2, 80, 48}, {16, 16, 2, 2, 31, 33},
};

// Random q [nq, h, d], k [nkv, hk, d] and v [nkv, hk, dv] for a shape case (seed advanced).
struct qkv_tensors {
    tensor<float> q, k, v;
};
qkv_tensors random_qkv(const shape_case& c, std::uint32_t& seed) {
    qkv_tensors t{randn(shape{c.nq, c.h, c.d}, seed), randn(shape{c.nkv, c.hk, c.d}, seed + 1),
                  randn(shape{c.nkv, c.hk, c.dv}, seed + 2)};
    seed += 3;
    return t;
}

}  // namespace

TEST_CASE("attention matches the float64 oracle across tile edges, GQA and head dims") {
    std::uint32_t seed = 1;
    for (const auto& c : oracle_cases) {
        CAPTURE(c.nq);
        CAPTURE(c.nkv);
        CAPTURE(c.h);
        CAPTURE(c.hk);
        CAPTURE(c.d);
        CAPTURE(c.dv);
        const auto [q, k, v] = random_qkv(c, seed);
        tensor<float> out(shape{c.nq, c.h, c.dv});
        for (bool causal : {false, true}) {
            ops::attention_options opt;
            opt.causal = causal;
            opt.q_pos0 = c.nkv > c.nq ? c.nkv - c.nq : 0;  // the new queries are the last positions
            ops::attention(q.view(), k.view(), v.view(), out.view(), opt);
            check_against_oracle(out, oracle(q.view(), k.view(), v.view(), opt), causal ? "causal" : "plain");
        }
    }
}

TEST_CASE("attention masks: valid length, key mask, additive mask with -inf, fully masked rows") {
    const std::size_t nq = 20, nkv = 70, h = 4, hk = 2, d = 24;
    const auto q = randn(shape{nq, h, d}, 11), k = randn(shape{nkv, hk, d}, 12), v = randn(shape{nkv, hk, d}, 13);
    auto add = randn(shape{nq, nkv}, 14, 2.0f);
    add(3, 5) = -INFINITY;
    add(4, 66) = -INFINITY;
    std::vector<std::uint8_t> km(nkv, 1);
    for (std::size_t j : {0u, 9u, 63u, 64u, 65u}) km[j] = 0;
    tensor<float> out(shape{nq, h, d});

    ops::attention_options opt;
    opt.kv_valid = 50;
    opt.key_mask = km;
    opt.additive_mask = add.view();
    opt.scale = 0.3f;
    ops::attention(q.view(), k.view(), v.view(), out.view(), opt);
    check_against_oracle(out, oracle(q.view(), k.view(), v.view(), opt), "masks");

    opt.causal = true;  // with q_pos0 = 0 query 0 sees key 0 only, which key_mask hides
    ops::attention(q.view(), k.view(), v.view(), out.view(), opt);
    check_against_oracle(out, oracle(q.view(), k.view(), v.view(), opt), "masks+causal");
    for (std::size_t hh = 0; hh < h; ++hh)
        for (std::size_t c = 0; c < d; ++c) CHECK(out(0, hh, c) == 0.0f);  // no visible key: 0, not NaN

    ops::attention_options none;
    none.kv_valid = 0;
    ops::attention(q.view(), k.view(), v.view(), out.view(), none);
    for (float x : out.span()) CHECK(x == 0.0f);
}

TEST_CASE("attention takes strided views: the q/k/v column blocks of a fused QKV output") {
    const std::size_t n = 37, h = 6, hk = 2, d = 16, w = (h + 2 * hk) * d;
    const auto qkv = randn(shape{n, w}, 21);
    const float* base = qkv.data();
    tensor_view<const float> q(base, shape{n, h, d}, shape{w, d, 1});
    tensor_view<const float> k(base + h * d, shape{n, hk, d}, shape{w, d, 1});
    tensor_view<const float> v(base + (h + hk) * d, shape{n, hk, d}, shape{w, d, 1});
    tensor<float> wide(shape{n, h, 2 * d});  // output into the left half of a wider buffer
    auto out = wide.view().slice(2, 0, d);
    ops::attention_options opt;
    opt.causal = true;
    ops::attention(q, k, v, out, opt);
    const auto want = oracle(q, k, v, opt);
    const golden::figures f = golden::compare(out, want.view());
    CHECK(f.max_abs <= 1e-5 * f.scale);
    for (std::size_t i = 0; i < n; ++i) CHECK(wide(i, 0, d) == 0.0f);  // right half untouched
}

TEST_CASE("attention vs PyTorch (GQA via repeat_interleave, causal offset, masks)") {
    const auto& g = golden::store::get();
    const auto q = g("gqa.q"), k = g("gqa.k"), v = g("gqa.v");
    tensor<float> out(q.dims());
    ops::attention(q.view(), k.view(), v.view(), out.view());
    golden::check("sdpa gqa plain", out.view(), g("gqa.out_plain").view());

    ops::attention_options opt;
    opt.causal = true;
    opt.q_pos0 = 7;
    ops::attention(q.view(), k.view(), v.view(), out.view(), opt);
    golden::check("sdpa gqa causal offset 7", out.view(), g("gqa.out_causal_offset").view());

    const auto kmf = g("gqa.key_mask");
    std::vector<std::uint8_t> km(kmf.numel());
    for (std::size_t j = 0; j < km.size(); ++j) km[j] = kmf.data()[j] != 0.0f;
    const auto add = g("gqa.additive");
    ops::attention_options masked;
    masked.key_mask = km;
    masked.additive_mask = add.view();
    ops::attention(q.view(), k.view(), v.view(), out.view(), masked);
    golden::check("sdpa gqa key+additive mask", out.view(), g("gqa.out_masked").view());
}

TEST_CASE("attention is bitwise identical for 1, 2 and 3 threads") {
    const std::size_t nq = 100, nkv = 300, h = 8, hk = 2, d = 64;
    const auto q = randn(shape{nq, h, d}, 31), k = randn(shape{nkv, hk, d}, 32), v = randn(shape{nkv, hk, d}, 33);
    ops::attention_options opt;
    opt.causal = true;
    opt.q_pos0 = nkv - nq;
    tensor<float> ref(shape{nq, h, d});
    ops::attention(q.view(), k.view(), v.view(), ref.view(), opt);
    for (std::size_t threads : {1u, 2u, 3u}) {
        thread_pool pool(threads);
        tensor<float> out(shape{nq, h, d});
        ops::attention(q.view(), k.view(), v.view(), out.view(), opt, &pool);
        CHECK_MESSAGE(bitwise_equal(out, ref), threads << " threads");
    }
}

TEST_CASE("a query row computed alone equals the same row of a full causal pass, bit for bit") {
    const std::size_t n = 150, h = 4, hk = 1, d = 32;
    const auto q = randn(shape{n, h, d}, 41), k = randn(shape{n, hk, d}, 42), v = randn(shape{n, hk, d}, 43);
    ops::attention_options opt;
    opt.causal = true;
    tensor<float> full(shape{n, h, d});
    ops::attention(q.view(), k.view(), v.view(), full.view(), opt);
    for (std::size_t i : {0u, 1u, 63u, 64u, 65u, 127u, 149u}) {
        // Decoding step i: one query at position i against the i + 1 cached keys.
        tensor<float> one(shape{1, h, d});
        ops::attention_options step;
        step.causal = true;
        step.q_pos0 = i;
        ops::attention(q.view().slice(0, i, i + 1), k.view().slice(0, 0, i + 1), v.view().slice(0, 0, i + 1),
                       one.view(), step);
        bool same = true;
        for (std::size_t hh = 0; hh < h; ++hh)
            for (std::size_t c = 0; c < d; ++c) same = same && one(0, hh, c) == full(i, hh, c);
        CHECK_MESSAGE(same, "row " << i);
    }
}

TEST_CASE("attention at seq 8192 uses O((block + tile)·d) scratch, independent of the sequence length") {
    const std::size_t n = 8192, d = 64;
    const auto q = randn(shape{n, 1, d}, 51), k = randn(shape{n, 1, d}, 52), v = randn(shape{n, 1, d}, 53);
    tensor<float> out(shape{n, 1, d});
    ops::attention_options opt;
    opt.causal = true;
    thread_pool pool(2);
    ops::attention_stats stats, small;
    ops::attention(q.view(), k.view(), v.view(), out.view(), opt, &pool, &stats);
    ops::attention(q.view().slice(0, 0, 512), k.view().slice(0, 0, 512), v.view().slice(0, 0, 512),
                   out.view().slice(0, 0, 512), opt, &pool, &small);
    MESSAGE("seq 8192, d 64, 2 threads: " << stats.tasks << " tasks, " << stats.scratch_bytes_per_task
                                          << " scratch bytes per task, peak " << stats.peak_scratch_bytes
                                          << " bytes (a seq x seq score matrix would be " << n * n * 4 << ")");
    CHECK(stats.scratch_bytes_per_task == small.scratch_bytes_per_task);  // does not grow with seq
    const std::size_t bound = (ops::attention_query_block + 1 + 2 * ops::attention_key_tile) * d + ops::attention_key_tile;
    CHECK(stats.scratch_bytes_per_task <= (bound + 64) * sizeof(float));
    CHECK(stats.peak_scratch_bytes <= 2 * stats.scratch_bytes_per_task);
    // Spot rows against the oracle (recomputed for that row alone).
    for (std::size_t i : {0u, 1u, 4095u, 8191u}) {
        ops::attention_options row = opt;
        row.q_pos0 = i;
        const auto want = oracle(q.view().slice(0, i, i + 1), k.view().slice(0, 0, i + 1), v.view().slice(0, 0, i + 1),
                                 row);
        tensor<float> got = tensor<float>::from_view(out.view().slice(0, i, i + 1));
        check_against_oracle(got, want, "seq 8192 row");
    }
}

TEST_CASE("attention rejects inconsistent shapes with invalid_argument naming them") {
    const auto q = randn(shape{4, 6, 8}, 61), k = randn(shape{5, 4, 8}, 62), v = randn(shape{5, 4, 8}, 63);
    tensor<float> out(shape{4, 6, 8});
    try {
        ops::attention(q.view(), k.view(), v.view(), out.view());  // 6 heads on 4 kv heads
        FAIL("no error");
    } catch (const error& e) {
        CHECK(e.kind() == error_kind::invalid_argument);
        CHECK(std::string(e.what()).find("[5, 4, 8]") != std::string::npos);
    }
    const auto k2 = randn(shape{5, 2, 9}, 64);
    CHECK_THROWS_AS(ops::attention(q.view(), k2.view(), v.view(), out.view()), error);
    std::vector<std::uint8_t> km(3, 1);
    ops::attention_options opt;
    opt.key_mask = km;
    const auto k3 = randn(shape{5, 2, 8}, 65), v3 = randn(shape{5, 2, 8}, 66);
    CHECK_THROWS_AS(ops::attention(q.view(), k3.view(), v3.view(), out.view(), opt), error);
    tensor<float> bad_out(shape{4, 6, 7});
    CHECK_THROWS_AS(ops::attention(q.view(), k3.view(), v3.view(), bad_out.view()), error);
    // Non-unit stride along the head dim.
    tensor_view<const float> qs(q.data(), shape{4, 6, 4}, shape{48, 8, 2});
    const auto k4 = randn(shape{5, 2, 4}, 67);
    tensor<float> o4(shape{4, 6, 4});
    CHECK_THROWS_AS(ops::attention(qs, k4.view(), k4.view(), o4.view()), error);
}

// ---- bidirectional_attention (ops/bidirectional_attention.hpp) --------------------------

TEST_CASE("bidirectional_attention matches the float64 oracle: shapes, register-tile edges, GQA, register widths") {
    // Besides the shared shapes (n_q around the 6-row tile, n_kv around 4 registers, odd d
    // and dv): MiniLM's head shape past 128 rows, and dv past 4 registers with a tail.
    std::vector<shape_case> cases(std::begin(oracle_cases), std::end(oracle_cases));
    cases.push_back({130, 128, 2, 2, 32, 32});
    cases.push_back({7, 3, 1, 1, 33, 97});
    std::uint32_t seed = 100;
    for (const auto& c : cases) {
        CAPTURE(c.nq);
        CAPTURE(c.nkv);
        CAPTURE(c.d);
        CAPTURE(c.dv);
        const auto [q, k, v] = random_qkv(c, seed);
        const auto want = oracle(q.view(), k.view(), v.view(), {});
        tensor<float> out(shape{c.nq, c.h, c.dv});
        ops::bidirectional_attention(q.view(), k.view(), v.view(), out.view());
        check_against_oracle(out, want, "default arch");
#if XSIMD_WITH_AVX512BW
        ops::bidirectional_attention<xsimd::fma3<xsimd::avx2>>(q.view(), k.view(), v.view(), out.view());
        check_against_oracle(out, want, "avx2");
#endif
#if XSIMD_WITH_SSE2
        ops::bidirectional_attention<xsimd::sse2>(q.view(), k.view(), v.view(), out.view());
        check_against_oracle(out, want, "sse2");
#endif
    }
}

TEST_CASE("bidirectional_attention masks: valid length, key mask, additive -inf, fully masked rows, NaN in padding") {
    const std::size_t nq = 21, nkv = 70, h = 4, hk = 2, d = 24;
    const auto q = randn(shape{nq, h, d}, 111), k = randn(shape{nkv, hk, d}, 112);
    auto v = randn(shape{nkv, hk, d}, 113);
    auto add = randn(shape{nq, nkv}, 114, 2.0f);
    add(3, 5) = -INFINITY;
    add(4, 66) = -INFINITY;
    for (std::size_t j = 0; j < nkv; ++j) add(7, j) = -INFINITY;  // row 7 sees nothing
    std::vector<std::uint8_t> km(nkv, 1);
    for (std::size_t j : {0u, 9u, 63u, 64u, 65u}) km[j] = 0;
    tensor<float> out(shape{nq, h, d});
    ops::attention_options opt;
    opt.kv_valid = 50;
    opt.key_mask = km;
    opt.additive_mask = add.view();
    opt.scale = 0.3f;
    const auto want = oracle(q.view(), k.view(), v.view(), opt);
    v(9, 0, 3) = NAN;   // a masked key's value: must not reach any output
    v(60, 1, 0) = NAN;  // beyond kv_valid
    ops::bidirectional_attention(q.view(), k.view(), v.view(), out.view(), opt);
    check_against_oracle(out, want, "masks");
    for (std::size_t hh = 0; hh < h; ++hh)
        for (std::size_t c = 0; c < d; ++c) CHECK(out(7, hh, c) == 0.0f);  // no visible key: 0, not NaN
    ops::attention_options none;
    none.kv_valid = 0;
    ops::bidirectional_attention(q.view(), k.view(), v.view(), out.view(), none);
    for (float x : out.span()) CHECK(x == 0.0f);
    opt.causal = true;
    CHECK_THROWS_AS(ops::bidirectional_attention(q.view(), k.view(), v.view(), out.view(), opt), error);
}

TEST_CASE("bidirectional_attention takes strided QKV views, agrees with attention(), and is bitwise identical for 1-3 threads") {
    // 6 heads: one task per head (all rows); 2 heads on 2-3 threads: blocks of 64 rows.
    for (const auto& heads : {std::pair<std::size_t, std::size_t>{6, 3}, {2, 1}}) {  // (no structured binding:
        const std::size_t h = heads.first, hk = heads.second;                            //  clang 14 cannot capture one)
        CAPTURE(h);
        const std::size_t n = 150, d = 32, w = (h + 2 * hk) * d;
        const auto qkv = randn(shape{n, w}, 121);
        const float* base = qkv.data();
        tensor_view<const float> q(base, shape{n, h, d}, shape{w, d, 1});
        tensor_view<const float> k(base + h * d, shape{n, hk, d}, shape{w, d, 1});
        tensor_view<const float> v(base + (h + hk) * d, shape{n, hk, d}, shape{w, d, 1});
        tensor<float> wide(shape{n, h, 2 * d});  // output into the left half of a wider buffer
        auto out = wide.view().slice(2, 0, d);
        ops::bidirectional_attention(q, k, v, out);
        check_against_oracle(tensor<float>::from_view(out), oracle(q, k, v, {}), "strided");
        for (std::size_t i = 0; i < n; ++i) CHECK(wide(i, 0, d) == 0.0f);  // right half untouched
        tensor<float> tiled(shape{n, h, d});
        ops::attention(q, k, v, tiled.view());
        const golden::figures f = golden::compare(tensor<float>::from_view(out).view(), tiled.view());
        CHECK(f.max_abs <= 1e-5 * f.scale);
        const auto ref = tensor<float>::from_view(out);
        for (std::size_t threads : {1u, 2u, 3u}) {
            thread_pool pool(threads);
            tensor<float> again(shape{n, h, d});
            ops::bidirectional_attention(q, k, v, again.view(), {}, &pool);
            CHECK_MESSAGE(bitwise_equal(again, ref), threads << " threads");
        }
    }
}
