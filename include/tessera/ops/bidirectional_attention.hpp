#pragma once
// Non-causal scaled dot-product attention for encoders (BERT and the like): every query
// row sees every key, so a row's scores are computed whole, as two small matrix products
// with register tiles, instead of key tile by key tile with an online softmax.
//
//   out[i, h, :] = Σ_j softmax_j( (q[i,h,:]·k[j,g,:]) · scale + mask(i, j) ) · v[j, g, :]
//
// Same tensors, strides, grouping (g = h / (n_heads / n_kv_heads)) and options as
// attention() in ops/attention.hpp, less the causal ones: `causal` and `window` are
// rejected (use attention()); kv_valid, key_mask and additive_mask apply. A row that sees
// no key gets output 0.
//
// Why a second kernel: attention() computes each score as a dot product along d folded by
// haddp, so that a decoding step reads each cached key once and a row computed alone equals
// the same row of a full pass. An encoder has all its queries at once: with Kᵀ packed
// [d, keys] a score tile is R = 6 query rows × 4 registers of keys, 24 FMAs per step of d
// and no horizontal sums; p·V is R rows × 2 registers of d_v per key. On all-MiniLM-L6-v2's
// shape (seq 128, d 32, one thread) that is 135 GFLOP/s against attention()'s 52
// (bench: attention/tessera_bidirectional/...). The two kernels round differently
// (different summation orders), each within f32's error of the exact result; each is
// deterministic.
//
// Per row: scores s[j] (f32 FMA chain along d, in order, then ·scale + key bias, the bias
// being 0 or −inf), the additive mask if any; m = max; e[j] = exp(s[j] − m) (hidden keys
// give 0); l = Σ e (in register lanes, then across lanes in a fixed order); out = (Σ_j
// e[j]·v[j]) · (1/l) with the sum in key order. Nothing depends on the other rows of the
// tile, the block or the thread count: results are bitwise identical for any pool.
//
// Scratch per task: Kᵀ [d, n_pad + W] and V [n_kv, dv_pad] of its head, R rows of scores
// [R, n_pad]: O(n_kv·(d + dv)), the size of one head's keys and values (n_pad = n_kv
// rounded up to 4 registers). V is read in place when every key is seen and dv is whole
// registers; otherwise it is packed with hidden keys' rows as zeros, so a NaN in a padding
// position's value cannot reach the output through 0·NaN.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>

#include "tessera/core/aligned.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/ops/attention.hpp"
#include "tessera/ops/gemm_kernels.hpp"
#include "tessera/simd/math.hpp"

#include "tessera/simd/warnings_push.hpp"

