#pragma once
// GGUF reader: validates a whole GGUF v2/v3 file up front, then serves typed metadata,
// tensor descriptions, raw tensor bytes, zero-copy F32 views and f32 dequantization.
//
// Byte layout (all integers little-endian; "string" = u64 length + that many bytes, no NUL):
//   u32    magic "GGUF" (bytes 47 47 55 46)
//   u32    version (2 or 3; v1 used u32 counts and is not supported)
//   u64    n_tensors
//   u64    n_kv
//   n_kv x { string key; u32 value_type; value }
//          value = scalar (u8 i8 u16 i16 u32 i32 f32 bool u64 i64 f64: 1/2/4/8 bytes)
//                | string
//                | array: u32 element_type; u64 count; count x element (no nested arrays here)
//   n_tensors x { string name; u32 n_dims; n_dims x u64 ne; u32 ggml_type; u64 offset }
//   padding to `general.alignment` (a u32 key; default 32)
//   data section: tensor bytes at data_start + offset; offsets are multiples of the alignment.
//
// Validation (RELIABILITY.md). Every count and length is checked against the bytes that
// remain and against `tessera::limits` before anything is reserved; a count is compared
// with the remaining bytes divided by the smallest encoding of one item, so a tiny file can
// never make the reader reserve much. Sizes and offsets use checked arithmetic.
// Error kinds:
//   truncated     the file ends before a count, length, or tensor's bytes say it should
//   too_large     a count or length over a limit (n_tensors, n_kv, array, string, name, tensor bytes)
//   malformed     bad magic; unknown value type or ggml type number; empty key or name;
//                 n_dims 0 or > 4; a zero or negative (>= 2^63) dim; a bool byte other than 0/1;
//                 alignment 0 or not a power of two; an offset not a multiple of the alignment
//   unsupported   version other than 2/3; nested arrays; a ggml type tessera does not decode
//   duplicate     a key or tensor name given twice
//   overflow      element count or byte size beyond 64 bits (or element count beyond 2^63 - 1)
//   inconsistent  ne[0] not a multiple of the block size; overlapping tensor ranges;
//                 general.alignment not a u32; a metadata accessor asked for another type
//   out_of_range  general.alignment above limits.max_alignment; a missing key or tensor
// Choices: a zero dimension is rejected (ggml accepts it, no model has one, and an empty
// range would make the overlap check meaningless); n_dims 0 is rejected too. Tensor infos
// need not be in offset order; ranges are sorted and must not overlap (gaps are allowed).
// Strings are kept as their bytes; UTF-8 is not checked here (tokenizers check their own).
// With n_tensors == 0 the file may end right after the metadata (no padding needed).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tessera/core/aligned.hpp"
#include "tessera/core/checked_math.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/limits.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/io/byte_reader.hpp"
#include "tessera/io/gguf_types.hpp"
#include "tessera/io/mapped_file.hpp"
#include "tessera/ops/dequantize.hpp"
#include "tessera/ops/finite_scan.hpp"
#include "tessera/ops/quant_blocks.hpp"

namespace tessera::io {

class gguf_file {
public:
    // Opens and validates `path`. Throws tessera::error (see the kinds above).
    static gguf_file open(const std::string& path, const limits& lim = {},
                          mapped_file::mode m = mapped_file::mode::map) {
        gguf_file f;
        f.file_ = mapped_file(path, m);
        f.what_ = path;
        f.bytes_ = f.file_.bytes();
        f.parse(lim);
        return f;
    }
    // Validates a copy of `bytes` (kept 64-byte aligned); `what` names it in errors.
    static gguf_file from_bytes(std::span<const std::byte> bytes, std::string what = "<memory>",
                                const limits& lim = {}) {
        gguf_file f;
        f.owned_ = aligned_alloc_array<std::byte>(bytes.size());
        if (!bytes.empty()) std::copy(bytes.begin(), bytes.end(), f.owned_.get());
        f.bytes_ = {f.owned_.get(), bytes.size()};
        f.what_ = std::move(what);
        f.parse(lim);
        return f;
    }

