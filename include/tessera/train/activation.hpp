#pragma once
// Hidden-layer activations of the MLP head and their derivatives, in the head's precision.
//   relu(x)  = max(x, 0);                 relu'(x) = 1 for x > 0, else 0
//   gelu(x)  = x · Φ(x) = x/2 · (1 + erf(x/√2))   (the exact form, PyTorch's nn.GELU() default)
//   gelu'(x) = Φ(x) + x · φ(x),  φ(x) = exp(-x²/2) / √(2π)   (product rule; Φ' = φ)
#include <cmath>
#include <string_view>

#include "tessera/core/error.hpp"

namespace tessera::train {

enum class activation { relu, gelu };

constexpr std::string_view to_string(activation a) noexcept { return a == activation::relu ? "relu" : "gelu"; }

inline activation parse_activation(std::string_view s) {
    if (s == "relu") return activation::relu;
    if (s == "gelu") return activation::gelu;
    throw error(error_kind::unsupported, "activation \"" + std::string(s) + "\" (expected relu or gelu)");
}

template <class T>
T activate(activation a, T x) noexcept {
    if (a == activation::relu) return x > T(0) ? x : T(0);
    return T(0.5) * x * (T(1) + std::erf(x * T(0.70710678118654752440)));
}

template <class T>
T activate_derivative(activation a, T x) noexcept {
    if (a == activation::relu) return x > T(0) ? T(1) : T(0);
    const T cdf = T(0.5) * (T(1) + std::erf(x * T(0.70710678118654752440)));
    const T pdf = std::exp(T(-0.5) * x * x) * T(0.39894228040143267794);  // 1/√(2π)
    return cdf + x * pdf;
}

}  // namespace tessera::train
