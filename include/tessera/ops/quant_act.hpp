#pragma once
// Activations quantized to 8 bits per 32-value block, laid out for the integer dot-product
// kernels of ops/quant_dot.hpp (the right-hand side of every quantized matmul).
//
// Quantization of one block of 32 floats x (the Q8_0 rule, with round-to-nearest-even):
//     d = max|x| / 127,   q_i = rne(x_i · (1/d))  in -127..127   (q = 0, d = 0 for an all-zero block)
// so x_i ≈ d·q_i with an error of at most d/2. Alongside d we keep s = d·Σq_i, the block's sum
// as the codes see it, which turns the constant part of a weight block into one product:
//     Σ_i (a·w_i + b)·x_i ≈ a·d·Σ w_i q_i + b·s.
// Q4_1 (w = dw·q + m) uses b = m; Q4_0 (w = dw·(q − 8)) uses b = −8·dw.
//
// Layout: a row of K values (K a multiple of 32) is ceil(K/128) groups of 4 blocks; the last
// group is zero-padded. Inside a group the codes are split by half-block, matching the
// nibble order of Q4_0/Q4_1 (byte j of a Q4 block holds value j low, value j + 16 high):
//     lo[16·j + i] = q of value i      of block j   (i < 16)
//     hi[16·j + i] = q of value i + 16 of block j
// so one 64-byte load of 4 weight blocks' nibbles (low or high) meets one 64-byte load of
// codes. dv[l] = d of block l/4 and sv[l] = s/4 of block l/4 are the per-lane scales an
// AVX-512 dot-product lane (4 bytes) needs; the 4 lanes of a block sum back to s exactly
// (s/4 is exact in binary floating point).
//
// Two-term ("fine") activations. 8 bits per value leave an error of up to d/2 per value,
// which moves logits by a few tenths on SmolLM2 (its activations have outliers that make d
// large) and changes greedy continuations against an fp32 reference. The fine mode adds a
// second 8-bit code per value for the remainder, in units of d/256:
//     t = x/d,  q = rne(t),  r = clamp(rne(256·(t − q)), −127, 127),   x ≈ d·(q + r/256)
// (t − q is exact in floating point), an error of at most d/512 (+ the clamp's d/256 at
// |t − q| = 1/2). Kernels add the two integer sums as 256·Σw·q + Σw·r (exact in i32) and
// scale by d/256 (dv2) and s2 = d·(Σq + Σr/256) (sv2). It costs two more dot-product
// instructions per weight group; the weights are read once either way.
//
// The scalar and the AVX-512 quantizers produce identical groups (same operations, same
// rounding), which the tests check. NaN/Inf inputs: a block containing them gets d = NaN
// and codes 0 (never undefined behaviour); matmul outputs then carry NaN.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

#include "tessera/core/aligned.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"

#if defined(__AVX512F__) && defined(__AVX512BW__)
#include <immintrin.h>
#endif

#include "tessera/simd/warnings_push.hpp"

namespace tessera::ops {

struct alignas(64) q8_group {
    std::int8_t lo[64];   // values 0..15 of blocks 0..3
    std::int8_t hi[64];   // values 16..31 of blocks 0..3
    std::int8_t lo2[64];  // fine mode: remainder codes r, same order (zero otherwise)
    std::int8_t hi2[64];
    float dv[16];         // lane l: d of block l / 4
    float sv[16];         // lane l: s / 4 of block l / 4 (s = d · Σ q)
    float dv2[16];        // lane l: d / 256
    float sv2[16];        // lane l: s2 / 4 (s2 = d · (Σ q + Σ r / 256))

