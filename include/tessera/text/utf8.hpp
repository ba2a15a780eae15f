#pragma once
// UTF-8 decoding and encoding with one policy for invalid bytes.
//
// Policy (the same everywhere in tessera): every *maximal subpart of an ill-formed
// subsequence* becomes one U+FFFD (Unicode 15 §3.9, "U+FFFD Substitution of Maximal
// Subparts"; the WHATWG Encoding standard, Python's `bytes.decode(errors="replace")` and
// Rust's `String::from_utf8_lossy`, which HF tokenizers uses, do the same). A maximal
// subpart is the longest prefix of a well-formed sequence that the bytes start with, or a
// single byte when none does. Examples:
//   F0 9F 98      (truncated 4-byte sequence)    -> one U+FFFD, 3 bytes
//   E0 80 80      (overlong)                     -> three U+FFFD (E0 then 80 cannot follow)
//   ED A0 80      (UTF-16 surrogate U+D800)      -> three U+FFFD
//   F4 90 80 80   (above U+10FFFF)               -> four U+FFFD
//   C0 AF / FF    (never valid)                  -> one U+FFFD per byte
//
// The well-formed ranges (Table 3-7):
//   lead     2nd      3rd/4th
//   C2..DF   80..BF
//   E0       A0..BF   80..BF
//   E1..EC   80..BF   80..BF
//   ED       80..9F   80..BF
//   EE..EF   80..BF   80..BF
//   F0       90..BF   80..BF 80..BF
//   F1..F3   80..BF   80..BF 80..BF
//   F4       80..8F   80..BF 80..BF
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tessera::text {

inline constexpr char32_t replacement_character = 0xFFFD;

// One decoded scalar value. `length` is the number of input bytes consumed (1..4); for an
// invalid subpart `cp` is U+FFFD, `valid` is false and `length` covers the whole subpart.
struct utf8_decoded {
    char32_t cp;
    std::uint8_t length;
    bool valid;
};

namespace detail {

// Expected sequence length for a lead byte (0 when the byte cannot start a sequence) and
// the allowed range of the second byte.
struct utf8_lead {
    std::uint8_t length;
    std::uint8_t lo;
    std::uint8_t hi;
};

constexpr utf8_lead utf8_lead_info(unsigned char c) noexcept {
    if (c < 0x80) return {1, 0, 0};
    if (c < 0xC2) return {0, 0, 0};  // continuation byte or overlong C0/C1
    if (c < 0xE0) return {2, 0x80, 0xBF};
    if (c == 0xE0) return {3, 0xA0, 0xBF};
    if (c == 0xED) return {3, 0x80, 0x9F};
    if (c < 0xF0) return {3, 0x80, 0xBF};
    if (c == 0xF0) return {4, 0x90, 0xBF};
    if (c < 0xF4) return {4, 0x80, 0xBF};
    if (c == 0xF4) return {4, 0x80, 0x8F};
    return {0, 0, 0};  // F5..FF
}

}  // namespace detail

// Decodes the scalar value starting at byte `pos`. Requires pos < s.size(); at or past the
// end it returns {0, 0, false} so a caller's loop cannot run forever on a bad position.
inline utf8_decoded decode_utf8(std::string_view s, std::size_t pos) noexcept {
    const std::size_t n = s.size();
    if (pos >= n) return {0, 0, false};
    const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + pos;
    const std::size_t avail = n - pos;
    const unsigned c = p[0];
    if (c < 0x80) return {char32_t(c), 1, true};
    const detail::utf8_lead lead = detail::utf8_lead_info(static_cast<unsigned char>(c));
    if (lead.length == 0) return {replacement_character, 1, false};
    // Second byte has a lead-specific range; the rest are plain continuations.
    if (avail < 2 || p[1] < lead.lo || p[1] > lead.hi) return {replacement_character, 1, false};
    if (lead.length == 2) return {char32_t(((c & 0x1F) << 6) | (p[1] & 0x3F)), 2, true};
    if (avail < 3 || (p[2] & 0xC0) != 0x80) return {replacement_character, 2, false};
    if (lead.length == 3)
        return {char32_t(((c & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F)), 3, true};
    if (avail < 4 || (p[3] & 0xC0) != 0x80) return {replacement_character, 3, false};
    return {char32_t(((c & 0x07) << 18) | ((p[1] & 0x3F) << 12) | ((p[2] & 0x3F) << 6) |
                     (p[3] & 0x3F)),
            4, true};
}

// Number of bytes UTF-8 needs for `cp` (surrogates and values above U+10FFFF are encoded
// as U+FFFD, so 3).
constexpr std::size_t utf8_length(char32_t cp) noexcept {
    if (cp < 0x80) return 1;
    if (cp < 0x800) return 2;
    if (cp < 0x10000) return 3;
    if (cp <= 0x10FFFF) return 4;
    return 3;
}

// Appends the UTF-8 encoding of `cp`. Surrogates and values above U+10FFFF are not scalar
// values and are written as U+FFFD, so the output is always valid UTF-8.
inline void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
        return;
    }
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = replacement_character;
    char buf[4];
    std::size_t len;
    if (cp < 0x800) {
        buf[0] = static_cast<char>(0xC0 | (cp >> 6));
        buf[1] = static_cast<char>(0x80 | (cp & 0x3F));
        len = 2;
    } else if (cp < 0x10000) {
        buf[0] = static_cast<char>(0xE0 | (cp >> 12));
        buf[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = static_cast<char>(0x80 | (cp & 0x3F));
        len = 3;
    } else {
        buf[0] = static_cast<char>(0xF0 | (cp >> 18));
        buf[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        buf[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        buf[3] = static_cast<char>(0x80 | (cp & 0x3F));
        len = 4;
    }
    out.append(buf, len);
}

// True when every byte belongs to a well-formed sequence.
inline bool is_valid_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n) {
        if (static_cast<unsigned char>(s[i]) < 0x80) {
            ++i;
            continue;
        }
        const utf8_decoded d = decode_utf8(s, i);
        if (!d.valid) return false;
        i += d.length;
    }
    return true;
}

// A copy of `s` with every maximal invalid subpart replaced by U+FFFD (valid input is
// returned unchanged). Output is at most 3x the input (one byte -> EF BF BD).
inline std::string sanitize_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n) {
        // Copy the longest valid run in one append.
        std::size_t j = i;
        utf8_decoded d{};
        while (j < n) {
            if (static_cast<unsigned char>(s[j]) < 0x80) {
                ++j;
                continue;
            }
            d = decode_utf8(s, j);
            if (!d.valid) break;
            j += d.length;
        }
        out.append(s.data() + i, j - i);
        if (j == n) break;
        append_utf8(out, replacement_character);
        i = j + d.length;
    }
    return out;
}

