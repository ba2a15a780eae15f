#pragma once
// The result of tokenizing one input (or a pair), and the model-independent steps that
// follow the model: truncation, the template post-processor ([CLS] A [SEP] B [SEP]) and
// padding. Semantics follow HF `tokenizers` (Encoding, TruncationParams, PaddingParams,
// TemplateProcessing) so that ids, type ids and masks match it exactly.
//
// Memory, per token: ids, type_ids, attention_mask (12 bytes: what a model takes) and,
// unless the encoding is `ids_only`, special_tokens_mask, byte offsets and sequence ids
// (21 more). Token strings are not stored: the tokenizer's `tokens(e)` gives views into its
// vocabulary. For 100 MB of CJK text (35M tokens) that is 420 MB ids-only, 1.2 GB full.
//
// Offsets: `offsets` are BYTE offsets [begin, end) into the original UTF-8 input as the
// caller passed it (before sanitizing invalid bytes). `char_offsets(e, input)` converts them
// to code points, counting each invalid subpart as one character, which is what HF's Python
// binding reports (it decodes with errors="replace" first). Tokens the post-processor or
// padding adds get (0, 0), as in HF. For a pair, offsets of the second sequence refer to
// the second input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/text/utf8.hpp"

namespace tessera::text {

struct encoding {
    std::vector<std::int32_t> ids;
    std::vector<std::int32_t> type_ids;             // segment: 0 for A, 1 for B (per template)
    std::vector<std::int32_t> attention_mask;       // 1 for real tokens, 0 for padding
    // Empty when ids_only; else one per token.
    std::vector<std::int32_t> special_tokens_mask;  // 1 for tokens the template/padding added
    std::vector<std::pair<std::size_t, std::size_t>> offsets;  // bytes in the input
    std::vector<std::int8_t> sequence_ids;          // 0 or 1 for input tokens, -1 for added ones
    bool ids_only = false;

    std::size_t size() const noexcept { return ids.size(); }

