#pragma once
// HNSW: approximate nearest-neighbour search on a hierarchical navigable small-world graph
// (Malkov & Yashunin, "Efficient and robust approximate nearest neighbor search using
// Hierarchical Navigable Small World graphs", 2016/2018; algorithm numbers below refer to
// that paper).
//
// Node i lives on levels 0..level(i); level 0 holds every node with up to M0 = 2M links,
// upper levels up to M. A search descends greedily from the top entry point (ef = 1) and
// runs a best-first search with a dynamic list of `ef` results on level 0 (Algorithm 2).
// Insertion (Algorithm 1) links a node to neighbours picked by the diversity heuristic
// (Algorithm 4, without extendCandidates): a candidate is kept only when it is closer to
// the new node than to every neighbour kept so far; with keep_pruned (the default) the new
// node's own list is then topped up to M with the nearest dropped candidates, while a
// neighbour's full list is re-pruned by the heuristic alone.
//
// Determinism: a node's level is a pure function of (seed, node id) — splitmix64, not a
// stateful generator — and insertion is sequential, so the same vectors added in the same
// order with the same parameters give the same graph, also after save/load.
//
// Scores follow similarity.hpp (higher is better): cosine vectors are normalised when
// added (the score is then the dot product of unit vectors), dot is the raw inner
// product, l2 the negated squared distance. Internally the graph works with distance =
// −score.
//
// Deletion marks a node: it still routes searches but is never returned. Filtered search
// (search_if) works the same way for rows the predicate rejects; with very selective
// filters it may find fewer than k rows, which is why catalog.hpp falls back to an exact
// scan of the matching rows then.
//
// Threads: any number of concurrent search calls are safe (each thread has its own
// visited list); add and mark_deleted need exclusive access.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <queue>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "tessera/core/aligned.hpp"
#include "tessera/core/error.hpp"
#include "tessera/io/byte_reader.hpp"
#include "tessera/io/mapped_file.hpp"
#include "tessera/search/index_file.hpp"
#include "tessera/search/similarity.hpp"

namespace tessera::search {

struct hnsw_params {
    std::size_t M = 16;                 // links per node on upper levels (level 0: 2M)
    std::size_t ef_construction = 200;  // candidate list length while inserting
    std::size_t ef_search = 64;         // default candidate list length while searching
    metric kind = metric::cosine;
    std::uint64_t seed = 100;
    // A new node whose heuristic keeps fewer than M of its candidates fills its own list
    // with the nearest pruned ones (keepPrunedConnections of Malkov & Yashunin, Alg. 4).
    // Links of existing nodes are still pruned by the heuristic alone. On 50k × 384
    // clustered rows (M 16, ef_construction 100) it raised recall@10 at ef 32 from 0.9494
    // to 0.9541 (mean of 5 level seeds) at the same search speed and build time
    // (docs/benchmarks.md). Used while inserting only, so it is not stored in index files.
    bool keep_pruned = true;
};

template <class Arch = simd::default_arch>
class basic_hnsw_index {
public:
    static constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();
    static constexpr int max_levels = 32;
    static constexpr std::uint32_t section_tag = index_file::tag("HNSW");

    basic_hnsw_index(std::size_t dim, const hnsw_params& p = {}) : p_(p), dim_(dim) {
        require(dim > 0, error_kind::invalid_argument, "hnsw: dimension must be positive");
        require(p.M >= 2 && p.M <= 1024, error_kind::invalid_argument, "hnsw: M must be in [2, 1024]");
        require(p.ef_construction >= 1 && p.ef_search >= 1, error_kind::invalid_argument, "hnsw: ef must be positive");
        m0_ = 2 * p.M;
        stride_ = (dim + 15) / 16 * 16;  // each vector starts on a cache line
    }

