// Quantized matmul (ops/quant_act.hpp, ops/quant_dot.hpp, ops/quant_matmul.hpp):
//  * activation quantization: SIMD == scalar bit for bit; codes and scales follow the rule;
//  * every compiled tile kernel (AVX-512 VNNI, AVX2) against the scalar reference for Q4_0,
//    Q4_1 and Q8_0 on odd block counts (1, 2, 3, 5, 18, 19, 48) and unaligned weight bytes,
//    and for Q5_0, Q4_K and Q6_K (random block bytes: every code and scale bit pattern) on
//    odd block and super-block counts;
//  * the scalar reference against a float dot of dequantized weights and dequantized
//    activations (which it must equal up to rounding), and quant_matmul against an fp32
//    matmul of the dequantized weights (the quantization error of 8-bit activations);
//  * the grouped layout (ops/quant_layout.hpp): the round trip to ggml order, decoding, and every
//    kernel on grouped rows equal to the same kernel on ggml rows, bit for bit;
//  * GEMV == GEMM rows, bitwise; results independent of the thread count, bitwise;
//  * accumulate, strided outputs, the float path for other types, and the shape checks.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "tessera/core/thread_pool.hpp"
#include "tessera/ops/dequantize.hpp"
#include "tessera/ops/quant_matmul.hpp"
#include "tessera/ops/quantize.hpp"

using namespace tessera;
using ops::ggml_type;

namespace {

std::vector<float> random_floats(std::size_t n, unsigned seed, float scale = 1.0f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, scale);
    std::vector<float> v(n);
    for (float& x : v) x = dist(rng);
    return v;
}

// Quantized weight bytes [rows, cols] of `type`, placed at `offset` inside the returned
// buffer (to test unaligned data); the view is returned through `w`.
// Q5_0, Q4_K and Q6_K have no quantizer in tessera: their blocks are random bytes (every
// code pattern, every packed 6-bit scale) with the f16 scales replaced by sane values.
void random_blocks(ggml_type type, std::byte* dst, std::size_t n_blocks, std::mt19937& rng) {
    const std::size_t ts = ops::traits_of(type).type_size;
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_real_distribution<float> scale(0.0005f, 0.004f);
    for (std::size_t i = 0; i < n_blocks * ts; ++i) dst[i] = std::byte(byte(rng));
    const auto put = [&](std::byte* p, float v) {
        const f16 h = to_f16(v);
        std::memcpy(p, &h, 2);
    };
    for (std::size_t b = 0; b < n_blocks; ++b) {
        std::byte* p = dst + b * ts;
        switch (type) {
        case ggml_type::q5_0: put(p, scale(rng) * 4.0f); break;
        case ggml_type::q4_k: put(p, scale(rng)); put(p + 2, scale(rng)); break;  // d, dmin
        case ggml_type::q6_k: put(p + 208, scale(rng) * 0.1f); break;
        default: break;
        }
    }
}

std::vector<std::byte> make_weights(ggml_type type, std::size_t rows, std::size_t cols, unsigned seed,
                                    std::size_t offset, ops::quant_matrix& w) {
    const std::vector<float> f = random_floats(rows * cols, seed, 0.05f);
    const auto tr = ops::traits_of(type);
    const std::size_t row_bytes = cols / tr.block_size * tr.type_size;
    std::vector<std::byte> buf(offset + rows * row_bytes + 64);
    std::mt19937 rng(seed);
    for (std::size_t r = 0; r < rows; ++r) {
        std::byte* dst = buf.data() + offset + r * row_bytes;
        const float* src = f.data() + r * cols;
        switch (type) {
        case ggml_type::q4_0: ops::quantize_row_q4_0(src, dst, cols / 32); break;
        case ggml_type::q4_1: ops::quantize_row_q4_1(src, dst, cols / 32); break;
        case ggml_type::q8_0: ops::quantize_row_q8_0(src, dst, cols / 32); break;
        case ggml_type::q5_0:
        case ggml_type::q4_k:
        case ggml_type::q6_k: random_blocks(type, dst, cols / tr.block_size, rng); break;
        default: FAIL("unexpected type");
        }
    }
    w = ops::quant_matrix::view(type, std::span<const std::byte>(buf.data() + offset, rows * row_bytes), rows, cols,
                                "test weight");
    return buf;
}

