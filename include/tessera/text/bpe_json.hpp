#pragma once
// A byte-level BPE tokenizer from an HF tokenizer.json (the "BPE" model type).
//
// Recognised components; anything else is an `unsupported` error naming it (never a
// silent fallback that would give different ids):
//   normalizer     null
//   pre_tokenizer  ByteLevel(use_regex=true, add_prefix_space=false)                   -> gpt2
//                  Sequence[Digits(individual_digits=true), ByteLevel(use_regex=true)] -> smollm
//                  Sequence[Split(Regex P, Isolated), ByteLevel(use_regex=false)], P the
//                  Llama-3 or Qwen2 pattern (compared as text)                           -> llama3 / qwen2
//   model          BPE with dropout null, no continuing_subword_prefix/end_of_word_suffix;
//                  vocab, merges ("a b" strings or [a, b] pairs), unk_token, fuse_unk,
//                  byte_fallback, ignore_merges
//   added_tokens   special -> control, otherwise user-defined; lstrip/rstrip/single_word
//                  must be false
//   decoder        null, ByteLevel, or Sequence of ByteLevel / ByteFallback
//   post_processor null, ByteLevel, TemplateProcessing (its `single` template: special
//                  tokens before and after $A become the prefix/suffix ids), or a Sequence
//                  of those
// Ids must be dense (0..n-1 over vocab and added tokens together): a gap or a repeated id
// is inconsistent/duplicate, an added token whose id holds another vocabulary entry is
// inconsistent, a negative id out_of_range.
#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tessera/core/error.hpp"
#include "tessera/core/limits.hpp"
#include "tessera/io/json_guard.hpp"
#include "tessera/text/bpe.hpp"
#include "tessera/text/pretokenize.hpp"

namespace tessera::text {

namespace detail {

inline constexpr std::string_view llama3_split_pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
inline constexpr std::string_view qwen2_split_pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

class bpe_json_reader {
public:
    explicit bpe_json_reader(std::string source) : source_(std::move(source)) {}

    error fail(error_kind k, const std::string& where, const std::string& msg) const {
        return error(k, source_ + ": " + where + ": " + msg);
    }
    const nlohmann::json& member(const nlohmann::json& obj, const char* key, const std::string& where) const {
        if (!obj.is_object() || !obj.contains(key))
            throw fail(error_kind::malformed, where, std::string("missing \"") + key + "\"");
        return obj.at(key);
    }
    std::string type_of(const nlohmann::json& obj, const std::string& where) const {
        const auto& t = member(obj, "type", where);
        if (!t.is_string()) throw fail(error_kind::malformed, where, "\"type\" is not a string");
        return t.get<std::string>();
    }
    bool flag(const nlohmann::json& obj, const char* key, bool fallback, const std::string& where) const {
        if (!obj.contains(key) || obj.at(key).is_null()) return fallback;
        if (!obj.at(key).is_boolean()) throw fail(error_kind::malformed, where, std::string("\"") + key + "\" is not a boolean");
        return obj.at(key).get<bool>();
    }

    // ByteLevel pre-tokenizer: returns use_regex (add_prefix_space must be false).
    bool byte_level(const nlohmann::json& p, const std::string& where) const {
        if (flag(p, "add_prefix_space", true, where))
            throw fail(error_kind::unsupported, where, "ByteLevel with add_prefix_space=true is not supported");
        return flag(p, "use_regex", true, where);
    }

    pretokenizer_kind pre_tokenizer(const nlohmann::json& p) const {
        const std::string where = "pre_tokenizer";
        if (p.is_null()) throw fail(error_kind::unsupported, where, "null (byte-level BPE needs a ByteLevel pre-tokenizer)");
        const std::string type = type_of(p, where);
        if (type == "ByteLevel") {
            if (!byte_level(p, where)) throw fail(error_kind::unsupported, where, "ByteLevel without its regex and no Split before it");
            return pretokenizer_kind::gpt2;
        }
        if (type != "Sequence") throw fail(error_kind::unsupported, where, "type '" + type + "' is not supported");
        const auto& list = member(p, "pretokenizers", where);
        if (!list.is_array() || list.size() != 2)
            throw fail(error_kind::unsupported, where, "a Sequence other than [Digits, ByteLevel] or [Split, ByteLevel]");
        const std::string first = type_of(list[0], where + "[0]");
        const std::string second = type_of(list[1], where + "[1]");
        if (second != "ByteLevel") throw fail(error_kind::unsupported, where + "[1]", "type '" + second + "' is not supported here");
        const bool regex = byte_level(list[1], where + "[1]");
        if (first == "Digits") {
            if (!flag(list[0], "individual_digits", false, where + "[0]"))
                throw fail(error_kind::unsupported, where + "[0]", "Digits(individual_digits=false) is not supported");
            if (!regex) throw fail(error_kind::unsupported, where + "[1]", "Digits then ByteLevel(use_regex=false) is not supported");
            return pretokenizer_kind::smollm;
        }
        if (first == "Split") {
            const auto& pat = member(list[0], "pattern", where + "[0]");
            if (!pat.is_object() || !pat.contains("Regex") || !pat.at("Regex").is_string())
                throw fail(error_kind::unsupported, where + "[0]", "a Split pattern that is not a regex");
            const std::string rx = pat.at("Regex").get<std::string>();
            const nlohmann::json& behavior = member(list[0], "behavior", where + "[0]");
            if (!behavior.is_string() || behavior.get<std::string>() != "Isolated" || flag(list[0], "invert", false, where + "[0]"))
                throw fail(error_kind::unsupported, where + "[0]", "Split must be behavior=Isolated, invert=false");
            if (regex) throw fail(error_kind::unsupported, where + "[1]", "Split then ByteLevel(use_regex=true) is not supported");
            if (rx == llama3_split_pattern) return pretokenizer_kind::llama3;
            if (rx == qwen2_split_pattern) return pretokenizer_kind::qwen2;
            throw fail(error_kind::unsupported, where + "[0]", "Split regex '" + rx + "' is not one of the known patterns (Llama-3, Qwen2)");
        }
        throw fail(error_kind::unsupported, where + "[0]", "type '" + first + "' is not supported");
    }

