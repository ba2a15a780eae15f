#pragma once
// The original encoder-decoder Transformer (Vaswani et al. 2017) as torch.nn.Transformer
// builds it, wrapped with token embeddings, sinusoidal positions and an output projection:
//
//   encoder:  x = src_emb[src]·√d_model + PE;  x = enc_layer_i(x) (post-norm, or pre-norm
//             with norm_first);  memory = encoder.norm(x)
//   decoder:  y = tgt_emb[tgt]·√d_model + PE;  y = dec_layer_i(y, memory) (causal self-
//             attention, cross-attention, FFN);  y = decoder.norm(y);  logits = generator(y)
//
// torch adds the final LayerNorm to both stacks (nn.Transformer passes encoder_norm and
// decoder_norm), so both are required here.
//
// Weights: one safetensors file with torch's parameter names (d = d_model, F = dim_feedforward,
// Vs / Vt source / target vocab, N each layer):
//   src_embedding.weight [Vs, d]   tgt_embedding.weight [Vt, d]
//   generator.weight [Vt, d]   generator.bias [Vt]
//   transformer.encoder.layers.N.self_attn.in_proj_weight [3d, d]  .in_proj_bias [3d]
//   transformer.encoder.layers.N.self_attn.out_proj.weight [d, d]  .bias [d]
//   transformer.encoder.layers.N.linear1.weight [F, d] .bias [F]   linear2.weight [d, F] .bias [d]
//   transformer.encoder.layers.N.norm1/norm2.{weight,bias} [d]     transformer.encoder.norm.* [d]
//   transformer.decoder.layers.N.self_attn.* and .multihead_attn.* (as self_attn above),
//     linear1/linear2, norm1/norm2/norm3                           transformer.decoder.norm.* [d]
// Hyper-parameters come from the file's __metadata__ (transformer_config::from_metadata):
//   d_model nhead num_encoder_layers num_decoder_layers dim_feedforward vocab_size (or
//   src_vocab_size + tgt_vocab_size) activation (relu | gelu) norm_first (true | false)
//   layer_norm_eps, and optional pad_token_id bos_token_id eos_token_id.
//
// Decoding: greedy() and beam_search() for one source sequence, incremental through one
// nn::kv_cache per hypothesis; the encoder memory is projected to cross-attention K/V once.
// Beam search (the reference implementation is tools/reference/make_model_goldens.py):
//   live beams start as [bos] with score 0. Each step adds every live beam's next-token
//   log-softmax to its score; the (score, beam, token) candidates are ordered by score
//   descending, then beam index, then token id. Walking that order, an eos candidate
//   finishes a hypothesis with normalised score = score / (generated length)^length_penalty
//   (the length counts the eos, not the bos); any other candidate becomes a live beam,
//   until `width` live beams are chosen. The search stops once `width` hypotheses have
//   finished, or after max_new tokens (the live beams then finish as they are). Hypotheses
//   are returned best first (normalised score; the earlier finished wins a tie).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/io/safetensors_header.hpp"
#include "tessera/models/causal_lm.hpp"
#include "tessera/models/config.hpp"
#include "tessera/models/safetensors_weights.hpp"
#include "tessera/nn/cross_attention_block.hpp"
#include "tessera/nn/embedding.hpp"
#include "tessera/nn/encoder_block.hpp"
#include "tessera/nn/feed_forward.hpp"
#include "tessera/nn/kv_cache.hpp"
#include "tessera/nn/layer_norm.hpp"
#include "tessera/nn/linear.hpp"
#include "tessera/nn/multi_head_attention.hpp"
#include "tessera/nn/workspace.hpp"
#include "tessera/ops/positional.hpp"

namespace tessera::models {

struct transformer_config {
    std::size_t d_model = 0, n_heads = 0, n_encoder_layers = 0, n_decoder_layers = 0, dim_feedforward = 0;
    std::size_t src_vocab_size = 0, tgt_vocab_size = 0;
    ops::activation activation = ops::activation::relu;
    bool norm_first = false;
    float layer_norm_eps = 1e-5f;
    std::optional<std::int32_t> pad_token_id, bos_token_id, eos_token_id;
    std::string what;  // the file, for messages

