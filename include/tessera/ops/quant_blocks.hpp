#pragma once
// ggml's tensor types and the byte layout of its block-quantized formats.
//
// A quantized row of n values is n / block_size consecutive blocks; each block packs
// `block_size` values into `type_size` bytes: one or two fp16 (Q8_K: f32) scales followed
// by packed integer codes. The structs below mirror ggml's `block_*` structs byte for byte
// (little-endian, no padding; the static_asserts pin every size). GGUF stores them
// unaligned (a tensor only starts at `general.alignment`, and an 18-byte block puts the
// next one at an even offset at best), so the decoders memcpy each block into one of these
// structs instead of casting a pointer into the file.
//
// The formulas that decode each block are derived in ops/dequantize.hpp; the reference
// quantizers (Q8_0, Q4_0, Q4_1) live in ops/quantize.hpp.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tessera/core/dtype.hpp"

namespace tessera::ops {

// ggml_type numbers as they appear in a GGUF tensor info. Numbers 4 and 5 (the removed
// Q4_2/Q4_3) and 31..33 (removed Q4_0_4_4 etc.) are deliberately absent.
enum class ggml_type : std::uint32_t {
    f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3, q5_0 = 6, q5_1 = 7, q8_0 = 8, q8_1 = 9,
    q2_k = 10, q3_k = 11, q4_k = 12, q5_k = 13, q6_k = 14, q8_k = 15,
    iq2_xxs = 16, iq2_xs = 17, iq3_xxs = 18, iq1_s = 19, iq4_nl = 20, iq3_s = 21, iq2_s = 22,
    iq4_xs = 23, i8 = 24, i16 = 25, i32 = 26, i64 = 27, f64 = 28, iq1_m = 29, bf16 = 30,
    tq1_0 = 34, tq2_0 = 35, mxfp4 = 39, nvfp4 = 40, q1_0 = 41,
};

// Values per super-block of the K-quants.
inline constexpr std::size_t qk_k = 256;

// ---- 32-value blocks --------------------------------------------------------------
// y = d * (q - 8), q in 0..15; qs[j] holds value j in its low nibble, value j + 16 in its high.
struct block_q4_0 {
    f16 d;
    std::uint8_t qs[16];
};
// y = d * q + m, q in 0..15; nibble order as Q4_0.
struct block_q4_1 {
    f16 d;
    f16 m;
    std::uint8_t qs[16];
};
// y = d * (q - 16), q in 0..31: the low 4 bits as Q4_0, bit 4 of value j is bit j of qh (a LE u32).
struct block_q5_0 {
    f16 d;
    std::uint8_t qh[4];
    std::uint8_t qs[16];
};
// y = d * q + m, q in 0..31; bits as Q5_0.
struct block_q5_1 {
    f16 d;
    f16 m;
    std::uint8_t qh[4];
    std::uint8_t qs[16];
};
// y = d * q, q in -128..127 (the quantizer only produces -127..127).
struct block_q8_0 {
    f16 d;
    std::int8_t qs[32];
};

// ---- 256-value super-blocks (K-quants) ----------------------------------------------
// 16 sub-blocks of 16 values; scales[i] = scale (low nibble) | min (high nibble) of sub-block i;
// 2-bit codes. y = d * scale * q - dmin * min.
struct block_q2_k {
    std::uint8_t scales[qk_k / 16];
    std::uint8_t qs[qk_k / 4];
    f16 d;
    f16 dmin;
};
// 16 sub-blocks of 16 values; 2 low bits in qs, the third bit in hmask, 16 signed 6-bit
// scales packed in 12 bytes. y = d * (scale - 32) * (q - 4 * !hbit).
struct block_q3_k {
    std::uint8_t hmask[qk_k / 8];
    std::uint8_t qs[qk_k / 4];
    std::uint8_t scales[12];
    f16 d;
};
// 8 sub-blocks of 32 values; 6-bit scale and 6-bit min per sub-block packed in 12 bytes;
// 4-bit codes. y = d * scale * q - dmin * min.
struct block_q4_k {
    f16 d;
    f16 dmin;
    std::uint8_t scales[12];
    std::uint8_t qs[qk_k / 2];
};
// As Q4_K plus a fifth bit per value in qh.
struct block_q5_k {
    f16 d;
    f16 dmin;
    std::uint8_t scales[12];
    std::uint8_t qh[qk_k / 8];
    std::uint8_t qs[qk_k / 2];
};
// 16 sub-blocks of 16 values; 4 low bits in ql, 2 high bits in qh, signed 8-bit scales.
// y = d * scale * (q - 32).
struct block_q6_k {
    std::uint8_t ql[qk_k / 2];
    std::uint8_t qh[qk_k / 4];
    std::int8_t scales[qk_k / 16];
    f16 d;
};
// ggml's activation format for K-quant dot products: y = d * q. bsums (sums of 16 codes)
// only speed up dot products and play no part in the values.
struct block_q8_k {
    float d;
    std::int8_t qs[qk_k];
    std::int16_t bsums[qk_k / 16];
};

static_assert(sizeof(f16) == 2);
static_assert(sizeof(block_q4_0) == 18);
static_assert(sizeof(block_q4_1) == 20);
static_assert(sizeof(block_q5_0) == 22);
static_assert(sizeof(block_q5_1) == 24);
static_assert(sizeof(block_q8_0) == 34);
static_assert(sizeof(block_q2_k) == 84);
static_assert(sizeof(block_q3_k) == 110);
static_assert(sizeof(block_q4_k) == 144);
static_assert(sizeof(block_q5_k) == 176);
static_assert(sizeof(block_q6_k) == 210);
static_assert(sizeof(block_q8_k) == 292);

// What tessera knows about a ggml type. `known` is false for numbers ggml never assigned;
// `supported` says whether tessera can size and decode it (block_size/type_size are 0 otherwise).
struct ggml_type_traits {
    std::string_view name;
    std::size_t block_size = 0;  // values per block
    std::size_t type_size = 0;   // bytes per block
    bool known = false;
    bool supported = false;
};

constexpr ggml_type_traits traits_of(std::uint32_t type) noexcept {
    switch (type) {
    case 0: return {"F32", 1, 4, true, true};
    case 1: return {"F16", 1, 2, true, true};
    case 2: return {"Q4_0", 32, sizeof(block_q4_0), true, true};
    case 3: return {"Q4_1", 32, sizeof(block_q4_1), true, true};
    case 6: return {"Q5_0", 32, sizeof(block_q5_0), true, true};
    case 7: return {"Q5_1", 32, sizeof(block_q5_1), true, true};
    case 8: return {"Q8_0", 32, sizeof(block_q8_0), true, true};
    case 10: return {"Q2_K", qk_k, sizeof(block_q2_k), true, true};
    case 11: return {"Q3_K", qk_k, sizeof(block_q3_k), true, true};
    case 12: return {"Q4_K", qk_k, sizeof(block_q4_k), true, true};
    case 13: return {"Q5_K", qk_k, sizeof(block_q5_k), true, true};
    case 14: return {"Q6_K", qk_k, sizeof(block_q6_k), true, true};
    case 15: return {"Q8_K", qk_k, sizeof(block_q8_k), true, true};
    case 30: return {"BF16", 1, 2, true, true};
    // Assigned by ggml but not decoded by tessera.
    case 9: return {"Q8_1", 0, 0, true, false};
    case 16: return {"IQ2_XXS", 0, 0, true, false};
    case 17: return {"IQ2_XS", 0, 0, true, false};
    case 18: return {"IQ3_XXS", 0, 0, true, false};
    case 19: return {"IQ1_S", 0, 0, true, false};
    case 20: return {"IQ4_NL", 0, 0, true, false};
    case 21: return {"IQ3_S", 0, 0, true, false};
    case 22: return {"IQ2_S", 0, 0, true, false};
    case 23: return {"IQ4_XS", 0, 0, true, false};
    case 24: return {"I8", 0, 0, true, false};
    case 25: return {"I16", 0, 0, true, false};
    case 26: return {"I32", 0, 0, true, false};
    case 27: return {"I64", 0, 0, true, false};
    case 28: return {"F64", 0, 0, true, false};
    case 29: return {"IQ1_M", 0, 0, true, false};
    case 34: return {"TQ1_0", 0, 0, true, false};
    case 35: return {"TQ2_0", 0, 0, true, false};
    case 39: return {"MXFP4", 0, 0, true, false};
    case 40: return {"NVFP4", 0, 0, true, false};
    case 41: return {"Q1_0", 0, 0, true, false};
    default: return {"unknown", 0, 0, false, false};
    }
}
constexpr ggml_type_traits traits_of(ggml_type t) noexcept { return traits_of(static_cast<std::uint32_t>(t)); }
constexpr std::string_view to_string(ggml_type t) noexcept { return traits_of(t).name; }

// Every type tessera reads, in ggml_type order; tests and tools iterate over it.
inline constexpr ggml_type supported_ggml_types[] = {
    ggml_type::f32,  ggml_type::f16,  ggml_type::q4_0, ggml_type::q4_1, ggml_type::q5_0,
    ggml_type::q5_1, ggml_type::q8_0, ggml_type::q2_k, ggml_type::q3_k, ggml_type::q4_k,
    ggml_type::q5_k, ggml_type::q6_k, ggml_type::q8_k, ggml_type::bf16,
};

}  // namespace tessera::ops
