#pragma once
// WordPiece (BERT) tokenizer with HF `tokenizers` parity:
//   added tokens -> BertNormalizer -> BertPreTokenizer -> WordPiece -> truncation ->
//   TemplateProcessing -> padding;  decode: WordPiece decoder.
//
// One streaming pass over the input does normalization, pre-tokenization and the model,
// so working memory is bounded by the longest word the model can look at
// (max_input_chars_per_word) and time is linear in the input: a 100 MB "word" is counted,
// not stored, and becomes one [UNK]. Per call, a few buffers are reused; nothing is
// allocated per character or per token (token strings are views: tokens(e)). Each BMP
// character's whole normalizer + pre-tokenizer result is precomputed (build_char_table), so
// the common path is one lookup a character; CJK ideographs skip the spaces HF pads them with.
//
// Output memory (encoding.hpp): 12 bytes a token with encode_ids / ids_only (ids, type ids,
// mask), 33 with offsets. A right-truncating tokenizer stops at max_length tokens, so the
// sentence-encoder path is O(max_length) in memory whatever the input size.
//
// BertNormalizer, per input character, in HF's order:
//   clean_text:   drop U+0000, U+FFFD and controls (Cc Cf Co Cs except \t \n \r); map
//                 whitespace to ' '.
//   handle_chinese_chars: put spaces around each CJK ideograph (unicode.hpp's ranges).
//   strip_accents (null = same as lowercase): NFD, then drop non-spacing marks (Mn).
//   lowercase:    Rust char::to_lowercase (normalize.hpp: lowercase_full).
// BertPreTokenizer: split on whitespace (removed) and punctuation (kept, one token each).
// WordPiece: greedy longest match first; pieces after the first carry "##"; a word longer
// than max_input_chars_per_word characters, or with an unmatched rest, is one [UNK].
//
// Character classes are HF's exactly (unicode.hpp hf_bert_*: Unicode 8.0 categories for
// punctuation, controls and Mn, as HF's unicode_categories crate has them).
//
// Added tokens (tokenizer.json "added_tokens"): non-special ones are always split out of
// the raw text before normalization, as HF does. Special ones ([CLS], [SEP], [MASK]...)
// are recognised inside user text only when encode_options::split_special_tokens is set:
// by default "[MASK]" in user text is ordinary text (HF's default recognises it; goldens
// use HF's encode_special_tokens=True to compare the same policy).
//
// Immutable after construction; copies share the vocabulary; encode/decode are const and
// safe to call from many threads at once.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/text/encoding.hpp"
#include "tessera/text/normalize.hpp"
#include "tessera/text/unicode.hpp"
#include "tessera/text/utf8.hpp"

namespace tessera::text {

namespace detail {

// 64-bit hash of a short byte string: 8 bytes at a time, multiply-xorshift mixing.
inline std::uint64_t hash_bytes(std::string_view s) noexcept {
    constexpr std::uint64_t k = 0x9E3779B97F4A7C15ull;
    std::uint64_t h = 0x243F6A8885A308D3ull ^ (s.size() * k);
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    if (i < s.size()) {
        std::uint64_t w = 0;
        std::memcpy(&w, s.data() + i, s.size() - i);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 32);
}

// Open-addressing map from token text to id. Keys are views into strings the owner keeps
// alive (the tokenizer's vocabulary); lookups take string_view, so none allocates.
class string_id_map {
public:
    void build(const std::vector<std::pair<std::string_view, std::int32_t>>& entries) {
        std::size_t cap = 16;
        while (cap < entries.size() * 2) cap *= 2;
        slots_.assign(cap, slot{});
        mask_ = cap - 1;
        max_key_bytes_ = 0;
        for (const auto& [key, id] : entries) {
            const std::uint64_t h = hash_bytes(key);
            std::size_t i = h & mask_;
            while (slots_[i].id >= 0) {
                if (slots_[i].hash == h && slots_[i].key == key)
                    throw error(error_kind::duplicate, "vocabulary: token '" + std::string(key) + "' appears twice");
                i = (i + 1) & mask_;
            }
            slots_[i] = slot{h, key, id};
            max_key_bytes_ = std::max(max_key_bytes_, key.size());
        }
    }
    // Id of `key`, or -1.
    std::int32_t find(std::string_view key) const noexcept {
        if (slots_.empty()) return -1;
        const std::uint64_t h = hash_bytes(key);
        for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
            const slot& s = slots_[i];
            if (s.id < 0) return -1;
            if (s.hash == h && s.key == key) return s.id;
        }
    }
    std::size_t max_key_bytes() const noexcept { return max_key_bytes_; }

private:
    struct slot {
        std::uint64_t hash = 0;
        std::string_view key;
        std::int32_t id = -1;
    };
    std::vector<slot> slots_;
    std::size_t mask_ = 0;
    std::size_t max_key_bytes_ = 0;
};

}  // namespace detail

