#pragma once
// Integer dot products of Q5_0, Q4_K and Q6_K weight rows with the 8-bit activation groups of
// ops/quant_act.hpp (the formats of Gemma 3's Q4_K_M files besides Q8_0). ops/quant_dot.hpp
// dispatches here; the structure and the guarantees are the ones described there (a tile of
// R weight rows × C activation rows; each pair takes the same operations in the same order
// whatever R and C are; SIMD differs from the scalar reference only by float rounding order).
//
// Why the 32-value activation blocks fit all three formats (one quantized input is shared by
// q/k/v or gate/up, whose weights have different types, so it must be one layout):
//   Q5_0  32 values per block, nibbles as Q4_0 (byte j: value j low, j + 16 high) plus bit 4
//         of value j in bit j of the u32 qh. w = d·(q − 16), q in 0..31:
//             Σ w·(d_a x) = (d·d_a)·Σ q x + (−16·d)·s_a                       (as Q4_0)
//   Q4_K  a super-block of 256 = 8 sub-blocks of 32 with 6-bit scale sc_j and min m_j:
//         w = (d·sc_j)·q − dmin·m_j, q in 0..15. Sub-block j is activation block j, so
//             Σ w·(d_a x) = (d·sc_j·d_a)·Σ q x + (−dmin·m_j)·s_a               (as Q4_1)
//         Codes of sub-blocks 2c and 2c+1 are the low and high nibbles of qs[32c .. 32c+31].
//   Q6_K  a super-block of 256 = 16 sub-blocks of 16 with signed 8-bit scales sc_i:
//         w = (d·sc_i)·(q − 32), q in 0..63. An activation block's halves (lo = values 0..15,
//         hi = 16..31) are exactly two sub-blocks, so per half
//             Σ w·(d_a x) = (d·sc_half·d_a)·Σ (q − 32)·x
//         and Σ (q − 32)·x = Σ q x − Σ 32·x needs no per-half activation sums: the second
//         term is one more dot product of the codes with a register of 32s (per activation
//         group, shared by every weight row of the tile).
// An activation group (4 blocks, 128 values) is half a K-quant super-block: group g of a row
// reads super-block g / 2, half g % 2.
//
// Integer ranges: an i32 lane sums at most 8 products |q|·|x| <= 63·127, and the two-term
// ("fine") sum 256·Σ w q + Σ w r stays below 2^31 for every format; Q6_K's sub-block scale is
// applied in float, after the integer sum, for exactly that reason (sc·(q − 32)·x summed over
// 32 values times 256 would not fit). AVX2's maddubs pairs (|q|·|x| ≤ 2·63·127) never
// saturate its i16.
//
// Kernels: avx512vnni (__AVX512VNNI__, __AVX512BW__, __AVX512VL__): a group of 4 blocks per
// step, as the Q4_0 kernel; avx2: one block per step, its 32 codes in one register in value
// order (lo half, hi half), _mm256_maddubs_epi16 + _mm256_madd_epi16 (u8 × s8; Q6_K's
// centred codes with the sign trick |w| × sign(x, w), which needs no correction term); the
// scalar reference everywhere else.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "tessera/core/dtype.hpp"
#include "tessera/ops/dequantize.hpp"  // k_scale_min, load_qh32
#include "tessera/ops/quant_act.hpp"
#include "tessera/ops/quant_blocks.hpp"

#if defined(__AVX2__) || (defined(__AVX512VNNI__) && defined(__AVX512BW__) && defined(__AVX512VL__))
#include <immintrin.h>
#endif

#include "tessera/simd/warnings_push.hpp"

