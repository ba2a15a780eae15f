#pragma once
// model_config: the hyper-parameters of a BERT encoder, a GPT-2 decoder or a Llama decoder,
// whichever file described them.
//
//   auto cfg = models::model_config::from_json_file("all-MiniLM-L6-v2/config.json");  // config_json.hpp
//   auto cfg = models::model_config::from_gguf(gguf);                                 // config_gguf.hpp
//   cfg.validate_against(models::tensor_listing(weights));                             // config_tensors.hpp
//
// Every loader ends with validate(), so a model_config that exists is self-consistent:
// every count is positive and under config_limits, hidden_size splits evenly into heads
// (unless head_dim is given explicitly), kv heads divide heads, eps and rope_theta are
// finite and positive, special-token ids lie inside the vocabulary. validate_against then
// checks it against the tensors a file really holds (RELIABILITY.md: "always check config
// against tensors"). Error kinds:
//   malformed     config.json is not JSON (NaN literals included), a key has the wrong JSON
//                 type, or a required key is missing
//   duplicate     a JSON key given twice in one object
//   unsupported   an architecture tessera does not implement
//   out_of_range  a count of zero; a special-token id outside the vocabulary
//   too_large     a count over config_limits (checked before anything is sized from it)
//   invalid_data  eps or rope_theta zero, negative, NaN or infinite
//   inconsistent  heads do not divide hidden_size, kv heads do not divide heads, GGUF
//                 tokenizer arrays disagree, a tensor is missing or has the wrong shape
// Messages name the file, the key as spelled in that file, and the tensor.
//
// This header holds the type and validate(); the loaders are defined in config_json.hpp,
// config_gguf.hpp and config_tensors.hpp, which this header includes at its end, so
// including any one of the four gives the whole API.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/core/shape.hpp"

namespace tessera::io {
class gguf_file;
class safetensors_model;
class safetensors_file;
}  // namespace tessera::io

namespace tessera::models {

// gemma3: Llama's decoder plus Gemma 3's differences (models/llama.hpp runs both from GGUF).
enum class architecture { bert, gpt2, llama, gemma3 };

constexpr std::string_view to_string(architecture a) noexcept {
    switch (a) {
    case architecture::bert: return "bert";
    case architecture::gpt2: return "gpt2";
    case architecture::llama: return "llama";
    case architecture::gemma3: return "gemma3";
    }
    return "unknown";
}

// Caps on what a config may ask for. They bound what later code allocates (embedding
// tables, KV caches of n_layers x context x kv_dim), so they are checked before any model
// code sees the numbers. The defaults allow every open model up to ~400B parameters.
struct config_limits {
    std::uint64_t max_vocab_size = 1ull << 22;            // 4M tokens
    std::uint64_t max_hidden_size = 1ull << 16;           // 65536
    std::uint64_t max_layers = 1024;
    std::uint64_t max_heads = 1024;
    std::uint64_t max_head_dim = 1024;
    std::uint64_t max_intermediate_size = 1ull << 20;     // 1M
    std::uint64_t max_context_length = 1ull << 24;        // 16M positions
    std::uint64_t max_type_vocab_size = 1024;             // BERT segment ids
    std::uint64_t max_config_bytes = 16ull << 20;         // config.json text
    std::uint32_t max_json_depth = 64;
};

// RoPE context extension as config.json's "rope_scaling" or GGUF's llama.rope.scaling.*.
struct rope_scaling_config {
    std::string type;     // "" = none; "linear", "dynamic", "yarn", "llama3", ...
    double factor = 1.0;  // > 0 and finite
};

// One tensor as validate_against sees it: its name and row-major shape (GGUF's ne reversed).
// Decoders with rotary positions and grouped-query attention (the Llama family).
constexpr bool is_llama_family(architecture a) noexcept { return a == architecture::llama || a == architecture::gemma3; }

struct tensor_desc {
    std::string name;
    tessera::shape dims;
};

struct model_config {
    // Where the numbers came from; selects the key spellings used in messages.
    enum class source_kind { manual, hf_json, gguf };

