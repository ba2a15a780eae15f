#pragma once
// Dot products of quantized weight rows (Q4_0, Q4_1, Q8_0 blocks, read in place from a
// mapped GGUF file at any alignment) with 8-bit activation rows (ops/quant_act.hpp).
//
// Per 32-value block b, with the activation block (d_a, codes x, s_a = d_a·Σx):
//   Q8_0  w = dw·q          Σ w·(d_a x) = (dw·d_a)·Σ q x
//   Q4_0  w = dw·(q − 8)    = (dw·d_a)·Σ q x + (−8·dw)·s_a
//   Q4_1  w = dw·q + m      = (dw·d_a)·Σ q x +      m ·s_a
// The integer sums Σ q x are exact; the float terms are accumulated over the row.
//
// Kernels, chosen by the flags of the including translation unit:
//   avx512vnni  (__AVX512VNNI__, __AVX512BW__, __AVX512VL__): a group of 4 blocks per step.
//               The nibbles of 4 blocks (four 16-byte loads; one 64-byte load in the grouped
//               layout of ops/quant_layout.hpp) fill one 64-byte register; low and high
//               nibbles meet the activation group's lo/hi codes (same order) in two
//               _mm512_dpbusd_epi32 (u8 × s8 → i32, 4 bytes per lane, so each lane belongs to
//               one block). Q8_0 weights are signed: they are biased to u8 (q + 128, an
//               xor with 0x80) and 128·Σx is subtracted, Σx coming from a dpbusd of the
//               activation codes with 128s, once per activation group (not per weight row). Lanes are scaled by dw·d_a (per lane) and
//               accumulated in f32 lanes; one horizontal sum ends the row.
//   avx2        the same groups in halves with _mm256_maddubs_epi16 + _mm256_madd_epi16
//               (Q8_0 with the sign trick: |q| × sign(x, q)).
//   scalar      the reference: block by block, exactly the formulas above.
// A tile kernel computes R weight rows × C activation rows, so a weight group unpacked once
// serves C activation rows (the GEMM path) and activation loads serve R rows. Each
// (row, activation row) pair goes through the same operations in the same order whatever
// R and C are, so a GEMM result equals the GEMV result bit for bit (and the tests check it).
// The SIMD kernels differ from the scalar reference only by float rounding order. Each
// kernel reads rows in either layout (the Grouped template flag): same values, same
// operations, so the same results bit for bit.
//
// With two-term ("fine") activations each group takes two more dot products for the
// remainder codes, combined in i32 as 256·Σ w q + Σ w r (ops/quant_act.hpp).
//
// Raw intrinsics rather than xsimd: xsimd 8.1 has no u8×s8 dot-product operations.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "tessera/core/dtype.hpp"
#include "tessera/ops/quant_act.hpp"
#include "tessera/ops/quant_blocks.hpp"
#include "tessera/ops/quant_dot_kq.hpp"  // Q5_0, Q4_K, Q6_K
#include "tessera/ops/quant_layout.hpp"

#if defined(__AVX2__) || (defined(__AVX512VNNI__) && defined(__AVX512BW__) && defined(__AVX512VL__))
#include <immintrin.h>
#endif

#include "tessera/simd/warnings_push.hpp"

