#pragma once
// GGUF metadata values and tensor descriptions, shared by the reader (io/gguf_reader.hpp)
// and the writer (io/gguf_writer.hpp).
//
// A metadata value is one of 13 types, numbered as in the file. `gguf_value` keeps it in
// a std::variant whose alternative index *is* that number, and an array keeps its
// elements in one typed std::vector (never a vector of variants), so a parsed file costs
// about as much memory as its bytes. Arrays of arrays are not supported (ggml allows them
// in principle; no model uses them).
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

// An array of one element type. The variant's index equals the element type's number;
// slot 9 (array) is a placeholder that never holds elements.
struct gguf_array {
    using storage = std::variant<std::vector<std::uint8_t>, std::vector<std::int8_t>, std::vector<std::uint16_t>,
                                 std::vector<std::int16_t>, std::vector<std::uint32_t>, std::vector<std::int32_t>,
                                 std::vector<float>, std::vector<bool>, std::vector<std::string>, std::monostate,
                                 std::vector<std::uint64_t>, std::vector<std::int64_t>, std::vector<double>>;
    storage values;

    gguf_array() = default;
    template <gguf_element T>
    explicit gguf_array(std::vector<T> v) : values(std::in_place_type<std::vector<T>>, std::move(v)) {}

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
    const std::vector<T>* get_if() const noexcept { return std::get_if<std::vector<T>>(&values); }
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
