// libFuzzer target: arbitrary bytes as a search index file (search/index_file.hpp): read as a
// product catalog (catalog::from_bytes) and as a standalone HNSW index
// (hnsw_index::from_bytes). Mutated bytes almost always break a section checksum, which the
// container rejects before any payload reader runs; so each input is also read a second time
// with every checksummed section's FNV-1a recomputed, which lets the fuzzer reach the META,
// PROD, EMBD and HNSW payload readers. An accepted catalog or index is searched (exact and
// through the graph, with and without a filter), so a hostile graph that passed validation is
// walked too. The input is also parsed as a filter expression (search/filter.hpp).
// Anything but a tessera::error escaping, a sanitizer report or a timeout is a finding.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "tessera/search/catalog.hpp"
#include "tessera/search/filter.hpp"
#include "tessera/search/hnsw.hpp"
#include "tessera/search/index_file.hpp"

namespace {

using namespace tessera;
using namespace tessera::search;

// A copy of `in` with the checksum of every section that has one recomputed (as far as the
// section headers can be walked; the rest is left as it is).
std::vector<std::byte> with_fixed_checksums(std::span<const std::byte> in) {
    std::vector<std::byte> b(in.begin(), in.end());
    std::size_t at = 24;  // the container header (magic, version, kind, count, reserved)
    if (b.size() < at) return b;
    std::uint32_t n_sections;
    std::memcpy(&n_sections, b.data() + 16, 4);
    for (std::uint32_t i = 0; i < n_sections && b.size() - at >= 24; ++i) {
        std::uint32_t flags;
        std::uint64_t length;
        std::memcpy(&flags, b.data() + at + 4, 4);
        std::memcpy(&length, b.data() + at + 8, 8);
        if (length > b.size() - at - 24) break;
        if (flags & 1u) {
            const std::uint64_t h = index_file::fnv1a64(std::span<const std::byte>(b.data() + at + 24, length));
            std::memcpy(b.data() + at + 16, &h, 8);
        }
        at += 24 + length;
    }
    return b;
}

void search_catalog(const catalog& c) {
    std::vector<float> q(c.dim());
    for (std::size_t i = 0; i < q.size(); ++i) q[i] = float(i % 7) - 3.0f;
    (void)c.search(q, 3);
    (void)c.search(q, 3, filter().in_stock());
    (void)c.search(q, c.size() + 1, {}, {.use_index = false});
    if (c.size() > 0) (void)c.embedding(c.size() - 1);
}

void search_index(const hnsw_index& ix) {
    std::vector<float> q(ix.dim());
    for (std::size_t i = 0; i < q.size(); ++i) q[i] = float(i % 5) - 2.0f;
    (void)ix.search(q, 4);
    (void)ix.search_if(q, 2, 8, [](std::size_t id) { return id % 2 == 0; });
}

void read_all(std::span<const std::byte> bytes) {
    try {
        search_catalog(catalog::from_bytes(bytes, "fuzz.catalog"));
    } catch (const tessera::error&) {
    }
    try {
        search_index(hnsw_index::from_bytes(bytes, "fuzz.hnsw"));
    } catch (const tessera::error&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
    read_all(bytes);
    read_all(with_fixed_checksums(bytes));
    try {
        (void)filter::parse(std::string_view(reinterpret_cast<const char*>(data), size));
    } catch (const tessera::error&) {
    }
    return 0;
}