namespace tessera::ops {

// Weight types with an integer dot-product kernel in this header (Q4_0, Q4_1, Q8_0), and in
// all (plus Q5_0, Q4_K, Q6_K from ops/quant_dot_kq.hpp).
constexpr bool has_q4q8_kernel(ggml_type t) noexcept {
    return t == ggml_type::q4_0 || t == ggml_type::q4_1 || t == ggml_type::q8_0;
}
constexpr bool has_int8_kernel(ggml_type t) noexcept { return has_q4q8_kernel(t) || has_kq_kernel(t); }

// The kernel the current flags select, for reports ("avx512vnni", "avx2", "scalar").
constexpr const char* quant_kernel_name() noexcept {
#if defined(__AVX512VNNI__) && defined(__AVX512BW__) && defined(__AVX512VL__)
    return "avx512vnni";
#elif defined(__AVX2__)
    return "avx2";
#else
    return "scalar";
#endif
}

namespace detail {

inline std::uint16_t load_u16(const std::byte* p) noexcept {
    std::uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
}
inline std::uint32_t load_u32(const std::byte* p) noexcept {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

template <ggml_type T>
constexpr std::size_t block_bytes() noexcept {
    static_assert(has_q4q8_kernel(T));
    return traits_of(T).type_size;
}

// ---- scalar reference ------------------------------------------------------------------

// Fine: the two-term activations (ops/quant_act.hpp): the integer sum is 256·Σ w q + Σ w r,
// scaled by d/256, and the constant term uses s2. Grouped: the row is in the grouped layout
// (ops/quant_layout.hpp).
template <ggml_type T, bool Fine = false, bool Grouped = false>
float qdot_row_scalar(const std::byte* w, const q8_group* a, std::size_t n_blocks) noexcept {
    constexpr quant_layout layout = Grouped ? quant_layout::grouped : quant_layout::blocks;
    float acc = 0.0f;
    for (std::size_t b = 0; b < n_blocks; ++b) {
        const q8_group& g = a[b / 4];
        const std::size_t j = b % 4;
        const std::int8_t* lo = g.lo + 16 * j;
        const std::int8_t* hi = g.hi + 16 * j;
        const std::int8_t* lo2 = g.lo2 + 16 * j;
        const std::int8_t* hi2 = g.hi2 + 16 * j;
        const float da = Fine ? g.dv2[4 * j] : g.d(j), sa = Fine ? g.s2(j) : g.s(j);
        const grouped_block_at at = block_offsets(T, layout, b, n_blocks);
        const float dw = to_f32(f16{load_u16(w + at.scale)});
        std::int32_t isum = 0, isum2 = 0;
        float bw = 0.0f;
        if constexpr (T == ggml_type::q8_0) {
            std::int8_t qs[32];
            std::memcpy(qs, w + at.codes, 32);
            for (int i = 0; i < 16; ++i) {
                isum += std::int32_t(qs[i]) * lo[i] + std::int32_t(qs[i + 16]) * hi[i];
                isum2 += std::int32_t(qs[i]) * lo2[i] + std::int32_t(qs[i + 16]) * hi2[i];
            }
        } else {
            std::uint8_t qs[16];
            std::memcpy(qs, w + at.codes, 16);
            bw = T == ggml_type::q4_0 ? -8.0f * dw : to_f32(f16{load_u16(w + at.scale + 2)});
            for (int i = 0; i < 16; ++i) {
                isum += std::int32_t(qs[i] & 15) * lo[i] + std::int32_t(qs[i] >> 4) * hi[i];
                isum2 += std::int32_t(qs[i] & 15) * lo2[i] + std::int32_t(qs[i] >> 4) * hi2[i];
            }
        }
        if constexpr (Fine) isum = isum * 256 + isum2;
        acc += (dw * da) * float(isum);
        if constexpr (T != ggml_type::q8_0) acc += bw * sa;
    }
    return acc;
}

template <ggml_type T, int R, int C, bool Fine = false, bool Grouped = false>
void qdot_tile_scalar(const std::byte* const* w, const q8_group* const* a, std::size_t n_blocks, float* out,
                      std::size_t ldo) noexcept {
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) out[r * ldo + c] = qdot_row_scalar<T, Fine, Grouped>(w[r], a[c], n_blocks);
}

// ---- AVX-512 VNNI ------------------------------------------------------------------------
#if defined(__AVX512VNNI__) && defined(__AVX512BW__) && defined(__AVX512VL__)

// One weight group (nb <= 4 blocks at p): codes as u8 (Q4) or s8 (Q8) in the activation
// group order, per-lane dw, and per-lane b (the s_a coefficient: m or −8·dw; Q8_0: unused).
// Grouped (ops/quant_layout.hpp): the group's codes are one run (masked loads for a short
// group never touch a byte past it) and its scale entries another.
template <ggml_type T, bool Grouped>
inline void load_group_avx512(const std::byte* p, std::size_t nb, __m512i& wlo, __m512i& whi, __m512& dw,
                              __m512& bw) noexcept {
    constexpr std::size_t bs = block_bytes<T>();
    const __m512i lane4 = _mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
    if constexpr (Grouped) {
        constexpr grouped_geometry geo = grouped_geometry_of(T);
        const std::byte* sc = p + nb * geo.codes;
        const auto d4 = [&] {  // the nb f16 d of Q4_0 / Q8_0, zero-extended to 4
            const __m128i h = nb == 4 ? _mm_loadl_epi64(reinterpret_cast<const __m128i*>(sc))
                                      : _mm_maskz_loadu_epi16(__mmask8((1u << nb) - 1), sc);
            return _mm512_permutexvar_ps(lane4, _mm512_castps128_ps512(_mm_cvtph_ps(h)));
        };
        if constexpr (T == ggml_type::q8_0) {
            // codes: b0 b1 | b2 b3 (32 bytes each); lo = the first 16 of each, hi the last 16
            const __m512i x01 = nb >= 2 ? _mm512_loadu_si512(p) : _mm512_maskz_loadu_epi8(0xffffffffull, p);
            const __m512i x23 = nb == 4   ? _mm512_loadu_si512(p + 64)
                                : nb == 3 ? _mm512_maskz_loadu_epi8(0xffffffffull, p + 64)
                                          : _mm512_setzero_si512();
            wlo = _mm512_shuffle_i64x2(x01, x23, _MM_SHUFFLE(2, 0, 2, 0));
            whi = _mm512_shuffle_i64x2(x01, x23, _MM_SHUFFLE(3, 1, 3, 1));
            dw = d4();
            bw = _mm512_setzero_ps();
        } else {
            const __m512i all = nb == 4 ? _mm512_loadu_si512(p) : _mm512_maskz_loadu_epi8((1ull << (16 * nb)) - 1, p);
            const __m512i m4 = _mm512_set1_epi8(0x0f);
            wlo = _mm512_and_si512(all, m4);
            whi = _mm512_and_si512(_mm512_srli_epi16(all, 4), m4);
            if constexpr (T == ggml_type::q4_0) {
                dw = d4();
                bw = _mm512_mul_ps(dw, _mm512_set1_ps(-8.0f));
            } else {
                const __m128i h = nb == 4 ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(sc))
                                          : _mm_maskz_loadu_epi32(__mmask8((1u << nb) - 1), sc);
                const __m512 dm = _mm512_castps256_ps512(_mm256_cvtph_ps(h));  // d0 m0 d1 m1 d2 m2 d3 m3
                dw = _mm512_permutexvar_ps(_mm512_setr_epi32(0, 0, 0, 0, 2, 2, 2, 2, 4, 4, 4, 4, 6, 6, 6, 6), dm);
                bw = _mm512_permutexvar_ps(_mm512_setr_epi32(1, 1, 1, 1, 3, 3, 3, 3, 5, 5, 5, 5, 7, 7, 7, 7), dm);
            }
        }
    } else if constexpr (T == ggml_type::q8_0) {
        __m256i b[4];
        for (std::size_t j = 0; j < 4; ++j)
            b[j] = j < nb ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + j * bs + 2)) : _mm256_setzero_si256();
        const __m512i x01 = _mm512_inserti64x4(_mm512_castsi256_si512(b[0]), b[1], 1);
        const __m512i x23 = _mm512_inserti64x4(_mm512_castsi256_si512(b[2]), b[3], 1);
        wlo = _mm512_shuffle_i64x2(x01, x23, _MM_SHUFFLE(2, 0, 2, 0));
        whi = _mm512_shuffle_i64x2(x01, x23, _MM_SHUFFLE(3, 1, 3, 1));
        const __m128i h = _mm_setr_epi16(short(load_u16(p)), short(nb > 1 ? load_u16(p + bs) : 0),
                                         short(nb > 2 ? load_u16(p + 2 * bs) : 0),
                                         short(nb > 3 ? load_u16(p + 3 * bs) : 0), 0, 0, 0, 0);
        dw = _mm512_permutexvar_ps(lane4, _mm512_castps128_ps512(_mm_cvtph_ps(h)));
        bw = _mm512_setzero_ps();
    } else {
        constexpr std::size_t qs = T == ggml_type::q4_0 ? 2 : 4;
        __m128i q[4];
        for (std::size_t j = 0; j < 4; ++j)
            q[j] = j < nb ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + j * bs + qs)) : _mm_setzero_si128();
        const __m256i q01 = _mm256_inserti128_si256(_mm256_castsi128_si256(q[0]), q[1], 1);
        const __m256i q23 = _mm256_inserti128_si256(_mm256_castsi128_si256(q[2]), q[3], 1);
        const __m512i all = _mm512_inserti64x4(_mm512_castsi256_si512(q01), q23, 1);
        const __m512i m4 = _mm512_set1_epi8(0x0f);
        wlo = _mm512_and_si512(all, m4);
        whi = _mm512_and_si512(_mm512_srli_epi16(all, 4), m4);
        if constexpr (T == ggml_type::q4_0) {
            const __m128i h = _mm_setr_epi16(short(load_u16(p)), short(nb > 1 ? load_u16(p + bs) : 0),
                                             short(nb > 2 ? load_u16(p + 2 * bs) : 0),
                                             short(nb > 3 ? load_u16(p + 3 * bs) : 0), 0, 0, 0, 0);
            dw = _mm512_permutexvar_ps(lane4, _mm512_castps128_ps512(_mm_cvtph_ps(h)));
            bw = _mm512_mul_ps(dw, _mm512_set1_ps(-8.0f));
        } else {
            const __m128i h = _mm_setr_epi32(int(load_u32(p)), int(nb > 1 ? load_u32(p + bs) : 0),
                                             int(nb > 2 ? load_u32(p + 2 * bs) : 0),
                                             int(nb > 3 ? load_u32(p + 3 * bs) : 0));
            const __m512 dm = _mm512_castps256_ps512(_mm256_cvtph_ps(h));  // d0 m0 d1 m1 d2 m2 d3 m3
            dw = _mm512_permutexvar_ps(_mm512_setr_epi32(0, 0, 0, 0, 2, 2, 2, 2, 4, 4, 4, 4, 6, 6, 6, 6), dm);
            bw = _mm512_permutexvar_ps(_mm512_setr_epi32(1, 1, 1, 1, 3, 3, 3, 3, 5, 5, 5, 5, 7, 7, 7, 7), dm);
        }
    }
}

