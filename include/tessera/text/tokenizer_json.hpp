#pragma once
// Loading tokenizers from HF files:
//   * tokenizer.json (HF `tokenizers` serialization): load_tokenizer_json(path)
//   * vocab.txt [+ tokenizer_config.json] (BERT's original files): load_wordpiece_vocab_txt
//
// tokenizer.json is untrusted input: it is read whole (capped by limits.max_header_bytes),
// checked for UTF-8 and nesting depth (io/json_guard.hpp), and parsed into a DOM by a SAX
// builder that rejects duplicate keys anywhere (nlohmann's own DOM keeps the last of two
// equal keys silently, which would hide a duplicated vocabulary entry). Every component
// type is checked: one we do not implement is an `unsupported` error naming the component
// and its type, never a silent fallback.
//
// Structure: the generic pieces (document parsing, added_tokens, post_processor,
// truncation, padding) are model-independent functions in `detail`; each model type has a
// loader (`detail::load_wordpiece_model`) and load_tokenizer_json dispatches on
// model.type into `loaded_tokenizer`, a variant that grows one alternative per model kind
// (a BPE branch adds `bpe_tokenizer` there and a case in the dispatch).
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "tessera/core/error.hpp"
#include "tessera/core/limits.hpp"
#include "tessera/io/json_guard.hpp"
#include "tessera/io/mapped_file.hpp"
#include "tessera/text/bpe_json.hpp"
#include "tessera/text/encoding.hpp"
#include "tessera/text/utf8.hpp"
#include "tessera/text/wordpiece.hpp"

namespace tessera::text {

using json = nlohmann::json;

namespace detail {

// SAX handler that builds a nlohmann DOM and fails on a duplicate key in any object.
// Depth is already bounded by check_json_text, so the explicit stack stays small.
struct dom_builder : io::sax_failure_slot {
    std::string what;
    json root;
    std::vector<json*> stack;
    std::string pending_key;
    bool have_key = false;

    explicit dom_builder(std::string w) : what(std::move(w)) {}

