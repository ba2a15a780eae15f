#pragma once
// head<T>: a task head over fixed input features (frozen sentence embeddings, or sparse
// character n-grams) — the layer that turns a feature vector into class logits or
// regression values.
//
//   linear:  out = x·W0ᵀ + b0                                   W0 [out, in]
//   mlp:     h = act(x·W0ᵀ + b0),  out = h·W1ᵀ + b1            W0 [hidden, in], W1 [out, hidden]
//
//   train::head<float> h({.kind = head_kind::mlp, .input_dim = 384, .hidden_dim = 256,
//                         .output_dim = 2, .act = activation::gelu}, /*seed*/ 7);
//   tensor<float> logits = h.predict(embeddings.view(), &pool);        // [n, 2]
//
// Initialisation is PyTorch's nn.Linear default, W and b ~ U(−1/√in, 1/√in), drawn from
// mt19937_64(derive_seed(seed, 0)) through rng.hpp's own mapping, so a seed gives the same
// head on every platform. T is float for training and inference, double for gradient checks.
// forward/backward are deterministic for any thread count (dense_layer.hpp says why).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/train/activation.hpp"
#include "tessera/train/dense_layer.hpp"
#include "tessera/train/features.hpp"
#include "tessera/train/parameter.hpp"
#include "tessera/train/rng.hpp"

namespace tessera::train {

enum class head_kind { linear, mlp };

constexpr std::string_view to_string(head_kind k) noexcept { return k == head_kind::linear ? "linear" : "mlp"; }

inline head_kind parse_head_kind(std::string_view s) {
    if (s == "linear") return head_kind::linear;
    if (s == "mlp") return head_kind::mlp;
    throw error(error_kind::unsupported, "head kind \"" + std::string(s) + "\" (expected linear or mlp)");
}

struct head_config {
    head_kind kind = head_kind::linear;
    std::size_t input_dim = 0;
    std::size_t hidden_dim = 0;  // mlp only
    std::size_t output_dim = 0;
    activation act = activation::relu;  // mlp only
};

// Activations of one mini-batch, kept between forward and backward. Reuse one across batches.
template <class T>
struct head_batch {
    std::vector<T> pre;       // [B, hidden]  x·W0ᵀ + b0 (mlp)
    std::vector<T> hidden;    // [B, hidden]  act(pre)
    std::vector<T> out;       // [B, out]     the head's outputs
    std::vector<T> d_out;     // [B, out]     ∂L/∂out, set by the caller before backward
    std::vector<T> d_hidden;  // [B, hidden]
    std::vector<std::size_t> all_rows;  // 0..B−1: the second layer reads every hidden row
};

template <class T>
class head {
public:
    // A freshly initialised head.
    head(const head_config& cfg, std::uint64_t seed) : cfg_(checked(cfg)) {
        std::mt19937_64 g(derive_seed(seed, 0));
        if (cfg_.kind == head_kind::linear) {
            layers_.emplace_back(cfg_.input_dim, cfg_.output_dim);
        } else {
            layers_.emplace_back(cfg_.input_dim, cfg_.hidden_dim);
            layers_.emplace_back(cfg_.hidden_dim, cfg_.output_dim);
        }
        for (auto& l : layers_) {
            const double bound = 1.0 / std::sqrt(double(l.in()));
            for (T& w : l.weight.span()) w = T((2 * uniform_unit(g) - 1) * bound);
            for (T& b : l.bias.span()) b = T((2 * uniform_unit(g) - 1) * bound);
        }
    }

    // A head from given layers (head_io's load); throws inconsistent when shapes disagree with cfg.
    head(const head_config& cfg, std::vector<dense_layer<T>> layers) : cfg_(checked(cfg)), layers_(std::move(layers)) {
        const std::size_t want = cfg_.kind == head_kind::linear ? 1 : 2;
        require(layers_.size() == want, error_kind::inconsistent, "head: wrong number of layers for its kind");
        const std::size_t last = layers_.size() - 1;
        for (std::size_t i = 0; i < layers_.size(); ++i) {
            const auto& l = layers_[i];
            const std::size_t in = i == 0 ? cfg_.input_dim : cfg_.hidden_dim;
            const std::size_t out = i == last ? cfg_.output_dim : cfg_.hidden_dim;
            require(l.weight.dims() == shape{out, in} && l.bias.dims() == shape{out} &&
                        l.grad_weight.dims() == shape{out, in} && l.grad_bias.dims() == shape{out},
                    error_kind::inconsistent, [&] {
                        return "head: layer " + std::to_string(i) + " is " + l.weight.dims().to_string() + ", expected " +
                               shape{out, in}.to_string();
                    });
        }
    }

    const head_config& config() const noexcept { return cfg_; }
    std::size_t input_dim() const noexcept { return cfg_.input_dim; }
    std::size_t output_dim() const noexcept { return cfg_.output_dim; }
    std::span<const dense_layer<T>> layers() const noexcept { return layers_; }
    std::span<dense_layer<T>> layers() noexcept { return layers_; }