    // Parses torch-style hyper-parameters (see the top of this file). Errors: `malformed` for
    // a missing key or a value that is not a number / true / false / relu / gelu, then validate().
    static transformer_config from_metadata(const io::safetensors_metadata& m, const std::string& what) {
        const auto text = [&](const char* key) -> const std::string* {
            const auto it = m.find(key);
            return it == m.end() ? nullptr : &it->second;
        };
        const auto count = [&](const char* key) -> std::size_t {
            const std::string* s = text(key);
            require(s != nullptr, error_kind::malformed,
                    [&] { return what + ": __metadata__ has no \"" + std::string(key) + "\""; });
            std::uint64_t v = 0;
            const auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
            require(ec == std::errc() && end == s->data() + s->size(), error_kind::malformed, [&] {
                return what + ": __metadata__ \"" + std::string(key) + "\" = \"" + *s + "\" is not a count";
            });
            require(v <= (std::uint64_t(1) << 40), error_kind::too_large,
                    [&] { return what + ": __metadata__ \"" + std::string(key) + "\" = " + *s + " is absurd"; });
            return static_cast<std::size_t>(v);
        };
        const auto id = [&](const char* key) -> std::optional<std::int32_t> {
            if (!text(key)) return std::nullopt;
            const std::size_t v = count(key);
            require(v <= std::size_t(std::numeric_limits<std::int32_t>::max()), error_kind::out_of_range,
                    [&] { return what + ": " + std::string(key) + " is too large"; });
            return static_cast<std::int32_t>(v);
        };
        transformer_config c;
        c.what = what;
        c.d_model = count("d_model");
        c.n_heads = count("nhead");
        c.n_encoder_layers = count("num_encoder_layers");
        c.n_decoder_layers = count("num_decoder_layers");
        c.dim_feedforward = count("dim_feedforward");
        if (text("src_vocab_size") || text("tgt_vocab_size")) {
            c.src_vocab_size = count("src_vocab_size");
            c.tgt_vocab_size = count("tgt_vocab_size");
        } else {
            c.src_vocab_size = c.tgt_vocab_size = count("vocab_size");
        }
        if (const std::string* a = text("activation")) {
            if (*a == "relu")
                c.activation = ops::activation::relu;
            else if (*a == "gelu")
                c.activation = ops::activation::gelu_erf;
            else
                throw error(error_kind::malformed, what + ": activation \"" + *a + "\" (relu or gelu)");
        }
        if (const std::string* nf = text("norm_first")) {
            require(*nf == "true" || *nf == "false", error_kind::malformed,
                    [&] { return what + ": norm_first \"" + *nf + "\" (true or false)"; });
            c.norm_first = *nf == "true";
        }
        if (const std::string* e = text("layer_norm_eps")) {
            double v = 0;
            const auto [end, ec] = std::from_chars(e->data(), e->data() + e->size(), v);
            require(ec == std::errc() && end == e->data() + e->size(), error_kind::malformed,
                    [&] { return what + ": layer_norm_eps \"" + *e + "\" is not a number"; });
            c.layer_norm_eps = static_cast<float>(v);
        }
        c.pad_token_id = id("pad_token_id");
        c.bos_token_id = id("bos_token_id");
        c.eos_token_id = id("eos_token_id");
        c.validate();
        return c;
    }

