#pragma once
// int8_codes: a one-byte-per-value copy of a corpus [n, d]. Exact search scans the codes
// instead of the f32 rows — a quarter of the bytes — and still returns the exact f32
// results, because every code score comes with a proven error bound and the rows the
// bound cannot rule out are rescored from the f32 rows (search/int8_scan.hpp).
//
// Row i: codes c ∈ [−127, 127]^d with one scale s_i = max|x_i|/127, so x̂_i = s_i·c ≈ x_i;
// beside them
//   err_i   ≥ ‖x_i − x̂_i‖   (computed in double, rounded up)
//   hnorm_i ≥ ‖x̂_i‖
//   norm_i  = ‖x_i‖ (double, rounded to float), inv_norm_i = 1/norm_i (0 for a zero row)
//   bias_i  = −128·Σ c       (for the unsigned-offset trick below)
// A query is quantized the same way but to unsigned codes u = c_q + 128 ∈ [1, 255], with
// ε_q ≥ ‖q − q̂‖. Then Σ u·c + bias_i = Σ c_q·c exactly (i32 arithmetic), s_q·s_i times
// that is q̂·x̂_i, and
//   |q·x_i − q̂·x̂_i| = |q·(x_i − x̂_i) + (q − q̂)·x̂_i| ≤ ‖q‖·err_i + ε_q·hnorm_i
// (Cauchy–Schwarz): an interval around q·x_i from one byte per value.
//
// Rows the bound cannot serve — a non-finite value, a value above 2⁴⁰, or a non-zero norm
// below 2⁻⁴⁰ (the f32 kernels' squares would overflow or underflow) — get err_i = +∞:
// they are always rescored exactly.
//
// Layout, made for _mm512_dpbusd_epi32 (u8 × s8, four byte products summed into each i32
// lane): rows in panels of 16; within a panel, for each group of 4 dimensions, the 16
// rows' 4 codes side by side — [panel][d/4][16 rows][4], 64 bytes a group, one register.
// A broadcast of the query's 4 codes times that register adds 4 terms to 16 row sums, so a
// panel ends as 16 dot products with no horizontal sum. d is padded to a multiple of 4 and
// n to a multiple of 16 with zero codes, which add nothing.
//
// Kernels: panel_dots_reference (plain loops) and, where the translation unit has AVX-512
// VNNI, panel_dots_vnni (one query) and panel_dots_vnni_batch (up to 12 queries × 2
// panels, so a panel loaded once serves 12 queries). Integer sums are exact in any order,
// so every kernel gives the same i32 values.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <vector>

#include "tessera/core/aligned.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"

#if defined(__AVX512VNNI__) && defined(__AVX512BW__)
#include <immintrin.h>
#define TESSERA_INT8_VNNI 1
#else
#define TESSERA_INT8_VNNI 0
#endif

namespace tessera::search {

// The kernel that int8 scans use in this translation unit ("avx512vnni" or "scalar").
constexpr const char* int8_kernel_name() noexcept { return TESSERA_INT8_VNNI ? "avx512vnni" : "scalar"; }

class int8_codes {
public:
    static constexpr std::size_t panel_rows = 16;

    int8_codes() = default;
    explicit int8_codes(std::size_t dim) : dim_(dim), groups_((dim + 3) / 4) {
        require(dim > 0, error_kind::invalid_argument, "int8_codes: dimension must be positive");
    }
    // Codes of every row of corpus [n, d] (unit stride along d).
    static int8_codes build(tensor_view<const float> corpus) {
        require(corpus.rank() == 2 && (corpus.extent(1) <= 1 || corpus.stride(1) == 1), error_kind::invalid_argument,
                "int8_codes::build: corpus must be [n, d] with unit row stride");
        int8_codes c(corpus.extent(1));
        c.reserve(corpus.extent(0));
        const std::size_t ld = corpus.extent(0) > 1 ? corpus.stride(0) : corpus.extent(1);
        for (std::size_t i = 0; i < corpus.extent(0); ++i) c.append({corpus.data() + i * ld, corpus.extent(1)});
        return c;
    }

    std::size_t rows() const noexcept { return rows_; }
    std::size_t dim() const noexcept { return dim_; }
    std::size_t groups() const noexcept { return groups_; }  // ⌈d / 4⌉
    std::size_t panels() const noexcept { return (rows_ + panel_rows - 1) / panel_rows; }
    std::size_t bytes() const noexcept {
        return codes_.size() + (scale_.size() + err_.size() + hnorm_.size() + norm_.size() + inv_norm_.size()) * 4 +
               bias_.size() * 4;
    }