    std::size_t dim() const noexcept { return dim_; }
    std::size_t size() const noexcept { return levels_.size(); }  // nodes, deleted ones included
    const hnsw_params& params() const noexcept { return p_; }
    void set_ef_search(std::size_t ef) {
        require(ef >= 1, error_kind::invalid_argument, "hnsw: ef_search must be positive");
        p_.ef_search = ef;
    }
    bool is_deleted(std::size_t id) const noexcept { return id < size() && deleted_[id]; }
    int level_of(std::size_t id) const noexcept { return levels_[id]; }
    // Node id's links on `level` (≤ level_of(id)): graph diagnostics and tests.
    std::span<const std::uint32_t> neighbours(std::size_t id, int level) const {
        require(id < size() && level >= 0 && level <= levels_[id], error_kind::out_of_range, [&] {
            return "hnsw::neighbours: node " + std::to_string(id) + " has no level " + std::to_string(level);
        });
        return links(static_cast<std::uint32_t>(id), level);
    }
    const float* vector(std::size_t id) const noexcept { return vectors_.data() + id * stride_; }

    // Adds a vector; returns its id (ids are 0, 1, 2, … in insertion order).
    std::size_t add(std::span<const float> v) {
        check_query(v, dim_, "hnsw::add");
        require(size() + 1 < none, error_kind::too_large, "hnsw::add: the index is full (2^32 − 1 nodes)");
        const auto id = static_cast<std::uint32_t>(size());
        const int level = random_level(id);
        vectors_.resize(vectors_.size() + stride_, 0.0f);
        float* x = vectors_.data() + std::size_t(id) * stride_;
        std::copy(v.begin(), v.end(), x);
        if (p_.kind == metric::cosine) normalize<Arch>(std::span<float>(x, dim_));
        links0_.resize(links0_.size() + 1 + m0_, 0);
        upper_.emplace_back(std::size_t(level) * (1 + p_.M), 0);
        levels_.push_back(static_cast<std::uint8_t>(level));
        deleted_.push_back(0);
        if (entry_ == none) {
            entry_ = id;
            max_level_ = level;
            return id;
        }
        std::uint32_t cur = entry_;
        float dcur = distance(x, vector(cur));
        for (int l = max_level_; l > level; --l) greedy(x, cur, dcur, l);
        for (int l = std::min(level, max_level_); l >= 0; --l) {
            auto found = search_layer(x, cur, dcur, p_.ef_construction, l, [](std::uint32_t) { return true; });
            std::sort(found.begin(), found.end());
            cur = found.front().second;
            dcur = found.front().first;
            auto chosen = select_neighbors(found, p_.M);
            if (p_.keep_pruned) chosen = with_pruned(found, chosen, p_.M);
            set_links(id, l, chosen);
            for (const auto& [d, nb] : chosen) connect(nb, id, d, l);
        }
        if (level > max_level_) {
            entry_ = id;
            max_level_ = level;
        }
        return id;
    }

    void mark_deleted(std::size_t id, bool deleted = true) {
        require(id < size(), error_kind::out_of_range,
                [&] { return "hnsw::mark_deleted: id " + std::to_string(id) + " of " + std::to_string(size()); });
        deleted_[id] = deleted ? 1 : 0;
    }

    // The best k live nodes, best first; ef = 0 uses params().ef_search (ef is raised to k).
    std::vector<hit> search(std::span<const float> q, std::size_t k, std::size_t ef = 0) const {
        return search_if(q, k, ef, [](std::size_t) { return true; });
    }

    // As search, returning only nodes for which allowed(id) holds.
    template <class Pred>
    std::vector<hit> search_if(std::span<const float> q, std::size_t k, std::size_t ef, Pred&& allowed) const {
        check_query(q, dim_, "hnsw::search");
        if (k == 0 || entry_ == none) return {};
        std::vector<float> qv(stride_, 0.0f);
        std::copy(q.begin(), q.end(), qv.begin());
        if (p_.kind == metric::cosine) normalize<Arch>(std::span<float>(qv.data(), dim_));
        std::uint32_t cur = entry_;
        float dcur = distance(qv.data(), vector(cur));
        for (int l = max_level_; l > 0; --l) greedy(qv.data(), cur, dcur, l);
        auto found = search_layer(qv.data(), cur, dcur, std::max(ef ? ef : p_.ef_search, k), 0,
                                  [&](std::uint32_t id) { return !deleted_[id] && allowed(std::size_t(id)); });
        std::vector<hit> out;
        out.reserve(found.size());
        for (const auto& [d, id] : found) out.push_back({id, -d});
        std::sort(out.begin(), out.end(), [](const hit& a, const hit& b) { return ranks_before(a, b); });
        if (out.size() > k) out.resize(k);
        return out;
    }

