#pragma once
// Exact top-k over a corpus matrix [n, d] (f32, unit inner stride), with an optional row
// mask (filters applied during the scan).
//
// One query: a fused pass that scores every row with search::score_rows (SIMD along d,
// one row after another) and keeps the best k in a bounded heap, so the matrix is read
// once at memory speed. Threads take contiguous row ranges; each keeps its own heap and
// the heaps are merged.
//
// Query batches (q ≥ gemm_min_queries): the corpus is cut into blocks of `block_rows`
// rows and ops::matmul computes S = Q · X_blockᵀ [q, block] at GEMM speed. GEMM dot
// products are summed in another order than score_rows, so their last bits may differ.
// To keep batched results bitwise equal to one-query results, the GEMM scores only
// *select candidates*: with the rounding bound |fl(q·x) − q·x| ≤ γ_d·‖q‖·‖x‖
// (γ_d = d·u/(1 − d·u), u = 2⁻²⁴) each row gets an interval [approx − m, approx + m]
// that holds its exact score; a row whose upper end is below the k-th largest lower end
// cannot be in the top k. The few survivors are rescored with score_rows and ranked.
//
// Results follow the total order of similarity.hpp (score desc, then id asc, NaN last),
// so they are identical for any thread count, batch size or path. Edge cases: k = 0 or
// an empty corpus → empty lists; k > matching rows → all matching rows, sorted; a NaN or
// infinite query → invalid_argument; a zero query under cosine → every score 0 (ids
// ascending).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/ops/gemm.hpp"
#include "tessera/search/similarity.hpp"

#include "tessera/simd/warnings_push.hpp"

namespace tessera::search {

// Rows allowed in a search: bit i set ⇔ row i may be returned.
class row_mask {
public:
    row_mask() = default;
    explicit row_mask(std::size_t n, bool value = false) : n_(n), words_((n + 63) / 64, value ? ~0ull : 0ull) {
        if (value && n % 64) words_.back() = (1ull << (n % 64)) - 1;
    }
    std::size_t size() const noexcept { return n_; }
    bool test(std::size_t i) const noexcept { return i < n_ && (words_[i / 64] >> (i % 64) & 1u); }
    void set(std::size_t i, bool v = true) noexcept {
        if (i >= n_) return;
        if (v) words_[i / 64] |= 1ull << (i % 64);
        else words_[i / 64] &= ~(1ull << (i % 64));
    }
    std::size_t count() const noexcept {
        std::size_t c = 0;
        for (std::uint64_t w : words_) c += static_cast<std::size_t>(__builtin_popcountll(w));
        return c;
    }
    std::span<const std::uint64_t> words() const noexcept { return words_; }

private:
    std::size_t n_ = 0;
    std::vector<std::uint64_t> words_;
};

struct exact_options {
    metric kind = metric::cosine;
    thread_pool* pool = nullptr;
    const row_mask* mask = nullptr;      // null: every row; else mask->size() must equal n
    std::size_t gemm_min_queries = 8;    // batches at least this large use the GEMM path
    std::size_t block_rows = 512;        // corpus rows per GEMM block
};

// The best k of the hits pushed so far, worst on top of a binary heap.
class topk_heap {
public:
    explicit topk_heap(std::size_t k = 0) : k_(k) { items_.reserve(std::min<std::size_t>(k, 1 << 16)); }
    std::size_t capacity() const noexcept { return k_; }
    std::size_t size() const noexcept { return items_.size(); }
    bool full() const noexcept { return items_.size() >= k_; }
    // Scores below this cannot enter (a fast pre-check; ties and NaN go to push()).
    float threshold() const noexcept {
        if (!full() || k_ == 0) return k_ == 0 ? std::numeric_limits<float>::infinity() : -std::numeric_limits<float>::infinity();
        const float w = items_.front().score;
        return std::isnan(w) ? -std::numeric_limits<float>::infinity() : w;
    }
    const hit& worst() const noexcept { return items_.front(); }
    void push(float score, std::size_t id) {
        if (k_ == 0) return;
        if (!full()) {
            items_.push_back({id, score});
            std::push_heap(items_.begin(), items_.end(), ranks_before_cmp);
        } else if (ranks_before(score, id, items_.front().score, items_.front().corpus_id)) {
            std::pop_heap(items_.begin(), items_.end(), ranks_before_cmp);
            items_.back() = {id, score};
            std::push_heap(items_.begin(), items_.end(), ranks_before_cmp);
        }
    }
    void merge(const topk_heap& o) {
        for (const hit& h : o.items_) push(h.score, h.corpus_id);
    }
    // The hits, best first.
    std::vector<hit> sorted() const {
        std::vector<hit> r = items_;
        std::sort(r.begin(), r.end(), ranks_before_cmp);
        return r;
    }

private:
    static bool ranks_before_cmp(const hit& a, const hit& b) noexcept { return ranks_before(a, b); }
    std::size_t k_;
    std::vector<hit> items_;
};

namespace detail {

inline void check_mask(const row_mask* mask, std::size_t n, const char* who) {
    require(!mask || mask->size() == n, error_kind::invalid_argument, [&] {
        return std::string(who) + ": row mask covers " + std::to_string(mask->size()) + " rows, the corpus has " +
               std::to_string(n);
    });
}

// Scores rows [r0, r1) (those the mask allows) against q and pushes them into heap.
// Rows are read one after another: interleaving several rows (as the GEMV does) measured
// about half the bandwidth here, because the hardware prefetcher follows one sequential
// stream best; one row's two accumulator chains already keep the FMA units ahead of memory.
template <class Arch, metric M>
void scan_rows(const float* q, float q_norm, const float* base, std::size_t ld, std::size_t d, std::size_t r0,
               std::size_t r1, const row_mask* mask, topk_heap& heap) {
    float t = heap.threshold();
    auto visit = [&](std::size_t i) {
        const float* row = base + i * ld;
        float s;
        score_rows<Arch, M, 1>(q, &row, d, q_norm, &s);
        if (!(s < t)) {  // NaN scores and ties go to the exact comparison
            heap.push(s, i);
            t = heap.threshold();
        }
    };
    if (!mask) {
        for (std::size_t i = r0; i < r1; ++i) visit(i);
        return;
    }
    const auto words = mask->words();
    for (std::size_t w = r0 / 64; w * 64 < r1; ++w) {
        std::uint64_t bits = words[w];
        if (w * 64 < r0) bits &= ~0ull << (r0 - w * 64);
        if ((w + 1) * 64 > r1) bits &= (1ull << (r1 - w * 64)) - 1;
        while (bits) {
            visit(w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits)));
            bits &= bits - 1;
        }
    }
}

