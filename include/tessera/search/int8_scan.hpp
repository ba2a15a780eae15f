#pragma once
// Exact top-k over int8 codes (search/int8_codes.hpp). The codes give each row an
// interval that holds its exact f32 score; interval_selector (search/topk_heap.hpp) keeps
// the rows that could still reach the top k, and those are rescored from the f32 rows with
// the kernel of the plain scan (similarity.hpp's score). The hits — ids and score bits —
// are therefore those of the f32 scan, while the scan reads one byte per value, not four.
//
// Interval of row i's exact score S (the f32 kernel's result), from the code dot
// a = fl(idot·fl(s_q·s_i)) and the quantization bound Q = ‖q‖·err_i + ε_q·hnorm_i:
//   dot     a ± (E + tiny)                     E = (Q + G·(hnorm_i + norm_i))·σ
//   cosine  a·w ± (E·w + m_cos)                w = 1/(‖q‖·‖x_i‖)
//   l2      −(‖q‖² − 2a + ‖x_i‖²) ± (2E + c_l2·(‖q‖ + ‖x_i‖)² + tiny)
// G = 2(γ + 4u)(‖q‖ + ε_q) covers the f32 kernel's own rounding (|fl(q·x) − q·x| ≤
// γ·‖q‖‖x‖) and that of a; σ = 1 + 2⁻⁸ + 2γ covers evaluating the bound in f32 and the
// norms' rounding; m_cos, c_l2 and tiny are the GEMM path's terms (score_rounding).
//
// One query scans panels in order; a batch of queries goes block by block (64 panels,
// 384 KB at d = 384: they stay in L2) and, within a block, in groups of up to 12 queries
// that share each panel load (int8_kernels::panel_dots_vnni_batch). A filter's row mask
// skips whole panels whose 16 rows are all excluded.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "tessera/core/aligned.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/search/int8_codes.hpp"
#include "tessera/search/similarity.hpp"
#include "tessera/search/topk_heap.hpp"
#include "tessera/simd/arch.hpp"

#include "tessera/simd/warnings_push.hpp"

namespace tessera::search::detail {

// A query ready for the int8 scan: its codes and the constants of its bounds.
struct int8_query {
    std::vector<std::uint8_t, aligned_allocator<std::uint8_t>> u;  // groups·4 codes
    float sq = 0.0f, eps = 0.0f, qn = 0.0f, iq = 0.0f, qq = 0.0f, G = 0.0f;
    bool ok = false;  // false: outside the bound's range, use the f32 scan
};

template <class Arch>
class int8_scan {
public:
    static constexpr std::size_t block_panels = 64;
    static constexpr std::size_t max_group = 12;
    // The plain-loop kernel for scalar builds and in translation units without VNNI.
    static constexpr bool reference_kernel = !simd::is_vector_arch<Arch> || !TESSERA_INT8_VNNI;

    int8_scan(const int8_codes& codes, std::size_t n, metric kind, const row_mask* mask)
        : c_(codes), n_(n), kind_(kind), mask_(mask), rounding_(score_rounding::for_dim(codes.dim())) {
        sigma_ = 1.0f + 0x1p-8f + 2.0f * rounding_.gamma;
    }

    // q: dim() values; qn = norm<Arch>(q) (the value the f32 kernel uses).
    int8_query prepare(const float* q, float qn) const {
        int8_query r;
        r.u.resize(c_.groups() * 4);
        const auto s = c_.quantize_query({q, c_.dim()}, r.u.data());
        r.ok = s.ok && qn > 0.0f && std::isfinite(qn);
        r.sq = s.scale;
        r.eps = s.eps;
        r.qn = qn;
        r.iq = r.ok ? 1.0f / qn : 0.0f;
        r.qq = qn * qn;
        r.G = 2.0f * (rounding_.gamma + 4.0f * rounding_.unit) * (qn + s.eps);
        return r;
    }

    std::size_t panels() const noexcept { return c_.panels(); }