    void reserve(std::size_t n) {
        const std::size_t padded = (n + panel_rows - 1) / panel_rows * panel_rows;
        codes_.reserve(padded * groups_ * 4);
        for (auto* v : {&scale_, &err_, &hnorm_, &norm_, &inv_norm_}) v->reserve(padded);
        bias_.reserve(padded);
    }

    // Appends one row of dim() values.
    void append(std::span<const float> x) {
        require(x.size() == dim_ && dim_ > 0, error_kind::invalid_argument, [&] {
            return "int8_codes::append: row of " + std::to_string(x.size()) + " values, dimension " + std::to_string(dim_);
        });
        if (rows_ % panel_rows == 0) {  // open a new panel of zero rows
            codes_.resize(codes_.size() + panel_rows * groups_ * 4, 0);
            for (auto* v : {&scale_, &err_, &hnorm_, &norm_, &inv_norm_}) v->resize(v->size() + panel_rows, 0.0f);
            bias_.resize(bias_.size() + panel_rows, 0);
        }
        const std::size_t r = rows_ % panel_rows;
        std::int8_t* panel = codes_.data() + (rows_ / panel_rows) * panel_rows * groups_ * 4;
        const row_stats st = quantize_row(x, [&](std::size_t j, int c) {
            panel[((j / 4) * panel_rows + r) * 4 + j % 4] = std::int8_t(c);
        });
        scale_[rows_] = st.scale;
        err_[rows_] = st.err;
        hnorm_[rows_] = st.hnorm;
        norm_[rows_] = st.norm;
        inv_norm_[rows_] = st.inv_norm;
        bias_[rows_] = st.bias;
        ++rows_;
    }

    // Whether row i's stored codes are what x (dim() values) gives, sampled at three
    // positions: a spot check that codes belong to a corpus, cheap enough for every search
    // (exact search checks rows 0, n/2 and n − 1). Rows stored without a scale (zero or
    // unusable rows) agree when their sampled values are 0 or the row is marked unusable.
    bool row_agrees(std::size_t i, std::span<const float> x) const noexcept {
        if (i >= rows_ || x.size() != dim_) return false;
        const float s = scale_[i];
        const std::int8_t* panel = this->panel(i / panel_rows);
        for (const std::size_t j : {std::size_t(0), dim_ / 2, dim_ - 1}) {
            const int stored = panel[((j / 4) * panel_rows + i % panel_rows) * 4 + j % 4];
            if (s == 0.0f ? !std::isinf(err_[i]) && x[j] != 0.0f : code_of(x[j], 1.0f / s) != stored) return false;
        }
        return true;
    }

    // Quantizes a query (dim() values) into unsigned codes u (groups()·4 bytes, padding
    // 128 = code 0). Returns {s_q, ε_q}; ok is false when the query is outside the range the
    // bound serves (non-finite, a value above 2⁴⁰, or a norm below 2⁻⁴⁰ other than 0).
    struct query_scale {
        float scale = 0.0f, eps = 0.0f;
        bool ok = false;
    };
    query_scale quantize_query(std::span<const float> q, std::uint8_t* u) const noexcept {
        query_scale s;
        std::fill(u, u + groups_ * 4, std::uint8_t(128));
        if (q.size() != dim_) return s;
        double amax = 0.0, nsq = 0.0;
        for (float v : q) {
            if (!std::isfinite(v)) return s;
            amax = std::max(amax, std::abs(double(v)));
            nsq += double(v) * double(v);
        }
        if (amax > 0x1p40 || std::sqrt(nsq) < 0x1p-40) return s;
        s.scale = float(amax / 127.0);
        if (double(s.scale) * 127.0 < amax) s.scale = std::nextafter(s.scale, std::numeric_limits<float>::infinity());
        double esq = 0.0;
        for (std::size_t j = 0; j < dim_; ++j) {
            const double c = std::clamp(std::nearbyint(double(q[j]) / double(s.scale)), -127.0, 127.0);
            const double e = double(q[j]) - c * double(s.scale);
            esq += e * e;
            u[j] = std::uint8_t(int(c) + 128);
        }
        s.eps = round_up(std::sqrt(esq));
        s.ok = true;
        return s;
    }