    // Counts positive and bounded (config_limits' defaults), heads dividing d_model, eps
    // finite and > 0, special ids inside the target vocabulary.
    void validate() const {
        const config_limits lim;
        const auto bounded = [&](const char* key, std::size_t v, std::uint64_t cap) {
            require(v > 0, error_kind::out_of_range, [&] { return what + ": " + key + " = 0 (must be positive)"; });
            require(v <= cap, error_kind::too_large,
                    [&] { return what + ": " + key + " = " + std::to_string(v) + " is over " + std::to_string(cap); });
        };
        bounded("d_model", d_model, lim.max_hidden_size);
        bounded("nhead", n_heads, lim.max_heads);
        bounded("num_encoder_layers", n_encoder_layers, lim.max_layers);
        bounded("num_decoder_layers", n_decoder_layers, lim.max_layers);
        bounded("dim_feedforward", dim_feedforward, lim.max_intermediate_size);
        bounded("src_vocab_size", src_vocab_size, lim.max_vocab_size);
        bounded("tgt_vocab_size", tgt_vocab_size, lim.max_vocab_size);
        require(d_model % n_heads == 0, error_kind::inconsistent, [&] {
            return what + ": d_model = " + std::to_string(d_model) +
                   " is not divisible by nhead = " + std::to_string(n_heads);
        });
        require(std::isfinite(layer_norm_eps) && layer_norm_eps > 0.0f, error_kind::invalid_data,
                [&] { return what + ": layer_norm_eps must be finite and > 0"; });
        for (const auto& t : {pad_token_id, bos_token_id, eos_token_id})
            require(!t || std::size_t(*t) < tgt_vocab_size, error_kind::out_of_range, [&] {
                return what + ": special token id " + std::to_string(*t) + " is outside the target vocabulary of " +
                       std::to_string(tgt_vocab_size);
            });
    }
};

// The encoder's output for a batch of source sequences, with the cross-attention K/V of
// every decoder layer projected from it once.
struct encoded_source {
    std::size_t batch = 0, n_src = 0;
    tensor<float> memory;                     // [batch, n_src, d_model]
    std::vector<std::uint8_t> padding;        // [batch·n_src], 1 = token; empty = no padding
    std::vector<nn::projected_memory> cross;  // one per decoder layer
};

struct beam_options {
    std::size_t width = 4;
    double length_penalty = 1.0;                     // alpha: normalised score = log-prob / length^alpha
    std::size_t max_new = 64;                        // most tokens generated (eos included)
    std::optional<std::int32_t> bos = {}, eos = {};  // default: the config's bos_token_id / eos_token_id
};

struct beam_hypothesis {
    std::vector<std::int32_t> tokens;  // generated tokens, bos excluded, eos included when reached
    double log_prob = 0;               // sum of the tokens' log-probabilities
    double score = 0;                  // log_prob / tokens.size()^length_penalty
};

class transformer {
public:
    transformer(const transformer_config& cfg, std::unique_ptr<safetensors_weights> weights)
        : cfg_(cfg), weights_(std::move(weights)) {
        require(weights_ != nullptr, error_kind::invalid_argument, "transformer: no weights");
        cfg_.validate();
        bind();
    }

    // One safetensors file whose __metadata__ holds the hyper-parameters.
    static transformer load(const std::filesystem::path& file, const io::safetensors_model_options& options = {}) {
        auto w = std::make_unique<safetensors_weights>(file, options);
        const transformer_config cfg = transformer_config::from_metadata(w->file().metadata(), file.string());
        return transformer(cfg, std::move(w));
    }

    const transformer_config& config() const noexcept { return cfg_; }

    // src [batch·n_src] row-major (right padding), src_mask [batch·n_src] (1 = token) or empty.
    // layer_states (optional): the embeddings, then every encoder layer's output.
    encoded_source encode(std::span<const std::int32_t> src, std::size_t batch, std::span<const std::uint8_t> src_mask,
                          nn::workspace& ws, thread_pool* pool = nullptr,
                          std::vector<tensor<float>>* layer_states = nullptr) const {
        require(batch > 0 && !src.empty() && src.size() % batch == 0, error_kind::invalid_argument, [&] {
            return cfg_.what + ": " + std::to_string(src.size()) + " source ids do not split into " +
                   std::to_string(batch) + " non-empty sequences";
        });
        require(src_mask.empty() || src_mask.size() == src.size(), error_kind::invalid_argument,
                [&] { return cfg_.what + ": src_mask does not match the source ids"; });
        const std::size_t n = src.size() / batch;
        encoded_source e;
        e.batch = batch;
        e.n_src = n;
        e.padding.assign(src_mask.begin(), src_mask.end());
        e.memory = tensor<float>(shape{batch, n, cfg_.d_model});
        const tensor_view<float> x = e.memory.view();
        embed(src_emb_, src, batch, std::vector<std::size_t>(batch, 0), x);
        if (layer_states) layer_states->assign(1, tensor<float>::from_view(x));
        for (const nn::encoder_block& b : enc_) {
            b.forward(x, nn::attention_masks{.key_padding = src_mask}, ws, pool);
            if (layer_states) layer_states->push_back(tensor<float>::from_view(x));
        }
        const tensor_view<float> rows = x.reshape(shape{batch * n, cfg_.d_model});
        enc_norm_.forward(rows, rows, pool);
        project(e, pool);
        return e;
    }

