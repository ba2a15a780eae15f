#pragma once
// Pre-tokenizers of byte-level BPE models, as hand-written linear-time scanners over
// Unicode categories (no regex engine). Each cuts text into pieces; BPE then runs on each
// piece on its own. The scanners reproduce, split for split, what HF `tokenizers`
// (Oniguruma regexes, leftmost alternative wins, greedy quantifiers) does with:
//
//   gpt2    ByteLevel(use_regex=true), the GPT-2 pattern
//             's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//   smollm  Sequence[Digits(individual_digits=true), ByteLevel(use_regex=true)]: every \p{N}
//           character is a piece of its own, and the GPT-2 pattern runs on each stretch
//           between digits, which ends there as if it were the end of the text (SmolLM,
//           StarCoder; llama.cpp's "smollm"/"starcoder"/"refact" pre-tokenizers)
//   llama3  Split(pattern, Isolated) with the Llama-3 pattern
//             (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}
//             | ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//   qwen2   the same with \p{N} instead of \p{N}{1,3} (Qwen2/2.5)
//
// Classes: L = letter (general category L*), N = number (N*), S = \s (the Unicode
// White_Space property, which is what Oniguruma's \s matches), O = anything else
// (punctuation, symbols, marks, controls, U+FFFD).
//
// How the whitespace alternatives resolve, since they are the subtle part: at a run of S
// characters, `\s+(?!\S)` takes the whole run when it reaches the end of the text (or of
// the digit-free stretch), otherwise the run minus its last character (which then starts
// the next piece, as the optional space of ` ?\p{L}+` or, in llama3, as the optional
// prefix character); a single S character followed by a non-S falls through to `\s+` and
// is a piece alone. llama3's `\s*[\r\n]+` first takes the run up to and including its last
// CR or LF. Case-insensitive contractions (llama3) also accept U+017F LATIN SMALL LETTER
// LONG S for 's', because Unicode case folding maps it to 's' and Oniguruma folds.
//
// Each scanner looks at most a fixed number of characters past the piece it emits, so the
// whole text is scanned in O(n). The text is expected to be valid UTF-8 (tokenizers
// sanitize first); an invalid byte is treated as one O character, never read past the end.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tessera/core/error.hpp"
#include "tessera/text/unicode.hpp"
#include "tessera/text/utf8.hpp"