    // Panel p: groups()·64 bytes; the per-row arrays below are padded to whole panels.
    const std::int8_t* panel(std::size_t p) const noexcept { return codes_.data() + p * panel_rows * groups_ * 4; }
    const float* scale() const noexcept { return scale_.data(); }
    const float* err() const noexcept { return err_.data(); }
    const float* hnorm() const noexcept { return hnorm_.data(); }
    const float* norm() const noexcept { return norm_.data(); }
    const float* inv_norm() const noexcept { return inv_norm_.data(); }
    const std::int32_t* bias() const noexcept { return bias_.data(); }  // −128·Σc per row

private:
    // The code of value v in a row whose scale is 1/inv.
    static int code_of(float v, float inv) noexcept { return int(std::clamp(std::nearbyint(v * inv), -127.0f, 127.0f)); }

    struct row_stats {
        float scale = 0.0f, err = 0.0f, hnorm = 0.0f, norm = 0.0f, inv_norm = 0.0f;
        std::int32_t bias = 0;
    };
    // Codes of one row, handed to store(j, c), and the row's scale and bounds.
    template <class Store>
    static row_stats quantize_row(std::span<const float> x, Store&& store) noexcept {
        // Sums in four interleaved double chains (independent, so they pipeline).
        float amax = 0.0f;
        double part[4] = {0.0, 0.0, 0.0, 0.0};
        bool finite = true;
        for (std::size_t j = 0; j < x.size(); ++j) {
            const float v = x[j];
            finite = finite && std::isfinite(v);
            amax = std::max(amax, std::abs(v));
            part[j % 4] += double(v) * double(v);
        }
        const double nrm = std::sqrt((part[0] + part[1]) + (part[2] + part[3]));
        row_stats st;
        if (!(finite && amax <= 0x1p40f && (nrm == 0.0 || nrm >= 0x1p-40))) {
            st.err = std::numeric_limits<float>::infinity();  // zero codes, always rescored
            return st;
        }
        std::int32_t sum = 0;
        std::int64_t hsq = 0;  // Σc², exact
        double esq[4] = {0.0, 0.0, 0.0, 0.0};
        if (amax > 0.0f) {
            // Any code gives a valid bound, since err is computed from the codes chosen;
            // x·(1/s) rounded is the nearest code up to the rounding of 1/s.
            st.scale = float(double(amax) / 127.0);
            if (double(st.scale) * 127.0 < double(amax)) st.scale = std::nextafter(st.scale, std::numeric_limits<float>::infinity());
            const float inv = 1.0f / st.scale;
            for (std::size_t j = 0; j < x.size(); ++j) {
                const int c = code_of(x[j], inv);
                const double e = double(x[j]) - double(c) * double(st.scale);  // c·s exact (8 × 24 bits)
                esq[j % 4] += e * e;
                hsq += c * c;
                sum += c;
                store(j, c);
            }
        }
        // Rounded up with a relative margin far above double's rounding of these sums.
        st.err = round_up(std::sqrt((esq[0] + esq[1]) + (esq[2] + esq[3])));
        st.hnorm = round_up(std::sqrt(double(hsq)) * double(st.scale));
        st.norm = float(nrm);
        st.inv_norm = nrm > 0.0 ? float(1.0 / double(st.norm)) : 0.0f;
        st.bias = -128 * sum;
        return st;
    }

    static float round_up(double v) noexcept {
        const float f = float(v * (1.0 + 0x1p-30));
        return double(f) >= v ? f : std::nextafter(f, std::numeric_limits<float>::infinity());
    }