    bool add(json&& v) {
        if (stack.empty()) {
            root = std::move(v);
            return true;
        }
        json& top = *stack.back();
        if (top.is_array()) {
            top.push_back(std::move(v));
            return true;
        }
        top[pending_key] = std::move(v);
        have_key = false;
        return true;
    }
    bool open(json&& v) {
        if (stack.empty()) {
            root = std::move(v);
            stack.push_back(&root);
            return true;
        }
        json& top = *stack.back();
        if (top.is_array()) {
            top.push_back(std::move(v));
            stack.push_back(&top.back());
        } else {
            json& slot = top[pending_key];
            slot = std::move(v);
            stack.push_back(&slot);
            have_key = false;
        }
        return true;
    }
    bool null() { return add(json(nullptr)); }
    bool boolean(bool v) { return add(json(v)); }
    bool number_integer(json::number_integer_t v) { return add(json(v)); }
    bool number_unsigned(json::number_unsigned_t v) { return add(json(v)); }
    bool number_float(json::number_float_t v, const json::string_t&) { return add(json(v)); }
    bool string(json::string_t& v) { return add(json(std::move(v))); }
    bool binary(json::binary_t&) { return fail(error_kind::malformed, what + ": binary JSON value"); }
    bool start_object(std::size_t) { return open(json::object()); }
    bool end_object() {
        stack.pop_back();
        return true;
    }
    bool start_array(std::size_t) { return open(json::array()); }
    bool end_array() {
        stack.pop_back();
        return true;
    }
    bool key(json::string_t& k) {
        if (stack.back()->contains(k)) return fail(error_kind::duplicate, what + ": duplicate key '" + k + "'");
        pending_key = std::move(k);
        have_key = true;
        return true;
    }
    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) {
        return fail(error_kind::malformed, io::json_syntax_message(what, 0, position, ex));
    }
};

inline std::string read_text_file(const std::string& path, std::uint64_t cap) {
    io::mapped_file f(path, io::mapped_file::mode::read_into_memory);
    require(f.size() <= cap, error_kind::too_large, [&] {
        return path + ": " + std::to_string(f.size()) + " bytes, over the limit of " + std::to_string(cap);
    });
    return std::string(reinterpret_cast<const char*>(f.data()), f.size());
}

inline json parse_json_document(std::string_view text, const std::string& what, const limits& lim) {
    require(text.size() <= lim.max_header_bytes, error_kind::too_large,
            [&] { return what + ": larger than limits.max_header_bytes"; });
    dom_builder b(what);
    io::sax_parse_guarded(text, b, lim.max_json_depth, what, 0);
    return std::move(b.root);
}

// Typed field access with messages naming the file and the field.
inline const json& field(const json& obj, const char* key, const std::string& where) {
    require(obj.is_object(), error_kind::malformed, [&] { return where + ": expected an object"; });
    const auto it = obj.find(key);
    require(it != obj.end(), error_kind::malformed, [&] { return where + ": missing \"" + key + "\""; });
    return *it;
}
inline std::string get_string(const json& v, const std::string& where) {
    require(v.is_string(), error_kind::malformed, [&] { return where + ": expected a string"; });
    return v.get<std::string>();
}
inline bool get_bool(const json& v, const std::string& where) {
    require(v.is_boolean(), error_kind::malformed, [&] { return where + ": expected true or false"; });
    return v.get<bool>();
}
inline std::int64_t get_int(const json& v, const std::string& where, std::int64_t lo, std::int64_t hi) {
    require(v.is_number_integer(), error_kind::malformed, [&] { return where + ": expected an integer"; });
    // Unsigned values above INT64_MAX read as negative through get<int64_t>; check first.
    if (v.is_number_unsigned())
        require(v.get<std::uint64_t>() <= static_cast<std::uint64_t>(hi), error_kind::out_of_range,
                [&] { return where + ": " + v.dump() + " out of range"; });
    const std::int64_t x = v.get<std::int64_t>();
    require(x >= lo && x <= hi, error_kind::out_of_range, [&] { return where + ": " + v.dump() + " out of range"; });
    return x;
}
inline std::string type_of(const json& component, const std::string& where) {
    return get_string(field(component, "type", where), where + ".type");
}
template <class T>
inline T optional_field(const json& obj, const char* key, T fallback, const std::string& where) {
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return fallback;
    if constexpr (std::is_same_v<T, bool>) return get_bool(*it, where + "." + key);
    else if constexpr (std::is_same_v<T, std::string>) return get_string(*it, where + "." + key);
    else return static_cast<T>(get_int(*it, where + "." + key, 0, INT32_MAX));
}

// "added_tokens": [{id, content, single_word, lstrip, rstrip, normalized, special}]
inline std::vector<added_token> parse_added_tokens(const json& doc, const std::string& what) {
    std::vector<added_token> out;
    const auto it = doc.find("added_tokens");
    if (it == doc.end() || it->is_null()) return out;
    require(it->is_array(), error_kind::malformed, [&] { return what + ": added_tokens is not an array"; });
    for (std::size_t i = 0; i < it->size(); ++i) {
        const std::string where = what + ": added_tokens[" + std::to_string(i) + "]";
        const json& t = (*it)[i];
        added_token a;
        a.id = static_cast<std::int32_t>(get_int(field(t, "id", where), where + ".id", 0, INT32_MAX));
        a.content = get_string(field(t, "content", where), where + ".content");
        a.special = optional_field(t, "special", false, where);
        a.lstrip = optional_field(t, "lstrip", false, where);
        a.rstrip = optional_field(t, "rstrip", false, where);
        a.single_word = optional_field(t, "single_word", false, where);
        a.normalized = optional_field(t, "normalized", !a.special, where);
        out.push_back(std::move(a));
    }
    return out;
}

// Resolves a special token's id: the "ids" list HF stores, checked against the vocabulary.
inline template_special_token parse_template_special(const json& v, const std::string& where) {
    template_special_token t;
    const json& ids = field(v, "ids", where);
    const json& tokens = field(v, "tokens", where);
    require(ids.is_array() && tokens.is_array() && ids.size() == tokens.size(), error_kind::malformed,
            [&] { return where + ": ids and tokens must be arrays of the same length"; });
    for (std::size_t i = 0; i < ids.size(); ++i) {
        t.ids.push_back(static_cast<std::int32_t>(get_int(ids[i], where + ".ids", 0, INT32_MAX)));
        t.tokens.push_back(get_string(tokens[i], where + ".tokens"));
    }
    return t;
}

inline std::vector<template_piece> parse_template(const json& pieces, const std::string& where) {
    require(pieces.is_array(), error_kind::malformed, [&] { return where + ": expected an array"; });
    std::vector<template_piece> out;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        const std::string w = where + "[" + std::to_string(i) + "]";
        const json& p = pieces[i];
        require(p.is_object() && p.size() == 1, error_kind::malformed,
                [&] { return w + ": expected {\"Sequence\": ...} or {\"SpecialToken\": ...}"; });
        template_piece t;
        if (p.contains("Sequence")) {
            const json& s = p["Sequence"];
            const std::string id = get_string(field(s, "id", w), w + ".id");
            require(id == "A" || id == "B", error_kind::malformed, [&] { return w + ": sequence id must be A or B"; });
            t.is_sequence = true;
            t.sequence = id == "A" ? 0 : 1;
            t.type_id = static_cast<std::int32_t>(get_int(field(s, "type_id", w), w + ".type_id", 0, INT32_MAX));
        } else if (p.contains("SpecialToken")) {
            const json& s = p["SpecialToken"];
            t.special = get_string(field(s, "id", w), w + ".id");
            t.type_id = static_cast<std::int32_t>(get_int(field(s, "type_id", w), w + ".type_id", 0, INT32_MAX));
        } else {
            throw error(error_kind::unsupported, w + ": unknown template piece " + p.begin().key());
        }
        out.push_back(std::move(t));
    }
    return out;
}