    // Keeps the first n tokens (or the last n, from the left). Columns that are not filled
    // (ids_only, or the model's raw output before the template) stay empty.
    void truncate(std::size_t n, bool from_left = false) {
        const std::size_t old = size();
        if (n >= old) return;
        auto cut = [&](auto& v) {
            if (v.size() != old) return;
            if (from_left) v.erase(v.begin(), v.end() - static_cast<std::ptrdiff_t>(n));
            else v.resize(n);
        };
        cut(ids), cut(type_ids), cut(attention_mask), cut(special_tokens_mask), cut(offsets), cut(sequence_ids);
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
    std::string pad_token = "[PAD]";  // HF's field; tokens(e) shows the vocabulary's text of pad_id
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

    // The template around a (and b): consumes their columns (they are left empty).
    encoding apply(encoding& a, encoding* b, bool ids_only) const;
};

// Builds the final encoding from the model's output for each input (`a`, `b`: ids, and
// unless ids_only special_tokens_mask and offsets) and the pieces of a template. Each
// output column is built in turn and the inputs' column freed right after, so the peak is
// the inputs plus one column, not two whole encodings; for a single input the input's
// columns are reused in place, so the peak is the output alone.
inline encoding assemble(std::span<const template_piece> pieces, const template_processing* specials, encoding& a,
                         encoding* b, bool ids_only) {
    encoding* inputs[2] = {&a, b};
    const std::size_t lengths[2] = {a.size(), b ? b->size() : 0};  // before their columns are freed
    std::size_t total = 0;
    for (const template_piece& p : pieces) {
        if (p.is_sequence) {
            if (!inputs[p.sequence])
                throw error(error_kind::invalid_argument, "post_processor: template uses $B for a single input");
            total += inputs[p.sequence]->size();
        } else {
            total += specials->special(p.special).ids.size();
        }
    }
    encoding out;
    out.ids_only = ids_only;
    // One input: the columns it has (ids, special_tokens_mask, offsets) become the output's,
    // with the template's tokens inserted before and after in place (a memmove; a copy only
    // when the vector has no room for them), so the largest column (offsets, 16 bytes a
    // token) never exists twice.
    const bool one_sequence =
        !b && std::count_if(pieces.begin(), pieces.end(), [](const template_piece& p) { return p.is_sequence; }) == 1;
    auto in_place = [&](auto member, auto special) {
        auto& v = a.*member;
        using value = typename std::remove_reference_t<decltype(v)>::value_type;
        std::vector<value> before, after;  // the template's own tokens (a few)
        bool seen_sequence = false;
        for (const template_piece& p : pieces) {
            if (p.is_sequence) {
                if (p.sequence != 0)
                    throw error(error_kind::invalid_argument, "post_processor: template uses $B for a single input");
                seen_sequence = true;
                continue;
            }
            const template_special_token& t = specials->special(p.special);
            for (std::size_t i = 0; i < t.ids.size(); ++i) (seen_sequence ? after : before).push_back(special(t, i, p));
        }
        if (v.capacity() < total) v.reserve(total);
        v.insert(v.begin(), before.begin(), before.end());
        v.insert(v.end(), after.begin(), after.end());
        out.*member = std::move(v);
        std::remove_reference_t<decltype(v)>().swap(v);
    };
    // One output column: `special(token, i, piece)` for template tokens, `sequence(input,
    // length, piece, dst)` appends an input's values.
    auto build = [&](auto& dst, auto special, auto sequence) {
        dst.reserve(total);
        for (const template_piece& p : pieces) {
            if (p.is_sequence) {
                sequence(*inputs[p.sequence], lengths[p.sequence], p, dst);
                continue;
            }
            const template_special_token& t = specials->special(p.special);
            for (std::size_t i = 0; i < t.ids.size(); ++i) dst.push_back(special(t, i, p));
        }
    };
    auto release = [&](auto member) {  // frees the inputs' column (clear() would keep it)
        for (encoding* e : inputs)
            if (e) {
                auto& v = e->*member;
                std::remove_reference_t<decltype(v)>().swap(v);
            }
    };
    auto copy = [](auto member) {
        return [member](const encoding& e, std::size_t, const template_piece&, auto& dst) {
            dst.insert(dst.end(), (e.*member).begin(), (e.*member).end());
        };
    };
    const auto special_id = [](const template_special_token& t, std::size_t i, const template_piece&) { return t.ids[i]; };
    if (one_sequence) in_place(&encoding::ids, special_id);
    else build(out.ids, special_id, copy(&encoding::ids));
    release(&encoding::ids);
    build(out.type_ids, [](const template_special_token&, std::size_t, const template_piece& p) { return p.type_id; },
          [](const encoding&, std::size_t n, const template_piece& p, auto& dst) { dst.insert(dst.end(), n, p.type_id); });
    build(out.attention_mask, [](const template_special_token&, std::size_t, const template_piece&) { return 1; },
          [](const encoding&, std::size_t n, const template_piece&, auto& dst) { dst.insert(dst.end(), n, 1); });
    if (!ids_only) {
        const auto one = [](const template_special_token&, std::size_t, const template_piece&) { return std::int32_t{1}; };
        if (one_sequence) in_place(&encoding::special_tokens_mask, one);
        else build(out.special_tokens_mask, one, copy(&encoding::special_tokens_mask));
        release(&encoding::special_tokens_mask);
        const auto zero_span = [](const template_special_token&, std::size_t, const template_piece&) {
            return std::pair<std::size_t, std::size_t>{0, 0};
        };
        if (one_sequence) in_place(&encoding::offsets, zero_span);
        else build(out.offsets, zero_span, copy(&encoding::offsets));
        release(&encoding::offsets);
        build(out.sequence_ids,
              [](const template_special_token&, std::size_t, const template_piece&) { return std::int8_t{-1}; },
              [](const encoding&, std::size_t n, const template_piece& p, auto& dst) {
                  dst.insert(dst.end(), n, p.sequence);
              });
    }
    return out;
}

inline encoding template_processing::apply(encoding& a, encoding* b, bool ids_only) const {
    return assemble(b ? pair : single, this, a, b, ids_only);
}

// Code point spans of e's tokens (HF Python's offsets), from the byte offsets by one pass
// over each input: each well-formed character and each invalid subpart counts one.
// `second` is the pair's second input. Tokens with sequence id -1 get (0, 0).
inline std::vector<std::pair<std::size_t, std::size_t>> char_offsets(const encoding& e, std::string_view first,
                                                                     std::string_view second = {}) {
    require(!e.ids_only && e.offsets.size() == e.size() && e.sequence_ids.size() == e.size(),
            error_kind::invalid_argument, "char_offsets: the encoding has no offsets (made ids_only)");
    // Begins, and ends, are non-decreasing within a sequence, so a forward cursor each is
    // linear; one that would have to go back restarts from 0 (still correct).
    struct cursor {
        std::string_view text;
        std::size_t byte = 0, chars = 0;
        std::size_t at(std::size_t b) {
            if (b < byte) byte = chars = 0;
            while (byte < b && byte < text.size()) {
                byte += decode_utf8(text, byte).length;
                ++chars;
            }
            return chars;
        }
    };
    cursor begins[2] = {{first}, {second}}, ends[2] = {{first}, {second}};
    std::vector<std::pair<std::size_t, std::size_t>> out(e.size(), {0, 0});
    for (std::size_t i = 0; i < e.size(); ++i) {
        const int seq = e.sequence_ids[i];
        if (seq < 0 || seq > 1) continue;
        out[i] = {begins[seq].at(e.offsets[i].first), ends[seq].at(e.offsets[i].second)};
    }
    return out;
}

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
    if (e.ids_only) return;
    grow(e.special_tokens_mask, std::int32_t{1});
    grow(e.offsets, std::pair<std::size_t, std::size_t>{0, 0});
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
