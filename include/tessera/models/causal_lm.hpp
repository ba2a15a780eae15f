#pragma once
// causal_lm: a decoder-only language model assembled from nn layers, the part GPT-2
// (models/gpt2.hpp) and Llama (models/llama_hf.hpp) share once their weights are bound:
//
//   x = tok_emb[ids] (+ pos_emb[positions])          [batch, seq, hidden]
//   x = block_i(x) for i in 0..n_layers-1            pre-norm causal decoder blocks
//   h = final_norm(x);  logits = h·lm_headᵀ          [batch, seq, vocab]
//
// Two ways to run it:
//   forward         whole sequences, right-padded: ids [batch·seq] row-major, mask [batch·seq]
//                   (1 = token, 0 = padding, HF's attention_mask) or empty. Row b's token at
//                   position p sits at position p, so a right-padded row gives at its tokens
//                   exactly what it gives alone (causal attention never looks right, and the
//                   mask hides pads from nothing else); outputs at padded positions are
//                   computed but meaningless.
//   forward_cached  n new tokens per sequence, one nn::kv_cache per sequence (see
//                   nn/kv_cache.hpp), each at its own position; commits them (advance(n)).
// The model is immutable and shareable across threads; scratch comes from the caller's
// workspace, state from the caller's caches.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/models/safetensors_weights.hpp"
#include "tessera/nn/decoder_block.hpp"
#include "tessera/nn/embedding.hpp"
#include "tessera/nn/kv_cache.hpp"
#include "tessera/nn/linear.hpp"
#include "tessera/nn/norm_layer.hpp"
#include "tessera/nn/workspace.hpp"
#include "tessera/ops/positional.hpp"

namespace tessera::models {

// What a forward writes; every member is optional (rank-0 view / null = not wanted).
struct decoder_outputs {
    tensor_view<float> logits = {};  // [batch, seq, vocab], or [batch, 1, vocab] with logits_last_only
    bool logits_last_only = false;   // only each row's last token (the last mask-1 position)
    tensor_view<float> hidden = {};  // [batch, seq, hidden] after the final norm
    // Filled with n_layers + 1 tensors [batch, seq, hidden]: the embeddings, then each block's output.
    std::vector<tensor<float>>* layer_states = nullptr;
};

class causal_lm {
public:
    struct parts {
        nn::embedding tokens;                // [vocab, hidden]
        tensor_view<const float> positions;  // [max_positions, hidden] learned (GPT-2), or rank 0
        std::vector<nn::decoder_block> blocks;
        nn::norm_layer final_norm;
        nn::linear lm_head;  // [vocab, hidden]
        std::size_t n_kv_heads = 0, head_dim = 0;
        std::size_t max_positions = 0;  // the context the model was built for
        std::string what;               // for messages
    };

    causal_lm(parts p, std::unique_ptr<safetensors_weights> weights) : p_(std::move(p)), weights_(std::move(weights)) {
        require(!p_.blocks.empty() && p_.final_norm.dim() == hidden_size() && p_.lm_head.in_features() == hidden_size(),
                error_kind::invalid_argument,
                [&] { return p_.what + ": final norm or lm_head does not fit hidden size"; });
    }

    std::size_t vocab_size() const noexcept { return p_.lm_head.out_features(); }
    std::size_t hidden_size() const noexcept { return p_.tokens.dim(); }
    std::size_t n_layers() const noexcept { return p_.blocks.size(); }
    std::size_t max_positions() const noexcept { return p_.max_positions; }
    const safetensors_weights& weights() const noexcept { return *weights_; }

    // A cache for one sequence of up to max_seq tokens (0: the model's max_positions).
    nn::kv_cache make_cache(std::size_t max_seq = 0) const {
        return nn::kv_cache(n_layers(), max_seq ? max_seq : p_.max_positions, p_.n_kv_heads, p_.head_dim);
    }

    void forward(std::span<const std::int32_t> ids, std::size_t batch, std::span<const std::uint8_t> mask,
                 const decoder_outputs& out, nn::workspace& ws, thread_pool* pool = nullptr) const {
        require(batch > 0 && ids.size() % batch == 0 && !ids.empty(), error_kind::invalid_argument, [&] {
            return p_.what + ": " + std::to_string(ids.size()) + " ids do not split into " + std::to_string(batch) +
                   " non-empty sequences";
        });
        require(mask.empty() || mask.size() == ids.size(), error_kind::invalid_argument, [&] {
            return p_.what + ": mask has " + std::to_string(mask.size()) + " entries for " +
                   std::to_string(ids.size()) + " ids";
        });
        const std::size_t seq = ids.size() / batch;
        check_outputs(out, batch, seq);
        nn::workspace::frame f(ws);
        tensor_view<float> x = ws.take(shape{batch, seq, hidden_size()});  // [batch, seq, hidden]
        std::vector<std::size_t> pos0(batch, 0);
        embed(ids, batch, pos0, x);
        record(out, x, true);
        for (const nn::decoder_block& b : p_.blocks) {
            b.forward(x, nn::attention_masks{.key_padding = mask}, ws, pool);
            record(out, x, false);
        }
        std::vector<std::size_t> last(batch, seq - 1);
        if (!mask.empty())
            for (std::size_t b = 0; b < batch; ++b) {
                std::size_t l = 0;
                for (std::size_t i = 0; i < seq; ++i)
                    if (mask[b * seq + i]) l = i;
                last[b] = l;
            }
        finish(x, last, out, pool);
    }