    gguf_file(gguf_file&&) noexcept = default;
    gguf_file& operator=(gguf_file&&) noexcept = default;

    const std::string& path() const noexcept { return what_; }
    std::uint32_t version() const noexcept { return version_; }
    std::uint64_t alignment() const noexcept { return alignment_; }
    std::uint64_t data_offset() const noexcept { return data_offset_; }  // file offset of the data section
    std::span<const std::byte> bytes() const noexcept { return bytes_; }
    // See mapped_file::drop_resident (a no-op for from_bytes and read-into-memory files).
    void drop_resident(std::span<const std::byte> range) const noexcept { file_.drop_resident(range); }

    // ---- metadata ---------------------------------------------------------------------
    const std::vector<gguf_kv>& metadata() const noexcept { return kv_; }  // in file order
    const gguf_value* find(std::string_view key) const {
        const auto it = kv_index_.find(key);
        return it == kv_index_.end() ? nullptr : &kv_[it->second].value;
    }
    bool contains(std::string_view key) const { return find(key) != nullptr; }

    // The value of `key` as T (a GGUF scalar type or std::string), exactly: a u32 is not
    // returned as u64. Missing key: out_of_range; another type: inconsistent. Both name the key.
    template <gguf_element T>
    const T& get(std::string_view key) const {
        const gguf_value& v = at(key);
        const T* p = v.get_if<T>();
        if (!p) throw type_error(key, v, std::string(to_string(gguf_type_of<T>::value)));
        return *p;
    }
    // As get, but nullopt when the key is absent (a present key of another type still throws).
    template <gguf_element T>
    std::optional<T> get_optional(std::string_view key) const {
        if (!contains(key)) return std::nullopt;
        return get<T>(key);
    }
    // Elements of an array-valued key whose elements are T.
    template <gguf_element T>
    const gguf_array_storage_t<T>& get_array(std::string_view key) const {
        const gguf_value& v = at(key);
        const auto* a = v.get_if<gguf_array>();
        const auto* p = a ? a->get_if<T>() : nullptr;
        if (!p) throw type_error(key, v, "array[" + std::string(to_string(gguf_type_of<T>::value)) + "]");
        return *p;
    }
    template <gguf_element T>
    std::optional<gguf_array_storage_t<T>> get_array_optional(std::string_view key) const {
        if (!contains(key)) return std::nullopt;
        return get_array<T>(key);
    }

    std::uint8_t get_u8(std::string_view k) const { return get<std::uint8_t>(k); }
    std::int8_t get_i8(std::string_view k) const { return get<std::int8_t>(k); }
    std::uint16_t get_u16(std::string_view k) const { return get<std::uint16_t>(k); }
    std::int16_t get_i16(std::string_view k) const { return get<std::int16_t>(k); }
    std::uint32_t get_u32(std::string_view k) const { return get<std::uint32_t>(k); }
    std::int32_t get_i32(std::string_view k) const { return get<std::int32_t>(k); }
    std::uint64_t get_u64(std::string_view k) const { return get<std::uint64_t>(k); }
    std::int64_t get_i64(std::string_view k) const { return get<std::int64_t>(k); }
    float get_f32(std::string_view k) const { return get<float>(k); }
    double get_f64(std::string_view k) const { return get<double>(k); }
    bool get_bool(std::string_view k) const { return get<bool>(k); }
    const std::string& get_string(std::string_view k) const { return get<std::string>(k); }
    // A view of the file's bytes, valid while this gguf_file lives (see gguf_string_array).
    const gguf_string_array& get_string_array(std::string_view k) const { return get_array<std::string>(k); }

