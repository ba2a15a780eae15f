#pragma once
// bert_model: the BERT encoder (Devlin et al. 2019) as transformers' BertModel computes it,
// loaded from a Hugging Face checkpoint directory (config.json + model.safetensors).
//
//   x = LayerNorm(word[id] + token_type[type] + position[pos])            [tokens, H]
//   N times (post-norm):
//     qkv = x·W_qkvᵀ + b_qkv                                              [tokens, 3H]
//     x   = LayerNorm(x + attention(q, k, v)·W_oᵀ + b_o)                   [tokens, H]
//     x   = LayerNorm(x + gelu(x·W_upᵀ + b_up)·W_downᵀ + b_down)           [tokens, H]
//   -> hidden states (HF's last_hidden_state); BertModel's pooler is not applied.
// GELU is the erf form for hidden_act "gelu" (HF's default), the tanh form for
// "gelu_new" / "gelu_pytorch_tanh" / "gelu_fast"; "relu" works too.
//
// Tensors are bound by their HF names (with or without the "bert." prefix of
// BertFor* checkpoints); model_config::validate_against checks every name and shape
// against config.json before anything is bound (models/config_tensors.hpp).
// The four linears of each layer are packed once at load (ops::packed_matrix, fp32; q, k
// and v side by side so the projection is one GEMM). Embedding tables, biases and
// LayerNorm parameters are views into the mapped file when it stores them as aligned
// f32, copies converted to f32 otherwise.
//
// Two ways in:
//   forward         a padded batch as HF takes it: ids, attention_mask and token_type_ids
//                   [batch, seq]; padded keys are masked out, padded rows are computed
//                   (meaningless, as in HF) -> [batch, seq, H]
//   forward_packed  sequences back to back without padding: ids [Σ len], lengths [batch];
//                   positions restart at 0 in each sequence, attention stays inside it
//                   -> [Σ len, H]. No FLOP is spent on padding.
// Every row of a GEMM, LayerNorm and attention output is computed in an order that
// depends on its own sequence only (packed_matrix rows are independent of M, attention
// works per sequence), so a sequence gives bitwise the same hidden states alone, in a
// packed batch, or in a padded batch, for any thread count (tests/test_bert.cpp).
//
// Immutable after load; share one model across threads, each with its own workspace.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/io/safetensors.hpp"
#include "tessera/models/config.hpp"
#include "tessera/nn/workspace.hpp"
#include "tessera/ops/bidirectional_attention.hpp"
#include "tessera/ops/gemm.hpp"
#include "tessera/ops/norm.hpp"
#include "tessera/ops/packed_matrix.hpp"

namespace tessera::models {

class bert_model {
public:
    // dir: config.json and model.safetensors (or a sharded index). Errors: those of
    // model_config / safetensors_model, inconsistent for a tensor that disagrees with the
    // config, unsupported for an activation or layout tessera does not implement.
    static bert_model load(const std::filesystem::path& dir, const io::safetensors_model_options& opt = {}) {
        model_config cfg = model_config::from_json_file(dir / "config.json");
        auto weights = std::make_shared<const io::safetensors_model>(dir, opt);
        return bert_model(std::move(cfg), std::move(weights));
    }

    bert_model(model_config cfg, std::shared_ptr<const io::safetensors_model> weights)
        : cfg_(std::move(cfg)), weights_(std::move(weights)) {
        require(weights_ != nullptr, error_kind::invalid_argument, "bert_model: no weights");
        require(cfg_.arch == architecture::bert, error_kind::unsupported, [&] {
            return cfg_.what + ": model_type \"" + cfg_.model_type + "\" is not a BERT encoder";
        });
        const std::string where = weights_->directory().string();
        cfg_.validate_against(tensor_listing(*weights_), where);
        act_ = activation_of(cfg_.hidden_act);
        const std::string p = weights_->contains("bert.embeddings.word_embeddings.weight") ? "bert." : "";
        word_ = f32(p + "embeddings.word_embeddings.weight");       // [V, H]
        position_ = f32(p + "embeddings.position_embeddings.weight");  // [P, H]
        token_type_ = f32(p + "embeddings.token_type_embeddings.weight");  // [T, H]
        emb_ln_ = {f32(p + "embeddings.LayerNorm.weight"), f32(p + "embeddings.LayerNorm.bias")};
        layers_.reserve(cfg_.n_layers);
        for (std::size_t i = 0; i < cfg_.n_layers; ++i) layers_.push_back(bind_layer(p + "encoder.layer." + std::to_string(i) + "."));
    }

