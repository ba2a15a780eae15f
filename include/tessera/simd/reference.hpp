#pragma once
// Plain scalar loops for every simd kernel: the definition each kernel is tested against
// and the fallback the wrappers run when no vector instruction set is available
// (simd::scalar_arch). They compute in float, one element after another, except that
// sums (dot, sum, and the sums inside softmax and the norms) accumulate in double, so the
// reference is also accurate for long rows. They follow the same NaN policy as the kernels:
//   - max propagates NaN (any NaN in the input gives NaN); max of n = 0 is -inf.
//   - sum and dot of n = 0 are 0.
//   - softmax: an input holding +inf, or all -inf, gives NaN (inf - inf), as in PyTorch;
//     a -inf element (a masked position) gets weight 0.
//   - silu(-inf) and gelu(-inf) are NaN (-inf * 0), as the formulas give.
// `out` may be the same pointer as an input everywhere (never a partial overlap).
#include <cmath>
#include <cstddef>
#include <limits>

#include "tessera/core/dtype.hpp"

namespace tessera::simd::reference {

inline float dot(const float* a, const float* b, std::size_t n) noexcept {
    double s = 0.0;
    for (std::size_t i = 0; i < n; ++i) s += double(a[i]) * b[i];
    return float(s);
}

inline float sum(const float* x, std::size_t n) noexcept {
    double s = 0.0;
    for (std::size_t i = 0; i < n; ++i) s += x[i];
    return float(s);
}

inline float max(const float* x, std::size_t n) noexcept {
    float m = -std::numeric_limits<float>::infinity();
    for (std::size_t i = 0; i < n; ++i) {
        if (std::isnan(x[i])) return x[i];
        if (x[i] > m) m = x[i];
    }
    return m;
}

// y += a * x
inline void axpy(float* y, float a, const float* x, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) y[i] += a * x[i];
}

// x *= a
inline void scale(float* x, float a, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) x[i] *= a;
}

inline void add(float* out, const float* a, const float* b, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) out[i] = a[i] + b[i];
}

inline void mul(float* out, const float* a, const float* b, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) out[i] = a[i] * b[i];
}

inline void exp(float* out, const float* in, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) out[i] = std::exp(in[i]);
}

inline void tanh(float* out, const float* in, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) out[i] = std::tanh(in[i]);
}

inline void erf(float* out, const float* in, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) out[i] = std::erf(in[i]);
}

// GELU, erf form: 0.5 x (1 + erf(x/√2)) = 0.5 x erfc(-x/√2) (no cancellation for x << 0).
inline float gelu_erf_of(float x) noexcept { return 0.5f * x * std::erfc(-x * 0.70710678118654752f); }

// GELU, tanh form: 0.5 x (1 + tanh(u)) = x / (1 + exp(-2u)), u = √(2/π)(x + 0.044715 x³).
inline float gelu_tanh_of(float x) noexcept {
    const float u = 0.79788456080286536f * (x + 0.044715f * x * x * x);
    return x / (1.0f + std::exp(-2.0f * u));
}

// SiLU: x σ(x) = x / (1 + exp(-x)).
inline float silu_of(float x) noexcept { return x / (1.0f + std::exp(-x)); }

inline void gelu_erf(float* out, const float* in, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) out[i] = gelu_erf_of(in[i]);
}
inline void gelu_tanh(float* out, const float* in, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) out[i] = gelu_tanh_of(in[i]);
}
inline void silu(float* out, const float* in, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) out[i] = silu_of(in[i]);
}

// out = exp(x - max x) / Σ exp(x - max x)
inline void softmax(float* out, const float* in, std::size_t n) noexcept {
    if (n == 0) return;
    const float m = max(in, n);
    double s = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = std::exp(in[i] - m);
        s += out[i];
    }
    const float inv = float(1.0 / s);
    for (std::size_t i = 0; i < n; ++i) out[i] *= inv;
}

// out = (x - mean) / sqrt(var + eps) * gamma + beta, var the population variance (÷ n);
// gamma == nullptr means 1, beta == nullptr means 0. Two passes: mean, then Σ(x - mean)².
inline void layernorm(float* out, const float* x, const float* gamma, const float* beta, std::size_t n,
                      float eps) noexcept {
    if (n == 0) return;
    const float mean = sum(x, n) / float(n);
    double ss = 0.0;
    for (std::size_t i = 0; i < n; ++i) ss += double(x[i] - mean) * (x[i] - mean);
    const float rstd = 1.0f / std::sqrt(float(ss / double(n)) + eps);
    for (std::size_t i = 0; i < n; ++i) {
        float v = (x[i] - mean) * rstd;
        if (gamma) v *= gamma[i];
        if (beta) v += beta[i];
        out[i] = v;
    }
}

// out = x / sqrt(mean(x²) + eps) * gamma; gamma == nullptr means 1.
inline void rmsnorm(float* out, const float* x, const float* gamma, std::size_t n, float eps) noexcept {
    if (n == 0) return;
    const float r = 1.0f / std::sqrt(dot(x, x, n) / float(n) + eps);
    for (std::size_t i = 0; i < n; ++i) out[i] = gamma ? x[i] * r * gamma[i] : x[i] * r;
}

inline void f32_to_f16(f16* out, const float* in, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) out[i] = to_f16(in[i]);
}
inline void f16_to_f32(float* out, const f16* in, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) out[i] = to_f32(in[i]);
}
inline void f32_to_bf16(bf16* out, const float* in, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) out[i] = to_bf16(in[i]);
}
inline void bf16_to_f32(float* out, const bf16* in, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) out[i] = to_f32(in[i]);
}

}  // namespace tessera::simd::reference
