#pragma once
// multi_head_attention: projections around ops::attention.
//   q = x·Wqᵀ + bq [n, n_heads, head_dim]; k, v = x·Wkᵀ + bk, x·Wvᵀ + bv [n, n_kv_heads, head_dim]
//   optional RoPE on q and k at their absolute positions
//   out = attention(q, k, v)·Woᵀ + bo [n, hidden]
// Weights: separate q/k/v/o linears, or one fused qkv linear whose output columns are
// [q | k | v] (torch.nn.MultiheadAttention's in_proj_weight [3E, E]; GPT-2's c_attn in
// the Conv1D layout). Grouped-query heads when n_kv_heads < n_heads.
//
// Three ways to call it; x is [batch, seq, hidden] or [seq, hidden] (batch 1):
//   forward         self-attention over whole sequences, positions 0..seq-1, optional key
//                   padding (per batch row) and additive masks; no cache.
//   forward_cached  self-attention of n new tokens per sequence against that sequence's
//                   kv_cache (one cache per batch row, each at its own position): writes the
//                   new K/V into the cache at rows [size, size + n) of `layer` and attends
//                   to rows [0, size + n). The caller advances the caches after the last layer.
//   forward_cross   queries from x against encoder memory projected once (project_memory).
// With `accumulate`, out += attention output (the residual add fused into the output
// GEMM); out may then be the same view as x, which is read only before out is written.
// The layer is immutable and may be shared across threads; scratch comes from the
// caller's workspace and state from the caller's caches.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/nn/kv_cache.hpp"
#include "tessera/nn/linear.hpp"
#include "tessera/nn/rows.hpp"
#include "tessera/nn/workspace.hpp"
#include "tessera/ops/attention.hpp"
#include "tessera/ops/bidirectional_attention.hpp"
#include "tessera/ops/positional.hpp"

namespace tessera::nn {

struct attention_config {
    std::size_t hidden = 0;      // model width, input and output
    std::size_t n_heads = 0;     // query heads
    std::size_t n_kv_heads = 0;  // 0 means n_heads
    std::size_t head_dim = 0;    // 0 means hidden / n_heads
    bool causal = false;
    float scale = 0.0f;                    // 0 means 1/√head_dim
    std::optional<ops::rope_config> rope;  // rotary embeddings on q and k (head_dim must match)
};

// Masks for forward(); both optional.
struct attention_masks {
    std::span<const std::uint8_t> key_padding = {};  // [batch·seq]: 1 = token, 0 = padding (HF attention_mask)
    tensor_view<const float> additive = {};          // [seq, seq] or rank 0 (none), added for every batch row
};

// Encoder memory projected for cross attention, owned by the caller (one per request).
struct projected_memory {
    std::size_t batch = 0, n_mem = 0;
    tensor<float> k;  // [batch·n_mem, n_kv_heads, head_dim]
    tensor<float> v;  // [batch·n_mem, n_kv_heads, head_dim]
};

class multi_head_attention {
public:
    multi_head_attention() = default;

    multi_head_attention(const attention_config& cfg, const linear& q, const linear& k, const linear& v,
                         const linear& o)
        : cfg_(resolve(cfg)), q_(q), k_(k), v_(v), o_(o) {
        check();
    }

    // qkv: output columns [q (n_heads·head_dim) | k (n_kv_heads·head_dim) | v (same)].
    static multi_head_attention fused(const attention_config& cfg, const linear& qkv, const linear& o) {
        const attention_config c = resolve(cfg);
        const std::size_t nq = c.n_heads * c.head_dim, nk = c.n_kv_heads * c.head_dim;
        require(!qkv.empty() && qkv.out_features() == nq + 2 * nk, error_kind::invalid_argument, [&] {
            return "multi_head_attention: fused qkv weight " + qkv.weight().dims().to_string() + " must have " +
                   std::to_string(nq + 2 * nk) + " outputs";
        });
        const auto part = [&](std::size_t b, std::size_t e) {
            const std::size_t dim = qkv.layout() == weight_layout::out_in ? 0 : 1;
            tensor_view<const float> w = qkv.weight().slice(dim, b, e);
            tensor_view<const float> bias = qkv.bias().rank() == 0 ? qkv.bias() : qkv.bias().slice(0, b, e);
            return linear(w, bias, qkv.layout());
        };
        multi_head_attention m(c, part(0, nq), part(nq, nq + nk), part(nq + nk, nq + 2 * nk), o);
        m.qkv_ = qkv.with_activation(ops::activation::none);
        return m;
    }

    const attention_config& config() const noexcept { return cfg_; }