// post_processor: TemplateProcessing, BertProcessing or null.
inline std::optional<template_processing> parse_post_processor(const json& doc, const std::string& what) {
    const auto it = doc.find("post_processor");
    if (it == doc.end() || it->is_null()) return std::nullopt;
    const std::string where = what + ": post_processor";
    const std::string type = type_of(*it, where);
    template_processing tp;
    if (type == "TemplateProcessing") {
        tp.single = parse_template(field(*it, "single", where), where + ".single");
        tp.pair = parse_template(field(*it, "pair", where), where + ".pair");
        const json& specials = field(*it, "special_tokens", where);
        require(specials.is_object(), error_kind::malformed, [&] { return where + ".special_tokens: expected an object"; });
        for (const auto& [name, v] : specials.items())
            tp.special_tokens.emplace_back(name, parse_template_special(v, where + ".special_tokens." + name));
    } else if (type == "BertProcessing") {
        // "sep": ["[SEP]", 102], "cls": ["[CLS]", 101]
        auto pair_of = [&](const char* key) {
            const json& v = field(*it, key, where);
            require(v.is_array() && v.size() == 2, error_kind::malformed,
                    [&] { return where + "." + key + ": expected [token, id]"; });
            template_special_token t;
            t.tokens.push_back(get_string(v[0], where + "." + key));
            t.ids.push_back(static_cast<std::int32_t>(get_int(v[1], where + "." + key, 0, INT32_MAX)));
            return t;
        };
        const template_special_token cls = pair_of("cls"), sep = pair_of("sep");
        tp.special_tokens = {{cls.tokens[0], cls}, {sep.tokens[0], sep}};
        auto special = [](const std::string& n, std::int32_t type_id) { return template_piece{false, 0, n, type_id}; };
        auto seq = [](std::int8_t s, std::int32_t type_id) { return template_piece{true, s, {}, type_id}; };
        tp.single = {special(cls.tokens[0], 0), seq(0, 0), special(sep.tokens[0], 0)};
        tp.pair = {special(cls.tokens[0], 0), seq(0, 0), special(sep.tokens[0], 0), seq(1, 1),
                   special(sep.tokens[0], 1)};
    } else {
        throw error(error_kind::unsupported, where + " type '" + type + "' is not supported");
    }
    return tp;
}

