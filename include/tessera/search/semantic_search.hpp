#pragma once
// semantic_search(queries [q, d], corpus [n, d], top_k): for each query, the top_k corpus
// rows by cosine similarity (or another metric), best first, as a list of
// {corpus_id, score} — the shape of sentence-transformers' util.semantic_search.
//
// Differences from sentence-transformers, on purpose: ties are broken by the smaller
// corpus_id (torch.topk leaves the order of ties unspecified); a NaN or infinite query is
// an invalid_argument error; a zero query or zero corpus row has cosine score 0.
// Batches of queries go through the GEMM path of topk.hpp, and every list is bitwise
// identical to what the query alone would give, for any thread count.
#include <cstddef>
#include <vector>

#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/search/topk.hpp"

namespace tessera::search {

struct semantic_search_options {
    metric score_function = metric::cosine;
    thread_pool* pool = nullptr;
    const row_mask* mask = nullptr;  // rows allowed (null: all)
    // int8_codes::build(corpus), made once and reused: the scan reads a byte per value and
    // returns the same hits (topk.hpp).
    const int8_codes* codes = nullptr;
};

template <class Arch = simd::default_arch>
std::vector<std::vector<hit>> semantic_search(tensor_view<const float> queries, tensor_view<const float> corpus,
                                              std::size_t top_k = 10, const semantic_search_options& opt = {}) {
    exact_options e;
    e.kind = opt.score_function;
    e.pool = opt.pool;
    e.mask = opt.mask;
    e.codes = opt.codes;
    // A single query may come as a rank-1 vector, as sentence-transformers accepts.
    if (queries.rank() == 1) queries = queries.reshape(shape{1, queries.extent(0)});
    return exact_top_k_batch<Arch>(queries, corpus, top_k, e);
}

}  // namespace tessera::search