    void decoder(const nlohmann::json& d) const {
        if (d.is_null()) return;
        const std::string type = type_of(d, "decoder");
        if (type == "ByteLevel" || type == "ByteFallback") return;
        if (type == "Sequence") {
            for (const auto& x : member(d, "decoders", "decoder")) {
                const std::string t = type_of(x, "decoder");
                if (t != "ByteLevel" && t != "ByteFallback") throw fail(error_kind::unsupported, "decoder", "type '" + t + "' is not supported");
            }
            return;
        }
        throw fail(error_kind::unsupported, "decoder", "type '" + type + "' is not supported");
    }

    // Reads the post-processor into prefix/suffix ids.
    void post_processor(const nlohmann::json& p, bpe_spec& s) const {
        if (p.is_null()) return;
        const std::string type = type_of(p, "post_processor");
        if (type == "ByteLevel") return;
        if (type == "Sequence") {
            for (const auto& x : member(p, "processors", "post_processor")) post_processor(x, s);
            return;
        }
        if (type != "TemplateProcessing") throw fail(error_kind::unsupported, "post_processor", "type '" + type + "' is not supported");
        const auto& specials = member(p, "special_tokens", "post_processor");
        bool seen_a = false;
        for (const auto& piece : member(p, "single", "post_processor")) {
            if (piece.contains("Sequence")) {
                if (seen_a) throw fail(error_kind::unsupported, "post_processor", "a single template with $A twice");
                seen_a = true;
                continue;
            }
            if (!piece.contains("SpecialToken")) throw fail(error_kind::malformed, "post_processor", "a template piece that is neither Sequence nor SpecialToken");
            const auto& name = member(piece.at("SpecialToken"), "id", "post_processor");
            if (!name.is_string() || !specials.contains(name.get<std::string>()))
                throw fail(error_kind::inconsistent, "post_processor", "template names a special token missing from special_tokens");
            for (const auto& id : member(specials.at(name.get<std::string>()), "ids", "post_processor")) {
                if (!id.is_number_integer()) throw fail(error_kind::malformed, "post_processor", "a special token id that is not an integer");
                (seen_a ? s.suffix_ids : s.prefix_ids).push_back(static_cast<std::int32_t>(id.get<std::int64_t>()));
            }
        }
    }

