#pragma once
// residual_sublayer: one "x + f(x)" step of a transformer block with its norm, in place on
// the rows x [tokens, hidden]:
//   post-norm (original Transformer, BERT):   x = norm(x + f(x))
//   pre-norm  (GPT-2, Llama, norm_first):     x = x + f(norm(x))
// `f(in, out)` must add its result to out (the layers' `accumulate` mode) and may be
// called with out aliasing in (post-norm): it must read `in` before writing `out`.
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/nn/norm_layer.hpp"
#include "tessera/nn/workspace.hpp"

namespace tessera::nn {

template <class F>
void residual_sublayer(tensor_view<float> x, const norm_layer& norm, bool norm_first, workspace& ws,
                       thread_pool* pool, F&& f) {
    if (norm_first) {
        workspace::frame fr(ws);
        tensor_view<float> h = ws.take(x.dims());  // [tokens, hidden]
        norm.forward(x, h, pool);
        f(tensor_view<const float>(h), x);
    } else {
        f(tensor_view<const float>(x), x);
        norm.forward(x, x, pool);
    }
}

}  // namespace tessera::nn