    void forward(tensor_view<const float> x, tensor_view<float> out, const attention_masks& masks, workspace& ws,
                 thread_pool* pool = nullptr, bool accumulate = false) const {
        const tensor_view<const float> xr = as_rows(x, "multi_head_attention");
        const tensor_view<float> outr = check_io(x, xr, out);
        const std::size_t batch = x.rank() == 3 ? x.extent(0) : 1, tokens = xr.extent(0);
        const std::size_t seq = batch ? tokens / batch : 0;
        require(masks.key_padding.empty() || masks.key_padding.size() == tokens, error_kind::invalid_argument, [&] {
            return "multi_head_attention: key_padding has " + std::to_string(masks.key_padding.size()) +
                   " entries for " + std::to_string(tokens) + " tokens";
        });
        workspace::frame f(ws);
        const projections p = project(xr, ws, pool);
        if (cfg_.rope) {
            const ops::rope_table table(*cfg_.rope, 0, seq);
            for (std::size_t b = 0; b < batch; ++b) {
                ops::apply_rope(p.q.slice(0, b * seq, (b + 1) * seq), table);
                ops::apply_rope(p.k.slice(0, b * seq, (b + 1) * seq), table);
            }
        }
        tensor_view<float> ctx = ws.take(shape{tokens, cfg_.n_heads, cfg_.head_dim});  // [tokens, n_heads, head_dim]
        for (std::size_t b = 0; b < batch; ++b) {
            ops::attention_options opt;
            opt.scale = cfg_.scale;
            opt.causal = cfg_.causal;
            opt.additive_mask = masks.additive;
            if (!masks.key_padding.empty()) opt.key_mask = masks.key_padding.subspan(b * seq, seq);
            // Non-causal self-attention (encoders) takes the whole-row kernel; causal keeps the
            // tiled one, whose rows equal those of the cached, one-token-at-a-time path.
            const auto q = p.q.slice(0, b * seq, (b + 1) * seq), k = p.k.slice(0, b * seq, (b + 1) * seq);
            const auto v = p.v.slice(0, b * seq, (b + 1) * seq);
            if (cfg_.causal) ops::attention(q, k, v, ctx.slice(0, b * seq, (b + 1) * seq), opt, pool);
            else ops::bidirectional_attention(q, k, v, ctx.slice(0, b * seq, (b + 1) * seq), opt, pool);
        }
        o_.forward(ctx.reshape(shape{tokens, cfg_.n_heads * cfg_.head_dim}), outr, pool, accumulate);
    }

    // One cache per batch row; x [caches.size(), n, hidden] or [n, hidden] with one cache.
    void forward_cached(tensor_view<const float> x, tensor_view<float> out, std::span<kv_cache* const> caches,
                        std::size_t layer, workspace& ws, thread_pool* pool = nullptr, bool accumulate = false) const {
        const tensor_view<const float> xr = as_rows(x, "multi_head_attention");
        const tensor_view<float> outr = check_io(x, xr, out);
        const std::size_t batch = x.rank() == 3 ? x.extent(0) : 1, tokens = xr.extent(0);
        require(caches.size() == batch, error_kind::invalid_argument, [&] {
            return "multi_head_attention: " + std::to_string(caches.size()) + " caches for a batch of " +
                   std::to_string(batch) + " (x " + x.dims().to_string() + ")";
        });
        const std::size_t n = batch ? tokens / batch : 0;
        for (kv_cache* c : caches) {
            require(c && layer < c->n_layers() && c->n_kv_heads() == cfg_.n_kv_heads && c->head_dim() == cfg_.head_dim,
                    error_kind::invalid_argument, [&] {
                        return "multi_head_attention: cache does not fit layer " + std::to_string(layer) + " with " +
                               std::to_string(cfg_.n_kv_heads) + " kv heads of " + std::to_string(cfg_.head_dim);
                    });
            c->require_room(n);
        }
        workspace::frame f(ws);
        const projections p = project(xr, ws, pool);
        tensor_view<float> ctx = ws.take(shape{tokens, cfg_.n_heads, cfg_.head_dim});  // [tokens, n_heads, head_dim]
        for (std::size_t b = 0; b < batch; ++b) {
            kv_cache& c = *caches[b];
            const std::size_t pos0 = c.size();
            const tensor_view<float> qb = p.q.slice(0, b * n, (b + 1) * n), kb = p.k.slice(0, b * n, (b + 1) * n);
            if (cfg_.rope) {
                const ops::rope_table table(*cfg_.rope, pos0, n);
                ops::apply_rope(qb, table);
                ops::apply_rope(kb, table);
            }
            copy_heads(kb, c.keys(layer, pos0, pos0 + n));
            copy_heads(p.v.slice(0, b * n, (b + 1) * n), c.values(layer, pos0, pos0 + n));
            ops::attention_options opt;
            opt.scale = cfg_.scale;
            opt.causal = cfg_.causal;
            opt.q_pos0 = pos0;
            ops::attention(qb, c.keys(layer, 0, pos0 + n), c.values(layer, 0, pos0 + n),
                           ctx.slice(0, b * n, (b + 1) * n), opt, pool);
        }
        o_.forward(ctx.reshape(shape{tokens, cfg_.n_heads * cfg_.head_dim}), outr, pool, accumulate);
    }

