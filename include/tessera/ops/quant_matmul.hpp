#pragma once
// Quantized matrix multiplication: y[M, N] = x[M, K] · Wᵀ (or y += ...) with W [N, K] held as
// ggml blocks and used in place (a GGUF tensor of ne = [K, N] read from the mapped file; no
// dequantized copy is ever made).
//
//   quant_matrix   a checked, non-owning view of such a weight: type, N rows, K columns,
//                  row r at data + r·row_bytes, its blocks in ggml order or (Q4_0, Q4_1,
//                  Q8_0 copied by tessera) in the grouped layout of ops/quant_layout.hpp.
//   quant_matmul   x comes as q8_activations (ops/quant_act.hpp), quantized once and shared
//                  by every matrix that reads the same input (q/k/v, gate/up).
//
// Q4_0, Q4_1, Q8_0, Q5_0, Q4_K and Q6_K use the integer kernels of ops/quant_dot.hpp and
// ops/quant_dot_kq.hpp. Every other type tessera decodes (F32, F16, BF16, Q5_1, Q2_K, Q3_K,
// Q5_K, Q8_K) takes the float path: a weight row is dequantized
// into a small per-task buffer and dotted with the float rows the activations were made from
// (correct, not fast). Activations made with q8_activations::keep_float take the float
// path for every type: the fp32 reference precision.
//
// Two paths, one arithmetic:
//   M = 1 (generation, GEMV): one task per pool thread, each a contiguous share of the
//       output rows (a multiple of 32); tiles of 4 weight rows share each activation load.
//       The whole weight is streamed once, so the speed is the memory bandwidth as long as
//       the kernel keeps up.
//   M > 1 (prompt processing, GEMM): tasks are (32 weight rows) × (64 activation rows); tiles
//       of 4 × 4 reuse every unpacked weight group for 4 activation rows, and a task's
//       weights stay in L1 while its activations stay in L2.
// Each output element is computed by one tile call whose arithmetic does not depend on the
// tile shape (ops/quant_dot.hpp), so results are bitwise identical for any thread count, any
// M, and any position of a row in a batch: a token decoded alone gives the same numbers as
// inside a prompt.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "tessera/core/checked_math.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/ops/dequantize.hpp"
#include "tessera/ops/quant_act.hpp"
#include "tessera/ops/quant_blocks.hpp"
#include "tessera/ops/quant_dot.hpp"
#include "tessera/ops/quant_layout.hpp"
#include "tessera/simd/reduce.hpp"

namespace tessera::ops {

struct quant_matrix {
    ggml_type type = ggml_type::f32;
    std::size_t rows = 0;       // N (output features)
    std::size_t cols = 0;       // K (input features)
    std::size_t row_bytes = 0;  // cols / block_size · type_size
    const std::byte* data = nullptr;
    quant_layout layout = quant_layout::blocks;  // grouped: only for has_grouped_layout(type)

    // A view of `bytes` as [rows, cols] of `type`; `what` names the tensor in errors.
    // invalid_argument when the type is not decodable, cols is not a multiple of 32 (the
    // activation block) or of the type's block size, or the byte count does not match.
    static quant_matrix view(ggml_type type, std::span<const std::byte> bytes, std::size_t rows, std::size_t cols,
                             const std::string& what) {
        const auto tr = traits_of(type);
        require(tr.supported, error_kind::unsupported,
                [&] { return what + ": ggml type " + std::string(tr.name) + " has no matmul"; });
        require(rows > 0 && cols > 0 && cols % tr.block_size == 0 && cols % q8_block_values == 0,
                error_kind::invalid_argument, [&] {
                    return what + ": [" + std::to_string(rows) + ", " + std::to_string(cols) + "] of " +
                           std::string(tr.name) + " (the row length must be a multiple of 32 and of the block size)";
                });
        quant_matrix m;
        m.type = type;
        m.rows = rows;
        m.cols = cols;
        m.row_bytes = checked_mul(cols / tr.block_size, tr.type_size, "quant_matrix row bytes");
        const std::uint64_t total = checked_mul(m.row_bytes, rows, "quant_matrix bytes");
        require(total == bytes.size(), error_kind::invalid_argument, [&] {
            return what + ": " + std::to_string(bytes.size()) + " bytes, [" + std::to_string(rows) + ", " +
                   std::to_string(cols) + "] of " + std::string(tr.name) + " needs " + std::to_string(total);
        });
        m.data = bytes.data();
        return m;
    }

    const std::byte* row(std::size_t r) const noexcept { return data + r * row_bytes; }
    std::size_t bytes() const noexcept { return rows * row_bytes; }

    std::size_t n_blocks() const noexcept { return cols / traits_of(type).block_size; }