template <ggml_type T, int R, int C, bool Fine, bool Grouped>
inline void qdot_group_avx512(const std::byte* const* w, const q8_group* const* a, std::size_t g, std::size_t nb,
                              __m512 (&acc)[R][C]) noexcept {
    constexpr std::size_t bs = block_bytes<T>();
    constexpr int n_codes = Fine ? 4 : 2;  // lo, hi (, lo2, hi2)
    __m512i act[C][4];
    __m512i negb[C][2];  // Q8_0: −128·Σ x per lane (codes, and remainder codes), see below
    for (int c = 0; c < C; ++c) {
        act[c][0] = _mm512_load_si512(a[c][g].lo);
        act[c][1] = _mm512_load_si512(a[c][g].hi);
        if constexpr (Fine) {
            act[c][2] = _mm512_load_si512(a[c][g].lo2);
            act[c][3] = _mm512_load_si512(a[c][g].hi2);
        }
        if constexpr (T == ggml_type::q8_0) {
            // Signed weights meet signed codes: the weights are biased to u8 (w + 128, an xor
            // with 0x80) and Σ (w + 128)·x − 128·Σ x = Σ w·x. The correction depends on the
            // activations only, so it is made once here for every weight row of the tile and
            // starts the accumulation.
            const __m512i k128 = _mm512_set1_epi8(char(0x80));  // 128 as the u8 operand
            for (int i = 0; i < n_codes / 2; ++i)
                negb[c][i] = _mm512_sub_epi32(_mm512_setzero_si512(),
                                              _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(_mm512_setzero_si512(), k128, act[c][2 * i]),
                                                                  k128, act[c][2 * i + 1]));
        }
    }
    for (int r = 0; r < R; ++r) {
        __m512i wlo, whi;
        __m512 dw, bw;
        load_group_avx512<T, Grouped>(w[r] + 4 * g * bs, nb, wlo, whi, dw, bw);
        if constexpr (T == ggml_type::q8_0) {
            wlo = _mm512_xor_si512(wlo, _mm512_set1_epi8(char(0x80)));
            whi = _mm512_xor_si512(whi, _mm512_set1_epi8(char(0x80)));
        }
        for (int c = 0; c < C; ++c) {
            const auto dot = [&](int i, __m512i start) {  // start + codes i (lo) and i + 1 (hi)
                if constexpr (T == ggml_type::q8_0) start = _mm512_add_epi32(start, negb[c][i / 2]);
                return _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(start, wlo, act[c][i]), whi, act[c][i + 1]);
            };
            __m512i isum = dot(0, _mm512_setzero_si512());
            // 256·Σ w q + Σ w r: the remainder products accumulate onto the shifted sum
            // (exact integers, so the same value as adding the two sums)
            if constexpr (Fine) isum = dot(2, _mm512_slli_epi32(isum, 8));
            const __m512 scale = _mm512_mul_ps(dw, _mm512_load_ps(Fine ? a[c][g].dv2 : a[c][g].dv));
            acc[r][c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), scale, acc[r][c]);
            if constexpr (T != ggml_type::q8_0)
                acc[r][c] = _mm512_fmadd_ps(bw, _mm512_load_ps(Fine ? a[c][g].sv2 : a[c][g].sv), acc[r][c]);
        }
    }
}

