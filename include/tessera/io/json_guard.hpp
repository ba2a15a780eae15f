#pragma once
// Guards run on untrusted JSON text before nlohmann-json sees it, and a SAX driver that
// turns nlohmann's failures into tessera::error.
//
// Why a pre-scan: the nesting depth is bounded (limits.max_json_depth) by one linear pass
// that never recurses, so no parser or DOM destructor is ever handed 100k levels. The same
// pass rejects invalid UTF-8 up front (overlongs, surrogates, > U+10FFFF, truncated
// sequences) so the error names the byte instead of a parser state.
//
// Why SAX and not a DOM: nlohmann's object type silently keeps the last of two equal keys,
// and a DOM of a million tiny tensor entries costs hundreds of MB. The handlers that use
// `sax_parse_guarded` build exactly the structure they need and see every key, so they can
// report duplicates. nlohmann's SAX parser keeps its own state in a vector (no recursion).
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tessera/core/error.hpp"

namespace tessera::io {

// nlohmann::json's destructor is noexcept but allocates: it moves nested values onto a
// heap stack to destroy them without recursion, so a bad_alloc there calls std::terminate
// (tests/hostile/test_alloc_failure.cpp found it). dismantle() empties a document
// bottom-up without allocating — every container is empty by the time it is destroyed —
// so the destructor has nothing to flatten. Its recursion depth is the nesting depth,
// which the pre-scan below bounds (limits.max_json_depth).
template <class Json>
void dismantle(Json& j) noexcept {
    if (j.is_array()) {
        auto& a = j.template get_ref<typename Json::array_t&>();
        while (!a.empty()) {
            dismantle(a.back());
            a.pop_back();
        }
    } else if (j.is_object()) {
        auto& o = j.template get_ref<typename Json::object_t&>();
        while (!o.empty()) {
            auto last = std::prev(o.end());
            dismantle(last->second);
            o.erase(last);
        }
    }
}

// Dismantles a parsed document when the scope ends, normally or by an exception:
//   nlohmann::json doc = parse(...);
//   const io::dismantle_on_exit release(doc);
template <class Json>
class dismantle_on_exit {
public:
    explicit dismantle_on_exit(Json& j) noexcept : j_(j) {}
    dismantle_on_exit(const dismantle_on_exit&) = delete;
    dismantle_on_exit& operator=(const dismantle_on_exit&) = delete;
    ~dismantle_on_exit() { dismantle(j_); }

private:
    Json& j_;
};

// Offset of the first byte that does not start or continue a well-formed UTF-8 sequence
// (RFC 3629: no overlongs, no UTF-16 surrogates, nothing above U+10FFFF), or npos.
inline std::size_t find_invalid_utf8(std::string_view s) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned c = p[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len;
        unsigned lo = 0x80, hi = 0xbf;  // allowed range of the second byte
        if (c >= 0xc2 && c <= 0xdf) {
            len = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            if (c == 0xe0) lo = 0xa0;       // overlong
            else if (c == 0xed) hi = 0x9f;  // surrogates U+D800..U+DFFF
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            if (c == 0xf0) lo = 0x90;       // overlong
            else if (c == 0xf4) hi = 0x8f;  // above U+10FFFF
        } else {
            return i;  // continuation byte without a lead, 0xc0/0xc1 overlongs, 0xf5..0xff
        }
        if (n - i < len) return i;
        if (p[i + 1] < lo || p[i + 1] > hi) return i;
        for (std::size_t k = 2; k < len; ++k)
            if ((p[i + k] & 0xc0) != 0x80) return i;
        i += len;
    }
    return std::string_view::npos;
}

// Validates UTF-8 and bounds the nesting depth of `text` in one pass.
// `what` names the input in messages; `base_offset` is added to reported byte offsets
// (the position of `text` inside its file). Throws malformed (bad UTF-8) or too_large
// (deeper than max_depth). Brackets are counted outside strings only; on any prefix that
// is valid JSON the count equals the parser's stack depth, and the parser stops at the
// first invalid token, so the parser never goes deeper than this scan allowed.
inline void check_json_text(std::string_view text, std::uint32_t max_depth, const std::string& what,
                            std::uint64_t base_offset) {
    if (const std::size_t bad = find_invalid_utf8(text); bad != std::string_view::npos)
        throw error(error_kind::malformed, what + ": invalid UTF-8 at byte " + std::to_string(base_offset + bad));
    std::uint64_t depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') ++i;  // the escaped character cannot end the string
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > max_depth)
                throw error(error_kind::too_large, what + ": JSON nesting deeper than " + std::to_string(max_depth) +
                                                       " levels at byte " + std::to_string(base_offset + i));
        } else if ((c == '}' || c == ']') && depth > 0) {
            --depth;  // unbalanced closers are the parser's to report
        }
    }
}

// Base for SAX handlers: a handler records its first failure here and returns false, which
// stops nlohmann's parser; `sax_parse_guarded` then throws it. (Throwing through nlohmann's
// parser would also work, but returning false is the documented contract.)
struct sax_failure_slot {
    std::optional<error> failure;
    bool fail(error_kind kind, std::string message) {
        if (!failure) failure.emplace(kind, message);
        return false;
    }
};

// Runs check_json_text, then nlohmann's SAX parser (strict: nothing but whitespace may
// follow the value) with `handler`. A syntax error becomes `malformed` with the byte
// offset; a failure the handler recorded is rethrown as is.
// Handler must derive from sax_failure_slot and implement nlohmann's SAX interface.
template <class Handler>
void sax_parse_guarded(std::string_view text, Handler& handler, std::uint32_t max_depth, const std::string& what,
                       std::uint64_t base_offset) {
    check_json_text(text, max_depth, what, base_offset);
    const bool ok = nlohmann::json::sax_parse(text.data(), text.data() + text.size(), &handler);
    if (handler.failure) throw *handler.failure;
    if (!ok) throw error(error_kind::malformed, what + ": JSON parsing stopped without a reason");
}

// Formats nlohmann's parse error for a handler's parse_error callback.
inline std::string json_syntax_message(const std::string& what, std::uint64_t base_offset, std::size_t position,
                                       const nlohmann::json::exception& ex) {
    // nlohmann counts `position` in characters read, 1-based past the offending one.
    const std::uint64_t at = base_offset + (position > 0 ? position - 1 : 0);
    return what + ": not valid JSON near byte " + std::to_string(at) + " (" + ex.what() + ")";
}

}  // namespace tessera::io