    // --- files ------------------------------------------------------------------------
    void save(const std::string& path) const {
        index_file::section s{section_tag, {}};
        write_payload(s.payload);
        index_file::write(path, index_file::file_kind::hnsw, {s});
    }
    static basic_hnsw_index load(const std::string& path, const index_limits& lim = {}) {
        const io::mapped_file f(path, io::mapped_file::mode::read_into_memory);
        return from_bytes(f.bytes(), path, lim);
    }
    static basic_hnsw_index from_bytes(std::span<const std::byte> bytes, const std::string& what,
                                       const index_limits& lim = {}) {
        const auto file = index_file::parse(bytes, index_file::file_kind::hnsw, what, lim);
        io::byte_reader r(file.get(section_tag, what), what + " [HNSW]");
        auto index = read_payload(r, lim);
        index_file::expect_end(r);
        return index;
    }

    // Payload layout (little-endian): u64 dim, M, M0, ef_construction, ef_search;
    // u32 metric, u32 0; u64 seed; u64 count; u64 entry (2^64−1: empty); i32 max_level, u32 0;
    // count × u8 level; count × u8 deleted; count × (1 + M0) u32 level-0 lists (length, then
    // links); for each node with level ≥ 1, level × (1 + M) u32 upper lists; count × dim f32.
    void write_payload(std::vector<std::byte>& out) const {
        index_file::byte_writer w;
        for (std::uint64_t v : {std::uint64_t(dim_), std::uint64_t(p_.M), std::uint64_t(m0_),
                                std::uint64_t(p_.ef_construction), std::uint64_t(p_.ef_search)})
            w.put(v);
        w.put<std::uint32_t>(static_cast<std::uint32_t>(p_.kind));
        w.put<std::uint32_t>(0);
        w.put<std::uint64_t>(p_.seed);
        w.put<std::uint64_t>(size());
        w.put<std::uint64_t>(entry_ == none ? ~std::uint64_t(0) : entry_);
        w.put<std::int32_t>(max_level_);
        w.put<std::uint32_t>(0);
        w.put_bytes(levels_.data(), levels_.size());
        w.put_bytes(deleted_.data(), deleted_.size());
        w.put_bytes(links0_.data(), links0_.size() * 4);
        for (const auto& u : upper_) w.put_bytes(u.data(), u.size() * 4);
        for (std::size_t i = 0; i < size(); ++i) w.put_bytes(vector(i), dim_ * 4);
        auto& b = w.bytes();
        out.insert(out.end(), b.begin(), b.end());
    }