inline side parse_direction(const json& obj, const std::string& where) {
    const std::string d = optional_field<std::string>(obj, "direction", "Right", where);
    require(d == "Right" || d == "Left", error_kind::malformed, [&] { return where + ".direction: " + d; });
    return d == "Right" ? side::right : side::left;
}

inline std::optional<truncation_params> parse_truncation(const json& doc, const std::string& what) {
    const auto it = doc.find("truncation");
    if (it == doc.end() || it->is_null()) return std::nullopt;
    const std::string where = what + ": truncation";
    truncation_params t;
    t.max_length = static_cast<std::size_t>(get_int(field(*it, "max_length", where), where + ".max_length", 0, INT32_MAX));
    const std::string s = optional_field<std::string>(*it, "strategy", "LongestFirst", where);
    if (s == "LongestFirst") t.strategy = truncation_strategy::longest_first;
    else if (s == "OnlyFirst") t.strategy = truncation_strategy::only_first;
    else if (s == "OnlySecond") t.strategy = truncation_strategy::only_second;
    else throw error(error_kind::unsupported, where + ".strategy '" + s + "' is not supported");
    const auto stride = optional_field<std::int64_t>(*it, "stride", 0, where);
    require(stride == 0, error_kind::unsupported, [&] { return where + ".stride != 0 (overflowing windows) is not supported"; });
    t.direction = parse_direction(*it, where);
    return t;
}

inline std::optional<padding_params> parse_padding(const json& doc, const std::string& what) {
    const auto it = doc.find("padding");
    if (it == doc.end() || it->is_null()) return std::nullopt;
    const std::string where = what + ": padding";
    padding_params p;
    const json& strategy = field(*it, "strategy", where);
    if (strategy.is_string()) {
        require(strategy.get<std::string>() == "BatchLongest", error_kind::unsupported,
                [&] { return where + ".strategy '" + strategy.get<std::string>() + "' is not supported"; });
    } else {
        const json& fixed = field(strategy, "Fixed", where + ".strategy");
        p.fixed_length = static_cast<std::size_t>(get_int(fixed, where + ".strategy.Fixed", 0, INT32_MAX));
    }
    p.direction = parse_direction(*it, where);
    p.pad_to_multiple_of = optional_field<std::size_t>(*it, "pad_to_multiple_of", 0, where);
    p.pad_id = optional_field<std::int32_t>(*it, "pad_id", 0, where);
    p.pad_type_id = optional_field<std::int32_t>(*it, "pad_type_id", 0, where);
    p.pad_token = optional_field<std::string>(*it, "pad_token", "[PAD]", where);
    return p;
}

// model.vocab {token: id} -> tokens by id; ids must be exactly 0..n-1 (no gaps, no repeats).
inline std::vector<std::string> vocab_from_object(const json& v, const std::string& where, const limits& lim) {
    require(v.is_object(), error_kind::malformed, [&] { return where + ": expected an object"; });
    require(v.size() <= lim.max_array_elements, error_kind::too_large,
            [&] { return where + ": " + std::to_string(v.size()) + " tokens, over limits.max_array_elements"; });
    std::vector<std::string> by_id(v.size());
    std::vector<std::uint8_t> seen(v.size(), 0);
    for (const auto& item : v.items()) {
        const std::string& token = item.key();  // (clang 14: lambdas cannot capture bindings)
        const json& idv = item.value();
        const std::int64_t id = get_int(idv, where + "[\"" + token + "\"]", 0, INT32_MAX);
        require(static_cast<std::uint64_t>(id) < by_id.size(), error_kind::out_of_range, [&] {
            return where + ": token '" + token + "' has id " + std::to_string(id) + ", outside 0.." +
                   std::to_string(by_id.size() - 1);
        });
        require(!seen[id], error_kind::duplicate, [&] {
            return where + ": id " + std::to_string(id) + " given to both '" + by_id[id] + "' and '" + token + "'";
        });
        seen[id] = 1;
        by_id[id] = token;
    }
    return by_id;
}