    float d(std::size_t block) const noexcept { return dv[4 * block]; }
    float s(std::size_t block) const noexcept { return 4.0f * sv[4 * block]; }
    float s2(std::size_t block) const noexcept { return 4.0f * sv2[4 * block]; }
};
static_assert(sizeof(q8_group) == 512);

inline constexpr std::size_t q8_block_values = 32;
inline constexpr std::size_t q8_group_blocks = 4;

namespace detail {

// One block: x[32] -> codes q (in value order), remainder codes r (fine mode; may be
// nullptr) and the scale; returns Σ q, and Σ r through rsum.
inline int quantize_block_q8_scalar(const float* x, std::int8_t* q, std::int8_t* r, int& rsum, float& d) noexcept {
    float amax = 0.0f;
    bool finite = true;
    for (int i = 0; i < 32; ++i) {
        const float a = std::fabs(x[i]);
        finite = finite && a <= 3.4028235e38f;  // false for NaN and Inf
        amax = a > amax ? a : amax;
    }
    rsum = 0;
    if (!finite) {
        std::memset(q, 0, 32);
        if (r) std::memset(r, 0, 32);
        d = std::numeric_limits<float>::quiet_NaN();
        return 0;
    }
    d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    int sum = 0;
    for (int i = 0; i < 32; ++i) {
        const float t = x[i] * id;
        const float rq = std::nearbyint(t);  // round to nearest even (the default mode)
        const int v = rq >= -127.0f && rq <= 127.0f ? int(rq) : 0;
        q[i] = static_cast<std::int8_t>(v);
        sum += v;
        if (r) {
            const float f = std::nearbyint((t - rq) * 256.0f);
            const int w = f > 127.0f ? 127 : f < -127.0f ? -127 : int(f);
            r[i] = static_cast<std::int8_t>(w);
            rsum += w;
        }
    }
    return sum;
}

inline void store_block(q8_group& g, std::size_t j, const std::int8_t* q, const std::int8_t* r, float d, int sum,
                        int rsum) noexcept {
    std::memcpy(g.lo + 16 * j, q, 16);
    std::memcpy(g.hi + 16 * j, q + 16, 16);
    if (r) {
        std::memcpy(g.lo2 + 16 * j, r, 16);
        std::memcpy(g.hi2 + 16 * j, r + 16, 16);
    } else {
        std::memset(g.lo2 + 16 * j, 0, 16);
        std::memset(g.hi2 + 16 * j, 0, 16);
    }
    const float s = d * float(sum);
    const float s2 = d * (float(256 * sum + rsum) * (1.0f / 256.0f));
    for (std::size_t l = 0; l < 4; ++l) {
        g.dv[4 * j + l] = d;
        g.sv[4 * j + l] = s * 0.25f;
        g.dv2[4 * j + l] = d * (1.0f / 256.0f);
        g.sv2[4 * j + l] = s2 * 0.25f;
    }
}

#if defined(__AVX512F__) && defined(__AVX512BW__)
// Same operations as the scalar block quantizer, 16 lanes at a time.
inline int quantize_block_q8_avx512(const float* x, std::int8_t* q, std::int8_t* r, int& rsum, float& d) noexcept {
    const __m512 x0 = _mm512_loadu_ps(x), x1 = _mm512_loadu_ps(x + 16);
    const __m512 a = _mm512_max_ps(_mm512_abs_ps(x0), _mm512_abs_ps(x1));
    const __m512 big = _mm512_set1_ps(3.4028235e38f);
    // Any NaN or Inf: the scalar rules (the ordered compare is false for NaN).
    if (_mm512_cmp_ps_mask(_mm512_abs_ps(x0), big, _CMP_LE_OQ) != 0xffff ||
        _mm512_cmp_ps_mask(_mm512_abs_ps(x1), big, _CMP_LE_OQ) != 0xffff)
        return quantize_block_q8_scalar(x, q, r, rsum, d);
    const float amax = _mm512_reduce_max_ps(a);
    d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    const __m512 vid = _mm512_set1_ps(id);
    constexpr int rne = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
    const __m512 t0 = _mm512_mul_ps(x0, vid), t1 = _mm512_mul_ps(x1, vid);
    const __m512 r0 = _mm512_roundscale_ps(t0, rne), r1 = _mm512_roundscale_ps(t1, rne);
    const __m512i q0 = _mm512_cvtps_epi32(r0), q1 = _mm512_cvtps_epi32(r1);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q), _mm512_cvtsepi32_epi8(q0));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q + 16), _mm512_cvtsepi32_epi8(q1));
    rsum = 0;
    if (r) {
        const __m512 k256 = _mm512_set1_ps(256.0f);
        const __m512 lim = _mm512_set1_ps(127.0f), nlim = _mm512_set1_ps(-127.0f);
        const __m512 f0 = _mm512_min_ps(_mm512_max_ps(_mm512_roundscale_ps(_mm512_mul_ps(_mm512_sub_ps(t0, r0), k256), rne), nlim), lim);
        const __m512 f1 = _mm512_min_ps(_mm512_max_ps(_mm512_roundscale_ps(_mm512_mul_ps(_mm512_sub_ps(t1, r1), k256), rne), nlim), lim);
        const __m512i w0 = _mm512_cvtps_epi32(f0), w1 = _mm512_cvtps_epi32(f1);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(r), _mm512_cvtsepi32_epi8(w0));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(r + 16), _mm512_cvtsepi32_epi8(w1));
        rsum = _mm512_reduce_add_epi32(_mm512_add_epi32(w0, w1));
    }
    return _mm512_reduce_add_epi32(_mm512_add_epi32(q0, q1));
}
#endif

inline int quantize_block_q8(const float* x, std::int8_t* q, std::int8_t* r, int& rsum, float& d) noexcept {
#if defined(__AVX512F__) && defined(__AVX512BW__)
    return quantize_block_q8_avx512(x, q, r, rsum, d);
#else
    return quantize_block_q8_scalar(x, q, r, rsum, d);
#endif
}

}  // namespace detail