template <ggml_type T, int R, int C, bool Fine = false, bool Grouped = false>
void qdot_tile_avx512vnni(const std::byte* const* w, const q8_group* const* a, std::size_t n_blocks, float* out,
                          std::size_t ldo) noexcept {
    __m512 acc[R][C];
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) acc[r][c] = _mm512_setzero_ps();
    const std::size_t full = n_blocks / 4;
    for (std::size_t g = 0; g < full; ++g) qdot_group_avx512<T, R, C, Fine, Grouped>(w, a, g, 4, acc);
    if (n_blocks % 4) qdot_group_avx512<T, R, C, Fine, Grouped>(w, a, full, n_blocks % 4, acc);
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) out[r * ldo + c] = _mm512_reduce_add_ps(acc[r][c]);
}
#endif

// ---- AVX2 ----------------------------------------------------------------------------------
#if defined(__AVX2__)

inline float f16_to_f32_fast(std::uint16_t bits) noexcept {
#if defined(__F16C__)
    return _cvtsh_ss(bits);
#else
    return to_f32(f16{bits});
#endif
}

inline float hsum256(__m256 v) noexcept {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// Half h (blocks 2h, 2h+1) of a group; nb = valid blocks in this half (1..2); n_blocks:
// the row's (where each block's bytes are, ops/quant_layout.hpp).
template <ggml_type T, int R, int C, bool Fine, bool Grouped>
inline void qdot_half_avx2(const std::byte* const* w, const q8_group* const* a, std::size_t g, std::size_t h,
                           std::size_t nb, std::size_t n_blocks, __m256 (&acc)[R][C]) noexcept {
    constexpr quant_layout layout = Grouped ? quant_layout::grouped : quant_layout::blocks;
    const std::size_t b0 = 4 * g + 2 * h;
    const grouped_block_at at0 = block_offsets(T, layout, b0, n_blocks);
    const grouped_block_at at1 = block_offsets(T, layout, nb > 1 ? b0 + 1 : b0, n_blocks);
    const __m256i ones16 = _mm256_set1_epi16(1);
    for (int r = 0; r < R; ++r) {
        const std::byte* p = w[r];
        __m256i wlo, whi;
        float d[2] = {0.0f, 0.0f}, bcoef[2] = {0.0f, 0.0f};
        const std::size_t scale_at[2] = {at0.scale, at1.scale};
        if constexpr (T == ggml_type::q8_0) {
            const __m256i c0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + at0.codes));
            const __m256i c1 = nb > 1 ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + at1.codes)) : _mm256_setzero_si256();
            wlo = _mm256_permute2x128_si256(c0, c1, 0x20);  // lo halves of both blocks
            whi = _mm256_permute2x128_si256(c0, c1, 0x31);
            for (std::size_t j = 0; j < nb; ++j) d[j] = f16_to_f32_fast(load_u16(p + scale_at[j]));
        } else {
            const __m128i q0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at0.codes));
            const __m128i q1 = nb > 1 ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at1.codes)) : _mm_setzero_si128();
            const __m256i all = _mm256_inserti128_si256(_mm256_castsi128_si256(q0), q1, 1);
            const __m256i m4 = _mm256_set1_epi8(0x0f);
            wlo = _mm256_and_si256(all, m4);
            whi = _mm256_and_si256(_mm256_srli_epi16(all, 4), m4);
            for (std::size_t j = 0; j < nb; ++j) {
                d[j] = f16_to_f32_fast(load_u16(p + scale_at[j]));
                bcoef[j] = T == ggml_type::q4_0 ? -8.0f * d[j] : f16_to_f32_fast(load_u16(p + scale_at[j] + 2));
            }
        }
        const __m256 dw = _mm256_setr_m128(_mm_set1_ps(d[0]), _mm_set1_ps(d[1]));
        const __m256 bw = _mm256_setr_m128(_mm_set1_ps(bcoef[0]), _mm_set1_ps(bcoef[1]));
        const auto dot = [&](const std::int8_t* lo, const std::int8_t* hi) {
            const __m256i alo = _mm256_load_si256(reinterpret_cast<const __m256i*>(lo + 32 * h));
            const __m256i ahi = _mm256_load_si256(reinterpret_cast<const __m256i*>(hi + 32 * h));
            if constexpr (T == ggml_type::q8_0) {
                const __m256i plo = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_abs_epi8(wlo), _mm256_sign_epi8(alo, wlo)), ones16);
                const __m256i phi = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_abs_epi8(whi), _mm256_sign_epi8(ahi, whi)), ones16);
                return _mm256_add_epi32(plo, phi);
            } else {
                const __m256i p16 = _mm256_add_epi16(_mm256_maddubs_epi16(wlo, alo), _mm256_maddubs_epi16(whi, ahi));
                return _mm256_madd_epi16(p16, ones16);
            }
        };
        for (int c = 0; c < C; ++c) {
            const q8_group& ag = a[c][g];
            __m256i isum = dot(ag.lo, ag.hi);
            if constexpr (Fine) isum = _mm256_add_epi32(_mm256_slli_epi32(isum, 8), dot(ag.lo2, ag.hi2));
            const __m256 scale = _mm256_mul_ps(dw, _mm256_load_ps((Fine ? ag.dv2 : ag.dv) + 8 * h));
            acc[r][c] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), scale, acc[r][c]);
            if constexpr (T != ggml_type::q8_0)
                acc[r][c] = _mm256_fmadd_ps(bw, _mm256_load_ps((Fine ? ag.sv2 : ag.sv) + 8 * h), acc[r][c]);
        }
    }
}

