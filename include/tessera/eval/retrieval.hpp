#pragma once
// Ranking metrics for one query: `ranked` holds item ids best first (unique), judgments say
// which items are relevant — a list of ids (binary relevance), or (id, gain) pairs (graded,
// gain >= 0). Only the first k ranks count; a list shorter than k is fine.
//   recall@k = |relevant ∩ top k| / |relevant|
//   MRR@k    = 1 / (rank of the first relevant item), 0 when none is in the top k
//   DCG@k    = Σ_{i<k} g(ranked[i]) / log2(i + 2)        (rank i counted from 0)
//   NDCG@k   = DCG@k / IDCG@k, IDCG@k the DCG of the k largest gains in their best order
//   g        = the gain (linear, scikit-learn's ndcg_score), or 2^gain − 1 (exponential,
//              Burges et al. 2005; used by TREC-style tools); binary relevance: 1 or 0
// A query with nothing relevant scores 0 on all three (scikit-learn's ndcg_score does the
// same; leave such queries out of a mean if they should not count). Averaging over queries
// is the caller's: the mean of the per-query figures, as BEIR and MTEB report them.
#include <algorithm>
#include <functional>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "tessera/core/error.hpp"

namespace tessera::eval {

enum class ndcg_gain { linear, exponential };

namespace detail {

template <class Id>
void check_ranking(std::span<const Id> ranked, std::size_t k, const char* what) {
    require(k > 0, error_kind::invalid_argument, [&] { return std::string(what) + ": k must be positive"; });
    std::vector<Id> seen(ranked.begin(), ranked.end());
    std::sort(seen.begin(), seen.end());
    require(std::adjacent_find(seen.begin(), seen.end()) == seen.end(), error_kind::duplicate,
            [&] { return std::string(what) + ": an item appears twice in the ranking"; });
}

template <class Id>
std::vector<Id> sorted_unique(std::span<const Id> ids, const char* what) {
    std::vector<Id> s(ids.begin(), ids.end());
    std::sort(s.begin(), s.end());
    require(std::adjacent_find(s.begin(), s.end()) == s.end(), error_kind::duplicate,
            [&] { return std::string(what) + ": an item is judged twice"; });
    return s;
}

template <class Id>
bool contains(const std::vector<Id>& sorted, const Id& id) {
    return std::binary_search(sorted.begin(), sorted.end(), id);
}

inline double discount(std::size_t rank) noexcept { return 1.0 / std::log2(double(rank) + 2.0); }

}  // namespace detail

template <class Id>
double recall_at_k(std::span<const Id> ranked, std::span<const Id> relevant, std::size_t k) {
    detail::check_ranking(ranked, k, "recall_at_k");
    const auto rel = detail::sorted_unique(relevant, "recall_at_k");
    if (rel.empty()) return 0.0;
    std::size_t found = 0;
    for (std::size_t i = 0; i < std::min(k, ranked.size()); ++i) found += detail::contains(rel, ranked[i]);
    return double(found) / double(rel.size());
}

template <class Id>
double mrr_at_k(std::span<const Id> ranked, std::span<const Id> relevant, std::size_t k) {
    detail::check_ranking(ranked, k, "mrr_at_k");
    const auto rel = detail::sorted_unique(relevant, "mrr_at_k");
    for (std::size_t i = 0; i < std::min(k, ranked.size()); ++i)
        if (detail::contains(rel, ranked[i])) return 1.0 / double(i + 1);
    return 0.0;
}

// Graded relevance: judgments are (id, gain) pairs; unjudged items have gain 0.
template <class Id>
double ndcg_at_k(std::span<const Id> ranked, std::span<const std::pair<Id, double>> judgments, std::size_t k,
                 ndcg_gain gain = ndcg_gain::linear) {
    detail::check_ranking(ranked, k, "ndcg_at_k");
    std::vector<std::pair<Id, double>> j(judgments.begin(), judgments.end());
    std::sort(j.begin(), j.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < j.size(); ++i) {
        require(std::isfinite(j[i].second) && j[i].second >= 0, error_kind::invalid_argument,
                "ndcg_at_k: gains must be finite and >= 0");
        require(i == 0 || j[i - 1].first < j[i].first, error_kind::duplicate, "ndcg_at_k: an item is judged twice");
    }
    const auto g = [&](double v) { return gain == ndcg_gain::linear ? v : std::exp2(v) - 1.0; };
    double dcg = 0;
    for (std::size_t i = 0; i < std::min(k, ranked.size()); ++i) {
        const auto it = std::lower_bound(j.begin(), j.end(), ranked[i], [](const auto& a, const Id& id) { return a.first < id; });
        if (it != j.end() && !(ranked[i] < it->first)) dcg += g(it->second) * detail::discount(i);
    }
    std::vector<double> ideal;
    for (const auto& p : j) ideal.push_back(p.second);
    std::sort(ideal.begin(), ideal.end(), std::greater<>());
    double idcg = 0;
    for (std::size_t i = 0; i < std::min(k, ideal.size()); ++i) idcg += g(ideal[i]) * detail::discount(i);
    return idcg > 0 ? dcg / idcg : 0.0;
}

// Binary relevance: every listed id has gain 1.
template <class Id>
double ndcg_at_k(std::span<const Id> ranked, std::span<const Id> relevant, std::size_t k) {
    std::vector<std::pair<Id, double>> j;
    for (const Id& id : relevant) j.emplace_back(id, 1.0);
    return ndcg_at_k(ranked, std::span<const std::pair<Id, double>>(j), k);
}

}  // namespace tessera::eval