namespace tessera::ops {

// The formats this header multiplies.
constexpr bool has_kq_kernel(ggml_type t) noexcept {
    return t == ggml_type::q5_0 || t == ggml_type::q4_k || t == ggml_type::q6_k;
}

namespace detail {

inline std::uint16_t kq_load_u16(const std::byte* p) noexcept {
    std::uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
}
inline std::uint32_t kq_load_u32(const std::byte* p) noexcept {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}
inline float kq_f16(const std::byte* p) noexcept { return to_f32(f16{kq_load_u16(p)}); }

// One 32-value block of weights in the kernels' terms: codes in value order, the scale of each
// half (equal except for Q6_K) and the coefficient of s_a (0 for Q6_K, whose codes are
// already centred).
struct kq_block {
    int q[32];
    float d_lo, d_hi, bw;
};

template <ggml_type T>
inline kq_block kq_decode_block(const std::byte* row, std::size_t b) noexcept {
    kq_block k{};
    if constexpr (T == ggml_type::q5_0) {
        const std::byte* p = row + b * sizeof(block_q5_0);
        const auto blk = load_block<block_q5_0>(p);
        const float d = to_f32(blk.d);
        const std::uint32_t qh = load_qh32(blk.qh);
        for (int j = 0; j < 16; ++j) {
            k.q[j] = (blk.qs[j] & 0x0f) | int((qh >> j) & 1u) << 4;
            k.q[j + 16] = (blk.qs[j] >> 4) | int((qh >> (j + 16)) & 1u) << 4;
        }
        k.d_lo = k.d_hi = d;
        k.bw = -16.0f * d;
    } else if constexpr (T == ggml_type::q4_k) {
        const std::byte* p = row + (b / 8) * sizeof(block_q4_k);
        const auto blk = load_block<block_q4_k>(p);
        const int j = int(b % 8), c = j / 2, t = j % 2;
        int sc, mn;
        k_scale_min(blk.scales, j, sc, mn);
        for (int l = 0; l < 32; ++l) k.q[l] = (blk.qs[32 * c + l] >> (4 * t)) & 0x0f;
        k.d_lo = k.d_hi = to_f32(blk.d) * float(sc);
        k.bw = -(to_f32(blk.dmin) * float(mn));
    } else {
        const std::byte* p = row + (b / 8) * sizeof(block_q6_k);
        const auto blk = load_block<block_q6_k>(p);
        const int h = int(b % 8) / 4;
        for (int i = 0; i < 32; ++i) {
            const int r = 32 * (int(b % 8) % 4) + i;  // position inside the half
            const int lo = (blk.ql[64 * h + r % 64] >> (4 * (r / 64))) & 0x0f;
            const int hi = (blk.qh[32 * h + r % 32] >> (2 * (r / 32))) & 3;
            k.q[i] = (lo | hi << 4) - 32;
        }
        const float d = to_f32(blk.d);
        k.d_lo = d * float(blk.scales[2 * (b % 8)]);
        k.d_hi = d * float(blk.scales[2 * (b % 8) + 1]);
        k.bw = 0.0f;
    }
    return k;
}

// ---- scalar reference ------------------------------------------------------------------
template <ggml_type T, bool Fine = false>
float qdot_row_kq_scalar(const std::byte* w, const q8_group* a, std::size_t n_blocks) noexcept {
    float acc = 0.0f;
    for (std::size_t b = 0; b < n_blocks; ++b) {
        const q8_group& g = a[b / 4];
        const std::size_t j = b % 4;
        const kq_block k = kq_decode_block<T>(w, b);
        std::int32_t lo = 0, hi = 0, lo2 = 0, hi2 = 0;
        for (int i = 0; i < 16; ++i) {
            lo += k.q[i] * g.lo[16 * j + i];
            hi += k.q[i + 16] * g.hi[16 * j + i];
            lo2 += k.q[i] * g.lo2[16 * j + i];
            hi2 += k.q[i + 16] * g.hi2[16 * j + i];
        }
        if constexpr (Fine) {
            lo = lo * 256 + lo2;
            hi = hi * 256 + hi2;
        }
        const float da = Fine ? g.dv2[4 * j] : g.d(j), sa = Fine ? g.s2(j) : g.s(j);
        if constexpr (T == ggml_type::q6_k) {
            acc += (k.d_lo * da) * float(lo);
            acc += (k.d_hi * da) * float(hi);
        } else {
            acc += (k.d_lo * da) * float(lo + hi);
            acc += k.bw * sa;
        }
    }
    return acc;
}

template <ggml_type T, int R, int C, bool Fine = false>
void qdot_tile_kq_scalar(const std::byte* const* w, const q8_group* const* a, std::size_t n_blocks, float* out,
                         std::size_t ldo) noexcept {
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) out[r * ldo + c] = qdot_row_kq_scalar<T, Fine>(w[r], a[c], n_blocks);
}

// ---- AVX-512 VNNI ------------------------------------------------------------------------
#if defined(__AVX512VNNI__) && defined(__AVX512BW__) && defined(__AVX512VL__)

// Weight group g (nb <= 4 valid blocks) of one row: u8 codes in the activation group's order
// (wlo: values 0..15 of blocks 0..3, whi: values 16..31), the per-lane scales of the lo and
// hi halves, and the per-lane s_a coefficient.
// Four f16 values (u16 at p + k·stride) as floats in lanes 0..3 (F16C; AVX-512 implies it).
template <std::size_t Stride>
inline __m128 kq_f16x4(const std::byte* p, std::size_t nb) noexcept {
    const __m128i h = _mm_setr_epi16(short(kq_load_u16(p)), short(nb > 1 ? kq_load_u16(p + Stride) : 0),
                                     short(nb > 2 ? kq_load_u16(p + 2 * Stride) : 0),
                                     short(nb > 3 ? kq_load_u16(p + 3 * Stride) : 0), 0, 0, 0, 0);
    return _mm_cvtph_ps(h);
}

// Weight group g (nb <= 4 valid blocks) of one row: u8 codes in the activation group's order
// (wlo: values 0..15 of blocks 0..3, whi: values 16..31), the per-lane scales of the lo and
// hi halves, and the per-lane s_a coefficient. The scales are computed with the scalar
// reference's products (d·sc, −(dmin·m)), so only the summation order differs from it.
template <ggml_type T>
inline void load_group_kq(const std::byte* row, std::size_t g, std::size_t nb, __m512i& wlo, __m512i& whi,
                          __m512& dlo, __m512& dhi, __m512& bw) noexcept {
    const __m512i m4 = _mm512_set1_epi8(0x0f);
    const __m512i lane4 = _mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
    if constexpr (T == ggml_type::q5_0) {
        constexpr std::size_t bs = sizeof(block_q5_0);  // d (2) | qh (4) | qs (16)
        const std::byte* p = row + 4 * g * bs;
        __m128i q[4], qh;
        if (nb == 4) {
            for (std::size_t j = 0; j < 4; ++j) q[j] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + j * bs + 6));
            qh = _mm_setr_epi32(int(kq_load_u32(p + 2)), int(kq_load_u32(p + bs + 2)), int(kq_load_u32(p + 2 * bs + 2)),
                                int(kq_load_u32(p + 3 * bs + 2)));
        } else {
            std::uint32_t h[4] = {0, 0, 0, 0};
            for (std::size_t j = 0; j < 4; ++j) {
                q[j] = j < nb ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + j * bs + 6)) : _mm_setzero_si128();
                if (j < nb) h[j] = kq_load_u32(p + j * bs + 2);
            }
            qh = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h));
        }
        // Bit j of block k's qh is bit 4 of value j: the low halves of the 4 qh words give the
        // 64-bit mask of the lo codes, the high halves that of the hi codes.
        const __m128i halves = _mm_shuffle_epi8(qh, _mm_setr_epi8(0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15));
        const auto mlo = static_cast<__mmask64>(_mm_cvtsi128_si64(halves));
        const auto mhi = static_cast<__mmask64>(_mm_extract_epi64(halves, 1));
        const __m256i q01 = _mm256_inserti128_si256(_mm256_castsi128_si256(q[0]), q[1], 1);
        const __m256i q23 = _mm256_inserti128_si256(_mm256_castsi128_si256(q[2]), q[3], 1);
        const __m512i all = _mm512_inserti64x4(_mm512_castsi256_si512(q01), q23, 1);
        wlo = _mm512_or_si512(_mm512_and_si512(all, m4), _mm512_maskz_set1_epi8(mlo, 0x10));
        whi = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(all, 4), m4), _mm512_maskz_set1_epi8(mhi, 0x10));
        dlo = dhi = _mm512_permutexvar_ps(lane4, _mm512_castps128_ps512(kq_f16x4<bs>(p, nb)));
        bw = _mm512_mul_ps(dlo, _mm512_set1_ps(-16.0f));
    } else if constexpr (T == ggml_type::q4_k) {
        (void)nb;  // K-quant rows are whole super-blocks: groups are always full
        const std::byte* p = row + (g / 2) * sizeof(block_q4_k);  // d, dmin (f16) | scales (12) | qs (128)
        const std::size_t h = g % 2;
        const __m512i all = _mm512_loadu_si512(p + 16 + 64 * h);
        const __m512i lo = _mm512_and_si512(all, m4), hi = _mm512_and_si512(_mm512_srli_epi16(all, 4), m4);
        // 128-bit lanes: lo = (L0 L1 L2 L3), hi = (H0 H1 H2 H3); sub-block 4h + k is
        // (L0 L1), (H0 H1), (L2 L3), (H2 H3) for k = 0..3.
        wlo = _mm512_permutex2var_epi64(lo, _mm512_setr_epi64(0, 1, 8, 9, 4, 5, 12, 13), hi);
        whi = _mm512_permutex2var_epi64(lo, _mm512_setr_epi64(2, 3, 10, 11, 6, 7, 14, 15), hi);
        // The 8 six-bit scales and mins (k_scale_min) as bytes, four per u32, as ggml unpacks
        // them: sub-blocks 0..3 from the low 6 bits of A (scales) and B (mins); 4..7 from C's
        // nibbles plus the top 2 bits of A and B.
        const std::uint32_t a = kq_load_u32(p + 4), b = kq_load_u32(p + 8), c = kq_load_u32(p + 12);
        const std::uint32_t sc = h == 0 ? a & 0x3f3f3f3fu : (c & 0x0f0f0f0fu) | ((a >> 6) & 0x03030303u) << 4;
        const std::uint32_t mn = h == 0 ? b & 0x3f3f3f3fu : ((c >> 4) & 0x0f0f0f0fu) | ((b >> 6) & 0x03030303u) << 4;
        const __m128 dm = _mm_cvtph_ps(_mm_cvtsi32_si128(int(kq_load_u32(p))));  // d, dmin
        const __m128 scf = _mm_cvtepi32_ps(_mm_cvtepu8_epi32(_mm_cvtsi32_si128(int(sc))));
        const __m128 mnf = _mm_cvtepi32_ps(_mm_cvtepu8_epi32(_mm_cvtsi32_si128(int(mn))));
        const __m128 ds = _mm_mul_ps(_mm_shuffle_ps(dm, dm, 0x00), scf);
        const __m128 ms = _mm_xor_ps(_mm_mul_ps(_mm_shuffle_ps(dm, dm, 0x55), mnf), _mm_set1_ps(-0.0f));
        dlo = dhi = _mm512_permutexvar_ps(lane4, _mm512_castps128_ps512(ds));
        bw = _mm512_permutexvar_ps(lane4, _mm512_castps128_ps512(ms));
    } else {
        (void)nb;
        const std::byte* p = row + (g / 2) * sizeof(block_q6_k);  // ql (128) | qh (64) | scales (16) | d
        const std::size_t h = g % 2;
        // Low 4 bits: ql[64h + r % 64], nibble r / 64, for r = position in the half.
        const __m512i ql = _mm512_loadu_si512(p + 64 * h);
        const __m512i lo = _mm512_and_si512(ql, m4), hi = _mm512_and_si512(_mm512_srli_epi16(ql, 4), m4);
        // Block k's lo values are r = 32k .. 32k+15: (L0, L2, H0, H2); hi values (L1, L3, H1, H3).
        wlo = _mm512_shuffle_i64x2(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
        whi = _mm512_shuffle_i64x2(lo, hi, _MM_SHUFFLE(3, 1, 3, 1));
        // High 2 bits: bits 2k, 2k+1 of qh[32h + r % 32]; lo values read qh[32h .. +15], hi
        // values qh[32h + 16 .. +31]. Broadcast to the 4 lanes, shift lane k by 2k, keep 2 bits.
        const __m128i b0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 128 + 32 * h));
        const __m128i b1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 128 + 32 * h + 16));
        const __m512i shifts = _mm512_setr_epi64(0, 0, 0x0002000200020002, 0x0002000200020002, 0x0004000400040004,
                                                 0x0004000400040004, 0x0006000600060006, 0x0006000600060006);
        const __m512i m2 = _mm512_set1_epi8(0x03);
        const __m512i h0 = _mm512_and_si512(_mm512_srlv_epi16(_mm512_broadcast_i32x4(b0), shifts), m2);
        const __m512i h1 = _mm512_and_si512(_mm512_srlv_epi16(_mm512_broadcast_i32x4(b1), shifts), m2);
        wlo = _mm512_or_si512(wlo, _mm512_slli_epi16(h0, 4));
        whi = _mm512_or_si512(whi, _mm512_slli_epi16(h1, 4));
        // Scales sc[8h + 2k] (lo half of block k) and sc[8h + 2k + 1] (hi half).
        const __m512 sc = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p + 192 + 8 * h))));
        const __m512 d = _mm512_broadcastss_ps(_mm_cvtph_ps(_mm_cvtsi32_si128(int(kq_load_u16(p + 208)))));
        const __m512 dsc = _mm512_mul_ps(d, sc);
        dlo = _mm512_permutexvar_ps(_mm512_setr_epi32(0, 0, 0, 0, 2, 2, 2, 2, 4, 4, 4, 4, 6, 6, 6, 6), dsc);
        dhi = _mm512_permutexvar_ps(_mm512_setr_epi32(1, 1, 1, 1, 3, 3, 3, 3, 5, 5, 5, 5, 7, 7, 7, 7), dsc);
        bw = _mm512_setzero_ps();
    }
}