    // Reads and validates a payload: every count against the bytes left and the limits
    // before allocating, every link in range and on a level its target has.
    static basic_hnsw_index read_payload(io::byte_reader& r, const index_limits& lim) {
        const std::string& what = r.what();
        const auto dim = r.read<std::uint64_t>(), M = r.read<std::uint64_t>(), M0 = r.read<std::uint64_t>();
        const auto efc = r.read<std::uint64_t>(), efs = r.read<std::uint64_t>();
        const auto kind = r.read<std::uint32_t>();
        r.read<std::uint32_t>();
        const auto seed = r.read<std::uint64_t>();
        const auto count = r.read<std::uint64_t>();
        const auto entry = r.read<std::uint64_t>();
        const auto max_level = r.read<std::int32_t>();
        r.read<std::uint32_t>();
        auto fail = [&](error_kind k, const std::string& msg) { throw error(k, what + ": " + msg); };
        if (dim == 0) fail(error_kind::malformed, "dimension 0");
        if (dim > lim.max_dim) fail(error_kind::too_large, "dimension " + std::to_string(dim) + " exceeds the cap");
        if (M < 2 || M > 1024 || M > lim.max_neighbors) fail(error_kind::malformed, "M = " + std::to_string(M) + " out of range");
        if (M0 != 2 * M) fail(error_kind::inconsistent, "M0 = " + std::to_string(M0) + " is not 2·M");
        if (efc == 0 || efs == 0 || efc > (1u << 20) || efs > (1u << 20)) fail(error_kind::malformed, "ef out of range");
        if (kind > 2) fail(error_kind::unsupported, "unknown metric " + std::to_string(kind));
        if (count > lim.max_rows) fail(error_kind::too_large, std::to_string(count) + " nodes exceed the cap");
        if ((count == 0) != (entry == ~std::uint64_t(0)) || (count == 0) != (max_level == -1))
            fail(error_kind::inconsistent, "entry point and node count disagree");
        if (count && entry >= count) fail(error_kind::out_of_range, "entry point " + std::to_string(entry) + " ≥ count");
        if (max_level < -1 || max_level >= max_levels) fail(error_kind::malformed, "max level out of range");

        hnsw_params p{.M = M, .ef_construction = efc, .ef_search = efs, .kind = static_cast<metric>(kind), .seed = seed};
        basic_hnsw_index ix(dim, p);
        const std::size_t n = count;
        index_file::need_items(r, n, 2, "node levels and flags");
        const auto lv = r.take(n, "levels"), del = r.take(n, "deleted flags");
        ix.levels_.resize(n);
        ix.deleted_.resize(n);
        int top = -1;
        for (std::size_t i = 0; i < n; ++i) {
            ix.levels_[i] = std::to_integer<std::uint8_t>(lv[i]);
            ix.deleted_[i] = std::to_integer<std::uint8_t>(del[i]);
            if (ix.levels_[i] >= max_levels) fail(error_kind::malformed, "node " + std::to_string(i) + " level out of range");
            if (ix.deleted_[i] > 1) fail(error_kind::malformed, "node " + std::to_string(i) + " deleted flag not 0/1");
            top = std::max<int>(top, ix.levels_[i]);
        }
        if (top != max_level || (n && ix.levels_[entry] != max_level))
            fail(error_kind::inconsistent, "max level " + std::to_string(max_level) + " does not match the node levels");

        index_file::need_items(r, n, 4 * (1 + M0), "level-0 links");
        ix.links0_.resize(n * (1 + M0));
        const auto links0 = r.take(n * (1 + M0) * 4, "level-0 links");
        if (n) std::memcpy(ix.links0_.data(), links0.data(), links0.size());  // an empty vector's data() may be null
        std::uint64_t upper_words = 0;
        for (std::size_t i = 0; i < n; ++i) upper_words = checked_add(upper_words, ix.levels_[i] * (1 + M), "upper links");
        index_file::need_items(r, upper_words, 4, "upper links");
        ix.upper_.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t words = ix.levels_[i] * (1 + M);
            ix.upper_[i].resize(words);
            if (words) std::memcpy(ix.upper_[i].data(), r.take(words * 4, "upper links").data(), words * 4);
        }
        for (std::size_t i = 0; i < n; ++i)
            for (int l = 0; l <= ix.levels_[i]; ++l) {
                const auto links = ix.links(std::uint32_t(i), l);
                const std::size_t cap = l == 0 ? M0 : M;
                if (links.size() > cap)
                    fail(error_kind::inconsistent, "node " + std::to_string(i) + " has " + std::to_string(links.size()) +
                                                       " links on level " + std::to_string(l) + " (max " + std::to_string(cap) + ")");
                for (std::uint32_t nb : links) {
                    if (nb >= n)
                        fail(error_kind::out_of_range, "node " + std::to_string(i) + " links to " + std::to_string(nb) +
                                                           " of " + std::to_string(n) + " nodes");
                    if (nb == i) fail(error_kind::inconsistent, "node " + std::to_string(i) + " links to itself");
                    if (ix.levels_[nb] < l)
                        fail(error_kind::inconsistent, "node " + std::to_string(i) + " links on level " +
                                                           std::to_string(l) + " to node " + std::to_string(nb) +
                                                           " that is not on that level");
                }
            }
        index_file::need_items(r, n, 4 * dim, "vectors");
        ix.vectors_.assign(n * ix.stride_, 0.0f);
        const auto vb = r.take(n * dim * 4, "vectors");
        for (std::size_t i = 0; i < n; ++i) {
            float* x = ix.vectors_.data() + i * ix.stride_;
            std::memcpy(x, vb.data() + i * dim * 4, dim * 4);
            for (std::size_t j = 0; j < dim; ++j)
                if (!std::isfinite(x[j])) fail(error_kind::invalid_data, "vector " + std::to_string(i) + " is not finite");
            if (p.kind == metric::cosine) {
                const float nrm = norm<Arch>(x, dim);
                if (nrm != 0.0f && std::abs(nrm - 1.0f) > 1e-3f)
                    fail(error_kind::inconsistent, "cosine vector " + std::to_string(i) + " is not normalised");
            }
        }
        ix.entry_ = n ? std::uint32_t(entry) : none;
        ix.max_level_ = max_level;
        return ix;
    }

private:
    using scored = std::pair<float, std::uint32_t>;  // (distance, id)

