#pragma once
// feed_forward: the position-wise MLP of a transformer block.
//   plain:  out = down(act(up(x)))                 BERT/GPT-2/original (GELU erf or tanh, ReLU)
//   gated:  out = down(act(gate(x)) ⊙ up(x))       Llama's SwiGLU (act = SiLU), GeGLU (GELU)
//   x [n, hidden] -> out [n, hidden];  up/gate weights [inner, hidden], down [hidden, inner]
// The activation is fused into the up (plain) or gate (gated) GEMM. With `accumulate`,
// out += FFN(x) (the residual add fused into the down GEMM); out may then be x itself.
#include <cstddef>
#include <string>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/nn/linear.hpp"
#include "tessera/nn/workspace.hpp"
#include "tessera/ops/gemm.hpp"
#include "tessera/simd/elementwise.hpp"

namespace tessera::nn {

class feed_forward {
public:
    feed_forward() = default;

    static feed_forward plain(const linear& up, ops::activation act, const linear& down) {
        feed_forward f;
        f.up_ = up.with_activation(act);
        f.down_ = down;
        f.check();
        return f;
    }
    static feed_forward gated(const linear& gate, const linear& up, ops::activation act, const linear& down) {
        feed_forward f;
        f.gate_ = gate.with_activation(act);
        f.up_ = up.with_activation(ops::activation::none);
        f.down_ = down;
        f.check();
        return f;
    }
    static feed_forward swiglu(const linear& gate, const linear& up, const linear& down) {
        return gated(gate, up, ops::activation::silu, down);
    }

    std::size_t hidden() const noexcept { return up_.in_features(); }
    std::size_t inner() const noexcept { return up_.out_features(); }
    bool is_gated() const noexcept { return !gate_.empty(); }

    void forward(tensor_view<const float> x, tensor_view<float> out, workspace& ws, thread_pool* pool = nullptr,
                 bool accumulate = false) const {
        require(x.rank() == 2 && out.rank() == 2 && x.extent(1) == hidden() && out.dims() == x.dims(),
                error_kind::invalid_argument, [&] {
                    return "feed_forward: x " + x.dims().to_string() + " -> out " + out.dims().to_string() +
                           " for hidden " + std::to_string(hidden());
                });
        workspace::frame f(ws);
        const std::size_t n = x.extent(0);
        tensor_view<float> h = ws.take(shape{n, inner()});  // [n, inner]
        if (is_gated()) {
            gate_.forward(x, h, pool);
            tensor_view<float> u = ws.take(shape{n, inner()});  // [n, inner]
            up_.forward(x, u, pool);
            for (std::size_t r = 0; r < n; ++r)
                simd::mul(h.data() + r * inner(), h.data() + r * inner(), u.data() + r * inner(), inner());
        } else {
            up_.forward(x, h, pool);
        }
        down_.forward(h, out, pool, accumulate);
    }

private:
    void check() const {
        const auto msg = [&] {
            return "feed_forward: up " + up_.weight().dims().to_string() + ", down " + down_.weight().dims().to_string() +
                   (gate_.empty() ? std::string() : ", gate " + gate_.weight().dims().to_string()) + " do not chain";
        };
        require(!up_.empty() && !down_.empty() && down_.in_features() == up_.out_features() &&
                    down_.out_features() == up_.in_features(),
                error_kind::invalid_argument, msg);
        require(gate_.empty() || (gate_.in_features() == up_.in_features() && gate_.out_features() == up_.out_features()),
                error_kind::invalid_argument, msg);
    }

    linear gate_, up_, down_;
};

}  // namespace tessera::nn
