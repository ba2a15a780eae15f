#pragma once
// model_config from GGUF metadata. general.architecture = "llama" (SmolLM2, TinyLlama, Llama
// 2/3 and their GGUF conversions) and "gemma3" map onto a config.
//
// Keys read (llama.cpp's names, shown for "llama"; a "gemma3" file spells them "gemma3.*";
// `?` = optional, with the default used):
//   llama.vocab_size?  (else the length of tokenizer.ggml.tokens)     vocab_size
//   llama.embedding_length                                           hidden_size
//   llama.block_count                                                n_layers
//   llama.attention.head_count                                       n_heads
//   llama.attention.head_count_kv?  (n_heads)                        n_kv_heads
//   llama.attention.key_length?  (embedding_length / head_count)     head_dim
//   llama.feed_forward_length                                        intermediate_size
//   llama.context_length                                             max_position_embeddings
//   llama.attention.layer_norm_rms_epsilon                           norm_eps
//   llama.rope.freq_base?  (10000)                                   rope_theta
//   llama.rope.dimension_count?  (head_dim)                          rope_dim
//   llama.rope.scaling.type? llama.rope.scaling.factor?              rope_scaling
//   tokenizer.ggml.{bos,eos,padding,unknown}_token_id?               special ids
// gemma3 also (llama.cpp's defaults and rules, src/models/gemma3.cpp and llama-hparams.cpp):
//   gemma3.attention.sliding_window?  (0: every layer global)       sliding_window
//   gemma3.attention.sliding_window_pattern?  (6; an integer)       sliding_window_pattern
//   gemma3.rope.freq_base_swa?  (10000)                              rope_local_theta
//   gemma3.final_logit_softcapping?  (0: none)                       final_logit_softcapping
//   query_pre_attn_scalar is not stored: head_dim, except hidden / heads for the 62-layer
//   (27B) model, as llama.cpp decides.
// Integer keys may use any GGUF integer type (writers differ: u32, i32, u64); floats f32 or f64.
// GGUF has no tie flag: embeddings are tied exactly when there is no `output.weight` tensor.
//
// The tokenizer arrays are checked here too (RELIABILITY.md's GGUF catalog): tokens must be
// array[string]; scores (array[f32]) and token_type (array[i32]) must match its length;
// merges must be array[string]; llama.vocab_size, when present, must equal the token count;
// special-token ids must lie inside the vocabulary (validate()).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "tessera/core/error.hpp"
#include "tessera/io/gguf_reader.hpp"
#include "tessera/models/config.hpp"

namespace tessera::models {

namespace detail {

// The integer value of `key` whatever its GGUF integer type; nullopt if absent.
inline std::optional<std::uint64_t> gguf_count(const io::gguf_file& f, std::string_view key) {
    const io::gguf_value* v = f.find(key);
    if (!v) return std::nullopt;
    return std::visit(
        [&](const auto& x) -> std::uint64_t {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
                if constexpr (std::is_signed_v<T>)
                    if (x < 0)
                        throw error(error_kind::out_of_range, f.path() + ": metadata key '" + std::string(key) +
                                                                  "' = " + std::to_string(x) + " is negative");
                return static_cast<std::uint64_t>(x);
            } else {
                throw error(error_kind::inconsistent, f.path() + ": metadata key '" + std::string(key) + "' is " +
                                                          v->type_name() + ", expected an integer");
            }
        },
        v->get());
}

inline std::uint64_t gguf_required_count(const io::gguf_file& f, std::string_view key) {
    if (auto v = gguf_count(f, key)) return *v;
    throw error(error_kind::malformed, f.path() + ": required metadata key '" + std::string(key) + "' is missing");
}

inline std::optional<double> gguf_real(const io::gguf_file& f, std::string_view key) {
    const io::gguf_value* v = f.find(key);
    if (!v) return std::nullopt;
    if (const float* x = v->get_if<float>()) return *x;
    if (const double* x = v->get_if<double>()) return *x;
    throw error(error_kind::inconsistent,
                f.path() + ": metadata key '" + std::string(key) + "' is " + v->type_name() + ", expected f32");
}

// Length of tokenizer.ggml.tokens after checking the tokenizer arrays agree; nullopt when absent.
inline std::optional<std::uint64_t> gguf_checked_token_count(const io::gguf_file& f) {
    constexpr std::string_view tokens_key = "tokenizer.ggml.tokens";
    const auto tokens = f.contains(tokens_key) ? std::optional<std::uint64_t>(f.get_array<std::string>(tokens_key).size())
                                               : std::nullopt;
    auto same_length = [&](std::string_view key, std::size_t n) {
        if (!tokens)
            throw error(error_kind::inconsistent,
                        f.path() + ": metadata key '" + std::string(key) + "' is present without " + std::string(tokens_key));
        if (n != *tokens)
            throw error(error_kind::inconsistent, f.path() + ": metadata key '" + std::string(key) + "' has " +
                                                      std::to_string(n) + " entries, " + std::string(tokens_key) +
                                                      " has " + std::to_string(*tokens));
    };
    if (f.contains("tokenizer.ggml.scores")) same_length("tokenizer.ggml.scores", f.get_array<float>("tokenizer.ggml.scores").size());
    if (f.contains("tokenizer.ggml.token_type"))
        same_length("tokenizer.ggml.token_type", f.get_array<std::int32_t>("tokenizer.ggml.token_type").size());
    if (f.contains("tokenizer.ggml.merges")) (void)f.get_array<std::string>("tokenizer.ggml.merges");
    return tokens;
}

}  // namespace detail

