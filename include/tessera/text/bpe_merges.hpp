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
// Memory for one pre-token of n symbols: 4 bytes per symbol (the ids, merged in place into
// spans; see bpe_merge_scratch) plus the candidates: 8 bytes each in the heap, about one
// byte each in the buckets (delta-coded positions; see bpe_bucket): the n - 1 initial ones,
// in buckets allocated at their exact size, and at most two per merge. A huge pre-token's
// final ids are compacted in place and handed to the output. Reused across pre-tokens
// through `bpe_merge_scratch`; a pre-token of more than bpe_scratch_keep_symbols gives its
// buffers back. Measured with tools/bench/tokenize_memory.py (the CLI on one line of 100 MB,
// SmolLM2): peak RSS of the whole process 6.9x the input for one letter (a single
// pre-token), 5.5x for one CJK character; HF `tokenizers` grows by 73x and 150x in encode.
// (An {id, prev, next} list with doubling buffers took 24.5x, ids + links + 4-byte bucket
// entries 15.7x.)
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

// The candidate positions of one rank, in push order, as zigzag LEB128 deltas from the
// previous position: positions mostly arrive increasing and close together, so an entry
// usually takes one byte (a uint32 per entry would take four: on a long run of one letter
// the first rank's bucket holds a candidate at every position).
class bpe_bucket {
public:
    void push(std::uint32_t pos) {
        const std::int64_t d = std::int64_t(pos) - std::int64_t(last_);
        sorted_ = sorted_ && d >= 0;
        std::uint64_t z = (std::uint64_t(d) << 1) ^ std::uint64_t(d >> 63);
        while (z >= 0x80) {
            bytes_.push_back(std::uint8_t(z | 0x80));
            z >>= 7;
        }
        bytes_.push_back(std::uint8_t(z));
        last_ = pos;
    }
    // Bytes that push(pos) would add after a push of `prev`.
    static std::size_t encoded_size(std::uint32_t prev, std::uint32_t pos) noexcept {
        const std::int64_t d = std::int64_t(pos) - std::int64_t(prev);
        std::uint64_t z = (std::uint64_t(d) << 1) ^ std::uint64_t(d >> 63);
        std::size_t bytes = 1;
        for (; z >= 0x80; z >>= 7) ++bytes;
        return bytes;
    }
    // Reads the positions in push order: `at` is a byte offset, `pos` the last position read.
    struct cursor {
        std::size_t at = 0;
        std::uint32_t pos = 0;
    };
    bool next(cursor& c) const noexcept {
        if (c.at >= bytes_.size()) return false;
        std::uint64_t z = 0;
        for (unsigned shift = 0;; shift += 7) {
            const std::uint8_t b = bytes_[c.at++];
            z |= std::uint64_t(b & 0x7f) << shift;
            if (b < 0x80) break;
        }
        const auto d = std::int64_t(z >> 1) ^ -std::int64_t(z & 1);
        c.pos = std::uint32_t(std::int64_t(c.pos) + d);
        return true;
    }
    // Puts the positions in increasing order (`tmp` is scratch).
    void sort(std::vector<std::uint32_t>& tmp) {
        if (sorted_) return;
        tmp.clear();
        for (cursor c; next(c);) tmp.push_back(c.pos);
        std::sort(tmp.begin(), tmp.end());
        clear();
        for (const std::uint32_t p : tmp) push(p);
    }
    bool empty() const noexcept { return bytes_.empty(); }
    std::size_t bytes() const noexcept { return bytes_.size(); }
    std::size_t capacity() const noexcept { return bytes_.capacity(); }
    void reserve(std::size_t bytes) { bytes_.reserve(bytes); }
    void clear() noexcept {
        bytes_.clear();
        last_ = 0;
        sorted_ = true;
    }
    void release() {
        std::vector<std::uint8_t>().swap(bytes_);
        clear();
    }

private:
    std::vector<std::uint8_t> bytes_;
    std::uint32_t last_ = 0;
    bool sorted_ = true;
};

