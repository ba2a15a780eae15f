#pragma once
// optimizer<T>: SGD (with momentum) and Adam, updating parameters in place from their
// gradients. The update rules are PyTorch's (torch.optim.SGD and torch.optim.AdamW, the
// single-tensor code path), so a step can be checked by hand against them:
//
// SGD, weight decay coupled as an L2 term in the gradient (torch.optim.SGD, dampening 0):
//   g ← grad + wd·w;   v ← μ·v + g  (v = g on the first step);   w ← w − lr·v
// Adam, weight decay decoupled (AdamW; Loshchilov & Hutter, "Decoupled Weight Decay
// Regularization", 2019), t = steps taken including this one:
//   w ← w·(1 − lr·wd)
//   m ← β1·m + (1 − β1)·g;   v ← β2·v + (1 − β2)·g²
//   w ← w − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
// Weight decay touches only parameters with decay = true (weights, not biases).
//
// State (momentum buffers, moments) is kept per parameter index; step() must always get the
// same list, in the same order, with the same sizes (invalid_argument otherwise). Updates are
// elementwise, so splitting them across threads cannot change a bit.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/train/parameter.hpp"

namespace tessera::train {

enum class optimizer_kind { sgd, adam };

constexpr std::string_view to_string(optimizer_kind k) noexcept { return k == optimizer_kind::sgd ? "sgd" : "adam"; }

struct optimizer_options {
    optimizer_kind kind = optimizer_kind::adam;
    double learning_rate = 1e-3;
    double weight_decay = 0.0;  // SGD: L2 in the gradient; Adam: decoupled (AdamW)
    double momentum = 0.0;      // SGD only
    double beta1 = 0.9;         // Adam only
    double beta2 = 0.999;
    double epsilon = 1e-8;
};

template <class T>
class optimizer {
public:
    explicit optimizer(const optimizer_options& opt = {}) : opt_(opt) {
        const auto finite_nonneg = [](double v) { return std::isfinite(v) && v >= 0; };
        require(finite_nonneg(opt.learning_rate) && finite_nonneg(opt.weight_decay) && finite_nonneg(opt.epsilon) &&
                    opt.momentum >= 0 && opt.momentum < 1 && opt.beta1 >= 0 && opt.beta1 < 1 && opt.beta2 >= 0 &&
                    opt.beta2 < 1,
                error_kind::invalid_argument,
                "optimizer: learning rate, weight decay and epsilon must be finite and >= 0; momentum and betas in [0, 1)");
    }

    const optimizer_options& options() const noexcept { return opt_; }
    std::size_t steps() const noexcept { return t_; }

    void step(std::span<const parameter<T>> params, thread_pool* pool = nullptr) {
        if (state_.empty()) {
            for (const auto& p : params) state_.push_back({std::vector<T>(p.value.size()),
                                  std::vector<T>(opt_.kind == optimizer_kind::adam ? p.value.size() : 0)});
        }
        require(state_.size() == params.size(), error_kind::invalid_argument, "optimizer: a different parameter list than before");
        for (std::size_t i = 0; i < params.size(); ++i)
            require(params[i].value.size() == state_[i].a.size() && params[i].grad.size() == params[i].value.size(),
                    error_kind::invalid_argument,
                    [&] { return "optimizer: parameter \"" + params[i].name + "\" changed size or has a mismatched gradient"; });
        ++t_;
        for (std::size_t i = 0; i < params.size(); ++i) {
            const parameter<T>& p = params[i];
            const std::size_t n = p.value.size();
            parallel_for(pool, (n + chunk - 1) / chunk, [&](std::size_t c) {
                const std::size_t b = c * chunk, e = std::min(n, b + chunk);
                if (opt_.kind == optimizer_kind::sgd) sgd_update(p, state_[i], b, e);
                else adam_update(p, state_[i], b, e);
            });
        }
    }

private:
    struct slot {
        std::vector<T> a;  // SGD: momentum buffer; Adam: first moment m
        std::vector<T> b;  // Adam: second moment v
    };
    static constexpr std::size_t chunk = 1 << 14;

    void sgd_update(const parameter<T>& p, slot& s, std::size_t b, std::size_t e) const noexcept {
        const T lr = T(opt_.learning_rate), wd = p.decay ? T(opt_.weight_decay) : T(0), mu = T(opt_.momentum);
        const bool first = t_ == 1;
        for (std::size_t j = b; j < e; ++j) {
            T g = p.grad[j];
            if (wd != T(0)) g += wd * p.value[j];
            if (mu != T(0)) {
                s.a[j] = first ? g : mu * s.a[j] + g;
                g = s.a[j];
            }
            p.value[j] -= lr * g;
        }
    }

    void adam_update(const parameter<T>& p, slot& s, std::size_t b, std::size_t e) const noexcept {
        const double t = double(t_);
        const T b1 = T(opt_.beta1), b2 = T(opt_.beta2), eps = T(opt_.epsilon);
        const T decay = p.decay ? T(1.0 - opt_.learning_rate * opt_.weight_decay) : T(1);
        const T step_size = T(opt_.learning_rate / (1.0 - std::pow(opt_.beta1, t)));
        const T bc2_sqrt = T(std::sqrt(1.0 - std::pow(opt_.beta2, t)));
        for (std::size_t j = b; j < e; ++j) {
            const T g = p.grad[j];
            if (decay != T(1)) p.value[j] *= decay;
            s.a[j] = b1 * s.a[j] + (T(1) - b1) * g;
            s.b[j] = b2 * s.b[j] + (T(1) - b2) * g * g;
            p.value[j] -= step_size * s.a[j] / (std::sqrt(s.b[j]) / bc2_sqrt + eps);
        }
    }

    optimizer_options opt_;
    std::vector<slot> state_;
    std::size_t t_ = 0;
};

}  // namespace tessera::train