    // Decodes row r into out[cols].
    void dequantize_row(std::size_t r, float* out) const noexcept {
        if (layout == quant_layout::blocks) {
            ops::dequantize_row(type, row(r), out, n_blocks());
            return;
        }
        std::byte block[sizeof(block_q8_0)];  // the largest block with a grouped layout
        for (std::size_t b = 0; b < n_blocks(); ++b) {
            block_in_ggml_order(type, layout, row(r), b, n_blocks(), block);
            ops::dequantize_row(type, block, out + 32 * b, 1);
        }
    }

    // Copies the rows [r0, r1) to the same rows of `dst` (bytes() long, this matrix's
    // geometry), grouped when the type has a grouped layout and verbatim otherwise; `dst`
    // then holds the matrix as_copied_to(dst) describes. This matrix must be in ggml order.
    void copy_rows_to(std::byte* dst, std::size_t r0, std::size_t r1) const noexcept {
        if (!has_grouped_layout(type)) {
            std::memcpy(dst + r0 * row_bytes, row(r0), (r1 - r0) * row_bytes);
            return;
        }
        for (std::size_t r = r0; r < r1; ++r) group_row(type, row(r), dst + r * row_bytes, n_blocks());
    }
    quant_matrix as_copied_to(const std::byte* dst) const noexcept {
        quant_matrix m = *this;
        m.data = dst;
        m.layout = has_grouped_layout(type) ? quant_layout::grouped : quant_layout::blocks;
        return m;
    }
};

inline constexpr std::size_t quant_gemv_rows_per_task = 32;
inline constexpr std::size_t quant_gemm_rows_per_task = 32;
inline constexpr std::size_t quant_gemm_acts_per_task = 64;

namespace detail {

// Locality 1 (prefetcht2: into L2, not L1). The non-temporal hint (locality 0) made the
// DRAM-bound GEMV of Gemma's 178 MB output matrix 1.5-1.8x slower on the Zen 4 test machine
// (best of 5 interleaved runs, 1 thread: 27-35 ms vs 13-19 ms per token).
inline void prefetch(const char* p) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p, 0, 1);
#else
    (void)p;
#endif
}

template <class F>
inline void dispatch_int8_type(ggml_type t, F&& f) {
    switch (t) {
    case ggml_type::q4_0: f.template operator()<ggml_type::q4_0>(); break;
    case ggml_type::q4_1: f.template operator()<ggml_type::q4_1>(); break;
    case ggml_type::q8_0: f.template operator()<ggml_type::q8_0>(); break;
    case ggml_type::q5_0: f.template operator()<ggml_type::q5_0>(); break;
    case ggml_type::q4_k: f.template operator()<ggml_type::q4_k>(); break;
    case ggml_type::q6_k: f.template operator()<ggml_type::q6_k>(); break;
    default: break;
    }
}

// Rows [n0, n1) × activation rows [m0, m1) with the integer kernels; Grouped: w is in the
// grouped layout.
template <ggml_type T, bool Fine, bool Grouped>
void quant_block_int8(const quant_matrix& w, const q8_activations& xa, tensor_view<float> y, bool accumulate,
                      std::size_t n0, std::size_t n1, std::size_t m0, std::size_t m1) noexcept {
    const std::size_t n_blocks = w.cols / 32;
    float tile[4 * 4];
    const auto store = [&](std::size_t n, std::size_t m, std::size_t nr, std::size_t nc, std::size_t ldo) {
        for (std::size_t r = 0; r < nr; ++r)
            for (std::size_t c = 0; c < nc; ++c) {
                float& dst = y.data()[(m + c) * y.stride(0) + (n + r) * y.stride(1)];
                dst = accumulate ? dst + tile[r * ldo + c] : tile[r * ldo + c];
            }
    };
    for (std::size_t m = m0; m < m1;) {
        const bool four_acts = m1 - m >= 4;
        const std::size_t nc = four_acts ? 4 : 1;
        const q8_group* a[4] = {xa.row(m), nullptr, nullptr, nullptr};
        if (four_acts)
            for (std::size_t c = 1; c < 4; ++c) a[c] = xa.row(m + c);
        for (std::size_t n = n0; n < n1;) {
            // GEMV streams the weights once: ask for the tile four steps ahead now, so its
            // lines arrive while this one is computed (the file's 4 KiB pages defeat part of
            // the hardware prefetcher).
            if (m1 - m0 == 1 && n + 20 <= w.rows) {
                const char* p = reinterpret_cast<const char*>(w.row(n + 16));
                for (std::size_t off = 0; off < 4 * w.row_bytes; off += 64) prefetch(p + off);
            }
            if (n1 - n >= 4) {
                const std::byte* wr[4] = {w.row(n), w.row(n + 1), w.row(n + 2), w.row(n + 3)};
                if (four_acts) qdot_tile<T, 4, 4, Fine, Grouped>(wr, a, n_blocks, tile, 4);
                else qdot_tile<T, 4, 1, Fine, Grouped>(wr, a, n_blocks, tile, 1);
                store(n, m, 4, nc, nc);
                n += 4;
            } else {
                const std::byte* wr[1] = {w.row(n)};
                if (four_acts) qdot_tile<T, 1, 4, Fine, Grouped>(wr, a, n_blocks, tile, 4);
                else qdot_tile<T, 1, 1, Fine, Grouped>(wr, a, n_blocks, tile, 1);
                store(n, m, 1, nc, nc);
                n += 1;
            }
        }
        m += nc;
    }
}

