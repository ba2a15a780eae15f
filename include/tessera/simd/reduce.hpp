#pragma once
// Reductions over float32: dot, sum, max. Deterministic: four vector accumulators in a
// fixed order (detail::fold4), then the lanes, so the same input gives the same bits on
// every call and at any pointer alignment. The order differs from the sequential scalar
// loop, so results agree with simd::reference to rounding (error <= n·eps·Σ|terms|).
#include <cstddef>
#include <limits>

#include "tessera/simd/arch.hpp"
#include "tessera/simd/loop.hpp"
#include "tessera/simd/reference.hpp"

#include "tessera/simd/warnings_push.hpp"

namespace tessera::simd {

// Σ a[i]·b[i], a and b of length n.
template <class Arch>
struct dot_kernel {
    float operator()(Arch, const float* a, const float* b, std::size_t n) const noexcept {
        using B = xsimd::batch<float, Arch>;
        return detail::sum_fold<Arch>(n, [=](const B& acc, std::size_t i, std::size_t c) {
            return xsimd::fma(detail::load_pad<Arch>(a + i, c, 0.0f), detail::load_pad<Arch>(b + i, c, 0.0f), acc);
        });
    }
};

// Σ x[i]
template <class Arch>
struct sum_kernel {
    float operator()(Arch, const float* x, std::size_t n) const noexcept {
        using B = xsimd::batch<float, Arch>;
        return detail::sum_fold<Arch>(
            n, [=](const B& acc, std::size_t i, std::size_t c) { return acc + detail::load_pad<Arch>(x + i, c, 0.0f); });
    }
};

// max x[i]; NaN if any element is NaN; -inf for n = 0.
template <class Arch>
struct max_kernel {
    using B = xsimd::batch<float, Arch>;
    // Lanes carry the running max; a NaN lane stays NaN because max(NaN, v) is replaced by
    // the NaN itself (x86 maxps would silently drop it, depending on operand order).
    // NaN is tested as !(v == v): xsimd 8.1's AVX `v != v` uses an ordered compare that is
    // false for NaN.
    struct step {
        const float* x;
        B operator()(const B& acc, std::size_t i, std::size_t c) const noexcept {
            const B v = detail::load_pad<Arch>(x + i, c, -std::numeric_limits<float>::infinity());
            return combine(acc, v);
        }
        static B combine(const B& a, const B& b) noexcept {
            return xsimd::select(b == b, xsimd::select(a == a, xsimd::max(a, b), a), b);
        }
    };
    float operator()(Arch, const float* x, std::size_t n) const noexcept {
        const B m = detail::fold4<Arch>(n, B(-std::numeric_limits<float>::infinity()), step{x});
        alignas(64) float lanes[B::size];
        m.store_aligned(lanes);
        float r = lanes[0];
        for (std::size_t k = 1; k < B::size; ++k) {
            if (lanes[k] != lanes[k]) return lanes[k];
            if (lanes[k] > r) r = lanes[k];
        }
        return r;
    }
};

template <class Arch = default_arch>
inline float dot(const float* a, const float* b, std::size_t n) noexcept {
    return detail::dispatch<dot_kernel, Arch>(reference::dot, a, b, n);
}

template <class Arch = default_arch>
inline float sum(const float* x, std::size_t n) noexcept {
    return detail::dispatch<sum_kernel, Arch>(reference::sum, x, n);
}

template <class Arch = default_arch>
inline float max(const float* x, std::size_t n) noexcept {
    return detail::dispatch<max_kernel, Arch>(reference::max, x, n);
}

}  // namespace tessera::simd

#include "tessera/simd/warnings_pop.hpp"
