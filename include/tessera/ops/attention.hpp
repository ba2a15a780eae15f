#pragma once
// Scaled dot-product attention, tile by tile with an online softmax.
//
//   out[i, h, :] = Σ_j softmax_j( (q[i,h,:]·k[j,g,:]) · scale + mask(i, j) ) · v[j, g, :]
//
//   q   [n_q,  n_heads,    d]     strided in the first two dims, unit stride along d
//   k   [n_kv, n_kv_heads, d]     (so a KV-cache slice or the Q/K/V column blocks of a
//   v   [n_kv, n_kv_heads, d_v]    fused QKV projection output are passed without copies)
//   out [n_q,  n_heads,    d_v]
//
// Grouped-query attention: query head h reads kv head g = h / (n_heads / n_kv_heads), the
// grouping of HF's repeat_kv and torch's repeat_interleave (MHA: n_kv_heads = n_heads;
// MQA: n_kv_heads = 1).
//
// Masks, all optional and combined: causal with a position offset (query i sits at absolute
// position q_pos0 + i and sees keys j <= q_pos0 + i, the rule for a KV cache holding the
// earlier tokens), a valid key count (keys j >= kv_valid are padding), a per-key byte mask
// (0 = padding, anything else = attend) and an additive float mask [n_q, n_kv] (any strides,
// -inf allowed). A row that sees no key at all gets output 0 (torch gives NaN there).
// Sliding window (with causal; Gemma's local layers, Mistral): query i also stops seeing keys
// j <= q_pos0 + i − window, so it attends to the `window` positions ending at its own
// (llama.cpp's LLAMA_SWA_TYPE_STANDARD: masked when q_pos − j >= window). The tiles wholly
// before a row's window are skipped; in its first tile the keys before the window are −inf.
//
// Online softmax (Milakov & Gimelshein 2018; FlashAttention). Keys come in tiles of
// `key_tile` columns. Per query row we keep a running max m, a running sum l and an
// unnormalised accumulator o[d_v]. After the tiles 1..t they satisfy
//     m_t = max of all scores s_j seen,  l_t = Σ_j e^(s_j − m_t),  o_t = Σ_j e^(s_j − m_t)·v_j.
// A new tile with scores s_j brings the new max m' = max(m_t, max_j s_j). Every old term
// e^(s − m_t) must become e^(s − m') = e^(s − m_t)·e^(m_t − m'), so with α = e^(m_t − m'):
//     l_{t+1} = α·l_t + Σ_{j in tile} e^(s_j − m'),
//     o_{t+1} = α·o_t + Σ_{j in tile} e^(s_j − m')·v_j.
// At the end o / l = Σ_j softmax_j·v_j exactly as the three-pass softmax would give it,
// and every exponent is <= 0 so nothing overflows. m starts at −inf, l and o at 0 (α = 0
// on the first visible tile); a tile whose scores are all −inf changes nothing and is
// skipped. Extra memory per task: the o rows of its query block, one score tile, one packed
// K/V tile: O((block + tile)·d), never O(n_q·n_kv).
//
// Scores for W keys at a time (W = floats per register) are W vector dot products along d
// folded by xsimd::haddp (no transposed copy of K, so a decoding step reads each key once);
// p·V is accumulated in registers along d_v. Accumulation is f32.
//
// Threads: tasks are (head, block of query_block rows); each output row is computed by one
// task in a fixed order that depends on the key tiling only (tiles start at multiples of
// key_tile), never on the thread count or on n_q: results are bitwise identical for any
// pool, and a row computed alone (incremental decoding) equals the same row of a full pass
// over the same keys.
//
// NaN policy: a NaN in q, k or v reaches the outputs of the rows that see it.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <utility>

#include "tessera/core/aligned.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/simd/arch.hpp"
#include "tessera/simd/compat.hpp"
#include "tessera/simd/loop.hpp"
#include "tessera/simd/math.hpp"

#include "tessera/simd/warnings_push.hpp"

