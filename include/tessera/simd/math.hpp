#pragma once
// Elementwise float32 functions: exp, tanh, erf, GELU (erf and tanh forms), SiLU.
// `out` may be the same pointer as `in`. Each kernel also exposes `eval(batch)` so ops/
// can fuse it into another loop (a GEMM epilogue, a softmax pass).
//
// Accuracy (measured over dense sweeps and checked in tests/test_simd.cpp, vs the
// double-precision std:: function): exp <= 1 ulp on its whole range, subnormal results
// included; tanh <= 1.5 ulp and erf <= 2.5 ulp (xsimd's implementations); GELU (erf form)
// <= 7.3 ulp for |x| <= 3 and within the error inherited from rounding x elsewhere (its
// tails are as steep as exp(−x²/2)): 66 ulp at x = −11.5, where that allowance is 530.
#include <cstddef>
#include <cstdint>

#include "tessera/simd/arch.hpp"
#include "tessera/simd/loop.hpp"
#include "tessera/simd/reference.hpp"

#include "tessera/simd/warnings_push.hpp"

namespace tessera::simd {

// exp(x). xsimd's exp saturates early (inf from x > 88.38 and 0 below -87.34, where
// float still has finite and subnormal results), so we use our own:
//   e^x = 2^n · e^r  with n = round(x·log2(e)), r = x − n·ln2, |r| <= ln2/2.
//   r is computed in two steps (Cody–Waite): ln2 = LN2_HI + LN2_LO with LN2_HI holding
//   only 16 significant bits, so n·LN2_HI is exact for |n| <= 150 and x − n·LN2_HI loses
//   nothing; the LN2_LO term then restores the remaining bits of ln2.
//   e^r is its Taylor polynomial to r^7: the remainder |r|^8/8! <= 5.2e-9 for
//   |r| <= 0.347, under 0.05 ulp of e^r >= 0.707.
//   2^n is applied as 2^(n/2) · 2^(n − n/2): both factors are normal floats for
//   n in [-150, 128], the first product is exact, and the second rounds once, so
//   results in the subnormal range and overflow to inf come out right.
// x is clamped to [-104, 89] first (beyond it the result is 0 or inf anyway); NaN in
// gives NaN out.
template <class Arch>
struct exp_kernel {
    using B = xsimd::batch<float, Arch>;
    using I = xsimd::batch<std::int32_t, Arch>;
    // e^r (Taylor to r^7) and n for x = n·ln2 + r; x finite and within the clamp range.
    static B reduce(const B& x, I& ni) noexcept {
        // Adding and subtracting 1.5·2^23 rounds |t| < 2^22 to the nearest integer (ties to
        // even) on every instruction set; SSE2 has no rounding instruction.
        const B shifter(12582912.0f);
        const B n = (x * B(1.44269504088896341f) + shifter) - shifter;
        B r = xsimd::fma(n, B(-0.693145751953125f), x);   // LN2_HI = 0x3f317200
        r = xsimd::fma(n, B(-1.428606765330187e-06f), r);  // LN2_LO = ln2 - LN2_HI
        B p(1.0f / 5040.0f);
        p = xsimd::fma(p, r, B(1.0f / 720.0f));
        p = xsimd::fma(p, r, B(1.0f / 120.0f));
        p = xsimd::fma(p, r, B(1.0f / 24.0f));
        p = xsimd::fma(p, r, B(1.0f / 6.0f));
        p = xsimd::fma(p, r, B(0.5f));
        p = xsimd::fma(p, r, B(1.0f));
        p = xsimd::fma(p, r, B(1.0f));
        ni = xsimd::batch_cast<std::int32_t>(n);
        return p;
    }
    static B eval(const B& x) noexcept {
        const B xc = xsimd::min(xsimd::max(x, B(-104.0f)), B(89.0f));
        I ni;
        const B p = reduce(xc, ni);
        const I n1 = ni >> 1;  // arithmetic shift: floor(n / 2)
        const I n2 = ni - n1;
        const B s1 = bit_cast<float>((n1 + I(127)) << 23);
        const B s2 = bit_cast<float>((n2 + I(127)) << 23);
        return xsimd::select(x == x, (p * s1) * s2, x);  // x == x is false only for NaN
    }
    // The same bits as eval for x in [−87, 88] (normal results), with one scaling and no
    // clamp or NaN test: for callers that know their range. Outside it the result is
    // meaningless (callers select those lanes away).
    static B eval_normal(const B& x) noexcept {
        I ni;
        const B p = reduce(x, ni);
        return p * bit_cast<float>((ni + I(127)) << 23);
    }
    void operator()(Arch, float* out, const float* in, std::size_t n) const noexcept {
        detail::map<Arch>(out, n, [](const B& v) { return eval(v); }, in);
    }
};

template <class Arch>
struct tanh_kernel {
    using B = xsimd::batch<float, Arch>;
    static B eval(const B& x) noexcept { return xsimd::tanh(x); }
    void operator()(Arch, float* out, const float* in, std::size_t n) const noexcept {
        detail::map<Arch>(out, n, [](const B& v) { return eval(v); }, in);
    }
};

template <class Arch>
struct erf_kernel {
    using B = xsimd::batch<float, Arch>;
    static B eval(const B& x) noexcept { return xsimd::erf(x); }
    void operator()(Arch, float* out, const float* in, std::size_t n) const noexcept {
        detail::map<Arch>(out, n, [](const B& v) { return eval(v); }, in);
    }
};

// GELU, exact (erf) form, as in BERT and PyTorch's default:
//   GELU(x) = x·Φ(x) = 0.5·x·(1 + erf(x/√2)),  Φ the standard normal CDF.
// 1 + erf(x/√2) cancels to 0 for x << 0, so Φ is computed from its lower tail, which
// keeps full relative accuracy there: with a = |x|,
//   Φ(−a) = exp(−a²/2) · t·P(t),   t = 1 / (1 + a/4),
// P a degree-9 polynomial fitted to the smooth Φ(−a)·exp(a²/2) over a ∈ [0, 13.5]
// (tools/fit/gelu_erf_coefficients.py: 1.3e-8 relative), and Φ(x) = 1 − Φ(−a) for x > 0.
// One formula for every lane, no branch: xsimd's erfc picks among three ranges with
// any()/all() tests, which mispredict on a GEMM's pre-activations (both signs, mixed
// magnitudes): 0.43 ns an element on normal(0, 2) inputs, this form 0.31. a² is split into
// hi + lo (exact) so that exp sees −hi/2 exactly and −lo/2 enters as a first-order term.
// Past a = 13, Φ(−a) < 1e-38 is taken as 0 (x·Φ(x) < 1e-36 there): exp then needs no clamp
// and no subnormal handling, and the split of a² (inf − inf at a = inf) never reaches the
// output.
template <class Arch>
struct gelu_erf_kernel {
    using B = xsimd::batch<float, Arch>;
    // Φ(−a) for a = |x| ≥ 0 (NaN gives 0; callers multiply by x, which carries the NaN).
    static B lower_tail(const B& a) noexcept {
        const B t = B(1.0f) / xsimd::fma(a, B(0.25f), B(1.0f));
        B p(0.0165063292f);
        p = xsimd::fma(p, t, B(-0.0623418465f));
        p = xsimd::fma(p, t, B(0.0504533313f));
        p = xsimd::fma(p, t, B(0.0302492678f));
        p = xsimd::fma(p, t, B(0.0109982397f));
        p = xsimd::fma(p, t, B(0.0877039284f));
        p = xsimd::fma(p, t, B(0.0715866014f));
        p = xsimd::fma(p, t, B(0.0956167877f));
        p = xsimd::fma(p, t, B(0.0994786397f));
        p = xsimd::fma(p, t, B(0.0997487232f));
        const B hi = a * a;
        const B lo = xsimd::fma(a, a, -hi);  // a² = hi + lo
        const B e = exp_kernel<Arch>::eval_normal(B(-0.5f) * hi);  // e^(−84.5) at a = 13
        const B tail = (t * p) * xsimd::fma(e, B(-0.5f) * lo, e);  // exp(−lo/2) ≈ 1 − lo/2
        return xsimd::select(a <= B(13.0f), tail, B(0.0f));
    }
    static B eval(const B& x) noexcept {
        const B q = lower_tail(xsimd::abs(x));
        return x * xsimd::select(x < B(0.0f), q, B(1.0f) - q);
    }
    void operator()(Arch, float* out, const float* in, std::size_t n) const noexcept {
        detail::map<Arch>(out, n, [](const B& v) { return eval(v); }, in);
    }
};

// GELU, tanh approximation (GPT-2's "gelu_new", PyTorch approximate="tanh"):
//   Φ(x) ≈ 0.5·(1 + tanh(u)),  u = √(2/π)·(x + 0.044715·x³)
// (Hendrycks & Gimpel fit the cubic so tanh matches the normal CDF's slope and tail).
// With tanh(u) = (1 − e^(−2u)) / (1 + e^(−2u)) we get 1 + tanh(u) = 2 / (1 + e^(−2u)), so
//   0.5·x·(1 + tanh(u)) = x / (1 + e^(−2u)) = x·σ(2u):
// one exp, no cancellation for x << 0, and the limits come out right (x³ → ±inf makes
// e^(−2u) 0 or inf, giving x or −0).
template <class Arch>
struct gelu_tanh_kernel {
    using B = xsimd::batch<float, Arch>;
    static B eval(const B& x) noexcept {
        const B u = B(0.79788456080286536f) * xsimd::fma(B(0.044715f) * x * x, x, x);  // √(2/π) = 0.7978845608
        return x / (B(1.0f) + exp_kernel<Arch>::eval(B(-2.0f) * u));
    }
    void operator()(Arch, float* out, const float* in, std::size_t n) const noexcept {
        detail::map<Arch>(out, n, [](const B& v) { return eval(v); }, in);
    }
};

// SiLU (swish, Llama's FFN gate): x·σ(x) = x / (1 + e^(−x)).
template <class Arch>
struct silu_kernel {
    using B = xsimd::batch<float, Arch>;
    static B eval(const B& x) noexcept { return x / (B(1.0f) + exp_kernel<Arch>::eval(-x)); }
    void operator()(Arch, float* out, const float* in, std::size_t n) const noexcept {
        detail::map<Arch>(out, n, [](const B& v) { return eval(v); }, in);
    }
};

template <class Arch = default_arch>
inline void exp(float* out, const float* in, std::size_t n) noexcept {
    detail::dispatch<exp_kernel, Arch>(reference::exp, out, in, n);
}
template <class Arch = default_arch>
inline void tanh(float* out, const float* in, std::size_t n) noexcept {
    detail::dispatch<tanh_kernel, Arch>(reference::tanh, out, in, n);
}
template <class Arch = default_arch>
inline void erf(float* out, const float* in, std::size_t n) noexcept {
    detail::dispatch<erf_kernel, Arch>(reference::erf, out, in, n);
}
template <class Arch = default_arch>
inline void gelu_erf(float* out, const float* in, std::size_t n) noexcept {
    detail::dispatch<gelu_erf_kernel, Arch>(reference::gelu_erf, out, in, n);
}
template <class Arch = default_arch>
inline void gelu_tanh(float* out, const float* in, std::size_t n) noexcept {
    detail::dispatch<gelu_tanh_kernel, Arch>(reference::gelu_tanh, out, in, n);
}
template <class Arch = default_arch>
inline void silu(float* out, const float* in, std::size_t n) noexcept {
    detail::dispatch<silu_kernel, Arch>(reference::silu, out, in, n);
}

}  // namespace tessera::simd

#include "tessera/simd/warnings_pop.hpp"
