#pragma once
// The bookkeeping every exact search path shares: the row mask of a filter, the bounded
// heap of the best k hits, and the interval selector that lets a cheap first pass (GEMM
// scores, int8 codes) skip rows that provably cannot reach the top k.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/search/similarity.hpp"

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

// Exact top-k from score intervals. A first pass gives each row an interval [lo, hi] that
// holds its exact score. Once k rows have a lower end of at least `cut`, a row whose upper
// end is below the cut cannot be in the top k (k rows score at least the cut, and ties
// need hi ≥ cut, so they stay). Survivors are kept as candidates and scored exactly by the
// caller's `score(id)` when they pile up and at the end (rescore); the exact heap's worst
// score then raises the cut too. NaN intervals (rows holding NaN) stay candidates, and
// their exact score ranks them last.
class interval_selector {
public:
    interval_selector(std::size_t k, std::size_t cap) : k_(k), cap_(std::max<std::size_t>(cap, 2)), exact_(k) {}

    float cut() const noexcept { return cut_; }
    // A row (that the mask allows) with its interval.
    template <class Score>
    void offer(float lo, float hi, std::size_t id, Score&& score) {
        if (hi < cut_) return;
        if (std::isfinite(lo)) push_lower(lo);
        candidates_.emplace_back(hi, id);
        if (candidates_.size() >= cap_) {
            prune();
            if (candidates_.size() >= cap_ / 2) rescore(score);
        }
    }
    // Scores the surviving candidates exactly into the exact heap.
    template <class Score>
    void rescore(Score&& score) {
        prune();
        for (const auto& c : candidates_) exact_.push(score(c.second), c.second);
        candidates_.clear();
        if (exact_.full() && !std::isnan(exact_.worst().score)) cut_ = std::max(cut_, exact_.worst().score);
    }
    // The exact top k of every row offered (after the last rescore).
    topk_heap& exact() noexcept { return exact_; }

private:
    void push_lower(float lo) {
        const auto greater = std::greater<float>();
        if (lower_.size() < k_) {
            lower_.push_back(lo);
            std::push_heap(lower_.begin(), lower_.end(), greater);
        } else if (lo > lower_.front()) {
            std::pop_heap(lower_.begin(), lower_.end(), greater);
            lower_.back() = lo;
            std::push_heap(lower_.begin(), lower_.end(), greater);
        } else {
            return;
        }
        if (lower_.size() == k_) cut_ = std::max(cut_, lower_.front());
    }
    void prune() {
        const float cut = cut_;
        std::erase_if(candidates_, [cut](const auto& c) { return c.first < cut; });
    }

    std::size_t k_, cap_;
    std::vector<float> lower_;                              // min-heap of the k largest lower ends
    std::vector<std::pair<float, std::size_t>> candidates_;  // (upper end, row)
    topk_heap exact_;
    float cut_ = -std::numeric_limits<float>::infinity();
};

// Rounding terms of the interval bounds: γ over d terms plus a few more roundings (norms,
// scaling, combining), with u = 2⁻²⁴; `tiny` absorbs products that underflow.
struct score_rounding {
    float gamma = 0.0f, unit = 0.0f, tiny = 0.0f;
    static score_rounding for_dim(std::size_t d) noexcept {
        const double u = std::ldexp(1.0, -24), du = double(d + 8) * u;
        return {float(du / (1.0 - du)), float(u), float(d) * std::numeric_limits<float>::denorm_min() * 4.0f};
    }
    float m_cos() const noexcept { return 4.0f * gamma + 16.0f * unit + tiny; }  // absolute, on a cosine
    float c_dot(float q_norm) const noexcept { return 2.5f * gamma * q_norm; }   // times ‖x‖
    float c_l2() const noexcept { return 2.5f * (gamma + 3.0f * unit); }       // times (‖q‖ + ‖x‖)²
};

namespace detail {

inline void check_mask(const row_mask* mask, std::size_t n, const char* who) {
    require(!mask || mask->size() == n, error_kind::invalid_argument, [&] {
        return std::string(who) + ": row mask covers " + std::to_string(mask->size()) + " rows, the corpus has " +
               std::to_string(n);
    });
}

}  // namespace detail

}  // namespace tessera::search