// One weight group of R rows against C activation rows, into acc. Always inlined (acc must
// stay in registers), and the activation codes are read from L1 where they are used rather
// than held in registers: with the two-term codes a 4 × 4 tile would need 16 of them on top
// of 16 accumulators, and the spills cost more than the loads.
#if defined(__GNUC__) || defined(__clang__)
#define TESSERA_KQ_INLINE inline __attribute__((always_inline))
#else
#define TESSERA_KQ_INLINE inline
#endif
template <ggml_type T, int R, int C, bool Fine>
TESSERA_KQ_INLINE void qdot_group_kq_avx512(const std::byte* const* w, const q8_group* const* a, std::size_t g,
                                            std::size_t nb, __m512 (&acc)[R][C]) noexcept {
    constexpr int n_codes = Fine ? 4 : 2;  // lo, hi (, lo2, hi2)
    const auto codes = [&](int c, int i) {
        const q8_group& ag = a[c][g];
        return _mm512_load_si512(i == 0 ? ag.lo : i == 1 ? ag.hi : i == 2 ? ag.lo2 : ag.hi2);
    };
    [[maybe_unused]] __m512i c32[C][4];  // Q6_K: −Σ 32·x per lane, the start of each sum (centres the codes)
    if constexpr (T == ggml_type::q6_k)
        for (int c = 0; c < C; ++c)
            for (int i = 0; i < n_codes; ++i)
                c32[c][i] = _mm512_sub_epi32(_mm512_setzero_si512(),
                                             _mm512_dpbusd_epi32(_mm512_setzero_si512(), _mm512_set1_epi8(32), codes(c, i)));
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) {
        __m512i wlo, whi;
        __m512 dlo, dhi, bw;
        load_group_kq<T>(w[r], g, nb, wlo, whi, dlo, dhi, bw);
#pragma GCC unroll 4
        for (int c = 0; c < C; ++c) {
            const __m512 da = _mm512_load_ps(Fine ? a[c][g].dv2 : a[c][g].dv);
            if constexpr (T == ggml_type::q6_k) {
                const auto centred = [&](const __m512i& wv, int i) { return _mm512_dpbusd_epi32(c32[c][i], wv, codes(c, i)); };
                __m512i ilo = centred(wlo, 0), ihi = centred(whi, 1);
                if constexpr (Fine) {
                    ilo = _mm512_add_epi32(_mm512_slli_epi32(ilo, 8), centred(wlo, 2));
                    ihi = _mm512_add_epi32(_mm512_slli_epi32(ihi, 8), centred(whi, 3));
                }
                acc[r][c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(ilo), _mm512_mul_ps(dlo, da), acc[r][c]);
                acc[r][c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(ihi), _mm512_mul_ps(dhi, da), acc[r][c]);
            } else {
                const auto dot = [&](int i) {
                    return _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(_mm512_setzero_si512(), wlo, codes(c, i)), whi, codes(c, i + 1));
                };
                __m512i isum = dot(0);
                if constexpr (Fine) isum = _mm512_add_epi32(_mm512_slli_epi32(isum, 8), dot(2));
                acc[r][c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), _mm512_mul_ps(dlo, da), acc[r][c]);
                acc[r][c] = _mm512_fmadd_ps(bw, _mm512_load_ps(Fine ? a[c][g].sv2 : a[c][g].sv), acc[r][c]);
            }
        }
    }
}
#undef TESSERA_KQ_INLINE

