#pragma once
// Building blocks of ops/gemm.hpp: operand descriptors, packing, the register-tiled
// micro-kernel and the dot-product kernel used for skinny products. Internal.
//
// Micro-kernel (outer-product form). For an MR×NR tile of C and a K-block of length kc:
//   C[r][c] += Σ_p A[r][p] · B[p][c]
// A is packed as panels [kc][MR] (one broadcast per row and k), B as panels [kc][NR]
// (NR = 2 SIMD registers per k). MR·2 accumulators stay in registers for the whole
// K-block: 24 of AVX-512's 32 registers (MR = 12), 12 of AVX2's 16 (MR = 6). A second,
// shorter MR (8 or 4) serves row counts that the long one would leave ragged (M = 32).
// Each C element's sum runs over p in increasing order inside a block and blocks are
// added in increasing order: the order depends on K only, never on the thread split.
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <type_traits>

#include "tessera/simd/warnings_push.hpp"
#include <xsimd/xsimd.hpp>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "tessera/core/aligned.hpp"

namespace tessera::ops::detail {

// A strided matrix operand: element (i, j) is at ptr[i*rs + j*cs].
struct operand {
    const float* ptr;
    std::size_t rs;
    std::size_t cs;
    const float& operator()(std::size_t i, std::size_t j) const noexcept { return ptr[i * rs + j * cs]; }
};

template <class Arch>
struct gemm_shape_traits {
    using batch = xsimd::batch<float, Arch>;
    static constexpr std::size_t W = batch::size;
    static constexpr bool wide_register_file = std::is_base_of_v<xsimd::avx512f, Arch>;
    static constexpr std::size_t MR = wide_register_file ? 12 : 6;       // long micro-tile
    static constexpr std::size_t MR_SHORT = wide_register_file ? 8 : 4;  // short micro-tile
    static constexpr std::size_t NR = 2 * W;
    static constexpr std::size_t KC = 384;          // A micro-panel kc·MR·4 B = 18 KiB stays in L1
    static constexpr std::size_t L2_BYTES = 640 * 1024;  // budget for one packed B block
    static constexpr std::size_t MC = 240;          // rows of A packed at once (a multiple of both MRs)
};

// Thread-local scratch for packed panels. Reused across calls so a small GEMM does not
// pay for fresh pages; grows, never shrinks. One slot per operand.
inline float* gemm_scratch(int slot, std::size_t floats) {
    struct buffer {
        aligned_array<float> data;
        std::size_t capacity = 0;
    };
    thread_local buffer buffers[2];
    buffer& b = buffers[slot];
    if (b.capacity < floats) {
        b.data = aligned_alloc_array<float>(floats);
        b.capacity = floats;
    }
    return b.data.get();
}

#if defined(__AVX512F__)
// In-register 16×16 transpose: r[i][j] -> r[j][i]. Four stages of 16 shuffles: pairs of
// rows interleaved (unpack), then 2×2 blocks of 32-bit pairs (shuffle_ps), then 128-bit
// lanes twice (shuffle_f32x4). Packing K-contiguous operands (A, and B stored [N, K])
// into k-major panels is a transpose; doing it 256 elements at a time instead of one
// scalar at a time keeps packing off the critical path of skinny GEMMs.
inline void transpose16x16(__m512 r[16]) noexcept {
    __m512 t[16];
    for (int i = 0; i < 8; ++i) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int g = 0; g < 4; ++g) {  // rows 4g..4g+3 become [x0 | x4 | x8 | x12]-style quads
        const int b = 4 * g;
        r[b + 0] = _mm512_shuffle_ps(t[b + 0], t[b + 2], 0x44);
        r[b + 1] = _mm512_shuffle_ps(t[b + 0], t[b + 2], 0xEE);
        r[b + 2] = _mm512_shuffle_ps(t[b + 1], t[b + 3], 0x44);
        r[b + 3] = _mm512_shuffle_ps(t[b + 1], t[b + 3], 0xEE);
    }
    for (int i = 0; i < 4; ++i) {
        t[i] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0x88);
        t[i + 4] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0xDD);
        t[i + 8] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0x88);
        t[i + 12] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0xDD);
    }
    for (int i = 0; i < 8; ++i) {
        r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
        r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xDD);
    }
}

// dst[p * ld + c] = src[c][p] for p < 16 and c < width (≤ 16): one 16-k block of a
// k-major panel from K-contiguous source rows; rows c ≥ `rows` read as zero.
inline void transpose_block16(const float* const* src, std::size_t rows, float* dst, std::size_t ld,
                              std::size_t width) noexcept {
    __m512 r[16];
    for (std::size_t c = 0; c < 16; ++c) r[c] = c < rows ? _mm512_loadu_ps(src[c]) : _mm512_setzero_ps();
    transpose16x16(r);
    const __mmask16 mask = __mmask16((1u << width) - 1u);
    for (std::size_t p = 0; p < 16; ++p) _mm512_mask_storeu_ps(dst + p * ld, mask, r[p]);
}
#endif