// The matrix w copied into `dst` (resized to exactly its bytes, so a kernel reading past
// the last group would be caught by ASan) in the grouped layout.
ops::quant_matrix grouped_copy(const ops::quant_matrix& w, std::vector<std::byte>& dst) {
    dst.assign(w.bytes(), std::byte{0});
    w.copy_rows_to(dst.data(), 0, w.rows);
    return w.as_copied_to(dst.data());
}

// The activation row decoded back to floats (d · code).
std::vector<float> dequantized_act(const ops::q8_group* g, std::size_t k, bool fine = false) {
    std::vector<float> out(k);
    for (std::size_t b = 0; b < k / 32; ++b) {
        const ops::q8_group& grp = g[b / 4];
        const std::size_t j = b % 4;
        for (std::size_t i = 0; i < 16; ++i) {
            out[32 * b + i] = grp.d(j) * (float(grp.lo[16 * j + i]) + (fine ? grp.lo2[16 * j + i] / 256.0f : 0.0f));
            out[32 * b + 16 + i] = grp.d(j) * (float(grp.hi[16 * j + i]) + (fine ? grp.hi2[16 * j + i] / 256.0f : 0.0f));
        }
    }
    return out;
}

template <ggml_type T, bool Fine>
void check_kernels_against_scalar(std::size_t n_blocks, std::size_t offset) {
    const std::size_t K = 32 * n_blocks, N = 5, M = 6;
    ops::quant_matrix w;
    const auto buf = make_weights(T, N, K, unsigned(n_blocks * 7 + offset), offset, w);
    const auto xf = random_floats(M * K, unsigned(n_blocks + 100));
    ops::q8_activations xa;
    xa.quantize(tensor_view<const float>(xf.data(), shape{M, K}), nullptr, Fine);
    const ops::q8_group* a[4] = {xa.row(0), xa.row(1), xa.row(2), xa.row(3)};
    const std::byte* wr[4] = {w.row(0), w.row(1), w.row(2), w.row(3)};
    float ref[16], got[16];
    constexpr bool kq = ops::has_kq_kernel(T);
    if constexpr (kq) ops::detail::qdot_tile_kq_scalar<T, 4, 4, Fine>(wr, a, n_blocks, ref, 4);
    else ops::detail::qdot_tile_scalar<T, 4, 4, Fine>(wr, a, n_blocks, ref, 4);
    const auto close = [&](const float* g) {
        for (std::size_t r = 0; r < 4; ++r)
            for (std::size_t c = 0; c < 4; ++c) {
                // Bound the rounding by the magnitude of the terms: Σ |w|·|x| over the row.
                const auto wd = [&] {
                    std::vector<float> row(K);
                    w.dequantize_row(r, row.data());
                    return row;
                }();
                const auto ad = dequantized_act(a[c], K, Fine);
                double mag = 0;
                for (std::size_t i = 0; i < K; ++i) mag += std::fabs(double(wd[i]) * ad[i]);
                CHECK(std::fabs(double(g[r * 4 + c]) - ref[r * 4 + c]) <= 1e-5 * mag + 1e-30);
            }
    };
#if defined(__AVX512VNNI__) && defined(__AVX512BW__) && defined(__AVX512VL__)
    if constexpr (kq) ops::detail::qdot_tile_kq_avx512vnni<T, 4, 4, Fine>(wr, a, n_blocks, got, 4);
    else ops::detail::qdot_tile_avx512vnni<T, 4, 4, Fine>(wr, a, n_blocks, got, 4);
    close(got);
#endif
#if defined(__AVX2__)
    if constexpr (kq) ops::detail::qdot_tile_kq_avx2<T, 4, 4, Fine>(wr, a, n_blocks, got, 4);
    else ops::detail::qdot_tile_avx2<T, 4, 4, Fine>(wr, a, n_blocks, got, 4);
    close(got);
#endif
    // The dispatching entry point, with the tile shapes quant_matmul uses.
    ops::qdot_tile<T, 4, 4, Fine>(wr, a, n_blocks, got, 4);
    close(got);
    for (std::size_t r = 0; r < 4; ++r) {
        float one[1];
        const std::byte* w1[1] = {wr[r]};
        const ops::q8_group* a1[1] = {a[r]};
        ops::qdot_tile<T, 1, 1, Fine>(w1, a1, n_blocks, one, 1);
        CHECK(one[0] == got[r * 4 + r]);  // the tile shape never changes a result
    }
    // The scalar reference equals the float dot of the decoded operands up to rounding.
    for (std::size_t r = 0; r < 4; ++r) {
        std::vector<float> wd(K);
        w.dequantize_row(r, wd.data());
        for (std::size_t c = 0; c < 4; ++c) {
            const auto ad = dequantized_act(a[c], K, Fine);
            double exact = 0, mag = 0;
            for (std::size_t i = 0; i < K; ++i) {
                exact += double(wd[i]) * ad[i];
                mag += std::fabs(double(wd[i]) * ad[i]);
            }
            CHECK(std::fabs(ref[r * 4 + c] - exact) <= 1e-5 * mag + 1e-30);
        }
    }
    // The grouped layout: each kernel gives the bits it gives on ggml rows.
    if constexpr (ops::has_grouped_layout(T)) {
        std::vector<std::byte> gbuf;
        const ops::quant_matrix g = grouped_copy(w, gbuf);
        const std::byte* gr[4] = {g.row(0), g.row(1), g.row(2), g.row(3)};
        float blocks[16], grouped[16];
        const auto same = [&](auto&& kernel_on) {
            kernel_on.template operator()<false>(wr, blocks);
            kernel_on.template operator()<true>(gr, grouped);
            CHECK(std::memcmp(blocks, grouped, sizeof blocks) == 0);
        };
        same([&]<bool G>(const std::byte* const* rows, float* o) {
            ops::detail::qdot_tile_scalar<T, 4, 4, Fine, G>(rows, a, n_blocks, o, 4);
        });
#if defined(__AVX512VNNI__) && defined(__AVX512BW__) && defined(__AVX512VL__)
        same([&]<bool G>(const std::byte* const* rows, float* o) {
            ops::detail::qdot_tile_avx512vnni<T, 4, 4, Fine, G>(rows, a, n_blocks, o, 4);
        });
#endif
#if defined(__AVX2__)
        same([&]<bool G>(const std::byte* const* rows, float* o) {
            ops::detail::qdot_tile_avx2<T, 4, 4, Fine, G>(rows, a, n_blocks, o, 4);
        });
#endif
        same([&]<bool G>(const std::byte* const* rows, float* o) { ops::qdot_tile<T, 4, 4, Fine, G>(rows, a, n_blocks, o, 4); });
    }
    (void)buf;
}

}  // namespace

