#pragma once
// GPT-2 (Radford et al. 2019) from a Hugging Face checkpoint: config.json + model.safetensors
// (or a sharded index), as transformers' GPT2LMHeadModel saves it.
//
//   auto model = models::load_gpt2("path/to/gpt2");        // a models::causal_lm
//   model.forward(ids, batch, mask, {.logits = logits}, ws, pool);
//
// Architecture: x = wte[ids] + wpe[positions]; per layer (pre-norm)
//     x = x + c_proj(attn(ln_1(x)));   x = x + mlp.c_proj(gelu_tanh(mlp.c_fc(ln_2(x))))
// then ln_f, and logits = x·wteᵀ (GPT2LMHeadModel always ties the head; a checkpoint with
// tie_word_embeddings false and an lm_head.weight uses that instead).
//
// Weights (names after an optional "transformer." prefix; H hidden, I inner, V vocab,
// P positions). GPT-2's Conv1D stores its weight [in, out] and computes x·W + b, the
// transpose of nn.Linear's [out, in]: these are bound as nn::linear with
// weight_layout::in_out, so the GEMM reads them as they are, no transposed copy.
//     wte.weight [V, H]   wpe.weight [P, H]   ln_f.{weight,bias} [H]
//     h.N.ln_1/ln_2.{weight,bias} [H]
//     h.N.attn.c_attn.weight [H, 3H] .bias [3H]    columns [q | k | v], heads contiguous
//     h.N.attn.c_proj.weight [H, H]  .bias [H]
//     h.N.mlp.c_fc.weight [H, I] .bias [I]      h.N.mlp.c_proj.weight [I, H] .bias [H]
// Attention scale 1/√head_dim (scale_attn_weights, HF's default). activation_function:
// gelu_new / gelu_pytorch_tanh (tanh GELU), gelu (erf), relu.
// Errors: the config's (models/config.hpp), then `inconsistent` for a missing tensor or a
// shape that disagrees with the config, `unsupported` for another architecture or activation.
#include <filesystem>
#include <memory>
#include <string>
#include <utility>

#include "tessera/core/error.hpp"
#include "tessera/models/causal_lm.hpp"
#include "tessera/models/config.hpp"
#include "tessera/models/safetensors_weights.hpp"
#include "tessera/nn/feed_forward.hpp"
#include "tessera/nn/layer_norm.hpp"
#include "tessera/nn/linear.hpp"
#include "tessera/nn/multi_head_attention.hpp"

namespace tessera::models {

namespace detail {

inline ops::activation gpt2_activation(const model_config& c) {
    const std::string& a = c.hidden_act;
    if (a == "gelu_new" || a == "gelu_pytorch_tanh" || a == "gelu_fast") return ops::activation::gelu_tanh;
    if (a == "gelu") return ops::activation::gelu_erf;
    if (a == "relu") return ops::activation::relu;
    throw error(error_kind::unsupported, c.what + ": activation_function \"" + a + "\" is not supported");
}

}  // namespace detail

// Binds the tensors of `weights` for the GPT-2 described by `cfg`.
inline causal_lm make_gpt2(const model_config& cfg, std::unique_ptr<safetensors_weights> weights) {
    require(cfg.arch == architecture::gpt2, error_kind::unsupported,
            [&] { return cfg.what + ": model_type \"" + cfg.model_type + "\" is not gpt2"; });
    require(weights != nullptr, error_kind::invalid_argument, "make_gpt2: no weights");
    safetensors_weights& w = *weights;
    cfg.validate_against(tensor_listing(w.file()), w.what());

    const std::string p = w.contains("transformer.wte.weight") ? "transformer." : "";
    const std::size_t H = cfg.hidden_size, I = cfg.intermediate_size, V = cfg.vocab_size;
    const std::size_t P = cfg.max_position_embeddings;
    const float eps = static_cast<float>(cfg.norm_eps);
    const ops::activation act = detail::gpt2_activation(cfg);
    const auto norm = [&](const std::string& n) {
        return nn::layer_norm(w.get(n + ".weight", {H}), w.get(n + ".bias", {H}), eps);
    };
    const auto conv1d = [&](const std::string& n, std::size_t in, std::size_t out) {
        return nn::linear(w.get(n + ".weight", {in, out}), w.get(n + ".bias", {out}), nn::weight_layout::in_out);
    };

    causal_lm::parts parts;
    parts.what = cfg.what;
    parts.tokens = nn::embedding(w.get(p + "wte.weight", {V, H}));
    parts.positions = w.get(p + "wpe.weight", {P, H});
    nn::attention_config acfg;
    acfg.hidden = H;
    acfg.n_heads = acfg.n_kv_heads = cfg.n_heads;
    acfg.head_dim = cfg.head_dim;
    acfg.causal = true;
    for (std::size_t l = 0; l < cfg.n_layers; ++l) {
        const std::string b = p + "h." + std::to_string(l) + ".";
        const auto attn =
            nn::multi_head_attention::fused(acfg, conv1d(b + "attn.c_attn", H, 3 * H), conv1d(b + "attn.c_proj", H, H));
        const auto ffn = nn::feed_forward::plain(conv1d(b + "mlp.c_fc", H, I), act, conv1d(b + "mlp.c_proj", I, H));
        parts.blocks.emplace_back(attn, norm(b + "ln_1"), ffn, norm(b + "ln_2"));
    }
    parts.final_norm = norm(p + "ln_f");
    parts.lm_head = cfg.tie_word_embeddings || !w.contains("lm_head.weight")
                        ? nn::linear(parts.tokens.table())
                        : nn::linear(w.get("lm_head.weight", {V, H}));
    parts.n_kv_heads = cfg.n_heads;
    parts.head_dim = cfg.head_dim;
    parts.max_positions = P;
    return causal_lm(std::move(parts), std::move(weights));
}

// `dir` holds config.json and model.safetensors (or model.safetensors.index.json + shards).
inline causal_lm load_gpt2(const std::filesystem::path& dir, const io::safetensors_model_options& options = {}) {
    const model_config cfg = model_config::from_json_file(dir / "config.json");
    return make_gpt2(cfg, std::make_unique<safetensors_weights>(dir, options));
}

}  // namespace tessera::models