template <ggml_type T, int R, int C, bool Fine = false>
void qdot_tile_kq_avx512vnni(const std::byte* const* w, const q8_group* const* a, std::size_t n_blocks, float* out,
                             std::size_t ldo) noexcept {
    __m512 acc[R][C];
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) acc[r][c] = _mm512_setzero_ps();
    const std::size_t full = n_blocks / 4;
    for (std::size_t g = 0; g < full; ++g) qdot_group_kq_avx512<T, R, C, Fine>(w, a, g, 4, acc);
    if (n_blocks % 4) qdot_group_kq_avx512<T, R, C, Fine>(w, a, full, n_blocks % 4, acc);
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) out[r * ldo + c] = _mm512_reduce_add_ps(acc[r][c]);
}
#endif

// ---- AVX2 ------------------------------------------------------------------------------------
#if defined(__AVX2__)

// One f16 at p (F16C when the flags have it).
inline float kq_half(const std::byte* p) noexcept {
#if defined(__F16C__)
    return _cvtsh_ss(kq_load_u16(p));
#else
    return kq_f16(p);
#endif
}

inline float kq_hsum256(__m256 v) noexcept {
    __m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    x = _mm_add_ps(x, _mm_movehl_ps(x, x));
    x = _mm_add_ss(x, _mm_movehdup_ps(x));
    return _mm_cvtss_f32(x);
}

