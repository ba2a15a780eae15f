#pragma once
// Parsing and validating a safetensors header. Nothing here trusts a byte it has not checked.
//
// File layout (all of it; there is no footer):
//
//   offset 0      u64 little-endian N: length of the JSON header in bytes
//   offset 8      N bytes of UTF-8 JSON, an object; may be padded with trailing spaces
//                   { "__metadata__": { "key": "value", ... },          (optional)
//                     "tensor.name": { "dtype": "F32",
//                                      "shape": [d0, d1, ...],          (rank 0 allowed)
//                                      "data_offsets": [begin, end] },  (relative to 8 + N)
//                     ... }
//   offset 8 + N  data section: the tensors' bytes, row-major, little-endian
//
// Validation (RELIABILITY.md rule 4): N fits the file and limits.max_header_bytes; the text
// is UTF-8, nested at most limits.max_json_depth, strict JSON, an object; no key appears
// twice at any level we interpret; each dtype is one tessera supports; shape entries are
// non-negative integers with a product that fits 64 bits; data_offsets are two exact u64
// with end - begin == numel * dtype size; sorted by offset the ranges start at 0, touch
// without gaps or overlaps, and end exactly at the end of the file.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "tessera/core/checked_math.hpp"
#include "tessera/core/dtype.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/limits.hpp"
#include "tessera/core/shape.hpp"
#include "tessera/io/json_guard.hpp"

namespace tessera::io {

static_assert(sizeof(std::size_t) == 8, "safetensors offsets and shapes are 64-bit; tessera needs a 64-bit size_t");

// One tensor of a safetensors file, as validated.
struct safetensors_tensor_info {
    std::string name;
    dtype type = dtype::f32;
    shape dims;                     // rank 0..max_rank; a rank-0 tensor holds one element
    std::uint64_t data_begin = 0;   // offset inside the data section (the file's data_offsets[0])
    std::uint64_t file_offset = 0;  // offset of the first byte in the file: 8 + N + data_begin
    std::uint64_t byte_size = 0;    // numel * size_of(type)

    std::size_t numel() const { return dims.numel(); }  // cannot throw once validated
};

// `__metadata__` (string -> string). Ordered so listings are deterministic.
using safetensors_metadata = std::map<std::string, std::string, std::less<>>;

// Name lookup that accepts string_view without building a std::string.
struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
using name_index = std::unordered_map<std::string, std::size_t, string_hash, std::equal_to<>>;

// The safetensors dtype names (Hugging Face spelling) and what tessera makes of them.
inline std::optional<dtype> safetensors_dtype_from_name(std::string_view s) noexcept {
    if (s == "F64") return dtype::f64;
    if (s == "F32") return dtype::f32;
    if (s == "F16") return dtype::f16;
    if (s == "BF16") return dtype::bf16;
    if (s == "I64") return dtype::i64;
    if (s == "I32") return dtype::i32;
    if (s == "I16") return dtype::i16;
    if (s == "I8") return dtype::i8;
    if (s == "U8") return dtype::u8;
    if (s == "BOOL") return dtype::boolean;
    return std::nullopt;
}

// Names the format defines that tessera does not implement (so the error can say so).
inline bool is_known_safetensors_dtype(std::string_view s) noexcept {
    constexpr std::string_view others[] = {"U16",     "U32",     "U64",     "F8_E4M3", "F8_E5M2",
                                           "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4",      "C64"};
    return std::find(std::begin(others), std::end(others), s) != std::end(others) ||
           safetensors_dtype_from_name(s).has_value();
}

constexpr std::string_view safetensors_dtype_name(dtype t) noexcept {
    switch (t) {
    case dtype::f64: return "F64";
    case dtype::f32: return "F32";
    case dtype::f16: return "F16";
    case dtype::bf16: return "BF16";
    case dtype::i64: return "I64";
    case dtype::i32: return "I32";
    case dtype::i16: return "I16";
    case dtype::i8: return "I8";
    case dtype::u8: return "U8";
    case dtype::boolean: return "BOOL";
    }
    return "?";
}

// The validated header: tensors in file order (ascending offset; zero-size ties keep
// header order), a name index into that vector, and the metadata.
struct safetensors_header {
    std::vector<safetensors_tensor_info> tensors;
    name_index index;
    safetensors_metadata metadata;
    std::uint64_t header_bytes = 0;  // N
    std::uint64_t data_offset = 0;   // 8 + N
    std::uint64_t data_bytes = 0;    // file size - 8 - N
};

namespace detail {

// Builds tensor entries straight from SAX events (no DOM), checking types and duplicates as
// they arrive. Unknown keys inside a tensor entry are skipped, as Hugging Face's reader does.
class safetensors_header_handler : public sax_failure_slot {
public:
    using json = nlohmann::json;

