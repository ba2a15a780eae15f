#pragma once
// A BPE tokenizer from GGUF metadata (the keys llama.cpp writes):
//   tokenizer.ggml.model          string: "gpt2" (byte-level BPE) or "llama" (SentencePiece-style
//                                 BPE by scores, text/spm_merges.hpp; Llama 2, Mistral, Gemma)
//   tokenizer.ggml.pre            string, the pre-tokenizer name (text/pretokenize.hpp maps it);
//                                 "gpt2" only (sentencepiece has no pre-tokenizer)
//   tokenizer.ggml.scores         array[f32], "llama" only: per-token merge priority (default 0)
//   tokenizer.ggml.add_space_prefix   bool, "llama" only: default true (llama.cpp's default)
//   tokenizer.ggml.tokens         array[string], id -> spelling
//   tokenizer.ggml.token_type     array[i32], optional, same length (1 normal, 2 unknown,
//                                 3 control, 4 user-defined, 5 unused, 6 byte; 0 = normal)
//   tokenizer.ggml.merges         array[string], "left right" in rank order ("gpt2"; ignored
//                                 for "llama", as llama.cpp does)
//   tokenizer.ggml.{bos,eos,padding,unknown}_token_id   u32 (any integer type accepted)
//   tokenizer.ggml.add_bos_token / add_eos_token        bool, default false ("llama": BOS
//                                 defaults to true, llama.cpp's SPM default)
//   tokenizer.chat_template       string (read by text/chat_template.hpp, not here)
//
// Errors (tessera::error, naming the file and the key): a missing required key or an
// array of the wrong element type (out_of_range / inconsistent, from gguf_file); another
// model than "gpt2" or "llama", no or an unknown pre-tokenizer for "gpt2" (unsupported);
// scores of another length than tokens (inconsistent); token_type of another
// length than tokens (inconsistent); a token type outside 0..6 or a merge without a
// separating space (malformed); a special-token id outside the vocabulary (out_of_range);
// merges whose parts or result are not tokens (inconsistent); duplicate tokens or merges
// (duplicate).
//
// Choices, following llama.cpp and HF: tokenizer.ggml.unknown_token_id is checked but never
// emitted: byte-level BPE has no unknown token, and bytes the vocabulary lacks are dropped
// (SmolLM2 lacks 0x04, 0x06, 0x13, 0x14, 0x16, 0x1D, 0xC0, 0xC1, 0xF1, 0xF2, 0xF5..0xFF).
// Llama-3-style pre-tokenizers set ignore_merges, as llama.cpp does for them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/io/gguf.hpp"
#include "tessera/text/bpe.hpp"
#include "tessera/text/pretokenize.hpp"

namespace tessera::text {

namespace detail {

// An integer-valued key of any GGUF integer type, or nullopt when absent.
inline std::optional<std::int64_t> gguf_integer(const io::gguf_file& f, std::string_view key) {
    const io::gguf_value* v = f.find(key);
    if (!v) return std::nullopt;
    std::optional<std::int64_t> out;
    std::visit(
        [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
                if constexpr (std::is_same_v<T, std::uint64_t>) {
                    if (x <= std::uint64_t(INT64_MAX)) out = static_cast<std::int64_t>(x);
                    else out = -1;  // reported as out of range below
                } else {
                    out = static_cast<std::int64_t>(x);
                }
            }
        },
        v->get());
    if (!out)
        throw error(error_kind::inconsistent,
                    f.path() + ": metadata key '" + std::string(key) + "' is " + v->type_name() + ", expected an integer");
    return out;
}

inline std::optional<std::int32_t> gguf_token_id(const io::gguf_file& f, std::string_view key, std::size_t vocab) {
    const auto v = gguf_integer(f, key);
    if (!v) return std::nullopt;
    if (*v < 0 || std::uint64_t(*v) >= vocab)
        throw error(error_kind::out_of_range, f.path() + ": metadata key '" + std::string(key) + "' = " +
                                                  std::to_string(*v) + " is outside the vocabulary of " +
                                                  std::to_string(vocab) + " tokens");
    return static_cast<std::int32_t>(*v);
}

}  // namespace detail