// Block b of a row: its 32 codes in value order (u8; Q6_K: q − 32 as s8), the scale of each
// half and the s_a coefficient, with the scalar reference's products.
template <ggml_type T>
inline __m256i load_block_kq_avx2(const std::byte* row, std::size_t b, float& d_lo, float& d_hi, float& bw) noexcept {
    const __m256i m4 = _mm256_set1_epi8(0x0f);
    if constexpr (T == ggml_type::q5_0) {
        const std::byte* p = row + b * sizeof(block_q5_0);
        const __m128i qs = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 6));
        const __m256i nib = _mm256_and_si256(
            _mm256_inserti128_si256(_mm256_castsi128_si256(qs), _mm_srli_epi16(qs, 4), 1), m4);
        // Bit v of qh -> byte v: broadcast byte v / 8 to its 8 lanes, test bit v % 8.
        const __m256i bytes = _mm256_shuffle_epi8(_mm256_set1_epi32(int(kq_load_u32(p + 2))),
                                                  _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2,
                                                                   2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3));
        const __m256i bits = _mm256_set1_epi64x(std::int64_t(0x8040201008040201ull));
        const __m256i set = _mm256_cmpeq_epi8(_mm256_and_si256(bytes, bits), bits);
        const float d = kq_half(p);
        d_lo = d_hi = d;
        bw = -16.0f * d;
        return _mm256_or_si256(nib, _mm256_and_si256(set, _mm256_set1_epi8(0x10)));
    } else if constexpr (T == ggml_type::q4_k) {
        const std::byte* p = row + (b / 8) * sizeof(block_q4_k);
        const int j = int(b % 8);
        std::uint8_t s12[12];
        std::memcpy(s12, p + 4, 12);
        int sc, mn;
        k_scale_min(s12, j, sc, mn);
        d_lo = d_hi = kq_half(p) * float(sc);
        bw = -(kq_half(p + 2) * float(mn));
        const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 16 + 32 * (j / 2)));
        return _mm256_and_si256(j % 2 ? _mm256_srli_epi16(q, 4) : q, m4);
    } else {
        const std::byte* p = row + (b / 8) * sizeof(block_q6_k);
        const int h = int(b % 8) / 4, k = int(b % 8) % 4;  // half, block in the half
        const __m256i ql = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 64 * h + 32 * (k % 2)));
        const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 128 + 32 * h));
        const __m256i lo = _mm256_and_si256(k / 2 ? _mm256_srli_epi16(ql, 4) : ql, m4);
        const __m256i hi = _mm256_and_si256(_mm256_srl_epi16(qh, _mm_cvtsi32_si128(2 * k)), _mm256_set1_epi8(3));
        const float d = kq_half(p + 208);
        const auto* sc = reinterpret_cast<const std::int8_t*>(p + 192);
        d_lo = d * float(sc[2 * (b % 8)]);
        d_hi = d * float(sc[2 * (b % 8) + 1]);
        bw = 0.0f;
        return _mm256_sub_epi8(_mm256_or_si256(lo, _mm256_slli_epi16(hi, 4)), _mm256_set1_epi8(32));
    }
}