namespace tessera::ops {

inline constexpr std::size_t bidirectional_query_block = 64;  // query rows per task when heads are few
inline constexpr std::size_t bidirectional_max_rows = 6;      // query rows per register tile

namespace detail {

template <class Arch>
struct bidirectional_layout {
    static constexpr std::size_t W = xsimd::batch<float, Arch>::size;
    std::size_t n_pad, kt_stride, dv_pad;
    // kt's rows are n_pad + one register apart: a power-of-two stride (n_kv = 512) would put
    // the rows a score strip reads into a couple of L1 sets.
    bidirectional_layout(std::size_t n_kv, std::size_t dv)
        : n_pad((n_kv + 4 * W - 1) / (4 * W) * (4 * W)), kt_stride(n_pad + W), dv_pad((dv + W - 1) / W * W) {}
    // kt [d, kt_stride], key bias [n_pad], vp [n_kv, dv_pad], scores [R, n_pad], p·V sums
    // [R, dv_pad]: each a whole number of registers, so every part starts aligned.
    std::size_t floats(std::size_t d, std::size_t n_kv) const noexcept {
        return d * kt_stride + n_pad + n_kv * dv_pad + bidirectional_max_rows * (n_pad + dv_pad);
    }
};

// Scores of R query rows against all keys: s[r][j] = (q_r · k_j) · scale + kbias[j] for
// j < n_pad, from kt [d, n_pad] (Kᵀ, zero past n_kv; kbias is 0 for a visible key, −inf
// otherwise), and each row's max. A 4-register strip of keys is one register tile: R·4
// accumulators, one FMA chain along d per score.
template <class Arch, std::size_t R>
inline void bidirectional_scores(const float* const* qrows, std::size_t d, const float* kt, std::size_t kt_stride,
                                 const float* kbias, std::size_t n_pad, float scale, float* s, float* row_max) noexcept {
    using B = xsimd::batch<float, Arch>;
    constexpr std::size_t W = B::size;
    std::array<B, R> vmax;
    vmax.fill(B(-std::numeric_limits<float>::infinity()));
    const B sc(scale);
    for (std::size_t j = 0; j < n_pad; j += 4 * W) {
        std::array<std::array<B, 4>, R> acc;
        for (auto& row : acc) row.fill(B(0.0f));
        const float* col = kt + j;
        for (std::size_t x = 0; x < d; ++x, col += kt_stride) {
            const B k0 = B::load_aligned(col), k1 = B::load_aligned(col + W), k2 = B::load_aligned(col + 2 * W),
                    k3 = B::load_aligned(col + 3 * W);
            for (std::size_t r = 0; r < R; ++r) {
                const B qv(qrows[r][x]);
                acc[r][0] = xsimd::fma(qv, k0, acc[r][0]);
                acc[r][1] = xsimd::fma(qv, k1, acc[r][1]);
                acc[r][2] = xsimd::fma(qv, k2, acc[r][2]);
                acc[r][3] = xsimd::fma(qv, k3, acc[r][3]);
            }
        }
        for (std::size_t v = 0; v < 4; ++v) {
            const B kb = B::load_aligned(kbias + j + v * W);
            for (std::size_t r = 0; r < R; ++r) {
                const B sv = xsimd::fma(acc[r][v], sc, kb);
                sv.store_aligned(s + r * n_pad + j + v * W);
                vmax[r] = xsimd::max(vmax[r], sv);
            }
        }
    }
    for (std::size_t r = 0; r < R; ++r) {
        alignas(64) float lanes[W];
        vmax[r].store_aligned(lanes);
        float m = lanes[0];
        for (std::size_t k = 1; k < W; ++k) m = std::max(m, lanes[k]);
        row_max[r] = m;
    }
}

// o_r[0, NR·W) += Σ_{c < n} e_r[c]·v[c] for R rows, NR registers along dv, keys in order.
template <class Arch, std::size_t R, std::size_t NR>
inline void bidirectional_pv(const float* e, std::size_t n_pad, const float* vp, std::size_t v_stride, std::size_t n,
                             float* o, std::size_t o_stride) noexcept {
    using B = xsimd::batch<float, Arch>;
    constexpr std::size_t W = B::size;
    std::array<std::array<B, NR>, R> acc;
    for (auto& row : acc) row.fill(B(0.0f));
    for (std::size_t c = 0; c < n; ++c) {
        std::array<B, NR> vr;
        for (std::size_t v = 0; v < NR; ++v) vr[v] = B::load_unaligned(vp + c * v_stride + v * W);
        for (std::size_t r = 0; r < R; ++r) {
            const B p(e[r * n_pad + c]);
            for (std::size_t v = 0; v < NR; ++v) acc[r][v] = xsimd::fma(p, vr[v], acc[r][v]);
        }
    }
    for (std::size_t r = 0; r < R; ++r)
        for (std::size_t v = 0; v < NR; ++v) acc[r][v].store_aligned(o + r * o_stride + v * W);
}

// Query rows [i0, i0 + R) of head h (kt, kbias, vp: its packed keys, key bias and values).
template <class Arch, std::size_t R>
void bidirectional_rows(const attention_problem& p, std::size_t i0, std::size_t h, const bidirectional_layout<Arch>& L,
                        const float* kt, const float* kbias, const float* vp, std::size_t v_stride, float* s,
                        float* o) noexcept {
    using B = xsimd::batch<float, Arch>;
    constexpr std::size_t W = B::size;
    constexpr float neg_inf = -std::numeric_limits<float>::infinity();
    const attention_options& opt = *p.opt;
    const std::size_t n = p.n_kv;
    std::array<const float*, R> qrows;
    for (std::size_t r = 0; r < R; ++r) qrows[r] = p.q + (i0 + r) * p.q_s0 + h * p.q_s1;
    std::array<float, R> m;
    bidirectional_scores<Arch, R>(qrows.data(), p.d, kt, L.kt_stride, kbias, L.n_pad, p.scale, s, m.data());
    std::array<float, R> inv_l{};
    for (std::size_t r = 0; r < R; ++r) {
        float* sr = s + r * L.n_pad;
        if (opt.additive_mask.rank() != 0) {
            const float* am = opt.additive_mask.data() + (i0 + r) * opt.additive_mask.stride(0);
            const std::size_t as1 = opt.additive_mask.stride(1);
            m[r] = neg_inf;
            for (std::size_t j = 0; j < n; ++j) m[r] = std::max(m[r], sr[j] += am[j * as1]);
        }
        if (m[r] == neg_inf) {  // the row sees no key: e = 0 everywhere, output 0
            std::fill(sr, sr + L.n_pad, 0.0f);
            continue;
        }
        const B vm(m[r]);
        B sum(0.0f);
        for (std::size_t j = 0; j < L.n_pad; j += W) {
            const B e = simd::exp_kernel<Arch>::eval(B::load_aligned(sr + j) - vm);
            e.store_aligned(sr + j);
            sum += e;
        }
        inv_l[r] = 1.0f / simd::reduce_sum(sum);
    }
    // p·V along dv in strips of up to 4 registers, into o [R, dv_pad].
    constexpr std::size_t NR = R <= 4 ? 4 : 2;  // R·NR accumulators
    std::size_t x = 0;
    for (; x + NR * W <= L.dv_pad; x += NR * W) bidirectional_pv<Arch, R, NR>(s, L.n_pad, vp + x, v_stride, n, o + x, L.dv_pad);
    switch ((L.dv_pad - x) / W) {
    case 3: bidirectional_pv<Arch, R, 3>(s, L.n_pad, vp + x, v_stride, n, o + x, L.dv_pad); break;
    case 2: bidirectional_pv<Arch, R, 2>(s, L.n_pad, vp + x, v_stride, n, o + x, L.dv_pad); break;
    case 1: bidirectional_pv<Arch, R, 1>(s, L.n_pad, vp + x, v_stride, n, o + x, L.dv_pad); break;
    default: break;
    }
    for (std::size_t r = 0; r < R; ++r) {
        float* orow = p.out + (i0 + r) * p.o_s0 + h * p.o_s1;
        const float* src = o + r * L.dv_pad;
        for (std::size_t c = 0; c < p.dv; ++c) orow[c] = src[c] * inv_l[r];  // inv_l = 0: no visible key
    }
}

// The rows [i0, i1) of head h, R at a time; the last few through smaller tiles.
template <class Arch>
void bidirectional_block(const attention_problem& p, std::size_t i0, std::size_t i1, std::size_t h,
                         const bidirectional_layout<Arch>& L, const float* kt, const float* kbias, const float* vp,
                         std::size_t v_stride, float* s, float* o) noexcept {
    constexpr std::size_t R = bidirectional_max_rows;
    std::size_t i = i0;
    for (; i + R <= i1; i += R) bidirectional_rows<Arch, R>(p, i, h, L, kt, kbias, vp, v_stride, s, o);
    switch (i1 - i) {
    case 5: bidirectional_rows<Arch, 5>(p, i, h, L, kt, kbias, vp, v_stride, s, o); break;
    case 4: bidirectional_rows<Arch, 4>(p, i, h, L, kt, kbias, vp, v_stride, s, o); break;
    case 3: bidirectional_rows<Arch, 3>(p, i, h, L, kt, kbias, vp, v_stride, s, o); break;
    case 2: bidirectional_rows<Arch, 2>(p, i, h, L, kt, kbias, vp, v_stride, s, o); break;
    case 1: bidirectional_rows<Arch, 1>(p, i, h, L, kt, kbias, vp, v_stride, s, o); break;
    default: break;
    }
}

// Packs head h's keys transposed (kt [d, kt_stride], zero past n_kv) and the key bias (0
// for a key the queries see, −inf for one they do not and past n_kv). The values are read
// in place (returns them and their row stride) when every key is seen and dv is whole
// registers; else they are packed into vp [n_kv, dv_pad] with zero rows for hidden keys
// and zero columns past dv.
template <class Arch>
std::pair<const float*, std::size_t> bidirectional_pack(const attention_problem& p, std::size_t h,
                                                        const bidirectional_layout<Arch>& L, float* kt, float* kbias,
                                                        float* vp) noexcept {
    constexpr std::size_t W = bidirectional_layout<Arch>::W;
    constexpr float neg_inf = -std::numeric_limits<float>::infinity();
    const attention_options& opt = *p.opt;
    const std::size_t g = h / p.group, n = p.n_kv;
    const float* kh = p.k + g * p.k_s1;
    const float* vh = p.v + g * p.v_s1;
    bool all_seen = true;
    for (std::size_t j = 0; j < n; ++j) {
        const bool seen = j < opt.kv_valid && (opt.key_mask.empty() || opt.key_mask[j] != 0);
        kbias[j] = seen ? 0.0f : neg_inf;
        all_seen = all_seen && seen;
    }
    std::fill(kbias + n, kbias + L.n_pad, neg_inf);
    for (std::size_t x = 0; x < p.d; ++x) std::fill(kt + x * L.kt_stride + n, kt + (x + 1) * L.kt_stride, 0.0f);
    std::size_t x0 = 0;
#if defined(__AVX512F__)
    // 16 keys × 16 of d at a time through registers (zero rows past n_kv).
    for (; x0 + 16 <= p.d; x0 += 16)
        for (std::size_t j0 = 0; j0 < n; j0 += 16) {
            const float* rows[16];
            const std::size_t count = std::min<std::size_t>(16, n - j0);
            for (std::size_t c = 0; c < count; ++c) rows[c] = kh + (j0 + c) * p.k_s0 + x0;
            transpose_block16(rows, count, kt + x0 * L.kt_stride + j0, L.kt_stride, 16);
        }
#endif
    for (std::size_t j = 0; j < n; ++j) {
        const float* kj = kh + j * p.k_s0;
        for (std::size_t x = x0; x < p.d; ++x) kt[x * L.kt_stride + j] = kj[x];
    }
    if (all_seen && p.dv % W == 0) return {vh, p.v_s0};
    for (std::size_t j = 0; j < n; ++j) {
        float* vr = vp + j * L.dv_pad;
        if (kbias[j] == 0.0f) std::copy_n(vh + j * p.v_s0, p.dv, vr);
        else std::fill_n(vr, p.dv, 0.0f);
        std::fill(vr + p.dv, vr + L.dv_pad, 0.0f);
    }
    return {vp, L.dv_pad};
}

}  // namespace detail

// See the header comment. Throws invalid_argument for inconsistent shapes or masks, or for
// causal / window options.
template <class Arch = xsimd::default_arch>
void bidirectional_attention(tensor_view<const float> q, tensor_view<const float> k, tensor_view<const float> v,
                             tensor_view<float> out, const attention_options& opt = {}, thread_pool* pool = nullptr) {
    detail::check_attention_shapes(q, k, v, out, opt);
    require(!opt.causal && opt.window == 0, error_kind::invalid_argument,
            "bidirectional_attention: causal attention and sliding windows go through attention()");
    const std::size_t n_q = q.extent(0), n_heads = q.extent(1), d = q.extent(2);
    const std::size_t n_kv = k.extent(0), n_kv_heads = k.extent(1), dv = v.extent(2);
    // Query rows per task: all of them when the heads alone keep the pool busy (each head's
    // keys and values are then packed once), else blocks of bidirectional_query_block. Rows
    // do not depend on each other, so this changes no result.
    const std::size_t workers = pool ? pool->size() : 1;
    const std::size_t block = n_heads >= 2 * workers ? std::max<std::size_t>(n_q, 1) : bidirectional_query_block;
    const std::size_t blocks = (n_q + block - 1) / block;
    const std::size_t tasks = n_heads * blocks;
    if (tasks == 0 || dv == 0) return;
    const detail::attention_problem p{
        q.data(), q.stride(0), q.stride(1), k.data(), k.stride(0), k.stride(1), v.data(), v.stride(0), v.stride(1),
        out.data(), out.stride(0), out.stride(1), n_q, n_kv, n_heads, n_kv_heads ? n_heads / n_kv_heads : 1, d, dv,
        opt.scale > 0.0f ? opt.scale : 1.0f / std::sqrt(float(std::max<std::size_t>(d, 1))), &opt};
    const detail::bidirectional_layout<Arch> L(n_kv, dv);
    parallel_for(pool, tasks, [&](std::size_t t) {
        const std::size_t h = t % n_heads, b = t / n_heads;
        auto buf = aligned_alloc_array<float>(L.floats(d, n_kv));
        float* kt = buf.get();
        float* kbias = kt + d * L.kt_stride;
        float* vp = kbias + L.n_pad;
        float* s = vp + n_kv * L.dv_pad;
        float* o = s + bidirectional_max_rows * L.n_pad;
        const auto [values, v_stride] = detail::bidirectional_pack<Arch>(p, h, L, kt, kbias, vp);
        const std::size_t i0 = b * block, i1 = std::min(n_q, i0 + block);
        detail::bidirectional_block<Arch>(p, i0, i1, h, L, kt, kbias, values, v_stride, s, o);
    });
}

}  // namespace tessera::ops

#include "tessera/simd/warnings_pop.hpp"
