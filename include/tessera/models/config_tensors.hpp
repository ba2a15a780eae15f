#pragma once
// model_config::validate_against: does a weights file hold the tensors this config needs,
// with the shapes it implies? Shapes are row-major (GGUF's ne reversed, see io/gguf_types.hpp).
//
// Names and shapes checked (H hidden, I intermediate, V vocab, P positions, T type vocab,
// q = heads x head_dim, kv = kv_heads x head_dim; N = 0 .. n_layers-1):
//   BERT (HF; optional "bert." prefix)
//     embeddings.word_embeddings.weight [V,H]  position_embeddings [P,H]  token_type_embeddings [T,H]
//     embeddings.LayerNorm.{weight,bias} [H]
//     encoder.layer.N.attention.self.{query,key,value}.weight [H,H] .bias [H]
//     encoder.layer.N.attention.output.dense.weight [H,H] .bias [H], ...output.LayerNorm.{weight,bias} [H]
//     encoder.layer.N.intermediate.dense.weight [I,H] .bias [I]
//     encoder.layer.N.output.dense.weight [H,I] .bias [H], encoder.layer.N.output.LayerNorm.{weight,bias} [H]
//   GPT-2 (HF; optional "transformer." prefix; Conv1D weights are stored [in, out])
//     wte.weight [V,H]  wpe.weight [P,H]  ln_f.{weight,bias} [H]
//     h.N.ln_1/ln_2.{weight,bias} [H]  h.N.attn.c_attn.weight [H,3H] .bias [3H]
//     h.N.attn.c_proj.weight [H,H] .bias [H]  h.N.mlp.c_fc.weight [H,I] .bias [I]
//     h.N.mlp.c_proj.weight [I,H] .bias [H]  lm_head.weight [V,H] (required unless tied)
//   Llama, GGUF names                               Llama, HF names
//     token_embd.weight [V,H]                         model.embed_tokens.weight
//     blk.N.attn_norm.weight [H]                      model.layers.N.input_layernorm.weight
//     blk.N.attn_q.weight [q,H]                       ...self_attn.q_proj.weight
//     blk.N.attn_k.weight / attn_v.weight [kv,H]      ...self_attn.k_proj / v_proj.weight
//     blk.N.attn_output.weight [H,q]                  ...self_attn.o_proj.weight
//     blk.N.ffn_norm.weight [H]                       ...post_attention_layernorm.weight
//     blk.N.ffn_gate.weight / ffn_up.weight [I,H]     ...mlp.gate_proj / up_proj.weight
//     blk.N.ffn_down.weight [H,I]                     ...mlp.down_proj.weight
//     output_norm.weight [H]                          model.norm.weight
//     output.weight [V,H] (optional when tied)        lm_head.weight
// Extra tensors (BERT's pooler, position_ids buffers, GPT-2's attention-mask buffers) are
// allowed, except a per-layer tensor of a layer the config does not have.
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/core/shape.hpp"
#include "tessera/io/gguf_reader.hpp"
#include "tessera/io/safetensors_file.hpp"
#include "tessera/io/safetensors_model.hpp"
#include "tessera/models/config.hpp"

