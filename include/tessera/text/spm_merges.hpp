#pragma once
// SentencePiece-style BPE by scores: the merge loop of llama.cpp's llm_tokenizer_spm (GGUF
// tokenizer.ggml.model = "llama": Llama 1/2, Mistral, Gemma), which text/bpe.hpp runs for
// such vocabularies. Token ids are identical to llama.cpp's, corner cases included.
//
// One text fragment (the caller has already cut out added tokens, prepended the optional
// space and replaced every ' ' by "▁", U+2581):
//   1. Symbols are UTF-8 characters as llama.cpp cuts them: the length comes from the lead
//      byte alone (0xxx → 1, 110x → 2, 1110 → 3, 11110 → 4; continuation bytes → 1), clamped
//      to the end of the text. Invalid UTF-8 is not replaced: its bytes travel as they are
//      and come out as byte tokens (lossless; the vocabulary has all 256 "<0xXX>").
//   2. Every adjacent pair whose concatenation is a vocabulary entry (of any type, as
//      llama.cpp's text_to_token) is a candidate with that entry's score.
//   3. Repeatedly take the candidate with the highest score, ties to the leftmost left
//      symbol; skip it when either symbol has changed since it was queued (a stale entry:
//      the two lengths no longer add up to the candidate's); otherwise merge the right symbol
//      into the left and queue the pairs the merged symbol forms with its neighbours.
//   4. Each final symbol is its token when the vocabulary has it, else its bytes, each as
//      the "<0xXX>" byte token (or, failing that, the one-byte token; llama.cpp's fallback).
//      (llama.cpp's resegment also consults a map of merges, but it is only reached for
//      symbols that are not tokens, which no merge produced, so it never applies.)
// O(n log n) for n characters. Memory: 16 bytes per character plus 16 per queued candidate
// (at most n − 1 initial ones and 2 per merge, so < 3n), reused across calls through the
// scratch. As in llama.cpp, a fragment is never cut: there is no pre-tokenizer to bound it, so
// callers that accept huge inputs bound them (about 64 bytes of scratch per input byte for
// ASCII, 22 for CJK).
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace tessera::text {

struct spm_merge_scratch {
    struct symbol {
        std::uint32_t off = 0, n = 0;   // bytes [off, off + n) of the text; n = 0: merged away
        std::int32_t prev = -1, next = -1;
    };
    struct candidate {
        float score = 0;
        std::int32_t left = 0, right = 0;
        std::uint32_t size = 0;  // bytes of the pair when it was queued
    };
    std::vector<symbol> symbols;
    std::vector<candidate> heap;
};

namespace detail {

// llama.cpp's unicode_len_utf8: the sequence length a lead byte announces (1 for the others).
constexpr std::uint32_t spm_utf8_len(unsigned char lead) noexcept {
    constexpr std::uint8_t lookup[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
    return lookup[lead >> 4];
}

// Heap order of std::priority_queue<candidate, ..., llama.cpp's comparator>: the top is the
// highest score, and among equal scores the smallest left index.
struct spm_candidate_less {
    bool operator()(const spm_merge_scratch::candidate& l, const spm_merge_scratch::candidate& r) const noexcept {
        return l.score < r.score || (l.score == r.score && l.left > r.left);
    }
};

}  // namespace detail

// Appends the ids of `text` to `out`. `lookup(std::string_view) -> std::int32_t` gives the id
// of a vocabulary entry or -1; `scores[id]` its score; `byte_tokens[b]` the token for byte b
// (-1: none, the byte is dropped; callers make sure every byte has one).
template <class Lookup>
void spm_merge(std::string_view text, const Lookup& lookup, std::span<const float> scores,
               const std::array<std::int32_t, 256>& byte_tokens, spm_merge_scratch& s, std::vector<std::int32_t>& out) {
    auto& sym = s.symbols;
    auto& heap = s.heap;
    sym.clear();
    heap.clear();
    if (text.empty()) return;
    for (std::size_t off = 0; off < text.size();) {
        const std::uint32_t n = std::uint32_t(std::min<std::size_t>(detail::spm_utf8_len(static_cast<unsigned char>(text[off])),
                                                                    text.size() - off));
        const auto i = std::int32_t(sym.size());
        sym.push_back({std::uint32_t(off), n, i - 1, off + n == text.size() ? -1 : i + 1});
        off += n;
    }
    const detail::spm_candidate_less less;
    const auto try_add = [&](std::int32_t left, std::int32_t right) {
        if (left < 0 || right < 0) return;
        const auto& l = sym[std::size_t(left)];
        const auto& r = sym[std::size_t(right)];
        const std::uint32_t size = l.n + r.n;  // adjacent symbols: one contiguous range
        const std::int32_t id = lookup(text.substr(l.off, size));
        if (id < 0 || std::size_t(id) >= scores.size()) return;
        heap.push_back({scores[std::size_t(id)], left, right, size});
        std::push_heap(heap.begin(), heap.end(), less);
    };
    for (std::size_t i = 1; i < sym.size(); ++i) try_add(std::int32_t(i - 1), std::int32_t(i));
    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), less);
        const auto c = heap.back();
        heap.pop_back();
        auto& l = sym[std::size_t(c.left)];
        auto& r = sym[std::size_t(c.right)];
        if (l.n == 0 || r.n == 0 || l.n + r.n != c.size) continue;  // stale
        l.n += r.n;
        r.n = 0;
        l.next = r.next;
        if (r.next >= 0) sym[std::size_t(r.next)].prev = c.left;
        try_add(l.prev, c.left);
        try_add(c.left, l.next);
    }
    for (std::int32_t i = 0; i != -1; i = sym[std::size_t(i)].next) {
        const auto& x = sym[std::size_t(i)];
        const std::string_view piece = text.substr(x.off, x.n);
        const std::int32_t id = lookup(piece);
        if (id >= 0) {
            out.push_back(id);
            continue;
        }
        for (const char ch : piece) {
            const std::int32_t b = byte_tokens[static_cast<unsigned char>(ch)];
            if (b >= 0) out.push_back(b);
        }
    }
}

}  // namespace tessera::text
