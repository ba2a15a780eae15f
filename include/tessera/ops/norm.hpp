#pragma once
// Row-wise normalisation of [rows, n] views over the last dimension, on the simd kernels:
//   layer_norm: out = (x − μ)/√(σ² + eps)·γ + β   (BERT, GPT-2, the original Transformer)
//   rms_norm:   out = x/√(mean(x²) + eps)·γ       (Llama; HF computes the same in f32)
// Rows may be strided; the last dimension needs unit stride. An absent weight is a
// default-constructed (rank 0) view. `out` may be the same view
// as `x`. Each row is one task, so results do not depend on the thread count.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/simd/norm.hpp"

namespace tessera::ops {

namespace detail {

inline void check_norm_args(const char* what, const tensor_view<const float>& x, const tensor_view<const float>& gamma,
                            const tensor_view<const float>& beta, const tensor_view<float>& out, float eps) {
    require(x.rank() == 2 && out.dims() == x.dims(), error_kind::invalid_argument, [&] {
        return std::string(what) + ": x " + x.dims().to_string() + " and out " + out.dims().to_string() +
               " must be the same [rows, n]";
    });
    const std::size_t n = x.extent(1);
    require(n <= 1 || (x.stride(1) == 1 && out.stride(1) == 1), error_kind::invalid_argument,
            [&] { return std::string(what) + ": the last dimension needs unit stride"; });
    for (const auto* p : {&gamma, &beta})
        require(p->rank() == 0 || (p->rank() == 1 && p->extent(0) == n && p->is_contiguous()), error_kind::invalid_argument,
                [&] {
                    return std::string(what) + ": weight " + p->dims().to_string() + " must be contiguous [" +
                           std::to_string(n) + "]";
                });
    require(std::isfinite(eps) && eps >= 0.0f, error_kind::invalid_argument,
            [&] { return std::string(what) + ": eps must be finite and >= 0"; });
}

// Rows per task: enough work per task to pay for the hand-off, fixed by the shape only.
inline std::size_t norm_rows_per_task(std::size_t n) noexcept { return n >= 4096 ? 1 : 4096 / (n ? n : 1); }

}  // namespace detail

// gamma and beta: [n] or empty (1 and 0).
inline void layer_norm(tensor_view<const float> x, tensor_view<const float> gamma, tensor_view<const float> beta,
                       float eps, tensor_view<float> out, thread_pool* pool = nullptr) {
    detail::check_norm_args("layer_norm", x, gamma, beta, out, eps);
    const std::size_t rows = x.extent(0), n = x.extent(1), per = detail::norm_rows_per_task(n);
    parallel_for(pool, (rows + per - 1) / per, [&](std::size_t t) {
        for (std::size_t r = t * per; r < std::min(rows, (t + 1) * per); ++r)
            simd::layernorm(out.data() + r * out.stride(0), x.data() + r * x.stride(0),
                            gamma.rank() == 0 ? nullptr : gamma.data(), beta.rank() == 0 ? nullptr : beta.data(), n, eps);
    });
}

// gamma: [n] or empty (1).
inline void rms_norm(tensor_view<const float> x, tensor_view<const float> gamma, float eps, tensor_view<float> out,
                     thread_pool* pool = nullptr) {
    detail::check_norm_args("rms_norm", x, gamma, {}, out, eps);
    const std::size_t rows = x.extent(0), n = x.extent(1), per = detail::norm_rows_per_task(n);
    parallel_for(pool, (rows + per - 1) / per, [&](std::size_t t) {
        for (std::size_t r = t * per; r < std::min(rows, (t + 1) * per); ++r)
            simd::rmsnorm(out.data() + r * out.stride(0), x.data() + r * x.stride(0),
                          gamma.rank() == 0 ? nullptr : gamma.data(), n, eps);
    });
}

}  // namespace tessera::ops
