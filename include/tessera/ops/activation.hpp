#pragma once
// Whole-tensor activations over [rows, n] views, on the simd kernels (simd/math.hpp):
//   apply_activation(x, act)   x = act(x) in place (relu, GELU erf/tanh, SiLU)
//   swiglu(gate, up, out)      out = silu(gate) ⊙ up   (Llama's FFN, Shazeer 2020)
//   add_rows(x, r)             x += r                   (residual connections)
// Rows may be strided; the last dimension needs unit stride. Elementwise, so results do
// not depend on the thread count. The activation kind is the GEMM epilogue's enum.
#include <algorithm>
#include <cstddef>
#include <string>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/ops/gemm.hpp"
#include "tessera/simd/elementwise.hpp"
#include "tessera/simd/math.hpp"

namespace tessera::ops {

namespace detail {

inline void check_rows(const char* what, const tensor_view<const float>& x) {
    require(x.rank() == 2 && (x.extent(1) <= 1 || x.stride(1) == 1), error_kind::invalid_argument, [&] {
        return std::string(what) + ": " + x.dims().to_string() + " must be [rows, n] with unit stride along n";
    });
}

// Runs fn(row) over rows in tasks of about 16k elements (a fixed split of the shape).
template <class F>
void for_rows(thread_pool* pool, std::size_t rows, std::size_t n, F&& fn) {
    const std::size_t per = n >= 16384 ? 1 : 16384 / (n ? n : 1);
    parallel_for(pool, (rows + per - 1) / per, [&](std::size_t t) {
        for (std::size_t r = t * per; r < std::min(rows, (t + 1) * per); ++r) fn(r);
    });
}

}  // namespace detail

inline void apply_activation(tensor_view<float> x, activation act, thread_pool* pool = nullptr) {
    detail::check_rows("apply_activation", x);
    if (act == activation::none) return;
    const std::size_t n = x.extent(1);
    detail::for_rows(pool, x.extent(0), n, [&](std::size_t r) {
        float* p = x.data() + r * x.stride(0);
        switch (act) {
        case activation::relu:
            for (std::size_t i = 0; i < n; ++i) p[i] = p[i] > 0.0f ? p[i] : 0.0f;
            break;
        case activation::gelu_erf: simd::gelu_erf(p, p, n); break;
        case activation::gelu_tanh: simd::gelu_tanh(p, p, n); break;
        case activation::silu: simd::silu(p, p, n); break;
        case activation::none: break;
        }
    });
}

// out = silu(gate) ⊙ up; all [rows, n]; out may be gate or up.
inline void swiglu(tensor_view<const float> gate, tensor_view<const float> up, tensor_view<float> out,
                   thread_pool* pool = nullptr) {
    detail::check_rows("swiglu", gate);
    require(up.dims() == gate.dims() && out.dims() == gate.dims(), error_kind::invalid_argument, [&] {
        return "swiglu: gate " + gate.dims().to_string() + ", up " + up.dims().to_string() + " and out " +
               out.dims().to_string() + " differ";
    });
    detail::check_rows("swiglu", up);
    detail::check_rows("swiglu", out);
    const std::size_t n = gate.extent(1);
    detail::for_rows(pool, gate.extent(0), n, [&](std::size_t r) {
        // Through a stack chunk, so out may alias gate or up.
        const float* g = gate.data() + r * gate.stride(0);
        const float* u = up.data() + r * up.stride(0);
        float* o = out.data() + r * out.stride(0);
        alignas(64) float tmp[256];
        for (std::size_t i = 0; i < n; i += 256) {
            const std::size_t c = std::min<std::size_t>(256, n - i);
            simd::silu(tmp, g + i, c);
            simd::mul(o + i, tmp, u + i, c);
        }
    });
}

// x += r; both [rows, n].
inline void add_rows(tensor_view<float> x, tensor_view<const float> r, thread_pool* pool = nullptr) {
    detail::check_rows("add_rows", x);
    detail::check_rows("add_rows", r);
    require(x.dims() == r.dims(), error_kind::invalid_argument,
            [&] { return "add_rows: " + x.dims().to_string() + " += " + r.dims().to_string() + ": shapes differ"; });
    const std::size_t n = x.extent(1);
    detail::for_rows(pool, x.extent(0), n, [&](std::size_t i) {
        float* p = x.data() + i * x.stride(0);
        simd::add(p, p, r.data() + i * r.stride(0), n);
    });
}

}  // namespace tessera::ops
