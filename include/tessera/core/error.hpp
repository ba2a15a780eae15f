#pragma once
// tessera::error — the one exception type the library throws. Loading and parsing
// report bad input through it (never abort/assert); kernels are noexcept and never throw.
#include <stdexcept>
#include <string>
#include <string_view>

namespace tessera {

// What went wrong, so callers can react without parsing messages. The list follows
// docs/reliability.md (the hostile-input catalog names the kind each case must give).
enum class error_kind {
    truncated,         // fewer bytes than a header, count or length promised
    too_large,         // over a tessera::limits cap or the bytes available
    overflow,          // arithmetic that sizes memory or offsets would wrap
    malformed,         // syntax is wrong (bad magic, not JSON, bad UTF-8 where forbidden)
    inconsistent,      // parts disagree (config vs tensor shapes, overlapping ranges)
    duplicate,         // a name or key given twice
    unsupported,       // valid but not implemented (unknown dtype, component type)
    out_of_range,      // an index, id or offset outside its domain
    invalid_data,      // NaN/Inf or other values validation rejects
    invalid_argument,  // the caller passed something unusable (shape mismatch, k = 0)
    context_overflow,  // input longer than the model's context
    io,                // the operating system refused (open, mmap, read)
};

constexpr std::string_view to_string(error_kind k) noexcept {
    switch (k) {
    case error_kind::truncated: return "truncated";
    case error_kind::too_large: return "too_large";
    case error_kind::overflow: return "overflow";
    case error_kind::malformed: return "malformed";
    case error_kind::inconsistent: return "inconsistent";
    case error_kind::duplicate: return "duplicate";
    case error_kind::unsupported: return "unsupported";
    case error_kind::out_of_range: return "out_of_range";
    case error_kind::invalid_data: return "invalid_data";
    case error_kind::invalid_argument: return "invalid_argument";
    case error_kind::context_overflow: return "context_overflow";
    case error_kind::io: return "io";
    }
    return "unknown";
}

class error : public std::runtime_error {
public:
    error(error_kind kind, const std::string& message)
        : std::runtime_error(std::string(to_string(kind)) + ": " + message), kind_(kind) {}
    error_kind kind() const noexcept { return kind_; }

private:
    error_kind kind_;
};

// Throws unless `condition` holds. For checks on caller arguments and input data; the
// message is built only on failure.
template <class MakeMessage>
inline void require(bool condition, error_kind kind, MakeMessage&& make_message) {
    if (!condition) throw error(kind, std::string(make_message()));
}
inline void require(bool condition, error_kind kind, const char* message) {
    if (!condition) throw error(kind, message);
}

}  // namespace tessera