template <class Arch>
void scan_rows_dispatch(metric m, const float* q, float q_norm, const float* base, std::size_t ld, std::size_t d,
                        std::size_t r0, std::size_t r1, const row_mask* mask, topk_heap& heap) {
    switch (m) {
    case metric::cosine: scan_rows<Arch, metric::cosine>(q, q_norm, base, ld, d, r0, r1, mask, heap); break;
    case metric::dot: scan_rows<Arch, metric::dot>(q, q_norm, base, ld, d, r0, r1, mask, heap); break;
    case metric::l2: scan_rows<Arch, metric::l2>(q, q_norm, base, ld, d, r0, r1, mask, heap); break;
    }
}

}  // namespace detail

// Exact top-k of one query over corpus [n, d].
template <class Arch = simd::default_arch>
std::vector<hit> exact_top_k(std::span<const float> query, tensor_view<const float> corpus, std::size_t k,
                             const exact_options& opt = {}) {
    check_corpus(corpus, "exact_top_k");
    const std::size_t n = corpus.extent(0), d = corpus.extent(1);
    check_query(query, d, "exact_top_k");
    detail::check_mask(opt.mask, n, "exact_top_k");
    if (k == 0 || n == 0) return {};
    const float q_norm = norm<Arch>(query.data(), d);
    const std::size_t ld = n > 1 ? corpus.stride(0) : d;
    // Enough rows per task that threads pay off; the split never changes the result.
    const std::size_t threads = opt.pool ? opt.pool->size() : 1;
    const std::size_t tasks = std::max<std::size_t>(1, std::min(threads, n * std::max<std::size_t>(d, 1) / (1 << 15)));
    std::vector<topk_heap> heaps(tasks, topk_heap(k));
    parallel_for(tasks > 1 ? opt.pool : nullptr, tasks, [&](std::size_t t) {
        const std::size_t r0 = n * t / tasks, r1 = n * (t + 1) / tasks;
        detail::scan_rows_dispatch<Arch>(opt.kind, query.data(), q_norm, corpus.data(), ld, d, r0, r1, opt.mask,
                                         heaps[t]);
    });
    for (std::size_t t = 1; t < tasks; ++t) heaps[0].merge(heaps[t]);
    return heaps[0].sorted();
}

