#pragma once
// Which instruction set the kernels use. It is decided by the compiler flags of the
// translation unit that includes tessera (no run-time dispatch, see ARCHITECTURE.md):
// -march=native on Zen 4 gives avx512bw, plain x86-64 gives sse2, and a target where
// xsimd knows no instruction set at all gives `scalar_arch`, for which every public
// wrapper runs the plain loops of simd/reference.hpp.
//
// Every public wrapper is a function template whose first parameter defaults to
// `default_arch`: `simd::dot(a, b, n)` in an AVX-512 translation unit instantiates
// `dot<xsimd::avx512bw>` and in a plain one `dot<xsimd::sse2>`. The two are different
// symbols, so linking translation units built with different flags never lets the
// linker pick an AVX-512 body for code that was compiled for SSE2.
#include <cstddef>
#include <type_traits>

#include "tessera/simd/warnings_push.hpp"
#include <xsimd/xsimd.hpp>
#include "tessera/simd/warnings_pop.hpp"

namespace tessera::simd {

// Tag for "no vector instruction set": wrappers fall back to simd/reference.hpp.
struct scalar_arch {
    static constexpr const char* name() noexcept { return "scalar"; }
    static constexpr bool supported() noexcept { return true; }
};

#if defined(XSIMD_NO_SUPPORTED_ARCHITECTURE)
using default_arch = scalar_arch;
#else
using default_arch = xsimd::default_arch;
#endif

template <class Arch>
inline constexpr bool is_vector_arch = !std::is_same_v<Arch, scalar_arch>;

// floats per register for `Arch` (1 for the scalar fallback).
template <class Arch>
constexpr std::size_t batch_size_of() noexcept {
    if constexpr (is_vector_arch<Arch>) return xsimd::batch<float, Arch>::size;
    else return 1;
}

// floats per register in this translation unit (16 for AVX-512, 8 for AVX2, 4 for SSE2).
// A namespace-scope constexpr has internal linkage, so each translation unit keeps its own.
constexpr std::size_t batch_size = batch_size_of<default_arch>();

namespace detail {
// Runs Kernel<Arch> for a vector arch, and the scalar reference `ref` otherwise. The
// discarded branch is never instantiated, so Kernel<scalar_arch> need not exist.
template <template <class> class Kernel, class Arch, class Ref, class... Args>
inline decltype(auto) dispatch(Ref ref, Args... args) noexcept {
    if constexpr (is_vector_arch<Arch>) return Kernel<Arch>{}(Arch{}, args...);
    else return ref(args...);
}
}  // namespace detail

}  // namespace tessera::simd

namespace tessera {

// Name of the instruction set the simd kernels use in the calling translation unit:
// xsimd's names ("avx512bw", "fma3+avx2", "avx2", "sse4.2", "sse2", "neon64", ...) or "scalar".
template <class Arch = simd::default_arch>
constexpr const char* simd_level() noexcept {
    return Arch::name();
}

}  // namespace tessera