    // a.out [rows.size(), output_dim] for the given rows of x.
    template <class X>
    void forward(const X& x, std::span<const std::size_t> rows, head_batch<T>& a, thread_pool* pool) const {
        require(input_cols(x) == cfg_.input_dim, error_kind::invalid_argument, [&] {
            return "head: input has " + std::to_string(input_cols(x)) + " columns, the head expects " +
                   std::to_string(cfg_.input_dim);
        });
        const std::size_t n = input_rows(x);
        for (std::size_t r : rows)
            require(r < n, error_kind::out_of_range, [&] { return "head: row " + std::to_string(r) + " of " + std::to_string(n); });
        const std::size_t batch = rows.size();
        a.out.resize(batch * cfg_.output_dim);
        if (cfg_.kind == head_kind::linear) {
            layers_[0].forward(x, rows, a.out.data(), pool);
            return;
        }
        const std::size_t h = cfg_.hidden_dim;
        a.pre.resize(batch * h);
        a.hidden.resize(batch * h);
        layers_[0].forward(x, rows, a.pre.data(), pool);
        for (std::size_t i = 0; i < batch * h; ++i) a.hidden[i] = activate(cfg_.act, a.pre[i]);
        layers_[1].forward(tensor_view<const T>(a.hidden.data(), shape{batch, h}), identity(a, batch), a.out.data(), pool);
    }

    // Gradients of every layer from a.d_out [rows.size(), output_dim] (after forward on the same rows).
    template <class X>
    void backward(const X& x, std::span<const std::size_t> rows, head_batch<T>& a, thread_pool* pool) {
        const std::size_t batch = rows.size();
        require(a.d_out.size() == batch * cfg_.output_dim && a.out.size() == a.d_out.size(), error_kind::invalid_argument,
                "head::backward: d_out does not match the last forward batch");
        if (cfg_.kind == head_kind::linear) {
            layers_[0].backward_params(x, rows, a.d_out.data(), pool);
            return;
        }
        const std::size_t h = cfg_.hidden_dim;
        const tensor_view<const T> hid(a.hidden.data(), shape{batch, h});
        layers_[1].backward_params(hid, identity(a, batch), a.d_out.data(), pool);
        a.d_hidden.resize(batch * h);
        layers_[1].backward_input(a.d_out.data(), batch, a.d_hidden.data(), pool);
        for (std::size_t i = 0; i < batch * h; ++i) a.d_hidden[i] *= activate_derivative(cfg_.act, a.pre[i]);
        layers_[0].backward_params(x, rows, a.d_hidden.data(), pool);
    }

    // The trainable tensors, for an optimizer: weights decay, biases do not.
    std::vector<parameter<T>> parameters() {
        std::vector<parameter<T>> p;
        for (std::size_t i = 0; i < layers_.size(); ++i) {
            auto& l = layers_[i];
            const std::string name = "dense" + std::to_string(i);
            p.push_back({name + ".weight", l.weight.span(), l.grad_weight.span(), true});
            p.push_back({name + ".bias", l.bias.span(), l.grad_bias.span(), false});
        }
        return p;
    }

    // Raw outputs (logits, or regression values) for every row of x: [n, output_dim].
    template <class X>
    tensor<T> predict(const X& x, thread_pool* pool = nullptr) const {
        const std::size_t n = input_rows(x), out = cfg_.output_dim;
        tensor<T> result(shape{n, out});
        head_batch<T> a;
        std::vector<std::size_t> rows;
        for (std::size_t r0 = 0; r0 < n; r0 += predict_batch) {
            const std::size_t r1 = std::min(n, r0 + predict_batch);
            rows.resize(r1 - r0);
            for (std::size_t r = r0; r < r1; ++r) rows[r - r0] = r;
            forward(x, rows, a, pool);
            std::copy(a.out.begin(), a.out.end(), result.data() + r0 * out);
        }
        return result;
    }

private:
    static constexpr std::size_t predict_batch = 256;

    static head_config checked(const head_config& c) {
        require(c.input_dim > 0 && c.output_dim > 0, error_kind::invalid_argument, "head: input and output sizes must be positive");
        require(c.kind == head_kind::linear || c.hidden_dim > 0, error_kind::invalid_argument, "head: an mlp needs hidden_dim > 0");
        head_config r = c;
        if (r.kind == head_kind::linear) r.hidden_dim = 0;
        return r;
    }

    // 0, 1, ..., n−1, kept in the caller's batch scratch so a const head stays shareable.
    static std::span<const std::size_t> identity(head_batch<T>& a, std::size_t n) {
        if (a.all_rows.size() < n) {
            a.all_rows.resize(n);
            for (std::size_t i = 0; i < n; ++i) a.all_rows[i] = i;
        }
        return {a.all_rows.data(), n};
    }

    head_config cfg_;
    std::vector<dense_layer<T>> layers_;
};

}  // namespace tessera::train
