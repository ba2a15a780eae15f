#pragma once
// Naive GEMM: the test oracle for ops/gemm.hpp. Accumulates in double so it is a
// tighter reference than any f32 kernel.
#include <cmath>
#include <cstddef>

#include "tessera/core/tensor.hpp"
#include "tessera/ops/gemm.hpp"  // activation

namespace tessera::ops::reference {

// The activations of matmul's epilogue in plain scalar form, evaluated in double.
inline float activate(float x, activation act) noexcept {
    switch (act) {
    case activation::none: return x;
    case activation::relu: return x > 0.0f ? x : 0.0f;
    case activation::gelu_erf: return float(0.5 * x * (1.0 + std::erf(double(x) * 0.70710678118654752)));
    case activation::gelu_tanh: {
        const double u = 0.79788456080286536 * (x + 0.044715 * double(x) * x * x);
        return float(0.5 * x * (1.0 + std::tanh(u)));
    }
    case activation::silu: return float(x / (1.0 + std::exp(-double(x))));
    }
    return x;
}

// C[M,N] = A[M,K] · op(B) where op(B) = Bᵀ for B [N,K] (transpose_b) or B for B [K,N].
inline void matmul(tensor_view<const float> a, tensor_view<const float> b, tensor_view<float> c, bool transpose_b,
                   const float* bias = nullptr) noexcept {
    const std::size_t m = a.extent(0), k = a.extent(1), n = c.extent(1);
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            double s = bias ? bias[j] : 0.0;
            for (std::size_t p = 0; p < k; ++p) s += double(a(i, p)) * double(transpose_b ? b(j, p) : b(p, j));
            c(i, j) = float(s);
        }
}

}  // namespace tessera::ops::reference