    float distance(const float* a, const float* b) const noexcept {
        const float* rows[1] = {b};
        float s;
        if (p_.kind == metric::l2) score_rows<Arch, metric::l2, 1>(a, rows, dim_, 0.0f, &s);
        else score_rows<Arch, metric::dot, 1>(a, rows, dim_, 0.0f, &s);
        return -s;
    }
    // Distances from q to the n <= 4 nodes ids[0..n): four at once when there are four, so
    // their cache misses overlap. A node's distance has the same bits either way
    // (similarity.hpp: score_rows is per-row deterministic).
    void distances(const float* q, const std::uint32_t* ids, std::size_t n, float* out) const noexcept {
        if (n == 4) {
            const float* rows[4] = {vector(ids[0]), vector(ids[1]), vector(ids[2]), vector(ids[3])};
            if (p_.kind == metric::l2) score_rows<Arch, metric::l2, 4>(q, rows, dim_, 0.0f, out);
            else score_rows<Arch, metric::dot, 4>(q, rows, dim_, 0.0f, out);
            for (std::size_t i = 0; i < 4; ++i) out[i] = -out[i];
            return;
        }
        for (std::size_t i = 0; i < n; ++i) out[i] = distance(q, vector(ids[i]));
    }
    void prefetch_vector(std::uint32_t id, std::size_t from_byte) const noexcept {
        const char* v = reinterpret_cast<const char*>(vector(id));
        for (std::size_t off = from_byte; off < dim_ * sizeof(float); off += 64) __builtin_prefetch(v + off);
    }
    // Scores `ids` four at a time, in order, and hands each (distance, id) to visit; each
    // group asks for the next group's vectors (from byte prefetch_from on: the caller may
    // have asked for their first line already) while it is scored.
    template <class Visit>
    void score_in_fours(const float* q, std::span<const std::uint32_t> ids, std::size_t prefetch_from,
                        Visit&& visit) const {
        for (std::size_t i = 0; i < ids.size(); i += 4) {
            for (std::size_t j = i + 4; j < std::min(ids.size(), i + 8); ++j) prefetch_vector(ids[j], prefetch_from);
            const std::size_t n = std::min<std::size_t>(4, ids.size() - i);
            float d4[4];
            distances(q, ids.data() + i, n, d4);
            for (std::size_t k = 0; k < n; ++k) visit(d4[k], ids[i + k]);
        }
    }

