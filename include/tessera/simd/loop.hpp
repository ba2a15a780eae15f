#pragma once
// Loop skeletons shared by the kernels. Each walks the data in whole registers with
// unaligned loads (so a result never depends on the pointer's alignment) and finishes
// the last partial register through a stack buffer: the tail goes through the same
// vector code as the body, so an element's result does not depend on its position.
#include <cstddef>

#include "tessera/simd/compat.hpp"

#include "tessera/simd/warnings_push.hpp"

namespace tessera::simd::detail {

// Loads p[0..count) (count <= batch size) and fills the other lanes with `fill`.
template <class Arch>
inline xsimd::batch<float, Arch> load_pad(const float* p, std::size_t count, float fill) noexcept {
    using B = xsimd::batch<float, Arch>;
    if (count == B::size) return B::load_unaligned(p);
    alignas(64) float buf[B::size];
    for (std::size_t k = 0; k < B::size; ++k) buf[k] = k < count ? p[k] : fill;
    return B::load_aligned(buf);
}

// Stores the first `count` lanes of v to p[0..count); nothing past p[count - 1] is written.
template <class Arch>
inline void store_part(float* p, const xsimd::batch<float, Arch>& v, std::size_t count) noexcept {
    using B = xsimd::batch<float, Arch>;
    if (count == B::size) return v.store_unaligned(p);
    alignas(64) float buf[B::size];
    v.store_aligned(buf);
    for (std::size_t k = 0; k < count; ++k) p[k] = buf[k];
}

// out[i] = f(in_0[i], in_1[i], ...) for i < n, one register at a time. `out` may be
// the same pointer as an input (each register is loaded before it is stored), but must
// not partially overlap one. Pad lanes of the tail hold 0 and are discarded.
template <class Arch, class F, class... In>
inline void map(float* out, std::size_t n, F f, const In*... in) noexcept {
    using B = xsimd::batch<float, Arch>;
    std::size_t i = 0;
    for (; i + B::size <= n; i += B::size) f(B::load_unaligned(in + i)...).store_unaligned(out + i);
    if (i < n) store_part<Arch>(out + i, f(load_pad<Arch>(in + i, n - i, 0.0f)...), n - i);
}

// Folds step(acc, i, count) over registers with four independent accumulators (to hide
// the add latency), combined as (a0 + a1) + (a2 + a3) and then across lanes. The order
// is fixed by n and Arch alone, so a reduction gives the same bits on every call.
// `step` must give a register whose lanes >= count are the identity of the fold.
template <class Arch, class Step>
inline xsimd::batch<float, Arch> fold4(std::size_t n, xsimd::batch<float, Arch> init, Step step) noexcept {
    using B = xsimd::batch<float, Arch>;
    constexpr std::size_t W = B::size;
    B a0 = init, a1 = init, a2 = init, a3 = init;
    std::size_t i = 0;
    for (; i + 4 * W <= n; i += 4 * W) {
        a0 = step(a0, i, W);
        a1 = step(a1, i + W, W);
        a2 = step(a2, i + 2 * W, W);
        a3 = step(a3, i + 3 * W, W);
    }
    for (; i + W <= n; i += W) a0 = step(a0, i, W);
    if (i < n) a1 = step(a1, i, n - i);
    return step.combine(step.combine(a0, a1), step.combine(a2, a3));
}

// Sum-fold: step(i, count) gives the terms of elements i..i+count-1 (0 in pad lanes).
template <class Arch, class Terms>
struct sum_step {
    Terms terms;
    using B = xsimd::batch<float, Arch>;
    B operator()(const B& acc, std::size_t i, std::size_t count) const noexcept { return terms(acc, i, count); }
    static B combine(const B& a, const B& b) noexcept { return a + b; }
};

// Sum over i < n where acc_step(acc, i, count) adds the terms of i..i+count-1 to acc.
template <class Arch, class AccStep>
inline float sum_fold(std::size_t n, AccStep acc_step) noexcept {
    using B = xsimd::batch<float, Arch>;
    return reduce_sum(fold4<Arch>(n, B(0.0f), sum_step<Arch, AccStep>{acc_step}));
}

}  // namespace tessera::simd::detail

#include "tessera/simd/warnings_pop.hpp"
