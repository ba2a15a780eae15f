#pragma once
// Llama from a Hugging Face checkpoint (config.json + model.safetensors or a sharded index,
// as transformers' LlamaForCausalLM saves it), in f32. (The GGUF quantized path is
// models/llama.hpp.)
//
//   auto model = models::load_llama_hf("path/to/SmolLM2-135M");   // a models::causal_lm
//
// Architecture: x = embed_tokens[ids]; per layer (pre-norm, RMSNorm)
//     x = x + o_proj(attn(rope(q_proj(n)), rope(k_proj(n)), v_proj(n))),  n = input_layernorm(x)
//     x = x + down_proj(silu(gate_proj(n)) ⊙ up_proj(n)),               n = post_attention_layernorm(x)
// then model.norm and lm_head (or embed_tokens when tie_word_embeddings). Grouped-query
// attention when num_key_value_heads < num_attention_heads (query head h reads kv head
// h / (heads / kv_heads), HF's repeat_kv). RoPE in the half-split layout HF checkpoints use
// (rotate_half), base rope_theta, scaled as config.json's rope_scaling says:
//     null / "default"  none
//     "linear"          positions divided by factor
//     "llama3"          factor, low_freq_factor, high_freq_factor,
//                       original_max_position_embeddings (all required, as HF requires them)
//     "dynamic" and others: `unsupported` — dynamic NTK recomputes the base from the current
//     sequence length, so keys cached at earlier lengths would carry other rotations.
// Weights (nn.Linear layout [out, in]; H hidden, I intermediate, q = heads·head_dim,
// kv = kv_heads·head_dim):
//     model.embed_tokens.weight [V, H]   model.norm.weight [H]   lm_head.weight [V, H] (unless tied)
//     model.layers.N.input_layernorm.weight / post_attention_layernorm.weight [H]
//     model.layers.N.self_attn.q_proj [q, H]  k_proj / v_proj [kv, H]  o_proj [H, q]
//       (+ .bias when attention_bias checkpoints carry them)
//     model.layers.N.mlp.gate_proj / up_proj [I, H]  down_proj [H, I]
// Errors: the config's (models/config.hpp), `inconsistent` for a missing tensor or a shape
// that disagrees with the config, `unsupported` for hidden_act other than silu or an
// unsupported rope_scaling, `malformed` for a llama3 rope_scaling missing a key.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "tessera/core/error.hpp"
#include "tessera/io/mapped_file.hpp"
#include "tessera/models/causal_lm.hpp"
#include "tessera/models/config.hpp"
#include "tessera/models/safetensors_weights.hpp"
#include "tessera/nn/feed_forward.hpp"
#include "tessera/nn/linear.hpp"
#include "tessera/nn/multi_head_attention.hpp"
#include "tessera/nn/rms_norm.hpp"
#include "tessera/ops/positional.hpp"