template <ggml_type T, int R, int C, bool Fine = false>
void qdot_tile_kq_avx2(const std::byte* const* w, const q8_group* const* a, std::size_t n_blocks, float* out,
                       std::size_t ldo) noexcept {
    __m256 acc[R][C];
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) acc[r][c] = _mm256_setzero_ps();
    const __m256i ones16 = _mm256_set1_epi16(1);
    for (std::size_t b = 0; b < n_blocks; ++b) {
        const std::size_t g = b / 4, j = b % 4;
        __m256i x[C][2];  // codes [lo | hi] (and remainder codes)
        for (int c = 0; c < C; ++c) {
            const q8_group& ag = a[c][g];
            const auto pair = [&](const std::int8_t* lo, const std::int8_t* hi) {
                return _mm256_inserti128_si256(
                    _mm256_castsi128_si256(_mm_load_si128(reinterpret_cast<const __m128i*>(lo + 16 * j))),
                    _mm_load_si128(reinterpret_cast<const __m128i*>(hi + 16 * j)), 1);
            };
            x[c][0] = pair(ag.lo, ag.hi);
            if constexpr (Fine) x[c][1] = pair(ag.lo2, ag.hi2);
        }
        for (int r = 0; r < R; ++r) {
            float d_lo, d_hi, bw;
            const __m256i wq = load_block_kq_avx2<T>(w[r], b, d_lo, d_hi, bw);
            // Q6_K codes are signed: |w| × sign(x, w) keeps maddubs' u8 × s8 form.
            const __m256i wu = T == ggml_type::q6_k ? _mm256_abs_epi8(wq) : wq;
            const __m256 dw = _mm256_setr_m128(_mm_set1_ps(d_lo), _mm_set1_ps(d_hi));
            for (int c = 0; c < C; ++c) {
                const q8_group& ag = a[c][g];
                const auto dot = [&](const __m256i& xv) {
                    const __m256i xs = T == ggml_type::q6_k ? _mm256_sign_epi8(xv, wq) : xv;
                    return _mm256_madd_epi16(_mm256_maddubs_epi16(wu, xs), ones16);
                };
                __m256i isum = dot(x[c][0]);  // lanes 0-3: lo half, 4-7: hi half
                if constexpr (Fine) isum = _mm256_add_epi32(_mm256_slli_epi32(isum, 8), dot(x[c][1]));
                const float da = Fine ? ag.dv2[4 * j] : ag.dv[4 * j];
                acc[r][c] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_mul_ps(dw, _mm256_set1_ps(da)), acc[r][c]);
                if constexpr (T != ggml_type::q6_k) {  // + bw·s_a, spread as s_a/8 over the 8 lanes (exact)
                    const float sa8 = (Fine ? ag.sv2[4 * j] : ag.sv[4 * j]) * 0.5f;
                    acc[r][c] = _mm256_fmadd_ps(_mm256_set1_ps(bw), _mm256_set1_ps(sa8), acc[r][c]);
                }
            }
        }
    }
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) out[r * ldo + c] = kq_hsum256(acc[r][c]);
}
#endif

}  // namespace detail

// out[r·ldo + c] = row w[r] · activation row a[c] (n_blocks 32-value blocks; a multiple of 8
// for the K-quants), with the best kernel the flags allow.
template <ggml_type T, int R, int C, bool Fine = false>
inline void qdot_tile_kq(const std::byte* const* w, const q8_group* const* a, std::size_t n_blocks, float* out,
                         std::size_t ldo) noexcept {
#if defined(__AVX512VNNI__) && defined(__AVX512BW__) && defined(__AVX512VL__)
    detail::qdot_tile_kq_avx512vnni<T, R, C, Fine>(w, a, n_blocks, out, ldo);
#elif defined(__AVX2__)
    detail::qdot_tile_kq_avx2<T, R, C, Fine>(w, a, n_blocks, out, ldo);
#else
    detail::qdot_tile_kq_scalar<T, R, C, Fine>(w, a, n_blocks, out, ldo);
#endif
}

}  // namespace tessera::ops

#include "tessera/simd/warnings_pop.hpp"