inline model_config model_config::from_gguf(const io::gguf_file& f, const config_limits& lim) {
    constexpr std::string_view arch_key = "general.architecture";
    if (!f.contains(arch_key))
        throw error(error_kind::malformed, f.path() + ": required metadata key 'general.architecture' is missing");
    const std::string& arch = f.get_string(arch_key);
    if (arch != "llama" && arch != "gemma3")
        throw error(error_kind::unsupported, f.path() + ": general.architecture '" + arch +
                                                 "' has no tessera config (llama and gemma3 have)");
    const bool gemma3 = arch == "gemma3";
    const auto k = [&](std::string_view suffix) { return arch + "." + std::string(suffix); };
    using detail::gguf_count;
    using detail::gguf_required_count;

    model_config c;
    c.what = f.path();
    c.source = source_kind::gguf;
    c.arch = gemma3 ? architecture::gemma3 : architecture::llama;
    c.model_type = arch;
    c.hidden_act = gemma3 ? "gelu_pytorch_tanh" : "silu";

    const auto tokens = detail::gguf_checked_token_count(f);
    const auto vocab_key = gguf_count(f, k("vocab_size"));
    if (vocab_key && tokens && *vocab_key != *tokens)
        throw error(error_kind::inconsistent, f.path() + ": " + k("vocab_size") + " = " + std::to_string(*vocab_key) +
                                                  " but tokenizer.ggml.tokens has " + std::to_string(*tokens) + " entries");
    if (!vocab_key && !tokens)
        throw error(error_kind::malformed, f.path() + ": neither " + k("vocab_size") +
                                               " nor tokenizer.ggml.tokens gives the vocabulary size");
    c.vocab_size = vocab_key ? *vocab_key : *tokens;

    c.hidden_size = gguf_required_count(f, k("embedding_length"));
    c.n_layers = gguf_required_count(f, k("block_count"));
    c.n_heads = gguf_required_count(f, k("attention.head_count"));
    c.n_kv_heads = gguf_count(f, k("attention.head_count_kv")).value_or(c.n_heads);
    c.intermediate_size = gguf_required_count(f, k("feed_forward_length"));
    c.max_position_embeddings = gguf_required_count(f, k("context_length"));
    const auto eps = detail::gguf_real(f, k("attention.layer_norm_rms_epsilon"));
    if (!eps)
        throw error(error_kind::malformed,
                    f.path() + ": required metadata key '" + k("attention.layer_norm_rms_epsilon") + "' is missing");
    c.norm_eps = *eps;
    c.rope_theta = detail::gguf_real(f, k("rope.freq_base")).value_or(10000.0);
    if (auto kl = gguf_count(f, k("attention.key_length"))) {
        c.head_dim = *kl;
        c.head_dim_explicit = true;
    } else if (c.n_heads != 0) {
        c.head_dim = c.hidden_size / c.n_heads;
    }
    c.rope_dim = gguf_count(f, k("rope.dimension_count")).value_or(c.head_dim);
    if (f.contains(k("rope.scaling.type"))) {
        c.rope_scaling.type = f.get_string(k("rope.scaling.type"));
        if (c.rope_scaling.type == "none") c.rope_scaling.type.clear();
        c.rope_scaling.factor = detail::gguf_real(f, k("rope.scaling.factor")).value_or(1.0);
    }
    if (gemma3) {
        c.sliding_window = gguf_count(f, k("attention.sliding_window")).value_or(0);
        const io::gguf_value* pattern = f.find(k("attention.sliding_window_pattern"));
        if (pattern && pattern->get_if<io::gguf_array>())
            throw error(error_kind::unsupported, f.path() + ": " + k("attention.sliding_window_pattern") +
                                                     " as a per-layer array is not implemented");
        c.sliding_window_pattern = c.sliding_window > 0 ? gguf_count(f, k("attention.sliding_window_pattern")).value_or(6) : 0;
        c.rope_local_theta = detail::gguf_real(f, k("rope.freq_base_swa")).value_or(10000.0);
        c.final_logit_softcapping = detail::gguf_real(f, k("final_logit_softcapping")).value_or(0.0);
        c.query_pre_attn_scalar = c.n_layers == 62 && c.n_heads != 0 ? double(c.hidden_size / c.n_heads) : double(c.head_dim);
    }
    c.tie_word_embeddings = f.find_tensor("output.weight") == nullptr;
    c.bos_token_id = gguf_count(f, "tokenizer.ggml.bos_token_id");
    if (auto eos = gguf_count(f, "tokenizer.ggml.eos_token_id")) c.eos_token_ids.push_back(*eos);
    c.pad_token_id = gguf_count(f, "tokenizer.ggml.padding_token_id");
    c.unk_token_id = gguf_count(f, "tokenizer.ggml.unknown_token_id");
    c.validate(lim);
    return c;
}

}  // namespace tessera::models
