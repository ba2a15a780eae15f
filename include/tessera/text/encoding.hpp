#pragma once
// The result of tokenizing one input (or a pair), and the model-independent steps that
// follow the model: truncation, the template post-processor ([CLS] A [SEP] B [SEP]) and
// padding. Semantics follow HF `tokenizers` (Encoding, TruncationParams, PaddingParams,
// TemplateProcessing) so that ids, type ids and masks match it exactly.
//
// Offsets: `offsets` are BYTE offsets [begin, end) into the original UTF-8 input as the
// caller passed it (before sanitizing invalid bytes). `char_offsets` are the same spans in
// code points, counting each invalid subpart as one character, which is what HF's Python
// binding reports (it decodes with errors="replace" first). Tokens the post-processor or
// padding adds get (0, 0) in both, as in HF. For a pair, offsets of the second sequence
// refer to the second input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tessera/core/error.hpp"

namespace tessera::text {

struct encoding {
    std::vector<std::int32_t> ids;
    std::vector<std::int32_t> type_ids;             // segment: 0 for A, 1 for B (per template)
    std::vector<std::int32_t> attention_mask;       // 1 for real tokens, 0 for padding
    std::vector<std::int32_t> special_tokens_mask;  // 1 for tokens the template/padding added
    std::vector<std::pair<std::size_t, std::size_t>> offsets;       // bytes in the input
    std::vector<std::pair<std::size_t, std::size_t>> char_offsets;  // code points in the input
    std::vector<std::string> tokens;
    std::vector<std::int8_t> sequence_ids;          // 0 or 1 for input tokens, -1 for added ones

    std::size_t size() const noexcept { return ids.size(); }

    void push(std::int32_t id, std::string token, std::pair<std::size_t, std::size_t> byte_span,
              std::pair<std::size_t, std::size_t> char_span, std::int32_t type_id, bool special,
              std::int8_t sequence) {
        ids.push_back(id);
        type_ids.push_back(type_id);
        attention_mask.push_back(1);
        special_tokens_mask.push_back(special ? 1 : 0);
        offsets.push_back(byte_span);
        char_offsets.push_back(char_span);
        tokens.push_back(std::move(token));
        sequence_ids.push_back(sequence);
    }

    // Keeps the first n tokens (or the last n, from the left).
    void truncate(std::size_t n, bool from_left = false) {
        if (n >= size()) return;
        auto cut = [&](auto& v) {
            if (from_left) v.erase(v.begin(), v.end() - static_cast<std::ptrdiff_t>(n));
            else v.resize(n);
        };
        cut(ids), cut(type_ids), cut(attention_mask), cut(special_tokens_mask);
        cut(offsets), cut(char_offsets), cut(tokens), cut(sequence_ids);
    }
};

enum class truncation_strategy { longest_first, only_first, only_second };
enum class side { right, left };

// HF TruncationParams (stride and overflowing pieces are not produced: the overflow is
// dropped, which is what encode() returns as its main encoding in HF too).
struct truncation_params {
    std::size_t max_length = 512;
    truncation_strategy strategy = truncation_strategy::longest_first;
    side direction = side::right;
};

// HF PaddingParams: `fixed_length` set = PaddingStrategy::Fixed, else BatchLongest.
struct padding_params {
    std::optional<std::size_t> fixed_length;
    side direction = side::right;
    std::size_t pad_to_multiple_of = 0;  // 0 = none
    std::int32_t pad_id = 0;
    std::int32_t pad_type_id = 0;
    std::string pad_token = "[PAD]";
};

// One element of a template: a special token (by its name in `special_tokens`) or the
// sequence A (0) / B (1), each with the type id it gets.
struct template_piece {
    bool is_sequence = false;
    std::int8_t sequence = 0;  // when is_sequence
    std::string special;       // when !is_sequence: key into template_processing::special_tokens
    std::int32_t type_id = 0;
};

struct template_special_token {
    std::vector<std::int32_t> ids;
    std::vector<std::string> tokens;
};

// HF TemplateProcessing (BertProcessing is the same with single = [CLS] $A [SEP] and
// pair = [CLS] $A [SEP] $B:1 [SEP]:1).
struct template_processing {
    std::vector<template_piece> single;
    std::vector<template_piece> pair;
    std::vector<std::pair<std::string, template_special_token>> special_tokens;

    const template_special_token& special(const std::string& name) const {
        for (const auto& [n, t] : special_tokens)
            if (n == name) return t;
        throw error(error_kind::inconsistent, "post_processor: template names special token '" + name +
                                                   "' that is not in special_tokens");
    }