    // ---- tensors ------------------------------------------------------------------------
    const std::vector<gguf_tensor_info>& tensors() const noexcept { return tensors_; }  // in file order
    const gguf_tensor_info* find_tensor(std::string_view name) const {
        const auto it = tensor_index_.find(name);
        return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
    }
    const gguf_tensor_info& tensor_info(std::string_view name) const {
        const gguf_tensor_info* t = find_tensor(name);
        if (!t) throw error(error_kind::out_of_range, what_ + ": no tensor named '" + std::string(name) + "'");
        return *t;
    }
    // The tensor's encoded bytes, in place (validated to lie inside the file). `t` must be
    // one of this file's tensors() (checked: an info from another file throws invalid_argument).
    std::span<const std::byte> tensor_bytes(const gguf_tensor_info& t) const {
        require(tensors_.data() <= &t && &t < tensors_.data() + tensors_.size(), error_kind::invalid_argument,
                [&] { return what_ + ": tensor_bytes given the info of '" + t.name + "' from another file"; });
        return bytes_.subspan(static_cast<std::size_t>(data_offset_ + t.offset), static_cast<std::size_t>(t.bytes));
    }
    std::span<const std::byte> tensor_bytes(std::string_view name) const { return tensor_bytes(tensor_info(name)); }

    // Decodes any supported type to a new f32 tensor of row_major_shape(). With `validate`,
    // a NaN/Inf block scale (or F32/F16/BF16 value) throws invalid_data naming the tensor
    // and the block index; without it, such values decode to NaN/Inf.
    tensor<float> dequantize_f32(std::string_view name, bool validate = false) const {
        const gguf_tensor_info& t = tensor_info(name);
        tensor<float> out(t.row_major_shape());
        ops::dequantize(t.type, tensor_bytes(t), out.span(), validate, what_ + ": tensor '" + t.name + "'");
        return out;
    }

    // Opt-in NaN/Inf validation without decoding (RELIABILITY.md, "NaN policy"): one pass
    // over the tensor's block scales (d, and m / dmin where the format has one) or, for
    // F32/F16/BF16, its values. Throws invalid_data naming the file, the tensor and the
    // first bad block, with the message dequantize_f32(name, true) gives.
    void validate_finite(std::string_view name) const { validate_finite(tensor_info(name)); }
    // Every tensor, in file order.
    void validate_finite() const {
        for (const gguf_tensor_info& t : tensors_) validate_finite(t);
    }

    // A zero-copy view of an F32 tensor (shape row_major_shape()), valid while this object
    // lives. invalid_argument if the tensor is not F32 or its bytes are not 4-byte aligned
    // (possible only with general.alignment < 4); dequantize_f32 works in every case.
    tensor_view<const float> view_f32(std::string_view name) const {
        const gguf_tensor_info& t = tensor_info(name);
        require(t.type == ops::ggml_type::f32, error_kind::invalid_argument, [&] {
            return what_ + ": tensor '" + t.name + "' is " + std::string(ops::to_string(t.type)) +
                   ", not F32; use dequantize_f32";
        });
        const std::byte* p = tensor_bytes(t).data();
        require(reinterpret_cast<std::uintptr_t>(p) % alignof(float) == 0, error_kind::invalid_argument, [&] {
            return what_ + ": tensor '" + t.name + "' data is not 4-byte aligned; use dequantize_f32";
        });
        return {reinterpret_cast<const float*>(p), t.row_major_shape()};
    }

private:
    gguf_file() = default;

    void validate_finite(const gguf_tensor_info& t) const {
        const auto tr = ops::traits_of(t.type);
        const std::span<const std::byte> src = tensor_bytes(t);
        const std::size_t n_blocks = src.size() / tr.type_size;
        std::size_t bad = n_blocks;
        switch (t.type) {  // plain floats: the vectorised scan; block types: their scales
        case ops::ggml_type::f32: bad = ops::first_nonfinite(dtype::f32, src.data(), n_blocks); break;
        case ops::ggml_type::f16: bad = ops::first_nonfinite(dtype::f16, src.data(), n_blocks); break;
        case ops::ggml_type::bf16: bad = ops::first_nonfinite(dtype::bf16, src.data(), n_blocks); break;
        default: bad = ops::first_nonfinite_block(t.type, src.data(), n_blocks); break;
        }
        require(bad == n_blocks, error_kind::invalid_data, [&] {
            return what_ + ": tensor '" + t.name + "': " + std::string(tr.name) +
                   (tr.block_size == 1 ? " value " : " block ") + std::to_string(bad) + " has a NaN or Inf " +
                   (tr.block_size == 1 ? "" : "scale");
        });
    }

