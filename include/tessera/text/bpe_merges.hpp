#pragma once
// BPE merges: a flat hash table from a pair of token ids to (rank, merged id), and the
// merge loop that turns one pre-token's initial symbols into final token ids.
//
// The loop is HF `tokenizers`' (models/bpe/word.rs), so results are identical, including
// its corner cases: a min-heap of candidate pairs keyed (rank, position of the left
// symbol); pop the smallest; skip it when the left symbol is gone, has no right neighbour,
// or the pair now there merges into a different token than the popped merge did (a stale
// entry); otherwise merge, and push the pairs the merged symbol forms with its neighbours.
// Equal ranks resolve leftmost first. O(n log n) for n initial symbols.
//
// Two interchangeable queues give that order: a binary heap for short pre-tokens and a
// bucket queue per rank for long ones (see bpe_merge_buckets).
//
// Memory for one pre-token of n symbols: 8 bytes per symbol (the ids, merged in place, and
// one link array; see bpe_merge_scratch) plus one entry per candidate (8 bytes in the heap,
// 4 in the buckets): the n - 1 initial ones, in buckets allocated at their exact size, and
// at most two per merge. Reused across pre-tokens through `bpe_merge_scratch`; a pre-token
// of more than bpe_scratch_keep_symbols gives its buffers back. Measured on 100 MB of one
// letter (one pre-token, SmolLM2): peak RSS of the whole process 15.7x the input (input,
// output ids, 8 bytes a symbol and the candidates of the first two ranks at once), where the
// earlier {id, prev, next} list with doubling buffers took 24.5x (HF uses about 48 bytes a
// symbol for the merge state alone).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace tessera::text {

// Pair (left id, right id) -> (rank, merged id). Open addressing with linear probing over a
// power-of-two table at most half full; immutable after building, so safe to share.
class bpe_merge_table {
public:
    struct merge {
        std::uint32_t rank;
        std::int32_t merged;
    };

    bpe_merge_table() = default;

    // Sizes an empty table for `expected` pairs.
    void reserve(std::size_t expected) {
        std::size_t cap = 16;
        while (cap < expected * 2 + 1) cap *= 2;
        keys_.assign(cap, empty_key);
        values_.assign(cap, merge{0, 0});
        mask_ = cap - 1;
        size_ = 0;
    }
    // Adds a pair; false (and no change) when the pair is already present.
    bool insert(std::int32_t left, std::int32_t right, merge m) {
        if ((size_ + 1) * 2 > keys_.size()) grow();
        const std::uint64_t key = make_key(left, right);
        for (std::size_t i = slot(key);; i = (i + 1) & mask_) {
            if (keys_[i] == key) return false;
            if (keys_[i] == empty_key) {
                keys_[i] = key;
                values_[i] = m;
                ++size_;
                return true;
            }
        }
    }
    // The merge of the pair, or nullptr.
    const merge* find(std::int32_t left, std::int32_t right) const noexcept {
        if (keys_.empty()) return nullptr;
        const std::uint64_t key = make_key(left, right);
        for (std::size_t i = slot(key);; i = (i + 1) & mask_) {
            if (keys_[i] == key) return &values_[i];
            if (keys_[i] == empty_key) return nullptr;
        }
    }
    std::size_t size() const noexcept { return size_; }

private:
    // Ids are non-negative int32, so a key never has the top bit set.
    static constexpr std::uint64_t empty_key = ~std::uint64_t{0};
    static std::uint64_t make_key(std::int32_t l, std::int32_t r) noexcept {
        return (std::uint64_t(std::uint32_t(l)) << 32) | std::uint32_t(r);
    }
    std::size_t slot(std::uint64_t key) const noexcept {
        key ^= key >> 29;
        key *= 0xbf58476d1ce4e5b9ull;
        key ^= key >> 32;
        return static_cast<std::size_t>(key) & mask_;
    }
    void grow() {
        std::vector<std::uint64_t> old_keys = std::move(keys_);
        std::vector<merge> old_values = std::move(values_);
        reserve(old_keys.size());
        for (std::size_t i = 0; i < old_keys.size(); ++i)
            if (old_keys[i] != empty_key)
                insert(std::int32_t(old_keys[i] >> 32), std::int32_t(old_keys[i] & 0xffffffffu), old_values[i]);
    }

    std::vector<std::uint64_t> keys_;
    std::vector<merge> values_;
    std::size_t mask_ = 0;
    std::size_t size_ = 0;
};