    // One query over panels [p0, p1).
    template <class Score>
    void scan(const int8_query& q, std::size_t p0, std::size_t p1, interval_selector& sel, Score&& score) const {
        alignas(64) std::int32_t dots[16];
        for (std::size_t p = p0; p < p1; ++p) {
            const std::uint32_t allowed = allowed_rows(p);
            if (!allowed) continue;
            int8_kernels::panel_dots<reference_kernel>(q.u.data(), c_.panel(p), c_.groups(), c_.bias() + p * 16, dots);
            offer_panel(q, p, dots, allowed, sel, score);
        }
    }

    // Every query of qs over panels [p0, p1): sels[j] collects query j's rows, and
    // score(j, row) is its exact score.
    template <class Score>
    void scan_batch(std::span<const int8_query> qs, std::size_t p0, std::size_t p1, std::span<interval_selector> sels,
                    Score&& score) const {
        const std::size_t nq = qs.size();
        if (nq == 0) return;
        const std::size_t n_groups = (nq + max_group - 1) / max_group;
        alignas(64) std::int32_t out[max_group * 32];
        for (std::size_t b0 = p0; b0 < p1; b0 += block_panels) {
            const std::size_t b1 = std::min(p1, b0 + block_panels);
            for (std::size_t g = 0; g < n_groups; ++g) {
                // Groups of near-equal size (64 queries: 11, 11, 11, 11, 10, 10).
                const std::size_t j0 = nq * g / n_groups, jn = nq * (g + 1) / n_groups - j0;
                const std::uint8_t* us[max_group];
                for (std::size_t j = 0; j < jn; ++j) us[j] = qs[j0 + j].u.data();
                for (std::size_t p = b0; p < b1; p += 2) {
                    const std::size_t np = std::min<std::size_t>(2, b1 - p);
                    const std::uint32_t allowed[2] = {allowed_rows(p), np > 1 ? allowed_rows(p + 1) : 0u};
                    if (!allowed[0] && !allowed[1]) continue;
                    group_dots(us, jn, p, np, out);
                    for (std::size_t j = 0; j < jn; ++j)
                        for (std::size_t pp = 0; pp < np; ++pp)
                            if (allowed[pp])
                                offer_panel(qs[j0 + j], p + pp, out + j * 32 + pp * 16, allowed[pp], sels[j0 + j],
                                            [&](std::size_t row) { return score(j0 + j, row); });
                }
            }
        }
    }

private:
    // Rows of panel p that exist and that the mask allows, one bit each.
    std::uint32_t allowed_rows(std::size_t p) const noexcept {
        const std::size_t r0 = p * 16;
        std::uint32_t bits = r0 + 16 <= n_ ? 0xFFFFu : (r0 < n_ ? (1u << (n_ - r0)) - 1u : 0u);
        if (mask_) bits &= std::uint32_t(mask_->words()[r0 / 64] >> (r0 % 64)) & 0xFFFFu;
        return bits;
    }

    void group_dots(const std::uint8_t* const* us, std::size_t jn, std::size_t p, std::size_t np,
                    std::int32_t* out) const noexcept {
#if TESSERA_INT8_VNNI
        if constexpr (!reference_kernel) {
            dispatch_group(us, jn, p, np, out, std::make_index_sequence<max_group>{});
            return;
        }
#endif
        for (std::size_t j = 0; j < jn; ++j)
            for (std::size_t pp = 0; pp < np; ++pp)
                int8_kernels::panel_dots_reference(us[j], c_.panel(p + pp), c_.groups(), c_.bias() + (p + pp) * 16,
                                                   out + j * 32 + pp * 16);
    }
#if TESSERA_INT8_VNNI
    template <std::size_t... I>
    void dispatch_group(const std::uint8_t* const* us, std::size_t jn, std::size_t p, std::size_t np, std::int32_t* out,
                        std::index_sequence<I...>) const noexcept {
        const std::int8_t* panel = c_.panel(p);
        const std::int32_t* cs = c_.bias() + p * 16;
        const std::size_t groups = c_.groups();
        // One instantiation per group size (1..12) and panel count (1, 2).
        ((jn == I + 1 ? (np == 2 ? int8_kernels::panel_dots_vnni_batch<int(I + 1), 2>(us, panel, groups, cs, out)
                                 : int8_kernels::panel_dots_vnni_batch<int(I + 1), 1>(us, panel, groups, cs, out))
                      : void()),
         ...);
    }
#endif