struct bert_normalizer_config {
    bool clean_text = true;
    bool handle_chinese_chars = true;
    std::optional<bool> strip_accents;  // null: follow `lowercase` (HF)
    bool lowercase = true;
};

struct wordpiece_model_config {
    std::string unk_token = "[UNK]";
    std::string continuing_subword_prefix = "##";
    std::size_t max_input_chars_per_word = 100;
};

struct wordpiece_decoder_config {
    std::string prefix = "##";
    bool cleanup = true;  // HF's cleanup: " ." -> "." , " n't" -> "n't", ...
};

struct added_token {
    std::string content;
    std::int32_t id = 0;
    bool special = false;
    bool lstrip = false;
    bool rstrip = false;
    bool single_word = false;
    bool normalized = false;
};

// Everything but the vocabulary. Optional parts absent = that stage does nothing (HF null).
struct wordpiece_tokenizer_config {
    std::optional<bert_normalizer_config> normalizer = bert_normalizer_config{};
    bool bert_pre_tokenizer = true;  // false: pre_tokenizer null (the whole input is one word)
    wordpiece_model_config model;
    std::optional<template_processing> post_processor;
    std::optional<wordpiece_decoder_config> decoder = wordpiece_decoder_config{};
    std::vector<added_token> added_tokens;
    std::optional<truncation_params> truncation;
    std::optional<padding_params> padding;
};

struct encode_options {
    bool add_special_tokens = true;    // apply the post-processor template
    bool split_special_tokens = false; // recognise special added tokens inside the text
    bool ids_only = false;             // only ids, type_ids, attention_mask (no offsets): for large inputs
};

