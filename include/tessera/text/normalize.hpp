#pragma once
// Unicode normalization forms (UAX #15) and the case/accent transforms tokenizers use.
//
//   nfd / nfkd: full canonical / compatibility decomposition + canonical ordering.
//   nfc / nfkc: the above, then canonical composition (primary composites only).
//   lowercase_full: Rust's char::to_lowercase per character (simple mapping, except
//                   U+0130 -> "i\u0307", the one unconditional multi-character lowercase).
//   strip_accents_bert: NFD, then drop non-spacing marks (HF BertNormalizer).
//
// All take UTF-8 and return UTF-8; invalid input bytes become U+FFFD first (utf8.hpp).
// Decompositions are precomputed fully expanded in unicode_tables.hpp; Hangul syllables
// are decomposed and composed arithmetically (Unicode §3.12).
//
// Canonical ordering buffers one run of non-starters (combining class != 0) and sorts it
// stably by class. A run of n marks costs O(n log n); runs are short in real text, and
// the tokenizers bound the words they look at.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/text/unicode.hpp"
#include "tessera/text/utf8.hpp"

namespace tessera::text {

namespace detail {

inline constexpr char32_t hangul_s_base = 0xAC00, hangul_l_base = 0x1100,
                          hangul_v_base = 0x1161, hangul_t_base = 0x11A7;
inline constexpr char32_t hangul_l_count = 19, hangul_v_count = 21, hangul_t_count = 28;
inline constexpr char32_t hangul_n_count = hangul_v_count * hangul_t_count;  // 588
inline constexpr char32_t hangul_s_count = hangul_l_count * hangul_n_count;  // 11172

template <std::size_t N>
inline const decomposition_entry* find_decomposition(const decomposition_entry (&table)[N],
                                                     char32_t cp) noexcept {
    const auto* it = std::lower_bound(std::begin(table), std::end(table), cp,
                                      [](const decomposition_entry& e, char32_t c) { return e.cp < c; });
    return (it != std::end(table) && it->cp == cp) ? it : nullptr;
}

}  // namespace detail

// Calls emit(c) for each code point of the full canonical (or, with `compat`, compatibility)
// decomposition of cp, in table order (not yet canonically ordered across characters).
template <class Emit>
inline void decompose(char32_t cp, bool compat, Emit&& emit) {
    using namespace detail;
    if (cp < 0xC0) {  // nothing below U+00C0 decomposes canonically; A0 etc. compat-only
        if (!compat || cp < 0xA0) {
            emit(cp);
            return;
        }
    }
    if (cp >= hangul_s_base && cp < hangul_s_base + hangul_s_count) {
        const char32_t s = cp - hangul_s_base;
        emit(hangul_l_base + s / hangul_n_count);
        emit(hangul_v_base + (s % hangul_n_count) / hangul_t_count);
        if (s % hangul_t_count != 0) emit(hangul_t_base + s % hangul_t_count);
        return;
    }
    const decomposition_entry* e =
        compat ? find_decomposition(compat_decomp, cp) : find_decomposition(canonical_decomp, cp);
    if (!e) {
        emit(cp);
        return;
    }
    const char32_t* pool = compat ? compat_pool : canonical_pool;
    for (std::size_t i = 0; i < e->length; ++i) emit(pool[e->offset + i]);
}

// Primary composite of (first, second), or 0 when they do not compose.
inline char32_t compose_pair(char32_t first, char32_t second) noexcept {
    using namespace detail;
    // Hangul LV and LVT.
    if (first >= hangul_l_base && first < hangul_l_base + hangul_l_count && second >= hangul_v_base &&
        second < hangul_v_base + hangul_v_count)
        return hangul_s_base +
               ((first - hangul_l_base) * hangul_v_count + (second - hangul_v_base)) * hangul_t_count;
    if (first >= hangul_s_base && first < hangul_s_base + hangul_s_count &&
        (first - hangul_s_base) % hangul_t_count == 0 && second > hangul_t_base &&
        second < hangul_t_base + hangul_t_count)
        return first + (second - hangul_t_base);
    if (first > 0x1FFFFF || second > 0x1FFFFF) return 0;
    const std::uint64_t key = (std::uint64_t(first) << 21) | second;
    const auto* it = std::lower_bound(std::begin(composition_keys), std::end(composition_keys), key);
    if (it == std::end(composition_keys) || *it != key) return 0;
    return composition_values[it - std::begin(composition_keys)];
}

// Canonical ordering: stable sort of each run of non-starters by combining class.
inline void canonical_order(std::span<char32_t> cps) {
    std::size_t i = 0;
    while (i < cps.size()) {
        if (combining_class(cps[i]) == 0) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < cps.size() && combining_class(cps[j]) != 0) ++j;
        if (j - i > 1)
            std::stable_sort(cps.begin() + i, cps.begin() + j, [](char32_t a, char32_t b) {
                return combining_class(a) < combining_class(b);
            });
        i = j;
    }
}