    static std::uint64_t splitmix64(std::uint64_t x) noexcept {
        x += 0x9e3779b97f4a7c15ull;
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
        return x ^ (x >> 31);
    }
    // level = ⌊−ln(u)·mL⌋ with mL = 1/ln(M) (the paper's choice), u uniform in (0, 1].
    int random_level(std::uint32_t id) const noexcept {
        const double u = double((splitmix64(p_.seed ^ splitmix64(id)) >> 11) + 1) * 0x1p-53;
        const double l = -std::log(u) / std::log(double(p_.M));
        return std::min(max_levels - 1, int(l));
    }

    // A node's link list on a level: the count, then the links.
    const std::uint32_t* link_list(std::uint32_t id, int level) const noexcept {
        return level == 0 ? links0_.data() + std::size_t(id) * (1 + m0_)
                          : upper_[id].data() + std::size_t(level - 1) * (1 + p_.M);
    }
    std::span<const std::uint32_t> links(std::uint32_t id, int level) const noexcept {
        const std::uint32_t* p = link_list(id, level);
        return {p + 1, p[0]};
    }
    std::uint32_t* links_mut(std::uint32_t id, int level) noexcept {
        return level == 0 ? links0_.data() + std::size_t(id) * (1 + m0_) : upper_[id].data() + std::size_t(level - 1) * (1 + p_.M);
    }
    void set_links(std::uint32_t id, int level, const std::vector<scored>& chosen) noexcept {
        std::uint32_t* p = links_mut(id, level);
        p[0] = static_cast<std::uint32_t>(chosen.size());
        for (std::size_t i = 0; i < chosen.size(); ++i) p[1 + i] = chosen[i].second;
    }

    // Greedy walk on one level towards q (search with ef = 1). Each step scores the links of
    // the node it stands on four at a time (as search_layer does), then moves in link order.
    void greedy(const float* q, std::uint32_t& cur, float& dcur, int level) const noexcept {
        for (bool changed = true; changed;) {
            changed = false;
            const auto nbs = links(cur, level);
            for (std::size_t i = 0; i < std::min<std::size_t>(4, nbs.size()); ++i) prefetch_vector(nbs[i], 0);
            score_in_fours(q, nbs, 0, [&](float d, std::uint32_t nb) {
                if (d < dcur || (d == dcur && nb < cur)) {
                    dcur = d;
                    cur = nb;
                    changed = true;
                }
            });
        }
    }

    // Visited marks by generation number, one list per thread, reused across searches
    // (with the buffer of a node's unvisited neighbours).
    struct visited_list {
        std::vector<std::uint32_t> mark;
        std::vector<std::uint32_t> fresh;
        std::uint32_t generation = 0;
        void start(std::size_t n) {
            if (mark.size() < n) mark.resize(n, 0);
            if (++generation == 0) {
                std::fill(mark.begin(), mark.end(), 0);
                generation = 1;
            }
        }
        bool visit(std::uint32_t id) noexcept {
            if (mark[id] == generation) return false;
            mark[id] = generation;
            return true;
        }
    };
    static visited_list& visited() {
        static thread_local visited_list v;
        return v;
    }