    // Sequence 0 of `e` repeated `times` times (the hypotheses of a beam search share it).
    encoded_source repeat(const encoded_source& e, std::size_t times, thread_pool* pool = nullptr) const {
        require(e.batch >= 1 && times >= 1, error_kind::invalid_argument, "transformer::repeat: empty");
        encoded_source r;
        r.batch = times;
        r.n_src = e.n_src;
        r.memory = tensor<float>(shape{times, e.n_src, cfg_.d_model});
        for (std::size_t b = 0; b < times; ++b)
            tensor<float>::copy(e.memory.view().slice(0, 0, 1), r.memory.view().slice(0, b, b + 1));
        if (!e.padding.empty())
            for (std::size_t b = 0; b < times; ++b)
                r.padding.insert(r.padding.end(), e.padding.begin(), e.padding.begin() + e.n_src);
        project(r, pool);
        return r;
    }

    // Teacher-forced decoder over whole targets: tgt [batch·n_tgt] (right padding), tgt_mask
    // [batch·n_tgt] or empty. out: logits [batch, n_tgt, vocab], hidden (after decoder.norm),
    // layer_states (the embeddings, then every decoder layer's output).
    void decode(std::span<const std::int32_t> tgt, std::span<const std::uint8_t> tgt_mask, const encoded_source& src,
                const decoder_outputs& out, nn::workspace& ws, thread_pool* pool = nullptr) const {
        const std::size_t batch = src.batch;
        require(batch > 0 && !tgt.empty() && tgt.size() % batch == 0, error_kind::invalid_argument, [&] {
            return cfg_.what + ": " + std::to_string(tgt.size()) + " target ids for a batch of " +
                   std::to_string(batch);
        });
        require(tgt_mask.empty() || tgt_mask.size() == tgt.size(), error_kind::invalid_argument,
                [&] { return cfg_.what + ": tgt_mask does not match the target ids"; });
        const std::size_t n = tgt.size() / batch;
        check_outputs(out, batch, n);
        nn::workspace::frame f(ws);
        const tensor_view<float> y = ws.take(shape{batch, n, cfg_.d_model});  // [batch, n_tgt, d_model]
        embed(tgt_emb_, tgt, batch, std::vector<std::size_t>(batch, 0), y);
        if (out.layer_states) out.layer_states->assign(1, tensor<float>::from_view(y));
        for (std::size_t l = 0; l < dec_.size(); ++l) {
            dec_[l].forward(y, src.cross[l], nn::attention_masks{.key_padding = tgt_mask}, src.padding, ws, pool);
            if (out.layer_states) out.layer_states->push_back(tensor<float>::from_view(y));
        }
        finish(y, out, pool);
    }

    // A cache for one target sequence of up to max_len tokens (bos included).
    nn::kv_cache make_cache(std::size_t max_len) const {
        return nn::kv_cache(cfg_.n_decoder_layers, max_len, cfg_.n_heads, cfg_.d_model / cfg_.n_heads);
    }

    // n new target tokens per sequence (tokens [batch·n], one cache per batch row of src),
    // logits [batch, n, vocab]. Advances the caches by n.
    void decode_cached(std::span<const std::int32_t> tokens, std::span<nn::kv_cache* const> caches,
                       const encoded_source& src, tensor_view<float> logits, nn::workspace& ws,
                       thread_pool* pool = nullptr) const {
        const std::size_t batch = caches.size();
        require(batch == src.batch && !tokens.empty() && tokens.size() % batch == 0, error_kind::invalid_argument, [&] {
            return cfg_.what + ": " + std::to_string(tokens.size()) + " tokens and " + std::to_string(batch) +
                   " caches for an encoded batch of " + std::to_string(src.batch);
        });
        const std::size_t n = tokens.size() / batch;
        const decoder_outputs out{.logits = logits};
        check_outputs(out, batch, n);
        std::vector<std::size_t> pos0(batch);
        for (std::size_t b = 0; b < batch; ++b) {
            require(caches[b] != nullptr, error_kind::invalid_argument, [&] { return cfg_.what + ": null kv_cache"; });
            caches[b]->require_room(n);
            pos0[b] = caches[b]->size();
        }
        nn::workspace::frame f(ws);
        const tensor_view<float> y = ws.take(shape{batch, n, cfg_.d_model});
        embed(tgt_emb_, tokens, batch, pos0, y);
        for (std::size_t l = 0; l < dec_.size(); ++l)
            dec_[l].forward_cached(y, caches, l, src.cross[l], src.padding, ws, pool);
        for (nn::kv_cache* c : caches) c->advance(n);
        finish(y, out, pool);
    }