    const gguf_value& at(std::string_view key) const {
        const gguf_value* v = find(key);
        if (!v) throw error(error_kind::out_of_range, what_ + ": metadata key '" + std::string(key) + "' not found");
        return *v;
    }
    error type_error(std::string_view key, const gguf_value& v, const std::string& wanted) const {
        return error(error_kind::inconsistent, what_ + ": metadata key '" + std::string(key) + "' is " +
                                                   v.type_name() + ", expected " + wanted);
    }

    // Smallest encodings, used to bound counts by the bytes that remain.
    static constexpr std::uint64_t min_kv_bytes = 8 + 1 + 4 + 1;                // key len, 1-byte key, type, u8
    static constexpr std::uint64_t min_tensor_info_bytes = 8 + 1 + 4 + 8 + 4 + 8;  // name, n_dims, 1 dim, type, offset

    std::string_view read_string_view(byte_reader& r, std::uint64_t cap, const char* item) const {
        const std::size_t at = r.offset();
        const auto len = r.read<std::uint64_t>();
        if (len > cap)
            throw error(error_kind::too_large, what_ + ": " + item + " at byte " + std::to_string(at) + " has length " +
                                                   std::to_string(len) + ", over the limit " + std::to_string(cap));
        return r.take_string(len, item);
    }
    std::string read_string(byte_reader& r, std::uint64_t cap, const char* item) const {
        return std::string(read_string_view(r, cap, item));
    }

    template <class T>
    static T read_scalar(byte_reader& r) {
        if constexpr (std::is_same_v<T, bool>) {
            const auto b = r.read<std::uint8_t>();
            if (b > 1) throw error(error_kind::malformed, r.what() + ": bool at byte " + std::to_string(r.offset() - 1) +
                                                              " is " + std::to_string(b) + ", not 0 or 1");
            return b != 0;
        } else {
            return r.read<T>();
        }
    }

    template <class T>
    static gguf_value scalar_value(byte_reader& r) { return gguf_value(read_scalar<T>(r)); }

    template <class T>
    gguf_value read_array_of(byte_reader& r, std::uint64_t count, const std::string& key, const limits& lim) const {
        if constexpr (std::is_same_v<T, std::string>) {
            // Validated here, entry by entry; kept as a view of the file's bytes.
            if (count > r.remaining() / 8)
                throw error(error_kind::truncated, what_ + ": array '" + key + "' promises " + std::to_string(count) +
                                                       " strings, only " + std::to_string(r.remaining()) + " bytes remain");
            const std::size_t start = r.offset();
            for (std::uint64_t i = 0; i < count; ++i) (void)read_string_view(r, lim.max_string_bytes, "array string");
            return gguf_value(gguf_string_array::view(bytes_.subspan(start, r.offset() - start),
                                                      static_cast<std::size_t>(count)));
        } else {
            std::vector<T> v;
            std::uint64_t bytes = 0;
            if (__builtin_mul_overflow(count, std::uint64_t(sizeof(T)), &bytes))
                throw error(error_kind::overflow, what_ + ": array '" + key + "' size overflows 64 bits");
            r.need(bytes, "array elements");
            v.reserve(static_cast<std::size_t>(count));
            for (std::uint64_t i = 0; i < count; ++i) v.push_back(read_scalar<T>(r));
            return gguf_value(std::move(v));
        }
    }

