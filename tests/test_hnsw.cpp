#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <set>
#include <vector>

#include <unistd.h>

#include "tessera/search/hnsw.hpp"
#include "tessera/search/topk.hpp"

using namespace tessera;
using namespace tessera::search;

namespace {

// n points around `clusters` random centres (a stand-in for sentence embeddings, which
// are clustered, unlike uniform noise on which no graph index works well).
tensor<float> clustered(std::size_t n, std::size_t d, std::size_t clusters, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> g(0.0f, 1.0f);
    tensor<float> centres(shape{clusters, d});
    for (float& v : centres.span()) v = g(rng);
    tensor<float> x(shape{n, d});
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t c = rng() % clusters;
        for (std::size_t j = 0; j < d; ++j) x(i, j) = centres(c, j) + 0.35f * g(rng);
    }
    return x;
}

hnsw_index build(const tensor<float>& x, const hnsw_params& p) {
    hnsw_index ix(x.extent(1), p);
    for (std::size_t i = 0; i < x.extent(0); ++i) ix.add(std::span<const float>(x.data() + i * x.extent(1), x.extent(1)));
    return ix;
}

double recall_at_10(const hnsw_index& ix, const tensor<float>& x, const tensor<float>& qs, metric kind, std::size_t ef) {
    const std::size_t d = x.extent(1);
    std::size_t found = 0, total = 0;
    for (std::size_t i = 0; i < qs.extent(0); ++i) {
        const std::span<const float> q(qs.data() + i * d, d);
        const auto truth = exact_top_k(q, x.view(), 10, {.kind = kind});
        const auto got = ix.search(q, 10, ef);
        std::set<std::size_t> t;
        for (const hit& h : truth) t.insert(h.corpus_id);
        for (const hit& h : got) found += t.count(h.corpus_id);
        total += truth.size();
    }
    return double(found) / double(total);
}

