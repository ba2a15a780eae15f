#pragma once
// Where the bytes of a Q4_0 / Q4_1 / Q8_0 weight row are: ggml's block order, or "grouped".
//
// ggml order: block after block, each block its scale(s) then its codes
//   [d m q0..q15][d m q0..q15][d m q0..q15][d m q0..q15] ...          (Q4_1)
// grouped: the same bytes regrouped by 4 blocks — the group the integer kernels consume in
// one step (ops/quant_dot.hpp) — codes of the 4 blocks first, then their 4 scale entries
//   [q of b0 | q of b1 | q of b2 | q of b3][d0 m0 d1 m1 d2 m2 d3 m3] ...
// A row whose block count is not a multiple of 4 ends with one short group of k < 4 blocks
// laid out the same way (k code runs, then k scale entries), so a grouped row has exactly
// the bytes of the ggml row, at the same row offsets: only their order inside a group
// changes. Why: the AVX-512 kernel then loads a group's codes with one 64-byte load (Q8_0:
// two) and its scales with one, instead of four 16-byte loads, three inserts and four
// scalar loads — the GEMV that streams the weights at memory bandwidth was bounded by those
// loads (13.1 → 16.5 GB/s for Q4_1 rows in 2 MiB pages on the Zen 4 test machine).
// Values, and so every result, are unchanged: the kernels read the same codes and scales.
//
// The grouped layout only exists in memory tessera owns (models::llama_model copies its
// weights there at open); a GGUF file is always in ggml order.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "tessera/ops/quant_blocks.hpp"

namespace tessera::ops {

enum class quant_layout : std::uint8_t { blocks, grouped };

// Types that have a grouped layout.
constexpr bool has_grouped_layout(ggml_type t) noexcept {
    return t == ggml_type::q4_0 || t == ggml_type::q4_1 || t == ggml_type::q8_0;
}

// Byte geometry of one block of a type with a grouped layout: its scale entry (d, or d m)
// comes first in ggml order, its codes after.
struct grouped_geometry {
    std::size_t block = 0;  // bytes per block
    std::size_t scale = 0;  // bytes of the scale entry (2: d; 4: d m)
    std::size_t codes = 0;  // bytes of codes (block − scale)
};

constexpr grouped_geometry grouped_geometry_of(ggml_type t) noexcept {
    switch (t) {
    case ggml_type::q4_0: return {sizeof(block_q4_0), 2, 16};
    case ggml_type::q4_1: return {sizeof(block_q4_1), 4, 16};
    case ggml_type::q8_0: return {sizeof(block_q8_0), 2, 32};
    default: return {};
    }
}
static_assert(grouped_geometry_of(ggml_type::q4_0).block == 18 && grouped_geometry_of(ggml_type::q4_1).block == 20 &&
              grouped_geometry_of(ggml_type::q8_0).block == 34);

// In a grouped row of n_blocks blocks: where block b's codes and scale entry are.
struct grouped_block_at {
    std::size_t codes = 0;  // byte offset of the codes
    std::size_t scale = 0;  // byte offset of the scale entry
};
constexpr grouped_block_at grouped_offsets(const grouped_geometry& g, std::size_t b, std::size_t n_blocks) noexcept {
    const std::size_t group = b / 4, j = b % 4;
    const std::size_t start = group * 4 * g.block;
    const std::size_t k = n_blocks - 4 * group < 4 ? n_blocks - 4 * group : 4;  // blocks in this group
    return {start + j * g.codes, start + k * g.codes + j * g.scale};
}

// Block b's codes and scale entry in a row of either layout.
constexpr grouped_block_at block_offsets(ggml_type t, quant_layout layout, std::size_t b, std::size_t n_blocks) noexcept {
    const grouped_geometry g = grouped_geometry_of(t);
    if (layout == quant_layout::grouped) return grouped_offsets(g, b, n_blocks);
    return {b * g.block + g.scale, b * g.block};
}

namespace detail {
// The row loop with the geometry a compile-time constant, so each memcpy is a move or two
// (a model's open regroups ~100 MB this way).
template <ggml_type T>
void group_row(const std::byte* src, std::byte* dst, std::size_t n_blocks) noexcept {
    constexpr grouped_geometry g = grouped_geometry_of(T);
    for (std::size_t b = 0; b < n_blocks; ++b) {
        const grouped_block_at at = grouped_offsets(g, b, n_blocks);
        std::memcpy(dst + at.scale, src + b * g.block, g.scale);
        std::memcpy(dst + at.codes, src + b * g.block + g.scale, g.codes);
    }
}
}  // namespace detail

// One row (n_blocks blocks of type t, which must have a grouped layout) from ggml order
// into grouped order. src and dst are distinct, each row_bytes long, any alignment.
// (Back to ggml order, block by block: block_in_ggml_order.)
inline void group_row(ggml_type t, const std::byte* src, std::byte* dst, std::size_t n_blocks) noexcept {
    switch (t) {
    case ggml_type::q4_0: detail::group_row<ggml_type::q4_0>(src, dst, n_blocks); break;
    case ggml_type::q4_1: detail::group_row<ggml_type::q4_1>(src, dst, n_blocks); break;
    case ggml_type::q8_0: detail::group_row<ggml_type::q8_0>(src, dst, n_blocks); break;
    default: break;
    }
}

// Block b of a row in either layout, as a ggml block (its bytes in ggml order) in `out`
// (block bytes long), for the decoders.
inline void block_in_ggml_order(ggml_type t, quant_layout layout, const std::byte* row, std::size_t b,
                                std::size_t n_blocks, std::byte* out) noexcept {
    const grouped_geometry g = grouped_geometry_of(t);
    const grouped_block_at at = block_offsets(t, layout, b, n_blocks);
    std::memcpy(out, row + at.scale, g.scale);
    std::memcpy(out + g.scale, row + at.codes, g.codes);
}

}  // namespace tessera::ops
