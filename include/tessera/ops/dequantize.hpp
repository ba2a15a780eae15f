#pragma once
// Scalar dequantization of ggml's block formats to f32: the reference the SIMD quantized
// kernels are tested against, and the path `gguf_file::dequantize_f32` uses.
//
// Every function reads `n_blocks` consecutive blocks from `src` (n_blocks * type_size
// bytes, any alignment: each block is memcpy'd into its struct) and writes
// n_blocks * block_size floats to `dst`. Sizes are the caller's contract; the kernels are
// noexcept and never validate. `dequantize` below is the checked entry point.
//
// Value order and arithmetic follow ggml's dequantize_row_* (and gguf-py's quants.py):
// the same products in the same order, so results match them bit for bit unless the
// compiler fuses a multiply-add into an FMA (GCC does so under -ffp-contract=fast, its GNU
// default); that changes the last bit only, which is why the golden test allows 1e-6
// relative to the block's magnitude.
//
// NaN policy: scales are decoded as they are; a NaN or Inf scale gives NaN/Inf outputs.
// `first_nonfinite_block` finds such blocks so readers can reject them when asked to validate.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

#include "tessera/core/dtype.hpp"
#include "tessera/core/error.hpp"
#include "tessera/ops/quant_blocks.hpp"

namespace tessera::ops {

namespace detail {
template <class Block>
inline Block load_block(const std::byte* p) noexcept {
    Block b;
    std::memcpy(&b, p, sizeof(Block));
    return b;
}
// Finite checks on bit patterns, so they survive -ffast-math (RELIABILITY.md rule 6).
constexpr bool finite_bits(f16 h) noexcept { return (h.bits & 0x7c00u) != 0x7c00u; }
constexpr bool finite_bits(bf16 h) noexcept { return (h.bits & 0x7f80u) != 0x7f80u; }
inline bool finite_bits(float f) noexcept {
    std::uint32_t u;
    std::memcpy(&u, &f, 4);
    return (u & 0x7f800000u) != 0x7f800000u;
}
}  // namespace detail

// ---- plain floats ---------------------------------------------------------------------
inline void dequantize_row_f32(const std::byte* src, float* dst, std::size_t n) noexcept {
    if (n) std::memcpy(dst, src, n * sizeof(float));
}
inline void dequantize_row_f16(const std::byte* src, float* dst, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) dst[i] = to_f32(detail::load_block<f16>(src + 2 * i));
}
inline void dequantize_row_bf16(const std::byte* src, float* dst, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) dst[i] = to_f32(detail::load_block<bf16>(src + 2 * i));
}

// ---- Q4_0 / Q4_1 --------------------------------------------------------------------
// 32 values, 4-bit codes q in 0..15, two per byte: byte j holds value j (low nibble) and
// value j + 16 (high nibble), so each half of the block is one contiguous run of nibbles.
// Q4_0 is symmetric: the quantizer maps the largest-magnitude value to code 0 with
// d = max / -8, so y = d * (q - 8). Q4_1 is affine: y = d * q + m with m the block minimum.
inline void dequantize_row_q4_0(const std::byte* src, float* dst, std::size_t n_blocks) noexcept {
    for (std::size_t b = 0; b < n_blocks; ++b, src += sizeof(block_q4_0), dst += 32) {
        const auto blk = detail::load_block<block_q4_0>(src);
        const float d = to_f32(blk.d);
        for (int j = 0; j < 16; ++j) {
            dst[j] = float((blk.qs[j] & 0x0f) - 8) * d;
            dst[j + 16] = float((blk.qs[j] >> 4) - 8) * d;
        }
    }
}
inline void dequantize_row_q4_1(const std::byte* src, float* dst, std::size_t n_blocks) noexcept {
    for (std::size_t b = 0; b < n_blocks; ++b, src += sizeof(block_q4_1), dst += 32) {
        const auto blk = detail::load_block<block_q4_1>(src);
        const float d = to_f32(blk.d), m = to_f32(blk.m);
        for (int j = 0; j < 16; ++j) {
            dst[j] = float(blk.qs[j] & 0x0f) * d + m;
            dst[j + 16] = float(blk.qs[j] >> 4) * d + m;
        }
    }
}

