#pragma once
// Chat templates: recognise the Jinja template a model file carries and render
// conversations exactly as HF transformers' jinja rendering does, without a Jinja engine.
//
// Recognition is by content markers, as llama.cpp's llm_chat_detect_template does, but
// stricter, because we promise HF's exact output:
//   ChatML    "<|im_start|>" and "<|im_end|>", message['role'] and message['content'],
//             and an add_generation_prompt block writing "<|im_start|>assistant\n". Renders
//               [<|im_start|>system\n{default}<|im_end|>\n]   (see below)
//               <|im_start|>{role}\n{content}<|im_end|>\n      for each message
//               <|im_start|>assistant\n                        with add_generation_prompt
//             A default system prompt is inserted before the first message when the
//             template says so (SmolLM2: `loop.first and messages[0]['role'] != 'system'`);
//             its text is read from the template's own string literal.
// Anything else, and any ChatML template using constructs this renderer does not
// reproduce (tools, bos/eos tokens, raise_exception, trimming, dates, reasoning tags), is
// an `unsupported` error: a silently different prompt would quietly degrade the model.
//
// Prompts and special tokens: apply_chat_template gives the text (what HF returns with
// tokenize=False). encode_chat tokenizes it the way HF's apply_chat_template(tokenize=True)
// does — one pass over the whole text, no BOS/EOS added — except that special-token text
// is recognised only inside the parts the template wrote, never inside roles or message
// contents; for contents free of special-token text the ids are identical to HF's.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/text/bpe.hpp"
#include "tessera/text/utf8.hpp"