    safetensors_header_handler(safetensors_header& out, const limits& lim, const std::string& what,
                               std::uint64_t base_offset)
        : out_(out), lim_(lim), what_(what), base_(base_offset) {}

    bool start_object(std::size_t) {
        switch (state_) {
        case where::start: state_ = where::top; return true;
        case where::top: return begin_top_value();
        case where::skip: ++skip_depth_; return true;
        default: return wrong_type("an object");
        }
    }
    bool end_object() {
        switch (state_) {
        case where::top: state_ = where::done; return true;
        case where::metadata: state_ = where::top; return true;
        case where::tensor: return finish_tensor();
        case where::skip: return end_skipped();
        default: return fail(error_kind::malformed, what_ + ": unbalanced JSON object");
        }
    }
    bool start_array(std::size_t) {
        if (state_ == where::skip) {
            ++skip_depth_;
            return true;
        }
        if (state_ == where::tensor && field_ == field_shape) {
            state_ = where::shape;
            return true;
        }
        if (state_ == where::tensor && field_ == field_offsets) {
            state_ = where::offsets;
            offsets_seen_ = 0;
            return true;
        }
        return wrong_type("an array");
    }
    bool end_array() {
        switch (state_) {
        case where::shape: state_ = where::tensor; return true;
        case where::offsets:
            state_ = where::tensor;
            if (offsets_seen_ != 2)
                return fail(error_kind::malformed, tensor_context() +
                                                       "data_offsets must hold exactly 2 integers, has " +
                                                       std::to_string(offsets_seen_));
            return true;
        case where::skip: return end_skipped();
        default: return fail(error_kind::malformed, what_ + ": unbalanced JSON array");
        }
    }
    bool key(std::string& k) {
        switch (state_) {
        case where::top: top_key_ = std::move(k); return true;
        case where::metadata:
            if (out_.metadata.count(k))
                return fail(error_kind::duplicate, what_ + ": __metadata__ key \"" + k + "\" appears twice");
            if (out_.metadata.size() >= lim_.max_metadata_entries)
                return fail(error_kind::too_large, what_ + ": __metadata__ has more than " +
                                                       std::to_string(lim_.max_metadata_entries) + " entries");
            meta_key_ = std::move(k);
            return true;
        case where::tensor: {
            unsigned bit = 0;
            if (k == "dtype") bit = field_dtype;
            else if (k == "shape") bit = field_shape;
            else if (k == "data_offsets") bit = field_offsets;
            if (bit == 0) {  // not ours: skip the value whatever it is
                state_ = where::skip;
                skip_depth_ = 0;
                return true;
            }
            if (fields_ & bit) return fail(error_kind::duplicate, tensor_context() + "key \"" + k + "\" appears twice");
            fields_ |= bit;
            field_ = bit;
            return true;
        }
        case where::skip: return true;
        default: return fail(error_kind::malformed, what_ + ": unexpected key");
        }
    }