    gguf_value read_value(byte_reader& r, std::uint32_t type, const std::string& key, const limits& lim) const {
        switch (static_cast<gguf_value_type>(type)) {
        case gguf_value_type::u8: return scalar_value<std::uint8_t>(r);
        case gguf_value_type::i8: return scalar_value<std::int8_t>(r);
        case gguf_value_type::u16: return scalar_value<std::uint16_t>(r);
        case gguf_value_type::i16: return scalar_value<std::int16_t>(r);
        case gguf_value_type::u32: return scalar_value<std::uint32_t>(r);
        case gguf_value_type::i32: return scalar_value<std::int32_t>(r);
        case gguf_value_type::f32: return scalar_value<float>(r);
        case gguf_value_type::boolean: return scalar_value<bool>(r);
        case gguf_value_type::u64: return scalar_value<std::uint64_t>(r);
        case gguf_value_type::i64: return scalar_value<std::int64_t>(r);
        case gguf_value_type::f64: return scalar_value<double>(r);
        case gguf_value_type::string: return gguf_value(read_string(r, lim.max_string_bytes, "string value"));
        case gguf_value_type::array: {
            const auto et = r.read<std::uint32_t>();
            if (et == static_cast<std::uint32_t>(gguf_value_type::array))
                throw error(error_kind::unsupported, what_ + ": metadata key '" + key + "' is a nested array");
            if (et >= gguf_value_type_count)
                throw error(error_kind::malformed, what_ + ": metadata key '" + key + "' has unknown array element type " +
                                                       std::to_string(et));
            const auto count = r.read<std::uint64_t>();
            if (count > lim.max_array_elements)
                throw error(error_kind::too_large, what_ + ": array '" + key + "' has " + std::to_string(count) +
                                                       " elements, over the limit " +
                                                       std::to_string(lim.max_array_elements));
            switch (static_cast<gguf_value_type>(et)) {
            case gguf_value_type::u8: return read_array_of<std::uint8_t>(r, count, key, lim);
            case gguf_value_type::i8: return read_array_of<std::int8_t>(r, count, key, lim);
            case gguf_value_type::u16: return read_array_of<std::uint16_t>(r, count, key, lim);
            case gguf_value_type::i16: return read_array_of<std::int16_t>(r, count, key, lim);
            case gguf_value_type::u32: return read_array_of<std::uint32_t>(r, count, key, lim);
            case gguf_value_type::i32: return read_array_of<std::int32_t>(r, count, key, lim);
            case gguf_value_type::f32: return read_array_of<float>(r, count, key, lim);
            case gguf_value_type::boolean: return read_array_of<bool>(r, count, key, lim);
            case gguf_value_type::string: return read_array_of<std::string>(r, count, key, lim);
            case gguf_value_type::u64: return read_array_of<std::uint64_t>(r, count, key, lim);
            case gguf_value_type::i64: return read_array_of<std::int64_t>(r, count, key, lim);
            case gguf_value_type::f64: return read_array_of<double>(r, count, key, lim);
            default: break;
            }
            break;
        }
        default: break;
        }
        throw error(error_kind::malformed,
                    what_ + ": metadata key '" + key + "' has unknown value type " + std::to_string(type));
    }

    // Bounds a count read from the header by a limit and by the bytes left.
    void check_count(std::uint64_t n, std::uint64_t cap, std::uint64_t min_item_bytes, std::uint64_t remaining,
                     const char* what) const {
        if (n > cap)
            throw error(error_kind::too_large,
                        what_ + ": " + what + " = " + std::to_string(n) + " is over the limit " + std::to_string(cap));
        if (n > remaining / min_item_bytes)
            throw error(error_kind::truncated, what_ + ": " + what + " = " + std::to_string(n) + " cannot fit in the " +
                                                   std::to_string(remaining) + " bytes that remain");
    }