TEST_CASE("grouped layout: the same bytes regrouped; round trip, decoding and offsets") {
    for (ggml_type type : {ggml_type::q4_0, ggml_type::q4_1, ggml_type::q8_0})
        for (std::size_t nb : {1u, 2u, 3u, 4u, 5u, 7u, 18u}) {
            CAPTURE(ops::to_string(type));
            CAPTURE(nb);
            ops::quant_matrix w;
            const auto buf = make_weights(type, 3, 32 * nb, unsigned(nb), 5, w);
            std::vector<std::byte> gbuf;
            const ops::quant_matrix g = grouped_copy(w, gbuf);
            CHECK(g.layout == ops::quant_layout::grouped);
            CHECK(g.bytes() == w.bytes());
            const ops::grouped_geometry geo = ops::grouped_geometry_of(type);
            for (std::size_t r = 0; r < w.rows; ++r) {
                // Block b's codes and scales are where grouped_offsets says: group of 4
                // blocks (the last one shorter), codes first.
                for (std::size_t b = 0; b < nb; ++b) {
                    const auto at = ops::grouped_offsets(geo, b, nb);
                    const std::size_t group = b / 4, k = std::min<std::size_t>(4, nb - 4 * group);
                    CHECK(at.codes == group * 4 * geo.block + (b % 4) * geo.codes);
                    CHECK(at.scale == group * 4 * geo.block + k * geo.codes + (b % 4) * geo.scale);
                    CHECK(std::memcmp(g.row(r) + at.scale, w.row(r) + b * geo.block, geo.scale) == 0);
                    CHECK(std::memcmp(g.row(r) + at.codes, w.row(r) + b * geo.block + geo.scale, geo.codes) == 0);
                }
                std::vector<std::byte> back(w.row_bytes);
                for (std::size_t b = 0; b < nb; ++b)  // back to ggml order, block by block
                    ops::block_in_ggml_order(type, g.layout, g.row(r), b, nb, back.data() + b * geo.block);
                CHECK(std::memcmp(back.data(), w.row(r), w.row_bytes) == 0);
                std::vector<float> a(w.cols), b(w.cols);
                w.dequantize_row(r, a.data());
                g.dequantize_row(r, b.data());
                CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
            }
            (void)buf;
        }
    // Types without a grouped layout are copied verbatim.
    ops::quant_matrix k;
    const auto kbuf = make_weights(ggml_type::q4_k, 2, 256, 1, 0, k);
    std::vector<std::byte> kcopy;
    const ops::quant_matrix kc = grouped_copy(k, kcopy);
    CHECK(kc.layout == ops::quant_layout::blocks);
    CHECK(std::memcmp(kcopy.data(), k.data, k.bytes()) == 0);
}