// ---- Q5_0 / Q5_1 --------------------------------------------------------------------
// As Q4_0/Q4_1 with a fifth (most significant) bit per value: qh is a little-endian u32
// whose bit j belongs to value j. Codes are 0..31; Q5_0 centres them with y = d * (q - 16),
// Q5_1 is affine y = d * q + m.
inline std::uint32_t load_qh32(const std::uint8_t* qh) noexcept {
    return std::uint32_t(qh[0]) | std::uint32_t(qh[1]) << 8 | std::uint32_t(qh[2]) << 16 |
           std::uint32_t(qh[3]) << 24;
}
inline void dequantize_row_q5_0(const std::byte* src, float* dst, std::size_t n_blocks) noexcept {
    for (std::size_t b = 0; b < n_blocks; ++b, src += sizeof(block_q5_0), dst += 32) {
        const auto blk = detail::load_block<block_q5_0>(src);
        const float d = to_f32(blk.d);
        const std::uint32_t qh = load_qh32(blk.qh);
        for (int j = 0; j < 16; ++j) {
            const int lo = (blk.qs[j] & 0x0f) | int((qh >> j) & 1u) << 4;
            const int hi = (blk.qs[j] >> 4) | int((qh >> (j + 16)) & 1u) << 4;
            dst[j] = float(lo - 16) * d;
            dst[j + 16] = float(hi - 16) * d;
        }
    }
}
inline void dequantize_row_q5_1(const std::byte* src, float* dst, std::size_t n_blocks) noexcept {
    for (std::size_t b = 0; b < n_blocks; ++b, src += sizeof(block_q5_1), dst += 32) {
        const auto blk = detail::load_block<block_q5_1>(src);
        const float d = to_f32(blk.d), m = to_f32(blk.m);
        const std::uint32_t qh = load_qh32(blk.qh);
        for (int j = 0; j < 16; ++j) {
            const int lo = (blk.qs[j] & 0x0f) | int((qh >> j) & 1u) << 4;
            const int hi = (blk.qs[j] >> 4) | int((qh >> (j + 16)) & 1u) << 4;
            dst[j] = float(lo) * d + m;
            dst[j + 16] = float(hi) * d + m;
        }
    }
}

// ---- Q8_0 ---------------------------------------------------------------------------
// 32 signed bytes and one scale: y = d * q.
inline void dequantize_row_q8_0(const std::byte* src, float* dst, std::size_t n_blocks) noexcept {
    for (std::size_t b = 0; b < n_blocks; ++b, src += sizeof(block_q8_0), dst += 32) {
        const auto blk = detail::load_block<block_q8_0>(src);
        const float d = to_f32(blk.d);
        for (int j = 0; j < 32; ++j) dst[j] = float(blk.qs[j]) * d;
    }
}

// ---- Q2_K ---------------------------------------------------------------------------
// 256 values = 16 sub-blocks of 16. Each sub-block has a 4-bit scale and a 4-bit min in
// scales[i] (low, high nibble), both multiplied by the f16 super-scales: the sub-block's
// step is d * scale and its offset dmin * min, so y = (d * scale) * q - (dmin * min).
// Codes are 2 bits, four per byte, laid out so that 32 consecutive bytes give 128 values:
// value v = 128 h + 32 s + l (h in 0..1, s in 0..3, l in 0..31) is bits 2s..2s+1 of
// qs[32 h + l]; its sub-block is v / 16.
inline void dequantize_row_q2_k(const std::byte* src, float* dst, std::size_t n_blocks) noexcept {
    for (std::size_t b = 0; b < n_blocks; ++b, src += sizeof(block_q2_k), dst += qk_k) {
        const auto blk = detail::load_block<block_q2_k>(src);
        const float d = to_f32(blk.d), dmin = to_f32(blk.dmin);
        for (int v = 0; v < int(qk_k); ++v) {
            const int h = v / 128, s = (v / 32) % 4, l = v % 32;
            const std::uint8_t sc = blk.scales[v / 16];
            const float dl = d * float(sc & 0x0f), ml = dmin * float(sc >> 4);
            const int q = (blk.qs[32 * h + l] >> (2 * s)) & 3;
            dst[v] = dl * float(q) - ml;
        }
    }
}