    gguf_tensor_info read_tensor_info(byte_reader& r, const limits& lim) const {
        gguf_tensor_info t;
        const std::size_t at = r.offset();
        t.name = read_string(r, lim.max_name_bytes, "tensor name");
        const std::string who = what_ + ": tensor '" + t.name + "'";
        if (t.name.empty())
            throw error(error_kind::malformed, what_ + ": tensor info at byte " + std::to_string(at) + " has an empty name");
        t.n_dims = r.read<std::uint32_t>();
        if (t.n_dims == 0 || t.n_dims > gguf_max_dims)
            throw error(error_kind::malformed,
                        who + " has " + std::to_string(t.n_dims) + " dimensions; GGUF allows 1 to 4");
        for (std::uint32_t d = 0; d < t.n_dims; ++d) {
            t.ne[d] = r.read<std::uint64_t>();
            if (t.ne[d] == 0 || t.ne[d] > std::uint64_t(INT64_MAX))
                throw error(error_kind::malformed, who + ": ne[" + std::to_string(d) + "] = " +
                                                       std::to_string(static_cast<std::int64_t>(t.ne[d])) +
                                                       " (dimensions must be positive)");
        }
        const auto type = r.read<std::uint32_t>();
        const auto tr = ops::traits_of(type);
        if (!tr.known) throw error(error_kind::malformed, who + " has unknown ggml type " + std::to_string(type));
        if (!tr.supported)
            throw error(error_kind::unsupported, who + " has ggml type " + std::string(tr.name) + " (" +
                                                     std::to_string(type) + "), which tessera does not read");
        t.type = static_cast<ops::ggml_type>(type);
        t.offset = r.read<std::uint64_t>();

        if (t.ne[0] % tr.block_size != 0)
            throw error(error_kind::inconsistent, who + ": ne[0] = " + std::to_string(t.ne[0]) +
                                                      " is not a multiple of the " + std::string(tr.name) +
                                                      " block size " + std::to_string(tr.block_size));
        t.numel = 1;
        for (std::uint32_t d = 0; d < t.n_dims; ++d)
            if (__builtin_mul_overflow(t.numel, t.ne[d], &t.numel))  // message names the file and tensor
                throw error(error_kind::overflow, who + ": element count overflows 64 bits");
        if (t.numel > std::uint64_t(INT64_MAX))
            throw error(error_kind::overflow, who + ": element count " + std::to_string(t.numel) + " exceeds 2^63 - 1");
        if (__builtin_mul_overflow(t.numel / tr.block_size, std::uint64_t(tr.type_size), &t.bytes))
            throw error(error_kind::overflow, who + ": byte size overflows 64 bits");
        if (t.bytes > lim.max_tensor_bytes)
            throw error(error_kind::too_large, who + " has " + std::to_string(t.bytes) + " bytes, over the limit " +
                                                   std::to_string(lim.max_tensor_bytes));
        return t;
    }

