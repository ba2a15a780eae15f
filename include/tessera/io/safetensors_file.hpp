#pragma once
// safetensors_file: one validated .safetensors file, mapped read-only.
//
//   io::safetensors_file f("model.safetensors");
//   auto w = f.view<float>("encoder.layer.0.attention.self.query.weight");  // zero-copy [out, in]
//   tensor<float> e = f.load_f32("embeddings.word_embeddings.weight");      // converts F16/BF16/...
//
// The constructor validates the whole header (safetensors_header.hpp) before anything is
// exposed, so every accessor works on ranges already proven to lie inside the file.
// Immutable after construction: share one object across threads freely.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "tessera/core/dtype.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/limits.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/io/mapped_file.hpp"
#include "tessera/io/safetensors_header.hpp"
#include "tessera/ops/finite_scan.hpp"

namespace tessera::io {

// The dtype a C++ element type is stored as (bool is safetensors' BOOL, one byte 0/1).
template <class T>
constexpr dtype element_dtype() noexcept {
    if constexpr (std::is_same_v<T, bool>) return dtype::boolean;
    else return dtype_of<T>::value;
}

namespace detail {

// Converts n elements of `type` starting at `src` (any alignment) to f32. Each element is
// memcpy'd into a local first, so misaligned file data never makes a misaligned typed load.
// 64-bit integers above 2^24 and f64 values round to the nearest f32.
inline void convert_to_f32(dtype type, const std::byte* src, float* dst, std::size_t n) noexcept {
    auto each = [&](auto tag, auto to_float) {
        using S = decltype(tag);
        for (std::size_t i = 0; i < n; ++i) {
            S v;
            std::memcpy(&v, src + i * sizeof(S), sizeof(S));
            dst[i] = to_float(v);
        }
    };
    switch (type) {
    case dtype::f32:
        if (n) std::memcpy(dst, src, n * sizeof(float));
        return;
    case dtype::f16: each(f16{}, [](f16 v) { return to_f32(v); }); return;
    case dtype::bf16: each(bf16{}, [](bf16 v) { return to_f32(v); }); return;
    case dtype::f64: each(double{}, [](double v) { return static_cast<float>(v); }); return;
    case dtype::i64: each(std::int64_t{}, [](std::int64_t v) { return static_cast<float>(v); }); return;
    case dtype::i32: each(std::int32_t{}, [](std::int32_t v) { return static_cast<float>(v); }); return;
    case dtype::i16: each(std::int16_t{}, [](std::int16_t v) { return static_cast<float>(v); }); return;
    case dtype::i8: each(std::int8_t{}, [](std::int8_t v) { return static_cast<float>(v); }); return;
    case dtype::u8: each(std::uint8_t{}, [](std::uint8_t v) { return static_cast<float>(v); }); return;
    case dtype::boolean: each(std::uint8_t{}, [](std::uint8_t v) { return v ? 1.0f : 0.0f; }); return;
    }
}

// Accessors shared by safetensors_file and safetensors_model; `what` names the file.
struct safetensors_access {
    static std::span<const std::byte> bytes(std::span<const std::byte> file, const safetensors_tensor_info& t) {
        return file.subspan(static_cast<std::size_t>(t.file_offset), static_cast<std::size_t>(t.byte_size));
    }

    template <class T>
    static tensor_view<const T> view(std::span<const std::byte> file, const safetensors_tensor_info& t,
                                     const std::string& what) {
        static_assert(!std::is_same_v<T, bool>, "BOOL bytes may hold values other than 0 and 1: use load<bool>");
        constexpr dtype want = element_dtype<T>();
        require(t.type == want, error_kind::invalid_argument, [&] {
            return what + ": tensor \"" + t.name + "\" is " + std::string(safetensors_dtype_name(t.type)) + ", not " +
                   std::string(safetensors_dtype_name(want)) + "; use load_f32 to convert";
        });
        const std::byte* p = file.data() + t.file_offset;
        require(reinterpret_cast<std::uintptr_t>(p) % alignof(T) == 0, error_kind::invalid_argument, [&] {
            return what + ": tensor \"" + t.name + "\" at file byte " + std::to_string(t.file_offset) +
                   " is not aligned for " + std::string(safetensors_dtype_name(want)) +
                   " (the header length is not a multiple of " + std::to_string(alignof(T)) +
                   "); use load<T> or load_f32, which copy";
        });
        // The pointer is suitably aligned and lies inside the validated byte range; the mapping
        // holds objects of type T only in the sense every mmap-based reader relies on.
        return tensor_view<const T>(reinterpret_cast<const T*>(p), t.dims);
    }

    template <class T>
    static tensor<T> load(std::span<const std::byte> file, const safetensors_tensor_info& t, const std::string& what) {
        constexpr dtype want = element_dtype<T>();
        require(t.type == want, error_kind::invalid_argument, [&] {
            return what + ": tensor \"" + t.name + "\" is " + std::string(safetensors_dtype_name(t.type)) + ", not " +
                   std::string(safetensors_dtype_name(want)) + "; use load_f32 to convert";
        });
        tensor<T> out(t.dims);
        if constexpr (std::is_same_v<T, bool>) {  // any non-zero byte is true
            const std::byte* src = file.data() + t.file_offset;
            for (std::size_t i = 0; i < out.numel(); ++i) out.data()[i] = src[i] != std::byte{0};
            return out;
        }
        if (t.byte_size) std::memcpy(static_cast<void*>(out.data()), file.data() + t.file_offset, t.byte_size);
        return out;
    }