    bool string(std::string& s) {
        if (state_ == where::metadata) {
            if (s.size() > lim_.max_string_bytes)
                return fail(error_kind::too_large, what_ + ": __metadata__ value for \"" + meta_key_ + "\" is over " +
                                                       std::to_string(lim_.max_string_bytes) + " bytes");
            out_.metadata.emplace(std::move(meta_key_), std::move(s));
            return true;
        }
        if (state_ == where::tensor && field_ == field_dtype) {
            if (auto t = safetensors_dtype_from_name(s)) {
                cur_.type = *t;
                return true;
            }
            if (is_known_safetensors_dtype(s))
                return fail(error_kind::unsupported, tensor_context() + "dtype " + s + " is not supported by tessera");
            return fail(error_kind::unsupported, tensor_context() + "unknown dtype \"" + s + "\"");
        }
        return scalar("a string");
    }
    bool number_unsigned(std::uint64_t v) {
        if (state_ == where::shape) {
            if (cur_.dims.rank() == max_rank)
                return fail(error_kind::unsupported, tensor_context() + "rank above " + std::to_string(max_rank));
            cur_.dims.push_back(static_cast<std::size_t>(v));
            return true;
        }
        if (state_ == where::offsets) {
            if (offsets_seen_ >= 2)
                return fail(error_kind::malformed, tensor_context() + "data_offsets has more than 2 entries");
            offsets_[offsets_seen_++] = v;
            return true;
        }
        return scalar("a number");
    }
    bool number_integer(std::int64_t v) {
        // nlohmann reports only literals with a leading '-' here; "-0" is zero.
        if (v == 0) return number_unsigned(0);
        if (state_ == where::shape || state_ == where::offsets)
            return fail(error_kind::out_of_range,
                        tensor_context() + array_name() + " entry " + std::to_string(v) + " is negative");
        return scalar("a number");
    }
    bool number_float(double, const std::string& text) {
        if (state_ == where::shape || state_ == where::offsets) {
            // nlohmann turns integer literals above 2^64-1 into floats; say which it was.
            const bool integer_literal = text.find_first_of(".eE") == std::string::npos;
            if (integer_literal)
                return fail(error_kind::out_of_range,
                            tensor_context() + array_name() + " entry " + text + " does not fit 64 bits");
            return fail(error_kind::malformed,
                        tensor_context() + array_name() + " entry " + text + " is not an integer");
        }
        return scalar("a number");
    }
    bool null() { return scalar("null"); }
    bool boolean(bool) { return scalar("a boolean"); }
    bool binary(json::binary_t&) { return scalar("binary"); }
    bool parse_error(std::size_t position, const std::string&, const json::exception& ex) {
        return fail(error_kind::malformed, json_syntax_message(what_, base_, position, ex));
    }

private:
    enum class where { start, top, metadata, tensor, shape, offsets, skip, done };
    static constexpr unsigned field_dtype = 1, field_shape = 2, field_offsets = 4;

    std::string tensor_context() const { return what_ + ": tensor \"" + cur_.name + "\": "; }
    const char* array_name() const { return state_ == where::shape ? "shape" : "data_offsets"; }

    // The value of a top-level key starts with '{'.
    bool begin_top_value() {
        if (top_key_ == "__metadata__") {
            if (metadata_seen_) return fail(error_kind::duplicate, what_ + ": \"__metadata__\" appears twice");
            metadata_seen_ = true;
            state_ = where::metadata;
            return true;
        }
        if (top_key_.size() > lim_.max_name_bytes)
            return fail(error_kind::too_large, what_ + ": a tensor name is " + std::to_string(top_key_.size()) +
                                                   " bytes, over the limit of " + std::to_string(lim_.max_name_bytes));
        if (out_.tensors.size() >= lim_.max_tensors)
            return fail(error_kind::too_large,
                        what_ + ": more than " + std::to_string(lim_.max_tensors) + " tensors (limits.max_tensors)");
        auto [it, inserted] = out_.index.try_emplace(top_key_, out_.tensors.size());
        if (!inserted) return fail(error_kind::duplicate, what_ + ": tensor \"" + top_key_ + "\" appears twice");
        cur_ = safetensors_tensor_info{};
        cur_.name = std::move(top_key_);
        fields_ = 0;
        field_ = 0;
        state_ = where::tensor;
        return true;
    }

