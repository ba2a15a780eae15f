#pragma once
// cross_attention_block: the decoder layer of the original encoder-decoder Transformer
// (torch.nn.TransformerDecoderLayer), in place on x [batch, tgt, hidden]:
//   post-norm (norm_first = false, the paper):
//       x = norm1(x + self_attn(x));  x = norm2(x + cross_attn(x, memory));  x = norm3(x + ffn(x))
//   pre-norm (norm_first = true):
//       x = x + self_attn(norm1(x));  x = x + cross_attn(norm2(x), memory);  x = x + ffn(norm3(x))
// self_attn is causal. The encoder memory is projected to K/V once per request with
// project_memory() and reused for every decoding step; forward_cached() runs n new target
// tokens per sequence against one kv_cache per batch row (advanced by the caller).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/nn/feed_forward.hpp"
#include "tessera/nn/kv_cache.hpp"
#include "tessera/nn/multi_head_attention.hpp"
#include "tessera/nn/norm_layer.hpp"
#include "tessera/nn/residual.hpp"
#include "tessera/nn/rows.hpp"
#include "tessera/nn/workspace.hpp"

namespace tessera::nn {

class cross_attention_block {
public:
    cross_attention_block() = default;
    cross_attention_block(const multi_head_attention& self_attn, const norm_layer& norm1,
                          const multi_head_attention& cross_attn, const norm_layer& norm2, const feed_forward& ffn,
                          const norm_layer& norm3, bool norm_first = false)
        : self_(self_attn), norm1_(norm1), cross_(cross_attn), norm2_(norm2), ffn_(ffn), norm3_(norm3),
          norm_first_(norm_first) {
        const std::size_t h = self_attn.config().hidden;
        require(self_attn.config().causal && !cross_attn.config().causal, error_kind::invalid_argument,
                "cross_attention_block: self-attention must be causal and cross-attention not");
        require(cross_attn.config().hidden == h && norm1.dim() == h && norm2.dim() == h && norm3.dim() == h &&
                    ffn.hidden() == h,
                error_kind::invalid_argument, [&] {
                    return "cross_attention_block: sublayer widths do not match hidden " + std::to_string(h);
                });
    }

    // memory [batch, n_mem, hidden] from the encoder -> this layer's cross K/V.
    projected_memory project_memory(tensor_view<const float> memory, thread_pool* pool = nullptr) const {
        return cross_.project_memory(memory, pool);
    }

    // tgt_masks: key padding of the target and/or an additive mask (the causal mask is built in).
    void forward(tensor_view<float> x, const projected_memory& memory, const attention_masks& tgt_masks,
                 std::span<const std::uint8_t> memory_padding, workspace& ws, thread_pool* pool = nullptr) const {
        const tensor_view<float> xr = as_rows(x, "cross_attention_block");
        if (xr.extent(0) == 0) return;
        const std::size_t batch = x.rank() == 3 ? x.extent(0) : 1;
        residual_sublayer(xr, norm1_, norm_first_, ws, pool, [&](tensor_view<const float> in, tensor_view<float> out) {
            self_.forward(as_batch(in, batch), as_batch(out, batch), tgt_masks, ws, pool, true);
        });
        cross_and_ffn(xr, batch, memory, memory_padding, ws, pool);
    }

    void forward_cached(tensor_view<float> x, std::span<kv_cache* const> caches, std::size_t layer,
                        const projected_memory& memory, std::span<const std::uint8_t> memory_padding, workspace& ws,
                        thread_pool* pool = nullptr) const {
        const tensor_view<float> xr = as_rows(x, "cross_attention_block");
        if (xr.extent(0) == 0) return;
        const std::size_t batch = x.rank() == 3 ? x.extent(0) : 1;
        residual_sublayer(xr, norm1_, norm_first_, ws, pool, [&](tensor_view<const float> in, tensor_view<float> out) {
            self_.forward_cached(as_batch(in, batch), as_batch(out, batch), caches, layer, ws, pool, true);
        });
        cross_and_ffn(xr, batch, memory, memory_padding, ws, pool);
    }

private:
    void cross_and_ffn(const tensor_view<float>& xr, std::size_t batch, const projected_memory& memory,
                       std::span<const std::uint8_t> memory_padding, workspace& ws, thread_pool* pool) const {
        residual_sublayer(xr, norm2_, norm_first_, ws, pool, [&](tensor_view<const float> in, tensor_view<float> out) {
            cross_.forward_cross(as_batch(in, batch), memory, as_batch(out, batch), memory_padding, ws, pool, true);
        });
        residual_sublayer(xr, norm3_, norm_first_, ws, pool,
                          [&](tensor_view<const float> in, tensor_view<float> out) { ffn_.forward(in, out, ws, pool, true); });
    }

    multi_head_attention self_;
    norm_layer norm1_;
    multi_head_attention cross_;
    norm_layer norm2_;
    feed_forward ffn_;
    norm_layer norm3_;
    bool norm_first_ = false;
};

}  // namespace tessera::nn