// ---- Q3_K ---------------------------------------------------------------------------
// 256 values = 16 sub-blocks of 16, symmetric: y = (d * (scale - 32)) * q3 where q3 in -4..3.
// The two low code bits are stored as in Q2_K (value v = 128 h + 32 s + l at bits 2s of
// qs[32 h + l]); the third bit of value v is bit v / 32 of hmask[v % 32], and it is
// inverted: a set bit means q3 = q2, a clear bit means q3 = q2 - 4.
// The 16 scales are 6-bit, stored as 4 low bits and 2 high bits in 12 bytes:
//   low nibble of scale i = scales[i] & 15 for i < 8, scales[i - 8] >> 4 for i >= 8;
//   high 2 bits of scale i = bits 2 (i / 4) .. 2 (i / 4) + 1 of scales[8 + i % 4];
// and the 6-bit value is offset by 32 to make it signed.
inline void q3_k_scales(const std::uint8_t* s12, int out[16]) noexcept {
    for (int i = 0; i < 16; ++i) {
        const int lo = i < 8 ? (s12[i] & 0x0f) : (s12[i - 8] >> 4);
        const int hi = (s12[8 + i % 4] >> (2 * (i / 4))) & 3;
        out[i] = (lo | hi << 4) - 32;
    }
}
inline void dequantize_row_q3_k(const std::byte* src, float* dst, std::size_t n_blocks) noexcept {
    for (std::size_t b = 0; b < n_blocks; ++b, src += sizeof(block_q3_k), dst += qk_k) {
        const auto blk = detail::load_block<block_q3_k>(src);
        const float d = to_f32(blk.d);
        int scale[16];
        q3_k_scales(blk.scales, scale);
        for (int v = 0; v < int(qk_k); ++v) {
            const int h = v / 128, s = (v / 32) % 4, l = v % 32;
            const int q2 = (blk.qs[32 * h + l] >> (2 * s)) & 3;
            const bool high = (blk.hmask[l] >> (v / 32)) & 1;
            const float dl = d * float(scale[v / 16]);
            dst[v] = dl * float(high ? q2 : q2 - 4);
        }
    }
}

// ---- Q4_K / Q5_K ----------------------------------------------------------------------
// 256 values = 8 sub-blocks of 32, affine: y = (d * scale_j) * q - (dmin * min_j). The 8
// scales and 8 mins are 6-bit, packed in 12 bytes (bytes 0-3 "A", 4-7 "B", 8-11 "C"):
//   j < 4:  scale_j = A[j] & 63,                     min_j = B[j] & 63
//   j >= 4: scale_j = (C[j-4] & 15) | (A[j-4] >> 6) << 4, min_j = (C[j-4] >> 4) | (B[j-4] >> 6) << 4
// i.e. the first four use six bits of A and B, the last four borrow A's and B's top two bits.
// Q4_K codes: value v = 32 j + l of sub-block j = 2 c + t is nibble t of qs[32 c + l], so each
// run of 32 bytes holds two sub-blocks. Q5_K adds bit j of qh[l] as the code's bit 4.
inline void k_scale_min(const std::uint8_t* s12, int j, int& scale, int& min) noexcept {
    if (j < 4) {
        scale = s12[j] & 63;
        min = s12[j + 4] & 63;
    } else {
        scale = (s12[j + 4] & 0x0f) | (s12[j - 4] >> 6) << 4;
        min = (s12[j + 4] >> 4) | (s12[j] >> 6) << 4;
    }
}
inline void dequantize_row_q4_k(const std::byte* src, float* dst, std::size_t n_blocks) noexcept {
    for (std::size_t b = 0; b < n_blocks; ++b, src += sizeof(block_q4_k), dst += qk_k) {
        const auto blk = detail::load_block<block_q4_k>(src);
        const float d = to_f32(blk.d), dmin = to_f32(blk.dmin);
        for (int j = 0; j < 8; ++j) {
            int sc, mn;
            k_scale_min(blk.scales, j, sc, mn);
            const float dl = d * float(sc), ml = dmin * float(mn);
            const int c = j / 2, t = j % 2;
            for (int l = 0; l < 32; ++l) {
                const int q = (blk.qs[32 * c + l] >> (4 * t)) & 0x0f;
                dst[32 * j + l] = dl * float(q) - ml;
            }
        }
    }
}
inline void dequantize_row_q5_k(const std::byte* src, float* dst, std::size_t n_blocks) noexcept {
    for (std::size_t b = 0; b < n_blocks; ++b, src += sizeof(block_q5_k), dst += qk_k) {
        const auto blk = detail::load_block<block_q5_k>(src);
        const float d = to_f32(blk.d), dmin = to_f32(blk.dmin);
        for (int j = 0; j < 8; ++j) {
            int sc, mn;
            k_scale_min(blk.scales, j, sc, mn);
            const float dl = d * float(sc), ml = dmin * float(mn);
            const int c = j / 2, t = j % 2;
            for (int l = 0; l < 32; ++l) {
                const int q = ((blk.qs[32 * c + l] >> (4 * t)) & 0x0f) | ((blk.qh[l] >> j) & 1) << 4;
                dst[32 * j + l] = dl * float(q) - ml;
            }
        }
    }
}