    void forward_cached(tensor_view<const float> x, tensor_view<float> out, kv_cache& cache, std::size_t layer,
                        workspace& ws, thread_pool* pool = nullptr, bool accumulate = false) const {
        kv_cache* one[] = {&cache};
        forward_cached(x, out, std::span<kv_cache* const>(one), layer, ws, pool, accumulate);
    }

    // memory [batch, n_mem, hidden] (or [n_mem, hidden]) -> K, V for forward_cross.
    projected_memory project_memory(tensor_view<const float> memory, thread_pool* pool = nullptr) const {
        const tensor_view<const float> mr = as_rows(memory, "multi_head_attention::project_memory");
        require(mr.extent(1) == cfg_.hidden, error_kind::invalid_argument, [&] {
            return "multi_head_attention: memory " + memory.dims().to_string() + " must have width " +
                   std::to_string(cfg_.hidden);
        });
        projected_memory m;
        m.batch = memory.rank() == 3 ? memory.extent(0) : 1;
        m.n_mem = m.batch ? mr.extent(0) / m.batch : 0;
        m.k = tensor<float>(shape{mr.extent(0), cfg_.n_kv_heads, cfg_.head_dim});
        m.v = tensor<float>(shape{mr.extent(0), cfg_.n_kv_heads, cfg_.head_dim});
        k_.forward(mr, m.k.view().reshape(shape{mr.extent(0), cfg_.n_kv_heads * cfg_.head_dim}), pool);
        v_.forward(mr, m.v.view().reshape(shape{mr.extent(0), cfg_.n_kv_heads * cfg_.head_dim}), pool);
        return m;
    }

    // x [batch, n, hidden] against memory of the same batch; memory_padding [batch·n_mem]
    // (1 = token, 0 = padding) or empty.
    void forward_cross(tensor_view<const float> x, const projected_memory& memory, tensor_view<float> out,
                       std::span<const std::uint8_t> memory_padding, workspace& ws, thread_pool* pool = nullptr,
                       bool accumulate = false) const {
        const tensor_view<const float> xr = as_rows(x, "multi_head_attention");
        const tensor_view<float> outr = check_io(x, xr, out);
        const std::size_t batch = x.rank() == 3 ? x.extent(0) : 1, tokens = xr.extent(0);
        require(memory.batch == batch && memory.k.extent(0) == batch * memory.n_mem, error_kind::invalid_argument, [&] {
            return "multi_head_attention: memory of batch " + std::to_string(memory.batch) + " for x " +
                   x.dims().to_string();
        });
        require(memory_padding.empty() || memory_padding.size() == batch * memory.n_mem, error_kind::invalid_argument,
                [&] {
                    return "multi_head_attention: memory_padding has " + std::to_string(memory_padding.size()) +
                           " entries for " + std::to_string(batch * memory.n_mem) + " memory tokens";
                });
        const std::size_t n = batch ? tokens / batch : 0, m = memory.n_mem;
        workspace::frame f(ws);
        tensor_view<float> q = ws.take(shape{tokens, cfg_.n_heads, cfg_.head_dim});  // [tokens, n_heads, head_dim]
        q_.forward(xr, q.reshape(shape{tokens, cfg_.n_heads * cfg_.head_dim}), pool);
        tensor_view<float> ctx = ws.take(shape{tokens, cfg_.n_heads, cfg_.head_dim});
        for (std::size_t b = 0; b < batch; ++b) {
            ops::attention_options opt;
            opt.scale = cfg_.scale;
            if (!memory_padding.empty()) opt.key_mask = memory_padding.subspan(b * m, m);
            ops::attention(q.slice(0, b * n, (b + 1) * n), memory.k.view().slice(0, b * m, (b + 1) * m),
                           memory.v.view().slice(0, b * m, (b + 1) * m), ctx.slice(0, b * n, (b + 1) * n), opt, pool);
        }
        o_.forward(ctx.reshape(shape{tokens, cfg_.n_heads * cfg_.head_dim}), outr, pool, accumulate);
    }

private:
    struct projections {
        tensor_view<float> q;  // [tokens, n_heads, head_dim]
        tensor_view<float> k;  // [tokens, n_kv_heads, head_dim]
        tensor_view<float> v;  // [tokens, n_kv_heads, head_dim]
    };