namespace tessera::models {

// The (name, row-major shape) listing of a weights file, in file order.
inline std::vector<tensor_desc> tensor_listing(const io::gguf_file& f) {
    std::vector<tensor_desc> out;
    out.reserve(f.tensors().size());
    for (const auto& t : f.tensors()) out.push_back({t.name, t.row_major_shape()});
    return out;
}
inline std::vector<tensor_desc> tensor_listing(const io::safetensors_file& f) {
    std::vector<tensor_desc> out;
    out.reserve(f.size());
    for (const auto& t : f.tensors()) out.push_back({t.name, t.dims});
    return out;
}
inline std::vector<tensor_desc> tensor_listing(const io::safetensors_model& m) {
    std::vector<tensor_desc> out;
    out.reserve(m.size());
    for (const auto& e : m.tensors()) out.push_back({e.info->name, e.info->dims});
    return out;
}

namespace detail {

struct expected_tensor {
    std::string name;
    tessera::shape dims;
    bool required = true;
};

// The tensor names of one checkpoint layout: a global prefix and where per-layer names start.
struct tensor_layout {
    enum class scheme { hf_bert, hf_gpt2, hf_llama, gguf_llama, gguf_gemma3 } kind;
    std::string prefix;        // "", "bert.", "transformer.", "model."
    std::string layer_prefix;  // "encoder.layer.", "h.", "model.layers.", "blk." (prefix included)
};

inline std::vector<expected_tensor> expected_tensors(const model_config& c, const tensor_layout& l) {
    using S = tessera::shape;
    const std::size_t H = c.hidden_size, I = c.intermediate_size, V = c.vocab_size;
    const std::size_t q = c.n_heads * c.head_dim, kv = c.n_kv_heads * c.head_dim;  // bounded by config_limits
    std::vector<expected_tensor> e;
    auto add = [&](std::string name, S dims, bool required = true) { e.push_back({std::move(name), dims, required}); };
    const std::string& p = l.prefix;
    switch (l.kind) {
    case tensor_layout::scheme::hf_bert:
        add(p + "embeddings.word_embeddings.weight", {V, H});
        add(p + "embeddings.position_embeddings.weight", {c.max_position_embeddings, H});
        add(p + "embeddings.token_type_embeddings.weight", {c.type_vocab_size, H});
        add(p + "embeddings.LayerNorm.weight", {H});
        add(p + "embeddings.LayerNorm.bias", {H});
        for (std::uint64_t n = 0; n < c.n_layers; ++n) {
            const std::string b = l.layer_prefix + std::to_string(n) + ".";
            for (const char* m : {"query", "key", "value"}) {
                add(b + "attention.self." + m + ".weight", {H, H});
                add(b + "attention.self." + m + ".bias", {H});
            }
            add(b + "attention.output.dense.weight", {H, H});
            add(b + "attention.output.dense.bias", {H});
            add(b + "attention.output.LayerNorm.weight", {H});
            add(b + "attention.output.LayerNorm.bias", {H});
            add(b + "intermediate.dense.weight", {I, H});
            add(b + "intermediate.dense.bias", {I});
            add(b + "output.dense.weight", {H, I});
            add(b + "output.dense.bias", {H});
            add(b + "output.LayerNorm.weight", {H});
            add(b + "output.LayerNorm.bias", {H});
        }
        break;
    case tensor_layout::scheme::hf_gpt2:
        add(p + "wte.weight", {V, H});
        add(p + "wpe.weight", {c.max_position_embeddings, H});
        for (std::uint64_t n = 0; n < c.n_layers; ++n) {
            const std::string b = l.layer_prefix + std::to_string(n) + ".";
            for (const char* ln : {"ln_1", "ln_2"}) {
                add(b + ln + ".weight", {H});
                add(b + ln + ".bias", {H});
            }
            add(b + "attn.c_attn.weight", {H, 3 * H});
            add(b + "attn.c_attn.bias", {3 * H});
            add(b + "attn.c_proj.weight", {H, H});
            add(b + "attn.c_proj.bias", {H});
            add(b + "mlp.c_fc.weight", {H, I});
            add(b + "mlp.c_fc.bias", {I});
            add(b + "mlp.c_proj.weight", {I, H});
            add(b + "mlp.c_proj.bias", {H});
        }
        add(p + "ln_f.weight", {H});
        add(p + "ln_f.bias", {H});
        add("lm_head.weight", {V, H}, !c.tie_word_embeddings);
        break;
    case tensor_layout::scheme::hf_llama:
        add("model.embed_tokens.weight", {V, H});
        for (std::uint64_t n = 0; n < c.n_layers; ++n) {
            const std::string b = l.layer_prefix + std::to_string(n) + ".";
            add(b + "input_layernorm.weight", {H});
            add(b + "self_attn.q_proj.weight", {q, H});
            add(b + "self_attn.k_proj.weight", {kv, H});
            add(b + "self_attn.v_proj.weight", {kv, H});
            add(b + "self_attn.o_proj.weight", {H, q});
            add(b + "post_attention_layernorm.weight", {H});
            add(b + "mlp.gate_proj.weight", {I, H});
            add(b + "mlp.up_proj.weight", {I, H});
            add(b + "mlp.down_proj.weight", {H, I});
        }
        add("model.norm.weight", {H});
        add("lm_head.weight", {V, H}, !c.tie_word_embeddings);
        break;
    case tensor_layout::scheme::gguf_llama:
    case tensor_layout::scheme::gguf_gemma3:
        add("token_embd.weight", {V, H});
        for (std::uint64_t n = 0; n < c.n_layers; ++n) {
            const std::string b = l.layer_prefix + std::to_string(n) + ".";
            if (l.kind == tensor_layout::scheme::gguf_gemma3) {  // per-head q/k norms, post-sublayer norms
                add(b + "attn_q_norm.weight", {c.head_dim});
                add(b + "attn_k_norm.weight", {c.head_dim});
                add(b + "post_attention_norm.weight", {H});
                add(b + "post_ffw_norm.weight", {H});
            }
            add(b + "attn_norm.weight", {H});
            add(b + "attn_q.weight", {q, H});
            add(b + "attn_k.weight", {kv, H});
            add(b + "attn_v.weight", {kv, H});
            add(b + "attn_output.weight", {H, q});
            add(b + "ffn_norm.weight", {H});
            add(b + "ffn_gate.weight", {I, H});
            add(b + "ffn_up.weight", {I, H});
            add(b + "ffn_down.weight", {H, I});
        }
        add("output_norm.weight", {H});
        add("output.weight", {V, H}, !c.tie_word_embeddings);
        break;
    }
    return e;
}

}  // namespace detail

inline void model_config::validate_against(std::span<const tensor_desc> tensors, const std::string& where) const {
    using detail::tensor_layout;
    std::unordered_map<std::string_view, const tessera::shape*> by_name;
    by_name.reserve(tensors.size());
    for (const auto& t : tensors) by_name.emplace(t.name, &t.dims);
    auto has = [&](const std::string& n) { return by_name.count(n) != 0; };

    // Which naming scheme the file uses, found from its token-embedding tensor.
    tensor_layout layout{tensor_layout::scheme::hf_bert, "", ""};
    std::string looked_for;
    auto try_layout = [&](tensor_layout::scheme s, const std::string& prefix, const std::string& embedding,
                          const std::string& layers) {
        looked_for += (looked_for.empty() ? "'" : ", '") + prefix + embedding + "'";
        if (!has(prefix + embedding)) return false;
        layout = {s, prefix, prefix + layers};
        return true;
    };
    bool found = false;
    switch (arch) {
    case architecture::bert:
        found = try_layout(tensor_layout::scheme::hf_bert, "", "embeddings.word_embeddings.weight", "encoder.layer.") ||
                try_layout(tensor_layout::scheme::hf_bert, "bert.", "embeddings.word_embeddings.weight", "encoder.layer.");
        break;
    case architecture::gpt2:
        found = try_layout(tensor_layout::scheme::hf_gpt2, "", "wte.weight", "h.") ||
                try_layout(tensor_layout::scheme::hf_gpt2, "transformer.", "wte.weight", "h.");
        break;
    case architecture::llama:
        found = try_layout(tensor_layout::scheme::gguf_llama, "", "token_embd.weight", "blk.") ||
                try_layout(tensor_layout::scheme::hf_llama, "", "model.embed_tokens.weight", "model.layers.");
        break;
    case architecture::gemma3:
        found = try_layout(tensor_layout::scheme::gguf_gemma3, "", "token_embd.weight", "blk.");
        break;
    }
    if (!found)
        throw error(error_kind::inconsistent, where + ": no token-embedding tensor for a " + std::string(to_string(arch)) +
                                                  " model (looked for " + looked_for + ")");

    const auto expected = detail::expected_tensors(*this, layout);
    // The embedding first, so a vocabulary mismatch is reported as one.
    const auto& emb = expected.front();
    const tessera::shape& emb_dims = *by_name.at(emb.name);
    if (emb_dims.rank() != 2 || emb_dims[0] != vocab_size || emb_dims[1] != hidden_size)
        throw error(error_kind::inconsistent,
                    where + ": tensor '" + emb.name + "' has shape " + emb_dims.to_string() + ", but " + what + " says " +
                        std::string(key(field::vocab)) + " = " + std::to_string(vocab_size) + " and " +
                        std::string(key(field::hidden)) + " = " + std::to_string(hidden_size));
    const std::string sizes = std::string(key(field::hidden)) + " = " + std::to_string(hidden_size) + ", " +
                              std::string(key(field::intermediate)) + " = " + std::to_string(intermediate_size) +
                              ", heads " + std::to_string(n_heads) + "/" + std::to_string(n_kv_heads) + " x " +
                              std::to_string(head_dim);
    for (const auto& x : expected) {
        const auto it = by_name.find(x.name);
        if (it == by_name.end()) {
            if (x.required)
                throw error(error_kind::inconsistent, where + ": tensor '" + x.name + "' is missing (" + what + ": " +
                                                          std::string(key(field::layers)) + " = " +
                                                          std::to_string(n_layers) + ")");
            continue;
        }
        if (!(*it->second == x.dims))
            throw error(error_kind::inconsistent, where + ": tensor '" + x.name + "' has shape " +
                                                      it->second->to_string() + ", " + what + " implies " +
                                                      x.dims.to_string() + " (" + sizes + ")");
    }
    // A per-layer tensor beyond the last layer means the config undercounts the layers.
    for (const auto& t : tensors) {
        if (!t.name.starts_with(layout.layer_prefix)) continue;
        const std::string_view rest = std::string_view(t.name).substr(layout.layer_prefix.size());
        std::uint64_t layer = 0;
        const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), layer);
        const bool numbered = ec == std::errc() && end != rest.data() && end < rest.data() + rest.size() && *end == '.';
        if ((ec == std::errc::result_out_of_range) || (numbered && layer >= n_layers))
            throw error(error_kind::inconsistent, where + ": tensor '" + t.name + "' belongs to a layer beyond " +
                                                      std::string(key(field::layers)) + " = " + std::to_string(n_layers) +
                                                      " in " + what);
    }
}

}  // namespace tessera::models
