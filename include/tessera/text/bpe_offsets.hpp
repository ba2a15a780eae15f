#pragma once
// Byte offsets for BPE tokens (text/bpe.hpp), and a full `encoding` (text/encoding.hpp) for a
// BPE tokenizer: ids, type ids, attention mask, special-tokens mask, offsets, sequence ids.
//
// The encoder itself emits ids only (its hot path stays 4 bytes a token); offsets are found
// afterwards by walking the ids over the text the encoder saw: each token's bytes
// (bpe_tokenizer::token_bytes) follow the previous token's, except where
//   * the encoder dropped bytes that have no token (byte-level BPE without unk or byte
//     fallback, as HF does; e.g. SmolLM2 lacks 0x04, 0xF1, ...): they are passed over, and a
//     token whose pieces were joined across one ("!" 0x04 "?" -> "!?") spans it;
//   * byte fallback (byte-level mode): the "<0xAB>" tokens that spell one input byte all get
//     that byte's character;
//   * the token is the unknown token (model.unk_token): it covers one byte that has no token,
//     or with fuse_unk the run of such bytes;
//   * sentencepiece mode: a space of a token stands for a ' ' or a "▁" of the input (the
//     encoder writes spaces as "▁"); with add_space_prefix the encoder put a space before
//     each fragment that is not in the input, and the token's span is its other bytes.
// Work is linear in the input: each token is matched where the previous one ended.
//
// Offsets are BYTE offsets [begin, end) into the input as the caller passed it, and they
// always fall on character boundaries: a token that holds only part of a character (one of
// the four bytes of an emoji, say) gets the whole character's span, so consecutive tokens of
// one character share it. Invalid UTF-8 counts per maximal invalid subpart (the encoder saw
// one U+FFFD there; byte-level mode) and such a subpart is one "character". This is what HF
// `tokenizers` reports: its Rust Encoding holds byte offsets with exactly these spans, and its
// Python binding converts them to character offsets (text::char_offsets gives those).
// Tokens the encoder adds (the spec's prefix/suffix ids, e.g. BOS) get (0, 0), as in HF.
// HF trims the leading space off a token's offsets when the file's ByteLevel post-processor
// says trim_offsets=true (GPT-2's tokenizer.json); tessera does not: the space is part of the
// token (SmolLM2's post-processor has trim_offsets=false, so HF agrees there).
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/text/bpe.hpp"
#include "tessera/text/byte_unicode.hpp"
#include "tessera/text/encoding.hpp"
#include "tessera/text/utf8.hpp"

namespace tessera::text {

namespace detail {

// Walks the characters of the caller's input and of the text the encoder saw in step. They
// are the same text, except that with `replaced` (byte-level mode) every invalid subpart of
// the input is the 3 bytes of U+FFFD in the seen text, and with `spaces` (sentencepiece
// mode) every ' ' is the 3 bytes of "▁".
class bpe_unit_cursor {
public:
    bpe_unit_cursor(std::string_view input, bool replaced, bool spaces)
        : in_(input), replaced_(replaced), spaces_(spaces) {
        load();
    }

    // Input offset where the character holding seen byte `s` starts (the input's size at the
    // end). Calls must not go backwards.
    std::size_t start_of(std::size_t s) {
        advance(s);
        return in_pos_;
    }
    // Input offset where the character holding seen byte `s` ends.
    std::size_t end_of(std::size_t s) {
        advance(s);
        return in_pos_ + in_len_;
    }

private:
    void advance(std::size_t s) {
        while (in_len_ != 0 && s >= seen_pos_ + seen_len_) {
            in_pos_ += in_len_;
            seen_pos_ += seen_len_;
            load();
        }
    }
    void load() {
        if (in_pos_ >= in_.size()) {
            in_len_ = seen_len_ = 0;
            return;
        }
        if (static_cast<unsigned char>(in_[in_pos_]) < 0x80) {
            in_len_ = 1;
            seen_len_ = spaces_ && in_[in_pos_] == ' ' ? 3 : 1;
            return;
        }
        const utf8_decoded d = decode_utf8(in_, in_pos_);
        in_len_ = d.length;
        seen_len_ = (!d.valid && replaced_) ? 3 : d.length;
    }