    static attention_config resolve(attention_config c) {
        if (c.n_kv_heads == 0) c.n_kv_heads = c.n_heads;
        if (c.head_dim == 0 && c.n_heads > 0) c.head_dim = c.hidden / c.n_heads;
        require(c.hidden > 0 && c.n_heads > 0 && c.head_dim > 0 && c.n_heads % c.n_kv_heads == 0,
                error_kind::invalid_argument, [&] {
                    return "multi_head_attention: hidden " + std::to_string(c.hidden) + ", heads " +
                           std::to_string(c.n_heads) + ", kv heads " + std::to_string(c.n_kv_heads) + ", head_dim " +
                           std::to_string(c.head_dim) + " are inconsistent";
                });
        require(std::isfinite(c.scale) && c.scale >= 0.0f, error_kind::invalid_argument,
                "multi_head_attention: scale must be finite and >= 0");
        if (c.rope) {
            require(c.rope->head_dim == c.head_dim, error_kind::invalid_argument,
                    "multi_head_attention: rope head_dim differs from the attention head_dim");
            ops::validate(*c.rope);
        }
        return c;
    }

    void check() const {
        const std::size_t nq = cfg_.n_heads * cfg_.head_dim, nk = cfg_.n_kv_heads * cfg_.head_dim;
        const auto fits = [](const linear& l, std::size_t in, std::size_t out) {
            return !l.empty() && l.in_features() == in && l.out_features() == out;
        };
        require(fits(q_, cfg_.hidden, nq) && fits(k_, cfg_.hidden, nk) && fits(v_, cfg_.hidden, nk) &&
                    fits(o_, nq, cfg_.hidden),
                error_kind::invalid_argument, [&] {
                    return "multi_head_attention: weights q " + q_.weight().dims().to_string() + ", k " +
                           k_.weight().dims().to_string() + ", v " + v_.weight().dims().to_string() + ", o " +
                           o_.weight().dims().to_string() + " do not fit hidden " + std::to_string(cfg_.hidden) +
                           ", " + std::to_string(cfg_.n_heads) + " heads, " + std::to_string(cfg_.n_kv_heads) +
                           " kv heads of " + std::to_string(cfg_.head_dim);
                });
    }

    tensor_view<float> check_io(const tensor_view<const float>& x, const tensor_view<const float>& xr,
                                const tensor_view<float>& out) const {
        require(xr.extent(1) == cfg_.hidden && out.dims() == x.dims(), error_kind::invalid_argument, [&] {
            return "multi_head_attention: x " + x.dims().to_string() + " and out " + out.dims().to_string() +
                   " must be the same [batch, seq, " + std::to_string(cfg_.hidden) + "]";
        });
        return as_rows(out, "multi_head_attention");
    }

    projections project(const tensor_view<const float>& xr, workspace& ws, thread_pool* pool) const {
        const std::size_t t = xr.extent(0), hd = cfg_.head_dim;
        const std::size_t nq = cfg_.n_heads * hd, nk = cfg_.n_kv_heads * hd;
        if (!qkv_.empty()) {  // one GEMM; q, k and v are column blocks of its output
            const std::size_t w = nq + 2 * nk;
            tensor_view<float> all = ws.take(shape{t, w});  // [tokens, nq + 2·nk]
            qkv_.forward(xr, all, pool);
            return {tensor_view<float>(all.data(), shape{t, cfg_.n_heads, hd}, shape{w, hd, 1}),
                    tensor_view<float>(all.data() + nq, shape{t, cfg_.n_kv_heads, hd}, shape{w, hd, 1}),
                    tensor_view<float>(all.data() + nq + nk, shape{t, cfg_.n_kv_heads, hd}, shape{w, hd, 1})};
        }
        projections p{ws.take(shape{t, cfg_.n_heads, hd}), ws.take(shape{t, cfg_.n_kv_heads, hd}),
                      ws.take(shape{t, cfg_.n_kv_heads, hd})};
        q_.forward(xr, p.q.reshape(shape{t, nq}), pool);
        k_.forward(xr, p.k.reshape(shape{t, nk}), pool);
        v_.forward(xr, p.v.reshape(shape{t, nk}), pool);
        return p;
    }

    // dst [n, heads, d] (contiguous) = src [n, heads, d] (rows strided, unit stride along d).
    static void copy_heads(const tensor_view<const float>& src, const tensor_view<float>& dst) {
        for (std::size_t i = 0; i < src.extent(0); ++i)
            for (std::size_t h = 0; h < src.extent(1); ++h)
                std::memcpy(&dst(i, h, 0), &src(i, h, 0), src.extent(2) * sizeof(float));
    }

    attention_config cfg_;
    linear q_, k_, v_, o_;
    linear qkv_;  // set by fused(): one GEMM for self-attention
};

}  // namespace tessera::nn
