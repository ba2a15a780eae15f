#pragma once
// rms_norm: RMSNorm over the last dimension (Llama: x·rsqrt(mean(x²) + eps)·w).
//   weight [n];  x [rows, n] -> out [rows, n]
#include <cmath>
#include <cstddef>
#include <string>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/ops/norm.hpp"

namespace tessera::nn {

class rms_norm {
public:
    rms_norm() = default;
    explicit rms_norm(tensor_view<const float> weight, float eps = 1e-6f) : weight_(weight), eps_(eps) {
        require(weight.rank() == 1 && weight.is_contiguous(), error_kind::invalid_argument,
                [&] { return "rms_norm: weight " + weight.dims().to_string() + " must be contiguous [n]"; });
        require(std::isfinite(eps) && eps > 0.0f, error_kind::invalid_argument, "rms_norm: eps must be finite and > 0");
    }

    std::size_t dim() const noexcept { return weight_.extent(0); }
    float eps() const noexcept { return eps_; }

    // out may be the same view as x.
    void forward(tensor_view<const float> x, tensor_view<float> out, thread_pool* pool = nullptr) const {
        ops::rms_norm(x, weight_, eps_, out, pool);
    }

private:
    tensor_view<const float> weight_;
    float eps_ = 1e-6f;
};

}  // namespace tessera::nn