    // Greedy decoding of one source sequence: argmax (lowest id on a tie) until eos or max_new tokens.
    std::vector<std::int32_t> greedy(std::span<const std::int32_t> src, std::size_t max_new, nn::workspace& ws,
                                     thread_pool* pool = nullptr, std::optional<std::int32_t> bos = {},
                                     std::optional<std::int32_t> eos = {}) const {
        const std::int32_t start = start_token(bos);
        if (!eos) eos = cfg_.eos_token_id;
        std::vector<std::int32_t> out;
        if (max_new == 0) return out;
        const encoded_source e = encode(src, 1, {}, ws, pool);
        nn::kv_cache cache = make_cache(max_new);
        nn::kv_cache* caches[] = {&cache};
        tensor<float> logits(shape{1, 1, cfg_.tgt_vocab_size});
        std::int32_t last = start;
        while (out.size() < max_new) {
            decode_cached(std::span<const std::int32_t>(&last, 1), caches, e, logits.view(), ws, pool);
            const float* l = logits.data();
            last = static_cast<std::int32_t>(std::max_element(l, l + cfg_.tgt_vocab_size) - l);
            out.push_back(last);
            if (eos && last == *eos) break;
        }
        return out;
    }

    // Beam search over one source sequence (see the top of this file); best first.
    std::vector<beam_hypothesis> beam_search(std::span<const std::int32_t> src, const beam_options& opt,
                                             nn::workspace& ws, thread_pool* pool = nullptr) const {
        const std::size_t W = opt.width, V = cfg_.tgt_vocab_size;
        require(W >= 1 && W < V, error_kind::invalid_argument, [&] {
            return cfg_.what + ": beam width " + std::to_string(W) + " must be in 1.." + std::to_string(V - 1);
        });
        require(std::isfinite(opt.length_penalty), error_kind::invalid_argument,
                "beam_search: length_penalty not finite");
        const std::int32_t start = start_token(opt.bos);
        const std::optional<std::int32_t> eos = opt.eos ? opt.eos : cfg_.eos_token_id;
        std::vector<beam_hypothesis> finished;
        if (opt.max_new == 0) return finished;

        const encoded_source e = repeat(encode(src, 1, {}, ws, pool), W, pool);
        struct beam {
            std::vector<std::int32_t> tokens;
            double log_prob = 0;
        };
        std::vector<beam> beams(1);  // one live beam at first: [bos]
        std::vector<nn::kv_cache> caches(W, make_cache(opt.max_new));
        std::vector<nn::kv_cache*> cache_ptrs(W);
        tensor<float> logits(shape{W, 1, V});
        std::vector<double> logp(W * V);
        struct candidate {
            double score;
            std::size_t beam;
            std::int32_t token;
        };
        std::vector<candidate> cands;
        const auto normalised = [&](double lp, std::size_t len) {
            return lp / std::pow(double(len), opt.length_penalty);
        };
        bool stopped = false;
        for (std::size_t step = 0; step < opt.max_new && !stopped; ++step) {
            // Every row runs (the first step repeats [bos] in all W rows; only row 0 counts).
            std::vector<std::int32_t> last(W);
            for (std::size_t i = 0; i < W; ++i) {
                last[i] = beams[std::min(i, beams.size() - 1)].tokens.empty()
                              ? start
                              : beams[std::min(i, beams.size() - 1)].tokens.back();
                cache_ptrs[i] = &caches[i];
            }
            decode_cached(last, cache_ptrs, e, logits.view(), ws, pool);
            cands.clear();
            for (std::size_t i = 0; i < beams.size(); ++i) {
                const float* l = logits.data() + i * V;
                const double m = *std::max_element(l, l + V);
                double sum = 0;
                for (std::size_t t = 0; t < V; ++t) sum += std::exp(double(l[t]) - m);
                const double lse = m + std::log(sum);
                for (std::size_t t = 0; t < V; ++t)
                    cands.push_back({beams[i].log_prob + (double(l[t]) - lse), i, static_cast<std::int32_t>(t)});
            }
            // At most W eos candidates (one per beam) come before the W-th live one.
            const std::size_t keep = std::min(cands.size(), 2 * W);
            std::partial_sort(cands.begin(), cands.begin() + std::ptrdiff_t(keep), cands.end(),
                              [](const candidate& a, const candidate& b) {
                                  if (a.score != b.score) return a.score > b.score;
                                  if (a.beam != b.beam) return a.beam < b.beam;
                                  return a.token < b.token;
                              });
            std::vector<beam> next;
            std::vector<std::size_t> parent;
            for (std::size_t c = 0; c < keep && next.size() < W; ++c) {
                beam b{beams[cands[c].beam].tokens, cands[c].score};
                b.tokens.push_back(cands[c].token);
                if (eos && cands[c].token == *eos) {
                    finished.push_back({b.tokens, b.log_prob, normalised(b.log_prob, b.tokens.size())});
                } else {
                    next.push_back(std::move(b));
                    parent.push_back(cands[c].beam);
                }
            }
            // Each new beam continues its parent's cache.
            std::vector<nn::kv_cache> reordered;
            reordered.reserve(W);
            for (std::size_t i = 0; i < W; ++i) reordered.push_back(caches[parent[std::min(i, parent.size() - 1)]]);
            caches = std::move(reordered);
            beams = std::move(next);
            stopped = finished.size() >= W;
        }
        if (!stopped)
            for (const beam& b : beams)
                finished.push_back({b.tokens, b.log_prob, normalised(b.log_prob, b.tokens.size())});
        std::stable_sort(finished.begin(), finished.end(),
                         [](const beam_hypothesis& a, const beam_hypothesis& b) { return a.score > b.score; });
        return finished;
    }

private:
    std::int32_t start_token(std::optional<std::int32_t> bos) const {
        if (!bos) bos = cfg_.bos_token_id;
        require(bos.has_value(), error_kind::invalid_argument,
                [&] { return cfg_.what + ": no bos token (pass one, or set bos_token_id)"; });
        require(*bos >= 0 && std::size_t(*bos) < cfg_.tgt_vocab_size, error_kind::out_of_range,
                [&] { return cfg_.what + ": bos " + std::to_string(*bos) + " outside the target vocabulary"; });
        return *bos;
    }

