#pragma once
// Bounds-checked little-endian cursor over untrusted bytes. Every read checks the bytes
// that remain first and reports `truncated` with the offset; values are loaded with
// memcpy, so misaligned input never causes a misaligned typed load.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "tessera/core/error.hpp"

namespace tessera::io {

class byte_reader {
public:
    byte_reader(std::span<const std::byte> bytes, std::string what) : bytes_(bytes), what_(std::move(what)) {}

    std::size_t offset() const noexcept { return pos_; }
    std::size_t remaining() const noexcept { return bytes_.size() - pos_; }
    std::size_t size() const noexcept { return bytes_.size(); }
    const std::string& what() const noexcept { return what_; }

    template <class T>
    T read() {
        static_assert(std::is_trivially_copyable_v<T>);
        need(sizeof(T), "value");
        T v;
        std::memcpy(&v, bytes_.data() + pos_, sizeof(T));
        pos_ += sizeof(T);
        return v;
    }

    // A view of the next n bytes (no copy).
    std::span<const std::byte> take(std::uint64_t n, const char* item) {
        need(n, item);
        auto s = bytes_.subspan(pos_, static_cast<std::size_t>(n));
        pos_ += static_cast<std::size_t>(n);
        return s;
    }
    std::string_view take_string(std::uint64_t n, const char* item) {
        auto s = take(n, item);
        return {reinterpret_cast<const char*>(s.data()), s.size()};
    }

    void skip(std::uint64_t n, const char* item) { take(n, item); }
    void seek(std::uint64_t off, const char* item) {
        if (off > bytes_.size())
            throw error(error_kind::truncated, what_ + ": " + item + " offset " + std::to_string(off) +
                                                    " is past the end (" + std::to_string(bytes_.size()) + " bytes)");
        pos_ = static_cast<std::size_t>(off);
    }

    // Throws `truncated` naming the item and offset unless n bytes remain.
    void need(std::uint64_t n, const char* item) const {
        if (n > remaining())
            throw error(error_kind::truncated, what_ + ": " + item + " at byte " + std::to_string(pos_) + " needs " +
                                                    std::to_string(n) + " bytes, " + std::to_string(remaining()) +
                                                    " remain");
    }

private:
    std::span<const std::byte> bytes_;
    std::string what_;
    std::size_t pos_ = 0;
};

}  // namespace tessera::io