    bpe_spec read(const nlohmann::json& j) const {
        if (!j.is_object()) throw fail(error_kind::malformed, "tokenizer.json", "not a JSON object");
        bpe_spec s;
        s.source = source_;
        if (j.contains("normalizer") && !j.at("normalizer").is_null())
            throw fail(error_kind::unsupported, "normalizer", "type '" + type_of(j.at("normalizer"), "normalizer") +
                                                                  "' is not supported for byte-level BPE");
        const auto& model = member(j, "model", "tokenizer.json");
        if (type_of(model, "model") != "BPE") throw fail(error_kind::unsupported, "model", "type '" + type_of(model, "model") + "' is not BPE");
        if (model.contains("dropout") && !model.at("dropout").is_null())
            throw fail(error_kind::unsupported, "model", "BPE dropout is not supported");
        for (const char* k : {"continuing_subword_prefix", "end_of_word_suffix"})
            if (model.contains(k) && !model.at(k).is_null() && model.at(k) != "")
                throw fail(error_kind::unsupported, "model", std::string(k) + " is not supported for byte-level BPE");
        s.pre = pre_tokenizer(j.contains("pre_tokenizer") ? j.at("pre_tokenizer") : nlohmann::json());
        decoder(j.contains("decoder") ? j.at("decoder") : nlohmann::json());
        s.ignore_merges = flag(model, "ignore_merges", false, "model");
        s.byte_fallback = flag(model, "byte_fallback", false, "model");
        s.fuse_unk = flag(model, "fuse_unk", false, "model");

        // Vocabulary and added tokens into one dense id space.
        const auto& vocab = member(model, "vocab", "model");
        if (!vocab.is_object()) throw fail(error_kind::malformed, "model.vocab", "not an object");
        const nlohmann::json empty = nlohmann::json::array();
        const auto& added = j.contains("added_tokens") && !j.at("added_tokens").is_null() ? j.at("added_tokens") : empty;
        if (!added.is_array()) throw fail(error_kind::malformed, "added_tokens", "not an array");
        const std::size_t n_max = vocab.size() + added.size();
        std::vector<std::optional<std::string>> tokens(n_max);
        s.kinds.assign(n_max, token_kind::normal);
        std::size_t n = 0;
        const auto place = [&](std::int64_t id, const std::string& text, const std::string& where) {
            if (id < 0 || std::uint64_t(id) >= n_max)
                throw fail(error_kind::out_of_range, where, "id " + std::to_string(id) + " of '" + text +
                                                                "' is outside 0.." + std::to_string(n_max - 1));
            auto& slot = tokens[static_cast<std::size_t>(id)];
            if (slot && *slot != text)
                throw fail(error_kind::duplicate, where, "id " + std::to_string(id) + " is given to both '" + *slot +
                                                             "' and '" + text + "'");
            slot = text;
            n = std::max(n, static_cast<std::size_t>(id) + 1);
        };
        for (const auto& [text, id] : vocab.items()) {
            if (!id.is_number_integer()) throw fail(error_kind::malformed, "model.vocab", "the id of '" + text + "' is not an integer");
            place(id.get<std::int64_t>(), text, "model.vocab");
        }
        for (const auto& a : added) {
            const std::string where = "added_tokens";
            const auto& content = member(a, "content", where);
            const auto& id = member(a, "id", where);
            if (!content.is_string() || !id.is_number_integer()) throw fail(error_kind::malformed, where, "content/id of the wrong type");
            for (const char* k : {"lstrip", "rstrip", "single_word"})
                if (flag(a, k, false, where))
                    throw fail(error_kind::unsupported, where, "'" + content.get<std::string>() + "' has " + k + "=true");
            place(id.get<std::int64_t>(), content.get<std::string>(), where);
            s.kinds[static_cast<std::size_t>(id.get<std::int64_t>())] =
                flag(a, "special", false, where) ? token_kind::control : token_kind::user_defined;
        }
        s.tokens.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            if (!tokens[i]) throw fail(error_kind::inconsistent, "model.vocab", "no token has id " + std::to_string(i) + " (ids must be dense)");
            s.tokens.push_back(std::move(*tokens[i]));
        }
        s.kinds.resize(n);

        const auto& merges = member(model, "merges", "model");
        if (!merges.is_array()) throw fail(error_kind::malformed, "model.merges", "not an array");
        s.merges.reserve(merges.size());
        for (std::size_t r = 0; r < merges.size(); ++r) {
            const auto& m = merges[r];
            if (m.is_string()) {
                const std::string line = m.get<std::string>();
                const std::size_t sp = line.find(' ');
                if (sp == std::string::npos || sp == 0 || sp + 1 >= line.size() || line.find(' ', sp + 1) != std::string::npos)
                    throw fail(error_kind::malformed, "model.merges", "entry " + std::to_string(r) + " ('" + line + "') is not two tokens separated by one space");
                s.merges.emplace_back(line.substr(0, sp), line.substr(sp + 1));
            } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
                s.merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
            } else {
                throw fail(error_kind::malformed, "model.merges", "entry " + std::to_string(r) + " is neither \"a b\" nor [a, b]");
            }
        }

        if (model.contains("unk_token") && !model.at("unk_token").is_null()) {
            const auto& u = model.at("unk_token");
            if (!u.is_string()) throw fail(error_kind::malformed, "model.unk_token", "not a string");
            for (std::size_t i = 0; i < s.tokens.size() && !s.unk_id; ++i)
                if (s.tokens[i] == u.get<std::string>()) s.unk_id = static_cast<std::int32_t>(i);
            if (!s.unk_id) throw fail(error_kind::inconsistent, "model.unk_token", "'" + u.get<std::string>() + "' is not in the vocabulary");
        }
        post_processor(j.contains("post_processor") ? j.at("post_processor") : nlohmann::json(), s);
        return s;
    }

private:
    std::string source_;
};

}  // namespace detail

// The bpe_spec of a parsed tokenizer.json; `source` names it in errors.
inline bpe_spec bpe_spec_from_tokenizer_json(const nlohmann::json& j, const std::string& source) {
    return detail::bpe_json_reader(source).read(j);
}

// Reads, guards (UTF-8, nesting depth) and parses a tokenizer.json file.
inline bpe_tokenizer bpe_from_tokenizer_json_file(const std::string& path, const limits& lim = {}) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw error(error_kind::io, path + ": cannot open");
    std::ostringstream buf;
    buf << in.rdbuf();
    const std::string text = buf.str();
    io::check_json_text(text, lim.max_json_depth, path, 0);
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw error(error_kind::malformed, path + ": not valid JSON (" + e.what() + ")");
    }
    return bpe_tokenizer(bpe_spec_from_tokenizer_json(j, path));
}

}  // namespace tessera::text