namespace tessera::text {

enum class pretokenizer_kind : std::uint8_t { gpt2, smollm, llama3, qwen2 };

constexpr std::string_view to_string(pretokenizer_kind k) noexcept {
    switch (k) {
    case pretokenizer_kind::gpt2: return "gpt2";
    case pretokenizer_kind::smollm: return "smollm";
    case pretokenizer_kind::llama3: return "llama3";
    case pretokenizer_kind::qwen2: return "qwen2";
    }
    return "unknown";
}

namespace detail {

enum class char_class : std::uint8_t { letter, number, space, other };

// ASCII classes without a table lookup into the Unicode data (the common case).
constexpr char_class ascii_class(unsigned c) noexcept {
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return char_class::letter;
    if (c >= '0' && c <= '9') return char_class::number;
    if (c == ' ' || (c >= 0x09 && c <= 0x0D)) return char_class::space;
    return char_class::other;
}

// One category lookup per non-ASCII character (White_Space characters are all Z* or Cc).
inline char_class classify(char32_t cp) noexcept {
    if (cp < 0x80) return ascii_class(static_cast<unsigned>(cp));
    if (is_unicode_whitespace(cp)) return char_class::space;
    const general_category g = category(cp);
    if (g <= general_category::Lo) return char_class::letter;
    if (g >= general_category::Nd && g <= general_category::No) return char_class::number;
    return char_class::other;
}

// One character of the text: its class, code point and byte length (0 at the end).
struct scanned_char {
    char_class cls;
    char32_t cp;
    std::uint32_t len;
};

// Reads the character at byte `pos` of text[0, end). Invalid bytes read as U+FFFD (O).
inline scanned_char char_at(std::string_view text, std::size_t pos, std::size_t end) noexcept {
    if (pos >= end) return {char_class::other, 0, 0};
    const auto c = static_cast<unsigned char>(text[pos]);
    if (c < 0x80) return {ascii_class(c), c, 1};
    const utf8_decoded d = decode_utf8(text.substr(0, end), pos);
    const char32_t cp = d.valid ? d.cp : replacement_character;
    return {classify(cp), cp, d.length};
}

// Byte position after the run of characters of class `cls` starting at `pos`.
inline std::size_t run_end(std::string_view text, std::size_t pos, std::size_t end, char_class cls) noexcept {
    while (pos < end) {
        const auto c = static_cast<unsigned char>(text[pos]);
        if (c < 0x80) {  // ASCII without decoding
            if (ascii_class(c) != cls) break;
            ++pos;
            continue;
        }
        const scanned_char ch = char_at(text, pos, end);
        if (ch.cls != cls) break;
        pos += ch.len;
    }
    return pos;
}

// Length of a contraction ('s 't 'm 'd 're 've 'll) starting at `pos` (which holds '),
// or 0. `fold` makes it case-insensitive (llama3).
inline std::size_t contraction_length(std::string_view text, std::size_t pos, std::size_t end, bool fold) noexcept {
    const auto lower = [&](std::size_t i) -> char32_t {
        if (i >= end) return 0;
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) return fold && c >= 'A' && c <= 'Z' ? c + 0x20 : c;
        return 0;
    };
    const char32_t a = lower(pos + 1);
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
    // U+017F (UTF-8 C5 BF) folds to 's'.
    if (fold && pos + 2 < end && static_cast<unsigned char>(text[pos + 1]) == 0xC5 &&
        static_cast<unsigned char>(text[pos + 2]) == 0xBF)
        return 3;
    const char32_t b = lower(pos + 2);
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
    return 0;
}

// The end of the `\s+(?!\S)|\s+` match for a whitespace run [pos, run) whose last
// character starts at `last`: all of it at the end of the text, else all but the last
// character, else (a single character) that character.
constexpr std::size_t whitespace_piece_end(std::size_t pos, std::size_t last, std::size_t run, std::size_t end) noexcept {
    if (run == end) return run;
    return last > pos ? last : run;
}

// Start of the last character of the whitespace run [pos, run) (run > pos).
inline std::size_t last_char_start(std::string_view text, std::size_t pos, std::size_t run) noexcept {
    std::size_t last = run - 1;
    while (last > pos && (static_cast<unsigned char>(text[last]) & 0xC0) == 0x80) --last;
    return last;
}

// The GPT-2 pattern over text[begin, end); `end` acts as the end of the text.
template <class Emit>
void scan_gpt2(std::string_view text, std::size_t begin, std::size_t end, Emit& emit) {
    std::size_t pos = begin;
    while (pos < end) {
        const scanned_char c = char_at(text, pos, end);
        if (c.cp == '\'') {
            if (const std::size_t n = contraction_length(text, pos, end, false)) {
                emit(pos, pos + n);
                pos += n;
                continue;
            }
        }
        // ` ?\p{L}+ | ?\p{N}+ | ?[^\s\p{L}\p{N}]+`: an optional U+0020, then a run of one class.
        std::size_t q = pos;
        scanned_char k = c;
        if (c.cp == ' ') {
            q = pos + 1;
            k = char_at(text, q, end);
        }
        if (k.len != 0 && k.cls != char_class::space) {
            const std::size_t e = run_end(text, q, end, k.cls);
            emit(pos, e);
            pos = e;
            continue;
        }
        // Whitespace (c is S here: a space followed by S or the end, or another S).
        const std::size_t run = run_end(text, pos, end, char_class::space);
        const std::size_t e = whitespace_piece_end(pos, last_char_start(text, pos, run), run, end);
        emit(pos, e);
        pos = e;
    }
}

// The Llama-3 / Qwen2 pattern over text[begin, end); `max_digits` is 3 or 1.
template <class Emit>
void scan_llama3(std::string_view text, std::size_t begin, std::size_t end, std::size_t max_digits, Emit& emit) {
    std::size_t pos = begin;
    while (pos < end) {
        const scanned_char c = char_at(text, pos, end);
        // (?i:'s|'t|'re|'ve|'m|'ll|'d)
        if (c.cp == '\'') {
            if (const std::size_t n = contraction_length(text, pos, end, true)) {
                emit(pos, pos + n);
                pos += n;
                continue;
            }
        }
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if (c.cls == char_class::letter) {
            const std::size_t e = run_end(text, pos, end, char_class::letter);
            emit(pos, e);
            pos = e;
            continue;
        }
        if (c.cls != char_class::number && c.cp != '\r' && c.cp != '\n') {
            const scanned_char next = char_at(text, pos + c.len, end);
            if (next.len != 0 && next.cls == char_class::letter) {
                const std::size_t e = run_end(text, pos + c.len, end, char_class::letter);
                emit(pos, e);
                pos = e;
                continue;
            }
        }
        // \p{N}{1,max_digits}
        if (c.cls == char_class::number) {
            std::size_t e = pos;
            for (std::size_t n = 0; n < max_digits; ++n) {
                const scanned_char d = char_at(text, e, end);
                if (d.len == 0 || d.cls != char_class::number) break;
                e += d.len;
            }
            emit(pos, e);
            pos = e;
            continue;
        }
        // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
        {
            std::size_t q = pos;
            scanned_char k = c;
            if (c.cp == ' ') {
                q = pos + 1;
                k = char_at(text, q, end);
            }
            if (k.len != 0 && k.cls == char_class::other) {
                std::size_t e = run_end(text, q, end, char_class::other);
                while (e < end && (text[e] == '\r' || text[e] == '\n')) ++e;
                emit(pos, e);
                pos = e;
                continue;
            }
        }
        // c is whitespace here. `\s*[\r\n]+`: up to and including the run's last CR/LF.
        const std::size_t run = run_end(text, pos, end, char_class::space);
        std::size_t last_newline = run;
        for (std::size_t i = run; i > pos;) {
            --i;
            if (text[i] == '\r' || text[i] == '\n') {
                last_newline = i;
                break;
            }
        }
        if (last_newline != run) {
            emit(pos, last_newline + 1);
            pos = last_newline + 1;
            continue;
        }
        // `\s+(?!\S)|\s+`
        const std::size_t e = whitespace_piece_end(pos, last_char_start(text, pos, run), run, end);
        emit(pos, e);
        pos = e;
    }
}

}  // namespace detail

