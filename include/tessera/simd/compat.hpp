#pragma once
// The few places where xsimd releases differ in what tessera's kernels use, kept in one
// spot so the kernels read the same on Debian's xsimd 8.1 and on current releases.
//
//   horizontal sum    8.x: hadd(b)                       10.0+: reduce_add(b) (hadd gone in 13)
//   reinterpret bits  8.x-10.x: bitwise_cast<batch<To,A>>(b)  11.0+: bitwise_cast<To>(b)
//
// Everything else we call (batch::load_unaligned/store_unaligned/load_aligned, select,
// fma, min, max, sqrt, batch_cast, exp/tanh/erf/erfc, comparisons, integer shifts, any)
// has the same spelling from 8.1 to 13.
#include "tessera/simd/warnings_push.hpp"
#include <xsimd/xsimd.hpp>
#include "tessera/simd/warnings_pop.hpp"

#include "tessera/simd/warnings_push.hpp"

namespace tessera::simd {

// Sum of the lanes of `x`, in the fixed order the xsimd version implements.
template <class T, class A>
inline T reduce_sum(const xsimd::batch<T, A>& x) noexcept {
#if XSIMD_VERSION_MAJOR >= 10
    return xsimd::reduce_add(x);
#else
    return xsimd::hadd(x);
#endif
}

// Lane-wise reinterpretation of the bits of `x` as `To` (same lane width).
template <class To, class From, class A>
inline xsimd::batch<To, A> bit_cast(const xsimd::batch<From, A>& x) noexcept {
    static_assert(sizeof(To) == sizeof(From), "bit_cast keeps the lane width");
#if XSIMD_VERSION_MAJOR >= 11
    return xsimd::bitwise_cast<To>(x);
#else
    return xsimd::bitwise_cast<xsimd::batch<To, A>>(x);
#endif
}

}  // namespace tessera::simd

#include "tessera/simd/warnings_pop.hpp"
