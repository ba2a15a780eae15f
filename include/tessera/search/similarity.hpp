#pragma once
// Similarity between f32 vectors: the metrics, the score convention, the ranking order,
// and the per-row scoring kernel every search path shares.
//
// Score convention: higher is better for every metric, so one ranking serves all.
//   dot     q·x
//   cosine  q·x / (‖q‖·‖x‖), and 0 when ‖q‖ or ‖x‖ is 0 (sentence-transformers' choice:
//           it normalises with a tiny epsilon, which also gives 0)
//   l2      −‖q − x‖²  (negated squared Euclidean distance)
//
// Ranking: a total order, so exact top-k has exactly one answer whatever the thread count
// or batch split: higher score first; equal scores by smaller row id; rows whose score is
// NaN (a corpus row holding NaN) rank after all others.
//
// Per-row determinism: `score_rows<Arch, M, R>` scores R rows at once (for memory-level
// parallelism), but every row goes through the same operation sequence whatever R is and
// wherever the row lies in memory, so a row's score has the same bits on every path.
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/simd/arch.hpp"
#include "tessera/simd/compat.hpp"
#include "tessera/simd/loop.hpp"

#include "tessera/simd/warnings_push.hpp"

namespace tessera::search {

enum class metric { cosine, dot, l2 };

constexpr const char* to_string(metric m) noexcept {
    switch (m) {
    case metric::cosine: return "cosine";
    case metric::dot: return "dot";
    case metric::l2: return "l2";
    }
    return "unknown";
}

// One search result: the row (corpus_id) and its score under the metric.
struct hit {
    std::size_t corpus_id = 0;
    float score = 0.0f;
    friend bool operator==(const hit&, const hit&) = default;
};

// True when (sa, ia) ranks before (sb, ib) in the total order described above.
inline bool ranks_before(float sa, std::size_t ia, float sb, std::size_t ib) noexcept {
    const bool na = std::isnan(sa), nb = std::isnan(sb);
    if (na || nb) return na && nb ? ia < ib : nb;
    return sa > sb || (sa == sb && ia < ib);
}
inline bool ranks_before(const hit& a, const hit& b) noexcept {
    return ranks_before(a.score, a.corpus_id, b.score, b.corpus_id);
}

// Throws invalid_argument unless `q` has `dim` finite entries. The NaN policy of queries:
// a NaN or infinite query is the caller's error, never a silent ranking.
inline void check_query(std::span<const float> q, std::size_t dim, const char* who) {
    require(q.size() == dim, error_kind::invalid_argument, [&] {
        return std::string(who) + ": query has " + std::to_string(q.size()) + " values, the corpus has dimension " +
               std::to_string(dim);
    });
    for (std::size_t i = 0; i < q.size(); ++i)
        require(std::isfinite(q[i]), error_kind::invalid_argument, [&] {
            return std::string(who) + ": query value " + std::to_string(i) + " is not finite";
        });
}

// Corpus matrices are [n, d] with unit stride along d (rows may be padded).
inline void check_corpus(const tensor_view<const float>& corpus, const char* who) {
    require(corpus.rank() == 2, error_kind::invalid_argument,
            [&] { return std::string(who) + ": corpus must be [n, d], got " + corpus.dims().to_string(); });
    require(corpus.extent(1) <= 1 || corpus.stride(1) == 1, error_kind::invalid_argument,
            [&] { return std::string(who) + ": corpus rows need unit stride"; });
}

namespace detail {

// Per-metric accumulation of one register of q and x into the row's accumulators a
// (the dot product, or the squared distance for l2) and b (‖x‖², cosine only).
template <metric M, class B>
inline void accumulate(const B& q, const B& x, B& a, B& b) noexcept {
    if constexpr (M == metric::l2) {
        const B diff = x - q;
        a = xsimd::fma(diff, diff, a);
    } else {
        a = xsimd::fma(q, x, a);
        if constexpr (M == metric::cosine) b = xsimd::fma(x, x, b);
    }
}

// Final score from the row's sums; `q_norm` is ‖q‖ (cosine only).
template <metric M>
inline float finish(float a, float b, float q_norm) noexcept {
    if constexpr (M == metric::l2) return -a;
    else if constexpr (M == metric::cosine) return q_norm == 0.0f || b == 0.0f ? 0.0f : a / (q_norm * std::sqrt(b));
    else return a;
}

}  // namespace detail

// out[r] = score of rows[r] (each `d` floats) against q, for r < R. Each row keeps two
// accumulators that take alternate registers, plus a zero-padded tail register, summed
// as (a0 + a1) + tail and then across lanes: an order fixed by d alone.
template <class Arch, metric M, std::size_t R>
inline void score_rows(const float* q, const float* const* rows, std::size_t d, float q_norm, float* out) noexcept {
    if constexpr (!simd::is_vector_arch<Arch>) {
        for (std::size_t r = 0; r < R; ++r) {
            float a = 0.0f, b = 0.0f;
            for (std::size_t i = 0; i < d; ++i) {
                const float x = rows[r][i];
                if constexpr (M == metric::l2) a = std::fma(x - q[i], x - q[i], a);
                else {
                    a = std::fma(q[i], x, a);
                    if constexpr (M == metric::cosine) b = std::fma(x, x, b);
                }
            }
            out[r] = detail::finish<M>(a, b, q_norm);
        }
    } else {
        using B = xsimd::batch<float, Arch>;
        constexpr std::size_t W = B::size;
        B a0[R], a1[R], b0[R], b1[R];
#pragma GCC unroll 8
        for (std::size_t r = 0; r < R; ++r) a0[r] = a1[r] = b0[r] = b1[r] = B(0.0f);
        std::size_t i = 0;
        for (; i + 2 * W <= d; i += 2 * W) {
            const B q0 = B::load_unaligned(q + i), q1 = B::load_unaligned(q + i + W);
#pragma GCC unroll 8
            for (std::size_t r = 0; r < R; ++r) {
                detail::accumulate<M>(q0, B::load_unaligned(rows[r] + i), a0[r], b0[r]);
                detail::accumulate<M>(q1, B::load_unaligned(rows[r] + i + W), a1[r], b1[r]);
            }
        }
        B at[R], bt[R];
#pragma GCC unroll 8
        for (std::size_t r = 0; r < R; ++r) at[r] = bt[r] = B(0.0f);
        for (; i < d; i += W) {  // at most two registers, the last one zero-padded
            const std::size_t c = std::min(W, d - i);
            const B qv = simd::detail::load_pad<Arch>(q + i, c, 0.0f);
#pragma GCC unroll 8
            for (std::size_t r = 0; r < R; ++r)
                detail::accumulate<M>(qv, simd::detail::load_pad<Arch>(rows[r] + i, c, 0.0f), at[r], bt[r]);
        }
#pragma GCC unroll 8
        for (std::size_t r = 0; r < R; ++r) {
            const float a = simd::reduce_sum((a0[r] + a1[r]) + at[r]);
            const float b = M == metric::cosine ? simd::reduce_sum((b0[r] + b1[r]) + bt[r]) : 0.0f;
            out[r] = detail::finish<M>(a, b, q_norm);
        }
    }
}

// ‖x‖ with the same kernel order as the scores (so a query's norm has fixed bits).
template <class Arch = simd::default_arch>
inline float norm(const float* x, std::size_t d) noexcept {
    const float* rows[1] = {x};
    float sq;
    score_rows<Arch, metric::dot, 1>(x, rows, d, 0.0f, &sq);
    return std::sqrt(sq);
}

// Score of one row x against q under metric m (q_norm = ‖q‖ for cosine).
template <class Arch = simd::default_arch>
inline float score(metric m, const float* q, const float* x, std::size_t d, float q_norm) noexcept {
    const float* rows[1] = {x};
    float s = 0.0f;
    switch (m) {
    case metric::cosine: score_rows<Arch, metric::cosine, 1>(q, rows, d, q_norm, &s); break;
    case metric::dot: score_rows<Arch, metric::dot, 1>(q, rows, d, q_norm, &s); break;
    case metric::l2: score_rows<Arch, metric::l2, 1>(q, rows, d, q_norm, &s); break;
    }
    return s;
}

// Convenience scores of two vectors of equal length.
template <class Arch = simd::default_arch>
inline float cosine_similarity(std::span<const float> a, std::span<const float> b) {
    require(a.size() == b.size(), error_kind::invalid_argument, "cosine_similarity: lengths differ");
    return score<Arch>(metric::cosine, a.data(), b.data(), a.size(), norm<Arch>(a.data(), a.size()));
}
template <class Arch = simd::default_arch>
inline float dot_product(std::span<const float> a, std::span<const float> b) {
    require(a.size() == b.size(), error_kind::invalid_argument, "dot_product: lengths differ");
    return score<Arch>(metric::dot, a.data(), b.data(), a.size(), 0.0f);
}
template <class Arch = simd::default_arch>
inline float l2_squared(std::span<const float> a, std::span<const float> b) {
    require(a.size() == b.size(), error_kind::invalid_argument, "l2_squared: lengths differ");
    return -score<Arch>(metric::l2, a.data(), b.data(), a.size(), 0.0f);
}

// Scales x to unit length in place; a zero vector stays zero (cosine gives it score 0).
template <class Arch = simd::default_arch>
inline void normalize(std::span<float> x) noexcept {
    const float n = norm<Arch>(x.data(), x.size());
    if (n == 0.0f || !std::isfinite(n)) return;
    const float inv = 1.0f / n;
    for (float& v : x) v *= inv;
}

// Normalises every row of a [n, d] matrix (unit inner stride).
template <class Arch = simd::default_arch>
inline void normalize_rows(tensor_view<float> m) {
    require(m.rank() == 2 && (m.extent(1) <= 1 || m.stride(1) == 1), error_kind::invalid_argument,
            "normalize_rows: expects [n, d] with unit row stride");
    for (std::size_t i = 0; i < m.extent(0); ++i) normalize<Arch>(std::span<float>(m.data() + i * m.stride(0), m.extent(1)));
}

}  // namespace tessera::search

#include "tessera/simd/warnings_pop.hpp"