// ---- Q6_K ---------------------------------------------------------------------------
// 256 values = 16 sub-blocks of 16, symmetric: y = (d * scale_i) * (q - 32), q in 0..63,
// scale_i a signed byte. Each half h of the block (128 values) uses 64 bytes of ql and 32
// of qh. For r = v - 128 h: the low 4 bits are nibble r / 64 of ql[64 h + r % 64], the high
// 2 bits are bits 2 (r / 32) .. +1 of qh[32 h + r % 32].
inline void dequantize_row_q6_k(const std::byte* src, float* dst, std::size_t n_blocks) noexcept {
    for (std::size_t b = 0; b < n_blocks; ++b, src += sizeof(block_q6_k), dst += qk_k) {
        const auto blk = detail::load_block<block_q6_k>(src);
        const float d = to_f32(blk.d);
        for (int v = 0; v < int(qk_k); ++v) {
            const int h = v / 128, r = v % 128;
            const int lo = (blk.ql[64 * h + r % 64] >> (4 * (r / 64))) & 0x0f;
            const int hi = (blk.qh[32 * h + r % 32] >> (2 * (r / 32))) & 3;
            dst[v] = d * float(blk.scales[v / 16]) * float((lo | hi << 4) - 32);
        }
    }
}

// ---- Q8_K ---------------------------------------------------------------------------
// 256 signed bytes with an f32 scale: y = d * q. (bsums are derived data, ignored.)
inline void dequantize_row_q8_k(const std::byte* src, float* dst, std::size_t n_blocks) noexcept {
    for (std::size_t b = 0; b < n_blocks; ++b, src += sizeof(block_q8_k), dst += qk_k) {
        const auto blk = detail::load_block<block_q8_k>(src);
        for (int j = 0; j < int(qk_k); ++j) dst[j] = blk.d * float(blk.qs[j]);
    }
}

// Dispatch on a supported type; does nothing for an unsupported one (callers check
// traits_of(type).supported first; `dequantize` below does).
inline void dequantize_row(ggml_type type, const std::byte* src, float* dst, std::size_t n_blocks) noexcept {
    switch (type) {
    case ggml_type::f32: dequantize_row_f32(src, dst, n_blocks); break;
    case ggml_type::f16: dequantize_row_f16(src, dst, n_blocks); break;
    case ggml_type::bf16: dequantize_row_bf16(src, dst, n_blocks); break;
    case ggml_type::q4_0: dequantize_row_q4_0(src, dst, n_blocks); break;
    case ggml_type::q4_1: dequantize_row_q4_1(src, dst, n_blocks); break;
    case ggml_type::q5_0: dequantize_row_q5_0(src, dst, n_blocks); break;
    case ggml_type::q5_1: dequantize_row_q5_1(src, dst, n_blocks); break;
    case ggml_type::q8_0: dequantize_row_q8_0(src, dst, n_blocks); break;
    case ggml_type::q2_k: dequantize_row_q2_k(src, dst, n_blocks); break;
    case ggml_type::q3_k: dequantize_row_q3_k(src, dst, n_blocks); break;
    case ggml_type::q4_k: dequantize_row_q4_k(src, dst, n_blocks); break;
    case ggml_type::q5_k: dequantize_row_q5_k(src, dst, n_blocks); break;
    case ggml_type::q6_k: dequantize_row_q6_k(src, dst, n_blocks); break;
    case ggml_type::q8_k: dequantize_row_q8_k(src, dst, n_blocks); break;
    default: break;
    }
}