// Buffers one session reuses across pre-tokens (never shared between threads).
//
// The symbols of one pre-token (n of them) are spans [s, e) of its initial symbols; merging
// joins a span with the next one. One int32 array describes them, 4 bytes a symbol:
//   ids[s]           the token of the span [s, e) (>= 0);
//   ids[s + 1] and   -(e - s) for a span of two or more symbols (the same slot when e = s + 2),
//   ids[e - 1]       so the span after one starting at s starts at s + 1 when ids[s + 1] >= 0,
//                    else at s - ids[s + 1]; the span before one starting at t starts at t - 1
//                    when ids[t - 1] >= 0, else at t + ids[t - 1];
//   other slots      negative (inside a span).
// The caller fills ids with the initial symbols (every one its own span) and the merge loop
// works in place. (A doubly linked list of {id, prev, next} would take 12 bytes a symbol plus
// a copy of the initial ids: 16 in all.)
struct bpe_merge_scratch {
    std::vector<std::int32_t> ids;
    std::vector<std::uint64_t> heap;  // rank << 32 | left position; a min-heap
    // Bucket queue (long pre-tokens): positions per rank, and a min-heap of the ranks that
    // have a bucket. bucket_of_rank has one slot per merge (-1 = no bucket), allocated on
    // first use and reset entry by entry, so a long pre-token costs O(its entries).
    std::vector<std::int32_t> bucket_of_rank;
    std::vector<bpe_bucket> buckets;
    std::vector<std::size_t> bucket_bytes;    // bytes of the initial candidates per bucket (to reserve exactly)
    std::vector<std::uint32_t> bucket_last;   // while counting them: the last position per bucket
    std::vector<std::uint32_t> free_buckets;
    std::vector<std::uint32_t> rank_heap;
    std::vector<std::uint32_t> sort_tmp;
};

// Pre-tokens up to this many symbols use the heap, longer ones the bucket queue.
inline constexpr std::size_t bpe_bucket_threshold = 256;

// Pre-tokens of more symbols than this give their merge buffers back when done, so that one
// huge input does not leave a session holding gigabytes.
inline constexpr std::size_t bpe_scratch_keep_symbols = std::size_t(1) << 20;