class wordpiece_tokenizer {
public:
    // `vocab[i]` is the token with id i. Throws on duplicates, an empty vocabulary, a missing
    // unk token, added tokens whose id disagrees with the vocabulary or is out of range.
    wordpiece_tokenizer(std::vector<std::string> vocab, wordpiece_tokenizer_config config)
        : config_(std::move(config)) {
        auto shared = std::make_shared<data>();
        data& d = *shared;
        d.vocab = std::move(vocab);
        const wordpiece_tokenizer_config& cfg = config_;
        require(!d.vocab.empty(), error_kind::invalid_data, "wordpiece: empty vocabulary");
        require(d.vocab.size() <= static_cast<std::size_t>(INT32_MAX), error_kind::too_large,
                "wordpiece: vocabulary larger than 2^31 tokens");
        std::vector<std::pair<std::string_view, std::int32_t>> all, continuation;
        all.reserve(d.vocab.size());
        const std::string& prefix = cfg.model.continuing_subword_prefix;
        for (std::size_t i = 0; i < d.vocab.size(); ++i) {
            const std::string_view t = d.vocab[i];
            all.emplace_back(t, static_cast<std::int32_t>(i));
            if (t.substr(0, prefix.size()) == prefix)
                continuation.emplace_back(t.substr(prefix.size()), static_cast<std::int32_t>(i));
        }
        d.by_text.build(all);
        d.continuation.build(continuation);
        d.unk_id = d.by_text.find(cfg.model.unk_token);
        require(d.unk_id >= 0, error_kind::inconsistent, [&] {
            return "wordpiece: unk_token '" + cfg.model.unk_token + "' is not in the vocabulary";
        });
        d.special_ids.assign(d.vocab.size(), 0);
        for (const added_token& t : cfg.added_tokens) {
            require(t.id >= 0 && static_cast<std::size_t>(t.id) < d.vocab.size(), error_kind::out_of_range, [&] {
                return "added token '" + t.content + "': id " + std::to_string(t.id) + " outside the vocabulary of " +
                       std::to_string(d.vocab.size());
            });
            require(d.vocab[t.id] == t.content, error_kind::inconsistent, [&] {
                return "added token '" + t.content + "': id " + std::to_string(t.id) + " is '" + d.vocab[t.id] +
                       "' in the vocabulary";
            });
            require(!t.content.empty(), error_kind::invalid_data, "added token with empty content");
            if (!t.special)
                require(!t.normalized && !t.single_word, error_kind::unsupported, [&] {
                    return "added token '" + t.content + "': normalized/single_word matching is not supported";
                });
            if (t.special) d.special_ids[t.id] = 1;
            (t.special ? d.has_special_added : d.has_plain_added) = true;
        }
        if (cfg.post_processor) {
            for (const auto& entry : cfg.post_processor->special_tokens) {
                const std::string& name = entry.first;  // (clang 14: lambdas cannot capture bindings)
                const template_special_token& tok = entry.second;
                require(tok.ids.size() == tok.tokens.size(), error_kind::inconsistent, [&] {
                    return "post_processor special token '" + name + "': ids and tokens differ in length";
                });
                for (std::int32_t id : tok.ids)
                    require(id >= 0 && static_cast<std::size_t>(id) < d.vocab.size(), error_kind::out_of_range, [&] {
                        return "post_processor special token '" + name + "': id " + std::to_string(id) +
                               " outside the vocabulary";
                    });
            }
            // Names every template piece uses must exist (throws inconsistent otherwise).
            (void)cfg.post_processor->added_tokens(false);
            (void)cfg.post_processor->added_tokens(true);
        }
        build_char_table(d);
        data_ = std::move(shared);
    }

    std::size_t vocab_size() const noexcept { return data_->vocab.size(); }
    const wordpiece_tokenizer_config& config() const noexcept { return config_; }

    // Id of a token's exact text, or nullopt.
    std::optional<std::int32_t> token_to_id(std::string_view token) const noexcept {
        const std::int32_t id = data_->by_text.find(token);
        return id >= 0 ? std::optional<std::int32_t>(id) : std::nullopt;
    }
    // Text of an id; throws out_of_range outside the vocabulary.
    const std::string& id_to_token(std::int32_t id) const {
        require(id >= 0 && static_cast<std::size_t>(id) < data_->vocab.size(), error_kind::out_of_range,
                [&] { return "token id " + std::to_string(id) + " outside the vocabulary of " +
                             std::to_string(data_->vocab.size()); });
        return data_->vocab[id];
    }

    // Copies sharing the vocabulary, with other truncation / padding (HF's
    // enable_truncation / no_truncation / enable_padding / no_padding).
    wordpiece_tokenizer with_truncation(std::optional<truncation_params> t) const {
        wordpiece_tokenizer copy = *this;
        copy.config_.truncation = std::move(t);
        return copy;
    }
    wordpiece_tokenizer with_padding(std::optional<padding_params> p) const {
        wordpiece_tokenizer copy = *this;
        copy.config_.padding = std::move(p);
        return copy;
    }

