#pragma once
// norm_layer: either a LayerNorm or an RMSNorm, for blocks that serve both GPT-2-style and
// Llama-style models.
#include <cstddef>
#include <variant>

#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/nn/layer_norm.hpp"
#include "tessera/nn/rms_norm.hpp"

namespace tessera::nn {

class norm_layer {
public:
    norm_layer() = default;
    norm_layer(layer_norm n) : norm_(n) {}  // NOLINT: implicit on purpose
    norm_layer(rms_norm n) : norm_(n) {}    // NOLINT: implicit on purpose

    std::size_t dim() const noexcept {
        return std::visit([](const auto& n) { return n.dim(); }, norm_);
    }
    // out may be the same view as x.
    void forward(tensor_view<const float> x, tensor_view<float> out, thread_pool* pool = nullptr) const {
        std::visit([&](const auto& n) { n.forward(x, out, pool); }, norm_);
    }

private:
    std::variant<layer_norm, rms_norm> norm_;
};

}  // namespace tessera::nn
