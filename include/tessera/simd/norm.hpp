#pragma once
// Row normalisations over float32 vectors of length n: softmax, LayerNorm, RMSNorm.
// Built from the reduce/elementwise/math kernels, so they share their determinism: the
// same row gives the same bits on every call. `out` may be the same pointer as `x`.
// NaN policy as in simd/reference.hpp (softmax of a row holding +inf or only -inf is NaN).
#include <cmath>
#include <cstddef>

#include "tessera/simd/arch.hpp"
#include "tessera/simd/elementwise.hpp"
#include "tessera/simd/loop.hpp"
#include "tessera/simd/math.hpp"
#include "tessera/simd/reduce.hpp"
#include "tessera/simd/reference.hpp"

#include "tessera/simd/warnings_push.hpp"

namespace tessera::simd {

// softmax(x)_i = exp(x_i − m) / Σ_j exp(x_j − m),  m = max_j x_j.
// Subtracting m changes nothing mathematically (the factor e^(−m) cancels) but keeps every
// exponent <= 0, so no term overflows and the largest term is exactly 1 (the sum is >= 1).
// Three passes: max; out = exp(x − m) and its sum; out *= 1/sum.
template <class Arch>
struct softmax_kernel {
    using B = xsimd::batch<float, Arch>;
    void operator()(Arch, float* out, const float* x, std::size_t n) const noexcept {
        if (n == 0) return;
        const B m(max_kernel<Arch>{}(Arch{}, x, n));
        detail::map<Arch>(out, n, [m](const B& v) { return exp_kernel<Arch>::eval(v - m); }, x);
        const float s = sum_kernel<Arch>{}(Arch{}, out, n);
        scale_kernel<Arch>{}(Arch{}, out, 1.0f / s, n);
    }
};

// LayerNorm: out_i = (x_i − μ) / sqrt(σ² + eps) · γ_i + β_i, with μ = Σx/n and the
// population variance σ² = Σ(x − μ)²/n computed in a second pass over x (more accurate
// than E[x²] − μ², which cancels when |μ| >> σ). gamma/beta may be nullptr (1 and 0).
template <class Arch>
struct layernorm_kernel {
    using B = xsimd::batch<float, Arch>;
    void operator()(Arch, float* out, const float* x, const float* gamma, const float* beta, std::size_t n,
                    float eps) const noexcept {
        if (n == 0) return;
        const float mean = sum_kernel<Arch>{}(Arch{}, x, n) / float(n);
        const B vm(mean);
        // Pad lanes hold the mean, so their (x − μ)² is 0.
        const float ss = detail::sum_fold<Arch>(n, [=](const B& acc, std::size_t i, std::size_t c) {
            const B d = detail::load_pad<Arch>(x + i, c, mean) - vm;
            return xsimd::fma(d, d, acc);
        });
        const B r(1.0f / std::sqrt(ss / float(n) + eps));
        if (gamma && beta)
            detail::map<Arch>(out, n, [=](const B& v, const B& g, const B& b) { return xsimd::fma((v - vm) * r, g, b); },
                              x, gamma, beta);
        else if (gamma)
            detail::map<Arch>(out, n, [=](const B& v, const B& g) { return (v - vm) * r * g; }, x, gamma);
        else if (beta)
            detail::map<Arch>(out, n, [=](const B& v, const B& b) { return xsimd::fma(v - vm, r, b); }, x, beta);
        else
            detail::map<Arch>(out, n, [=](const B& v) { return (v - vm) * r; }, x);
    }
};

// RMSNorm (Llama, T5): out_i = x_i / sqrt(Σx²/n + eps) · γ_i; gamma may be nullptr (1).
template <class Arch>
struct rmsnorm_kernel {
    using B = xsimd::batch<float, Arch>;
    void operator()(Arch, float* out, const float* x, const float* gamma, std::size_t n, float eps) const noexcept {
        if (n == 0) return;
        const float ss = dot_kernel<Arch>{}(Arch{}, x, x, n);
        const B r(1.0f / std::sqrt(ss / float(n) + eps));
        if (gamma)
            detail::map<Arch>(out, n, [r](const B& v, const B& g) { return v * r * g; }, x, gamma);
        else
            detail::map<Arch>(out, n, [r](const B& v) { return v * r; }, x);
    }
};

template <class Arch = default_arch>
inline void softmax(float* out, const float* x, std::size_t n) noexcept {
    detail::dispatch<softmax_kernel, Arch>(reference::softmax, out, x, n);
}

template <class Arch = default_arch>
inline void layernorm(float* out, const float* x, const float* gamma, const float* beta, std::size_t n,
                      float eps) noexcept {
    detail::dispatch<layernorm_kernel, Arch>(reference::layernorm, out, x, gamma, beta, n, eps);
}

template <class Arch = default_arch>
inline void rmsnorm(float* out, const float* x, const float* gamma, std::size_t n, float eps) noexcept {
    detail::dispatch<rmsnorm_kernel, Arch>(reference::rmsnorm, out, x, gamma, n, eps);
}

}  // namespace tessera::simd

#include "tessera/simd/warnings_pop.hpp"