    bert_model(bert_model&&) noexcept = default;
    bert_model& operator=(bert_model&&) noexcept = default;
    bert_model(const bert_model&) = delete;
    bert_model& operator=(const bert_model&) = delete;

    const model_config& config() const noexcept { return cfg_; }
    std::size_t hidden_size() const noexcept { return cfg_.hidden_size; }
    std::size_t max_positions() const noexcept { return cfg_.max_position_embeddings; }
    ops::activation hidden_activation() const noexcept { return act_; }
    // Bytes of the packed linear weights (owned; the rest is mapped).
    std::size_t packed_bytes() const noexcept {
        std::size_t b = 0;
        for (const layer& l : layers_) b += l.qkv.bytes() + l.out.bytes() + l.up.bytes() + l.down.bytes();
        return b;
    }

    // ids, attention_mask, type_ids: [batch, seq] row-major. An empty mask means all 1; empty
    // type ids mean all 0. Returns the hidden states [batch, seq, H].
    tensor<float> forward(std::span<const std::int32_t> ids, std::span<const std::int32_t> attention_mask,
                          std::span<const std::int32_t> type_ids, std::size_t batch, nn::workspace& ws,
                          thread_pool* pool = nullptr) const {
        require(batch > 0 && ids.size() % batch == 0, error_kind::invalid_argument, [&] {
            return "bert_model::forward: " + std::to_string(ids.size()) + " ids do not split into " +
                   std::to_string(batch) + " sequences";
        });
        const std::size_t seq = ids.size() / batch;
        require(attention_mask.empty() || attention_mask.size() == ids.size(), error_kind::invalid_argument, [&] {
            return "bert_model::forward: attention_mask has " + std::to_string(attention_mask.size()) +
                   " entries for " + std::to_string(ids.size()) + " ids";
        });
        std::vector<std::uint8_t> keys;
        if (!attention_mask.empty()) {
            keys.resize(ids.size());
            for (std::size_t i = 0; i < ids.size(); ++i) keys[i] = attention_mask[i] != 0;
        }
        std::vector<segment> segs(batch);
        for (std::size_t b = 0; b < batch; ++b) segs[b] = {b * seq, seq};
        tensor<float> out(shape{batch, seq, hidden_size()});
        run(ids, type_ids, segs, keys, out.view().reshape(shape{ids.size(), hidden_size()}), ws, pool);
        return out;
    }

    // ids, type_ids (or empty: all 0): the sequences back to back, [Σ lengths]; out [Σ lengths, H].
    void forward_packed(std::span<const std::int32_t> ids, std::span<const std::int32_t> type_ids,
                        std::span<const std::size_t> lengths, tensor_view<float> out, nn::workspace& ws,
                        thread_pool* pool = nullptr) const {
        std::vector<segment> segs(lengths.size());
        std::size_t at = 0;
        for (std::size_t i = 0; i < lengths.size(); ++i) {
            segs[i] = {at, lengths[i]};
            at += lengths[i];
        }
        require(at == ids.size(), error_kind::invalid_argument, [&] {
            return "bert_model::forward_packed: lengths add up to " + std::to_string(at) + ", not the " +
                   std::to_string(ids.size()) + " ids given";
        });
        require(out.rank() == 2 && out.extent(0) == ids.size() && out.extent(1) == hidden_size() && out.is_contiguous(),
                error_kind::invalid_argument, [&] {
                    return "bert_model::forward_packed: out " + out.dims().to_string() + " must be contiguous [" +
                           std::to_string(ids.size()) + ", " + std::to_string(hidden_size()) + "]";
                });
        run(ids, type_ids, segs, {}, out, ws, pool);
    }