std::vector<std::byte> file_bytes(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::vector<char> c((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::vector<std::byte> b(c.size());
    std::memcpy(b.data(), c.data(), c.size());
    return b;
}

error_kind kind_of(auto&& fn) {
    try {
        fn();
    } catch (const error& e) {
        return e.kind();
    }
    return error_kind::io;  // marker for "accepted"
}

}  // namespace

TEST_CASE("hnsw recall@10 >= 0.95 against exact search on 20k x 64 clustered vectors") {
    // Queries come from the same clusters as the data (as user queries resemble products).
    const auto all = clustered(20200, 64, 20, 1);
    const auto x = tensor<float>::from_view(all.view().slice(0, 0, 20000));
    const auto qs = tensor<float>::from_view(all.view().slice(0, 20000, 20200));
    for (metric kind : {metric::cosine, metric::l2}) {
        const auto ix = build(x, {.M = 16, .ef_construction = 100, .kind = kind, .seed = 7});
        const double r = recall_at_10(ix, x, qs, kind, 64);
        MESSAGE(std::string(to_string(kind)), " recall@10 at ef=64: ", r);
        CHECK(r >= 0.95);
        CHECK(recall_at_10(ix, x, qs, kind, 200) >= r);
    }
}

TEST_CASE("hnsw keep_pruned: the new node keeps M links, recall holds either way") {
    const auto all = clustered(8100, 32, 20, 5);
    const auto x = tensor<float>::from_view(all.view().slice(0, 0, 8000));
    const auto qs = tensor<float>::from_view(all.view().slice(0, 8000, 8100));
    const auto kept = build(x, {.M = 8, .ef_construction = 64, .seed = 3, .keep_pruned = true});
    const auto plain = build(x, {.M = 8, .ef_construction = 64, .seed = 3, .keep_pruned = false});
    // The last node added: nothing was linked to it after, so its list is what insertion gave.
    CHECK(kept.neighbours(7999, 0).size() == 8);
    CHECK(plain.neighbours(7999, 0).size() <= 8);
    std::size_t links_kept = 0, links_plain = 0;
    for (std::size_t i = 0; i < x.extent(0); ++i) {
        links_kept += kept.neighbours(i, 0).size();
        links_plain += plain.neighbours(i, 0).size();
    }
    CHECK(links_kept > links_plain);
    CHECK(recall_at_10(kept, x, qs, metric::cosine, 64) >= 0.95);
    CHECK(recall_at_10(plain, x, qs, metric::cosine, 64) >= 0.95);
    CHECK_THROWS_AS(kept.neighbours(8000, 0), error);
    CHECK_THROWS_AS(kept.neighbours(0, kept.level_of(0) + 1), error);
}

TEST_CASE("hnsw is deterministic given a seed, and save/load keeps it") {
    const auto x = clustered(2000, 16, 20, 3);
    const auto qs = clustered(20, 16, 20, 4);
    const hnsw_params p{.M = 8, .ef_construction = 50, .kind = metric::dot, .seed = 11};
    const auto a = build(x, p), b = build(x, p);
    const auto path = "/tmp/tessera_test_hnsw_" + std::to_string(::getpid());
    a.save(path + "_a");
    b.save(path + "_b");
    CHECK(file_bytes(path + "_a") == file_bytes(path + "_b"));
    const auto loaded = hnsw_index::load(path + "_a");
    CHECK(loaded.size() == a.size());
    for (std::size_t i = 0; i < qs.extent(0); ++i) {
        const std::span<const float> q(qs.data() + i * 16, 16);
        CHECK(a.search(q, 10) == loaded.search(q, 10));
    }
    // Adding after a load continues deterministically.
    auto grown_a = a;
    auto grown_l = hnsw_index::load(path + "_a");
    const auto more = clustered(100, 16, 20, 5);
    for (std::size_t i = 0; i < 100; ++i) {
        grown_a.add(std::span<const float>(more.data() + i * 16, 16));
        grown_l.add(std::span<const float>(more.data() + i * 16, 16));
    }
    grown_a.save(path + "_a");
    grown_l.save(path + "_b");
    CHECK(file_bytes(path + "_a") == file_bytes(path + "_b"));
    std::remove((path + "_a").c_str());
    std::remove((path + "_b").c_str());
}

TEST_CASE("hnsw delete, filtered search and edge cases") {
    const auto x = clustered(3000, 16, 30, 6);
    auto ix = build(x, {.M = 10, .ef_construction = 60, .seed = 1});
    const std::span<const float> q(x.data() + 5 * 16, 16);  // row 5 itself
    auto top = ix.search(q, 5);
    REQUIRE(!top.empty());
    CHECK(top[0].corpus_id == 5);
    CHECK(top[0].score == doctest::Approx(1.0f));
    ix.mark_deleted(5);
    CHECK(ix.is_deleted(5));
    top = ix.search(q, 50);
    for (const hit& h : top) CHECK(h.corpus_id != 5);
    CHECK(top.size() == 50);
    ix.mark_deleted(5, false);
    CHECK(ix.search(q, 1)[0].corpus_id == 5);
    CHECK_THROWS_AS(ix.mark_deleted(3000), error);
    // Filter: only even ids; 20 results that all pass the filter.
    auto even = ix.search_if(q, 20, 100, [](std::size_t id) { return id % 2 == 0; });
    CHECK(even.size() == 20);
    for (const hit& h : even) CHECK(h.corpus_id % 2 == 0);
    // Filter matching nothing: empty. k = 0: empty. Empty index: empty.
    CHECK(ix.search_if(q, 10, 50, [](std::size_t) { return false; }).empty());
    CHECK(ix.search(q, 0).empty());
    hnsw_index empty(16);
    CHECK(empty.search(q, 10).empty());
    // k above the size: every node, sorted.
    hnsw_index small(16, {.M = 4});
    for (std::size_t i = 0; i < 7; ++i) small.add(std::span<const float>(x.data() + i * 16, 16));
    const auto all = small.search(q, 100, 100);
    CHECK(all.size() == 7);
    for (std::size_t i = 1; i < all.size(); ++i) CHECK(all[i - 1].score >= all[i].score);
    // NaN or zero-length queries.
    std::vector<float> bad(16, 1.0f);
    bad[2] = NAN;
    CHECK(kind_of([&] { ix.search(bad, 3); }) == error_kind::invalid_argument);
    CHECK(kind_of([&] { ix.add(bad); }) == error_kind::invalid_argument);
    CHECK(kind_of([&] { ix.search(std::vector<float>(15, 1.0f), 3); }) == error_kind::invalid_argument);
}

TEST_CASE("hostile hnsw files: truncation, counts, links, dims") {
    const auto x = clustered(12, 4, 3, 9);
    const auto ix = build(x, {.M = 2, .ef_construction = 8, .kind = metric::l2, .seed = 3});
    const auto path = "/tmp/tessera_test_hnsw_small_" + std::to_string(::getpid());
    ix.save(path);
    const auto good = file_bytes(path);
    std::remove(path.c_str());
    REQUIRE_NOTHROW(hnsw_index::from_bytes(good, "good"));
    for (std::size_t len = 0; len < good.size(); ++len) {
        const std::vector<std::byte> cut(good.begin(), good.begin() + std::ptrdiff_t(len));
        CHECK_MESSAGE(kind_of([&] { hnsw_index::from_bytes(cut, "cut"); }) == error_kind::truncated, "length ", len);
    }
    // Payload at byte 48 (header 24 + section header 24), checksum switched off so the
    // payload checks answer: dim@0 M@8 M0@16 efc@24 efs@32 metric@40 seed@48 count@56
    // entry@64 max_level@72 levels@80 deleted@80+n links0@80+2n (n × (1 + M0) u32).
    const std::size_t P = 48, n = 12, M0 = 4;
    auto patched = [&](std::size_t off, auto value) {
        std::vector<std::byte> b = good;
        const std::uint32_t zero = 0;
        std::memcpy(b.data() + 28, &zero, 4);  // section flags: no checksum
        std::memcpy(b.data() + off, &value, sizeof(value));
        return b;
    };
    auto load_kind = [&](const std::vector<std::byte>& b) { return kind_of([&] { hnsw_index::from_bytes(b, "x"); }); };
    CHECK(load_kind(patched(P, std::uint64_t(0))) == error_kind::malformed);                 // dim 0
    CHECK(load_kind(patched(P, std::uint64_t(1) << 40)) == error_kind::too_large);           // dim huge
    CHECK(load_kind(patched(P, std::uint64_t(5))) == error_kind::truncated);                 // dims disagree with bytes
    CHECK(load_kind(patched(P, std::uint64_t(3))) == error_kind::inconsistent);              // fewer dims: bytes left over
    CHECK(load_kind(patched(P + 16, std::uint64_t(5))) == error_kind::inconsistent);         // M0 != 2M
    CHECK(load_kind(patched(P + 40, std::uint32_t(9))) == error_kind::unsupported);          // metric
    CHECK(load_kind(patched(P + 56, std::uint64_t(1) << 40)) == error_kind::too_large);      // count vs cap
    CHECK(load_kind(patched(P + 56, std::uint64_t(1) << 20)) == error_kind::truncated);      // count vs bytes
    CHECK(load_kind(patched(P + 56, std::uint64_t(11))) != error_kind::io);                  // count off by one
    CHECK(load_kind(patched(P + 64, std::uint64_t(12))) == error_kind::out_of_range);        // entry point
    CHECK(load_kind(patched(P + 72, std::int32_t(9))) == error_kind::inconsistent);          // max level
    CHECK(load_kind(patched(P + 80, std::uint8_t(200))) == error_kind::malformed);           // a node level
    CHECK(load_kind(patched(P + 80 + n, std::uint8_t(2))) == error_kind::malformed);         // deleted flag
    const std::size_t links0 = P + 80 + 2 * n;
    CHECK(load_kind(patched(links0, std::uint32_t(M0 + 1))) == error_kind::inconsistent);    // too many links
    {
        auto b = patched(links0, std::uint32_t(1));
        std::memcpy(b.data() + links0 + 4, "\xff\xff\x00\x00", 4);                         // link to 65535
        CHECK(load_kind(b) == error_kind::out_of_range);
        const std::uint32_t self = 0;
        std::memcpy(b.data() + links0 + 4, &self, 4);                                          // node 0 → 0
        CHECK(load_kind(b) == error_kind::inconsistent);
    }
    // A level-1 link to a node that lives on level 0 only.
    {
        std::size_t upper = links0 + n * (1 + M0) * 4, owner = n;
        std::vector<int> levels(n);
        for (std::size_t i = 0; i < n; ++i) levels[i] = ix.level_of(i);
        for (std::size_t i = 0; i < n && owner == n; ++i)
            if (levels[i] >= 1) owner = i;
        std::size_t flat = n;
        for (std::size_t i = 0; i < n; ++i)
            if (levels[i] == 0) flat = i;
        if (owner < n && flat < n) {
            for (std::size_t i = 0; i < owner; ++i) upper += levels[i] * (1 + 2) * 4;
            auto b = patched(upper, std::uint32_t(1));
            const auto f32 = static_cast<std::uint32_t>(flat);
            std::memcpy(b.data() + upper + 4, &f32, 4);
            CHECK(load_kind(b) == error_kind::inconsistent);
        }
    }
    // A non-finite vector.
    CHECK(load_kind(patched(good.size() - 4, std::numeric_limits<float>::infinity())) == error_kind::invalid_data);
    // Checksum on: any flipped payload byte is invalid_data.
    {
        auto b = good;
        b[P + 100] ^= std::byte{1};
        CHECK(load_kind(b) == error_kind::invalid_data);
    }
}