// Buffers one session reuses across pre-tokens (never shared between threads).
//
// The symbols of one pre-token (n of them) are spans [s, e) of its initial symbols; merging
// joins a span with the next one. Two int32 arrays describe them, 8 bytes a symbol:
//   ids[i]   the token of the span starting at i, or -1 where no span starts (merged away);
//            the caller fills it with the initial symbols and the merge loop works in place;
//   link[s]  for a span [s, e): e, the start of the next span (n after the last one), and,
//   link[e-1] for a span of two or more symbols, s: so the span before a span starting at t
//            starts at t-1 when ids[t-1] >= 0 (a one-symbol span), else at link[t-1].
// (A doubly linked list of {id, prev, next} would take 12 bytes a symbol plus a copy of the
// initial ids: 16 in all.)
struct bpe_merge_scratch {
    std::vector<std::int32_t> ids;
    std::vector<std::int32_t> link;
    std::vector<std::uint64_t> heap;  // rank << 32 | left position; a min-heap
    // Bucket queue (long pre-tokens): positions per rank, and a min-heap of the ranks that
    // have a bucket. bucket_of_rank has one slot per merge (-1 = no bucket), allocated on
    // first use and reset entry by entry, so a long pre-token costs O(its entries).
    std::vector<std::int32_t> bucket_of_rank;
    std::vector<std::vector<std::uint32_t>> buckets;
    std::vector<std::uint32_t> bucket_sizes;  // initial candidates per bucket (to reserve exactly)
    std::vector<std::uint32_t> free_buckets;
    std::vector<std::uint32_t> rank_heap;
};

// Pre-tokens up to this many symbols use the heap, longer ones the bucket queue.
inline constexpr std::size_t bpe_bucket_threshold = 256;

// Pre-tokens of more symbols than this give their merge buffers back when done, so that one
// huge input does not leave a session holding gigabytes.
inline constexpr std::size_t bpe_scratch_keep_symbols = std::size_t(1) << 20;

namespace detail {

// Links the initial symbols s.ids[0, n): every symbol its own span.
inline void bpe_link_symbols(std::size_t n, bpe_merge_scratch& s) {
    s.link.resize(n);
    for (std::size_t i = 0; i < n; ++i) s.link[i] = std::int32_t(i + 1);
}

// Tries the candidate (rank, pos): applies it unless stale (HF's checks: the left symbol is
// gone, has no right neighbour, or the pair there now merges into a different token).
// Calls push(rank, pos) for the new pairs the merged symbol forms with its neighbours.
template <class Push>
inline void bpe_try_merge(const bpe_merge_table& table, const std::vector<std::int32_t>& merged_by_rank,
                          std::uint32_t rank, std::int32_t pos, bpe_merge_scratch& s, Push&& push) {
    std::int32_t* const ids = s.ids.data();
    std::int32_t* const link = s.link.data();
    const auto n = std::int32_t(s.ids.size());
    if (ids[pos] < 0) return;
    const std::int32_t nxt = link[pos];
    if (nxt >= n) return;
    const auto* m = table.find(ids[pos], ids[nxt]);
    if (!m || m->merged != merged_by_rank[rank]) return;
    // Join [pos, nxt) and [nxt, end) into [pos, end).
    const std::int32_t merged = m->merged, end = link[nxt];
    ids[pos] = merged;
    ids[nxt] = -1;
    link[pos] = end;
    link[end - 1] = pos;
    if (pos > 0) {
        const std::int32_t p = ids[pos - 1] >= 0 ? pos - 1 : link[pos - 1];
        if (const auto* pm = table.find(ids[p], merged)) push(pm->rank, p);
    }
    if (end < n)
        if (const auto* qm = table.find(merged, ids[end])) push(qm->rank, pos);
}

inline void bpe_emit(const bpe_merge_scratch& s, std::vector<std::int32_t>& out) {
    const std::size_t n = s.ids.size();
    if (n > bpe_bucket_threshold) {  // one exact reserve instead of doubling copies
        std::size_t live = 0;
        for (std::size_t i = 0; i < n; i = std::size_t(s.link[i])) ++live;
        if (live > out.capacity() - out.size() && live > out.size()) out.reserve(out.size() + live);
    }
    for (std::size_t i = 0; i < n; i = std::size_t(s.link[i])) out.push_back(s.ids[i]);
}

// Gives back the memory of a huge pre-token's buffers (see bpe_scratch_keep_symbols).
template <class V>
inline void bpe_release(V& v) {
    V().swap(v);
}

}  // namespace detail

