#pragma once
// Bulk f32 <-> f16 and f32 <-> bf16 conversions that match the scalar tessera::to_f16 /
// to_bf16 / to_f32 of core/dtype.hpp bit for bit: round to nearest even, overflow to inf,
// subnormals exact, NaN stays NaN with the same payload bits.
//
// The bit tricks run on int32 lanes (values are masked before any signed compare, and
// only the low 16 bits of a result are stored, so arithmetic shifts are harmless):
//   f32 -> f16  normal: add 0xfff + (lowest kept bit) to round the 13 dropped bits to
//               even, subtract the exponent rebias 112<<23, shift right by 13.
//               subnormal (|x| < 2^-14): |x| + 0.5f rounds |x| to a multiple of 2^-24
//               (the ulp of 0.5) in the FPU, ties to even; the mantissa bits of the sum
//               are then the f16 subnormal (1024 = 0x400 when it rounds up to 2^-14).
//   f16 -> f32  normal: bits << 13 plus the rebias; inf/NaN: exponent 0x1f maps to 0xff
//               with the payload shifted along; subnormal: the 10-bit mantissa as a float
//               times 2^-24, exact and never touching f32 subnormals.
//   f32 -> bf16 x + 0x7fff + (bit 16) then >> 16; NaN keeps its top bits and sets the
//               quiet bit 0x40.
//   bf16 -> f32 bits << 16.
// With F16C / AVX-512F, f32 -> f16 uses vcvtps2ph with round-to-nearest-even, which gives
// the same bits for all 2^32 inputs (checked exhaustively on Zen 4). f16 -> f32 does not use
// vcvtph2ps: it quiets signalling NaNs (sets bit 22), where to_f32 keeps the payload as is.
#include <cstddef>
#include <cstdint>

#if defined(__F16C__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "tessera/core/dtype.hpp"
#include "tessera/simd/arch.hpp"
#include "tessera/simd/compat.hpp"
#include "tessera/simd/loop.hpp"
#include "tessera/simd/reference.hpp"

#include "tessera/simd/warnings_push.hpp"

namespace tessera::simd {

static_assert(sizeof(f16) == 2 && sizeof(bf16) == 2, "f16/bf16 are bare 16-bit patterns");

namespace detail {
// The 16-bit sides are widened to / narrowed from int32 a chunk at a time through a
// stack array: plain loops the compiler vectorises (pmovzx / pack), around xsimd code
// that runs on whole int32 registers. Per-register copies would cost more than the math.
inline constexpr std::size_t convert_chunk = 256;

// out[i] = narrow(eval(in[i..])) for 16-bit outputs H (f16 / bf16).
template <class Arch, class H, class Eval>
inline void convert_to16(H* out, const float* in, std::size_t n, Eval eval) noexcept {
    using B = xsimd::batch<float, Arch>;
    alignas(64) std::int32_t tmp[convert_chunk];
    for (std::size_t c = 0; c < n; c += convert_chunk) {
        const std::size_t len = n - c < convert_chunk ? n - c : convert_chunk;
        for (std::size_t j = 0; j < len; j += B::size) {
            const std::size_t cnt = len - j < B::size ? len - j : B::size;
            eval(load_pad<Arch>(in + c + j, cnt, 0.0f)).store_aligned(tmp + j);
        }
        for (std::size_t k = 0; k < len; ++k) out[c + k].bits = std::uint16_t(tmp[k]);
    }
}

// out[i] = eval(widen(in[i])) for 16-bit inputs H.
template <class Arch, class H, class Eval>
inline void convert_from16(float* out, const H* in, std::size_t n, Eval eval) noexcept {
    using I = xsimd::batch<std::int32_t, Arch>;
    alignas(64) std::int32_t tmp[convert_chunk];
    for (std::size_t c = 0; c < n; c += convert_chunk) {
        const std::size_t len = n - c < convert_chunk ? n - c : convert_chunk;
        for (std::size_t k = 0; k < len; ++k) tmp[k] = in[c + k].bits;
        for (std::size_t k = len; k % I::size != 0; ++k) tmp[k] = 0;  // pad the last register
        for (std::size_t j = 0; j < len; j += I::size) {
            const std::size_t cnt = len - j < I::size ? len - j : I::size;
            store_part<Arch>(out + c + j, eval(I::load_aligned(tmp + j)), cnt);
        }
    }
}
}  // namespace detail

template <class Arch>
struct f32_to_f16_kernel {
    using B = xsimd::batch<float, Arch>;
    using I = xsimd::batch<std::int32_t, Arch>;
    // f16 bit patterns (in the low 16 bits of each lane) of the floats in f.
    static I eval(const B& f) noexcept {
        const I x = bit_cast<std::int32_t>(f);
        const I abs = x & I(0x7fffffff);
        const I sign = (x >> 16) & I(0x8000);
        const I normal = (abs + I(0xfff - 0x38000000) + ((abs >> 13) & I(1))) >> 13;
        const I sub = bit_cast<std::int32_t>(bit_cast<float>(abs) + B(0.5f)) - I(0x3f000000);
        const I nan = I(0x7e00) | ((abs >> 13) & I(0x3ff));
        I r = xsimd::select(abs >= I(0x38800000), normal, sub);  // >= 2^-14: normal f16
        r = xsimd::select(abs >= I(0x477ff000), I(0x7c00), r);    // rounds to >= 65520: inf
        r = xsimd::select(abs > I(0x7f800000), nan, r);
        return r | sign;
    }
    // The portable path alone (tests run it on machines that have F16C too).
    static void convert_generic(f16* out, const float* in, std::size_t n) noexcept {
        detail::convert_to16<Arch>(out, in, n, [](const B& f) { return eval(f); });
    }
    void operator()(Arch, f16* out, const float* in, std::size_t n) const noexcept {
        std::size_t i = 0;
#if defined(__AVX512F__)
        for (; i + 16 <= n; i += 16)
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i),
                                _mm512_cvtps_ph(_mm512_loadu_ps(in + i), _MM_FROUND_TO_NEAREST_INT));
#endif
#if defined(__F16C__)
        for (; i + 8 <= n; i += 8)
            _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i),
                             _mm256_cvtps_ph(_mm256_loadu_ps(in + i), _MM_FROUND_TO_NEAREST_INT));