// Canonical composition (UAX #15 §1.3, D117) in place; returns the new length. A
// character c composes with the last starter S unless blocked: some character between
// them has class 0 or a class >= c's. `last_class` is the class of the last character
// kept after S (0 right after S; 256 when the text starts with a non-starter, so
// nothing composes until the first starter).
inline std::size_t canonical_compose(std::span<char32_t> cps) {
    if (cps.empty()) return 0;
    std::size_t starter = 0;
    int last_class = combining_class(cps[0]) == 0 ? 0 : 256;
    std::size_t out = 1;
    for (std::size_t i = 1; i < cps.size(); ++i) {
        const char32_t c = cps[i];
        const int cc = combining_class(c);
        if (last_class < cc || last_class == 0) {
            // last_class == 0 with out - 1 != starter means a starter that did not
            // compose is in between; it became `starter` itself, so this stays correct.
            if (const char32_t comp = compose_pair(cps[starter], c); comp != 0) {
                cps[starter] = comp;
                continue;
            }
        }
        if (cc == 0) starter = out;
        last_class = cc;
        cps[out++] = c;
    }
    return out;
}

namespace detail {

inline std::u32string decode_all(std::string_view s) {
    std::u32string cps;
    cps.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const utf8_decoded d = decode_utf8(s, i);
        cps.push_back(d.cp);
        i += d.length;
    }
    return cps;
}

inline std::string encode_all(std::span<const char32_t> cps) {
    std::string out;
    out.reserve(cps.size());
    for (char32_t c : cps) append_utf8(out, c);
    return out;
}

inline std::u32string decompose_all(std::string_view s, bool compat) {
    std::u32string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const utf8_decoded d = decode_utf8(s, i);
        decompose(d.cp, compat, [&](char32_t c) { out.push_back(c); });
        i += d.length;
    }
    canonical_order(std::span<char32_t>(out.data(), out.size()));
    return out;
}

}  // namespace detail

inline std::string nfd(std::string_view s) {
    const auto cps = detail::decompose_all(s, false);
    return detail::encode_all(cps);
}

inline std::string nfkd(std::string_view s) {
    const auto cps = detail::decompose_all(s, true);
    return detail::encode_all(cps);
}

inline std::string nfc(std::string_view s) {
    auto cps = detail::decompose_all(s, false);
    cps.resize(canonical_compose(std::span<char32_t>(cps.data(), cps.size())));
    return detail::encode_all(cps);
}

inline std::string nfkc(std::string_view s) {
    auto cps = detail::decompose_all(s, true);
    cps.resize(canonical_compose(std::span<char32_t>(cps.data(), cps.size())));
    return detail::encode_all(cps);
}

// Rust's char::to_lowercase: the simple mapping, plus U+0130 LATIN CAPITAL LETTER I WITH
// DOT ABOVE -> "i" U+0307 (SpecialCasing.txt's only unconditional multi-character
// lowercase). Final sigma is context-dependent and, like Rust's per-char API, not applied.
template <class Emit>
inline void lowercase_full(char32_t cp, Emit&& emit) {
    if (cp == 0x130) {
        emit(U'i');
        emit(char32_t(0x307));
        return;
    }
    emit(to_lower(cp));
}

inline std::string lowercase(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const utf8_decoded d = decode_utf8(s, i);
        lowercase_full(d.cp, [&](char32_t c) { append_utf8(out, c); });
        i += d.length;
    }
    return out;
}

// HF BertNormalizer strip_accents: NFD, then remove Mn (in HF's Unicode 8.0 view).
inline std::string strip_accents_bert(std::string_view s) {
    const auto cps = detail::decompose_all(s, false);
    std::string out;
    out.reserve(s.size());
    for (char32_t c : cps)
        if (!hf_bert_is_nonspacing_mark(c)) append_utf8(out, c);
    return out;
}

}  // namespace tessera::text