    // The token texts of e's ids (views into the vocabulary, valid while any copy of this
    // tokenizer lives).
    std::vector<std::string_view> tokens(const encoding& e) const {
        std::vector<std::string_view> out;
        out.reserve(e.size());
        for (std::int32_t id : e.ids) out.push_back(id_to_token(id));
        return out;
    }

    encoding encode(std::string_view text, bool add_special_tokens = true) const {
        return encode(text, encode_options{.add_special_tokens = add_special_tokens});
    }
    encoding encode(std::string_view text, const encode_options& options) const {
        encoding a = tokenize(text, options, single_limit(options));
        return finish(a, nullptr, options, true);
    }
    // What a model takes (ids, type_ids, attention_mask), nothing else: the path for large
    // inputs. Same ids as encode().
    encoding encode_ids(std::string_view text, bool add_special_tokens = true) const {
        return encode(text, encode_options{.add_special_tokens = add_special_tokens, .ids_only = true});
    }
    encoding encode_pair(std::string_view first, std::string_view second, bool add_special_tokens = true) const {
        return encode_pair(first, second, encode_options{.add_special_tokens = add_special_tokens});
    }
    encoding encode_pair(std::string_view first, std::string_view second, const encode_options& options) const {
        const std::size_t no_limit = SIZE_MAX;  // how a pair is cut depends on both lengths
        encoding a = tokenize(first, options, no_limit);
        encoding b = tokenize(second, options, no_limit);
        return finish(a, &b, options, true);
    }

    // Encodes each text; padding (when configured) then applies to the whole batch, so
    // BatchLongest pads to the longest member as HF does.
    template <class Texts>
    std::vector<encoding> encode_batch(const Texts& texts, bool add_special_tokens = true) const {
        return encode_batch(texts, encode_options{.add_special_tokens = add_special_tokens});
    }
    template <class Texts>
    std::vector<encoding> encode_batch(const Texts& texts, const encode_options& options) const {
        std::vector<encoding> out;
        out.reserve(std::size(texts));
        for (const auto& t : texts) {
            encoding a = tokenize(std::string_view(t), options, single_limit(options));
            out.push_back(finish(a, nullptr, options, false));
        }
        if (config_.padding) pad_batch(out, *config_.padding);
        return out;
    }

    // Ids -> text through the WordPiece decoder (tokens joined with spaces, "##" pieces
    // glued, HF cleanup). Ids outside the vocabulary throw out_of_range (HF drops them).
    std::string decode(std::span<const std::int32_t> ids, bool skip_special_tokens = true) const {
        const data& d = *data_;
        std::string out;
        bool first = true;
        std::string piece;
        for (std::int32_t id : ids) {
            const std::string& tok = id_to_token(id);
            if (skip_special_tokens && d.special_ids[id]) continue;
            if (!config_.decoder) {  // no decoder: HF joins tokens with spaces
                if (!first) out.push_back(' ');
                out += tok;
                first = false;
                continue;
            }
            const wordpiece_decoder_config& dec = *config_.decoder;
            piece.clear();
            if (!first) {
                if (tok.compare(0, dec.prefix.size(), dec.prefix) == 0 && !dec.prefix.empty())
                    piece.append(tok, dec.prefix.size());
                else {
                    piece.push_back(' ');
                    piece += tok;
                }
            } else {
                piece = tok;
            }
            if (dec.cleanup) cleanup(piece);
            out += piece;
            first = false;
        }
        return out;
    }

private:
    // Per-normalized-character origin: the input bytes of the character it came from.
    struct origin {
        std::size_t byte_begin, byte_end;
    };

    // What the whole normalizer + pre-tokenizer does to one BMP character (char_table).
    enum char_kind : std::uint8_t {
        char_general,   // anything else (decomposes, is a mark, lowercases to two...): the full path
        char_drop,      // clean_text removes it
        char_boundary,  // ends a word (whitespace)
        char_word,      // one starter character, appended to the word
        char_alone,     // one starter character that is a word by itself (punctuation, CJK)
    };

