#pragma once
// Losses over a mini-batch, with their gradients with respect to the head's outputs.
//
// Softmax cross-entropy, logits z [B, C], labels y [B]:
//   p[b, c] = exp(z[b, c] − m_b) / Σ_j exp(z[b, j] − m_b),   m_b = max_j z[b, j]  (no overflow)
//   L       = (1/B) Σ_b −log p[b, y_b] = (1/B) Σ_b (log Σ_j exp(z[b, j] − m_b) − (z[b, y_b] − m_b))
//   ∂L/∂z[b, c] = (p[b, c] − [c = y_b]) / B
// Mean squared error, predictions p and targets t, both [B, K]:
//   L = (1/(B·K)) Σ (p − t)²,   ∂L/∂p = 2 (p − t) / (B·K)   (scikit-learn's mean_squared_error)
// Sums run serially in index order, so the value is the same for any caller.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tessera/core/error.hpp"

namespace tessera::train {

// Probabilities of one row of logits, in place-safe (p may alias z). Returns log Σ exp(z − max).
template <class T>
T softmax_row(const T* z, std::size_t c, T* p) noexcept {
    T m = z[0];
    for (std::size_t j = 1; j < c; ++j) m = std::max(m, z[j]);
    T s = 0;
    for (std::size_t j = 0; j < c; ++j) {
        p[j] = std::exp(z[j] - m);
        s += p[j];
    }
    for (std::size_t j = 0; j < c; ++j) p[j] /= s;
    return std::log(s);
}

// Mean cross-entropy of logits [labels.size(), c]; writes ∂L/∂logits into grad (may be null).
template <class T>
T softmax_cross_entropy(const T* logits, std::span<const std::int32_t> labels, std::size_t c, T* grad) {
    require(c >= 1, error_kind::invalid_argument, "softmax_cross_entropy: no classes");
    const std::size_t batch = labels.size();
    require(batch > 0, error_kind::invalid_argument, "softmax_cross_entropy: empty batch");
    T total = 0;
    const T inv_b = T(1) / T(batch);
    std::vector<T> p(c);
    for (std::size_t b = 0; b < batch; ++b) {
        const std::int32_t y = labels[b];
        require(y >= 0 && std::size_t(y) < c, error_kind::out_of_range, [&] {
            return "softmax_cross_entropy: label " + std::to_string(y) + " of row " + std::to_string(b) +
                   " is not below " + std::to_string(c);
        });
        const T* z = logits + b * c;
        const T lse = softmax_row(z, c, p.data());
        T m = z[0];
        for (std::size_t j = 1; j < c; ++j) m = std::max(m, z[j]);
        total += lse - (z[y] - m);
        if (grad)
            for (std::size_t j = 0; j < c; ++j) grad[b * c + j] = (p[j] - (std::size_t(y) == j ? T(1) : T(0))) * inv_b;
    }
    return total * inv_b;
}

// Mean squared error over n values; writes ∂L/∂pred into grad (may be null).
template <class T>
T mean_squared_error(const T* pred, const T* target, std::size_t n, T* grad) {
    require(n > 0, error_kind::invalid_argument, "mean_squared_error: no values");
    T total = 0;
    const T inv_n = T(1) / T(n);
    for (std::size_t i = 0; i < n; ++i) {
        const T e = pred[i] - target[i];
        total += e * e;
        if (grad) grad[i] = T(2) * e * inv_n;
    }
    return total * inv_n;
}

}  // namespace tessera::train
