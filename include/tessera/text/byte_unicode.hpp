#pragma once
// GPT-2's byte <-> unicode map, used by every byte-level BPE vocabulary (GPT-2, SmolLM,
// Llama-3, Qwen): vocabulary and merges files spell each byte as one printable character
// so that tokens never contain spaces or control characters.
//
// The map: the 188 bytes that are already printable Latin-1 characters stand for
// themselves (0x21..0x7E '!'..'~', 0xA1..0xAC, 0xAE..0xFF); the other 68 bytes
// (0x00..0x20, 0x7F..0xA0, 0xAD), taken in increasing order, become U+0100, U+0101, ...
// U+0143. So the space 0x20 is U+0120 'Ġ' and the newline 0x0A is U+010A 'Ċ'. Every
// mapped character is below U+0144, i.e. one or two bytes of UTF-8.
//
// A vocabulary token is turned back into bytes character by character; a token holding a
// character outside the map (an added token like "<think>" is fine, "中" is not) is not a
// byte-level spelling, and callers keep its plain UTF-8 instead (as HF's ByteLevel decoder
// does).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tessera::text {

namespace detail {

constexpr bool byte_is_self_printable(unsigned b) noexcept {
    return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

constexpr std::array<char32_t, 256> make_byte_to_unicode() noexcept {
    std::array<char32_t, 256> map{};
    char32_t next = 0x100;
    for (unsigned b = 0; b < 256; ++b) map[b] = byte_is_self_printable(b) ? char32_t(b) : next++;
    return map;
}

// Inverse over U+0000..U+0143; -1 where a code point is not in the map.
constexpr std::array<std::int16_t, 0x144> make_unicode_to_byte() noexcept {
    std::array<std::int16_t, 0x144> inv{};
    for (auto& v : inv) v = -1;
    const auto fwd = make_byte_to_unicode();
    for (unsigned b = 0; b < 256; ++b) inv[fwd[b]] = static_cast<std::int16_t>(b);
    return inv;
}

inline constexpr std::array<char32_t, 256> byte_to_unicode_table = make_byte_to_unicode();
inline constexpr std::array<std::int16_t, 0x144> unicode_to_byte_table = make_unicode_to_byte();

}  // namespace detail

// The character that spells byte `b` in a byte-level vocabulary.
constexpr char32_t byte_to_unicode(std::uint8_t b) noexcept { return detail::byte_to_unicode_table[b]; }

// The byte a character spells, or -1 when `cp` is not one of the 256 mapped characters.
constexpr int unicode_to_byte(char32_t cp) noexcept {
    return cp < detail::unicode_to_byte_table.size() ? detail::unicode_to_byte_table[cp] : -1;
}

// The byte-level spelling of raw bytes: "a b" -> "aĠb". Output is valid UTF-8.
inline std::string bytes_to_byte_level(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes) {
        const char32_t cp = byte_to_unicode(static_cast<std::uint8_t>(c));
        if (cp < 0x80) {
            out.push_back(static_cast<char>(cp));
        } else {  // all mapped characters are below U+0800: two UTF-8 bytes
            out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
    }
    return out;
}

// The raw bytes a byte-level spelling stands for, or nullopt when `text` holds anything
// that is not a mapped character (another character, or bytes that are not UTF-8).
inline std::optional<std::string> byte_level_to_bytes(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto c0 = static_cast<unsigned char>(text[i]);
        char32_t cp;
        if (c0 < 0x80) {
            cp = c0;
            i += 1;
        } else if (c0 >= 0xC2 && c0 <= 0xDF && i + 1 < text.size() &&
                   (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80) {
            cp = char32_t(((c0 & 0x1F) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3F));
            i += 2;
        } else {
            return std::nullopt;  // 3- and 4-byte characters are never mapped characters
        }
        const int b = unicode_to_byte(cp);
        if (b < 0) return std::nullopt;
        out.push_back(static_cast<char>(b));
    }
    return out;
}

}  // namespace tessera::text