    // Multiply-adds ×2 of one forward over sequences of these lengths (GEMMs and attention).
    double flops(std::span<const std::size_t> lengths) const noexcept {
        const double h = double(cfg_.hidden_size), in = double(cfg_.intermediate_size);
        double tokens = 0, attn = 0;
        for (std::size_t n : lengths) {
            tokens += double(n);
            attn += 4.0 * double(n) * double(n) * h;  // q·kᵀ and p·v
        }
        return double(cfg_.n_layers) * (tokens * 2.0 * (4.0 * h * h + 2.0 * h * in) + attn);
    }

private:
    struct norm_params {
        tensor_view<const float> gamma, beta;  // [H]
    };
    struct layer {
        ops::packed_matrix<> qkv;   // [3H, H]: query | key | value
        tensor<float> qkv_bias;     // [3H]
        ops::packed_matrix<> out;   // attention.output.dense [H, H]
        tensor_view<const float> out_bias;
        norm_params ln1;            // attention.output.LayerNorm
        ops::packed_matrix<> up;    // intermediate.dense [I, H]
        tensor_view<const float> up_bias;
        ops::packed_matrix<> down;  // output.dense [H, I]
        tensor_view<const float> down_bias;
        norm_params ln2;            // output.LayerNorm
    };
    struct segment {
        std::size_t begin, length;  // rows of one sequence in the token rows
    };

    static ops::activation activation_of(const std::string& name) {
        if (name == "gelu") return ops::activation::gelu_erf;
        if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast") return ops::activation::gelu_tanh;
        if (name == "relu") return ops::activation::relu;
        throw error(error_kind::unsupported, "bert_model: hidden_act \"" + name + "\" is not supported (gelu, gelu_new, relu are)");
    }

    // A tensor as f32: the mapped bytes when they are aligned f32, else a converted copy.
    tensor_view<const float> f32(const std::string& name) {
        const io::safetensors_tensor_info& info = weights_->info(name);
        const std::span<const std::byte> bytes = weights_->bytes(name);
        if (info.type == dtype::f32 && reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(float) == 0)
            return weights_->view<float>(name);
        owned_.push_back(weights_->load_f32(name));
        return owned_.back().view();
    }

    layer bind_layer(const std::string& at) {
        const std::size_t h = cfg_.hidden_size;
        layer l;
        // q, k, v stacked into one [3H, H] matrix so the projection is a single GEMM.
        tensor<float> w(shape{3 * h, h});
        l.qkv_bias = tensor<float>(shape{3 * h});
        const char* parts[] = {"query", "key", "value"};
        for (std::size_t j = 0; j < 3; ++j) {
            const std::string base = at + "attention.self." + parts[j];
            tensor<float>::copy(f32(base + ".weight"), w.view().slice(0, j * h, (j + 1) * h));
            tensor<float>::copy(f32(base + ".bias"), l.qkv_bias.view().slice(0, j * h, (j + 1) * h));
        }
        l.qkv = ops::packed_matrix<>::pack(w.view());
        l.out = ops::packed_matrix<>::pack(f32(at + "attention.output.dense.weight"));
        l.out_bias = f32(at + "attention.output.dense.bias");
        l.ln1 = {f32(at + "attention.output.LayerNorm.weight"), f32(at + "attention.output.LayerNorm.bias")};
        l.up = ops::packed_matrix<>::pack(f32(at + "intermediate.dense.weight"));
        l.up_bias = f32(at + "intermediate.dense.bias");
        l.down = ops::packed_matrix<>::pack(f32(at + "output.dense.weight"));
        l.down_bias = f32(at + "output.dense.bias");
        l.ln2 = {f32(at + "output.LayerNorm.weight"), f32(at + "output.LayerNorm.bias")};
        return l;
    }