// Calls emit(begin, end) with the byte range of each piece of `text`, in order; the pieces
// cover the text exactly. Linear in the text length; allocates nothing.
template <class Emit>
void pretokenize(pretokenizer_kind kind, std::string_view text, Emit&& emit) {
    const std::size_t n = text.size();
    switch (kind) {
    case pretokenizer_kind::gpt2: detail::scan_gpt2(text, 0, n, emit); return;
    case pretokenizer_kind::llama3: detail::scan_llama3(text, 0, n, 3, emit); return;
    case pretokenizer_kind::qwen2: detail::scan_llama3(text, 0, n, 1, emit); return;
    case pretokenizer_kind::smollm: {
        // Digits(individual_digits): each number character alone; GPT-2 on the stretches between.
        std::size_t stretch = 0;
        for (std::size_t pos = 0; pos < n;) {
            const auto byte = static_cast<unsigned char>(text[pos]);
            if (byte < 0x80 && (byte < '0' || byte > '9')) {  // ASCII non-digit: nothing to do
                ++pos;
                continue;
            }
            const detail::scanned_char c = detail::char_at(text, pos, n);
            if (c.cls == detail::char_class::number) {
                if (stretch < pos) detail::scan_gpt2(text, stretch, pos, emit);
                emit(pos, pos + c.len);
                stretch = pos + c.len;
            }
            pos += c.len;
        }
        if (stretch < n) detail::scan_gpt2(text, stretch, n, emit);
        return;
    }
    }
}

// The pre-tokenizer llama.cpp's `tokenizer.ggml.pre` names, for the names whose pattern
// is one of the four above; unsupported (naming it) otherwise.
inline pretokenizer_kind pretokenizer_from_gguf_name(std::string_view name) {
    if (name == "gpt-2" || name == "gpt2" || name == "olmo" || name == "mpt" || name == "jais")
        return pretokenizer_kind::gpt2;
    if (name == "smollm" || name == "starcoder" || name == "refact" || name == "command-r" ||
        name == "codeshell" || name == "exaone" || name == "minerva-7b")
        return pretokenizer_kind::smollm;
    if (name == "llama3" || name == "llama-v3" || name == "llama-bpe" || name == "falcon3" || name == "smaug-bpe" ||
        name == "dbrx")
        return pretokenizer_kind::llama3;
    if (name == "qwen2" || name == "stablelm2" || name == "deepseek-r1-qwen")
        return pretokenizer_kind::qwen2;
    throw error(error_kind::unsupported, "BPE pre-tokenizer '" + std::string(name) +
                                             "' is not supported (known: gpt2, smollm/starcoder, llama3, qwen2)");
}

}  // namespace tessera::text