// Length of the longest prefix of `s` that does not end inside an incomplete (truncated by
// the end of `s`, otherwise well-formed so far) multi-byte sequence. A streaming decoder
// emits this prefix and keeps the rest until more bytes arrive. Invalid bytes count as
// complete: they are already final U+FFFD replacements.
inline std::size_t utf8_complete_prefix(std::string_view s) noexcept {
    const std::size_t n = s.size();
    // An incomplete tail is at most 3 bytes: a lead byte plus up to 2 continuations.
    const std::size_t lowest = n > 3 ? n - 3 : 0;
    for (std::size_t start = n; start > lowest;) {
        --start;
        const auto c = static_cast<unsigned char>(s[start]);
        if ((c & 0xC0) == 0x80) continue;  // continuation: keep looking for the lead
        const detail::utf8_lead lead = detail::utf8_lead_info(c);
        if (lead.length <= 1 || start + lead.length <= n) return n;  // ASCII, invalid or complete
        // The lead promises more bytes than remain; the tail is incomplete only if the bytes
        // present are a valid prefix (otherwise they are invalid subparts, already final).
        const utf8_decoded d = decode_utf8(s, start);
        return (start + d.length == n) ? start : n;
    }
    return n;
}

// Number of scalar values (invalid subparts count as one each, like U+FFFD).
inline std::size_t utf8_count(std::string_view s) noexcept {
    std::size_t count = 0;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        i += c < 0x80 ? 1 : decode_utf8(s, i).length;
        ++count;
    }
    return count;
}

}  // namespace tessera::text
