#pragma once
// FNV-1a, 64-bit (Fowler–Noll–Vo; offset basis 14695981039346656037, prime 1099511628211):
// for each byte, h ^= byte; h *= prime. Tiny, with no seed and a fixed definition, so a
// Python script reproduces it bit for bit — used for the data split (hash_split.hpp) and
// the hashed character n-gram features (char_ngrams.hpp).
#include <cstdint>
#include <string_view>

namespace tessera::train {

constexpr std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t h = 14695981039346656037ull) noexcept {
    for (const char c : bytes) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    return h;
}

}  // namespace tessera::train