    bool finish_tensor() {
        const char* missing = !(fields_ & field_dtype)     ? "dtype"
                              : !(fields_ & field_shape)   ? "shape"
                              : !(fields_ & field_offsets) ? "data_offsets"
                                                           : nullptr;
        if (missing) return fail(error_kind::malformed, tensor_context() + "has no \"" + missing + "\"");
        cur_.data_begin = offsets_[0];
        data_end_.push_back(offsets_[1]);
        out_.tensors.push_back(std::move(cur_));
        state_ = where::top;
        return true;
    }

    bool end_skipped() {
        if (--skip_depth_ == 0) state_ = where::tensor;
        return true;
    }

    // A scalar where it does not belong, or the end of a skipped scalar value.
    bool scalar(const char* kind) {
        if (state_ == where::skip) {
            if (skip_depth_ == 0) state_ = where::tensor;
            return true;
        }
        return wrong_type(kind);
    }

    bool wrong_type(const char* kind) {
        switch (state_) {
        case where::start: return fail(error_kind::malformed, what_ + ": header is " + kind + ", not a JSON object");
        case where::top:
            if (top_key_ == "__metadata__")
                return fail(error_kind::malformed, what_ + ": __metadata__ is " + kind + ", not an object");
            return fail(error_kind::malformed, what_ + ": entry \"" + top_key_ + "\" is " + kind + ", not an object");
        case where::metadata:
            return fail(error_kind::malformed,
                        what_ + ": __metadata__ value for \"" + meta_key_ + "\" is " + kind + ", not a string");
        case where::tensor:
            return fail(error_kind::malformed, tensor_context() +
                                                   (field_ == field_dtype   ? "dtype must be a string"
                                                    : field_ == field_shape ? "shape must be an array"
                                                                            : "data_offsets must be an array") +
                                                   ", found " + kind);
        case where::shape:
        case where::offsets:
            return fail(error_kind::malformed,
                        tensor_context() + array_name() + " entries must be integers, found " + kind);
        default: return fail(error_kind::malformed, what_ + ": unexpected " + kind);
        }
    }

public:
    std::vector<std::uint64_t> data_end_;  // data_offsets[1] of out_.tensors[i]

private:
    safetensors_header& out_;
    const limits& lim_;
    const std::string& what_;
    std::uint64_t base_;
    where state_ = where::start;
    std::string top_key_, meta_key_;
    bool metadata_seen_ = false;
    safetensors_tensor_info cur_;
    unsigned fields_ = 0, field_ = 0;
    std::uint64_t offsets_[2] = {0, 0};
    unsigned offsets_seen_ = 0;
    int skip_depth_ = 0;
};

}  // namespace detail

// Parses and validates the header of the safetensors bytes `file` (the whole file).
// `what` names the file in messages. Throws tessera::error; returns only a fully
// consistent header.
inline safetensors_header parse_safetensors_header(std::span<const std::byte> file, const std::string& what,
                                                   const limits& lim) {
    if (file.size() < 8)
        throw error(error_kind::truncated,
                    what + ": " + std::to_string(file.size()) + " bytes, shorter than the 8-byte header length");
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | std::to_integer<std::uint64_t>(file[static_cast<std::size_t>(i)]);
    // Compare against what remains (no 8 + n, which wraps for n near 2^64).
    if (n > lim.max_header_bytes)
        throw error(error_kind::too_large, what + ": header length " + std::to_string(n) + " is over the limit of " +
                                               std::to_string(lim.max_header_bytes) +
                                               " bytes (limits.max_header_bytes)");
    if (n > file.size() - 8)
        throw error(error_kind::truncated, what + ": header length " + std::to_string(n) + " is larger than the " +
                                               std::to_string(file.size() - 8) + " bytes after the length field");

    safetensors_header h;
    h.header_bytes = n;
    h.data_offset = 8 + n;
    h.data_bytes = file.size() - h.data_offset;

    const std::string_view text(reinterpret_cast<const char*>(file.data()) + 8, static_cast<std::size_t>(n));
    // The format requires the object to open the header (only trailing padding is allowed).
    if (text.empty() || text.front() != '{')
        throw error(error_kind::malformed, what + ": header at byte 8 does not start with '{'");
    detail::safetensors_header_handler handler(h, lim, what, 8);
    sax_parse_guarded(text, handler, lim.max_json_depth, what, 8);

    // Per-tensor sizes and ranges.
    auto& ts = h.tensors;
    const auto& ends = handler.data_end_;
    for (std::size_t i = 0; i < ts.size(); ++i) {
        auto& t = ts[i];
        const std::uint64_t begin = t.data_begin, end = ends[i];
        // Messages are built only on failure: this loop runs once per tensor (up to millions).
        auto fail = [&](error_kind kind, const std::string& problem) {
            throw error(kind, what + ": tensor \"" + t.name + "\": shape " + t.dims.to_string() + " " +
                                  std::string(safetensors_dtype_name(t.type)) + ", data_offsets [" +
                                  std::to_string(begin) + ", " + std::to_string(end) + "]: " + problem);
        };
        std::uint64_t numel = 1;
        for (std::size_t d : t.dims)
            if (__builtin_mul_overflow(numel, std::uint64_t(d), &numel))
                fail(error_kind::overflow, "element count overflows 64 bits");
        std::uint64_t bytes = 0;
        if (__builtin_mul_overflow(numel, std::uint64_t(size_of(t.type)), &bytes))
            fail(error_kind::overflow, "byte size overflows 64 bits");
        if (bytes > lim.max_tensor_bytes)
            fail(error_kind::too_large, std::to_string(bytes) + " bytes, over limits.max_tensor_bytes");
        if (end < begin) fail(error_kind::inconsistent, "end before begin");
        if (end > h.data_bytes)
            fail(error_kind::out_of_range, "past the end of the " + std::to_string(h.data_bytes) +
                                               "-byte data section, which starts at file byte " +
                                               std::to_string(h.data_offset));
        if (end - begin != bytes)
            fail(error_kind::inconsistent,
                 "the range holds " + std::to_string(end - begin) + " bytes, the shape needs " + std::to_string(bytes));
        t.byte_size = bytes;
        t.file_offset = h.data_offset + begin;  // both within the file: no overflow
    }

    // Sorted by offset, the ranges must tile [0, data_bytes) exactly.
    std::vector<std::size_t> order(ts.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return ts[a].data_begin != ts[b].data_begin ? ts[a].data_begin < ts[b].data_begin : ends[a] < ends[b];
    });
    std::uint64_t expected = 0;
    const std::string* previous = nullptr;
    for (std::size_t i : order) {
        const auto& t = ts[i];
        if (t.data_begin != expected) {
            const bool gap = t.data_begin > expected;
            throw error(error_kind::inconsistent,
                        what + ": tensor \"" + t.name + "\" starts at data offset " + std::to_string(t.data_begin) +
                            (gap ? ", leaving a gap after " : ", overlapping ") +
                            (previous ? "tensor \"" + *previous + "\"" : std::string("the start of the data section")) +
                            " which ends at " + std::to_string(expected) + " (file byte " +
                            std::to_string(h.data_offset + expected) + ")");
        }
        expected = ends[i];
        previous = &t.name;
    }
    if (expected != h.data_bytes)
        throw error(error_kind::inconsistent, what + ": " + std::to_string(h.data_bytes - expected) +
                                                  " bytes after the last tensor (from file byte " +
                                                  std::to_string(h.data_offset + expected) + ")");

    // Reorder into file order and repoint the index without rehashing.
    std::vector<std::size_t> new_position(ts.size());
    std::vector<safetensors_tensor_info> sorted;
    sorted.reserve(ts.size());
    for (std::size_t k = 0; k < order.size(); ++k) {
        new_position[order[k]] = k;
        sorted.push_back(std::move(ts[order[k]]));
    }
    ts = std::move(sorted);
    for (auto& [name, pos] : h.index) pos = new_position[pos];
    return h;
}

}  // namespace tessera::io