    static tensor<float> load_f32(std::span<const std::byte> file, const safetensors_tensor_info& t) {
        tensor<float> out(t.dims);
        convert_to_f32(t.type, file.data() + t.file_offset, out.data(), t.numel());
        return out;
    }

    // Throws invalid_data naming the file, the tensor, the first NaN/Inf element (flat index
    // and row-major coordinates) and its value, if the tensor holds one.
    static void validate_finite(std::span<const std::byte> file, const safetensors_tensor_info& t,
                                const std::string& what) {
        const std::byte* src = file.data() + t.file_offset;
        const std::size_t n = t.numel();
        const std::size_t bad = ops::first_nonfinite(t.type, src, n);
        if (bad == n) return;
        float value;
        convert_to_f32(t.type, src + bad * size_of(t.type), &value, 1);
        std::string at;  // row-major coordinates of element `bad`
        for (std::size_t d = t.dims.rank(), rest = bad; d-- > 0;) {
            at = std::to_string(rest % t.dims[d]) + (at.empty() ? "" : ", ") + at;
            rest /= t.dims[d];
        }
        throw error(error_kind::invalid_data, what + ": tensor \"" + t.name + "\" (" + std::string(to_string(t.type)) +
                                                  " " + t.dims.to_string() + ") holds " + std::to_string(value) +
                                                  " at element " + std::to_string(bad) + " [" + at + "]");
    }
};

}  // namespace detail

class safetensors_file {
public:
    // Maps `path` (or reads it into memory with mode::read_into_memory) and validates it.
    explicit safetensors_file(const std::string& path, const limits& lim = {},
                              mapped_file::mode mode = mapped_file::mode::map)
        : file_(path, mode),
          name_(path),
          bytes_(file_.bytes()),
          header_(parse_safetensors_header(bytes_, name_, lim)) {}

    // Validates bytes the caller owns; they must outlive this object and every view from it.
    static safetensors_file from_bytes(std::span<const std::byte> bytes, std::string name = "<memory>",
                                       const limits& lim = {}) {
        return safetensors_file(bytes, std::move(name), lim);
    }

    const std::string& name() const noexcept { return name_; }  // the path, or from_bytes' label
    std::span<const std::byte> file_bytes() const noexcept { return bytes_; }
    bool is_mapped() const noexcept { return file_.is_mapped(); }  // false when read into memory or from_bytes
    const safetensors_metadata& metadata() const noexcept { return header_.metadata; }
    std::uint64_t header_bytes() const noexcept { return header_.header_bytes; }
    std::uint64_t data_offset() const noexcept { return header_.data_offset; }  // 8 + header_bytes

    // Every tensor, in file order (ascending offset).
    std::span<const safetensors_tensor_info> tensors() const noexcept { return header_.tensors; }
    std::size_t size() const noexcept { return header_.tensors.size(); }

    const safetensors_tensor_info* find(std::string_view name) const noexcept {
        auto it = header_.index.find(name);
        return it == header_.index.end() ? nullptr : &header_.tensors[it->second];
    }
    bool contains(std::string_view name) const noexcept { return find(name) != nullptr; }
    // Throws out_of_range naming the tensor and the file when there is no such tensor.
    const safetensors_tensor_info& info(std::string_view name) const {
        if (const auto* t = find(name)) return *t;
        throw error(error_kind::out_of_range, name_ + ": no tensor named \"" + std::string(name) + "\"");
    }

    // The tensor's raw little-endian bytes inside the file.
    std::span<const std::byte> bytes(std::string_view name) const {
        return detail::safetensors_access::bytes(bytes_, info(name));
    }

    // Zero-copy view; requires the stored dtype to be T and the data aligned for T
    // (invalid_argument otherwise: use load<T> or load_f32).
    template <class T>
    tensor_view<const T> view(std::string_view name) const {
        return detail::safetensors_access::view<T>(bytes_, info(name), name_);
    }
    // Copy with the stored dtype T (works at any alignment).
    template <class T>
    tensor<T> load(std::string_view name) const {
        return detail::safetensors_access::load<T>(bytes_, info(name), name_);
    }
    // Copy converted to f32 from any supported dtype.
    tensor<float> load_f32(std::string_view name) const {
        return detail::safetensors_access::load_f32(bytes_, info(name));
    }

    // Opt-in NaN/Inf validation (RELIABILITY.md, "NaN policy"): scans the tensor's F32, F16,
    // BF16 or F64 values once (ops/finite_scan.hpp; integer tensors are always finite) and
    // throws invalid_data naming the file, the tensor and the first non-finite element.
    void validate_finite(std::string_view name) const {
        detail::safetensors_access::validate_finite(bytes_, info(name), name_);
    }
    // Every tensor, in file order; one pass over the floating-point data.
    void validate_finite() const {
        for (const auto& t : header_.tensors) detail::safetensors_access::validate_finite(bytes_, t, name_);
    }

private:
    safetensors_file(std::span<const std::byte> bytes, std::string name, const limits& lim)
        : name_(std::move(name)), bytes_(bytes), header_(parse_safetensors_header(bytes_, name_, lim)) {}

    mapped_file file_;  // empty for from_bytes
    std::string name_;
    std::span<const std::byte> bytes_;  // the whole file; stable across moves (mapping or caller's buffer)
    safetensors_header header_;
};

}  // namespace tessera::io