    struct data {
        std::vector<std::string> vocab;
        detail::string_id_map by_text;       // every token
        detail::string_id_map continuation;  // tokens that start with the prefix, keyed without it
        std::int32_t unk_id = 0;
        std::vector<std::uint8_t> special_ids;  // 1 for special added tokens (skipped by decode)
        bool has_special_added = false, has_plain_added = false;
        // Per BMP code point: kind << 24 | the normalized character (char_word, char_alone).
        std::vector<std::uint32_t> char_table;
    };

    // Runs each BMP character through the general path's functions once, so the table
    // cannot disagree with them: a character whose result is one starter character (not a
    // mark: it only flushes pending marks) gets its kind; anything else keeps the general
    // path. 64K entries, 256 KB, a few ms at construction; one lookup a character after.
    void build_char_table(data& d) const {
        const bert_normalizer_config* norm = config_.normalizer ? &*config_.normalizer : nullptr;
        const bool strip = norm && norm->strip_accents.value_or(norm->lowercase);
        const bool lower = norm && norm->lowercase;
        d.char_table.assign(0x10000, 0);
        std::u32string mapped;
        for (char32_t c = 0; c < 0x10000; ++c) {
            auto set = [&](char_kind kind, char32_t to) { d.char_table[c] = std::uint32_t(kind) << 24 | to; };
            char32_t cp = c;
            if (norm && norm->clean_text) {
                if (cp == 0 || cp == replacement_character || hf_bert_is_control(cp)) {
                    set(char_drop, 0);
                    continue;
                }
                if (hf_bert_is_whitespace(cp)) cp = U' ';
            }
            const bool cjk = norm && norm->handle_chinese_chars && is_cjk_ideograph(cp);
            if (cjk && !config_.bert_pre_tokenizer) continue;  // its padding spaces join words
            mapped.clear();
            if (strip) {
                bool plain = true;
                decompose(cp, false, [&](char32_t x) {
                    plain = plain && combining_class(x) == 0 && !hf_bert_is_nonspacing_mark(x);
                    mapped.push_back(x);
                });
                if (!plain || mapped.size() != 1) continue;
                cp = mapped[0];
                mapped.clear();
            }
            if (lower) {
                lowercase_full(cp, [&](char32_t x) { mapped.push_back(x); });
                if (mapped.size() != 1) continue;
                cp = mapped[0];
            }
            if (!config_.bert_pre_tokenizer) set(char_word, cp);
            else if (is_unicode_whitespace(cp)) set(char_boundary, 0);
            else if (cjk || hf_bert_is_punctuation(cp)) set(char_alone, cp);
            else set(char_word, cp);
        }
    }

    // Tokens of a single input past which right truncation drops everything: tokenizing can
    // stop there with the same result. SIZE_MAX when nothing is cut that way.
    std::size_t single_limit(const encode_options& options) const {
        const std::optional<truncation_params>& t = config_.truncation;
        if (!t || t->direction != side::right || t->strategy == truncation_strategy::only_second) return SIZE_MAX;
        const std::size_t added =
            options.add_special_tokens && config_.post_processor ? config_.post_processor->added_tokens(false) : 0;
        return t->max_length >= added ? t->max_length - added : SIZE_MAX;  // too small: finish() throws
    }