// Index of the first block whose scale (or, for F32/F16/BF16, whose value) is NaN or Inf;
// n_blocks when every one is finite. Codes are integers and cannot be non-finite.
inline std::size_t first_nonfinite_block(ggml_type type, const std::byte* src, std::size_t n_blocks) noexcept {
    using detail::finite_bits;
    using detail::load_block;
    const std::size_t ts = traits_of(type).type_size;
    for (std::size_t b = 0; b < n_blocks; ++b) {
        const std::byte* p = src + b * ts;
        bool ok = true;
        switch (type) {
        case ggml_type::f32: ok = finite_bits(load_block<float>(p)); break;
        case ggml_type::f16: ok = finite_bits(load_block<f16>(p)); break;
        case ggml_type::bf16: ok = finite_bits(load_block<bf16>(p)); break;
        case ggml_type::q4_0: ok = finite_bits(load_block<block_q4_0>(p).d); break;
        case ggml_type::q5_0: ok = finite_bits(load_block<block_q5_0>(p).d); break;
        case ggml_type::q8_0: ok = finite_bits(load_block<block_q8_0>(p).d); break;
        case ggml_type::q4_1: {
            const auto k = load_block<block_q4_1>(p);
            ok = finite_bits(k.d) && finite_bits(k.m);
        } break;
        case ggml_type::q5_1: {
            const auto k = load_block<block_q5_1>(p);
            ok = finite_bits(k.d) && finite_bits(k.m);
        } break;
        case ggml_type::q2_k: {
            const auto k = load_block<block_q2_k>(p);
            ok = finite_bits(k.d) && finite_bits(k.dmin);
        } break;
        case ggml_type::q3_k: ok = finite_bits(load_block<block_q3_k>(p).d); break;
        case ggml_type::q4_k: {
            const auto k = load_block<block_q4_k>(p);
            ok = finite_bits(k.d) && finite_bits(k.dmin);
        } break;
        case ggml_type::q5_k: {
            const auto k = load_block<block_q5_k>(p);
            ok = finite_bits(k.d) && finite_bits(k.dmin);
        } break;
        case ggml_type::q6_k: ok = finite_bits(load_block<block_q6_k>(p).d); break;
        case ggml_type::q8_k: ok = finite_bits(load_block<block_q8_k>(p).d); break;
        default: break;
        }
        if (!ok) return b;
    }
    return n_blocks;
}

// Checked entry point: `src` must hold whole blocks of `type` and `dst` exactly their values.
// With `validate`, a non-finite scale throws invalid_data naming `what` and the block.
inline void dequantize(ggml_type type, std::span<const std::byte> src, std::span<float> dst, bool validate = false,
                       const std::string& what = "tensor") {
    const auto tr = traits_of(type);
    require(tr.supported, error_kind::unsupported,
            [&] { return what + ": cannot dequantize ggml type " + std::string(tr.name); });
    require(src.size() % tr.type_size == 0, error_kind::invalid_argument, [&] {
        return what + ": " + std::to_string(src.size()) + " bytes is not a whole number of " +
               std::string(tr.name) + " blocks";
    });
    const std::size_t n_blocks = src.size() / tr.type_size;
    require(dst.size() / tr.block_size == n_blocks && dst.size() % tr.block_size == 0, error_kind::invalid_argument, [&] {
        return what + ": output holds " + std::to_string(dst.size()) + " floats, " + std::to_string(n_blocks) +
               " blocks decode to " + std::to_string(n_blocks * tr.block_size);
    });
    if (validate) {
        const std::size_t bad = first_nonfinite_block(type, src.data(), n_blocks);
        require(bad == n_blocks, error_kind::invalid_data, [&] {
            return what + ": " + std::string(tr.name) + (tr.block_size == 1 ? " value " : " block ") +
                   std::to_string(bad) + " has a NaN or Inf " + (tr.block_size == 1 ? "" : "scale");
        });
    }
    dequantize_row(type, src.data(), dst.data(), n_blocks);
}

}  // namespace tessera::ops