    architecture arch = architecture::llama;
    std::string model_type;  // as the file spells it ("bert", "gpt2", "llama")
    std::uint64_t vocab_size = 0;
    std::uint64_t hidden_size = 0;
    std::uint64_t n_layers = 0;
    std::uint64_t n_heads = 0;
    std::uint64_t n_kv_heads = 0;                // == n_heads unless grouped-query attention
    std::uint64_t head_dim = 0;                  // hidden_size / n_heads unless given
    std::uint64_t intermediate_size = 0;         // FFN width (GPT-2: n_inner, default 4 x n_embd)
    std::uint64_t max_position_embeddings = 0;   // context length
    std::uint64_t type_vocab_size = 0;           // BERT only (0 otherwise)
    std::uint64_t rope_dim = 0;                  // Llama: rotated dims per head (== head_dim unless given)
    double norm_eps = 0;                         // LayerNorm (BERT, GPT-2) or RMSNorm (Llama) epsilon
    double rope_theta = 0;                       // Llama only
    rope_scaling_config rope_scaling;
    // Gemma 3 (0 / unused elsewhere):
    std::uint64_t sliding_window = 0;            // local layers see the last `sliding_window` positions
    std::uint64_t sliding_window_pattern = 0;    // layer i is global when (i + 1) % pattern == 0
    double rope_local_theta = 0;                 // RoPE base of the local layers
    double query_pre_attn_scalar = 0;            // attention scale 1/sqrt(this) (0: 1/sqrt(head_dim))
    double final_logit_softcapping = 0;          // logits = c·tanh(logits / c) when > 0
    bool tie_word_embeddings = false;            // lm_head shares the token embedding
    bool head_dim_explicit = false;              // head_dim came from the file, not hidden / heads
    std::string hidden_act;                      // "gelu", "gelu_new", "silu", ...
    std::optional<std::uint64_t> bos_token_id, pad_token_id, unk_token_id;
    std::vector<std::uint64_t> eos_token_ids;    // HF allows a list
    source_kind source = source_kind::manual;
    std::string what;                            // the file, for messages

    // ---- loaders (defined in config_json.hpp / config_gguf.hpp) -------------------------
    // HF config.json text; `what` names it in errors.
    static model_config from_json(std::string_view text, const std::string& what = "config.json",
                                  const config_limits& lim = {});
    static model_config from_json_file(const std::filesystem::path& path, const config_limits& lim = {});
    // GGUF metadata (general.architecture = "llama"); also checks the tokenizer arrays.
    static model_config from_gguf(const io::gguf_file& file, const config_limits& lim = {});

    // ---- checks ---------------------------------------------------------------------------
    // Internal consistency and limits (see the top of this file). The loaders call it.
    void validate(const config_limits& lim = {}) const;
    // Checks the tensors a file holds against this config (defined in config_tensors.hpp).
    // `where` names the weights file in messages.
    void validate_against(std::span<const tensor_desc> tensors, const std::string& where) const;