    // HF WordPiece decoder cleanup, applied to each (space-prefixed) token.
    static void cleanup(std::string& s) {
        static constexpr std::pair<std::string_view, std::string_view> rules[] = {
            {" .", "."},   {" ?", "?"},   {" !", "!"},   {" ,", ","},        {" ' ", "'"},  {" n't", "n't"},
            {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
        for (const auto& [from, to] : rules) {
            std::size_t pos = 0;
            while ((pos = s.find(from, pos)) != std::string::npos) {
                s.replace(pos, from.size(), to);
                pos += to.size();
            }
        }
    }

    // Truncation, template and padding (padding only for single encodes; batches pad
    // together afterwards). Consumes a and b.
    encoding finish(encoding& a, encoding* b, const encode_options& options, bool pad_single) const {
        const bool use_template = options.add_special_tokens && config_.post_processor;
        if (config_.truncation) {
            const std::size_t added = use_template ? config_.post_processor->added_tokens(b != nullptr) : 0;
            truncate_encodings(a, b, *config_.truncation, added);
        }
        // HF without a template: the pair is concatenated, B with type id 1.
        static const template_piece plain[2] = {{.is_sequence = true, .sequence = 0, .special = {}, .type_id = 0},
                                                {.is_sequence = true, .sequence = 1, .special = {}, .type_id = 1}};
        encoding out = use_template ? config_.post_processor->apply(a, b, options.ids_only)
                                    : assemble(std::span(plain, b ? 2 : 1), nullptr, a, b, options.ids_only);
        if (pad_single && config_.padding && config_.padding->fixed_length)
            pad_encoding(out, *config_.padding->fixed_length, *config_.padding);
        return out;
    }

    // Reused buffers of one tokenize() call.
    struct scratch {
        std::string word;                    // normalized UTF-8 of the current word
        std::vector<std::uint32_t> char_pos; // byte position of each word character (+ end)
        std::vector<origin> char_origin;     // input span of each word character
        std::size_t word_chars = 0;          // characters seen, also past the cap
        origin first{}, last{};              // spans of the first and last character
        std::vector<std::pair<char32_t, origin>> marks;  // pending non-starters (NFD ordering)
        std::vector<std::pair<std::int32_t, std::pair<std::uint32_t, std::uint32_t>>> pieces;
        bool ids_only = false;               // emit ids only (no special mask, no offsets)
        std::size_t limit = SIZE_MAX;        // stop once this many tokens are out
    };

    // The model's output for `text` (no template): ids, and unless ids_only
    // special_tokens_mask and offsets. Stops early once `limit` tokens are out.
    encoding tokenize(std::string_view text, const encode_options& options, std::size_t limit) const {
        const data& d = *data_;
        encoding out;
        out.ids_only = options.ids_only;
        scratch s;
        s.word.reserve(64);
        s.ids_only = options.ids_only;
        s.limit = limit;
        const bool match_special = options.split_special_tokens && d.has_special_added;
        if (!d.has_plain_added && !match_special) {
            run_segment(text, 0, text.size(), s, out);
            return out;
        }
        // Split out added tokens: leftmost, then longest match, on the raw text.
        std::size_t seg_begin = 0, pos = 0;
        while (pos < text.size() && out.size() < s.limit) {
            const added_token* best = nullptr;
            for (const added_token& t : config_.added_tokens) {
                if (t.special && !match_special) continue;
                if (text.compare(pos, t.content.size(), t.content) == 0 &&
                    (!best || t.content.size() > best->content.size()))
                    best = &t;
            }
            if (!best) {
                pos += decode_utf8(text, pos).length;
                continue;
            }
            std::size_t match_begin = pos, match_end = pos + best->content.size();
            if (best->lstrip)  // swallow whitespace before the token (back to the segment start)
                while (match_begin > seg_begin && is_unicode_whitespace(static_cast<unsigned char>(text[match_begin - 1])))
                    --match_begin;
            run_segment(text, seg_begin, match_begin, s, out);
            if (best->rstrip)
                while (match_end < text.size() && is_unicode_whitespace(static_cast<unsigned char>(text[match_end])))
                    ++match_end;
            emit(best->id, {match_begin, match_end}, best->special, s, out);
            seg_begin = pos = match_end;
        }
        if (out.size() < s.limit) run_segment(text, seg_begin, text.size(), s, out);
        return out;
    }

    static void emit(std::int32_t id, std::pair<std::size_t, std::size_t> bytes, bool special, const scratch& s,
                     encoding& out) {
        out.ids.push_back(id);
        if (s.ids_only) return;
        out.special_tokens_mask.push_back(special ? 1 : 0);
        out.offsets.push_back(bytes);
    }

    // Normalizes, pre-tokenizes and runs WordPiece over text[begin, end) in one pass.
    void run_segment(std::string_view text, std::size_t begin, std::size_t end, scratch& s, encoding& out) const {
        const data& d = *data_;
        const bert_normalizer_config* norm = config_.normalizer ? &*config_.normalizer : nullptr;
        const bool strip = norm && norm->strip_accents.value_or(norm->lowercase);
        const bool lower = norm && norm->lowercase;
        const bool cjk_words = norm && norm->handle_chinese_chars;
        const std::string_view segment = text.substr(0, end);
        for (std::size_t i = begin; i < end;) {
            if (out.size() >= s.limit) return;  // the rest would be truncated away
            // Decode within [i, end): a segment never splits a character (added tokens start
            // and end on character boundaries because their text is valid UTF-8).
            const unsigned char byte = static_cast<unsigned char>(text[i]);
            char32_t cp = byte;
            std::size_t length = 1;
            if (byte >= 0x80) {
                const utf8_decoded dc = decode_utf8(segment, i);
                cp = dc.cp;
                length = dc.length;
            }
            const origin o{i, i + length};
            i += length;
            if (cp < 0x10000) {
                // Fast path: the table holds what the general path below does to cp.
                const std::uint32_t entry = d.char_table[cp];
                const auto kind = static_cast<char_kind>(entry >> 24);
                if (kind != char_general) {
                    if (kind == char_drop) continue;
                    if (!s.marks.empty()) flush_marks(lower, s, out);  // a starter ends pending marks
                    const char32_t c = entry & 0xFFFFFFu;
                    if (kind == char_word) {
                        append_char(c, o, s);
                    } else {
                        finish_word(s, out);
                        if (kind == char_alone) {
                            append_char(c, o, s);
                            finish_word(s, out);
                        }
                    }
                    continue;
                }
            }
            if (norm && norm->clean_text) {
                if (cp == 0 || cp == replacement_character || hf_bert_is_control(cp)) continue;
                if (hf_bert_is_whitespace(cp)) cp = U' ';
            }
            if (cjk_words && is_cjk_ideograph(cp)) {
                // HF puts spaces around it. With the BERT pre-tokenizer a space only flushes
                // pending marks (it is a starter) and ends the word, so do just that.
                if (config_.bert_pre_tokenizer) {
                    flush_marks(lower, s, out);
                    finish_word(s, out);
                    normalized_char(cp, o, strip, lower, s, out);
                    flush_marks(lower, s, out);
                    finish_word(s, out);
                } else {
                    normalized_char(U' ', o, strip, lower, s, out);
                    normalized_char(cp, o, strip, lower, s, out);
                    normalized_char(U' ', o, strip, lower, s, out);
                }
                continue;
            }
            normalized_char(cp, o, strip, lower, s, out);
        }
        flush_marks(lower, s, out);
        finish_word(s, out);
    }

    // strip_accents stage: NFD of cp, canonical ordering of non-starters, Mn removed.
    // Mn characters are dropped as they arrive; that leaves the survivors' relative order
    // unchanged, because a stable sort of a subsequence equals the subsequence of the sort.
    // Starters (class 0, Mn or not) end a run of non-starters.
    void normalized_char(char32_t cp, const origin& o, bool strip, bool lower, scratch& s, encoding& out) const {
        if (!strip) {
            lowered_char(cp, o, lower, s, out);
            return;
        }
        decompose(cp, false, [&](char32_t c) {
            const std::uint8_t cc = combining_class(c);
            if (cc == 0) flush_marks(lower, s, out);
            if (hf_bert_is_nonspacing_mark(c)) return;
            if (cc == 0) lowered_char(c, o, lower, s, out);
            else s.marks.emplace_back(c, o);
        });
    }

    void flush_marks(bool lower, scratch& s, encoding& out) const {
        if (s.marks.empty()) return;
        if (s.marks.size() > 1)
            std::stable_sort(s.marks.begin(), s.marks.end(), [](const auto& a, const auto& b) {
                return combining_class(a.first) < combining_class(b.first);
            });
        for (const auto& [c, o] : s.marks) lowered_char(c, o, lower, s, out);
        s.marks.clear();
    }

    void lowered_char(char32_t cp, const origin& o, bool lower, scratch& s, encoding& out) const {
        if (!lower) {
            pre_tokenize_char(cp, o, s, out);
            return;
        }
        lowercase_full(cp, [&](char32_t c) { pre_tokenize_char(c, o, s, out); });
    }

    // BertPreTokenizer: whitespace ends a word and is dropped; punctuation is a word alone.
    void pre_tokenize_char(char32_t cp, const origin& o, scratch& s, encoding& out) const {
        if (config_.bert_pre_tokenizer) {
            if (is_unicode_whitespace(cp)) {
                finish_word(s, out);
                return;
            }
            if (hf_bert_is_punctuation(cp)) {
                finish_word(s, out);
                append_char(cp, o, s);
                finish_word(s, out);
                return;
            }
        }
        append_char(cp, o, s);
    }

    void append_char(char32_t cp, const origin& o, scratch& s) const {
        if (s.word_chars == 0) s.first = o;
        s.last = o;
        ++s.word_chars;
        // Past the cap the word is [UNK] whatever it holds: count it, keep nothing.
        if (s.word_chars > config_.model.max_input_chars_per_word) return;
        s.char_pos.push_back(static_cast<std::uint32_t>(s.word.size()));
        s.char_origin.push_back(o);
        append_utf8(s.word, cp);
    }

    // WordPiece on the buffered word, then reset the word buffers.
    void finish_word(scratch& s, encoding& out) const {
        if (s.word_chars == 0) return;
        const data& d = *data_;
        const std::size_t n = s.char_pos.size();
        bool bad = s.word_chars > config_.model.max_input_chars_per_word;
        s.pieces.clear();
        if (!bad) {
            s.char_pos.push_back(static_cast<std::uint32_t>(s.word.size()));
            const std::string_view word = s.word;
            std::size_t start = 0;
            while (start < n) {
                const detail::string_id_map& map = start == 0 ? d.by_text : d.continuation;
                // Longest candidate first; nothing longer than the longest key can match.
                std::size_t stop = n;
                while (stop > start && s.char_pos[stop] - s.char_pos[start] > map.max_key_bytes()) --stop;
                std::int32_t id = -1;
                for (; stop > start; --stop) {
                    id = map.find(word.substr(s.char_pos[start], s.char_pos[stop] - s.char_pos[start]));
                    if (id >= 0) break;
                }
                if (id < 0) {
                    bad = true;
                    break;
                }
                s.pieces.emplace_back(id, std::pair<std::uint32_t, std::uint32_t>{static_cast<std::uint32_t>(start),
                                                                                 static_cast<std::uint32_t>(stop)});
                start = stop;
            }
        }
        if (bad) {
            emit(d.unk_id, {s.first.byte_begin, s.last.byte_end}, false, s, out);
        } else {
            for (const auto& [id, span] : s.pieces)
                emit(id, {s.char_origin[span.first].byte_begin, s.char_origin[span.second - 1].byte_end}, false, s, out);
        }
        s.word.clear();
        s.char_pos.clear();
        s.char_origin.clear();
        s.word_chars = 0;
    }

    wordpiece_tokenizer_config config_;  // per copy: with_truncation/with_padding change it
    std::shared_ptr<const data> data_;    // shared by copies, never modified
};

}  // namespace tessera::text