template <ggml_type T, int R, int C, bool Fine = false, bool Grouped = false>
void qdot_tile_avx2(const std::byte* const* w, const q8_group* const* a, std::size_t n_blocks, float* out,
                    std::size_t ldo) noexcept {
    __m256 acc[R][C];
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) acc[r][c] = _mm256_setzero_ps();
    const std::size_t halves = n_blocks / 2;
    for (std::size_t hh = 0; hh < halves; ++hh) qdot_half_avx2<T, R, C, Fine, Grouped>(w, a, hh / 2, hh % 2, 2, n_blocks, acc);
    if (n_blocks % 2) qdot_half_avx2<T, R, C, Fine, Grouped>(w, a, halves / 2, halves % 2, 1, n_blocks, acc);
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) out[r * ldo + c] = hsum256(acc[r][c]);
}
#endif

}  // namespace detail

// out[r·ldo + c] = row w[r] · activation row a[c], each row n_blocks blocks long, with the
// best kernel the flags allow. Pointers may have any alignment (a[c] are q8_group rows).
// Fine: use the two-term activation codes (ops/quant_act.hpp). Q5_0, Q4_K and Q6_K go to
// ops/quant_dot_kq.hpp (n_blocks counts 32-value blocks for every type). Grouped: the rows
// are in the grouped layout (ops/quant_layout.hpp; Q4_0, Q4_1 and Q8_0 only).
template <ggml_type T, int R, int C, bool Fine = false, bool Grouped = false>
inline void qdot_tile(const std::byte* const* w, const q8_group* const* a, std::size_t n_blocks, float* out,
                      std::size_t ldo) noexcept {
    static_assert(!Grouped || has_grouped_layout(T));
    if constexpr (has_kq_kernel(T)) {
        qdot_tile_kq<T, R, C, Fine>(w, a, n_blocks, out, ldo);
        return;
    } else {
#if defined(__AVX512VNNI__) && defined(__AVX512BW__) && defined(__AVX512VL__)
    detail::qdot_tile_avx512vnni<T, R, C, Fine, Grouped>(w, a, n_blocks, out, ldo);
#elif defined(__AVX2__)
    detail::qdot_tile_avx2<T, R, C, Fine, Grouped>(w, a, n_blocks, out, ldo);
#else
    detail::qdot_tile_scalar<T, R, C, Fine, Grouped>(w, a, n_blocks, out, ldo);
#endif
    }
}

}  // namespace tessera::ops

#include "tessera/simd/warnings_pop.hpp"