TEST_CASE("activation quantization: SIMD equals scalar; codes follow d = amax/127, q = rne(x/d)") {
    for (bool fine : {false, true})
    for (std::size_t k : {32u, 96u, 128u, 576u, 1536u}) {
        CAPTURE(fine);
        auto x = random_floats(k, unsigned(k));
        x[3] = 0.0f;
        if (k > 64) std::fill(x.begin() + 32, x.begin() + 64, 0.0f);  // an all-zero block
        std::vector<ops::q8_group> simd(ops::q8_groups_for(k)), ref(ops::q8_groups_for(k));
        ops::quantize_row_q8_groups(x.data(), k, simd.data(), fine, false);
        ops::quantize_row_q8_groups(x.data(), k, ref.data(), fine, true);
        CHECK(std::memcmp(simd.data(), ref.data(), simd.size() * sizeof(ops::q8_group)) == 0);
        const auto back = dequantized_act(ref.data(), k);
        for (std::size_t b = 0; b < k / 32; ++b) {
            float amax = 0;
            int sum = 0;
            for (std::size_t i = 0; i < 32; ++i) amax = std::max(amax, std::fabs(x[32 * b + i]));
            const ops::q8_group& g = ref[b / 4];
            CHECK(g.d(b % 4) == amax / 127.0f);
            for (std::size_t i = 0; i < 32; ++i) {
                CHECK(std::fabs(back[32 * b + i] - x[32 * b + i]) <= 0.5001f * g.d(b % 4));
                sum += i < 16 ? g.lo[16 * (b % 4) + i] : g.hi[16 * (b % 4) + i - 16];
            }
            CHECK(g.s(b % 4) == g.d(b % 4) * float(sum));
            if (fine) {  // two-term codes: error <= d/512 (+ d/256 where the remainder clamps)
                int rsum = 0;
                for (std::size_t i = 0; i < 32; ++i) {
                    const std::size_t j = b % 4;
                    const int q = i < 16 ? g.lo[16 * j + i] : g.hi[16 * j + i - 16];
                    const int r = i < 16 ? g.lo2[16 * j + i] : g.hi2[16 * j + i - 16];
                    rsum += r;
                    const float v = g.d(j) * (float(q) + float(r) / 256.0f);
                    CHECK(std::fabs(v - x[32 * b + i]) <= g.d(j) / 256.0f * 1.01f + 1e-30f);
                }
                CHECK(g.s2(b % 4) == doctest::Approx(g.d(b % 4) * (float(sum) + float(rsum) / 256.0f)).epsilon(1e-6));
            }
        }
        // Padding blocks of the last group are zero.
        for (std::size_t b = k / 32; b < 4 * ref.size(); ++b) CHECK(ref[b / 4].d(b % 4) == 0.0f);
    }
}