inline wordpiece_tokenizer load_wordpiece_model(const json& doc, const std::string& what, const limits& lim) {
    wordpiece_tokenizer_config c;
    const json& model = field(doc, "model", what);
    const std::string mw = what + ": model";
    c.model.unk_token = optional_field<std::string>(model, "unk_token", "[UNK]", mw);
    c.model.continuing_subword_prefix = optional_field<std::string>(model, "continuing_subword_prefix", "##", mw);
    c.model.max_input_chars_per_word = optional_field<std::size_t>(model, "max_input_chars_per_word", 100, mw);
    std::vector<std::string> vocab = vocab_from_object(field(model, "vocab", mw), mw + ".vocab", lim);

    c.normalizer.reset();
    if (const auto it = doc.find("normalizer"); it != doc.end() && !it->is_null()) {
        const std::string w = what + ": normalizer";
        const std::string type = type_of(*it, w);
        require(type == "BertNormalizer", error_kind::unsupported,
                [&] { return w + " type '" + type + "' is not supported with a WordPiece model"; });
        bert_normalizer_config n;
        n.clean_text = optional_field(*it, "clean_text", true, w);
        n.handle_chinese_chars = optional_field(*it, "handle_chinese_chars", true, w);
        if (const auto s = it->find("strip_accents"); s != it->end() && !s->is_null())
            n.strip_accents = get_bool(*s, w + ".strip_accents");
        n.lowercase = optional_field(*it, "lowercase", true, w);
        c.normalizer = n;
    }
    c.bert_pre_tokenizer = false;
    if (const auto it = doc.find("pre_tokenizer"); it != doc.end() && !it->is_null()) {
        const std::string w = what + ": pre_tokenizer";
        const std::string type = type_of(*it, w);
        require(type == "BertPreTokenizer", error_kind::unsupported,
                [&] { return w + " type '" + type + "' is not supported with a WordPiece model"; });
        c.bert_pre_tokenizer = true;
    }
    c.decoder.reset();
    if (const auto it = doc.find("decoder"); it != doc.end() && !it->is_null()) {
        const std::string w = what + ": decoder";
        const std::string type = type_of(*it, w);
        require(type == "WordPiece", error_kind::unsupported,
                [&] { return w + " type '" + type + "' is not supported with a WordPiece model"; });
        wordpiece_decoder_config d;
        d.prefix = optional_field<std::string>(*it, "prefix", "##", w);
        d.cleanup = optional_field(*it, "cleanup", true, w);
        c.decoder = d;
    }
    c.post_processor = parse_post_processor(doc, what);
    c.added_tokens = parse_added_tokens(doc, what);
    c.truncation = parse_truncation(doc, what);
    c.padding = parse_padding(doc, what);
    return wordpiece_tokenizer(std::move(vocab), std::move(c));
}

}  // namespace detail

// One alternative per model kind this loader understands.
using loaded_tokenizer = std::variant<wordpiece_tokenizer, bpe_tokenizer>;

// Parses tokenizer.json text; `what` names it in errors.
inline loaded_tokenizer parse_tokenizer_json(std::string_view text, const std::string& what = "tokenizer.json",
                                             const limits& lim = {}) {
    json doc = detail::parse_json_document(text, what, lim);
    const io::dismantle_on_exit release(doc);  // no allocation in its destructor (io/json_guard.hpp)
    require(doc.is_object(), error_kind::malformed, [&] { return what + ": top level is not an object"; });
    const std::string type = detail::type_of(detail::field(doc, "model", what), what + ": model");
    if (type == "WordPiece") return detail::load_wordpiece_model(doc, what, lim);
    if (type == "BPE") return bpe_tokenizer(bpe_spec_from_tokenizer_json(doc, what));  // text/bpe_json.hpp
    throw error(error_kind::unsupported, what + ": model type '" + type + "' is not supported");
}