namespace detail {

inline error gguf_key_error(const io::gguf_file& f, error_kind k, std::string_view key, const std::string& msg) {
    return error(k, f.path() + ": metadata key '" + std::string(key) + "' " + msg);
}

// tokenizer.ggml.token_type as it is; empty when absent.
inline std::vector<token_kind> gguf_token_types(const io::gguf_file& f, std::size_t n) {
    std::vector<token_kind> kinds;
    if (!f.contains("tokenizer.ggml.token_type")) return kinds;
    const auto& types = f.get_array<std::int32_t>("tokenizer.ggml.token_type");
    if (types.size() != n)
        throw gguf_key_error(f, error_kind::inconsistent, "tokenizer.ggml.token_type",
                             "has " + std::to_string(types.size()) + " entries for " + std::to_string(n) + " tokens");
    kinds.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::int32_t t = types[i];
        if (t < 0 || t > 6)
            throw gguf_key_error(f, error_kind::malformed, "tokenizer.ggml.token_type",
                                 "entry " + std::to_string(i) + " is " + std::to_string(t) + " (valid: 0..6)");
        kinds[i] = t == 0 ? token_kind::normal : static_cast<token_kind>(t);
    }
    return kinds;
}

// llama.cpp (llama-vocab.cpp, load) makes these "control-looking" texts control tokens
// whatever token_type says, and ends generation on them; tessera follows, so that e.g. Gemma
// 3's user-defined "</s>" (an HTML tag there) is literal text unless special tokens are
// parsed, as in llama.cpp. ("</s>" stays as typed where the vocabulary also has
// "<|tool_response>" or "<|plamo:eos|>", llama.cpp's exception.)
inline bool llama_cpp_control_text(std::string_view t) noexcept {
    constexpr std::string_view texts[] = {
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
        "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
        "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
        "<\xEF\xBD\x9C" "end\xE2\x96\x81of\xE2\x96\x81sentence" "\xEF\xBD\x9C>", "[e~["};
    for (const std::string_view x : texts)
        if (t == x) return true;
    return false;
}

// tokenizer.ggml.token_type (optional) as token kinds, with llama.cpp's control overrides
// (above); empty when there is neither a type array nor an override.
inline std::vector<token_kind> gguf_token_kinds(const io::gguf_file& f, const std::vector<std::string>& tokens) {
    const std::size_t n = tokens.size();
    std::vector<token_kind> kinds = gguf_token_types(f, n);
    bool s_is_normal = false;
    for (const std::string& t : tokens) s_is_normal = s_is_normal || t == "<|tool_response>" || t == "<|plamo:eos|>";
    for (std::size_t i = 0; i < n; ++i) {
        if (!llama_cpp_control_text(tokens[i]) || (s_is_normal && tokens[i] == "</s>")) continue;
        if (kinds.empty()) kinds.assign(n, token_kind::normal);
        kinds[i] = token_kind::control;
    }
    return kinds;
}

// BOS/EOS/PAD ids and the prefix/suffix ids add_bos_token / add_eos_token ask for.
inline void gguf_special_ids(const io::gguf_file& f, bpe_spec& s, bool add_bos_default) {
    const std::size_t n = s.tokens.size();
    s.bos_id = gguf_token_id(f, "tokenizer.ggml.bos_token_id", n);
    s.eos_id = gguf_token_id(f, "tokenizer.ggml.eos_token_id", n);
    s.pad_id = gguf_token_id(f, "tokenizer.ggml.padding_token_id", n);
    (void)gguf_token_id(f, "tokenizer.ggml.unknown_token_id", n);  // checked, never emitted (see top)
    const bool add_bos = f.get_optional<bool>("tokenizer.ggml.add_bos_token").value_or(add_bos_default);
    const bool add_eos = f.get_optional<bool>("tokenizer.ggml.add_eos_token").value_or(false);
    if (add_bos) {
        if (!s.bos_id)
            throw gguf_key_error(f, error_kind::inconsistent, "tokenizer.ggml.add_bos_token", "is true but there is no bos_token_id");
        s.prefix_ids.push_back(*s.bos_id);
    }
    if (add_eos) {
        if (!s.eos_id)
            throw gguf_key_error(f, error_kind::inconsistent, "tokenizer.ggml.add_eos_token", "is true but there is no eos_token_id");
        s.suffix_ids.push_back(*s.eos_id);
    }
}

}  // namespace detail

