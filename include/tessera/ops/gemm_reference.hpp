#pragma once
// Naive GEMM: the test oracle for ops/gemm.hpp. Accumulates in double so it is a
// tighter reference than any f32 kernel.
#include <cstddef>

#include "tessera/core/tensor.hpp"

namespace tessera::ops::reference {

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