namespace detail {

// Per-query state of the GEMM path inside one task: a heap of the k largest lower
// bounds, the candidate rows (upper bound ≥ the current cut), and the exact heap.
struct gemm_query_state {
    std::vector<float> lower;  // min-heap of the k largest lower bounds
    std::vector<std::pair<float, std::size_t>> candidates;  // (upper bound, row)
    topk_heap exact;
    float cut = -std::numeric_limits<float>::infinity();  // rows with upper < cut are out
    explicit gemm_query_state(std::size_t k) : exact(k) {}
};

template <class Arch>
class gemm_scan {
public:
    gemm_scan(tensor_view<const float> queries, tensor_view<const float> corpus, std::size_t k, const exact_options& opt)
        : q_(queries), x_(corpus), k_(k), opt_(opt), d_(corpus.extent(1)),
          ldx_(corpus.extent(0) > 1 ? corpus.stride(0) : corpus.extent(1)) {
        const std::size_t nq = queries.extent(0);
        q_norm_.resize(nq);
        for (std::size_t i = 0; i < nq; ++i) q_norm_[i] = norm<Arch>(query(i), d_);
        // γ over d terms plus a few more roundings (norms, scaling, combining).
        const double u = std::ldexp(1.0, -24), du = double(d_ + 8) * u;
        gamma_ = float(du / (1.0 - du));
        unit_ = float(u);
    }
    const float* query(std::size_t i) const noexcept { return q_.data() + i * (q_.extent(0) > 1 ? q_.stride(0) : d_); }
    float q_norm(std::size_t i) const noexcept { return q_norm_[i]; }

    // Runs blocks [b0, b1) into states (one per query).
    void run(std::size_t b0, std::size_t b1, std::vector<gemm_query_state>& states) const {
        const std::size_t nq = q_.extent(0), n = x_.extent(0), br = opt_.block_rows;
        std::vector<float> s(nq * br), xn(br), xinv(br), xsq(br);
        const std::size_t cap = std::max<std::size_t>(1024, 8 * k_);
        for (std::size_t b = b0; b < b1; ++b) {
            const std::size_t r0 = b * br, rows = std::min(br, n - r0);
            tensor_view<float> sv(s.data(), shape{nq, rows});
            ops::matmul<Arch>(q_, x_.slice(0, r0, r0 + rows), sv, {.transpose_b = true}, nullptr);
            for (std::size_t j = 0; j < rows; ++j) {
                xn[j] = norm<Arch>(x_.data() + (r0 + j) * ldx_, d_);
                xsq[j] = xn[j] * xn[j];
                xinv[j] = xn[j] == 0.0f ? 0.0f : 1.0f / xn[j];
            }
            for (std::size_t i = 0; i < nq; ++i)
                select_block(i, s.data() + i * rows, rows, r0, xn.data(), xinv.data(), xsq.data(), states[i], cap);
        }
        for (std::size_t i = 0; i < nq; ++i) rescore(i, states[i]);
    }

private:
    // Intervals [lo, hi] that hold the exact scores of query i against rows j < rows,
    // from the GEMM dot products g[j] and the rows' norms; then the candidate selection.
    // Computed a register at a time and stored, so the skip test and the bookkeeping see
    // the same values; most registers fall wholly below the cut and are skipped at once.
    void select_block(std::size_t i, const float* g, std::size_t rows, std::size_t r0, const float* xn,
                      const float* xinv, const float* xsq, gemm_query_state& st, std::size_t cap) const {
        const float qn = q_norm_[i], iq = qn == 0.0f ? 0.0f : 1.0f / qn, qq = qn * qn;
        const float tiny = float(d_) * std::numeric_limits<float>::denorm_min() * 4.0f;
        const float m_cos = 4.0f * gamma_ + 16.0f * unit_ + tiny, c_dot = 2.5f * gamma_ * qn,
                    c_l2 = 2.5f * (gamma_ + 3.0f * unit_);
        const metric kind = opt_.kind;
        auto bounds = [&](auto gv, auto xnv, auto xinvv, auto xsqv, auto& lo, auto& hi) {
            using V = std::decay_t<decltype(gv)>;
            V approx, m;
            if (kind == metric::cosine) {
                approx = gv * V(iq) * xinvv;
                m = V(m_cos);
            } else if (kind == metric::dot) {
                approx = gv;
                m = V(c_dot) * xnv + V(tiny);
            } else {
                approx = V(0.0f) - ((V(qq) - V(2.0f) * gv) + xsqv);
                m = V(c_l2) * ((V(qn) + xnv) * (V(qn) + xnv)) + V(tiny);
            }
            lo = approx - m;
            hi = approx + m;
        };
        constexpr std::size_t W = simd::batch_size_of<Arch>();
        alignas(64) float lo_buf[W], hi_buf[W];
        for (std::size_t j0 = 0; j0 < rows; j0 += W) {
            const std::size_t c = std::min(W, rows - j0);
            if constexpr (simd::is_vector_arch<Arch>) {
                using B = xsimd::batch<float, Arch>;
                auto ld = [&](const float* p) { return simd::detail::load_pad<Arch>(p + j0, c, 0.0f); };
                B lo, hi;
                bounds(ld(g), ld(xn), ld(xinv), ld(xsq), lo, hi);
                if (c == W && xsimd::all(hi < B(st.cut))) continue;
                lo.store_aligned(lo_buf);
                hi.store_aligned(hi_buf);
            } else {
                bounds(g[j0], xn[j0], xinv[j0], xsq[j0], lo_buf[0], hi_buf[0]);
            }
            for (std::size_t l = 0; l < c; ++l) {
                if (hi_buf[l] < st.cut) continue;  // NaN bounds stay candidates (rescored exactly)
                const std::size_t id = r0 + j0 + l;
                if (opt_.mask && !opt_.mask->test(id)) continue;
                if (std::isfinite(lo_buf[l])) push_lower(st, lo_buf[l]);
                st.candidates.emplace_back(hi_buf[l], id);
                if (st.candidates.size() >= cap) {
                    prune(st);
                    if (st.candidates.size() >= cap / 2) rescore(i, st);
                }
            }
        }
    }