namespace detail {

// The start of the span after the one starting at s (n after the last one).
inline std::int32_t bpe_next_span(const std::int32_t* ids, std::int32_t s, std::int32_t n) noexcept {
    const std::int32_t t = s + 1;
    return t >= n || ids[t] >= 0 ? t : s - ids[t];
}
// The start of the span before the one starting at t > 0.
inline std::int32_t bpe_prev_span(const std::int32_t* ids, std::int32_t t) noexcept {
    return ids[t - 1] >= 0 ? t - 1 : t + ids[t - 1];
}

// Tries the candidate (rank, pos): applies it unless stale (HF's checks: the left symbol is
// gone, has no right neighbour, or the pair there now merges into a different token).
// Calls push(rank, pos) for the new pairs the merged symbol forms with its neighbours.
template <class Push>
inline void bpe_try_merge(const bpe_merge_table& table, const std::vector<std::int32_t>& merged_by_rank,
                          std::uint32_t rank, std::int32_t pos, bpe_merge_scratch& s, Push&& push) {
    std::int32_t* const ids = s.ids.data();
    const auto n = std::int32_t(s.ids.size());
    if (ids[pos] < 0) return;
    const std::int32_t nxt = bpe_next_span(ids, pos, n);
    if (nxt >= n) return;
    const auto* m = table.find(ids[pos], ids[nxt]);
    if (!m || m->merged != merged_by_rank[rank]) return;
    // Join [pos, nxt) and [nxt, end) into [pos, end).
    const std::int32_t merged = m->merged, end = bpe_next_span(ids, nxt, n);
    ids[nxt] = -1;
    ids[pos] = merged;
    ids[pos + 1] = pos - end;
    ids[end - 1] = pos - end;
    if (pos > 0) {
        const std::int32_t p = bpe_prev_span(ids, pos);
        if (const auto* pm = table.find(ids[p], merged)) push(pm->rank, p);
    }
    if (end < n)
        if (const auto* qm = table.find(merged, ids[end])) push(qm->rank, pos);
}

// Appends the final ids to `out`. A huge pre-token's ids are compacted in place and the
// buffer handed to `out` (its few earlier ids moved in front), so the output costs no second
// array beside the symbols (on 100 MB of one CJK character: 2.7 bytes an input byte).
inline void bpe_emit(bpe_merge_scratch& s, std::vector<std::int32_t>& out) {
    std::int32_t* const ids = s.ids.data();
    const auto n = std::int32_t(s.ids.size());
    if (std::size_t(n) <= bpe_bucket_threshold) {
        for (std::int32_t i = 0; i < n; i = bpe_next_span(ids, i, n)) out.push_back(ids[i]);
        return;
    }
    std::size_t live = 0;
    for (std::int32_t i = 0; i < n; i = bpe_next_span(ids, i, n)) ++live;
    if (std::size_t(n) > bpe_scratch_keep_symbols && out.size() <= live && out.size() + live <= s.ids.capacity()) {
        // Writes go at or before the span being read, and its successor is read first.
        std::size_t w = 0;
        for (std::int32_t i = 0; i < n;) {
            const std::int32_t next = bpe_next_span(ids, i, n);
            ids[w++] = ids[i];
            i = next;
        }
        s.ids.resize(live);
        s.ids.insert(s.ids.begin(), out.begin(), out.end());  // within capacity: no copy of the buffer
        out.swap(s.ids);
        return;
    }
    if (live > out.capacity() - out.size() && live > out.size()) out.reserve(out.size() + live);  // one exact reserve
    for (std::int32_t i = 0; i < n; i = bpe_next_span(ids, i, n)) out.push_back(ids[i]);
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
// than the heap on long pre-tokens (a megabyte of one letter), and a candidate usually takes
// one byte (see bpe_bucket) instead of the heap's eight. The initial candidates are counted
// per rank first (a second lookup of each pair), so each bucket is allocated once at its
// size: no doubling copies of the biggest buffers.
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
                s.bucket_bytes.push_back(0);
                s.bucket_last.push_back(0);
            }
            b = std::int32_t(s.free_buckets.back());
            s.free_buckets.pop_back();
            s.bucket_of_rank[rank] = b;
            rank_heap.push_back(rank);
            std::push_heap(rank_heap.begin(), rank_heap.end(), later);
        }
        return std::size_t(b);
    };
    const auto push = [&](std::uint32_t rank, std::int32_t pos) { s.buckets[bucket(rank)].push(std::uint32_t(pos)); };
    // Initial candidates: counted (bytes per bucket), the buckets sized, then filled in
    // position order.
    for (std::size_t i = 0; i + 1 < n; ++i)
        if (const auto* m = table.find(s.ids[i], s.ids[i + 1])) {
            const std::size_t b = bucket(m->rank);
            s.bucket_bytes[b] += bpe_bucket::encoded_size(s.bucket_last[b], std::uint32_t(i));
            s.bucket_last[b] = std::uint32_t(i);
        }
    for (const std::uint32_t rank : rank_heap) {
        const auto b = std::size_t(s.bucket_of_rank[rank]);
        s.buckets[b].reserve(s.bucket_bytes[b]);
        s.bucket_bytes[b] = 0;
        s.bucket_last[b] = 0;
    }
    for (std::size_t i = 0; i + 1 < n; ++i)
        if (const auto* m = table.find(s.ids[i], s.ids[i + 1]))
            s.buckets[std::size_t(s.bucket_of_rank[m->rank])].push(std::uint32_t(i));

    bpe_bucket current;  // the bucket being consumed, swapped out of the pool
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
        current.sort(s.sort_tmp);
        bool interrupted = false;
        const auto push_checked = [&](std::uint32_t r, std::int32_t p) {
            interrupted |= r <= rank;
            push(r, p);
        };
        bpe_bucket::cursor at;
        while (!interrupted && current.next(at))
            detail::bpe_try_merge(table, merged_by_rank, rank, std::int32_t(at.pos), s, push_checked);
        if (interrupted || !s.buckets[b].empty()) {
            // A smaller rank (now at the top) goes first; the rest waits in its bucket.
            for (bpe_bucket::cursor rest = at; current.next(rest);) s.buckets[b].push(rest.pos);
            if (!s.buckets[b].empty()) continue;
        }
        std::swap(current, s.buckets[b]);  // keep the capacity in the pool
        s.buckets[b].clear();
        s.bucket_of_rank[rank] = -1;  // its heap entry is dropped when it reaches the top
        s.free_buckets.push_back(std::uint32_t(b));
        // A huge bucket goes back to the allocator at once rather than to the pool.
        if (s.buckets[b].capacity() > bpe_scratch_keep_symbols) s.buckets[b].release();
    }
    if (n > bpe_scratch_keep_symbols) {  // before the output grows
        current.release();
        for (auto& v : s.buckets) v.release();
        detail::bpe_release(s.sort_tmp);
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
