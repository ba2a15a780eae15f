#pragma once
// safetensors_weights: the tensors of one checkpoint (a .safetensors file, a model directory
// or a sharded index, see io/safetensors_model.hpp) handed to model code as f32 views whose
// shapes are checked against what the model's config implies.
//
//   auto w = std::make_unique<models::safetensors_weights>(dir);
//   tensor_view<const float> wq = w->get("model.layers.0.self_attn.q_proj.weight", {q, H});
//
// F32 tensors are used in place (memory-mapped, no copy). F16, BF16 and F64 tensors are
// converted once into f32 copies owned here (deque: the copies never move). Integer and
// bool tensors are not weights: `invalid_data`. A missing tensor or a shape other than the
// expected one is `inconsistent`, naming the tensor, the file and both shapes.
// Views point into this object: it is neither copyable nor movable; models hold it by
// unique_ptr so that they can move.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <string>
#include <string_view>

#include "tessera/core/dtype.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/shape.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/io/safetensors_model.hpp"

namespace tessera::models {

class safetensors_weights {
public:
    explicit safetensors_weights(const std::filesystem::path& path, const io::safetensors_model_options& options = {})
        : model_(path, options), what_(path.string()) {}
    safetensors_weights(const safetensors_weights&) = delete;
    safetensors_weights& operator=(const safetensors_weights&) = delete;

    const io::safetensors_model& file() const noexcept { return model_; }
    const std::string& what() const noexcept { return what_; }
    bool contains(std::string_view name) const noexcept { return model_.contains(name); }
    // Bytes of the f32 copies made for tensors stored in other dtypes.
    std::size_t converted_bytes() const noexcept {
        std::size_t n = 0;
        for (const auto& t : converted_) n += t.numel() * sizeof(float);
        return n;
    }

    // The tensor `name`, which must exist with shape `dims`.
    tensor_view<const float> get(const std::string& name, const shape& dims) {
        require(model_.contains(name), error_kind::inconsistent,
                [&] { return what_ + ": tensor '" + name + "' is missing (expected shape " + dims.to_string() + ")"; });
        return bind(name, dims);
    }
    // As get(), or a rank-0 view when the checkpoint does not hold `name` (optional biases).
    tensor_view<const float> get_if(const std::string& name, const shape& dims) {
        return model_.contains(name) ? bind(name, dims) : tensor_view<const float>();
    }

private:
    tensor_view<const float> bind(const std::string& name, const shape& dims) {
        const io::safetensors_tensor_info& info = model_.info(name);
        require(info.dims == dims, error_kind::inconsistent, [&] {
            return what_ + ": tensor '" + name + "' has shape " + info.dims.to_string() + ", the config implies " +
                   dims.to_string();
        });
        switch (info.type) {
            case dtype::f32: {
                // The header length makes the data 4-byte aligned in every writer we know; copy if not.
                const std::byte* p = model_.bytes(name).data();
                if (reinterpret_cast<std::uintptr_t>(p) % alignof(float) == 0) return model_.view<float>(name);
                return converted_.emplace_back(model_.load_f32(name)).view();
            }
            case dtype::f16:
            case dtype::bf16:
            case dtype::f64: return converted_.emplace_back(model_.load_f32(name)).view();
            default:
                throw error(error_kind::invalid_data, what_ + ": tensor '" + name + "' is " +
                                                          std::string(io::safetensors_dtype_name(info.type)) +
                                                          ", not a floating-point weight");
        }
    }

    io::safetensors_model model_;
    std::string what_;
    std::deque<tensor<float>> converted_;
};

}  // namespace tessera::models