    void check_outputs(const decoder_outputs& out, std::size_t batch, std::size_t n) const {
        require(!out.logits_last_only, error_kind::invalid_argument,
                [&] { return cfg_.what + ": logits_last_only is for decoder-only models"; });
        require(out.logits.rank() == 0 ||
                    (out.logits.dims() == shape{batch, n, cfg_.tgt_vocab_size} && out.logits.is_contiguous()),
                error_kind::invalid_argument, [&] {
                    return cfg_.what + ": logits " + out.logits.dims().to_string() + " must be contiguous " +
                           shape{batch, n, cfg_.tgt_vocab_size}.to_string();
                });
        require(out.hidden.rank() == 0 || out.hidden.dims() == shape{batch, n, cfg_.d_model},
                error_kind::invalid_argument, [&] {
                    return cfg_.what + ": hidden " + out.hidden.dims().to_string() + " must be " +
                           shape{batch, n, cfg_.d_model}.to_string();
                });
    }

    // x[b] = emb[ids of row b]·√d_model + PE(pos0[b] ..), x [batch, n, d_model].
    void embed(const nn::embedding& table, std::span<const std::int32_t> ids, std::size_t batch,
               const std::vector<std::size_t>& pos0, const tensor_view<float>& x) const {
        const std::size_t n = ids.size() / batch, d = cfg_.d_model;
        const tensor_view<float> rows = x.reshape(shape{batch * n, d});
        table.forward(ids, rows);
        const float scale = static_cast<float>(std::sqrt(double(d)));
        for (std::size_t i = 0; i < batch * n * d; ++i) rows.data()[i] *= scale;
        for (std::size_t b = 0; b < batch; ++b)
            ops::add_sinusoidal_positions(rows.slice(0, b * n, (b + 1) * n), pos0[b]);
    }