    std::string_view in_;
    bool replaced_, spaces_;
    std::size_t in_pos_ = 0, seen_pos_ = 0;  // start of the current character
    std::size_t in_len_ = 0, seen_len_ = 0;  // its length in each text (0 at the end)
};

// Byte-level BPE with byte_fallback: a byte without a token becomes "<0xAB>" tokens for the
// UTF-8 bytes of its byte-level spelling (HF's rule, text/bpe.hpp), e.g. 0x01 (spelled
// U+0101) -> <0xC4> <0x81>. Returns how many of ids[i..last) are such a run for the first
// byte of `rest` (0 when they are not).
inline std::size_t bpe_fallback_run(const bpe_tokenizer& tok, std::span<const std::int32_t> ids, std::size_t i,
                                    std::size_t last, std::string_view rest) {
    if (!tok.spec().byte_fallback || tok.model() != bpe_model::byte_level || rest.empty()) return 0;
    const std::string spelled = bytes_to_byte_level(rest.substr(0, 1));
    if (last - i < spelled.size()) return 0;
    for (std::size_t j = 0; j < spelled.size(); ++j) {
        const std::string_view b = tok.token_bytes(ids[i + j]);
        if (b.size() != 1 || b[0] != spelled[j]) return 0;
    }
    return spelled.size();
}

// "<0xAB>", the spelling of a byte token.
inline std::string bpe_byte_token_name(unsigned char b) {
    static constexpr char hex[] = "0123456789ABCDEF";
    return std::string("<0x") + hex[b >> 4] + hex[b & 15] + ">";
}

// The bytes that have neither a token nor byte-fallback tokens: the encoder makes them the
// unknown token when the file has one, and drops them otherwise (HF's rule).
inline std::array<bool, 256> bpe_tokenless_bytes(const bpe_tokenizer& tok) {
    std::array<bool, 256> none{};
    for (unsigned b = 0; b < 256; ++b) {
        const std::string one(1, char(b));
        if (tok.model() == bpe_model::sentencepiece) {
            none[b] = !tok.token_to_id(bpe_byte_token_name(static_cast<unsigned char>(b))) && !tok.token_to_id(one);
            continue;
        }
        const std::string spelled = bytes_to_byte_level(one);
        if (tok.token_to_id(spelled)) continue;
        bool fallback = tok.spec().byte_fallback;
        for (const char c : spelled) fallback = fallback && tok.token_to_id(bpe_byte_token_name(static_cast<unsigned char>(c)));
        none[b] = !fallback;
    }
    return none;
}

// The bytes the encoder drops: the tokenless ones, when there is no unknown token.
inline std::array<bool, 256> bpe_dropped_bytes(const bpe_tokenizer& tok) {
    if (tok.spec().unk_id) return {};
    return bpe_tokenless_bytes(tok);
}

// Matches `bytes` at `pos` of `seen`, passing over dropped bytes before and inside it (the
// encoder joins the neighbours of a dropped byte: "!\x01?" can be one token "!?").
// Returns the span [begin, end) in `seen`, or nullopt.
inline std::optional<std::pair<std::size_t, std::size_t>> bpe_match_dropping(std::string_view seen, std::size_t pos,
                                                                             std::string_view bytes,
                                                                             const std::array<bool, 256>& dropped) {
    const auto is_dropped = [&](std::size_t p) { return dropped[static_cast<unsigned char>(seen[p])]; };
    while (!bytes.empty() && pos < seen.size() && is_dropped(pos) && seen[pos] != bytes.front()) ++pos;
    const std::size_t begin = pos;
    for (std::size_t j = 0; j < bytes.size();) {
        if (pos >= seen.size()) return std::nullopt;
        if (seen[pos] == bytes[j]) {
            ++pos;
            ++j;
        } else if (is_dropped(pos)) {
            ++pos;
        } else {
            return std::nullopt;
        }
    }
    return std::pair{begin, pos};
}

inline constexpr std::string_view bpe_space_mark = "\xE2\x96\x81";  // "▁", sentencepiece's space

// Sentencepiece mode: `t` with every ' ' written as "▁" (what the encoder saw), into `buf`.
inline std::string_view bpe_escape_spaces(std::string_view t, std::string& buf) {
    if (t.find(' ') == std::string_view::npos) return t;
    buf.clear();
    for (const char c : t) {
        if (c == ' ') buf.append(bpe_space_mark);
        else buf.push_back(c);
    }
    return buf;
}

}  // namespace detail

// Finds token offsets for one tokenizer; holds what it precomputes from the vocabulary (which
// bytes have no token), so make one per tokenizer and reuse it. Immutable: any number of
// threads may use one at once. It keeps a reference to the tokenizer, which must outlive it.
class bpe_offset_aligner {
public:
    explicit bpe_offset_aligner(const bpe_tokenizer& tok)
        : tok_(tok), tokenless_(detail::bpe_tokenless_bytes(tok)), dropped_(detail::bpe_dropped_bytes(tok)) {}