    std::size_t dim_ = 0, groups_ = 0, rows_ = 0;
    std::vector<std::int8_t, aligned_allocator<std::int8_t>> codes_;  // [panels][groups][16][4]
    std::vector<float, aligned_allocator<float>> scale_, err_, hnorm_, norm_, inv_norm_;
    std::vector<std::int32_t, aligned_allocator<std::int32_t>> bias_;
};

namespace int8_kernels {

// out[r] = Σ_g Σ_t u[4g + t]·panel[g][r][t] + bias[r] for the 16 rows r of one panel.
inline void panel_dots_reference(const std::uint8_t* u, const std::int8_t* panel, std::size_t groups,
                                 const std::int32_t* bias, std::int32_t* out) noexcept {
    std::int32_t acc[16];
    for (std::size_t r = 0; r < 16; ++r) acc[r] = bias[r];
    for (std::size_t g = 0; g < groups; ++g)
        for (std::size_t r = 0; r < 16; ++r)
            for (std::size_t t = 0; t < 4; ++t)
                acc[r] += std::int32_t(u[4 * g + t]) * std::int32_t(panel[(g * 16 + r) * 4 + t]);
    std::memcpy(out, acc, sizeof acc);
}

#if TESSERA_INT8_VNNI
namespace detail {
inline __m512i broadcast4(const std::uint8_t* p) noexcept {
    std::int32_t w;
    std::memcpy(&w, p, 4);
    return _mm512_set1_epi32(w);
}
}  // namespace detail

// The same values as panel_dots_reference; four accumulator chains hide dpbusd's latency.
inline void panel_dots_vnni(const std::uint8_t* u, const std::int8_t* panel, std::size_t groups,
                            const std::int32_t* bias, std::int32_t* out) noexcept {
    __m512i a0 = _mm512_loadu_si512(bias), a1 = _mm512_setzero_si512(), a2 = a1, a3 = a1;
    std::size_t g = 0;
    for (; g + 4 <= groups; g += 4) {
        a0 = _mm512_dpbusd_epi32(a0, detail::broadcast4(u + 4 * g), _mm512_loadu_si512(panel + 64 * g));
        a1 = _mm512_dpbusd_epi32(a1, detail::broadcast4(u + 4 * g + 4), _mm512_loadu_si512(panel + 64 * g + 64));
        a2 = _mm512_dpbusd_epi32(a2, detail::broadcast4(u + 4 * g + 8), _mm512_loadu_si512(panel + 64 * g + 128));
        a3 = _mm512_dpbusd_epi32(a3, detail::broadcast4(u + 4 * g + 12), _mm512_loadu_si512(panel + 64 * g + 192));
    }
    for (; g < groups; ++g)
        a0 = _mm512_dpbusd_epi32(a0, detail::broadcast4(u + 4 * g), _mm512_loadu_si512(panel + 64 * g));
    _mm512_storeu_si512(out, _mm512_add_epi32(_mm512_add_epi32(a0, a1), _mm512_add_epi32(a2, a3)));
}

// Q queries (codes u[0..Q)) × P consecutive panels (P = 1 or 2) starting at `panel`, whose
// bias entries start at `bias`: out[j·32 + p·16 + r] for query j, panel p, row r.
template <int Q, int P>
inline void panel_dots_vnni_batch(const std::uint8_t* const* u, const std::int8_t* panel, std::size_t groups,
                                  const std::int32_t* bias, std::int32_t* out) noexcept {
    static_assert(Q >= 1 && Q <= 12 && (P == 1 || P == 2));
    __m512i acc[Q][P];
    for (int p = 0; p < P; ++p) {
        const __m512i init = _mm512_loadu_si512(bias + 16 * p);
        for (int j = 0; j < Q; ++j) acc[j][p] = init;
    }
    const std::size_t stride = groups * 64;  // bytes per panel
    for (std::size_t g = 0; g < groups; ++g) {
        __m512i x[P];
        for (int p = 0; p < P; ++p) x[p] = _mm512_loadu_si512(panel + p * stride + 64 * g);
#pragma GCC unroll 12
        for (int j = 0; j < Q; ++j) {
            const __m512i b = detail::broadcast4(u[j] + 4 * g);
            for (int p = 0; p < P; ++p) acc[j][p] = _mm512_dpbusd_epi32(acc[j][p], b, x[p]);
        }
    }
    for (int j = 0; j < Q; ++j)
        for (int p = 0; p < P; ++p) _mm512_storeu_si512(out + j * 32 + p * 16, acc[j][p]);
}
#endif

// Dots of one query against one panel with the best kernel compiled in (or the
// reference when `Reference`).
template <bool Reference = false>
inline void panel_dots(const std::uint8_t* u, const std::int8_t* panel, std::size_t groups, const std::int32_t* bias,
                       std::int32_t* out) noexcept {
#if TESSERA_INT8_VNNI
    if constexpr (!Reference) {
        panel_dots_vnni(u, panel, groups, bias, out);
        return;
    }
#endif
    panel_dots_reference(u, panel, groups, bias, out);
}

}  // namespace int8_kernels

}  // namespace tessera::search
