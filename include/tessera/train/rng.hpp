#pragma once
// Seeded randomness for training, identical on every standard library.
//
// std::mt19937_64's output sequence is fixed by the C++ standard, but the distributions
// (uniform_int_distribution, normal_distribution, std::shuffle) are not: libstdc++ and
// libc++ map the same engine output to different numbers. So tessera uses the engine only
// and maps its 64-bit outputs itself:
//   uniform_index(g, n)  Lemire's multiply-shift with rejection ("Fast random integer
//                        generation in an interval", 2019): x·n as a 128-bit product; the
//                        high word is the result; reject when the low word < 2^64 mod n,
//                        so every value in [0, n) is exactly equally likely.
//   uniform_unit(g)      the top 53 bits of one output × 2^-53, in [0, 1).
//   shuffle(v, g)        Fisher–Yates from the back with uniform_index.
//   derive_seed(s, k)    splitmix64(s + k·golden ratio): independent streams (weight init,
//                        batch order) from one user seed.
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <utility>

namespace tessera::train {

inline std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) noexcept {
    std::uint64_t z = seed + (stream + 1) * 0x9E3779B97F4A7C15ull;  // splitmix64 (Steele et al.)
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

namespace detail {
// The 128-bit product a·b as (high, low) words, from 32-bit halves (portable: no __int128).
inline void mul_64x64(std::uint64_t a, std::uint64_t b, std::uint64_t& hi, std::uint64_t& lo) noexcept {
    const std::uint64_t a0 = a & 0xFFFFFFFFu, a1 = a >> 32, b0 = b & 0xFFFFFFFFu, b1 = b >> 32;
    const std::uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    const std::uint64_t mid = (p00 >> 32) + (p01 & 0xFFFFFFFFu) + (p10 & 0xFFFFFFFFu);
    lo = (mid << 32) | (p00 & 0xFFFFFFFFu);
    hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}
}  // namespace detail

// Uniform in [0, n); n must be > 0 (returns 0 for n = 0 rather than looping).
inline std::uint64_t uniform_index(std::mt19937_64& g, std::uint64_t n) noexcept {
    if (n == 0) return 0;
    std::uint64_t hi, lo;
    detail::mul_64x64(g(), n, hi, lo);
    if (lo < n) {
        const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
        while (lo < threshold) detail::mul_64x64(g(), n, hi, lo);
    }
    return hi;
}

// Uniform in [0, 1) with 53 random bits.
inline double uniform_unit(std::mt19937_64& g) noexcept { return double(g() >> 11) * 0x1.0p-53; }

template <class T>
void shuffle(std::span<T> v, std::mt19937_64& g) noexcept {
    for (std::size_t i = v.size(); i > 1; --i) {
        const std::size_t j = static_cast<std::size_t>(uniform_index(g, i));
        std::swap(v[i - 1], v[j]);
    }
}

}  // namespace tessera::train