    // Intervals of panel p's 16 rows from their i32 dots; offers the rows that reach the cut.
    template <class Score>
    void offer_panel(const int8_query& q, std::size_t p, const std::int32_t* dots, std::uint32_t allowed,
                     interval_selector& sel, Score&& score) const {
        const std::size_t r0 = p * 16;
        alignas(64) float a[16], lo[16], hi[16];
        for (std::size_t l = 0; l < 16; ++l) a[l] = float(dots[l]);
        const float cut = sel.cut();
        const metric kind = kind_;
        const float m_cos = rounding_.m_cos(), c_l2 = rounding_.c_l2(), tiny = rounding_.tiny;
        auto bounds = [&](auto dot, auto scale, auto err, auto hn, auto nrm, auto inv, auto& l, auto& h) {
            using V = std::decay_t<decltype(scale)>;
            const V av = dot * (V(q.sq) * scale);
            const V e = (V(q.qn) * err + V(q.eps) * hn + V(q.G) * (hn + nrm)) * V(sigma_);
            V approx, m;
            if (kind == metric::cosine) {
                const V w = V(q.iq) * inv;
                approx = av * w;
                m = e * w + V(m_cos);
            } else if (kind == metric::dot) {
                approx = av;
                m = e + V(tiny);
            } else {
                approx = V(0.0f) - ((V(q.qq) - V(2.0f) * av) + nrm * nrm);
                m = V(2.0f) * e + V(c_l2) * ((V(q.qn) + nrm) * (V(q.qn) + nrm)) + V(tiny);
            }
            l = approx - m;
            h = approx + m;
        };
        bool any = false;
        if constexpr (simd::is_vector_arch<Arch>) {
            using B = xsimd::batch<float, Arch>;
            constexpr std::size_t W = B::size;
            static_assert(16 % W == 0);
            for (std::size_t l0 = 0; l0 < 16; l0 += W) {
                auto ld = [&](const float* base) { return B::load_aligned(base + l0); };
                B lov, hiv;
                bounds(ld(a), ld(c_.scale() + r0), ld(c_.err() + r0), ld(c_.hnorm() + r0), ld(c_.norm() + r0),
                       ld(c_.inv_norm() + r0), lov, hiv);
                if (xsimd::all(hiv < B(cut))) {  // NaN lanes fail the test and stay
                    for (std::size_t l = 0; l < W; ++l) hi[l0 + l] = -std::numeric_limits<float>::infinity();
                    continue;
                }
                any = true;
                lov.store_aligned(lo + l0);
                hiv.store_aligned(hi + l0);
            }
        } else {
            for (std::size_t l = 0; l < 16; ++l)
                bounds(a[l], c_.scale()[r0 + l], c_.err()[r0 + l], c_.hnorm()[r0 + l], c_.norm()[r0 + l],
                       c_.inv_norm()[r0 + l], lo[l], hi[l]);
            any = true;
        }
        if (!any) return;
        for (std::size_t l = 0; l < 16; ++l) {
            if (!(allowed >> l & 1u) || hi[l] < sel.cut()) continue;
            sel.offer(lo[l], hi[l], r0 + l, score);
        }
    }

    const int8_codes& c_;
    std::size_t n_;
    metric kind_;
    const row_mask* mask_;
    score_rounding rounding_;
    float sigma_ = 1.0f;
};

}  // namespace tessera::search::detail

#include "tessera/simd/warnings_pop.hpp"
