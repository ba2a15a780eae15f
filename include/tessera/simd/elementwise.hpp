#pragma once
// Elementwise float32 arithmetic: axpy (y += a·x), scale (x *= a), add, mul. Each output
// may be the same pointer as an input. add, mul and scale are single IEEE operations, so
// they match simd::reference bit for bit; axpy uses a fused multiply-add where the
// instruction set has one (one rounding instead of two).
#include <cstddef>

#include "tessera/simd/arch.hpp"
#include "tessera/simd/loop.hpp"
#include "tessera/simd/reference.hpp"

#include "tessera/simd/warnings_push.hpp"

namespace tessera::simd {

// y[i] += a * x[i], y and x of length n.
template <class Arch>
struct axpy_kernel {
    void operator()(Arch, float* y, float a, const float* x, std::size_t n) const noexcept {
        using B = xsimd::batch<float, Arch>;
        const B va(a);
        detail::map<Arch>(y, n, [va](const B& vx, const B& vy) { return xsimd::fma(va, vx, vy); }, x, y);
    }
};

// x[i] *= a
template <class Arch>
struct scale_kernel {
    void operator()(Arch, float* x, float a, std::size_t n) const noexcept {
        using B = xsimd::batch<float, Arch>;
        const B va(a);
        detail::map<Arch>(x, n, [va](const B& v) { return v * va; }, x);
    }
};

// out[i] = a[i] + b[i]
template <class Arch>
struct add_kernel {
    void operator()(Arch, float* out, const float* a, const float* b, std::size_t n) const noexcept {
        using B = xsimd::batch<float, Arch>;
        detail::map<Arch>(out, n, [](const B& u, const B& v) { return u + v; }, a, b);
    }
};

// out[i] = a[i] * b[i]
template <class Arch>
struct mul_kernel {
    void operator()(Arch, float* out, const float* a, const float* b, std::size_t n) const noexcept {
        using B = xsimd::batch<float, Arch>;
        detail::map<Arch>(out, n, [](const B& u, const B& v) { return u * v; }, a, b);
    }
};

template <class Arch = default_arch>
inline void axpy(float* y, float a, const float* x, std::size_t n) noexcept {
    detail::dispatch<axpy_kernel, Arch>(reference::axpy, y, a, x, n);
}

template <class Arch = default_arch>
inline void scale(float* x, float a, std::size_t n) noexcept {
    detail::dispatch<scale_kernel, Arch>(reference::scale, x, a, n);
}

template <class Arch = default_arch>
inline void add(float* out, const float* a, const float* b, std::size_t n) noexcept {
    detail::dispatch<add_kernel, Arch>(reference::add, out, a, b, n);
}

template <class Arch = default_arch>
inline void mul(float* out, const float* a, const float* b, std::size_t n) noexcept {
    detail::dispatch<mul_kernel, Arch>(reference::mul, out, a, b, n);
}

}  // namespace tessera::simd

#include "tessera/simd/warnings_pop.hpp"