// The spec of a tokenizer.ggml.model = "llama" file (SentencePiece-style; see bpe.hpp). The
// unknown token is checked but never emitted: every byte has a "<0xXX>" token.
inline bpe_spec spm_spec_from_gguf(const io::gguf_file& f) {
    bpe_spec s;
    s.source = f.path();
    s.model = bpe_model::sentencepiece;
    s.tokens = f.get_string_array("tokenizer.ggml.tokens").to_vector();
    const std::size_t n = s.tokens.size();
    s.kinds = detail::gguf_token_kinds(f, s.tokens);
    if (f.contains("tokenizer.ggml.scores")) {
        const auto& scores = f.get_array<float>("tokenizer.ggml.scores");
        if (scores.size() != n)
            throw detail::gguf_key_error(f, error_kind::inconsistent, "tokenizer.ggml.scores",
                                         "has " + std::to_string(scores.size()) + " entries for " + std::to_string(n) + " tokens");
        s.scores.assign(scores.begin(), scores.end());
    }
    s.add_space_prefix = f.get_optional<bool>("tokenizer.ggml.add_space_prefix").value_or(true);
    detail::gguf_special_ids(f, s, true);
    return s;
}

// The bpe_spec a GGUF file describes (validated further by the bpe_tokenizer constructor).
inline bpe_spec bpe_spec_from_gguf(const io::gguf_file& f) {
    const std::string& path = f.path();
    const auto key_error = [&](error_kind k, std::string_view key, const std::string& msg) {
        return error(k, path + ": metadata key '" + std::string(key) + "' " + msg);
    };
    const std::string& model = f.get_string("tokenizer.ggml.model");
    if (model == "llama") return spm_spec_from_gguf(f);
    if (model != "gpt2")
        throw key_error(error_kind::unsupported, "tokenizer.ggml.model",
                        "is '" + model + "'; this loader reads byte-level BPE ('gpt2') and SentencePiece ('llama') vocabularies");
    if (!f.contains("tokenizer.ggml.pre"))
        throw key_error(error_kind::unsupported, "tokenizer.ggml.pre",
                        "is missing; without it the pre-tokenizer is unknown (llama.cpp falls back to a guess)");

    bpe_spec s;
    s.source = path;
    try {
        s.pre = pretokenizer_from_gguf_name(f.get_string("tokenizer.ggml.pre"));
    } catch (const error& e) {
        throw key_error(e.kind(), "tokenizer.ggml.pre", e.what());
    }
    s.ignore_merges = s.pre == pretokenizer_kind::llama3;

    s.tokens = f.get_string_array("tokenizer.ggml.tokens").to_vector();
    s.kinds = detail::gguf_token_kinds(f, s.tokens);

    const auto& merges = f.get_string_array("tokenizer.ggml.merges");
    s.merges.reserve(merges.size());
    std::size_t r = 0;
    for (const std::string_view m : merges) {
        // The separator is the first space after the first byte (llama.cpp's rule).
        const std::size_t sp = m.size() > 1 ? m.find(' ', 1) : std::string::npos;
        if (sp == std::string::npos || sp + 1 >= m.size())
            throw key_error(error_kind::malformed, "tokenizer.ggml.merges",
                            "entry " + std::to_string(r) + " ('" + std::string(m) + "') is not two tokens separated by a space");
        s.merges.emplace_back(m.substr(0, sp), m.substr(sp + 1));
        ++r;
    }

    detail::gguf_special_ids(f, s, false);
    return s;
}

inline bpe_tokenizer bpe_from_gguf(const io::gguf_file& f) { return bpe_tokenizer(bpe_spec_from_gguf(f)); }

// The chat template a GGUF file carries, if any.
inline std::optional<std::string> gguf_chat_template(const io::gguf_file& f) {
    return f.get_optional<std::string>("tokenizer.chat_template");
}

}  // namespace tessera::text