// The merge loop with a binary heap of (rank << 32 | pos): HF's data structure. Best for
// short pre-tokens (the usual words). Merges s.ids (the initial symbols) in place and
// appends the final ids to `out`.
inline void bpe_merge_heap(const bpe_merge_table& table, const std::vector<std::int32_t>& merged_by_rank,
                           bpe_merge_scratch& s, std::vector<std::int32_t>& out) {
    const std::size_t n = s.ids.size();
    if (n == 0) return;
    detail::bpe_link_symbols(n, s);
    auto& heap = s.heap;
    heap.clear();
    for (std::size_t i = 0; i + 1 < n; ++i)
        if (const auto* m = table.find(s.ids[i], s.ids[i + 1])) heap.push_back((std::uint64_t(m->rank) << 32) | i);
    constexpr std::greater<std::uint64_t> later{};  // min-heap
    std::make_heap(heap.begin(), heap.end(), later);
    const auto push = [&](std::uint32_t rank, std::int32_t pos) {
        heap.push_back((std::uint64_t(rank) << 32) | std::uint32_t(pos));
        std::push_heap(heap.begin(), heap.end(), later);
    };
    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), later);
        const std::uint64_t top = heap.back();
        heap.pop_back();
        detail::bpe_try_merge(table, merged_by_rank, std::uint32_t(top >> 32), std::int32_t(top & 0xffffffffu), s, push);
    }
    detail::bpe_emit(s, out);
}

// The same loop with a bucket queue: candidates are kept per rank, and a bucket's positions
// are taken in increasing order (sorted first if needed; usually they arrive sorted). The
// order of candidates is exactly the heap's: the smallest rank, then the smallest position.
// A merge never creates a pair of its own rank (the result would have to equal one of its
// parts), so a bucket does not grow while it is consumed; if a merge creates a pair of a
// *smaller* rank (possible in odd vocabularies), the rest of the bucket goes back and the
// smaller rank is served first. Sequential memory access makes this several times faster
// than the heap on long pre-tokens (a megabyte of one letter), and it needs 4 bytes per
// candidate instead of 8. The initial candidates are counted per rank first, so each
// bucket is allocated once at its size (no doubling copies of the biggest buffers).
inline void bpe_merge_buckets(const bpe_merge_table& table, const std::vector<std::int32_t>& merged_by_rank,
                              bpe_merge_scratch& s, std::vector<std::int32_t>& out) {
    const std::size_t n = s.ids.size();
    if (n == 0) return;
    if (s.bucket_of_rank.size() != merged_by_rank.size()) s.bucket_of_rank.assign(merged_by_rank.size(), -1);
    auto& rank_heap = s.rank_heap;
    rank_heap.clear();
    constexpr std::greater<std::uint32_t> later{};
    // The bucket of `rank`, taken from the pool (and its rank queued) on first use.
    const auto bucket = [&](std::uint32_t rank) {
        std::int32_t b = s.bucket_of_rank[rank];
        if (b < 0) {
            if (s.free_buckets.empty()) {
                s.free_buckets.push_back(std::uint32_t(s.buckets.size()));
                s.buckets.emplace_back();
                s.bucket_sizes.push_back(0);
            }
            b = std::int32_t(s.free_buckets.back());
            s.free_buckets.pop_back();
            s.bucket_of_rank[rank] = b;
            rank_heap.push_back(rank);
            std::push_heap(rank_heap.begin(), rank_heap.end(), later);
        }
        return std::size_t(b);
    };
    const auto push = [&](std::uint32_t rank, std::int32_t pos) { s.buckets[bucket(rank)].push_back(std::uint32_t(pos)); };
    // Initial candidates: the rank of each pair goes into link[] (not linked yet; the bits
    // of a uint32, all ones for no merge, which no rank is: there are < 2^32 - 1 merges),
    // the buckets are sized, then filled in position order.
    constexpr std::uint32_t no_merge = ~std::uint32_t{0};
    s.link.resize(n);
    s.link[n - 1] = std::int32_t(no_merge);
    for (std::size_t i = 0; i + 1 < n; ++i) {
        const auto* m = table.find(s.ids[i], s.ids[i + 1]);
        s.link[i] = std::int32_t(m ? m->rank : no_merge);
        if (m) ++s.bucket_sizes[bucket(m->rank)];
    }
    for (const std::uint32_t rank : rank_heap) {
        const auto b = std::size_t(s.bucket_of_rank[rank]);
        s.buckets[b].reserve(s.bucket_sizes[b]);
        s.bucket_sizes[b] = 0;
    }
    for (std::size_t i = 0; i + 1 < n; ++i)
        if (const auto rank = std::uint32_t(s.link[i]); rank != no_merge)
            s.buckets[std::size_t(s.bucket_of_rank[rank])].push_back(std::uint32_t(i));
    detail::bpe_link_symbols(n, s);

    std::vector<std::uint32_t> current;  // the bucket being consumed, swapped out of the pool
    while (!rank_heap.empty()) {
        const std::uint32_t rank = rank_heap.front();
        if (s.bucket_of_rank[rank] < 0) {  // a rank whose bucket was finished earlier
            std::pop_heap(rank_heap.begin(), rank_heap.end(), later);
            rank_heap.pop_back();
            continue;
        }
        const auto b = std::size_t(s.bucket_of_rank[rank]);
        current.clear();
        std::swap(current, s.buckets[b]);
        if (!std::is_sorted(current.begin(), current.end())) std::sort(current.begin(), current.end());
        bool interrupted = false;
        std::size_t i = 0;
        const auto push_checked = [&](std::uint32_t r, std::int32_t p) {
            interrupted |= r <= rank;
            push(r, p);
        };
        while (i < current.size() && !interrupted)
            detail::bpe_try_merge(table, merged_by_rank, rank, std::int32_t(current[i++]), s, push_checked);
        if (i < current.size() || !s.buckets[b].empty()) {
            // A smaller rank (now at the top) goes first; the rest waits in its bucket.
            s.buckets[b].insert(s.buckets[b].end(), current.begin() + std::ptrdiff_t(i), current.end());
            continue;
        }
        std::swap(current, s.buckets[b]);  // keep the capacity in the pool
        s.buckets[b].clear();
        s.bucket_of_rank[rank] = -1;  // its heap entry is dropped when it reaches the top
        s.free_buckets.push_back(std::uint32_t(b));
        // A huge bucket goes back to the allocator at once rather than to the pool.
        if (s.buckets[b].capacity() > bpe_scratch_keep_symbols) detail::bpe_release(s.buckets[b]);
    }
    if (n > bpe_scratch_keep_symbols) {  // before the output grows
        detail::bpe_release(current);
        for (auto& v : s.buckets) detail::bpe_release(v);
    }
    detail::bpe_emit(s, out);
}

