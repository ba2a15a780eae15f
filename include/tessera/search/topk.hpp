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
// With int8 codes of the corpus (exact_options::codes, search/int8_codes.hpp), both the
// one-query scan and batches read the codes instead — one byte per value — and select
// candidates the same way from the codes' proven error bounds (search/int8_scan.hpp), so
// again only the survivors touch the f32 rows and the hits are the same bits.
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
#include "tessera/search/int8_codes.hpp"
#include "tessera/search/int8_scan.hpp"
#include "tessera/search/similarity.hpp"
#include "tessera/search/topk_heap.hpp"

#include "tessera/simd/warnings_push.hpp"

namespace tessera::search {

struct exact_options {
    metric kind = metric::cosine;
    thread_pool* pool = nullptr;
    const row_mask* mask = nullptr;      // null: every row; else mask->size() must equal n
    std::size_t gemm_min_queries = 8;    // batches at least this large use the GEMM path
    std::size_t block_rows = 512;        // corpus rows per GEMM block
    // int8 codes of the corpus (int8_codes::build), or null. With codes, the scans read
    // them instead of the f32 rows and rescore only the rows their bounds cannot rule out:
    // the same hits, a quarter of the bytes. They must be the codes of this corpus.
    const int8_codes* codes = nullptr;
};

namespace detail {

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

namespace detail {

// Codes that may serve this corpus: the right shape, and rows 0, n/2 and n − 1 quantize to
// what is stored (a spot check; that the rest match is the caller's promise).
inline void check_codes(const int8_codes* codes, const tensor_view<const float>& corpus, const char* who) {
    if (!codes) return;
    const std::size_t n = corpus.extent(0), d = corpus.extent(1);
    require(codes->rows() == n && codes->dim() == d, error_kind::invalid_argument, [&] {
        return std::string(who) + ": int8 codes of " + std::to_string(codes->rows()) + " × " +
               std::to_string(codes->dim()) + " for a corpus of " + std::to_string(n) + " × " + std::to_string(d);
    });
    const std::size_t ld = n > 1 ? corpus.stride(0) : d;
    for (const std::size_t i : {std::size_t(0), n / 2, n - 1})
        if (n > 0)
            require(codes->row_agrees(i, {corpus.data() + i * ld, d}), error_kind::invalid_argument, [&] {
                return std::string(who) + ": the int8 codes do not match corpus row " + std::to_string(i) +
                       " (codes of another corpus?)";
            });
}

// Candidates a selector holds before it prunes (and, if still many, rescores).
inline std::size_t candidate_cap(std::size_t k) noexcept { return std::max<std::size_t>(1024, 8 * k); }

// Tasks for a scan of `units` units of `unit_bytes` each: enough work per task that
// threads pay off; the split never changes the result.
inline std::size_t scan_tasks(const thread_pool* pool, std::size_t units, std::size_t unit_bytes) noexcept {
    const std::size_t threads = pool ? pool->size() : 1;
    return std::max<std::size_t>(1, std::min(threads, units * std::max<std::size_t>(unit_bytes, 1) / (1 << 17)));
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
    detail::check_codes(opt.codes, corpus, "exact_top_k");
    if (k == 0 || n == 0) return {};
    const float q_norm = norm<Arch>(query.data(), d);
    const std::size_t ld = n > 1 ? corpus.stride(0) : d;
    if (opt.codes) {
        const detail::int8_scan<Arch> scan(*opt.codes, n, opt.kind, opt.mask);
        const detail::int8_query q = scan.prepare(query.data(), q_norm);
        if (q.ok) {
            const std::size_t panels = scan.panels();
            const std::size_t tasks = detail::scan_tasks(opt.pool, panels, 16 * opt.codes->groups() * 4);
            std::vector<interval_selector> sels(tasks, interval_selector(k, detail::candidate_cap(k)));
            auto exact = [&](std::size_t row) { return score<Arch>(opt.kind, query.data(), corpus.data() + row * ld, d, q_norm); };
            parallel_for(tasks > 1 ? opt.pool : nullptr, tasks, [&](std::size_t t) {
                scan.scan(q, panels * t / tasks, panels * (t + 1) / tasks, sels[t], exact);
                sels[t].rescore(exact);
            });
            for (std::size_t t = 1; t < tasks; ++t) sels[0].exact().merge(sels[t].exact());
            return sels[0].exact().sorted();
        }
    }
    const std::size_t tasks = detail::scan_tasks(opt.pool, n, d * sizeof(float));
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

template <class Arch>
class gemm_scan {
public:
    gemm_scan(tensor_view<const float> queries, tensor_view<const float> corpus, std::size_t k, const exact_options& opt)
        : q_(queries), x_(corpus), k_(k), opt_(opt), d_(corpus.extent(1)),
          ldx_(corpus.extent(0) > 1 ? corpus.stride(0) : corpus.extent(1)), rounding_(score_rounding::for_dim(d_)) {
        const std::size_t nq = queries.extent(0);
        q_norm_.resize(nq);
        for (std::size_t i = 0; i < nq; ++i) q_norm_[i] = norm<Arch>(query(i), d_);
    }
    const float* query(std::size_t i) const noexcept { return q_.data() + i * (q_.extent(0) > 1 ? q_.stride(0) : d_); }
    float q_norm(std::size_t i) const noexcept { return q_norm_[i]; }
    float exact(std::size_t i, std::size_t row) const noexcept {
        return score<Arch>(opt_.kind, query(i), x_.data() + row * ldx_, d_, q_norm_[i]);
    }

    // Runs blocks [b0, b1) into sels (one per query).
    void run(std::size_t b0, std::size_t b1, std::vector<interval_selector>& sels) const {
        const std::size_t nq = q_.extent(0), n = x_.extent(0), br = opt_.block_rows;
        std::vector<float> s(nq * br), xn(br), xinv(br), xsq(br);
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
                select_block(i, s.data() + i * rows, rows, r0, xn.data(), xinv.data(), xsq.data(), sels[i]);
        }
        for (std::size_t i = 0; i < nq; ++i) sels[i].rescore([&](std::size_t row) { return exact(i, row); });
    }

private:
    // Intervals [lo, hi] that hold the exact scores of query i against rows j < rows,
    // from the GEMM dot products g[j] and the rows' norms; then the candidate selection.
    // Computed a register at a time and stored, so the skip test and the bookkeeping see
    // the same values; most registers fall wholly below the cut and are skipped at once.
    void select_block(std::size_t i, const float* g, std::size_t rows, std::size_t r0, const float* xn,
                      const float* xinv, const float* xsq, interval_selector& sel) const {
        const float qn = q_norm_[i], iq = qn == 0.0f ? 0.0f : 1.0f / qn, qq = qn * qn;
        const float tiny = rounding_.tiny, m_cos = rounding_.m_cos(), c_dot = rounding_.c_dot(qn),
                    c_l2 = rounding_.c_l2();
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
        auto exact_i = [&](std::size_t row) { return exact(i, row); };
        constexpr std::size_t W = simd::batch_size_of<Arch>();
        alignas(64) float lo_buf[W], hi_buf[W];
        for (std::size_t j0 = 0; j0 < rows; j0 += W) {
            const std::size_t c = std::min(W, rows - j0);
            if constexpr (simd::is_vector_arch<Arch>) {
                using B = xsimd::batch<float, Arch>;
                auto ld = [&](const float* p) { return simd::detail::load_pad<Arch>(p + j0, c, 0.0f); };
                B lo, hi;
                bounds(ld(g), ld(xn), ld(xinv), ld(xsq), lo, hi);
                if (c == W && xsimd::all(hi < B(sel.cut()))) continue;
                lo.store_aligned(lo_buf);
                hi.store_aligned(hi_buf);
            } else {
                bounds(g[j0], xn[j0], xinv[j0], xsq[j0], lo_buf[0], hi_buf[0]);
            }
            for (std::size_t l = 0; l < c; ++l) {
                if (hi_buf[l] < sel.cut()) continue;  // NaN bounds stay candidates (rescored exactly)
                const std::size_t id = r0 + j0 + l;
                if (opt_.mask && !opt_.mask->test(id)) continue;
                sel.offer(lo_buf[l], hi_buf[l], id, exact_i);
            }
        }
    }

    tensor_view<const float> q_, x_;
    std::size_t k_;
    const exact_options& opt_;
    std::size_t d_, ldx_;
    std::vector<float> q_norm_;
    score_rounding rounding_;
};

// Splits `blocks` units among the pool's tasks; run(b0, b1, sels) fills one selector per
// query from blocks [b0, b1) and rescores them; the tasks' hits are then merged per query
// (a top k does not depend on the order of merging).
template <class Run>
std::vector<std::vector<hit>> select_in_tasks(thread_pool* pool, std::size_t blocks, std::size_t nq, std::size_t k,
                                              Run&& run) {
    const std::size_t tasks = std::max<std::size_t>(1, std::min(pool ? pool->size() : 1, blocks));
    std::vector<std::vector<interval_selector>> sels(tasks,
                                                     std::vector<interval_selector>(nq, interval_selector(k, candidate_cap(k))));
    parallel_for(tasks > 1 ? pool : nullptr, tasks,
                 [&](std::size_t t) { run(blocks * t / tasks, blocks * (t + 1) / tasks, sels[t]); });
    std::vector<std::vector<hit>> out(nq);
    for (std::size_t i = 0; i < nq; ++i) {
        for (std::size_t t = 1; t < tasks; ++t) sels[0][i].exact().merge(sels[t][i].exact());
        out[i] = sels[0][i].exact().sorted();
    }
    return out;
}

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
    detail::check_codes(opt.codes, corpus, "exact_top_k_batch");
    std::vector<std::vector<hit>> out(nq);
    if (k == 0 || n == 0 || nq == 0) return out;
    auto one_by_one = [&] {
        for (std::size_t i = 0; i < nq; ++i)
            out[i] = exact_top_k<Arch>(std::span<const float>(queries.data() + i * ldq, d), corpus, k, opt);
        return out;
    };
    if (opt.codes && nq > 1) {
        // Every query over the codes, a block of panels at a time; a query outside the
        // bound's range sends the whole batch to the query-by-query path.
        const detail::int8_scan<Arch> scan(*opt.codes, n, opt.kind, opt.mask);
        std::vector<float> q_norm(nq);
        std::vector<detail::int8_query> qs;
        qs.reserve(nq);
        for (std::size_t i = 0; i < nq; ++i) {
            q_norm[i] = norm<Arch>(queries.data() + i * ldq, d);
            qs.push_back(scan.prepare(queries.data() + i * ldq, q_norm[i]));
            if (!qs.back().ok) return one_by_one();
        }
        const std::size_t ldx = n > 1 ? corpus.stride(0) : d;
        auto exact = [&](std::size_t i, std::size_t row) {
            return score<Arch>(opt.kind, queries.data() + i * ldq, corpus.data() + row * ldx, d, q_norm[i]);
        };
        const std::size_t blocks = (scan.panels() + scan.block_panels - 1) / scan.block_panels;
        return detail::select_in_tasks(opt.pool, blocks, nq, k, [&](std::size_t b0, std::size_t b1, auto& sels) {
            scan.scan_batch(qs, std::min(scan.panels(), b0 * scan.block_panels),
                            std::min(scan.panels(), b1 * scan.block_panels), sels, exact);
            for (std::size_t i = 0; i < nq; ++i) sels[i].rescore([&](std::size_t row) { return exact(i, row); });
        });
    }
    if (nq < opt.gemm_min_queries || d == 0) return one_by_one();
    const detail::gemm_scan<Arch> scan(queries, corpus, k, opt);
    return detail::select_in_tasks(opt.pool, (n + opt.block_rows - 1) / opt.block_rows, nq, k,
                                   [&](std::size_t b0, std::size_t b1, auto& sels) { scan.run(b0, b1, sels); });
}

}  // namespace tessera::search

#include "tessera/simd/warnings_pop.hpp"
