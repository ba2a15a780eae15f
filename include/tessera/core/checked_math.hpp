#pragma once
// Overflow-checked size arithmetic. Every multiply or add that sizes memory or an offset
// from untrusted numbers goes through these (RELIABILITY.md rule 2).
#include <cstddef>
#include <cstdint>
#include <string>

#include "tessera/core/error.hpp"

namespace tessera {

inline std::uint64_t checked_add(std::uint64_t a, std::uint64_t b, const char* what) {
    std::uint64_t r;
    if (__builtin_add_overflow(a, b, &r))
        throw error(error_kind::overflow, std::string(what) + ": addition overflows 64 bits");
    return r;
}

inline std::uint64_t checked_mul(std::uint64_t a, std::uint64_t b, const char* what) {
    std::uint64_t r;
    if (__builtin_mul_overflow(a, b, &r))
        throw error(error_kind::overflow, std::string(what) + ": product overflows 64 bits");
    return r;
}

}  // namespace tessera