#endif
        convert_generic(out + i, in + i, n - i);
    }
};

template <class Arch>
struct f16_to_f32_kernel {
    using B = xsimd::batch<float, Arch>;
    using I = xsimd::batch<std::int32_t, Arch>;
    static B eval(const I& h) noexcept {
        const I em = h & I(0x7fff);
        const I sign = (h & I(0x8000)) << 16;
        const I normal = (em << 13) + I(0x38000000);  // exponent + (127 - 15)
        const I infnan = (em << 13) + I(0x70000000);  // 0x1f << 23 becomes 0xff << 23
        const B sub = xsimd::batch_cast<float>(em) * B(5.9604644775390625e-08f);  // · 2^-24
        I r = xsimd::select(em >= I(0x7c00), infnan, normal);
        r = xsimd::select(em < I(0x0400), bit_cast<std::int32_t>(sub), r);
        return bit_cast<float>(r | sign);
    }
    void operator()(Arch, float* out, const f16* in, std::size_t n) const noexcept {
        detail::convert_from16<Arch>(out, in, n, [](const I& h) { return eval(h); });
    }
};

template <class Arch>
struct f32_to_bf16_kernel {
    using B = xsimd::batch<float, Arch>;
    using I = xsimd::batch<std::int32_t, Arch>;
    static I eval(const B& f) noexcept {
        const I x = bit_cast<std::int32_t>(f);
        const I rounded = (x + I(0x7fff) + ((x >> 16) & I(1))) >> 16;
        return xsimd::select((x & I(0x7fffffff)) > I(0x7f800000), (x >> 16) | I(0x40), rounded);
    }
    void operator()(Arch, bf16* out, const float* in, std::size_t n) const noexcept {
        detail::convert_to16<Arch>(out, in, n, [](const B& f) { return eval(f); });
    }
};

template <class Arch>
struct bf16_to_f32_kernel {
    using B = xsimd::batch<float, Arch>;
    using I = xsimd::batch<std::int32_t, Arch>;
    static B eval(const I& h) noexcept { return bit_cast<float>(h << 16); }
    void operator()(Arch, float* out, const bf16* in, std::size_t n) const noexcept {
        detail::convert_from16<Arch>(out, in, n, [](const I& h) { return eval(h); });
    }
};

template <class Arch = default_arch>
inline void f32_to_f16(f16* out, const float* in, std::size_t n) noexcept {
    detail::dispatch<f32_to_f16_kernel, Arch>(reference::f32_to_f16, out, in, n);
}
template <class Arch = default_arch>
inline void f16_to_f32(float* out, const f16* in, std::size_t n) noexcept {
    detail::dispatch<f16_to_f32_kernel, Arch>(reference::f16_to_f32, out, in, n);
}
template <class Arch = default_arch>
inline void f32_to_bf16(bf16* out, const float* in, std::size_t n) noexcept {
    detail::dispatch<f32_to_bf16_kernel, Arch>(reference::f32_to_bf16, out, in, n);
}
template <class Arch = default_arch>
inline void bf16_to_f32(float* out, const bf16* in, std::size_t n) noexcept {
    detail::dispatch<bf16_to_f32_kernel, Arch>(reference::bf16_to_f32, out, in, n);
}

}  // namespace tessera::simd

#include "tessera/simd/warnings_pop.hpp"