    void push_lower(gemm_query_state& st, float lo) const {
        auto greater = std::greater<float>();
        if (st.lower.size() < k_) {
            st.lower.push_back(lo);
            std::push_heap(st.lower.begin(), st.lower.end(), greater);
        } else if (lo > st.lower.front()) {
            std::pop_heap(st.lower.begin(), st.lower.end(), greater);
            st.lower.back() = lo;
            std::push_heap(st.lower.begin(), st.lower.end(), greater);
        } else {
            return;
        }
        if (st.lower.size() == k_) st.cut = std::max(st.cut, st.lower.front());
    }

    void prune(gemm_query_state& st) const {
        const float cut = st.cut;
        std::erase_if(st.candidates, [cut](const auto& c) { return c.first < cut; });
    }

    // Exact scores of the surviving candidates into the exact heap.
    void rescore(std::size_t i, gemm_query_state& st) const {
        prune(st);
        for (const auto& [hi, id] : st.candidates)
            st.exact.push(score<Arch>(opt_.kind, query(i), x_.data() + id * ldx_, d_, q_norm_[i]), id);
        st.candidates.clear();
        if (st.exact.full() && !std::isnan(st.exact.worst().score)) st.cut = std::max(st.cut, st.exact.worst().score);
    }

    tensor_view<const float> q_, x_;
    std::size_t k_;
    const exact_options& opt_;
    std::size_t d_, ldx_;
    std::vector<float> q_norm_;
    float gamma_ = 0.0f, unit_ = 0.0f;
};

}  // namespace detail

// Exact top-k of every query row of queries [q, d] over corpus [n, d]: one list per query.
template <class Arch = simd::default_arch>
std::vector<std::vector<hit>> exact_top_k_batch(tensor_view<const float> queries, tensor_view<const float> corpus,
                                                std::size_t k, const exact_options& opt = {}) {
    check_corpus(corpus, "exact_top_k_batch");
    require(queries.rank() == 2 && (queries.extent(1) <= 1 || queries.stride(1) == 1), error_kind::invalid_argument,
            "exact_top_k_batch: queries must be [q, d] with unit row stride");
    require(opt.block_rows > 0, error_kind::invalid_argument, "exact_top_k_batch: block_rows must be positive");
    const std::size_t nq = queries.extent(0), n = corpus.extent(0), d = corpus.extent(1);
    const std::size_t ldq = nq > 1 ? queries.stride(0) : queries.extent(1);
    for (std::size_t i = 0; i < nq; ++i)
        check_query(std::span<const float>(queries.data() + i * ldq, queries.extent(1)), d, "exact_top_k_batch");
    detail::check_mask(opt.mask, n, "exact_top_k_batch");
    std::vector<std::vector<hit>> out(nq);
    if (k == 0 || n == 0 || nq == 0) return out;
    if (nq < opt.gemm_min_queries || d == 0) {
        for (std::size_t i = 0; i < nq; ++i)
            out[i] = exact_top_k<Arch>(std::span<const float>(queries.data() + i * ldq, d), corpus, k, opt);
        return out;
    }
    const detail::gemm_scan<Arch> scan(queries, corpus, k, opt);
    const std::size_t blocks = (n + opt.block_rows - 1) / opt.block_rows;
    const std::size_t tasks = std::max<std::size_t>(1, std::min(opt.pool ? opt.pool->size() : 1, blocks));
    std::vector<std::vector<detail::gemm_query_state>> states(tasks,
                                                              std::vector<detail::gemm_query_state>(nq, detail::gemm_query_state(k)));
    parallel_for(tasks > 1 ? opt.pool : nullptr, tasks,
                 [&](std::size_t t) { scan.run(blocks * t / tasks, blocks * (t + 1) / tasks, states[t]); });
    for (std::size_t i = 0; i < nq; ++i) {
        for (std::size_t t = 1; t < tasks; ++t) states[0][i].exact.merge(states[t][i].exact);
        out[i] = states[0][i].exact.sorted();
    }
    return out;
}

}  // namespace tessera::search

#include "tessera/simd/warnings_pop.hpp"