inline loaded_tokenizer load_tokenizer_json(const std::string& path, const limits& lim = {}) {
    return parse_tokenizer_json(detail::read_text_file(path, lim.max_header_bytes), path, lim);
}

// A WordPiece tokenizer from tokenizer.json; unsupported error if the model is another kind.
inline wordpiece_tokenizer load_wordpiece_tokenizer_json(const std::string& path, const limits& lim = {}) {
    loaded_tokenizer t = load_tokenizer_json(path, lim);
    auto* wp = std::get_if<wordpiece_tokenizer>(&t);
    require(wp != nullptr, error_kind::unsupported, [&] { return path + ": not a WordPiece tokenizer"; });
    return std::move(*wp);
}

// vocab.txt text: one token per line, id = line number. Accepted: a UTF-8 BOM at the start,
// CRLF line ends, a final newline or not. Trailing whitespace on a line is dropped (HF's
// WordPiece::read_file trims line ends). Rejected: invalid UTF-8 (malformed), a blank line
// (invalid_data: it would be an empty token), a line longer than limits.max_name_bytes
// (too_large), a repeated token (duplicate), more than max_array_elements lines.
inline std::vector<std::string> parse_vocab_txt(std::string_view text, const std::string& what, const limits& lim = {}) {
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    if (const std::size_t bad = io::find_invalid_utf8(text); bad != std::string_view::npos)
        throw error(error_kind::malformed, what + ": invalid UTF-8 at byte " + std::to_string(bad));
    std::vector<std::string> tokens;
    std::size_t pos = 0, line = 0;
    while (pos < text.size()) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view tok = text.substr(pos, nl - pos);
        ++line;
        pos = nl + 1;
        while (!tok.empty() && (tok.back() == '\r' || tok.back() == ' ' || tok.back() == '\t')) tok.remove_suffix(1);
        require(!tok.empty(), error_kind::invalid_data,
                [&] { return what + ": line " + std::to_string(line) + " is blank (an empty token)"; });
        require(tok.size() <= lim.max_name_bytes, error_kind::too_large, [&] {
            return what + ": line " + std::to_string(line) + " is " + std::to_string(tok.size()) +
                   " bytes, over limits.max_name_bytes";
        });
        require(tokens.size() < lim.max_array_elements, error_kind::too_large,
                [&] { return what + ": more lines than limits.max_array_elements"; });
        tokens.emplace_back(tok);
    }
    return tokens;
}