TEST_CASE("activation quantization: NaN gives NaN scales, never UB") {
    auto x = random_floats(64, 3);
    x[5] = std::numeric_limits<float>::quiet_NaN();
    std::vector<ops::q8_group> g(1);
    ops::quantize_row_q8_groups(x.data(), 64, g.data());
    CHECK(std::isnan(g[0].d(0)));
    CHECK_FALSE(std::isnan(g[0].d(1)));
}

TEST_CASE("tile kernels equal the scalar reference on odd sizes and unaligned weights") {
    std::printf("quant kernel: %s\n", ops::quant_kernel_name());
    for (std::size_t nb : {1u, 2u, 3u, 4u, 5u, 18u, 19u, 48u})
        for (std::size_t off : {0u, 1u, 3u}) {
            CAPTURE(nb);
            CAPTURE(off);
            check_kernels_against_scalar<ggml_type::q4_0, false>(nb, off);
            check_kernels_against_scalar<ggml_type::q4_1, false>(nb, off);
            check_kernels_against_scalar<ggml_type::q8_0, false>(nb, off);
            check_kernels_against_scalar<ggml_type::q4_0, true>(nb, off);
            check_kernels_against_scalar<ggml_type::q4_1, true>(nb, off);
            check_kernels_against_scalar<ggml_type::q8_0, true>(nb, off);
            check_kernels_against_scalar<ggml_type::q5_0, false>(nb, off);
            check_kernels_against_scalar<ggml_type::q5_0, true>(nb, off);
        }
    // K-quants: whole super-blocks of 256 values (8 blocks of 32), 1, 2, 3 and 5 of them.
    for (std::size_t nsb : {1u, 2u, 3u, 5u})
        for (std::size_t off : {0u, 1u, 7u}) {
            const std::size_t nb = 8 * nsb;
            CAPTURE(nb);
            CAPTURE(off);
            check_kernels_against_scalar<ggml_type::q4_k, false>(nb, off);
            check_kernels_against_scalar<ggml_type::q4_k, true>(nb, off);
            check_kernels_against_scalar<ggml_type::q6_k, false>(nb, off);
            check_kernels_against_scalar<ggml_type::q6_k, true>(nb, off);
        }
}

