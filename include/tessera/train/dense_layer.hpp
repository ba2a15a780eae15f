#pragma once
// dense_layer<T>: y = x·Wᵀ + b over a mini-batch of input rows, and its backward pass.
//
//   weight       [out, in]     bias       [out]
//   grad_weight  [out, in]     grad_bias  [out]   (overwritten by backward_params)
//
// Thread-count independence: every output element is computed inside one task, by the same
// code, summing in one fixed order —
//   forward         y[b, o]  = b[o] + row_dot(x, rows[b], W[o])      tasks: chunks of b
//   backward_params dW[o, :] = Σ_b dy[b, o] · x[rows[b], :]  (b ascending)   tasks: chunks of o
//                   db[o]    = Σ_b dy[b, o]                  (b ascending)
//   backward_input  dx[b, :] = Σ_o dy[b, o] · W[o, :]        (o ascending)   tasks: chunks of b
// so a model trained with 1, 2 or 16 threads is bitwise the same.
#include <algorithm>
#include <cstddef>
#include <span>

#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/train/features.hpp"

namespace tessera::train {

template <class T>
struct dense_layer {
    tensor<T> weight;       // [out, in]
    tensor<T> bias;         // [out]
    tensor<T> grad_weight;  // [out, in]
    tensor<T> grad_bias;    // [out]

    dense_layer() = default;
    dense_layer(std::size_t in, std::size_t out)
        : weight(shape{out, in}), bias(shape{out}), grad_weight(shape{out, in}), grad_bias(shape{out}) {}

    std::size_t in() const noexcept { return weight.rank() == 2 ? weight.extent(1) : 0; }
    std::size_t out() const noexcept { return weight.rank() == 2 ? weight.extent(0) : 0; }

    // y [rows.size(), out]; x has `in()` columns (the caller checked).
    template <class X>
    void forward(const X& x, std::span<const std::size_t> rows, T* y, thread_pool* pool) const {
        const std::size_t n_out = out(), n_in = in(), batch = rows.size();
        const T* w = weight.data();
        const T* b = bias.data();
        parallel_for(pool, chunks(batch, row_chunk), [&](std::size_t c) {
            for (std::size_t r = c * row_chunk; r < std::min(batch, (c + 1) * row_chunk); ++r)
                for (std::size_t o = 0; o < n_out; ++o) y[r * n_out + o] = b[o] + row_dot(x, rows[r], w + o * n_in);
        });
    }

    // grad_weight and grad_bias from dy [rows.size(), out].
    template <class X>
    void backward_params(const X& x, std::span<const std::size_t> rows, const T* dy, thread_pool* pool) {
        const std::size_t n_out = out(), n_in = in(), batch = rows.size();
        T* gw = grad_weight.data();
        T* gb = grad_bias.data();
        parallel_for(pool, chunks(n_out, out_chunk), [&](std::size_t c) {
            for (std::size_t o = c * out_chunk; o < std::min(n_out, (c + 1) * out_chunk); ++o) {
                T* g = gw + o * n_in;
                std::fill_n(g, n_in, T(0));
                T sb = 0;
                for (std::size_t r = 0; r < batch; ++r) {
                    const T d = dy[r * n_out + o];
                    sb += d;
                    if (d != T(0)) row_axpy(x, rows[r], d, g);  // skipping exact zeros changes no sum
                }
                gb[o] = sb;
            }
        });
    }

    // dx [batch, in] = dy [batch, out] · W.
    void backward_input(const T* dy, std::size_t batch, T* dx, thread_pool* pool) const {
        const std::size_t n_out = out(), n_in = in();
        const T* w = weight.data();
        parallel_for(pool, chunks(batch, row_chunk), [&](std::size_t c) {
            for (std::size_t r = c * row_chunk; r < std::min(batch, (c + 1) * row_chunk); ++r) {
                T* d = dx + r * n_in;
                std::fill_n(d, n_in, T(0));
                for (std::size_t o = 0; o < n_out; ++o) {
                    const T a = dy[r * n_out + o];
                    const T* wo = w + o * n_in;
                    for (std::size_t i = 0; i < n_in; ++i) d[i] += a * wo[i];
                }
            }
        });
    }

private:
    static constexpr std::size_t row_chunk = 16, out_chunk = 4;
    static std::size_t chunks(std::size_t n, std::size_t per) noexcept { return (n + per - 1) / per; }
};

}  // namespace tessera::train