    // Byte offsets [begin, end) into `input` of each id of `ids`, which must be what
    // tok.encode(input, opt) returned (ids that do not fit the input: inconsistent error).
    std::vector<std::pair<std::size_t, std::size_t>> offsets(std::string_view input, std::span<const std::int32_t> ids,
                                                             const bpe_encode_options& opt = {}) const;

    // The whole encoding of `input` (encoding.hpp's columns; type ids 0; the prefix/suffix ids
    // are the special tokens, with sequence id -1 and offsets (0, 0)).
    encoding encode(std::string_view input, const bpe_encode_options& opt, bpe_workspace& ws) const;

private:
    const bpe_tokenizer& tok_;
    std::array<bool, 256> tokenless_, dropped_;
};

inline std::vector<std::pair<std::size_t, std::size_t>> bpe_offset_aligner::offsets(
    std::string_view input, std::span<const std::int32_t> ids, const bpe_encode_options& opt) const {
    const bpe_tokenizer& tok = tok_;
    const std::array<bool, 256>& tokenless = tokenless_;
    const std::array<bool, 256>& dropped = dropped_;
    const bpe_spec& spec = tok.spec();
    const bool spm = tok.model() == bpe_model::sentencepiece;
    // The text the encoder saw: byte-level mode replaces invalid UTF-8; sentencepiece keeps
    // it and writes spaces as "▁". Tokens are matched against it in their own form (the
    // bytes they stand for; in sentencepiece mode "▁" again for their spaces).
    std::string seen_buf;
    const bool replace = !spm && !is_valid_utf8(input);
    if (replace) seen_buf = sanitize_utf8(input);
    const std::string_view seen =
        replace ? std::string_view(seen_buf) : spm ? detail::bpe_escape_spaces(input, seen_buf) : input;
    std::string token_buf;
    const auto token_seen = [&](std::int32_t id, std::string& buf) {
        const std::string_view b = tok.token_bytes(id);
        return spm && tok.kind(id) != token_kind::byte ? detail::bpe_escape_spaces(b, buf) : b;
    };

    std::size_t first = 0, last = ids.size();
    if (opt.add_special_tokens) {
        const std::size_t pre = spec.prefix_ids.size(), suf = spec.suffix_ids.size();
        require(ids.size() >= pre + suf, error_kind::inconsistent,
                "token offsets: fewer ids than the tokens the tokenizer adds");
        first = pre;
        last = ids.size() - suf;
    }
    const auto mismatch = [&](std::size_t i) {
        return error(error_kind::inconsistent, "token offsets: id " + std::to_string(ids[i]) + " at " +
                                                   std::to_string(i) + " does not fit the input");
    };

    std::vector<std::pair<std::size_t, std::size_t>> out(ids.size(), {0, 0});
    detail::bpe_unit_cursor begins(input, replace, spm), ends(input, replace, spm);
    const auto assign = [&](std::size_t i, std::size_t b, std::size_t e) {
        const std::size_t ib = begins.start_of(b);
        out[i] = {ib, e > b ? ends.end_of(e - 1) : ib};
    };
    // Sentencepiece with add_space_prefix: the encoder put a "▁" of its own before each
    // fragment; `mark_left` is how many of its bytes the tokens so far have not covered
    // (a token may hold it whole, "▁Hello", or byte tokens may spell it).
    const bool prefix_marks = spm && spec.add_space_prefix;
    std::size_t mark_left = 0;
    std::size_t pos = 0;  // in `seen`: where the previous token ended
    // Matches as much of `bytes` as the encoder's own mark holds, then the rest at `pos`.
    const auto match_after_mark = [&](std::size_t i, std::string_view bytes) {
        const std::string_view mark = detail::bpe_space_mark.substr(mark_left ? 3 - mark_left : 0);
        std::size_t k = 0;
        while (k < bytes.size() && k < mark.size() && bytes[k] == mark[k]) ++k;
        if (k == 0 || (k < bytes.size() && k < mark.size())) return false;
        if (k == bytes.size()) {  // the token lies inside the mark
            assign(i, pos, pos);
            mark_left = mark.size() - k;
            return true;
        }
        const auto m = detail::bpe_match_dropping(seen, pos, bytes.substr(k), dropped);
        if (!m) return false;
        assign(i, m->first, m->second);
        pos = m->second;
        mark_left = 0;
        return true;
    };
    for (std::size_t i = first; i < last; ++i) {
        const std::string_view bytes = token_seen(ids[i], token_buf);
        if (bytes.empty()) {
            assign(i, pos, pos);
        } else if (mark_left > 0) {  // the rest of the encoder's mark comes first
            if (!match_after_mark(i, bytes)) throw mismatch(i);
        } else if (const auto m = detail::bpe_match_dropping(seen, pos, bytes, dropped)) {
            assign(i, m->first, m->second);
            pos = m->second;
        } else if (prefix_marks && match_after_mark(i, bytes)) {
            // (a fragment's first token, holding the encoder's mark)
        } else if (const std::size_t k = detail::bpe_fallback_run(tok, ids, i, last, seen.substr(pos)); k > 0) {
            for (std::size_t j = 0; j < k; ++j) assign(i + j, pos, pos + 1);
            pos += 1;
            i += k - 1;
        } else if (spec.unk_id && ids[i] == *spec.unk_id && pos < seen.size() && tokenless[static_cast<unsigned char>(seen[pos])]) {
            // A tokenless byte, or with fuse_unk a run of them (one byte when the next token
            // is unknown too: the run was cut there, at a pre-token boundary).
            std::size_t e = pos + 1;
            const bool run = spec.fuse_unk && !(i + 1 < last && ids[i + 1] == *spec.unk_id);
            while (run && e < seen.size() && tokenless[static_cast<unsigned char>(seen[e])]) ++e;
            assign(i, pos, e);
            pos = e;
        } else {
            throw mismatch(i);
        }
    }
    return out;
}

inline encoding bpe_offset_aligner::encode(std::string_view input, const bpe_encode_options& opt,
                                          bpe_workspace& ws) const {
    encoding e;
    tok_.encode(input, opt, ws, e.ids);
    e.offsets = offsets(input, e.ids, opt);
    const std::size_t n = e.ids.size();
    const std::size_t pre = opt.add_special_tokens ? tok_.spec().prefix_ids.size() : 0;
    const std::size_t suf = opt.add_special_tokens ? tok_.spec().suffix_ids.size() : 0;
    e.type_ids.assign(n, 0);
    e.attention_mask.assign(n, 1);
    e.special_tokens_mask.assign(n, 0);
    e.sequence_ids.assign(n, 0);
    for (std::size_t i = 0; i < n; ++i)
        if (i < pre || i >= n - suf) {
            e.special_tokens_mask[i] = 1;
            e.sequence_ids[i] = -1;
        }
    return e;
}

// One-off conveniences (each builds an aligner: a few hundred vocabulary lookups).
inline std::vector<std::pair<std::size_t, std::size_t>> bpe_token_offsets(const bpe_tokenizer& tok,
                                                                          std::string_view input,
                                                                          std::span<const std::int32_t> ids,
                                                                          const bpe_encode_options& opt = {}) {
    return bpe_offset_aligner(tok).offsets(input, ids, opt);
}
inline encoding bpe_encode_full(const bpe_tokenizer& tok, std::string_view input, const bpe_encode_options& opt,
                                bpe_workspace& ws) {
    return bpe_offset_aligner(tok).encode(input, opt, ws);
}
inline encoding bpe_encode_full(const bpe_tokenizer& tok, std::string_view input, const bpe_encode_options& opt = {}) {
    bpe_workspace ws;
    return bpe_encode_full(tok, input, opt, ws);
}

}  // namespace tessera::text