    void project(encoded_source& e, thread_pool* pool) const {
        e.cross.clear();
        e.cross.reserve(dec_.size());
        for (const nn::cross_attention_block& b : dec_) e.cross.push_back(b.project_memory(e.memory.view(), pool));
    }

    void finish(const tensor_view<float>& y, const decoder_outputs& out, thread_pool* pool) const {
        const std::size_t rows_n = y.extent(0) * y.extent(1);
        const tensor_view<float> rows = y.reshape(shape{rows_n, cfg_.d_model});
        dec_norm_.forward(rows, rows, pool);
        if (out.hidden.rank() != 0) tensor<float>::copy(y, out.hidden);
        if (out.logits.rank() != 0)
            generator_.forward(rows, out.logits.reshape(shape{rows_n, cfg_.tgt_vocab_size}), pool);
    }

    void bind() {
        safetensors_weights& w = *weights_;
        const std::size_t d = cfg_.d_model, F = cfg_.dim_feedforward;
        const float eps = cfg_.layer_norm_eps;
        const auto lin = [&](const std::string& n, std::size_t out, std::size_t in) {
            return nn::linear(w.get(n + ".weight", {out, in}), w.get(n + ".bias", {out}));
        };
        const auto norm = [&](const std::string& n) {
            return nn::layer_norm(w.get(n + ".weight", {d}), w.get(n + ".bias", {d}), eps);
        };
        const auto attention = [&](const std::string& n, bool causal) {
            nn::attention_config c;
            c.hidden = d;
            c.n_heads = cfg_.n_heads;
            c.causal = causal;
            return nn::multi_head_attention::fused(
                c, nn::linear(w.get(n + ".in_proj_weight", {3 * d, d}), w.get(n + ".in_proj_bias", {3 * d})),
                lin(n + ".out_proj", d, d));
        };
        const auto ffn = [&](const std::string& b) {
            return nn::feed_forward::plain(lin(b + "linear1", F, d), cfg_.activation, lin(b + "linear2", d, F));
        };
        src_emb_ = nn::embedding(w.get("src_embedding.weight", {cfg_.src_vocab_size, d}));
        tgt_emb_ = nn::embedding(w.get("tgt_embedding.weight", {cfg_.tgt_vocab_size, d}));
        for (std::size_t l = 0; l < cfg_.n_encoder_layers; ++l) {
            const std::string b = "transformer.encoder.layers." + std::to_string(l) + ".";
            enc_.emplace_back(attention(b + "self_attn", false), norm(b + "norm1"), ffn(b), norm(b + "norm2"),
                              cfg_.norm_first);
        }
        enc_norm_ = norm("transformer.encoder.norm");
        for (std::size_t l = 0; l < cfg_.n_decoder_layers; ++l) {
            const std::string b = "transformer.decoder.layers." + std::to_string(l) + ".";
            dec_.emplace_back(attention(b + "self_attn", true), norm(b + "norm1"),
                              attention(b + "multihead_attn", false), norm(b + "norm2"), ffn(b), norm(b + "norm3"),
                              cfg_.norm_first);
        }
        dec_norm_ = norm("transformer.decoder.norm");
        generator_ = lin("generator", cfg_.tgt_vocab_size, d);
    }

    transformer_config cfg_;
    std::unique_ptr<safetensors_weights> weights_;
    nn::embedding src_emb_, tgt_emb_;
    std::vector<nn::encoder_block> enc_;
    nn::layer_norm enc_norm_;
    std::vector<nn::cross_attention_block> dec_;
    nn::layer_norm dec_norm_;
    nn::linear generator_;
};

}  // namespace tessera::models