namespace tessera::ops {

struct attention_options {
    float scale = 0.0f;                      // 0 means 1/√d
    bool causal = false;                     // key j visible to query i iff j <= q_pos0 + i
    std::size_t q_pos0 = 0;                  // absolute position of query 0 (causal only)
    std::size_t kv_valid = SIZE_MAX;         // keys at or beyond this index are padding
    std::span<const std::uint8_t> key_mask = {};  // [n_kv] or empty: 0 marks a padding key
    tensor_view<const float> additive_mask = {};  // [n_q, n_kv], or rank 0 (none): added to the scaled scores
    std::size_t window = 0;                  // causal only; 0 = none: key j visible iff q_pos0 + i − j < window
};

// Filled by attention() when passed: the scratch it allocated, so callers (and the test)
// can confirm the memory bound: O((query_block + key_tile)·d), whatever n_q and n_kv.
struct attention_stats {
    std::size_t tasks = 0;                   // (head, query block) tasks
    std::size_t scratch_bytes_per_task = 0;  // allocated once per task
    std::size_t peak_scratch_bytes = 0;      // per task × tasks that can run at once
};

inline constexpr std::size_t attention_key_tile = 64;     // keys per online-softmax step
inline constexpr std::size_t attention_query_block = 32;  // query rows per task

namespace detail {

inline void check_attention_shapes(const tensor_view<const float>& q, const tensor_view<const float>& k,
                                   const tensor_view<const float>& v, const tensor_view<float>& out,
                                   const attention_options& opt) {
    const auto shapes = [&] {
        return " (q " + q.dims().to_string() + ", k " + k.dims().to_string() + ", v " + v.dims().to_string() +
               ", out " + out.dims().to_string() + ")";
    };
    require(q.rank() == 3 && k.rank() == 3 && v.rank() == 3 && out.rank() == 3, error_kind::invalid_argument,
            [&] { return "attention: q, k, v and out must be rank 3" + shapes(); });
    require(q.extent(2) == k.extent(2) && k.extent(0) == v.extent(0) && k.extent(1) == v.extent(1) &&
                out.extent(0) == q.extent(0) && out.extent(1) == q.extent(1) && out.extent(2) == v.extent(2),
            error_kind::invalid_argument, [&] { return "attention: shapes do not agree" + shapes(); });
    const std::size_t h = q.extent(1), hk = k.extent(1);
    require(hk > 0 ? h % hk == 0 : h == 0, error_kind::invalid_argument, [&] {
        return "attention: n_heads " + std::to_string(h) + " is not a multiple of n_kv_heads " + std::to_string(hk) +
               shapes();
    });
    const auto unit = [](const auto& t) { return t.extent(2) <= 1 || t.stride(2) == 1; };
    require(unit(q) && unit(k) && unit(v) && unit(out), error_kind::invalid_argument,
            [&] { return "attention: the head dimension needs unit stride" + shapes(); });
    require(opt.key_mask.empty() || opt.key_mask.size() == k.extent(0), error_kind::invalid_argument, [&] {
        return "attention: key_mask has " + std::to_string(opt.key_mask.size()) + " entries for " +
               std::to_string(k.extent(0)) + " keys";
    });
    require(opt.additive_mask.rank() == 0 ||
                (opt.additive_mask.rank() == 2 && opt.additive_mask.extent(0) == q.extent(0) &&
                 opt.additive_mask.extent(1) == k.extent(0)),
            error_kind::invalid_argument, [&] {
                return "attention: additive_mask " + opt.additive_mask.dims().to_string() + " must be [n_q, n_kv] = [" +
                       std::to_string(q.extent(0)) + ", " + std::to_string(k.extent(0)) + "]";
            });
    require(!(opt.scale < 0.0f) && std::isfinite(opt.scale), error_kind::invalid_argument,
            "attention: scale must be finite and >= 0");
    require(opt.q_pos0 <= SIZE_MAX / 2, error_kind::out_of_range, "attention: q_pos0 is absurdly large");
    require(opt.window == 0 || opt.causal, error_kind::invalid_argument, "attention: a sliding window needs causal");
}

// Everything one task needs, resolved once per call.
struct attention_problem {
    const float* q;
    std::size_t q_s0, q_s1;
    const float* k;
    std::size_t k_s0, k_s1;
    const float* v;
    std::size_t v_s0, v_s1;
    float* out;
    std::size_t o_s0, o_s1;
    std::size_t n_q, n_kv, n_heads, group, d, dv;
    float scale;
    const attention_options* opt;
};

// xsimd::haddp(rows) sums each of W registers into one lane. Which lane receives which
// register is not the same in every xsimd release (8.1's AVX-512 version swaps lanes 2,3
// with 4,5 and 10,11 with 12,13), so the mapping is measured once: lane k holds the sum
// of rows[source[k]].
template <class Arch>
const std::array<std::size_t, xsimd::batch<float, Arch>::size>& haddp_lane_source() noexcept {
    using B = xsimd::batch<float, Arch>;
    static const auto source = [] {
        std::array<B, B::size> rows;
        for (std::size_t r = 0; r < B::size; ++r) rows[r] = B(float(r));
        alignas(64) float lanes[B::size];
        xsimd::haddp(rows.data()).store_aligned(lanes);
        std::array<std::size_t, B::size> src{};
        for (std::size_t k = 0; k < B::size; ++k) src[k] = std::size_t(lanes[k] / float(B::size));
        return src;
    }();
    return source;
}

// One key tile of one kv head: key c of the tile at k + c·k_s0, its value at v + c·v_s0
// (in the caller's tensors, or in the task's packed copy).
struct kv_tile {
    const float* k;
    std::size_t k_s0;
    const float* v;
    std::size_t v_s0;
};

// Scores of one query row against the first `count` keys of a tile (count <= key_tile),
// written to s[0, key_tile): lanes >= count are −inf. `zero` is a row of d zeros standing
// in for missing keys so the fold always runs W wide.
template <class Arch>
void score_tile(const attention_problem& p, const float* qrow, const kv_tile& t, std::size_t count, const float* zero,
                float* s) noexcept {
    using B = xsimd::batch<float, Arch>;
    constexpr std::size_t W = B::size;
    static_assert(attention_key_tile % W == 0, "a key tile holds whole registers");
    const std::size_t d = p.d;
    for (std::size_t c0 = 0; c0 < attention_key_tile; c0 += W) {
        if (c0 >= count) {
            B(-std::numeric_limits<float>::infinity()).store_aligned(s + c0);
            continue;
        }
        const auto& source = haddp_lane_source<Arch>();
        std::array<const float*, W> rows;  // rows[source[r]] is key c0 + r, so lane r gets its score
        for (std::size_t r = 0; r < W; ++r) rows[source[r]] = c0 + r < count ? t.k + (c0 + r) * t.k_s0 : zero;
        std::array<B, W> acc;
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            ((acc[I] = B(0.0f)), ...);
            std::size_t x = 0;
            for (; x + W <= d; x += W) {
                const B qv = B::load_unaligned(qrow + x);
                ((acc[I] = xsimd::fma(qv, B::load_unaligned(rows[I] + x), acc[I])), ...);
            }
            if (x < d) {
                const B qv = simd::detail::load_pad<Arch>(qrow + x, d - x, 0.0f);
                ((acc[I] = xsimd::fma(qv, simd::detail::load_pad<Arch>(rows[I] + x, d - x, 0.0f), acc[I])), ...);
            }
        }(std::make_index_sequence<W>{});
        const B dots = xsimd::haddp(acc.data());
        (dots * B(p.scale)).store_aligned(s + c0);
        for (std::size_t r = count > c0 ? count - c0 : 0; r < W; ++r) s[c0 + r] = -std::numeric_limits<float>::infinity();
    }
}

// o[0, NR·W) = α·o + Σ_{c < count} pr[c]·v[c], registers along dv, NR registers at a time.
template <class Arch, std::size_t NR>
inline void pv_block(const float* vbase, std::size_t v_s0, std::size_t count, const float* pr, float alpha,
                     float* o) noexcept {
    using B = xsimd::batch<float, Arch>;
    constexpr std::size_t W = B::size;
    std::array<B, NR> acc;
    const B va(alpha);
    for (std::size_t r = 0; r < NR; ++r) acc[r] = B::load_aligned(o + r * W) * va;
    for (std::size_t c = 0; c < count; ++c) {
        if (pr[c] == 0.0f) continue;  // masked or underflowed: exactly no contribution
        const B pc(pr[c]);
        const float* vrow = vbase + c * v_s0;
        for (std::size_t r = 0; r < NR; ++r) acc[r] = xsimd::fma(pc, B::load_unaligned(vrow + r * W), acc[r]);
    }
    for (std::size_t r = 0; r < NR; ++r) acc[r].store_aligned(o + r * W);
}

// o[0, dv) = α·o + Σ_{c < count} pr[c]·v[c] over the values of a tile.
template <class Arch>
void pv_tile(const attention_problem& p, const kv_tile& t, std::size_t count, const float* pr, float alpha,
             float* o) noexcept {
    using B = xsimd::batch<float, Arch>;
    constexpr std::size_t W = B::size;
    const float* vbase = t.v;
    const std::size_t full = p.dv / W;  // whole registers along dv
    std::size_t r = 0;
    for (; r + 4 <= full; r += 4) pv_block<Arch, 4>(vbase + r * W, t.v_s0, count, pr, alpha, o + r * W);
    switch (full - r) {
    case 3: pv_block<Arch, 3>(vbase + r * W, t.v_s0, count, pr, alpha, o + r * W); break;
    case 2: pv_block<Arch, 2>(vbase + r * W, t.v_s0, count, pr, alpha, o + r * W); break;
    case 1: pv_block<Arch, 1>(vbase + r * W, t.v_s0, count, pr, alpha, o + r * W); break;
    default: break;
    }
    const std::size_t x = full * W;
    if (x < p.dv) {  // the last partial register: padded loads, never reading past dv
        B acc = B::load_aligned(o + x) * B(alpha);
        for (std::size_t c = 0; c < count; ++c) {
            if (pr[c] == 0.0f) continue;
            acc = xsimd::fma(B(pr[c]), simd::detail::load_pad<Arch>(vbase + c * t.v_s0 + x, p.dv - x, 0.0f), acc);
        }
        acc.store_aligned(o + x);
    }
}

// Online-softmax state of one query row.
struct row_state {
    float m;             // running max
    float l;             // running sum
    std::size_t end;     // keys this row may see: [begin, end)
    std::size_t begin;   // 0 unless a sliding window hides older keys
};

// One key tile [j0, j0 + count) folded into one row's state (the recurrence in the header).
template <class Arch>
void row_step(const attention_problem& p, std::size_t i, std::size_t h, std::size_t j0, const kv_tile& t,
              row_state& st, float* o, float* s, const float* zero) noexcept {
    using B = xsimd::batch<float, Arch>;
    constexpr std::size_t W = B::size;
    constexpr float neg_inf = -std::numeric_limits<float>::infinity();
    const attention_options& opt = *p.opt;
    const std::size_t count = std::min(attention_key_tile, st.end - j0);
    score_tile<Arch>(p, p.q + i * p.q_s0 + h * p.q_s1, t, count, zero, s);
    for (std::size_t c = 0; j0 + c < st.begin && c < count; ++c) s[c] = neg_inf;  // before the window
    if (!opt.key_mask.empty())
        for (std::size_t c = 0; c < count; ++c)
            if (opt.key_mask[j0 + c] == 0) s[c] = neg_inf;
    if (opt.additive_mask.rank() != 0) {
        const float* am = opt.additive_mask.data() + i * opt.additive_mask.stride(0);
        const std::size_t as1 = opt.additive_mask.stride(1);
        for (std::size_t c = 0; c < count; ++c) s[c] += am[(j0 + c) * as1];
    }
    // Tile max, lanes first then across lanes, in a fixed order.
    B vmax = B::load_aligned(s);
    for (std::size_t c0 = W; c0 < attention_key_tile; c0 += W) vmax = xsimd::max(vmax, B::load_aligned(s + c0));
    alignas(64) float lanes[W];
    vmax.store_aligned(lanes);
    float tile_max = lanes[0];
    for (std::size_t r = 1; r < W; ++r) tile_max = std::max(tile_max, lanes[r]);
    const float m_new = std::max(st.m, tile_max);
    if (m_new == neg_inf) return;  // nothing visible yet: o and l stay 0
    const float alpha = std::exp(st.m - m_new);  // 0 on the first visible tile (m = −inf)
    const B vm(m_new);
    B sum(0.0f);
    for (std::size_t c0 = 0; c0 < attention_key_tile; c0 += W) {
        const B e = simd::exp_kernel<Arch>::eval(B::load_aligned(s + c0) - vm);
        e.store_aligned(s + c0);
        sum += e;
    }
    st.l = alpha * st.l + simd::reduce_sum(sum);
    pv_tile<Arch>(p, t, count, s, alpha, o);
    st.m = m_new;
}

// Query rows [i0, i1) of head h. Key tiles are the outer loop, so a tile of K and V is
// read from memory once and reused from cache by every row of the block; each row still
// sees its own tiles in order, so its result does not depend on the block it is in.
// With several rows the tile is first copied to kpack [key_tile, d] / vpack [key_tile, dv]:
// rows of one head lie n_kv_heads·d floats apart in the caller's tensors, a power-of-two
// stride that maps a tile's rows onto few cache sets. The copy changes no value.
// o: [i1 - i0][dv_pad] accumulators.
template <class Arch>
void attend_block(const attention_problem& p, std::size_t i0, std::size_t i1, std::size_t h, float* o, float* s,
                  const float* zero, float* kpack, float* vpack) noexcept {
    constexpr std::size_t W = xsimd::batch<float, Arch>::size;
    const attention_options& opt = *p.opt;
    const std::size_t dv_pad = (p.dv + W - 1) / W * W;
    std::array<row_state, attention_query_block> st;
    std::size_t max_end = 0, min_begin = SIZE_MAX;
    for (std::size_t i = i0; i < i1; ++i) {
        std::size_t end = std::min(p.n_kv, opt.kv_valid);
        if (opt.causal && opt.q_pos0 + i < end) end = opt.q_pos0 + i + 1;
        const std::size_t pos = opt.q_pos0 + i;
        const std::size_t begin = opt.window > 0 && pos + 1 > opt.window ? pos + 1 - opt.window : 0;
        st[i - i0] = {-std::numeric_limits<float>::infinity(), 0.0f, end, begin};
        max_end = std::max(max_end, end);
        min_begin = std::min(min_begin, begin);
    }
    std::fill_n(o, (i1 - i0) * dv_pad, 0.0f);
    const std::size_t g = h / p.group;
    const float* kh = p.k + g * p.k_s1;
    const float* vh = p.v + g * p.v_s1;
    const bool pack = i1 - i0 > 1;
    // Tiles start at multiples of key_tile whatever the window, so a row's arithmetic does
    // not depend on the block it is in.
    for (std::size_t j0 = min_begin / attention_key_tile * attention_key_tile; j0 < max_end; j0 += attention_key_tile) {
        kv_tile t{kh + j0 * p.k_s0, p.k_s0, vh + j0 * p.v_s0, p.v_s0};
        if (pack) {
            const std::size_t n = std::min(attention_key_tile, max_end - j0);
            for (std::size_t c = 0; c < n; ++c) {
                std::copy_n(t.k + c * p.k_s0, p.d, kpack + c * p.d);
                std::copy_n(t.v + c * p.v_s0, p.dv, vpack + c * p.dv);
            }
            t = {kpack, p.d, vpack, p.dv};
        }
        for (std::size_t i = i0; i < i1; ++i)
            if (j0 < st[i - i0].end && j0 + attention_key_tile > st[i - i0].begin)
                row_step<Arch>(p, i, h, j0, t, st[i - i0], o + (i - i0) * dv_pad, s, zero);
    }
    for (std::size_t i = i0; i < i1; ++i) {
        const float* oi = o + (i - i0) * dv_pad;
        const float l = st[i - i0].l;
        float* orow = p.out + i * p.o_s0 + h * p.o_s1;
        if (l == 0.0f) {
            std::fill_n(orow, p.dv, 0.0f);  // the row saw no key
        } else {
            for (std::size_t x = 0; x < p.dv; ++x) orow[x] = oi[x] / l;
        }
    }
}

}  // namespace detail

