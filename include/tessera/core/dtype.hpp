#pragma once
// Element types. f32/f16/bf16 are arithmetic; the block-quantized GGUF types are opaque
// storage here (their layouts and kernels live in ops/). Scalar f16/bf16 conversions are
// exact, round-to-nearest-even; simd/convert.hpp has the vectorised forms.
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace tessera {

// IEEE 754 binary16, stored as its bit pattern.
struct f16 {
    std::uint16_t bits = 0;
};
// bfloat16: the top 16 bits of an f32.
struct bf16 {
    std::uint16_t bits = 0;
};

enum class dtype : std::uint8_t { f32, f16, bf16, f64, i64, i32, i16, i8, u8, boolean };

constexpr std::size_t size_of(dtype t) noexcept {
    switch (t) {
    case dtype::f64: case dtype::i64: return 8;
    case dtype::f32: case dtype::i32: return 4;
    case dtype::f16: case dtype::bf16: case dtype::i16: return 2;
    case dtype::i8: case dtype::u8: case dtype::boolean: return 1;
    }
    return 0;
}

constexpr std::string_view to_string(dtype t) noexcept {
    switch (t) {
    case dtype::f32: return "f32";
    case dtype::f16: return "f16";
    case dtype::bf16: return "bf16";
    case dtype::f64: return "f64";
    case dtype::i64: return "i64";
    case dtype::i32: return "i32";
    case dtype::i16: return "i16";
    case dtype::i8: return "i8";
    case dtype::u8: return "u8";
    case dtype::boolean: return "bool";
    }
    return "?";
}

template <class T> struct dtype_of;
template <> struct dtype_of<float> { static constexpr dtype value = dtype::f32; };
template <> struct dtype_of<f16> { static constexpr dtype value = dtype::f16; };
template <> struct dtype_of<bf16> { static constexpr dtype value = dtype::bf16; };
template <> struct dtype_of<double> { static constexpr dtype value = dtype::f64; };
template <> struct dtype_of<std::int64_t> { static constexpr dtype value = dtype::i64; };
template <> struct dtype_of<std::int32_t> { static constexpr dtype value = dtype::i32; };
template <> struct dtype_of<std::int16_t> { static constexpr dtype value = dtype::i16; };
template <> struct dtype_of<std::int8_t> { static constexpr dtype value = dtype::i8; };
template <> struct dtype_of<std::uint8_t> { static constexpr dtype value = dtype::u8; };

// f16 -> f32 is exact: every binary16 value (subnormals, inf, NaN payload) is an f32.
constexpr float to_f32(f16 h) noexcept {
    const std::uint32_t sign = std::uint32_t(h.bits & 0x8000u) << 16;
    std::uint32_t exp = (h.bits >> 10) & 0x1fu;
    std::uint32_t man = h.bits & 0x3ffu;
    std::uint32_t out;
    if (exp == 0x1f) {
        out = sign | 0x7f800000u | (man << 13);  // inf / NaN, payload kept
    } else if (exp != 0) {
        out = sign | ((exp + 112) << 23) | (man << 13);  // 112 = 127 - 15
    } else if (man == 0) {
        out = sign;
    } else {
        // Subnormal: value = man * 2^-24. Normalise so the leading 1 sits at bit 10.
        int shift = std::countl_zero(man) - 21;  // man < 2^10, so countl_zero >= 22
        man = (man << shift) & 0x3ffu;
        out = sign | (std::uint32_t(113 - shift) << 23) | (man << 13);
    }
    return std::bit_cast<float>(out);
}

// f32 -> f16 with round-to-nearest-even, overflow to inf, NaN stays NaN (quiet).
constexpr f16 to_f16(float f) noexcept {
    const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
    const std::uint16_t sign = std::uint16_t((x >> 16) & 0x8000u);
    const std::uint32_t abs = x & 0x7fffffffu;
    if (abs >= 0x7f800000u) {  // inf or NaN
        std::uint16_t nan_bits = abs > 0x7f800000u ? std::uint16_t(0x200u | ((abs >> 13) & 0x3ffu)) : 0;
        return f16{std::uint16_t(sign | 0x7c00u | nan_bits)};
    }
    if (abs >= 0x477ff000u) return f16{std::uint16_t(sign | 0x7c00u)};  // rounds to >= 65520 -> inf
    if (abs >= 0x38800000u) {  // normal f16 range (>= 2^-14)
        std::uint32_t mant_odd = (abs >> 13) & 1u;
        std::uint32_t r = abs + 0xfffu + mant_odd;  // RNE on the 13 dropped bits
        r -= 0x38000000u;                           // rebias 127 -> 15 (112 << 23)
        return f16{std::uint16_t(sign | (r >> 13))};
    }
    if (abs < 0x33000000u) return f16{sign};  // below half the smallest subnormal: 0
    // Subnormal f16: value / 2^-24 rounded to an integer, RNE.
    const std::uint32_t e = abs >> 23;
    const std::uint32_t m = (abs & 0x7fffffu) | 0x800000u;
    const std::uint32_t shift = 126 - e;  // bits to drop so the result is in units of 2^-24
    std::uint32_t q = m >> shift;
    const std::uint32_t rem = m & ((1u << shift) - 1);
    const std::uint32_t half = 1u << (shift - 1);
    if (rem > half || (rem == half && (q & 1u))) ++q;
    return f16{std::uint16_t(sign | q)};
}

constexpr float to_f32(bf16 b) noexcept { return std::bit_cast<float>(std::uint32_t(b.bits) << 16); }

// f32 -> bf16, round-to-nearest-even; NaN stays a quiet NaN.
constexpr bf16 to_bf16(float f) noexcept {
    const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return bf16{std::uint16_t((x >> 16) | 0x40u)};
    const std::uint32_t r = x + 0x7fffu + ((x >> 16) & 1u);
    return bf16{std::uint16_t(r >> 16)};
}

}  // namespace tessera
