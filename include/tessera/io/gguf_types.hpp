#pragma once
// GGUF metadata values and tensor descriptions, shared by the reader (io/gguf_reader.hpp)
// and the writer (io/gguf_writer.hpp).
//
// A metadata value is one of 13 types, numbered as in the file. `gguf_value` keeps it in
// a std::variant whose alternative index *is* that number, and an array keeps its
// elements in one typed std::vector (never a vector of variants). Arrays of strings — the
// vocabulary and merges, megabytes in a real model — stay in the file's own encoding
// (`gguf_string_array`): a reader's array is a view of the file's bytes, so opening a model
// copies none of them. Arrays of arrays are not supported (ggml allows them in principle;
// no model uses them).
//
// Tensor shapes: GGUF lists dimensions as ne[0], ne[1], ... with ne[0] varying fastest
// (ggml's convention). tessera shapes are row-major with the *last* dimension fastest, so
// the shape is ne reversed: a matrix stored as ne = [K, N] is N rows of K values, i.e.
// tensor<T> shape {N, K}; a 3-d ne = [a, b, c] is shape {c, b, a}.
#include <array>
#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "tessera/core/shape.hpp"
#include "tessera/ops/quant_blocks.hpp"

namespace tessera::io {

// GGUF v2/v3 as read and written here is little-endian; values are memcpy'd as they are.
static_assert(std::endian::native == std::endian::little, "tessera's GGUF code assumes a little-endian host");

enum class gguf_value_type : std::uint32_t {
    u8 = 0, i8 = 1, u16 = 2, i16 = 3, u32 = 4, i32 = 5, f32 = 6, boolean = 7,
    string = 8, array = 9, u64 = 10, i64 = 11, f64 = 12,
};
inline constexpr std::uint32_t gguf_value_type_count = 13;

constexpr std::string_view to_string(gguf_value_type t) noexcept {
    constexpr std::string_view names[] = {"u8",  "i8",   "u16",    "i16",   "u32", "i32", "f32",
                                          "bool", "string", "array", "u64", "i64", "f64"};
    const auto i = static_cast<std::uint32_t>(t);
    return i < gguf_value_type_count ? names[i] : std::string_view("unknown");
}

// Bytes one scalar of the type occupies in the file (0 for string and array).
constexpr std::size_t gguf_scalar_size(gguf_value_type t) noexcept {
    switch (t) {
    case gguf_value_type::u8: case gguf_value_type::i8: case gguf_value_type::boolean: return 1;
    case gguf_value_type::u16: case gguf_value_type::i16: return 2;
    case gguf_value_type::u32: case gguf_value_type::i32: case gguf_value_type::f32: return 4;
    case gguf_value_type::u64: case gguf_value_type::i64: case gguf_value_type::f64: return 8;
    default: return 0;
    }
}

// The C++ type of each GGUF value type (strings are std::string).
template <class T> struct gguf_type_of;
template <> struct gguf_type_of<std::uint8_t> { static constexpr auto value = gguf_value_type::u8; };
template <> struct gguf_type_of<std::int8_t> { static constexpr auto value = gguf_value_type::i8; };
template <> struct gguf_type_of<std::uint16_t> { static constexpr auto value = gguf_value_type::u16; };
template <> struct gguf_type_of<std::int16_t> { static constexpr auto value = gguf_value_type::i16; };
template <> struct gguf_type_of<std::uint32_t> { static constexpr auto value = gguf_value_type::u32; };
template <> struct gguf_type_of<std::int32_t> { static constexpr auto value = gguf_value_type::i32; };
template <> struct gguf_type_of<float> { static constexpr auto value = gguf_value_type::f32; };
template <> struct gguf_type_of<bool> { static constexpr auto value = gguf_value_type::boolean; };
template <> struct gguf_type_of<std::string> { static constexpr auto value = gguf_value_type::string; };
template <> struct gguf_type_of<std::uint64_t> { static constexpr auto value = gguf_value_type::u64; };
template <> struct gguf_type_of<std::int64_t> { static constexpr auto value = gguf_value_type::i64; };
template <> struct gguf_type_of<double> { static constexpr auto value = gguf_value_type::f64; };

template <class T>
concept gguf_scalar = requires { gguf_type_of<T>::value; } && std::is_arithmetic_v<T>;
template <class T>
concept gguf_element = gguf_scalar<T> || std::same_as<T, std::string>;

// An array of strings in GGUF's encoding: count x (u64 little-endian length, bytes).
// Read from a file, it views the file's bytes (gguf_file validated every length first) and
// is valid while that gguf_file lives — copy the strings out (to_vector) to keep them
// longer. Built from std::strings (the writer, tests), it owns an encoded buffer, shared
// between copies. Iteration is forward only and decodes one length per step; there is no
// operator[] because finding element i would be O(i).
class gguf_string_array {
public:
    class iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = std::string_view;
        using difference_type = std::ptrdiff_t;
        using pointer = void;
        using reference = std::string_view;