// BERT from vocab.txt and (optionally) tokenizer_config.json, configured the way
// transformers converts BertTokenizer to a fast tokenizer: BertNormalizer(clean_text,
// handle_chinese_chars = tokenize_chinese_chars, strip_accents, lowercase = do_lower_case),
// BertPreTokenizer, WordPiece(unk_token, "##", 100), [CLS] $A [SEP] / [CLS] $A [SEP] $B:1
// [SEP]:1, WordPiece decoder; the five special tokens are special added tokens. No
// truncation or padding (tokenizer_config's model_max_length is the caller's business).
//
// parse_wordpiece_vocab_txt works on the texts (vocab_what / config_what name them in
// errors; no config text means defaults, named "tokenizer_config"); load_wordpiece_vocab_txt
// reads the files, each capped by limits.max_header_bytes.
inline wordpiece_tokenizer parse_wordpiece_vocab_txt(std::string_view vocab_text, const std::string& vocab_what,
                                                     const std::optional<std::string_view>& config_text = std::nullopt,
                                                     const std::string& config_what = "tokenizer_config.json",
                                                     const limits& lim = {}) {
    require(vocab_text.size() <= lim.max_header_bytes, error_kind::too_large,
            [&] { return vocab_what + ": larger than limits.max_header_bytes"; });
    std::vector<std::string> vocab = parse_vocab_txt(vocab_text, vocab_what, lim);
    json cfg = json::object();
    const io::dismantle_on_exit release_cfg(cfg);
    if (config_text) {
        cfg = detail::parse_json_document(*config_text, config_what, lim);
        require(cfg.is_object(), error_kind::malformed, [&] { return config_what + ": top level is not an object"; });
    }
    const std::string w = config_text ? config_what : std::string("tokenizer_config");
    const std::string& vocab_path = vocab_what;
    require(detail::optional_field(cfg, "do_basic_tokenize", true, w), error_kind::unsupported,
            [&] { return w + ": do_basic_tokenize=false is not supported"; });
    if (const auto it = cfg.find("never_split"); it != cfg.end() && !it->is_null())
        require(it->is_array() && it->empty(), error_kind::unsupported, [&] { return w + ": never_split is not supported"; });
    wordpiece_tokenizer_config c;
    bert_normalizer_config n;
    n.lowercase = detail::optional_field(cfg, "do_lower_case", true, w);
    n.handle_chinese_chars = detail::optional_field(cfg, "tokenize_chinese_chars", true, w);
    if (const auto it = cfg.find("strip_accents"); it != cfg.end() && !it->is_null())
        n.strip_accents = detail::get_bool(*it, w + ".strip_accents");
    c.normalizer = n;
    // Special token names; in newer files a token may be an object {"content": ...}.
    auto token_name = [&](const char* key, const char* fallback) {
        const auto it = cfg.find(key);
        if (it == cfg.end() || it->is_null()) return std::string(fallback);
        if (it->is_object()) return detail::get_string(detail::field(*it, "content", w + "." + key), w + "." + key);
        return detail::get_string(*it, w + "." + key);
    };
    const std::string unk = token_name("unk_token", "[UNK]"), cls = token_name("cls_token", "[CLS]"),
                      sep = token_name("sep_token", "[SEP]"), pad = token_name("pad_token", "[PAD]"),
                      mask = token_name("mask_token", "[MASK]");
    c.model.unk_token = unk;
    auto id_of = [&](const std::string& tok) -> std::int32_t {
        for (std::size_t i = 0; i < vocab.size(); ++i)
            if (vocab[i] == tok) return static_cast<std::int32_t>(i);
        throw error(error_kind::inconsistent, vocab_path + ": special token '" + tok + "' is not in the vocabulary");
    };
    template_processing tp;
    tp.special_tokens = {{cls, {{id_of(cls)}, {cls}}}, {sep, {{id_of(sep)}, {sep}}}};
    tp.single = {{false, 0, cls, 0}, {true, 0, {}, 0}, {false, 0, sep, 0}};
    tp.pair = {{false, 0, cls, 0}, {true, 0, {}, 0}, {false, 0, sep, 0}, {true, 1, {}, 1}, {false, 0, sep, 1}};
    c.post_processor = std::move(tp);
    for (const std::string& t : {pad, unk, cls, sep, mask}) {
        bool present = false;
        for (const auto& a : c.added_tokens) present = present || a.content == t;
        if (!present) c.added_tokens.push_back(added_token{t, id_of(t), true, false, false, false, false});
    }
    return wordpiece_tokenizer(std::move(vocab), std::move(c));
}

inline wordpiece_tokenizer load_wordpiece_vocab_txt(const std::string& vocab_path,
                                                    const std::optional<std::string>& config_path = std::nullopt,
                                                    const limits& lim = {}) {
    const std::string vocab_text = detail::read_text_file(vocab_path, lim.max_header_bytes);
    if (!config_path) return parse_wordpiece_vocab_txt(vocab_text, vocab_path, std::nullopt, "tokenizer_config.json", lim);
    const std::string config_text = detail::read_text_file(*config_path, lim.max_header_bytes);
    return parse_wordpiece_vocab_txt(vocab_text, vocab_path, std::string_view(config_text), *config_path, lim);
}

}  // namespace tessera::text