// Packs rows [i0, i0+mc) × cols [p0, p0+kc) of A into MR-row panels: dst[panel][p][r].
// Rows past the end of A are zero so the kernel always runs full tiles.
template <std::size_t MR>
inline void pack_a(const operand& a, std::size_t i0, std::size_t mc, std::size_t p0, std::size_t kc,
                   float* dst) noexcept {
    for (std::size_t ir = 0; ir < mc; ir += MR) {
        const std::size_t rows = std::min(MR, mc - ir);
        if (a.cs == 1 && rows == MR) {
            const float* src[MR];
            for (std::size_t r = 0; r < MR; ++r) src[r] = a.ptr + (i0 + ir + r) * a.rs + p0;
            std::size_t p = 0;
#if defined(__AVX512F__)
            if constexpr (MR <= 16) {
                for (; p + 16 <= kc; p += 16) {
                    const float* s16[MR];
                    for (std::size_t r = 0; r < MR; ++r) s16[r] = src[r] + p;
                    transpose_block16(s16, MR, dst + p * MR, MR, MR);
                }
            }
#endif
            for (; p < kc; ++p)
                for (std::size_t r = 0; r < MR; ++r) dst[p * MR + r] = src[r][p];
        } else {
            for (std::size_t p = 0; p < kc; ++p)
                for (std::size_t r = 0; r < MR; ++r)
                    dst[p * MR + r] = r < rows ? a(i0 + ir + r, p0 + p) : 0.0f;
        }
        dst += kc * MR;
    }
}

// Packs rows [p0, p0+kc) × cols [j0, j0+nc) of op(B) (shape [K, N]) into NR-column
// panels: dst[panel][p][c]. Columns past the end are zero.
template <std::size_t NR>
inline void pack_b(const operand& b, std::size_t p0, std::size_t kc, std::size_t j0, std::size_t nc,
                   float* dst) noexcept {
    for (std::size_t jr = 0; jr < nc; jr += NR) {
        const std::size_t cols = std::min(NR, nc - jr);
        if (b.cs == 1 && cols == NR) {  // rows of op(B) contiguous: B is [K, N]
            for (std::size_t p = 0; p < kc; ++p) std::memcpy(dst + p * NR, &b(p0 + p, j0 + jr), NR * sizeof(float));
        } else if (b.rs == 1) {  // columns of op(B) contiguous: B is [N, K], read each row once
            std::size_t p = 0;
#if defined(__AVX512F__)
            if constexpr (NR % 16 == 0) {
                for (; p + 16 <= kc; p += 16)
                    for (std::size_t c0 = 0; c0 < NR; c0 += 16) {
                        const float* s16[16];
                        const std::size_t rows = c0 < cols ? std::min<std::size_t>(16, cols - c0) : 0;
                        for (std::size_t c = 0; c < rows; ++c) s16[c] = &b(p0 + p, j0 + jr + c0 + c);
                        transpose_block16(s16, rows, dst + p * NR + c0, NR, 16);
                    }
            }
#endif
            for (std::size_t c = 0; c < NR; ++c) {
                if (c < cols) {
                    const float* src = &b(p0, j0 + jr + c);
                    for (std::size_t q = p; q < kc; ++q) dst[q * NR + c] = src[q];
                } else {
                    for (std::size_t q = p; q < kc; ++q) dst[q * NR + c] = 0.0f;
                }
            }
        } else {
            for (std::size_t p = 0; p < kc; ++p)
                for (std::size_t c = 0; c < NR; ++c) dst[p * NR + c] = c < cols ? b(p0 + p, j0 + jr + c) : 0.0f;
        }
        dst += kc * NR;
    }
}

// C[MR, NR] (+)= Apanel[kc][MR] · Bpanel[kc][NR]; c has row stride ldc. With Prefetch,
// each step along k also prefetches the same NR floats of the panel at `next` (the panel
// the caller reads after this one), so a whole panel is requested one panel ahead, evenly
// over the time it takes to compute this one. No effect on the arithmetic.
template <class Arch, std::size_t MR, bool Prefetch = false>
inline void micro_kernel(std::size_t kc, const float* __restrict ap, const float* __restrict bp, float* c,
                         std::size_t ldc, bool accumulate, const float* next = nullptr) noexcept {
    using T = gemm_shape_traits<Arch>;
    using batch = typename T::batch;
    constexpr std::size_t W = T::W;
    batch acc0[MR], acc1[MR];
#pragma GCC unroll 16
    for (std::size_t r = 0; r < MR; ++r) {
        acc0[r] = batch(0.0f);
        acc1[r] = batch(0.0f);
    }
    for (std::size_t p = 0; p < kc; ++p) {
        const batch b0 = batch::load_aligned(bp);
        const batch b1 = batch::load_aligned(bp + W);
        if constexpr (Prefetch) {
            constexpr std::size_t line = 64 / sizeof(float);
            for (std::size_t off = 0; off < 2 * W; off += line) __builtin_prefetch(next + off, 0, 3);
            next += 2 * W;
        }
#pragma GCC unroll 16
        for (std::size_t r = 0; r < MR; ++r) {
            const batch a(ap[r]);
            acc0[r] = xsimd::fma(a, b0, acc0[r]);
            acc1[r] = xsimd::fma(a, b1, acc1[r]);
        }
        ap += MR;
        bp += 2 * W;
    }
#pragma GCC unroll 16
    for (std::size_t r = 0; r < MR; ++r) {
        float* row = c + r * ldc;
        if (accumulate) {
            acc0[r] += batch::load_unaligned(row);
            acc1[r] += batch::load_unaligned(row + W);
        }
        acc0[r].store_unaligned(row);
        acc1[r].store_unaligned(row + W);
    }
}