TEST_CASE("quant_matmul: GEMV == GEMM rows bitwise, thread-count independent, close to fp32" * doctest::test_suite("concurrency")) {
    for (bool fine : {false, true})
    for (ggml_type type : {ggml_type::q4_0, ggml_type::q4_1, ggml_type::q8_0, ggml_type::q5_0, ggml_type::q4_k,
                           ggml_type::q6_k})
        for (std::size_t N : {1u, 7u, 70u})
            for (std::size_t K : {32u, 160u, 576u, 768u}) {
                if (K % ops::traits_of(type).block_size != 0) continue;
                CAPTURE(ops::to_string(type));
                CAPTURE(N);
                CAPTURE(K);
                CAPTURE(fine);
                const std::size_t M = 13;
                ops::quant_matrix w;
                const auto buf = make_weights(type, N, K, unsigned(N * K), 1, w);
                const auto xf = random_floats(M * K, unsigned(K + N));
                const tensor_view<const float> x(xf.data(), shape{M, K});
                ops::q8_activations xa;
                xa.quantize(x, nullptr, fine);
                tensor<float> y1(shape{M, N}), y2(shape{M, N}), yrow(shape{1, N});
                ops::quant_matmul(w, xa, y1.view());
                thread_pool pool(3);
                ops::q8_activations xa2;
                xa2.quantize(x, &pool, fine);
                ops::quant_matmul(w, xa2, y2.view(), &pool);
                CHECK(std::memcmp(y1.data(), y2.data(), M * N * sizeof(float)) == 0);
                std::vector<std::byte> gbuf;  // the same weights grouped: the same bits
                const ops::quant_matrix wg = grouped_copy(w, gbuf);
                ops::quant_matmul(wg, xa2, y2.view(), &pool);
                CHECK(std::memcmp(y1.data(), y2.data(), M * N * sizeof(float)) == 0);
                ops::q8_activations one;
                for (std::size_t m = 0; m < M; ++m) {
                    one.quantize(x.slice(0, m, m + 1), nullptr, fine);
                    ops::quant_matmul(w, one, yrow.view(), &pool);
                    CHECK(std::memcmp(yrow.data(), y1.data() + m * N, N * sizeof(float)) == 0);
                    ops::quant_matmul(wg, one, yrow.view(), &pool);
                    CHECK(std::memcmp(yrow.data(), y1.data() + m * N, N * sizeof(float)) == 0);
                }
                // Against fp32 with the decoded weights: the error is the activation rounding,
                // at most Σ |w_i|·d_block/2 per output.
                std::vector<float> wd(K);
                for (std::size_t n = 0; n < N; ++n) {
                    w.dequantize_row(n, wd.data());
                    for (std::size_t m = 0; m < M; ++m) {
                        double exact = 0, bound = 0;
                        for (std::size_t i = 0; i < K; ++i) {
                            exact += double(wd[i]) * xf[m * K + i];
                            bound += std::fabs(double(wd[i])) * xa.row(m)[i / 128].d((i / 32) % 4) * (fine ? 1.0 / 256 : 0.5);
                        }
                        CHECK(std::fabs(y1(m, n) - exact) <= bound * 1.001 + 1e-6);
                    }
                }
                // accumulate into a strided output
                tensor<float> big(shape{M, 2 * N});
                for (std::size_t i = 0; i < big.numel(); ++i) big.data()[i] = 1.0f;
                tensor_view<float> ys(big.data(), shape{M, N}, shape{2 * N, 2});
                ops::quant_matmul(w, xa, ys, &pool, true);
                for (std::size_t m = 0; m < M; ++m)
                    for (std::size_t n = 0; n < N; ++n) {
                        CHECK(big(m, 2 * n) == 1.0f + y1(m, n));
                        CHECK(big(m, 2 * n + 1) == 1.0f);
                    }
            }
}

TEST_CASE("quant_matmul: types without an integer kernel take the float path") {
    const std::size_t N = 9, K = 64, M = 3;
    const auto wf = random_floats(N * K, 11);
    std::vector<std::byte> bytes(N * K * 2);
    for (std::size_t i = 0; i < N * K; ++i) {
        const f16 h = to_f16(wf[i]);
        std::memcpy(bytes.data() + 2 * i, &h, 2);
    }
    const auto w = ops::quant_matrix::view(ggml_type::f16, bytes, N, K, "f16 weight");
    const auto xf = random_floats(M * K, 12);
    ops::q8_activations xa;
    xa.quantize(tensor_view<const float>(xf.data(), shape{M, K}));
    tensor<float> y(shape{M, N});
    ops::quant_matmul(w, xa, y.view());
    for (std::size_t m = 0; m < M; ++m)
        for (std::size_t n = 0; n < N; ++n) {
            double exact = 0;
            for (std::size_t i = 0; i < K; ++i) exact += double(to_f32(to_f16(wf[n * K + i]))) * xf[m * K + i];
            CHECK(y(m, n) == doctest::Approx(exact).epsilon(1e-5));
        }
}

TEST_CASE("quant_matrix and quant_matmul reject shapes that do not fit") {
    std::vector<std::byte> bytes(20 * 4);
    CHECK_THROWS_AS(ops::quant_matrix::view(ggml_type::q4_1, bytes, 4, 48, "w"), tessera::error);
    CHECK_THROWS_AS(ops::quant_matrix::view(ggml_type::q4_1, bytes, 5, 32, "w"), tessera::error);
    const auto w = ops::quant_matrix::view(ggml_type::q4_1, bytes, 4, 32, "w");
    std::vector<float> xf(64, 0.5f);
    ops::q8_activations xa;
    CHECK_THROWS_AS(xa.quantize(tensor_view<const float>(xf.data(), shape{2, 31})), tessera::error);
    xa.quantize(tensor_view<const float>(xf.data(), shape{1, 64}));
    tensor<float> y(shape{1, 4});
    CHECK_THROWS_AS(ops::quant_matmul(w, xa, y.view()), tessera::error);
}