        iterator() = default;
        explicit iterator(const std::byte* p) noexcept : p_(p) {}
        std::string_view operator*() const noexcept {
            return {reinterpret_cast<const char*>(p_ + 8), static_cast<std::size_t>(length())};
        }
        iterator& operator++() noexcept {
            p_ += 8 + length();
            return *this;
        }
        iterator operator++(int) noexcept {
            iterator old = *this;
            ++*this;
            return old;
        }
        friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.p_ == b.p_; }

    private:
        std::uint64_t length() const noexcept {
            std::uint64_t n;
            std::memcpy(&n, p_, 8);
            return n;
        }
        const std::byte* p_ = nullptr;
    };

    gguf_string_array() = default;
    explicit gguf_string_array(const std::vector<std::string>& strings) {
        std::size_t total = 0;
        for (const std::string& x : strings) total += 8 + x.size();
        auto buf = std::make_shared<std::vector<std::byte>>(total);
        std::byte* p = buf->data();
        for (const std::string& x : strings) {
            const std::uint64_t n = x.size();
            std::memcpy(p, &n, 8);
            if (n) std::memcpy(p + 8, x.data(), x.size());
            p += 8 + x.size();
        }
        encoded_ = {buf->data(), buf->size()};
        count_ = strings.size();
        owned_ = std::move(buf);
    }
    // `encoded` must hold exactly `count` well-formed entries (the reader checks this).
    static gguf_string_array view(std::span<const std::byte> encoded, std::size_t count) noexcept {
        gguf_string_array a;
        a.encoded_ = encoded;
        a.count_ = count;
        return a;
    }

    std::size_t size() const noexcept { return count_; }
    bool empty() const noexcept { return count_ == 0; }
    std::span<const std::byte> encoded() const noexcept { return encoded_; }  // as written in a file
    iterator begin() const noexcept { return iterator(encoded_.data()); }
    iterator end() const noexcept { return iterator(encoded_.data() + encoded_.size()); }
    std::vector<std::string> to_vector() const {
        std::vector<std::string> out;
        out.reserve(count_);
        for (const std::string_view x : *this) out.emplace_back(x);
        return out;
    }

    friend bool operator==(const gguf_string_array& a, const gguf_string_array& b) noexcept {
        return a.count_ == b.count_ && a.encoded_.size() == b.encoded_.size() &&
               (a.encoded_.empty() || std::memcmp(a.encoded_.data(), b.encoded_.data(), a.encoded_.size()) == 0);
    }
    friend bool operator==(const gguf_string_array& a, const std::vector<std::string>& b) noexcept {
        if (a.size() != b.size()) return false;
        std::size_t i = 0;
        for (const std::string_view x : a)
            if (x != b[i++]) return false;
        return true;
    }

private:
    std::shared_ptr<const std::vector<std::byte>> owned_;  // null for a view of a file
    std::span<const std::byte> encoded_;
    std::size_t count_ = 0;
};

// How an array of T is stored: a std::vector<T>, except strings (above).
template <class T> struct gguf_array_storage { using type = std::vector<T>; };
template <> struct gguf_array_storage<std::string> { using type = gguf_string_array; };
template <class T> using gguf_array_storage_t = typename gguf_array_storage<T>::type;

// An array of one element type. The variant's index equals the element type's number;
// slot 9 (array) is a placeholder that never holds elements.
struct gguf_array {
    using storage = std::variant<std::vector<std::uint8_t>, std::vector<std::int8_t>, std::vector<std::uint16_t>,
                                 std::vector<std::int16_t>, std::vector<std::uint32_t>, std::vector<std::int32_t>,
                                 std::vector<float>, std::vector<bool>, gguf_string_array, std::monostate,
                                 std::vector<std::uint64_t>, std::vector<std::int64_t>, std::vector<double>>;
    storage values;