// The float path for types without an integer kernel.
inline void quant_block_float(const quant_matrix& w, const tensor_view<const float>& x, tensor_view<float> y,
                              bool accumulate, std::size_t n0, std::size_t n1, std::size_t m0, std::size_t m1) {
    std::vector<float> row(w.cols);
    for (std::size_t n = n0; n < n1; ++n) {
        w.dequantize_row(n, row.data());
        for (std::size_t m = m0; m < m1; ++m) {
            const float v = simd::dot(row.data(), x.data() + m * x.stride(0), w.cols);
            float& dst = y.data()[m * y.stride(0) + n * y.stride(1)];
            dst = accumulate ? dst + v : v;
        }
    }
}

}  // namespace detail

// y [M, N] = xa [M, K] · wᵀ (accumulate: y +=). y may be strided (rows and columns).
// invalid_argument when the shapes do not agree.
inline void quant_matmul(const quant_matrix& w, const q8_activations& xa, tensor_view<float> y,
                         thread_pool* pool = nullptr, bool accumulate = false) {
    require(y.rank() == 2 && y.extent(0) == xa.rows() && y.extent(1) == w.rows && xa.k() == w.cols,
            error_kind::invalid_argument, [&] {
                return "quant_matmul: x [" + std::to_string(xa.rows()) + ", " + std::to_string(xa.k()) + "] · W [" +
                       std::to_string(w.rows) + ", " + std::to_string(w.cols) + "]ᵀ does not fit y " +
                       y.dims().to_string();
            });
    const std::size_t M = xa.rows(), N = w.rows;
    if (M == 0) return;
    const bool int8 = has_int8_kernel(w.type) && !xa.float_only();
    if (!int8)
        require(xa.source().rank() == 2 && xa.source().extent(0) == M, error_kind::invalid_argument,
                "quant_matmul: the float rows behind the activations are gone");
    // GEMV: one contiguous share of the rows per thread (a multiple of the 32-row chunk), so
    // each core streams one run of memory its prefetchers can follow; chunks handed out
    // alternately made both cores' streams jump. Tasks never change a row's arithmetic.
    const std::size_t threads = pool ? pool->size() : 1, chunk = quant_gemv_rows_per_task;
    const std::size_t share = (N + threads - 1) / threads;
    const std::size_t gemv_rows = std::max(chunk, (share + chunk - 1) / chunk * chunk);
    const std::size_t rows_per_task = M == 1 ? gemv_rows : quant_gemm_rows_per_task;
    const std::size_t acts_per_task = M == 1 ? 1 : quant_gemm_acts_per_task;
    const std::size_t n_tasks_n = (N + rows_per_task - 1) / rows_per_task;
    const std::size_t n_tasks_m = (M + acts_per_task - 1) / acts_per_task;
    parallel_for(pool, n_tasks_n * n_tasks_m, [&](std::size_t t) {
        const std::size_t tn = t % n_tasks_n, tm = t / n_tasks_n;
        const std::size_t n0 = tn * rows_per_task, n1 = std::min(N, n0 + rows_per_task);
        const std::size_t m0 = tm * acts_per_task, m1 = std::min(M, m0 + acts_per_task);
        if (int8) {
            detail::dispatch_int8_type(w.type, [&]<ggml_type T>() {
                const auto run = [&]<bool Grouped>() {
                    if (xa.fine()) detail::quant_block_int8<T, true, Grouped>(w, xa, y, accumulate, n0, n1, m0, m1);
                    else detail::quant_block_int8<T, false, Grouped>(w, xa, y, accumulate, n0, n1, m0, m1);
                };
                if constexpr (has_grouped_layout(T))
                    if (w.layout == quant_layout::grouped) return run.template operator()<true>();
                run.template operator()<false>();
            });
        } else {
            detail::quant_block_float(w, xa.source(), y, accumulate, n0, n1, m0, m1);
        }
    });
}

// Convenience: quantizes x [M, K] into `scratch` and multiplies.
inline void quant_matmul(const quant_matrix& w, tensor_view<const float> x, tensor_view<float> y,
                         q8_activations& scratch, thread_pool* pool = nullptr, bool accumulate = false) {
    scratch.quantize(x, pool);
    quant_matmul(w, scratch, y, pool, accumulate);
}

}  // namespace tessera::ops
