#pragma once
// A constant right-hand matrix packed once into the GEMM's panel layout, so products with
// it skip the per-call packing of B. This is how model weights are meant to be used:
// linear layers multiply by the same W [out, in] for every request.
//
//   auto w = ops::packed_matrix<>::pack(weight_view);        // W [N, K], y = x·Wᵀ
//   ops::matmul(x, w, y, {.bias = b, .act = activation::gelu_erf}, pool);
//
// Every row count M, 1 included, goes through the same micro-kernel and K blocking as
// ops::matmul, so results are bitwise identical to it, for any M and any thread count:
// a token decoded alone gives exactly the logits it gets inside a batch.
#include <cstddef>
#include <cstring>

#include <xsimd/xsimd.hpp>

#include "tessera/core/aligned.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/ops/gemm.hpp"

namespace tessera::ops {

template <class Arch = xsimd::default_arch>
class packed_matrix {
    using traits = detail::gemm_shape_traits<Arch>;

public:
    packed_matrix() = default;

    // Packs op(B) [K, N]: B is [N, K] when transpose_b (linear-layer weights), else [K, N].
    static packed_matrix pack(tensor_view<const float> b, bool transpose_b = true) {
        require(b.rank() == 2, error_kind::invalid_argument, "packed_matrix: B must be rank 2");
        packed_matrix p;
        p.k_ = transpose_b ? b.extent(1) : b.extent(0);
        p.n_ = transpose_b ? b.extent(0) : b.extent(1);
        const detail::k_blocking<Arch> kb(p.k_);
        p.kc_max_ = kb.kc_max;
        p.n_padded_ = (p.n_ + traits::NR - 1) / traits::NR * traits::NR;
        const std::size_t floats = checked_size(kb.count, p.kc_max_, p.n_padded_);
        p.data_ = aligned_alloc_array<float>(floats);
        if (floats) std::memset(p.data_.get(), 0, floats * sizeof(float));
        const detail::operand bo = transpose_b ? detail::operand{b.data(), b.stride(1), b.stride(0)}
                                               : detail::operand{b.data(), b.stride(0), b.stride(1)};
        if (p.k_ && p.n_)
            for (std::size_t pb = 0; pb < kb.count; ++pb) {
                const std::size_t pc = pb * p.kc_max_, kc = std::min(p.kc_max_, p.k_ - pc);
                detail::pack_b<traits::NR>(bo, pc, kc, 0, p.n_, p.data_.get() + pb * p.kc_max_ * p.n_padded_);
            }
        return p;
    }

    std::size_t k() const noexcept { return k_; }  // inner (reduction) dimension
    std::size_t n() const noexcept { return n_; }  // output columns
    std::size_t bytes() const noexcept { return k_ == 0 ? 0 : detail::k_blocking<Arch>(k_).count * kc_max_ * n_padded_ * sizeof(float); }

    detail::b_panels_prepacked panels() const noexcept { return {data_.get(), n_padded_, kc_max_}; }

    // Rows per micro-tile of matmul(A [m, K], *this): m itself for 1..4 rows, else the tile
    // that leaves fewer padded rows (the dispatch in matmul below).
    static std::size_t tile_rows(std::size_t m) noexcept {
        if (m <= 4) return m;
        return detail::prefer_short_tile<Arch>(m) ? traits::MR_SHORT : traits::MR;
    }
    // Whether matmul(A [m, K], *this) on a pool splits C by rows (blocks of tile_rows(m))
    // rather than by columns, so a caller can run its own row blocks the same way.
    bool splits_rows(std::size_t m) const noexcept {
        return m > 0 && detail::packed_splits_rows(m, n_, tile_rows(m), traits::NR);
    }

private:
    static std::size_t checked_size(std::size_t a, std::size_t b, std::size_t c) {
        std::size_t r;
        if (__builtin_mul_overflow(a, b, &r) || __builtin_mul_overflow(r, c, &r))
            throw error(error_kind::overflow, "packed_matrix: size overflows");
        return r;
    }

    aligned_array<float> data_;
    std::size_t k_ = 0, n_ = 0, n_padded_ = 0, kc_max_ = 0;
};

// C[M, N] = A[M, K] · op(B) (+ bias, activation) with B packed beforehand.
// `opt.transpose_b` is ignored: the packing fixed the layout.
template <class Arch>
void matmul(tensor_view<const float> a, const packed_matrix<Arch>& b, tensor_view<float> c,
            const matmul_options& opt = {}, thread_pool* pool = nullptr) {
    require(a.rank() == 2 && c.rank() == 2, error_kind::invalid_argument, "matmul: A and C must be rank 2");
    require(a.extent(1) == b.k() && c.extent(0) == a.extent(0) && c.extent(1) == b.n(), error_kind::invalid_argument,
            [&] {
                return "matmul: shapes A" + a.dims().to_string() + " · packed [" + std::to_string(b.k()) + ", " +
                       std::to_string(b.n()) + "] -> C" + c.dims().to_string() + " do not agree";
            });
    require(c.stride(1) == 1 || c.extent(1) <= 1, error_kind::invalid_argument, "matmul: C needs unit column stride");
    const std::size_t m = a.extent(0), k = a.extent(1), n = c.extent(1);
    if (m == 0 || n == 0) return;
    const std::size_t ldc = m <= 1 ? n : c.stride(0);
    if (k == 0) return detail::empty_product<Arch>(c.data(), m, n, ldc, opt);
    using T = detail::gemm_shape_traits<Arch>;
    const detail::operand ao{a.data(), a.stride(0), a.stride(1)};
    auto panels = [&](std::size_t, std::size_t) { return b.panels(); };
    float* cp = c.data();
    // Micro-tile height: exactly M for 1..4 rows (the GEMV case streams B once), else the
    // tile that leaves fewer padded rows.
    switch (m) {
    case 1: return detail::packed_product<Arch, 1>(m, k, n, ao, panels, cp, ldc, opt, pool);
    case 2: return detail::packed_product<Arch, 2>(m, k, n, ao, panels, cp, ldc, opt, pool);
    case 3: return detail::packed_product<Arch, 3>(m, k, n, ao, panels, cp, ldc, opt, pool);
    case 4: return detail::packed_product<Arch, 4>(m, k, n, ao, panels, cp, ldc, opt, pool);
    default: break;
    }
    if (detail::prefer_short_tile<Arch>(m))
        return detail::packed_product<Arch, T::MR_SHORT>(m, k, n, ao, panels, cp, ldc, opt, pool);
    detail::packed_product<Arch, T::MR>(m, k, n, ao, panels, cp, ldc, opt, pool);
}

}  // namespace tessera::ops