// Floats of scratch one attention task allocates: the o rows of its query block, the
// score tile, the zero row, the packed K/V tile. O((query_block + key_tile)·d); nothing
// grows with n_q or n_kv.
template <class Arch = xsimd::default_arch>
constexpr std::size_t attention_scratch_floats(std::size_t d, std::size_t dv) noexcept {
    constexpr std::size_t W = xsimd::batch<float, Arch>::size;
    return attention_query_block * ((dv + W - 1) / W * W) + attention_key_tile + (d + W - 1) / W * W +
           attention_key_tile * (d + dv);
}

// See the header comment. Throws invalid_argument when shapes, strides or masks do not
// agree (the message names the shapes); the computation itself does not throw (besides
// std::bad_alloc for its few kilobytes of scratch).
template <class Arch = xsimd::default_arch>
void attention(tensor_view<const float> q, tensor_view<const float> k, tensor_view<const float> v,
               tensor_view<float> out, const attention_options& opt = {}, thread_pool* pool = nullptr,
               attention_stats* stats = nullptr) {
    detail::check_attention_shapes(q, k, v, out, opt);
    const std::size_t n_q = q.extent(0), n_heads = q.extent(1), d = q.extent(2);
    const std::size_t n_kv = k.extent(0), n_kv_heads = k.extent(1), dv = v.extent(2);
    const std::size_t blocks = (n_q + attention_query_block - 1) / attention_query_block;
    const std::size_t tasks = n_heads * blocks;
    const std::size_t scratch = attention_scratch_floats<Arch>(d, dv);
    if (stats) {
        stats->tasks = tasks;
        stats->scratch_bytes_per_task = tasks ? scratch * sizeof(float) : 0;
        stats->peak_scratch_bytes = stats->scratch_bytes_per_task * std::min(tasks, pool ? pool->size() : 1);
    }
    if (tasks == 0 || dv == 0) return;
    const detail::attention_problem p{
        q.data(), q.stride(0), q.stride(1), k.data(), k.stride(0), k.stride(1), v.data(), v.stride(0), v.stride(1),
        out.data(), out.stride(0), out.stride(1), n_q, n_kv, n_heads, n_kv_heads ? n_heads / n_kv_heads : 1, d, dv,
        opt.scale > 0.0f ? opt.scale : 1.0f / std::sqrt(float(std::max<std::size_t>(d, 1))), &opt};
    constexpr std::size_t W = xsimd::batch<float, Arch>::size;
    parallel_for(pool, tasks, [&](std::size_t t) {
        const std::size_t h = t % n_heads, b = t / n_heads;
        auto buf = aligned_alloc_array<float>(scratch);
        float* o = buf.get();
        float* s = o + attention_query_block * ((dv + W - 1) / W * W);
        float* zero = s + attention_key_tile;
        std::fill_n(zero, (d + W - 1) / W * W, 0.0f);
        float* kpack = zero + (d + W - 1) / W * W;
        float* vpack = kpack + attention_key_tile * d;
        const std::size_t i0 = b * attention_query_block, i1 = std::min(n_q, i0 + attention_query_block);
        detail::attend_block<Arch>(p, i0, i1, h, o, s, zero, kpack, vpack);
    });
}

}  // namespace tessera::ops

#include "tessera/simd/warnings_pop.hpp"