namespace tessera::text {

struct chat_message {
    std::string role;     // "system", "user", "assistant", ...
    std::string content;
};

enum class chat_template_family : std::uint8_t { chatml };

struct chat_template {
    chat_template_family family = chat_template_family::chatml;
    std::optional<std::string> default_system;  // inserted when the first message is not a system message
};

// The rendered prompt and the byte ranges the template itself wrote (where special-token
// text is real special tokens).
struct rendered_chat {
    std::string text;
    std::vector<byte_range> template_ranges;
};

namespace detail {

// The Jinja string literal starting at text[pos] (a quote), unescaped, or nullopt.
inline std::optional<std::string> jinja_string_literal_from(std::string_view text, std::size_t pos, std::size_t& end) {
    if (pos >= text.size() || (text[pos] != '\'' && text[pos] != '"')) return std::nullopt;
    const char quote = text[pos];
    std::string out;
    for (std::size_t i = pos + 1; i < text.size(); ++i) {
        const char c = text[i];
        if (c == quote) {
            end = i + 1;
            return out;
        }
        if (c != '\\') {
            out.push_back(c);
            continue;
        }
        if (++i >= text.size()) return std::nullopt;
        switch (text[i]) {
        case 'n': out.push_back('\n'); break;
        case 't': out.push_back('\t'); break;
        case 'r': out.push_back('\r'); break;
        case '\\': out.push_back('\\'); break;
        case '\'': out.push_back('\''); break;
        case '"': out.push_back('"'); break;
        default: return std::nullopt;  // other escapes: not worth guessing
        }
    }
    return std::nullopt;
}

inline bool contains_any_quote_style(std::string_view text, std::string_view single_quoted) {
    if (text.find(single_quoted) != std::string_view::npos) return true;
    std::string dq(single_quoted);
    for (char& c : dq)
        if (c == '\'') c = '"';
    return text.find(dq) != std::string_view::npos;
}

}  // namespace detail

// Recognises `text` (e.g. GGUF tokenizer.chat_template); unsupported when it is not a
// template this renderer reproduces exactly.
inline chat_template parse_chat_template(std::string_view text) {
    const auto unsupported = [&](const std::string& why) {
        std::string head(text.substr(0, 80));
        return error(error_kind::unsupported, "chat template not recognised (" + why + "); it begins: " + head);
    };
    if (text.find("<|im_start|>") == std::string_view::npos || text.find("<|im_end|>") == std::string_view::npos)
        throw unsupported("only ChatML templates (<|im_start|> ... <|im_end|>) are supported");
    for (const std::string_view construct : {"tool", "bos_token", "eos_token", "raise_exception", "trim", "strip",
                                             "strftime", "now(", "<think>", "namespace(", "reasoning", "macro"})
        if (text.find(construct) != std::string_view::npos)
            throw unsupported("it uses '" + std::string(construct) + "', which this renderer does not reproduce");
    if (!detail::contains_any_quote_style(text, "message['role']") ||
        !detail::contains_any_quote_style(text, "message['content']"))
        throw unsupported("no message['role'] / message['content']");
    if (text.find("add_generation_prompt") == std::string_view::npos ||
        text.find("<|im_start|>assistant") == std::string_view::npos)
        throw unsupported("no add_generation_prompt block writing <|im_start|>assistant");

    chat_template t;
    if (detail::contains_any_quote_style(text, "messages[0]['role'] != 'system'")) {
        // The default system turn is one string literal: '<|im_start|>system\n...<|im_end|>\n'.
        const std::size_t at = text.find("<|im_start|>system");
        if (at == std::string_view::npos || at == 0) throw unsupported("a default system prompt that cannot be found");
        std::size_t end = 0;
        const auto literal = detail::jinja_string_literal_from(text, at - 1, end);
        const std::string_view prefix = "<|im_start|>system\n", suffix = "<|im_end|>\n";
        if (!literal || literal->size() < prefix.size() + suffix.size() || literal->compare(0, prefix.size(), prefix) != 0 ||
            literal->compare(literal->size() - suffix.size(), suffix.size(), suffix) != 0)
            throw unsupported("a default system prompt that is not one '<|im_start|>system\\n...<|im_end|>\\n' literal");
        t.default_system = literal->substr(prefix.size(), literal->size() - prefix.size() - suffix.size());
    }
    return t;
}

// Renders `messages` with the template's layout (roles and contents are sanitized to valid
// UTF-8 first, as any Python str would be).
inline rendered_chat render_chat(const chat_template& t, std::span<const chat_message> messages,
                                 bool add_generation_prompt) {
    rendered_chat r;
    const auto put_template = [&](std::string_view s) {
        const std::size_t b = r.text.size();
        r.text.append(s);
        if (!r.template_ranges.empty() && r.template_ranges.back().end == b) r.template_ranges.back().end = r.text.size();
        else r.template_ranges.push_back({b, r.text.size()});
    };
    const auto put_user = [&](std::string_view s) {
        if (is_valid_utf8(s)) r.text.append(s);
        else r.text.append(sanitize_utf8(s));
    };
    if (!messages.empty() && messages.front().role != "system" && t.default_system) {
        put_template("<|im_start|>system\n");
        put_template(*t.default_system);
        put_template("<|im_end|>\n");
    }
    for (const chat_message& m : messages) {
        put_template("<|im_start|>");
        put_user(m.role);
        put_template("\n");
        put_user(m.content);
        put_template("<|im_end|>\n");
    }
    if (add_generation_prompt) put_template("<|im_start|>assistant\n");
    return r;
}

// The prompt text, as HF's apply_chat_template(..., tokenize=False) returns it.
inline std::string apply_chat_template(const chat_template& t, std::span<const chat_message> messages,
                                       bool add_generation_prompt) {
    return render_chat(t, messages, add_generation_prompt).text;
}

// The prompt's ids (see the top of this file for how special tokens are treated).
inline std::vector<std::int32_t> encode_chat(const bpe_tokenizer& tok, const chat_template& t,
                                             std::span<const chat_message> messages, bool add_generation_prompt,
                                             bpe_workspace* ws = nullptr) {
    const rendered_chat r = render_chat(t, messages, add_generation_prompt);
    bpe_workspace local;
    std::vector<std::int32_t> ids;
    tok.encode_with_special_ranges(r.text, r.template_ranges, false, ws ? *ws : local, ids);
    return ids;
}

}  // namespace tessera::text