// Runs the merges over s.ids (the initial symbols, filled by the caller; merged in place) and
// appends the final ids to `out`. `merged_by_rank[r]` is the id merge r produces (used to
// recognise stale candidates the way HF does). Requires n < 2^31.
inline void bpe_merge(const bpe_merge_table& table, const std::vector<std::int32_t>& merged_by_rank,
                      bpe_merge_scratch& s, std::vector<std::int32_t>& out) {
    const std::size_t n = s.ids.size();
    if (n == 1) {
        out.push_back(s.ids[0]);
        return;
    }
    if (n <= bpe_bucket_threshold) bpe_merge_heap(table, merged_by_rank, s, out);
    else bpe_merge_buckets(table, merged_by_rank, s, out);
    if (n > bpe_scratch_keep_symbols) {
        detail::bpe_release(s.ids);
        detail::bpe_release(s.link);
    }
}

// The same three loops over a copy of `ids[0, n)` (tests compare them on one input).
inline void bpe_merge_heap(const bpe_merge_table& table, const std::vector<std::int32_t>& merged_by_rank,
                           const std::int32_t* ids, std::size_t n, bpe_merge_scratch& s, std::vector<std::int32_t>& out) {
    s.ids.assign(ids, ids + n);
    bpe_merge_heap(table, merged_by_rank, s, out);
}
inline void bpe_merge_buckets(const bpe_merge_table& table, const std::vector<std::int32_t>& merged_by_rank,
                              const std::int32_t* ids, std::size_t n, bpe_merge_scratch& s, std::vector<std::int32_t>& out) {
    s.ids.assign(ids, ids + n);
    bpe_merge_buckets(table, merged_by_rank, s, out);
}
inline void bpe_merge(const bpe_merge_table& table, const std::vector<std::int32_t>& merged_by_rank,
                      const std::int32_t* ids, std::size_t n, bpe_merge_scratch& s, std::vector<std::int32_t>& out) {
    s.ids.assign(ids, ids + n);
    bpe_merge(table, merged_by_rank, s, out);
}

}  // namespace tessera::text