    void check_ids(std::span<const std::int32_t> ids, std::span<const std::int32_t> type_ids,
                   std::span<const segment> segs) const {
        require(type_ids.empty() || type_ids.size() == ids.size(), error_kind::invalid_argument, [&] {
            return "bert_model: " + std::to_string(type_ids.size()) + " token type ids for " + std::to_string(ids.size()) + " ids";
        });
        for (std::size_t i = 0; i < ids.size(); ++i) {
            require(ids[i] >= 0 && std::uint64_t(ids[i]) < cfg_.vocab_size, error_kind::out_of_range, [&] {
                return "bert_model: token id " + std::to_string(ids[i]) + " at index " + std::to_string(i) +
                       " is outside the vocabulary of " + std::to_string(cfg_.vocab_size);
            });
            require(type_ids.empty() || (type_ids[i] >= 0 && std::uint64_t(type_ids[i]) < cfg_.type_vocab_size),
                    error_kind::out_of_range, [&] {
                        return "bert_model: token type id " + std::to_string(type_ids[i]) + " at index " +
                               std::to_string(i) + " is outside type_vocab_size " + std::to_string(cfg_.type_vocab_size);
                    });
        }
        for (const segment& s : segs)
            require(s.length <= cfg_.max_position_embeddings, error_kind::out_of_range, [&] {
                return "bert_model: a sequence of " + std::to_string(s.length) + " tokens is longer than max_position_embeddings " +
                       std::to_string(cfg_.max_position_embeddings) + " (truncate it)";
            });
    }

    // x [tokens, H] = LayerNorm(word + type + position), HF's order of additions.
    void embed(std::span<const std::int32_t> ids, std::span<const std::int32_t> type_ids, std::span<const segment> segs,
               tensor_view<float> x, thread_pool* pool) const {
        const std::size_t h = hidden_size();
        parallel_for(pool, segs.size(), [&](std::size_t si) {
            const segment s = segs[si];
            for (std::size_t t = 0; t < s.length; ++t) {
                const std::size_t row = s.begin + t;
                const float* w = word_.data() + std::size_t(ids[row]) * h;
                const float* ty = token_type_.data() + std::size_t(type_ids.empty() ? 0 : type_ids[row]) * h;
                const float* pos = position_.data() + t * h;
                float* dst = x.data() + row * h;
                for (std::size_t c = 0; c < h; ++c) dst[c] = (w[c] + ty[c]) + pos[c];
            }
        });
        ops::layer_norm(x, emb_ln_.gamma, emb_ln_.beta, float(cfg_.norm_eps), x, pool);
    }

    // x = LayerNorm(x + a·Wᵀ + bias). Where the GEMM itself would split C by rows (rows to
    // spare), in one parallel region: each task takes a block of whole row tiles through
    // the product and then the norm, which saves a fork and join per call and finds the rows
    // still in cache. Fewer rows (short sequences alone) would split unevenly: there the
    // GEMM splits its columns and the norm runs after. A row's bits are the same either way
    // (packed_matrix rows are independent of M and of the split).
    void residual_norm(tensor_view<const float> a, const ops::packed_matrix<>& w, tensor_view<const float> bias,
                       const norm_params& ln, tensor_view<float> x, thread_pool* pool) const {
        const std::size_t rows = x.extent(0), row_tile = w.tile_rows(rows);
        const std::size_t tiles = rows == 0 ? 0 : (rows + row_tile - 1) / row_tile;
        if (pool && pool->size() > 1 && !w.splits_rows(rows)) {
            ops::matmul(a, w, x, {.accumulate = true, .bias = bias.data()}, pool);
            ops::layer_norm(x, ln.gamma, ln.beta, float(cfg_.norm_eps), x, pool);
            return;
        }
        const std::size_t tasks = std::max<std::size_t>(1, std::min(pool ? pool->size() : 1, tiles));
        parallel_for(pool, tasks, [&](std::size_t t) {
            const std::size_t r0 = std::min(rows, tiles * t / tasks * row_tile);
            const std::size_t r1 = std::min(rows, tiles * (t + 1) / tasks * row_tile);
            if (r0 >= r1) return;
            const auto xr = x.slice(0, r0, r1);
            ops::matmul(a.slice(0, r0, r1), w, xr, {.accumulate = true, .bias = bias.data()}, nullptr);
            ops::layer_norm(xr, ln.gamma, ln.beta, float(cfg_.norm_eps), xr, nullptr);
        });
    }

