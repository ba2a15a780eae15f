#pragma once
// decoder_block: a causal pre-norm decoder layer (GPT-2 with LayerNorm and GELU-tanh,
// Llama with RMSNorm, RoPE and SwiGLU), in place on x [batch, seq, hidden] or [seq, hidden]:
//     x = x + attn(norm1(x));   x = x + ffn(norm2(x))
// forward() runs whole sequences (positions 0..seq-1, optional key padding);
// forward_cached() runs n new tokens per sequence against one kv_cache per batch row
// (see nn/kv_cache.hpp: the caller advances the caches after the last layer).
#include <cstddef>
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

class decoder_block {
public:
    decoder_block() = default;
    decoder_block(const multi_head_attention& attn, const norm_layer& norm1, const feed_forward& ffn,
                  const norm_layer& norm2)
        : attn_(attn), norm1_(norm1), ffn_(ffn), norm2_(norm2) {
        const std::size_t h = attn.config().hidden;
        require(attn.config().causal, error_kind::invalid_argument, "decoder_block: attention must be causal");
        require(norm1.dim() == h && norm2.dim() == h && ffn.hidden() == h, error_kind::invalid_argument, [&] {
            return "decoder_block: norms (" + std::to_string(norm1.dim()) + ", " + std::to_string(norm2.dim()) +
                   ") and feed-forward (" + std::to_string(ffn.hidden()) + ") do not match hidden " + std::to_string(h);
        });
    }

    const multi_head_attention& attention() const noexcept { return attn_; }

    void forward(tensor_view<float> x, const attention_masks& masks, workspace& ws, thread_pool* pool = nullptr) const {
        const tensor_view<float> xr = as_rows(x, "decoder_block");
        if (xr.extent(0) == 0) return;
        const std::size_t batch = x.rank() == 3 ? x.extent(0) : 1;
        residual_sublayer(xr, norm1_, true, ws, pool, [&](tensor_view<const float> in, tensor_view<float> out) {
            attn_.forward(as_batch(in, batch), as_batch(out, batch), masks, ws, pool, true);
        });
        ffn_step(xr, ws, pool);
    }

    // x [caches.size(), n, hidden] (or [n, hidden] with one cache); layer = this block's index.
    void forward_cached(tensor_view<float> x, std::span<kv_cache* const> caches, std::size_t layer, workspace& ws,
                        thread_pool* pool = nullptr) const {
        const tensor_view<float> xr = as_rows(x, "decoder_block");
        if (xr.extent(0) == 0) return;
        const std::size_t batch = x.rank() == 3 ? x.extent(0) : 1;
        residual_sublayer(xr, norm1_, true, ws, pool, [&](tensor_view<const float> in, tensor_view<float> out) {
            attn_.forward_cached(as_batch(in, batch), as_batch(out, batch), caches, layer, ws, pool, true);
        });
        ffn_step(xr, ws, pool);
    }
    void forward_cached(tensor_view<float> x, kv_cache& cache, std::size_t layer, workspace& ws,
                        thread_pool* pool = nullptr) const {
        kv_cache* one[] = {&cache};
        forward_cached(x, std::span<kv_cache* const>(one), layer, ws, pool);
    }

private:
    void ffn_step(const tensor_view<float>& xr, workspace& ws, thread_pool* pool) const {
        residual_sublayer(xr, norm2_, true, ws, pool,
                          [&](tensor_view<const float> in, tensor_view<float> out) { ffn_.forward(in, out, ws, pool, true); });
    }

    multi_head_attention attn_;
    norm_layer norm1_;
    feed_forward ffn_;
    norm_layer norm2_;
};

}  // namespace tessera::nn