    // Algorithm 2: best-first search on one level from ep, keeping the ef closest nodes
    // that `allowed` accepts (others are traversed but not kept). Unsorted result.
    template <class Allowed>
    std::vector<scored> search_layer(const float* q, std::uint32_t ep, float dep, std::size_t ef, int level,
                                     Allowed&& allowed) const {
        visited_list& vis = visited();
        vis.start(size());
        std::priority_queue<scored, std::vector<scored>, std::greater<scored>> candidates;  // nearest on top
        std::priority_queue<scored> results;                                                // farthest on top
        float bound = std::numeric_limits<float>::infinity();
        vis.visit(ep);
        candidates.push({dep, ep});
        if (allowed(ep)) {
            results.push({dep, ep});
            bound = dep;
        }
        while (!candidates.empty()) {
            const auto [dc, c] = candidates.top();
            if (dc > bound && results.size() >= ef) break;
            candidates.pop();
            // The next candidate is most often the one now on top: ask for its link list
            // while this one's neighbours are scored (it is a dependent miss otherwise).
            if (!candidates.empty()) __builtin_prefetch(link_list(candidates.top().second, level));
            // The unvisited neighbours, scored four at a time in link order; the vectors are
            // what the search waits for (one random 1.5 KB read per visit at 384-d), so
            // the first four are asked for whole and the first line of the others now, and
            // each group of four asks for the next group's vectors while it is scored.
            std::vector<std::uint32_t>& fresh = vis.fresh;
            fresh.clear();
            for (std::uint32_t nb : links(c, level))
                if (vis.visit(nb)) {
                    if (fresh.size() < 4) prefetch_vector(nb, 0);
                    else __builtin_prefetch(vector(nb));
                    fresh.push_back(nb);
                }
            score_in_fours(q, fresh, 64, [&](float d, std::uint32_t nb) {
                if (results.size() < ef || d < bound) {
                    candidates.push({d, nb});
                    if (allowed(nb)) {
                        results.push({d, nb});
                        if (results.size() > ef) results.pop();
                        bound = results.top().first;
                    }
                }
            });
        }
        std::vector<scored> out;
        out.reserve(results.size());
        for (; !results.empty(); results.pop()) out.push_back(results.top());
        return out;
    }

    // Algorithm 4 (heuristic): from candidates sorted nearest first, keep a node only if it
    // is closer to the base than to every node kept so far; at most m.
    std::vector<scored> select_neighbors(const std::vector<scored>& sorted, std::size_t m) const {
        std::vector<scored> kept;
        kept.reserve(m);
        for (const auto& c : sorted) {
            if (kept.size() >= m) break;
            bool good = true;
            for (const auto& k : kept)
                if (distance(vector(c.second), vector(k.second)) < c.first) {
                    good = false;
                    break;
                }
            if (good) kept.push_back(c);
        }
        return kept;
    }

    // `chosen` (a subsequence of `sorted`) topped up to m with the nearest candidates the
    // heuristic dropped; nearest first.
    static std::vector<scored> with_pruned(const std::vector<scored>& sorted, const std::vector<scored>& chosen,
                                           std::size_t m) {
        if (chosen.size() >= m || chosen.size() == sorted.size()) return chosen;
        std::vector<scored> out;
        out.reserve(m);
        std::size_t extra = m - chosen.size(), next = 0;
        for (const auto& c : sorted) {
            if (next < chosen.size() && chosen[next] == c) {
                out.push_back(c);
                ++next;
            } else if (extra > 0) {
                out.push_back(c);
                --extra;
            }
            if (out.size() == m) break;
        }
        return out;
    }

    // Adds a link nb → id on `level`, shrinking nb's list with the heuristic when full.
    void connect(std::uint32_t nb, std::uint32_t id, float d, int level) {
        const std::size_t cap = level == 0 ? m0_ : p_.M;
        std::uint32_t* p = links_mut(nb, level);
        if (p[0] < cap) {
            p[1 + p[0]] = id;
            ++p[0];
            return;
        }
        std::vector<scored> cand;
        cand.reserve(cap + 1);
        cand.push_back({d, id});
        for (std::uint32_t i = 0; i < p[0]; ++i) cand.push_back({distance(vector(nb), vector(p[1 + i])), p[1 + i]});
        std::sort(cand.begin(), cand.end());
        set_links(nb, level, select_neighbors(cand, cap));
    }

    hnsw_params p_;
    std::size_t dim_, m0_ = 0, stride_ = 0;
    std::vector<float, aligned_allocator<float>> vectors_;  // [n][stride_]
    std::vector<std::uint32_t> links0_;                     // [n][1 + M0]: length, links
    std::vector<std::vector<std::uint32_t>> upper_;         // node → [level − 1][1 + M]
    std::vector<std::uint8_t> levels_, deleted_;
    std::uint32_t entry_ = none;
    int max_level_ = -1;
};

using hnsw_index = basic_hnsw_index<>;

}  // namespace tessera::search