    // Key names as the source file spells them, for messages ("num_attention_heads",
    // "llama.attention.head_count", ...).
    enum class field { vocab, hidden, layers, heads, kv_heads, head_dim, intermediate, context, type_vocab, eps, rope_theta, rope_dim };
    std::string_view key(field f) const noexcept;
};

// ---- inline definitions -------------------------------------------------------------------

inline std::string_view model_config::key(field f) const noexcept {
    if (source == source_kind::gguf) {
        const bool g = arch == architecture::gemma3;  // keys are prefixed by general.architecture
        switch (f) {
        case field::vocab: return g ? "gemma3.vocab_size" : "llama.vocab_size";
        case field::hidden: return g ? "gemma3.embedding_length" : "llama.embedding_length";
        case field::layers: return g ? "gemma3.block_count" : "llama.block_count";
        case field::heads: return g ? "gemma3.attention.head_count" : "llama.attention.head_count";
        case field::kv_heads: return g ? "gemma3.attention.head_count_kv" : "llama.attention.head_count_kv";
        case field::head_dim: return g ? "gemma3.attention.key_length" : "llama.attention.key_length";
        case field::intermediate: return g ? "gemma3.feed_forward_length" : "llama.feed_forward_length";
        case field::context: return g ? "gemma3.context_length" : "llama.context_length";
        case field::type_vocab: return "type_vocab_size";
        case field::eps: return g ? "gemma3.attention.layer_norm_rms_epsilon" : "llama.attention.layer_norm_rms_epsilon";
        case field::rope_theta: return g ? "gemma3.rope.freq_base" : "llama.rope.freq_base";
        case field::rope_dim: return g ? "gemma3.rope.dimension_count" : "llama.rope.dimension_count";
        }
    }
    const bool gpt2 = arch == architecture::gpt2;
    switch (f) {
    case field::vocab: return "vocab_size";
    case field::hidden: return gpt2 ? "n_embd" : "hidden_size";
    case field::layers: return gpt2 ? "n_layer" : "num_hidden_layers";
    case field::heads: return gpt2 ? "n_head" : "num_attention_heads";
    case field::kv_heads: return gpt2 ? "n_head" : arch == architecture::llama ? "num_key_value_heads" : "num_attention_heads";
    case field::head_dim: return "head_dim";
    case field::intermediate: return gpt2 ? "n_inner" : "intermediate_size";
    case field::context: return gpt2 ? "n_positions" : "max_position_embeddings";
    case field::type_vocab: return "type_vocab_size";
    case field::eps: return gpt2 ? "layer_norm_epsilon" : arch == architecture::llama ? "rms_norm_eps" : "layer_norm_eps";
    case field::rope_theta: return "rope_theta";
    case field::rope_dim: return "partial_rotary_factor";
    }
    return "?";
}

inline void model_config::validate(const config_limits& lim) const {
    const std::string at = what + ": ";
    auto name = [&](field f) { return std::string(key(f)); };
    auto count = [&](field f, std::uint64_t v, std::uint64_t cap, const char* cap_name) {
        if (v == 0) throw error(error_kind::out_of_range, at + name(f) + " = 0 (must be positive)");
        if (v > cap)
            throw error(error_kind::too_large, at + name(f) + " = " + std::to_string(v) + " is over the limit " +
                                                   std::to_string(cap) + " (config_limits." + cap_name + ")");
    };
    count(field::vocab, vocab_size, lim.max_vocab_size, "max_vocab_size");
    count(field::hidden, hidden_size, lim.max_hidden_size, "max_hidden_size");
    count(field::layers, n_layers, lim.max_layers, "max_layers");
    count(field::heads, n_heads, lim.max_heads, "max_heads");
    count(field::kv_heads, n_kv_heads, lim.max_heads, "max_heads");
    count(field::intermediate, intermediate_size, lim.max_intermediate_size, "max_intermediate_size");
    count(field::context, max_position_embeddings, lim.max_context_length, "max_context_length");
    if (arch == architecture::bert) count(field::type_vocab, type_vocab_size, lim.max_type_vocab_size, "max_type_vocab_size");

    if (!head_dim_explicit && hidden_size % n_heads != 0)
        throw error(error_kind::inconsistent, at + name(field::hidden) + " = " + std::to_string(hidden_size) +
                                                  " is not divisible by " + name(field::heads) + " = " +
                                                  std::to_string(n_heads));
    if (!head_dim_explicit && head_dim * n_heads != hidden_size)
        throw error(error_kind::inconsistent, at + "head_dim " + std::to_string(head_dim) + " x " +
                                                  name(field::heads) + " != " + name(field::hidden));
    count(field::head_dim, head_dim, lim.max_head_dim, "max_head_dim");
    if (n_heads % n_kv_heads != 0)
        throw error(error_kind::inconsistent, at + name(field::kv_heads) + " = " + std::to_string(n_kv_heads) +
                                                  " does not divide " + name(field::heads) + " = " +
                                                  std::to_string(n_heads));
    if (!is_llama_family(arch) && n_kv_heads != n_heads)
        throw error(error_kind::inconsistent, at + std::string(to_string(arch)) + " has no grouped-query attention");

    // `!(x > 0)` is true for NaN as well; the bit-level isfinite survives -ffast-math.
    auto positive_finite = [&](field f, double v) {
        if (!(v > 0) || !std::isfinite(v))
            throw error(error_kind::invalid_data, at + name(f) + " = " + std::to_string(v) + " (must be finite and > 0)");
    };
    positive_finite(field::eps, norm_eps);
    if (is_llama_family(arch)) {
        positive_finite(field::rope_theta, rope_theta);
        if (rope_dim == 0 || rope_dim > head_dim || rope_dim % 2 != 0)
            throw error(error_kind::inconsistent, at + name(field::rope_dim) + " gives " + std::to_string(rope_dim) +
                                                      " rotated dims; must be even and in 2.." + std::to_string(head_dim));
        if (!rope_scaling.type.empty() && (!(rope_scaling.factor > 0) || !std::isfinite(rope_scaling.factor)))
            throw error(error_kind::invalid_data,
                        at + "rope_scaling factor = " + std::to_string(rope_scaling.factor) + " (must be finite and > 0)");
    }
    if (arch == architecture::gemma3) {
        const auto fin = [&](const char* what_key, double v, bool zero_ok) {
            if (!std::isfinite(v) || v < 0 || (!zero_ok && v == 0))
                throw error(error_kind::invalid_data, at + what_key + " = " + std::to_string(v) +
                                                          (zero_ok ? " (must be finite and >= 0)" : " (must be finite and > 0)"));
        };
        fin("rope local base", rope_local_theta, false);
        fin("query_pre_attn_scalar", query_pre_attn_scalar, false);
        fin("final_logit_softcapping", final_logit_softcapping, true);
        if (sliding_window > 0 && sliding_window_pattern == 0)
            throw error(error_kind::inconsistent, at + "a sliding window without a layer pattern");
    }

    auto token = [&](const char* what_id, std::optional<std::uint64_t> id) {
        if (id && *id >= vocab_size)
            throw error(error_kind::out_of_range, at + what_id + " = " + std::to_string(*id) + " is outside the vocabulary of " +
                                                      std::to_string(vocab_size) + " tokens");
    };
    const bool gguf = source == source_kind::gguf;
    token(gguf ? "tokenizer.ggml.bos_token_id" : "bos_token_id", bos_token_id);
    token(gguf ? "tokenizer.ggml.padding_token_id" : "pad_token_id", pad_token_id);
    token(gguf ? "tokenizer.ggml.unknown_token_id" : "unk_token_id", unk_token_id);
    for (std::uint64_t id : eos_token_ids) token(gguf ? "tokenizer.ggml.eos_token_id" : "eos_token_id", id);
}

}  // namespace tessera::models

#include "tessera/models/config_gguf.hpp"
#include "tessera/models/config_json.hpp"
#include "tessera/models/config_tensors.hpp"