// Groups per row of k values (k a multiple of 32).
constexpr std::size_t q8_groups_for(std::size_t k) noexcept { return (k / 32 + 3) / 4; }

// x[k] (k a multiple of 32) -> groups[q8_groups_for(k)]. `fine`: also the remainder codes.
// `scalar` forces the reference path.
inline void quantize_row_q8_groups(const float* x, std::size_t k, q8_group* groups, bool fine = false,
                                   bool scalar = false) noexcept {
    const std::size_t n_blocks = k / 32, n_groups = q8_groups_for(k);
    std::int8_t q[32], r[32];
    for (std::size_t g = 0; g < n_groups; ++g) {
        q8_group& grp = groups[g];
        for (std::size_t j = 0; j < 4; ++j) {
            const std::size_t b = 4 * g + j;
            float d = 0.0f;
            int sum = 0, rsum = 0;
            if (b < n_blocks) {
                sum = scalar ? detail::quantize_block_q8_scalar(x + 32 * b, q, fine ? r : nullptr, rsum, d)
                             : detail::quantize_block_q8(x + 32 * b, q, fine ? r : nullptr, rsum, d);
            } else {
                std::memset(q, 0, sizeof q);
            }
            detail::store_block(grp, j, q, fine && b < n_blocks ? r : nullptr, d, sum, rsum);
        }
    }
}

// A matrix of activations [rows, k] quantized row by row. Reusable: quantize() reallocates
// only when it needs more room, so a session keeps one per shape it meets.
//
// It also remembers the float rows it was made from (a view, not a copy): weight types
// without an integer kernel multiply those instead. The caller keeps them alive and
// unchanged until the matmuls that use this object are done.
class q8_activations {
public:
    q8_activations() = default;

    // x [rows, k], unit stride along k, k a multiple of 32 (invalid_argument otherwise).
    // `fine`: two-term codes (see the top of this file).
    void quantize(tensor_view<const float> x, thread_pool* pool = nullptr, bool fine = false, bool scalar = false) {
        require(x.rank() == 2 && (x.extent(1) <= 1 || x.stride(1) == 1), error_kind::invalid_argument, [&] {
            return "q8_activations: x " + x.dims().to_string() + " must be [rows, k] with unit stride along k";
        });
        require(x.extent(1) % 32 == 0, error_kind::invalid_argument, [&] {
            return "q8_activations: k = " + std::to_string(x.extent(1)) + " is not a multiple of 32";
        });
        rows_ = x.extent(0);
        k_ = x.extent(1);
        groups_per_row_ = q8_groups_for(k_);
        const std::size_t need = rows_ * groups_per_row_;
        if (need > capacity_) {
            data_ = aligned_alloc_array<q8_group>(need);
            capacity_ = need;
        }
        source_ = x;
        float_only_ = false;
        fine_ = fine;
        // Rows are independent: the result does not depend on the pool.
        const std::size_t per_task = 16;
        parallel_for(rows_ > per_task ? pool : nullptr, (rows_ + per_task - 1) / per_task, [&](std::size_t t) {
            for (std::size_t r = t * per_task; r < std::min(rows_, (t + 1) * per_task); ++r)
                quantize_row_q8_groups(x.data() + r * x.stride(0), k_, data_.get() + r * groups_per_row_, fine, scalar);
        });
    }

    // Keeps x as it is (no quantization): quant_matmul then multiplies in f32 with the
    // weights decoded row by row, the reference precision (slow; for parity checks).
    void keep_float(tensor_view<const float> x) {
        require(x.rank() == 2 && (x.extent(1) <= 1 || x.stride(1) == 1) && x.extent(1) % 32 == 0,
                error_kind::invalid_argument, [&] {
                    return "q8_activations: x " + x.dims().to_string() + " must be [rows, k], k a multiple of 32";
                });
        rows_ = x.extent(0);
        k_ = x.extent(1);
        groups_per_row_ = q8_groups_for(k_);
        source_ = x;
        float_only_ = true;
        fine_ = false;
    }
    bool float_only() const noexcept { return float_only_; }
    bool fine() const noexcept { return fine_; }

    std::size_t rows() const noexcept { return rows_; }
    std::size_t k() const noexcept { return k_; }
    std::size_t groups_per_row() const noexcept { return groups_per_row_; }
    const q8_group* row(std::size_t r) const noexcept { return data_.get() + r * groups_per_row_; }
    // The float rows quantize() was given (see the class comment).
    const tensor_view<const float>& source() const noexcept { return source_; }

private:
    aligned_array<q8_group> data_;
    std::size_t capacity_ = 0, rows_ = 0, k_ = 0, groups_per_row_ = 0;
    tensor_view<const float> source_;
    bool float_only_ = false;
    bool fine_ = false;
};

}  // namespace tessera::ops

#include "tessera/simd/warnings_pop.hpp"
