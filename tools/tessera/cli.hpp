#pragma once
// Shared pieces of the `tessera` command-line tool: exit codes, the one-line error format,
// and text escaping for names that come from untrusted files.
//
// Exit codes (every subcommand):
//   0  success
//   1  usage error (usage on stderr)
//   2  the input is invalid: one line on stderr, "tessera <cmd>: <input>: <kind>: <message>"
//   3  an internal error (anything that is not a tessera::error); always a bug
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/error.hpp"

namespace tessera::cli {

inline constexpr int exit_ok = 0, exit_usage = 1, exit_invalid = 2, exit_internal = 3;

using args = std::vector<std::string>;

// Printable ASCII and valid-looking UTF-8 bytes pass; control bytes (newlines included) are
// written as \xNN, so a hostile tensor name can never split the error line or the table.
inline std::string escape(std::string_view s, std::size_t max_bytes = std::string::npos) {
    std::string out;
    const bool cut = s.size() > max_bytes;
    if (cut) s = s.substr(0, max_bytes);
    out.reserve(s.size());
    for (unsigned char c : s) {
        if (c < 0x20 || c == 0x7f || c == '\\') {
            static constexpr char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    if (cut) out += "...";
    return out;
}

// "tessera <cmd>: <input>: <kind>: <message>" on one line. The reader's message usually starts
// with the input's name already; that prefix is not repeated.
inline int report_invalid(std::string_view cmd, const std::string& input, const error& e) {
    std::string_view message = e.what();
    const std::string_view kind = to_string(e.kind());
    if (message.starts_with(kind) && message.substr(kind.size()).starts_with(": ")) message.remove_prefix(kind.size() + 2);
    if (message.starts_with(input) && message.substr(input.size()).starts_with(": ")) message.remove_prefix(input.size() + 2);
    std::fprintf(stderr, "tessera %.*s: %s: %.*s: %s\n", int(cmd.size()), cmd.data(), escape(input).c_str(),
                 int(kind.size()), kind.data(), escape(message, 4096).c_str());
    return exit_invalid;
}

inline int report_internal(std::string_view cmd, const std::string& input, const std::exception& e) {
    std::fprintf(stderr, "tessera %.*s: %s: internal error: %s\n", int(cmd.size()), cmd.data(), escape(input).c_str(),
                 escape(e.what(), 4096).c_str());
    return exit_internal;
}

}  // namespace tessera::cli