namespace tessera::models {

// The RoPE of a Llama config. `config_text` is the config.json `cfg` was read from (the
// llama3 parameters are not part of model_config); it has been validated by from_json.
inline ops::rope_config llama_rope_config(const model_config& cfg, std::string_view config_text) {
    ops::rope_config r;
    r.head_dim = cfg.head_dim;
    r.rotary_dim = cfg.rope_dim;
    r.theta = static_cast<float>(cfg.rope_theta);
    r.layout = ops::rope_layout::half_split;
    const std::string& type = cfg.rope_scaling.type;
    const float factor = static_cast<float>(cfg.rope_scaling.factor);
    if (type.empty()) {
        r.scaling = ops::rope_scaling::none;
    } else if (type == "linear") {
        r.scaling = ops::rope_scaling::linear;
        r.factor = factor;
    } else if (type == "llama3") {
        r.scaling = ops::rope_scaling::llama3;
        r.factor = factor;
        const nlohmann::json j = nlohmann::json::parse(config_text.begin(), config_text.end(), nullptr, false);
        const auto& rs = j.is_object() && j.contains("rope_scaling") ? j["rope_scaling"] : nlohmann::json();
        const auto number = [&](const char* key) {
            require(rs.is_object() && rs.contains(key) && rs[key].is_number(), error_kind::malformed,
                    [&] { return cfg.what + ": rope_scaling of type llama3 needs a number \"" + key + "\""; });
            return rs[key].get<double>();
        };
        r.low_freq_factor = static_cast<float>(number("low_freq_factor"));
        r.high_freq_factor = static_cast<float>(number("high_freq_factor"));
        const double orig = number("original_max_position_embeddings");
        require(orig >= 1 && orig <= double(config_limits{}.max_context_length), error_kind::invalid_data, [&] {
            return cfg.what + ": rope_scaling.original_max_position_embeddings = " + std::to_string(orig) +
                   " is out of range";
        });
        r.original_max_positions = static_cast<std::size_t>(orig);
    } else if (type == "dynamic") {
        throw error(error_kind::unsupported,
                    cfg.what +
                        ": rope_scaling \"dynamic\" is not supported (its base depends on the current length, "
                        "so cached keys would carry other rotations); linear and llama3 are");
    } else {
        throw error(error_kind::unsupported,
                    cfg.what + ": rope_scaling \"" + type + "\" is not supported (linear and llama3 are)");
    }
    ops::validate(r);  // invalid_argument names the parameter
    return r;
}

// Binds the tensors of `weights` for the Llama described by `cfg`, with RoPE `rope`.
inline causal_lm make_llama_hf(const model_config& cfg, const ops::rope_config& rope,
                               std::unique_ptr<safetensors_weights> weights) {
    require(cfg.arch == architecture::llama, error_kind::unsupported,
            [&] { return cfg.what + ": model_type \"" + cfg.model_type + "\" is not llama"; });
    require(cfg.hidden_act == "silu", error_kind::unsupported,
            [&] { return cfg.what + ": hidden_act \"" + cfg.hidden_act + "\" is not supported (silu is)"; });
    require(weights != nullptr, error_kind::invalid_argument, "make_llama_hf: no weights");
    safetensors_weights& w = *weights;
    cfg.validate_against(tensor_listing(w.file()), w.what());
    require(w.contains("model.embed_tokens.weight"), error_kind::inconsistent,
            [&] { return w.what() + ": no model.embed_tokens.weight (a GGUF-named file? use models/llama.hpp)"; });

    const std::size_t H = cfg.hidden_size, I = cfg.intermediate_size, V = cfg.vocab_size;
    const std::size_t q = cfg.n_heads * cfg.head_dim, kv = cfg.n_kv_heads * cfg.head_dim;
    const float eps = static_cast<float>(cfg.norm_eps);
    const auto proj = [&](const std::string& n, std::size_t out, std::size_t in) {
        return nn::linear(w.get(n + ".weight", {out, in}), w.get_if(n + ".bias", {out}));
    };
    const auto norm = [&](const std::string& n) { return nn::rms_norm(w.get(n, {H}), eps); };

    causal_lm::parts parts;
    parts.what = cfg.what;
    parts.tokens = nn::embedding(w.get("model.embed_tokens.weight", {V, H}));
    nn::attention_config acfg;
    acfg.hidden = H;
    acfg.n_heads = cfg.n_heads;
    acfg.n_kv_heads = cfg.n_kv_heads;
    acfg.head_dim = cfg.head_dim;
    acfg.causal = true;
    acfg.rope = rope;
    for (std::size_t l = 0; l < cfg.n_layers; ++l) {
        const std::string b = "model.layers." + std::to_string(l) + ".";
        const nn::multi_head_attention attn(acfg, proj(b + "self_attn.q_proj", q, H),
                                            proj(b + "self_attn.k_proj", kv, H), proj(b + "self_attn.v_proj", kv, H),
                                            proj(b + "self_attn.o_proj", H, q));
        const auto ffn = nn::feed_forward::swiglu(proj(b + "mlp.gate_proj", I, H), proj(b + "mlp.up_proj", I, H),
                                                  proj(b + "mlp.down_proj", H, I));
        parts.blocks.emplace_back(attn, norm(b + "input_layernorm.weight"), ffn,
                                  norm(b + "post_attention_layernorm.weight"));
    }
    parts.final_norm = norm("model.norm.weight");
    parts.lm_head =
        cfg.tie_word_embeddings ? nn::linear(parts.tokens.table()) : nn::linear(w.get("lm_head.weight", {V, H}));
    parts.n_kv_heads = cfg.n_kv_heads;
    parts.head_dim = cfg.head_dim;
    parts.max_positions = cfg.max_position_embeddings;
    return causal_lm(std::move(parts), std::move(weights));
}

// `dir` holds config.json and model.safetensors (or model.safetensors.index.json + shards).
inline causal_lm load_llama_hf(const std::filesystem::path& dir, const io::safetensors_model_options& options = {}) {
    const std::filesystem::path config_path = dir / "config.json";
    const io::mapped_file file(config_path.string());
    const std::string_view text(reinterpret_cast<const char*>(file.data()), file.size());
    const model_config cfg = model_config::from_json(text, config_path.string());
    const ops::rope_config rope = llama_rope_config(cfg, text);
    return make_llama_hf(cfg, rope, std::make_unique<safetensors_weights>(dir, options));
}

}  // namespace tessera::models