    // ids [caches.size()·n]: n new tokens for each cached sequence. Advances every cache by n.
    void forward_cached(std::span<const std::int32_t> ids, std::span<nn::kv_cache* const> caches,
                        const decoder_outputs& out, nn::workspace& ws, thread_pool* pool = nullptr) const {
        const std::size_t batch = caches.size();
        require(batch > 0 && ids.size() % batch == 0 && !ids.empty(), error_kind::invalid_argument, [&] {
            return p_.what + ": " + std::to_string(ids.size()) + " ids for " + std::to_string(batch) + " caches";
        });
        const std::size_t n = ids.size() / batch;
        check_outputs(out, batch, n);
        std::vector<std::size_t> pos0(batch);
        for (std::size_t b = 0; b < batch; ++b) {
            require(caches[b] != nullptr, error_kind::invalid_argument, [&] { return p_.what + ": null kv_cache"; });
            caches[b]->require_room(n);
            pos0[b] = caches[b]->size();
        }
        nn::workspace::frame f(ws);
        tensor_view<float> x = ws.take(shape{batch, n, hidden_size()});  // [batch, n, hidden]
        embed(ids, batch, pos0, x);
        record(out, x, true);
        for (std::size_t l = 0; l < p_.blocks.size(); ++l) {
            p_.blocks[l].forward_cached(x, caches, l, ws, pool);
            record(out, x, false);
        }
        for (nn::kv_cache* c : caches) c->advance(n);
        finish(x, std::vector<std::size_t>(batch, n - 1), out, pool);
    }
    void forward_cached(std::span<const std::int32_t> ids, nn::kv_cache& cache, const decoder_outputs& out,
                        nn::workspace& ws, thread_pool* pool = nullptr) const {
        nn::kv_cache* one[] = {&cache};
        forward_cached(ids, std::span<nn::kv_cache* const>(one), out, ws, pool);
    }

private:
    void check_outputs(const decoder_outputs& out, std::size_t batch, std::size_t seq) const {
        const std::size_t lseq = out.logits_last_only ? 1 : seq;
        require(out.logits.rank() == 0 ||
                    (out.logits.dims() == shape{batch, lseq, vocab_size()} && out.logits.is_contiguous()),
                error_kind::invalid_argument, [&] {
                    return p_.what + ": logits " + out.logits.dims().to_string() + " must be contiguous " +
                           shape{batch, lseq, vocab_size()}.to_string();
                });
        require(out.hidden.rank() == 0 || out.hidden.dims() == shape{batch, seq, hidden_size()},
                error_kind::invalid_argument, [&] {
                    return p_.what + ": hidden " + out.hidden.dims().to_string() + " must be " +
                           shape{batch, seq, hidden_size()}.to_string();
                });
        if (out.layer_states) out.layer_states->clear();
    }

    // x[b] = tok_emb[ids of row b] (+ learned positions pos0[b] ..).
    void embed(std::span<const std::int32_t> ids, std::size_t batch, const std::vector<std::size_t>& pos0,
               const tensor_view<float>& x) const {
        const std::size_t seq = ids.size() / batch;
        const tensor_view<float> rows = x.reshape(shape{batch * seq, hidden_size()});
        p_.tokens.forward(ids, rows);
        if (p_.positions.rank() != 0)
            for (std::size_t b = 0; b < batch; ++b)
                ops::add_learned_positions(rows.slice(0, b * seq, (b + 1) * seq), p_.positions, pos0[b]);
    }

    static void record(const decoder_outputs& out, const tensor_view<float>& x, bool first) {
        if (!out.layer_states) return;
        if (first) out.layer_states->clear();
        out.layer_states->push_back(tensor<float>::from_view(x));
    }

    // Final norm, hidden output, lm_head (all rows, or row last[b] of each sequence).
    void finish(const tensor_view<float>& x, const std::vector<std::size_t>& last, const decoder_outputs& out,
                thread_pool* pool) const {
        const std::size_t batch = x.extent(0), seq = x.extent(1), h = hidden_size();
        const tensor_view<float> rows = x.reshape(shape{batch * seq, h});
        p_.final_norm.forward(rows, rows, pool);
        if (out.hidden.rank() != 0) tensor<float>::copy(x, out.hidden);
        if (out.logits.rank() == 0) return;
        if (!out.logits_last_only) {
            p_.lm_head.forward(rows, out.logits.reshape(shape{batch * seq, vocab_size()}), pool);
            return;
        }
        // The last rows are strided views of x: gather them with a stride of seq rows when
        // every row ends at the same position, else one GEMV per row.
        bool same = true;
        for (std::size_t b = 0; b < batch; ++b) same = same && last[b] == last[0];
        if (same) {
            const tensor_view<const float> sel(x.data() + last[0] * h, shape{batch, h}, shape{seq * h, 1});
            p_.lm_head.forward(sel, out.logits.reshape(shape{batch, vocab_size()}), pool);
            return;
        }
        for (std::size_t b = 0; b < batch; ++b)
            p_.lm_head.forward(rows.slice(0, b * seq + last[b], b * seq + last[b] + 1),
                               out.logits.slice(0, b, b + 1).reshape(shape{1, vocab_size()}), pool);
    }

    parts p_;
    std::unique_ptr<safetensors_weights> weights_;
};

}  // namespace tessera::models