    gguf_array() = default;
    template <gguf_element T>
    explicit gguf_array(std::vector<T> v) {
        if constexpr (std::is_same_v<T, std::string>) values.emplace<gguf_string_array>(v);
        else values.emplace<std::vector<T>>(std::move(v));
    }
    explicit gguf_array(gguf_string_array v) : values(std::in_place_type<gguf_string_array>, std::move(v)) {}

    gguf_value_type element_type() const noexcept { return static_cast<gguf_value_type>(values.index()); }
    std::size_t size() const noexcept {
        return std::visit(
            [](const auto& v) -> std::size_t {
                if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::monostate>) return 0;
                else return v.size();
            },
            values);
    }
    // nullptr unless the elements are T.
    template <gguf_element T>
    const gguf_array_storage_t<T>* get_if() const noexcept { return std::get_if<gguf_array_storage_t<T>>(&values); }
};

class gguf_value {
public:
    using storage = std::variant<std::uint8_t, std::int8_t, std::uint16_t, std::int16_t, std::uint32_t, std::int32_t,
                                 float, bool, std::string, gguf_array, std::uint64_t, std::int64_t, double>;

    gguf_value() = default;
    template <gguf_scalar T>
    gguf_value(T v) : v_(std::in_place_type<T>, v) {}
    gguf_value(std::string s) : v_(std::in_place_type<std::string>, std::move(s)) {}
    gguf_value(std::string_view s) : v_(std::in_place_type<std::string>, s) {}
    gguf_value(const char* s) : v_(std::in_place_type<std::string>, s) {}
    gguf_value(gguf_array a) : v_(std::in_place_type<gguf_array>, std::move(a)) {}
    gguf_value(gguf_string_array a) : v_(std::in_place_type<gguf_array>, gguf_array(std::move(a))) {}
    template <gguf_element T>
    gguf_value(std::vector<T> v) : v_(std::in_place_type<gguf_array>, gguf_array(std::move(v))) {}

    gguf_value_type type() const noexcept { return static_cast<gguf_value_type>(v_.index()); }
    const storage& get() const noexcept { return v_; }
    // nullptr unless the value holds exactly T (no numeric conversions).
    template <class T>
    const T* get_if() const noexcept { return std::get_if<T>(&v_); }
    // "u32", or "array[string]" for arrays.
    std::string type_name() const {
        if (const auto* a = get_if<gguf_array>()) return "array[" + std::string(to_string(a->element_type())) + "]";
        return std::string(to_string(type()));
    }

private:
    storage v_;
};

struct gguf_kv {
    std::string key;
    gguf_value value;
};

// One tensor as described in the file's tensor-info table.
struct gguf_tensor_info {
    std::string name;
    ops::ggml_type type = ops::ggml_type::f32;
    std::uint32_t n_dims = 0;
    std::array<std::uint64_t, 4> ne{1, 1, 1, 1};  // GGUF order, ne[0] fastest; unused entries are 1
    std::uint64_t offset = 0;                      // from the start of the data section
    std::uint64_t bytes = 0;                       // numel / block_size * type_size
    std::uint64_t numel = 0;

    // Row-major shape: ne[n_dims-1], ..., ne[0] (see the top of this file).
    tessera::shape row_major_shape() const {
        tessera::shape s;
        for (std::uint32_t d = n_dims; d-- > 0;) s.push_back(static_cast<std::size_t>(ne[d]));
        return s;
    }
};

// GGUF dimension order for a row-major shape: the shape reversed.
inline std::vector<std::uint64_t> gguf_ne_from_shape(const tessera::shape& s) {
    std::vector<std::uint64_t> ne;
    for (std::size_t d = s.rank(); d-- > 0;) ne.push_back(s[d]);
    return ne;
}

// File-level constants.
inline constexpr std::uint32_t gguf_magic = 0x46554747u;  // "GGUF" read as a little-endian u32
inline constexpr std::uint32_t gguf_default_alignment = 32;
inline constexpr std::uint32_t gguf_max_dims = 4;
inline constexpr std::string_view gguf_alignment_key = "general.alignment";

}  // namespace tessera::io
