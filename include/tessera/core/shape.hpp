#pragma once
// Shapes and strides of up to `max_rank` dimensions, stored inline (no allocation).
// Extents and strides are counted in elements; strides may be any non-negative value.
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "tessera/core/error.hpp"

namespace tessera {

inline constexpr std::size_t max_rank = 6;

class shape {
public:
    constexpr shape() = default;
    shape(std::initializer_list<std::size_t> dims) {
        require(dims.size() <= max_rank, error_kind::invalid_argument, "shape: rank above max_rank");
        for (std::size_t d : dims) dims_[rank_++] = d;
    }
    template <class It>
    static shape from_range(It first, It last) {
        shape s;
        for (; first != last; ++first) {
            require(s.rank_ < max_rank, error_kind::invalid_argument, "shape: rank above max_rank");
            s.dims_[s.rank_++] = static_cast<std::size_t>(*first);
        }
        return s;
    }

    constexpr std::size_t rank() const noexcept { return rank_; }
    constexpr std::size_t operator[](std::size_t i) const noexcept { return dims_[i]; }
    constexpr std::size_t& operator[](std::size_t i) noexcept { return dims_[i]; }
    const std::size_t* begin() const noexcept { return dims_.data(); }
    const std::size_t* end() const noexcept { return dims_.data() + rank_; }

    // Number of elements; throws `overflow` if the product does not fit.
    std::size_t numel() const {
        std::size_t n = 1;
        for (std::size_t i = 0; i < rank_; ++i)
            if (__builtin_mul_overflow(n, dims_[i], &n))
                throw error(error_kind::overflow, "shape " + to_string() + ": element count overflows");
        return n;
    }

    friend bool operator==(const shape& a, const shape& b) noexcept {
        if (a.rank_ != b.rank_) return false;
        for (std::size_t i = 0; i < a.rank_; ++i)
            if (a.dims_[i] != b.dims_[i]) return false;
        return true;
    }

    std::string to_string() const {
        std::string s = "[";
        for (std::size_t i = 0; i < rank_; ++i) {
            if (i) s += ", ";
            s += std::to_string(dims_[i]);
        }
        return s + "]";
    }

    void push_back(std::size_t d) {
        require(rank_ < max_rank, error_kind::invalid_argument, "shape: rank above max_rank");
        dims_[rank_++] = d;
    }

private:
    std::array<std::size_t, max_rank> dims_{};
    std::size_t rank_ = 0;
};

// Row-major (C order) strides for a shape.
inline shape contiguous_strides(const shape& s) {
    shape st = s;
    std::size_t acc = 1;
    for (std::size_t i = s.rank(); i-- > 0;) {
        st[i] = acc;
        acc *= s[i];
    }
    return st;
}

}  // namespace tessera