    void parse(const limits& lim) {
        byte_reader r(bytes_, what_);
        const auto magic = r.read<std::uint32_t>();
        if (magic != gguf_magic) throw error(error_kind::malformed, what_ + ": not a GGUF file (bad magic)");
        version_ = r.read<std::uint32_t>();
        if (version_ != 2 && version_ != 3)
            throw error(error_kind::unsupported, what_ + ": GGUF version " + std::to_string(version_) +
                                                     " is not supported (2 and 3 are; a huge number may mean a "
                                                     "big-endian file)");
        const auto n_tensors = r.read<std::uint64_t>();
        const auto n_kv = r.read<std::uint64_t>();
        check_count(n_kv, lim.max_metadata_entries, min_kv_bytes, r.remaining(), "n_kv");
        check_count(n_tensors, lim.max_tensors, min_tensor_info_bytes, r.remaining(), "n_tensors");
        if (checked_add(checked_mul(n_kv, min_kv_bytes, "GGUF header size"),
                        checked_mul(n_tensors, min_tensor_info_bytes, "GGUF header size"), "GGUF header size") >
            r.remaining())
            throw error(error_kind::truncated, what_ + ": " + std::to_string(n_kv) + " keys and " +
                                                   std::to_string(n_tensors) + " tensors cannot fit in the " +
                                                   std::to_string(r.remaining()) + " bytes that remain");

        kv_.reserve(static_cast<std::size_t>(n_kv));
        for (std::uint64_t i = 0; i < n_kv; ++i) {
            const std::size_t at = r.offset();
            std::string key = read_string(r, lim.max_name_bytes, "metadata key");
            if (key.empty())
                throw error(error_kind::malformed, what_ + ": metadata key at byte " + std::to_string(at) + " is empty");
            if (kv_index_.count(key))
                throw error(error_kind::duplicate, what_ + ": metadata key '" + key + "' appears twice");
            const auto type = r.read<std::uint32_t>();
            gguf_value value = read_value(r, type, key, lim);
            kv_index_.emplace(key, kv_.size());
            kv_.push_back({std::move(key), std::move(value)});
        }

        alignment_ = gguf_default_alignment;
        if (contains(gguf_alignment_key)) {
            const std::uint32_t a = get<std::uint32_t>(gguf_alignment_key);
            if (a == 0 || (a & (a - 1)) != 0)
                throw error(error_kind::malformed,
                            what_ + ": general.alignment = " + std::to_string(a) + " is not a power of two");
            if (a > lim.max_alignment)
                throw error(error_kind::out_of_range, what_ + ": general.alignment = " + std::to_string(a) +
                                                          " is over the limit " + std::to_string(lim.max_alignment));
            alignment_ = a;
        }

        // The tensor count was bounded above, but key/values have consumed bytes since.
        check_count(n_tensors, lim.max_tensors, min_tensor_info_bytes, r.remaining(), "n_tensors");
        tensors_.reserve(static_cast<std::size_t>(n_tensors));
        for (std::uint64_t i = 0; i < n_tensors; ++i) {
            gguf_tensor_info t = read_tensor_info(r, lim);
            if (tensor_index_.count(t.name))
                throw error(error_kind::duplicate, what_ + ": tensor '" + t.name + "' appears twice");
            if (t.offset % alignment_ != 0)
                throw error(error_kind::malformed, what_ + ": tensor '" + t.name + "' offset " + std::to_string(t.offset) +
                                                       " is not a multiple of the alignment " +
                                                       std::to_string(alignment_));
            tensor_index_.emplace(t.name, tensors_.size());
            tensors_.push_back(std::move(t));
        }

        const std::uint64_t header_end = r.offset();
        if (header_end > lim.max_header_bytes)
            throw error(error_kind::too_large, what_ + ": header is " + std::to_string(header_end) +
                                                   " bytes, over the limit " + std::to_string(lim.max_header_bytes));
        data_offset_ = checked_add(header_end, (alignment_ - header_end % alignment_) % alignment_, "GGUF data offset");
        if (tensors_.empty()) return;

        const std::uint64_t file_size = bytes_.size();
        if (data_offset_ > file_size)
            throw error(error_kind::truncated, what_ + ": data section would start at byte " +
                                                   std::to_string(data_offset_) + ", past the end of the " +
                                                   std::to_string(file_size) + "-byte file");
        const std::uint64_t data_size = file_size - data_offset_;
        for (const gguf_tensor_info& t : tensors_)
            if (t.offset > data_size || t.bytes > data_size - t.offset)
                throw error(error_kind::truncated, what_ + ": tensor '" + t.name + "' needs data bytes [" +
                                                       std::to_string(t.offset) + ", " + std::to_string(t.offset) + " + " +
                                                       std::to_string(t.bytes) + "), the data section has " +
                                                       std::to_string(data_size));
        std::vector<std::size_t> order(tensors_.size());
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::sort(order.begin(), order.end(),
                  [&](std::size_t a, std::size_t b) { return tensors_[a].offset < tensors_[b].offset; });
        for (std::size_t i = 1; i < order.size(); ++i) {
            const gguf_tensor_info& prev = tensors_[order[i - 1]];
            const gguf_tensor_info& cur = tensors_[order[i]];
            if (prev.offset + prev.bytes > cur.offset)  // both are <= data_size: no overflow
                throw error(error_kind::inconsistent, what_ + ": tensors '" + prev.name + "' [" +
                                                          std::to_string(prev.offset) + ", " +
                                                          std::to_string(prev.offset + prev.bytes) + ") and '" +
                                                          cur.name + "' (at " + std::to_string(cur.offset) +
                                                          ") overlap");
        }
    }

    mapped_file file_;
    aligned_array<std::byte> owned_;
    std::span<const std::byte> bytes_;
    std::string what_;
    std::uint32_t version_ = 0;
    std::uint64_t alignment_ = gguf_default_alignment;
    std::uint64_t data_offset_ = 0;
    std::vector<gguf_kv> kv_;
    std::map<std::string, std::size_t, std::less<>> kv_index_;
    std::vector<gguf_tensor_info> tensors_;
    std::map<std::string, std::size_t, std::less<>> tensor_index_;
};

}  // namespace tessera::io
