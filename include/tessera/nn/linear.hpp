#pragma once
// linear: y = x·Wᵀ + b, optionally followed by an activation fused into the GEMM's last
// pass. Immutable after construction. The weight is packed once, at construction, into
// the GEMM's panel layout (ops::packed_matrix, shared by copies of the layer): every
// forward then skips packing, and a row's result is bitwise the same whatever the number
// of rows — a token decoded alone through a KV cache gets exactly the values it gets in
// the full forward. The packed copy costs one more weight-sized buffer; the views of the
// original weights are kept for inspection only.
//   weight  [out, in]  as torch.nn.Linear and HF store it (weight_layout::out_in), or
//           [in, out]  as GPT-2's Conv1D stores it (weight_layout::in_out)
//   bias    [out], or a default-constructed (rank 0) view for none
//   x [n, in] -> y [n, out]  (rows may be strided; y needs unit column stride)
#include <cstddef>
#include <memory>
#include <string>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/ops/gemm.hpp"
#include "tessera/ops/packed_matrix.hpp"

namespace tessera::nn {

enum class weight_layout { out_in, in_out };

class linear {
public:
    linear() = default;
    linear(tensor_view<const float> weight, tensor_view<const float> bias = {},
           weight_layout layout = weight_layout::out_in, ops::activation act = ops::activation::none)
        : weight_(weight), bias_(bias), layout_(layout), act_(act) {
        require(weight.rank() == 2, error_kind::invalid_argument,
                [&] { return "linear: weight " + weight.dims().to_string() + " must be rank 2"; });
        require(bias.rank() == 0 || (bias.rank() == 1 && bias.extent(0) == out_features() && bias.is_contiguous()),
                error_kind::invalid_argument, [&] {
                    return "linear: bias " + bias.dims().to_string() + " must be contiguous [" +
                           std::to_string(out_features()) + "] for weight " + weight.dims().to_string();
                });
        packed_ = std::make_shared<const ops::packed_matrix<>>(
            ops::packed_matrix<>::pack(weight, layout == weight_layout::out_in));
    }

    std::size_t in_features() const noexcept { return weight_.extent(layout_ == weight_layout::out_in ? 1 : 0); }
    std::size_t out_features() const noexcept { return weight_.extent(layout_ == weight_layout::out_in ? 0 : 1); }
    const tensor_view<const float>& weight() const noexcept { return weight_; }
    const tensor_view<const float>& bias() const noexcept { return bias_; }
    weight_layout layout() const noexcept { return layout_; }
    ops::activation activation() const noexcept { return act_; }
    // The same weights with another fused activation.
    linear with_activation(ops::activation act) const {
        linear l = *this;
        l.act_ = act;
        return l;
    }
    bool empty() const noexcept { return weight_.rank() == 0; }

    // y = act(x·Wᵀ + b), or with `accumulate` y = act(y + x·Wᵀ + b) (a fused residual add).
    void forward(tensor_view<const float> x, tensor_view<float> y, thread_pool* pool = nullptr,
                 bool accumulate = false) const {
        require(!empty(), error_kind::invalid_argument, "linear: forward on an empty layer");
        require(x.rank() == 2 && y.rank() == 2 && x.extent(1) == in_features() && y.extent(1) == out_features() &&
                    y.extent(0) == x.extent(0),
                error_kind::invalid_argument, [&] {
                    return "linear: x " + x.dims().to_string() + " -> y " + y.dims().to_string() + " with weight " +
                           weight_.dims().to_string() + " (in " + std::to_string(in_features()) + ", out " +
                           std::to_string(out_features()) + ")";
                });
        ops::matmul(x, *packed_, y,
                    {.accumulate = accumulate, .bias = bias_.rank() == 0 ? nullptr : bias_.data(), .act = act_}, pool);
    }

private:
    tensor_view<const float> weight_;
    tensor_view<const float> bias_;
    weight_layout layout_ = weight_layout::out_in;
    ops::activation act_ = ops::activation::none;
    std::shared_ptr<const ops::packed_matrix<>> packed_;
};

}  // namespace tessera::nn
