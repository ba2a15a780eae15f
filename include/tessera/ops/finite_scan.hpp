#pragma once
// NaN/Inf scan of stored floating-point values, for the readers' opt-in validation
// (RELIABILITY.md, "NaN policy": readers never scan unless asked).
//
// A value is non-finite exactly when its exponent field is all ones (f32: bits 23..30,
// f16: 10..14, bf16: 7..14, f64: 52..62). The test is done on the bit pattern, so it
// survives -ffast-math, and it reads each element with memcpy, so file data at any
// alignment is fine. The loop over a chunk has no early exit and no branch, which lets
// the compiler vectorise it (one AND, one compare, one OR per register of elements);
// only a chunk that holds a non-finite value is searched again for the exact index.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "tessera/core/dtype.hpp"

namespace tessera::ops {

namespace detail {

template <class U, U exponent_mask>
inline std::size_t first_nonfinite_bits(const std::byte* src, std::size_t n) noexcept {
    constexpr std::size_t chunk = 1024;  // elements per branch-free pass
    for (std::size_t begin = 0; begin < n; begin += chunk) {
        const std::size_t end = n - begin < chunk ? n : begin + chunk;
        U bad = 0;
        for (std::size_t i = begin; i < end; ++i) {
            U u;
            std::memcpy(&u, src + i * sizeof(U), sizeof(U));
            bad |= static_cast<U>((u & exponent_mask) == exponent_mask);
        }
        if (bad == 0) continue;
        for (std::size_t i = begin; i < end; ++i) {
            U u;
            std::memcpy(&u, src + i * sizeof(U), sizeof(U));
            if ((u & exponent_mask) == exponent_mask) return i;
        }
    }
    return n;
}

}  // namespace detail

// Index of the first of `n` values of `type` stored at `src` that is NaN or ±Inf; `n` when
// every value is finite. Integer and bool types are always finite (returns n).
inline std::size_t first_nonfinite(dtype type, const std::byte* src, std::size_t n) noexcept {
    switch (type) {
    case dtype::f32: return detail::first_nonfinite_bits<std::uint32_t, 0x7f800000u>(src, n);
    case dtype::f16: return detail::first_nonfinite_bits<std::uint16_t, 0x7c00u>(src, n);
    case dtype::bf16: return detail::first_nonfinite_bits<std::uint16_t, 0x7f80u>(src, n);
    case dtype::f64: return detail::first_nonfinite_bits<std::uint64_t, 0x7ff0000000000000ull>(src, n);
    default: return n;
    }
}

}  // namespace tessera::ops
