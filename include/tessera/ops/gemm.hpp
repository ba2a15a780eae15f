#pragma once
// fp32 matrix multiply on strided views.
//
//   matmul(a, b, c, {.transpose_b = true})   C[M,N] = A[M,K] · B[N,K]ᵀ   (PyTorch/HF linear weights)
//   matmul(a, b, c)                          C[M,N] = A[M,K] · B[K,N]
// optionally C += …, then + bias[N], then an activation, fused into the last pass over C.
//
// Paths, chosen from the shape alone (never from the thread count):
//  - M ≤ 4 and B stored [N,K] with unit inner stride: dot products along K that stream B
//    once (GEMV; the per-token decoding case);
//  - otherwise a packed, cache-blocked GEMM with a register-tiled micro-kernel
//    (ops/gemm_kernels.hpp).
// Threads split C into disjoint regions; every element's reduction order depends on K
// only, so results are bitwise identical for any thread count.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include <xsimd/xsimd.hpp>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/ops/gemm_kernels.hpp"

namespace tessera::ops {

enum class activation { none, relu, gelu_erf, gelu_tanh, silu };

struct matmul_options {
    bool transpose_b = false;     // B is [N, K] (linear-layer weights) instead of [K, N]
    bool accumulate = false;      // C += A·op(B) instead of C = A·op(B)
    const float* bias = nullptr;  // [N], added after the product
    activation act = activation::none;
};

namespace detail {

inline float activate(float x, activation act) noexcept {
    switch (act) {
    case activation::none: return x;
    case activation::relu: return x > 0.0f ? x : 0.0f;
    case activation::gelu_erf: return 0.5f * x * (1.0f + std::erf(x * 0.70710678118654752f));
    case activation::gelu_tanh: {
        const float u = 0.79788456080286536f * (x + 0.044715f * x * x * x);
        return 0.5f * x * (1.0f + std::tanh(u));
    }
    case activation::silu: return x / (1.0f + std::exp(-x));
    }
    return x;
}

// Bias and activation over one row segment of C.
inline void apply_epilogue(float* row, std::size_t n, const float* bias, activation act) noexcept {
    if (bias)
        for (std::size_t j = 0; j < n; ++j) row[j] += bias[j];
    if (act != activation::none)
        for (std::size_t j = 0; j < n; ++j) row[j] = activate(row[j], act);
}

// C region [m0,m1) × [n0,n1) with the packed algorithm and micro-tiles of MR rows.
template <class Arch, std::size_t MR>
void gemm_packed_region(std::size_t k, operand a, operand b, float* c, std::size_t ldc, const matmul_options& opt,
                        std::size_t m0, std::size_t m1, std::size_t n0, std::size_t n1) {
    using T = gemm_shape_traits<Arch>;
    constexpr std::size_t NR = T::NR;
    // K blocks of equal length ≤ KC: the block boundaries depend on K only.
    const std::size_t n_kblocks = std::max<std::size_t>(1, (k + T::KC - 1) / T::KC);
    const std::size_t kc_max = (k + n_kblocks - 1) / n_kblocks;
    // N blocks of equal width (in whole panels) so one packed B block fits the L2 budget.
    const std::size_t nc_budget = std::max(NR, (T::L2_BYTES / (kc_max * sizeof(float))) / NR * NR);
    const std::size_t n_nblocks = (n1 - n0 + nc_budget - 1) / nc_budget;
    const std::size_t nc_cap = ((n1 - n0 + n_nblocks - 1) / n_nblocks + NR - 1) / NR * NR;
    const std::size_t mc_cap = T::MC;
    float* bpack = gemm_scratch(1, kc_max * (nc_cap + NR));
    float* apack = gemm_scratch(0, kc_max * (mc_cap + MR));
    alignas(64) float edge[MR * NR];

    for (std::size_t jc = n0; jc < n1; jc += nc_cap) {
        const std::size_t nc = std::min(nc_cap, n1 - jc);
        for (std::size_t pb = 0; pb < n_kblocks; ++pb) {
            const std::size_t pc = pb * kc_max;
            const std::size_t kc = std::min(kc_max, k - pc);
            const bool first = pb == 0, last = pb + 1 == n_kblocks;
            const bool acc = !first || opt.accumulate;
            pack_b<NR>(b, pc, kc, jc, nc, bpack);
            for (std::size_t ic = m0; ic < m1; ic += mc_cap) {
                const std::size_t mc = std::min(mc_cap, m1 - ic);
                pack_a<MR>(a, ic, mc, pc, kc, apack);
                for (std::size_t ir = 0; ir < mc; ir += MR) {
                    const std::size_t mr = std::min(MR, mc - ir);
                    const float* ap = apack + ir * kc;
                    for (std::size_t jr = 0; jr < nc; jr += NR) {
                        const std::size_t nr = std::min(NR, nc - jr);
                        float* ct = c + (ic + ir) * ldc + jc + jr;
                        if (mr == MR && nr == NR) {
                            micro_kernel<Arch, MR>(kc, ap, bpack + jr * kc, ct, ldc, acc);
                        } else {  // edge tile: compute into a full tile, merge the valid part
                            micro_kernel<Arch, MR>(kc, ap, bpack + jr * kc, edge, NR, false);
                            for (std::size_t r = 0; r < mr; ++r)
                                for (std::size_t q = 0; q < nr; ++q)
                                    ct[r * ldc + q] = acc ? ct[r * ldc + q] + edge[r * NR + q] : edge[r * NR + q];
                        }
                        if (last && (opt.bias || opt.act != activation::none))
                            for (std::size_t r = 0; r < mr; ++r)
                                apply_epilogue(ct + r * ldc, nr, opt.bias ? opt.bias + jc + jr : nullptr, opt.act);
                    }
                }
            }
        }
    }
}

// Rows [0, m) (m ≤ 4) × output columns [n0, n1) with dot products; B is [N, K], unit inner stride.
template <class Arch>
void gemv_region(std::size_t m, std::size_t k, operand a, const float* b, std::size_t ldb, float* c,
                 std::size_t ldc, const matmul_options& opt, std::size_t n0, std::size_t n1) {
    const float* rows[4];
    for (std::size_t i = 0; i < m; ++i) rows[i] = a.ptr + i * a.rs;
    // Results go to a small buffer first when accumulating, so C is read once.
    constexpr std::size_t chunk = 256;
    alignas(64) float tmp[4 * chunk];
    for (std::size_t j0 = n0; j0 < n1; j0 += chunk) {
        const std::size_t nb = std::min(chunk, n1 - j0);
        const float* bj = b + j0 * ldb;
        switch (m) {
        case 1: dot_rows<Arch, 1>(k, rows, bj, ldb, nb, tmp, chunk); break;
        case 2: dot_rows<Arch, 2>(k, rows, bj, ldb, nb, tmp, chunk); break;
        case 3: dot_rows<Arch, 3>(k, rows, bj, ldb, nb, tmp, chunk); break;
        default: dot_rows<Arch, 4>(k, rows, bj, ldb, nb, tmp, chunk); break;
        }
        for (std::size_t i = 0; i < m; ++i) {
            float* ci = c + i * ldc + j0;
            for (std::size_t j = 0; j < nb; ++j) ci[j] = opt.accumulate ? ci[j] + tmp[i * chunk + j] : tmp[i * chunk + j];
            apply_epilogue(ci, nb, opt.bias ? opt.bias + j0 : nullptr, opt.act);
        }
    }
}

inline void check_matmul_shapes(const tensor_view<const float>& a, const tensor_view<const float>& b,
                                const tensor_view<float>& c, bool transpose_b) {
    require(a.rank() == 2 && b.rank() == 2 && c.rank() == 2, error_kind::invalid_argument,
            "matmul: A, B and C must be rank 2");
    const std::size_t bk = transpose_b ? b.extent(1) : b.extent(0);
    const std::size_t bn = transpose_b ? b.extent(0) : b.extent(1);
    require(a.extent(1) == bk && c.extent(0) == a.extent(0) && c.extent(1) == bn, error_kind::invalid_argument, [&] {
        return "matmul: shapes A" + a.dims().to_string() + (transpose_b ? " · B" : " · B") + b.dims().to_string() +
               (transpose_b ? "ᵀ" : "") + " -> C" + c.dims().to_string() + " do not agree";
    });
    require(c.stride(1) == 1 || c.extent(1) <= 1, error_kind::invalid_argument, "matmul: C needs unit column stride");
}

}  // namespace detail

// C = A · op(B) (+ bias, activation). See the header comment for layouts and paths.
// `pool` may be null (single thread). Throws invalid_argument on shape mismatch.
template <class Arch = xsimd::default_arch>
void matmul(tensor_view<const float> a, tensor_view<const float> b, tensor_view<float> c,
            const matmul_options& opt = {}, thread_pool* pool = nullptr) {
    detail::check_matmul_shapes(a, b, c, opt.transpose_b);
    const std::size_t m = a.extent(0), k = a.extent(1), n = c.extent(1);
    if (m == 0 || n == 0) return;
    const std::size_t ldc = m <= 1 ? n : c.stride(0);
    if (k == 0) {
        for (std::size_t i = 0; i < m; ++i) {
            float* ci = c.data() + i * ldc;
            if (!opt.accumulate) std::fill_n(ci, n, 0.0f);
            detail::apply_epilogue(ci, n, opt.bias, opt.act);
        }
        return;
    }
    const detail::operand ao{a.data(), a.stride(0), a.stride(1)};
    // op(B)(p, j): [K, N] view of B either way.
    const detail::operand bo = opt.transpose_b ? detail::operand{b.data(), b.stride(1), b.stride(0)}
                                               : detail::operand{b.data(), b.stride(0), b.stride(1)};
    const std::size_t threads = pool ? pool->size() : 1;
    using T = detail::gemm_shape_traits<Arch>;

    if (m <= 4 && opt.transpose_b && b.stride(1) == 1 && a.stride(1) == 1) {
        // Split N into contiguous chunks, one per task.
        const std::size_t tasks = std::min(threads, (n + 63) / 64);
        const std::size_t per = (n + tasks - 1) / tasks;
        parallel_for(pool, tasks, [&](std::size_t t) {
            const std::size_t n0 = t * per, n1 = std::min(n, n0 + per);
            if (n0 < n1) detail::gemv_region<Arch>(m, k, ao, b.data(), b.stride(0), c.data(), ldc, opt, n0, n1);
        });
        return;
    }

    // Packed path. The short micro-tile when it leaves fewer padded rows (M = 32: 4×8
    // instead of 3×12); the choice depends on M only.
    const bool short_tile = (m + T::MR_SHORT - 1) / T::MR_SHORT * T::MR_SHORT < (m + T::MR - 1) / T::MR * T::MR;
    const std::size_t mr = short_tile ? T::MR_SHORT : T::MR;
    // Split the larger dimension of C into `threads` tile-aligned parts.
    const bool split_m = m / mr >= n / T::NR;
    const std::size_t unit = split_m ? mr : T::NR;
    const std::size_t extent = split_m ? m : n;
    const std::size_t units = (extent + unit - 1) / unit;
    const std::size_t tasks = std::max<std::size_t>(1, std::min(threads, units));
    parallel_for(pool, tasks, [&](std::size_t t) {
        const std::size_t u0 = units * t / tasks, u1 = units * (t + 1) / tasks;
        const std::size_t lo = std::min(extent, u0 * unit), hi = std::min(extent, u1 * unit);
        if (lo >= hi) return;
        const std::size_t m0 = split_m ? lo : 0, m1 = split_m ? hi : m;
        const std::size_t n0 = split_m ? 0 : lo, n1 = split_m ? n : hi;
        if (short_tile)
            detail::gemm_packed_region<Arch, T::MR_SHORT>(k, ao, bo, c.data(), ldc, opt, m0, m1, n0, n1);
        else
            detail::gemm_packed_region<Arch, T::MR>(k, ao, bo, c.data(), ldc, opt, m0, m1, n0, n1);
    });
}

}  // namespace tessera::ops