    // Tokens the template adds for a single input or a pair.
    std::size_t added_tokens(bool is_pair) const {
        std::size_t n = 0;
        for (const auto& p : is_pair ? pair : single)
            if (!p.is_sequence) n += special(p.special).ids.size();
        return n;
    }

    encoding apply(const encoding& a, const encoding* b) const {
        encoding out;
        const auto& pieces = b ? pair : single;
        for (const auto& p : pieces) {
            if (!p.is_sequence) {
                const auto& t = special(p.special);
                for (std::size_t i = 0; i < t.ids.size(); ++i)
                    out.push(t.ids[i], t.tokens[i], {0, 0}, {0, 0}, p.type_id, true, -1);
                continue;
            }
            const encoding* src = p.sequence == 0 ? &a : b;
            if (!src) throw error(error_kind::invalid_argument, "post_processor: template uses $B for a single input");
            for (std::size_t i = 0; i < src->size(); ++i)
                out.push(src->ids[i], src->tokens[i], src->offsets[i], src->char_offsets[i], p.type_id,
                         src->special_tokens_mask[i] != 0, p.sequence);
        }
        return out;
    }
};

// HF truncate_encodings: `max_length` counts the tokens the post-processor will add
// (`added`), so the inputs share max_length - added.
inline void truncate_encodings(encoding& a, encoding* b, const truncation_params& t, std::size_t added) {
    if (t.max_length < added)
        throw error(error_kind::invalid_argument,
                    "truncation: max_length " + std::to_string(t.max_length) + " is smaller than the " +
                        std::to_string(added) + " special tokens the template adds");
    const std::size_t max_len = t.max_length - added;
    const bool left = t.direction == side::left;
    const std::size_t total = a.size() + (b ? b->size() : 0);
    if (total <= max_len) return;
    if (!b) {
        if (t.strategy == truncation_strategy::only_second)
            throw error(error_kind::invalid_argument, "truncation: only_second needs a pair");
        a.truncate(max_len, left);
        return;
    }
    const std::size_t to_remove = total - max_len;
    switch (t.strategy) {
    case truncation_strategy::longest_first: {
        // HF: let n1 <= n2. If the shorter fits, the longer gets the rest; otherwise both get
        // half (the second of the two gets the odd one).
        std::size_t n1 = a.size(), n2 = b->size();
        const bool swapped = n1 > n2;
        if (swapped) std::swap(n1, n2);
        n2 = n1 > max_len ? n1 : std::max(n1, max_len - n1);
        if (n1 + n2 > max_len) {
            n1 = max_len / 2;
            n2 = n1 + max_len % 2;
        }
        if (swapped) std::swap(n1, n2);
        a.truncate(n1, left);
        b->truncate(n2, left);
        return;
    }
    case truncation_strategy::only_first:
    case truncation_strategy::only_second: {
        encoding& target = t.strategy == truncation_strategy::only_first ? a : *b;
        if (target.size() <= to_remove)
            throw error(error_kind::invalid_argument,
                        "truncation: the sequence to truncate is not longer than what must be removed (" +
                            std::to_string(to_remove) + " tokens)");
        target.truncate(target.size() - to_remove, left);
        return;
    }
    }
}

// Pads `e` to `length` (rounded up to pad_to_multiple_of) with pad tokens.
inline void pad_encoding(encoding& e, std::size_t length, const padding_params& p) {
    if (p.pad_to_multiple_of > 0 && length % p.pad_to_multiple_of != 0)
        length += p.pad_to_multiple_of - length % p.pad_to_multiple_of;
    if (e.size() >= length) return;
    const std::size_t n = length - e.size();
    auto grow = [&](auto& v, const auto& value) {
        if (p.direction == side::right) v.insert(v.end(), n, value);
        else v.insert(v.begin(), n, value);
    };
    grow(e.ids, p.pad_id);
    grow(e.type_ids, p.pad_type_id);
    grow(e.attention_mask, std::int32_t{0});
    grow(e.special_tokens_mask, std::int32_t{1});
    grow(e.offsets, std::pair<std::size_t, std::size_t>{0, 0});
    grow(e.char_offsets, std::pair<std::size_t, std::size_t>{0, 0});
    grow(e.tokens, p.pad_token);
    grow(e.sequence_ids, std::int8_t{-1});
}

// Pads a batch: to fixed_length when set, else to the longest member.
inline void pad_batch(std::vector<encoding>& batch, const padding_params& p) {
    std::size_t length = 0;
    if (p.fixed_length) length = *p.fixed_length;
    else
        for (const auto& e : batch) length = std::max(length, e.size());
    for (auto& e : batch) pad_encoding(e, length, p);
}

}  // namespace tessera::text