// tile[MR, NR] = Σ_p rows[r][p] · Bpanel[p][c]: micro_kernel with the broadcast operand read
// straight from MR row pointers instead of a packed panel (for Cᵀ = B·Aᵀ, where the rows
// are weight rows that are not worth packing). Per element the same FMA chain as
// micro_kernel's (fma is symmetric in its two factors), so the same bits.
template <class Arch, std::size_t MR>
inline void micro_kernel_rows(std::size_t kc, const float* const* rows, const float* __restrict bp,
                              float* __restrict tile) noexcept {
    using T = gemm_shape_traits<Arch>;
    using batch = typename T::batch;
    constexpr std::size_t W = T::W;
    batch acc0[MR], acc1[MR];
    const float* r_[MR];
#pragma GCC unroll 16
    for (std::size_t r = 0; r < MR; ++r) {
        acc0[r] = batch(0.0f);
        acc1[r] = batch(0.0f);
        r_[r] = rows[r];
    }
    for (std::size_t p = 0; p < kc; ++p) {
        const batch b0 = batch::load_aligned(bp);
        const batch b1 = batch::load_aligned(bp + W);
#pragma GCC unroll 16
        for (std::size_t r = 0; r < MR; ++r) {
            const batch a(r_[r][p]);
            acc0[r] = xsimd::fma(a, b0, acc0[r]);
            acc1[r] = xsimd::fma(a, b1, acc1[r]);
        }
        bp += 2 * W;
    }
#pragma GCC unroll 16
    for (std::size_t r = 0; r < MR; ++r) {
        acc0[r].store_aligned(tile + r * 2 * W);
        acc1[r].store_aligned(tile + r * 2 * W + W);
    }
}

// Skinny products: C[i, j] = Σ_p A[i, p] · B[j, p] for R ≤ 4 rows of A against rows of B
// [N, K], vectorised along K. Streams B once, one row at a time (a single sequential
// stream is what the hardware prefetcher serves best): the GEMV path for token-by-token
// decoding, where B is a weight matrix read at memory bandwidth.
// Sum order per element, fixed by K alone: U = 4 register accumulators take the vectors
// p ≡ u (mod 4) of each 4W chunk, leftover full vectors go to accumulator 0, then
// (a0 + a1) + (a2 + a3), the fixed horizontal reduction, and the K % W tail in order.
template <class Arch, std::size_t R>
inline void dot_rows(std::size_t k, const float* const* a_rows, const float* b, std::size_t ldb,
                     std::size_t nb, float* out, std::size_t ldo) noexcept {
    using batch = xsimd::batch<float, Arch>;
    constexpr std::size_t W = batch::size, U = 4;
    const std::size_t k4 = k - k % (U * W), kv = k - k % W;
    for (std::size_t j = 0; j < nb; ++j) {
        const float* bj = b + j * ldb;
        batch acc[R][U];
#pragma GCC unroll 4
        for (std::size_t r = 0; r < R; ++r)
            for (std::size_t u = 0; u < U; ++u) acc[r][u] = batch(0.0f);
        std::size_t p = 0;
        for (; p < k4; p += U * W) {
#pragma GCC unroll 4
            for (std::size_t u = 0; u < U; ++u) {
                const batch bv = batch::load_unaligned(bj + p + u * W);
#pragma GCC unroll 4
                for (std::size_t r = 0; r < R; ++r)
                    acc[r][u] = xsimd::fma(batch::load_unaligned(a_rows[r] + p + u * W), bv, acc[r][u]);
            }
        }
        for (; p < kv; p += W) {
            const batch bv = batch::load_unaligned(bj + p);
#pragma GCC unroll 4
            for (std::size_t r = 0; r < R; ++r)
                acc[r][0] = xsimd::fma(batch::load_unaligned(a_rows[r] + p), bv, acc[r][0]);
        }
#pragma GCC unroll 4
        for (std::size_t r = 0; r < R; ++r) {
            float s = xsimd::hadd((acc[r][0] + acc[r][1]) + (acc[r][2] + acc[r][3]));
            for (std::size_t q = kv; q < k; ++q) s += a_rows[r][q] * bj[q];
            out[r * ldo + j] = s;
        }
    }
}

}  // namespace tessera::ops::detail

#include "tessera/simd/warnings_pop.hpp"
