#pragma once
// layer_norm: LayerNorm over the last dimension, weights held as views.
//   gamma [n] (or empty: 1), beta [n] (or empty: 0);  x [rows, n] -> out [rows, n]
#include <cmath>
#include <cstddef>
#include <string>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/ops/norm.hpp"

namespace tessera::nn {

class layer_norm {
public:
    layer_norm() = default;
    layer_norm(tensor_view<const float> gamma, tensor_view<const float> beta, float eps = 1e-5f)
        : gamma_(gamma), beta_(beta), eps_(eps) {
        require(gamma.rank() == 1 && gamma.is_contiguous() &&
                    (beta.rank() == 0 || (beta.rank() == 1 && beta.extent(0) == gamma.extent(0) && beta.is_contiguous())),
                error_kind::invalid_argument, [&] {
                    return "layer_norm: gamma " + gamma.dims().to_string() + " and beta " + beta.dims().to_string() +
                           " must be contiguous [n]";
                });
        require(std::isfinite(eps) && eps > 0.0f, error_kind::invalid_argument, "layer_norm: eps must be finite and > 0");
    }

    std::size_t dim() const noexcept { return gamma_.extent(0); }
    float eps() const noexcept { return eps_; }

    // out may be the same view as x.
    void forward(tensor_view<const float> x, tensor_view<float> out, thread_pool* pool = nullptr) const {
        ops::layer_norm(x, gamma_, beta_, eps_, out, pool);
    }

private:
    tensor_view<const float> gamma_;
    tensor_view<const float> beta_;
    float eps_ = 1e-5f;
};

}  // namespace tessera::nn
