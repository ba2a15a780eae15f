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
//  - B stored [N,K], 4 < M ≤ 256 and N ≥ 2M: Cᵀ = B·Aᵀ with B's rows read in place and
//    only A packed (per-call packing of a weight matrix would cost more than the product
//    saves; same bits as the packed path);
//  - otherwise a packed, cache-blocked GEMM with a register-tiled micro-kernel
//    (ops/gemm_kernels.hpp).
// Threads split C into disjoint regions; every element's reduction order depends on K
// only, so results are bitwise identical for any thread count.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <type_traits>

#include <xsimd/xsimd.hpp>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/ops/gemm_kernels.hpp"
#include "tessera/simd/elementwise.hpp"
#include "tessera/simd/math.hpp"

namespace tessera::ops {

enum class activation { none, relu, gelu_erf, gelu_tanh, silu };

struct matmul_options {
    bool transpose_b = false;     // B is [N, K] (linear-layer weights) instead of [K, N]
    bool accumulate = false;      // C += A·op(B) instead of C = A·op(B)
    const float* bias = nullptr;  // [N], added after the product
    activation act = activation::none;
};

namespace detail {

// row[0, n) = act(row + bias), one register at a time (the tail through a padded register):
// each element gets exactly what simd::add and the activation's kernel give it, without a
// call and a loop setup per kernel on the 32-column row segments of a micro-tile.
template <class Arch, class Act>
inline void fused_epilogue(float* row, std::size_t n, const float* bias, Act act) noexcept {
    using B = xsimd::batch<float, Arch>;
    constexpr std::size_t W = B::size;
    std::size_t j = 0;
    for (; j + W <= n; j += W) {
        B v = B::load_unaligned(row + j);
        if (bias) v = v + B::load_unaligned(bias + j);
        act(v).store_unaligned(row + j);
    }
    if (j < n) {
        B v = simd::detail::load_pad<Arch>(row + j, n - j, 0.0f);
        if (bias) v = v + simd::detail::load_pad<Arch>(bias + j, n - j, 0.0f);
        simd::detail::store_part<Arch>(row + j, act(v), n - j);
    }
}

// Bias and activation over one row segment of C, with the SIMD kernels of the same Arch.
template <class Arch>
void apply_epilogue(float* row, std::size_t n, const float* bias, activation act) noexcept {
    if constexpr (simd::is_vector_arch<Arch>) {
        using B = xsimd::batch<float, Arch>;
        switch (act) {
        case activation::none: if (bias) fused_epilogue<Arch>(row, n, bias, [](const B& v) { return v; }); return;
        case activation::relu:  // NaN and -0 give +0, as `x > 0 ? x : 0` does
            return fused_epilogue<Arch>(row, n, bias, [](const B& v) { return xsimd::select(v > B(0.0f), v, B(0.0f)); });
        case activation::gelu_erf:
            return fused_epilogue<Arch>(row, n, bias, [](const B& v) { return simd::gelu_erf_kernel<Arch>::eval(v); });
        case activation::gelu_tanh:
            return fused_epilogue<Arch>(row, n, bias, [](const B& v) { return simd::gelu_tanh_kernel<Arch>::eval(v); });
        case activation::silu:
            return fused_epilogue<Arch>(row, n, bias, [](const B& v) { return simd::silu_kernel<Arch>::eval(v); });
        }
        return;
    }
    if (bias) simd::add<Arch>(row, row, bias, n);
    switch (act) {
    case activation::none: break;
    case activation::relu:
        for (std::size_t j = 0; j < n; ++j) row[j] = row[j] > 0.0f ? row[j] : 0.0f;
        break;
    case activation::gelu_erf: simd::gelu_erf<Arch>(row, row, n); break;
    case activation::gelu_tanh: simd::gelu_tanh<Arch>(row, row, n); break;
    case activation::silu: simd::silu<Arch>(row, row, n); break;
    }
}

// K blocks of equal length ≤ KC: the block boundaries depend on K only, so every
// element's summation order does too.
template <class Arch>
struct k_blocking {
    std::size_t count, kc_max;
    explicit k_blocking(std::size_t k) noexcept
        : count(std::max<std::size_t>(1, (k + gemm_shape_traits<Arch>::KC - 1) / gemm_shape_traits<Arch>::KC)),
          kc_max((k + count - 1) / count) {}
};

// Where the packed B panels of one (K block, N range) come from: packed on the fly from
// a strided operand into scratch, or read from a matrix packed once (packed_matrix).
struct b_panels_on_the_fly {
    static constexpr bool prepacked = false;  // the panels were just written: in cache
    operand b;
    float* scratch;
    template <std::size_t NR>
    const float* get(std::size_t, std::size_t pc, std::size_t kc, std::size_t jc, std::size_t nc) const noexcept {
        pack_b<NR>(b, pc, kc, jc, nc, scratch);
        return scratch;
    }
};
struct b_panels_prepacked {
    static constexpr bool prepacked = true;  // may have to come from memory: worth prefetching
    const float* data;  // K blocks one after another; in each, N panels of [kc][NR]
    std::size_t n_padded;  // N rounded up to NR
    std::size_t kc_max;
    template <std::size_t NR>
    const float* get(std::size_t pb, std::size_t, std::size_t kc, std::size_t jc, std::size_t) const noexcept {
        return data + pb * kc_max * n_padded + jc * kc;
    }
};

// C region [m0,m1) × [n0,n1) with the packed algorithm and micro-tiles of MR rows.
template <class Arch, std::size_t MR, class BPanels>
void gemm_packed_region(std::size_t k, operand a, const BPanels& b_panels, float* c, std::size_t ldc,
                        const matmul_options& opt, std::size_t m0, std::size_t m1, std::size_t n0, std::size_t n1) {
    using T = gemm_shape_traits<Arch>;
    constexpr std::size_t NR = T::NR;
    const k_blocking<Arch> kb(k);
    const std::size_t n_kblocks = kb.count, kc_max = kb.kc_max;
    // N blocks of equal width (in whole panels) so one packed B block fits the L2 budget.
    const std::size_t nc_budget = std::max(NR, (T::L2_BYTES / (kc_max * sizeof(float))) / NR * NR);
    const std::size_t n_nblocks = (n1 - n0 + nc_budget - 1) / nc_budget;
    const std::size_t nc_cap = ((n1 - n0 + n_nblocks - 1) / n_nblocks + NR - 1) / NR * NR;
    const std::size_t mc_cap = T::MC;
    float* apack = gemm_scratch(0, kc_max * (mc_cap + MR));
    alignas(64) float edge[MR * NR];

    for (std::size_t jc = n0; jc < n1; jc += nc_cap) {
        const std::size_t nc = std::min(nc_cap, n1 - jc);
        for (std::size_t pb = 0; pb < n_kblocks; ++pb) {
            const std::size_t pc = pb * kc_max;
            const std::size_t kc = std::min(kc_max, k - pc);
            const bool first = pb == 0, last = pb + 1 == n_kblocks;
            const bool acc = !first || opt.accumulate;
            const float* bpack = b_panels.template get<NR>(pb, pc, kc, jc, nc);
            // Weights packed once (a model's) are read from DRAM when the model is larger
            // than the L3, and the first row tile's sweep over the block is what reads them;
            // the hardware prefetcher alone leaves that sweep waiting on memory. So the first
            // sweep prefetches every line of panel jr + 1 while it computes panel jr, and
            // the next block's first panel during its last (all-MiniLM-L6-v2 at seq 128:
            // ≈ 4 % of the forward pass on this machine; prefetching only every 4th or 8th
            // step's lines, leaving the rest to the hardware, recovered none of it).
            // Only from 8 row tiles up: the prefetches cost issue slots even when B is in
            // cache (32×576×576 with B in L2: 3 % slower), which matters only where the
            // first sweep is a large share of the block's work.
            const float* next_block = nullptr;
            if constexpr (BPanels::prepacked) {
                if (pb + 1 < n_kblocks)
                    next_block = b_panels.template get<NR>(pb + 1, pc + kc_max, std::min(kc_max, k - pc - kc_max), jc, nc);
                else if (jc + nc < n1)
                    next_block = b_panels.template get<NR>(0, 0, kc_max, jc + nc, std::min(nc_cap, n1 - jc - nc));
            }
            for (std::size_t ic = m0; ic < m1; ic += mc_cap) {
                const std::size_t mc = std::min(mc_cap, m1 - ic);
                pack_a<MR>(a, ic, mc, pc, kc, apack);
                for (std::size_t ir = 0; ir < mc; ir += MR) {
                    const std::size_t mr = std::min(MR, mc - ir);
                    const float* ap = apack + ir * kc;
                    const bool first_sweep = BPanels::prepacked && ic == m0 && ir == 0 && mc >= 8 * MR;
                    for (std::size_t jr = 0; jr < nc; jr += NR) {
                        const std::size_t nr = std::min(NR, nc - jr);
                        float* ct = c + (ic + ir) * ldc + jc + jr;
                        const float* next = !first_sweep ? nullptr : jr + NR < nc ? bpack + (jr + NR) * kc : next_block;
                        if (mr == MR && nr == NR) {
                            if (next) micro_kernel<Arch, MR, true>(kc, ap, bpack + jr * kc, ct, ldc, acc, next);
                            else micro_kernel<Arch, MR>(kc, ap, bpack + jr * kc, ct, ldc, acc);
                        } else {  // edge tile: compute into a full tile, merge the valid part
                            micro_kernel<Arch, MR>(kc, ap, bpack + jr * kc, edge, NR, false);
                            for (std::size_t r = 0; r < mr; ++r)
                                for (std::size_t q = 0; q < nr; ++q)
                                    ct[r * ldc + q] = acc ? ct[r * ldc + q] + edge[r * NR + q] : edge[r * NR + q];
                        }
                        if (last && (opt.bias || opt.act != activation::none))
                            for (std::size_t r = 0; r < mr; ++r)
                                apply_epilogue<Arch>(ct + r * ldc, nr, opt.bias ? opt.bias + jc + jr : nullptr, opt.act);
                    }
                }
            }
        }
    }
}

// c[j·ldc + r] (+)= tile[r·NR + j] for r < rows, j < cols: a tile of Cᵀ into C. AVX-512
// transposes 16×16 blocks in registers (12 tile rows + 4 zero rows) and stores each C row
// with a mask; other targets copy element by element. Same values either way.
template <class Arch, std::size_t MR>
inline void store_transposed(const float* tile, std::size_t rows, std::size_t cols, float* c, std::size_t ldc,
                             bool accumulate) noexcept {
    constexpr std::size_t NR = gemm_shape_traits<Arch>::NR;
#if defined(__AVX512F__)
    if constexpr (std::is_base_of_v<xsimd::avx512f, Arch> && MR <= 16 && NR % 16 == 0) {
        const __mmask16 keep = __mmask16((1u << rows) - 1u);
        for (std::size_t j0 = 0; j0 < cols; j0 += 16) {
            __m512 r[16];
            for (std::size_t i = 0; i < 16; ++i) r[i] = i < MR ? _mm512_load_ps(tile + i * NR + j0) : _mm512_setzero_ps();
            transpose16x16(r);
            for (std::size_t j = 0; j < std::min<std::size_t>(16, cols - j0); ++j) {
                float* cr = c + (j0 + j) * ldc;
                const __m512 v = accumulate ? _mm512_add_ps(_mm512_maskz_loadu_ps(keep, cr), r[j]) : r[j];
                _mm512_mask_storeu_ps(cr, keep, v);
            }
        }
        return;
    }
#endif
    for (std::size_t j = 0; j < cols; ++j) {
        float* cr = c + j * ldc;
        for (std::size_t r = 0; r < rows; ++r) cr[r] = accumulate ? cr[r] + tile[r * NR + j] : tile[r * NR + j];
    }
}

// C = A·Bᵀ for a small M, computed as Cᵀ = B·Aᵀ: the rows of B [N, K] are broadcast
// straight from memory (micro_kernel_rows), so the big operand is never packed; A is
// packed as the vector panels (M ≤ swapped_max_m rows: one K block of it stays in L2),
// and each MR×NR tile of Cᵀ is written transposed into C. Every element's sum is the
// packed path's FMA chain over the same K blocks, so the bits are the same. Rows
// [n0, n1) of B, all M rows of A.
template <class Arch, std::size_t MR>
void gemm_swapped_region(std::size_t m, std::size_t k, operand a, const float* b, std::size_t ldb, float* c,
                         std::size_t ldc, const matmul_options& opt, std::size_t n0, std::size_t n1) {
    using T = gemm_shape_traits<Arch>;
    constexpr std::size_t NR = T::NR;
    const k_blocking<Arch> kb(k);
    const operand at{a.ptr, a.cs, a.rs};  // Aᵀ as a [K, M] operand
    float* apack = gemm_scratch(1, kb.kc_max * ((m + NR - 1) / NR * NR));
    alignas(64) float tile[MR * NR];
    for (std::size_t pb = 0; pb < kb.count; ++pb) {
        const std::size_t pc = pb * kb.kc_max, kc = std::min(kb.kc_max, k - pc);
        const bool acc = pb > 0 || opt.accumulate, last = pb + 1 == kb.count;
        pack_b<NR>(at, pc, kc, 0, m, apack);
        for (std::size_t ir = n0; ir < n1; ir += MR) {
            const std::size_t rows = std::min(MR, n1 - ir);
            const float* brow[MR];
            for (std::size_t r = 0; r < MR; ++r) brow[r] = b + (r < rows ? ir + r : ir) * ldb + pc;  // spare rows: ignored
            for (std::size_t jr = 0; jr < m; jr += NR) {
                const std::size_t cols = std::min(NR, m - jr);
                micro_kernel_rows<Arch, MR>(kc, brow, apack + jr * kc, tile);
                store_transposed<Arch, MR>(tile, rows, cols, c + jr * ldc + ir, ldc, acc);
                if (last && (opt.bias || opt.act != activation::none))
                    for (std::size_t j = 0; j < cols; ++j)
                        apply_epilogue<Arch>(c + (jr + j) * ldc + ir, rows, opt.bias ? opt.bias + ir : nullptr, opt.act);
            }
        }
    }
}

// The swapped product uses at most this many rows of A (so A's packed K block, ≤ 384 KiB,
// stays in L2), and only when N ≥ 2·M (packing B would then cost more than packing A).
inline constexpr std::size_t swapped_max_m = 256;
inline bool use_swapped(std::size_t m, std::size_t n) noexcept { return m > 4 && m <= swapped_max_m && n >= 2 * m; }

// Whether the packed product splits C among threads by rows (blocks of mr-row tiles)
// rather than by columns (nr-wide panels): the dimension with more tiles. Shape alone.
inline bool packed_splits_rows(std::size_t m, std::size_t n, std::size_t mr, std::size_t nr) noexcept {
    return m / mr >= n / nr;
}

// The packed product over all of C: splits the larger dimension of C into one
// tile-aligned part per thread (N panels never straddle a split) and runs each part with
// the panel source make_panels(n0, n1) gives it. The split never changes an element's
// summation order.
template <class Arch, std::size_t MR, class MakePanels>
void packed_product(std::size_t m, std::size_t k, std::size_t n, operand a, MakePanels&& make_panels, float* c,
                    std::size_t ldc, const matmul_options& opt, thread_pool* pool) {
    using T = gemm_shape_traits<Arch>;
    const std::size_t threads = pool ? pool->size() : 1;
    const bool split_m = packed_splits_rows(m, n, MR, T::NR);
    const std::size_t unit = split_m ? MR : T::NR;
    const std::size_t extent = split_m ? m : n;
    const std::size_t units = (extent + unit - 1) / unit;
    const std::size_t tasks = std::max<std::size_t>(1, std::min(threads, units));
    parallel_for(pool, tasks, [&](std::size_t t) {
        const std::size_t lo = std::min(extent, units * t / tasks * unit);
        const std::size_t hi = std::min(extent, units * (t + 1) / tasks * unit);
        if (lo >= hi) return;
        const std::size_t m0 = split_m ? lo : 0, m1 = split_m ? hi : m;
        const std::size_t n0 = split_m ? 0 : lo, n1 = split_m ? n : hi;
        gemm_packed_region<Arch, MR>(k, a, make_panels(n0, n1), c, ldc, opt, m0, m1, n0, n1);
    });
}

// The shorter micro-tile when it leaves fewer padded rows (M = 32: 4×8 instead of 3×12);
// the choice depends on M only.
template <class Arch>
bool prefer_short_tile(std::size_t m) noexcept {
    using T = gemm_shape_traits<Arch>;
    return (m + T::MR_SHORT - 1) / T::MR_SHORT * T::MR_SHORT < (m + T::MR - 1) / T::MR * T::MR;
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
            apply_epilogue<Arch>(ci, nb, opt.bias ? opt.bias + j0 : nullptr, opt.act);
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

// K = 0: C = 0 (or unchanged when accumulating), then the epilogue.
template <class Arch>
void empty_product(float* c, std::size_t m, std::size_t n, std::size_t ldc, const matmul_options& opt) noexcept {
    for (std::size_t i = 0; i < m; ++i) {
        float* ci = c + i * ldc;
        if (!opt.accumulate) std::fill_n(ci, n, 0.0f);
        apply_epilogue<Arch>(ci, n, opt.bias, opt.act);
    }
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
    if (k == 0) return detail::empty_product<Arch>(c.data(), m, n, ldc, opt);
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

    if (opt.transpose_b && b.stride(1) == 1 && detail::use_swapped(m, n)) {
        // Small M: B's rows are read in place and A is packed (gemm_swapped_region); the
        // rows of B are split among the tasks in whole micro-tiles.
        constexpr std::size_t MR = T::MR;
        const std::size_t units = (n + MR - 1) / MR;
        const std::size_t tasks = std::max<std::size_t>(1, std::min(threads, units));
        parallel_for(pool, tasks, [&](std::size_t t) {
            const std::size_t n0 = std::min(n, units * t / tasks * MR), n1 = std::min(n, units * (t + 1) / tasks * MR);
            if (n0 < n1) detail::gemm_swapped_region<Arch, MR>(m, k, ao, b.data(), b.stride(0), c.data(), ldc, opt, n0, n1);
        });
        return;
    }

    // Packed path, B packed per call into each task's scratch.
    auto make_panels = [&](std::size_t n0, std::size_t n1) {
        return detail::b_panels_on_the_fly{bo, detail::gemm_scratch(1, detail::k_blocking<Arch>(k).kc_max *
                                                                           (n1 - n0 + 2 * T::NR))};
    };
    if (detail::prefer_short_tile<Arch>(m))
        detail::packed_product<Arch, T::MR_SHORT>(m, k, n, ao, make_panels, c.data(), ldc, opt, pool);
    else
        detail::packed_product<Arch, T::MR>(m, k, n, ao, make_panels, c.data(), ldc, opt, pool);
}

}  // namespace tessera::ops