    void run(std::span<const std::int32_t> ids, std::span<const std::int32_t> type_ids, std::span<const segment> segs,
             std::span<const std::uint8_t> key_mask, tensor_view<float> x, nn::workspace& ws, thread_pool* pool) const {
        check_ids(ids, type_ids, segs);
        const std::size_t tokens = ids.size(), h = hidden_size(), heads = cfg_.n_heads, d = cfg_.head_dim;
        if (tokens == 0) return;
        embed(ids, type_ids, segs, x, pool);
        nn::workspace::frame f(ws);
        tensor_view<float> qkv = ws.take(shape{tokens, 3 * h});               // [tokens, 3H]
        tensor_view<float> ctx = ws.take(shape{tokens, h});                   // [tokens, H] = [tokens, heads, d]
        tensor_view<float> inner = ws.take(shape{tokens, std::size_t(cfg_.intermediate_size)});  // [tokens, I]
        for (const layer& l : layers_) {
            ops::matmul(x, l.qkv, qkv, {.bias = l.qkv_bias.data()}, pool);
            // One task per (sequence, head): attention never crosses a sequence boundary, and
            // each output row is computed inside one task in a fixed order.
            parallel_for(pool, segs.size() * heads, [&](std::size_t task) {
                const segment s = segs[task / heads];
                const std::size_t head = task % heads;
                if (s.length == 0) return;
                const auto part = [&](std::size_t col) {  // [len, 1, d] view of q, k or v for this head
                    return tensor_view<const float>(qkv.data() + s.begin * 3 * h + col + head * d, shape{s.length, 1, d},
                                                    shape{3 * h, d, 1});
                };
                ops::attention_options opt;
                if (!key_mask.empty()) opt.key_mask = key_mask.subspan(s.begin, s.length);
                ops::bidirectional_attention(
                    part(0), part(h), part(2 * h),
                    tensor_view<float>(ctx.data() + s.begin * h + head * d, shape{s.length, 1, d}, shape{h, d, 1}), opt,
                    nullptr);
            });
            // x = LayerNorm(x + ctx·W_oᵀ + b_o), then x = LayerNorm(x + GELU(x·W_upᵀ + b)·W_downᵀ + b).
            residual_norm(ctx, l.out, l.out_bias, l.ln1, x, pool);
            ops::matmul(x, l.up, inner, {.bias = l.up_bias.data(), .act = act_}, pool);
            residual_norm(inner, l.down, l.down_bias, l.ln2, x, pool);
        }
    }

    model_config cfg_;
    std::shared_ptr<const io::safetensors_model> weights_;  // keeps the mapped views alive
    std::vector<tensor<float>> owned_;                       // converted copies (non-f32 files)
    ops::activation act_ = ops::activation::gelu_erf;
    tensor_view<const float> word_, position_, token_type_;  // [V, H], [P, H], [T, H]
    norm_params emb_ln_;
    std::vector<layer> layers_;
};

}  // namespace tessera::models
