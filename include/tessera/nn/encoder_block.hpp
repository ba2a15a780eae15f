#pragma once
// encoder_block: self-attention and feed-forward with residuals and norms, in place on
// x [batch, seq, hidden] (or [seq, hidden]).
//   post-norm (BERT, original Transformer, torch norm_first=False):
//       x = norm1(x + attn(x));  x = norm2(x + ffn(x))
//   pre-norm (norm_first=True):
//       x = x + attn(norm1(x));  x = x + ffn(norm2(x))
// Padding: masks.key_padding [batch·seq] (1 = token) keeps padded keys out of every
// row's attention; padded rows themselves are computed but meaningless.
#include <string>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/nn/feed_forward.hpp"
#include "tessera/nn/multi_head_attention.hpp"
#include "tessera/nn/norm_layer.hpp"
#include "tessera/nn/residual.hpp"
#include "tessera/nn/rows.hpp"
#include "tessera/nn/workspace.hpp"

namespace tessera::nn {

class encoder_block {
public:
    encoder_block() = default;
    encoder_block(const multi_head_attention& attn, const norm_layer& norm1, const feed_forward& ffn,
                  const norm_layer& norm2, bool norm_first = false)
        : attn_(attn), norm1_(norm1), ffn_(ffn), norm2_(norm2), norm_first_(norm_first) {
        const std::size_t h = attn.config().hidden;
        require(norm1.dim() == h && norm2.dim() == h && ffn.hidden() == h, error_kind::invalid_argument, [&] {
            return "encoder_block: norms (" + std::to_string(norm1.dim()) + ", " + std::to_string(norm2.dim()) +
                   ") and feed-forward (" + std::to_string(ffn.hidden()) + ") do not match hidden " + std::to_string(h);
        });
    }

    const multi_head_attention& attention() const noexcept { return attn_; }

    void forward(tensor_view<float> x, const attention_masks& masks, workspace& ws, thread_pool* pool = nullptr) const {
        const tensor_view<float> xr = as_rows(x, "encoder_block");
        if (xr.extent(0) == 0) return;
        const std::size_t batch = x.rank() == 3 ? x.extent(0) : 1;
        residual_sublayer(xr, norm1_, norm_first_, ws, pool, [&](tensor_view<const float> in, tensor_view<float> out) {
            attn_.forward(as_batch(in, batch), as_batch(out, batch), masks, ws, pool, true);
        });
        residual_sublayer(xr, norm2_, norm_first_, ws, pool,
                          [&](tensor_view<const float> in, tensor_view<float> out) { ffn_.forward(in, out, ws, pool, true); });
    }

private:
    multi_head_attention attn_;
    norm_layer norm1_;
    feed_forward ffn_;
    norm_layer norm2_;
    bool norm_first_ = false;
};

}  // namespace tessera::nn
