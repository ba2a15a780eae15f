#pragma once
// save_safetensors: writes named tensors (any dtype tessera supports, any strides) as one
// .safetensors file that Hugging Face's reader and safetensors_file accept.
//
//   io::save_safetensors("out.safetensors",
//                        {{"w", weights.view()}, {"b", bias.view()}},
//                        {{"format", "pt"}});
//
// Layout written: the u64 header length, the JSON header (__metadata__ first, then the
// tensors in the order given) padded with spaces so the data section starts at a multiple
// of 8 bytes (as Hugging Face pads), then each tensor's elements row-major and contiguous,
// back to back, widest dtype first (as Hugging Face orders them), so every tensor of the
// written file can be viewed in place by safetensors_file::view<T>.
// The file is written to a temporary name in the same directory, flushed, and renamed over
// `path`, so readers never see a half-written file (mapped_file.hpp explains why that matters).
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <algorithm>
#include <filesystem>
#include <initializer_list>
#include <numeric>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "tessera/core/checked_math.hpp"
#include "tessera/core/dtype.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/shape.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/io/safetensors_file.hpp"
#include "tessera/io/safetensors_header.hpp"

namespace tessera::io {

// A named, typed, possibly strided view of elements to write. Holds pointers only: the
// tensors must stay alive until save_safetensors returns.
struct safetensors_tensor_ref {
    std::string name;
    dtype type = dtype::f32;
    shape dims;
    shape strides;  // in elements, one per dim
    const std::byte* data = nullptr;

    template <class T>
    safetensors_tensor_ref(std::string n, tensor_view<const T> v)
        : name(std::move(n)),
          type(element_dtype<T>()),
          dims(v.dims()),
          strides(v.strides()),
          data(reinterpret_cast<const std::byte*>(v.data())) {}
    template <class T, class = std::enable_if_t<!std::is_const_v<T>>>
    safetensors_tensor_ref(std::string n, tensor_view<T> v)
        : safetensors_tensor_ref(std::move(n), tensor_view<const T>(v)) {}
    template <class T>
    safetensors_tensor_ref(std::string n, const tensor<T>& t) : safetensors_tensor_ref(std::move(n), t.view()) {}
};

namespace detail {

// An open temporary file that is removed unless commit() renames it into place.
class temp_file_writer {
public:
    explicit temp_file_writer(const std::filesystem::path& target) : target_(target) {
        std::string pattern = target.string() + ".tmp-XXXXXX";
        fd_ = ::mkstemp(pattern.data());
        if (fd_ < 0)
            throw error(error_kind::io, target.string() + ": cannot create a temporary file: " + std::strerror(errno));
        temp_ = pattern;
    }
    ~temp_file_writer() {
        if (fd_ >= 0) ::close(fd_);
        if (!committed_) ::unlink(temp_.c_str());
    }
    temp_file_writer(const temp_file_writer&) = delete;
    temp_file_writer& operator=(const temp_file_writer&) = delete;

    void write(const void* data, std::size_t n) {
        const auto* p = static_cast<const char*>(data);
        while (n > 0) {
            const ssize_t w = ::write(fd_, p, n);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) throw error(error_kind::io, temp_ + ": write failed: " + std::strerror(errno));
            p += w;
            n -= static_cast<std::size_t>(w);
        }
    }

    void commit() {
        if (::fsync(fd_) != 0) throw error(error_kind::io, temp_ + ": fsync failed: " + std::strerror(errno));
        const int fd = fd_;
        fd_ = -1;
        if (::close(fd) != 0) throw error(error_kind::io, temp_ + ": close failed: " + std::strerror(errno));
        if (::rename(temp_.c_str(), target_.c_str()) != 0)
            throw error(error_kind::io,
                        target_.string() + ": rename from " + temp_ + " failed: " + std::strerror(errno));
        committed_ = true;
    }

private:
    std::filesystem::path target_;
    std::string temp_;
    int fd_ = -1;
    bool committed_ = false;
};

// Writes the elements of a strided view row-major through a staging buffer. The outer
// dims advance like an odometer (no recursion); the last dim is one memcpy when its stride
// is 1, element by element otherwise.
inline void write_strided(temp_file_writer& out, const safetensors_tensor_ref& t, std::size_t numel) {
    const std::size_t esize = size_of(t.type);
    if (numel == 0) return;
    const std::size_t rank = t.dims.rank();
    std::vector<std::byte> staging;
    staging.reserve(std::size_t(1) << 20);
    auto flush_if_full = [&](std::size_t incoming) {
        if (staging.size() + incoming > staging.capacity()) {
            out.write(staging.data(), staging.size());
            staging.clear();
        }
    };
    const std::size_t inner = rank ? t.dims[rank - 1] : 1;
    const std::size_t inner_stride = rank ? t.strides[rank - 1] : 1;
    std::size_t index[max_rank] = {};
    for (std::size_t done = 0; done < numel; done += inner) {
        std::size_t offset = 0;  // in elements, of the first element of this row
        for (std::size_t d = 0; d + 1 < rank; ++d) offset += index[d] * t.strides[d];
        const std::byte* row = t.data + offset * esize;
        if (inner_stride == 1) {
            const std::size_t bytes = inner * esize;
            if (bytes > staging.capacity()) {
                out.write(staging.data(), staging.size());
                staging.clear();
                out.write(row, bytes);
            } else {
                flush_if_full(bytes);
                staging.insert(staging.end(), row, row + bytes);
            }
        } else {
            for (std::size_t i = 0; i < inner; ++i) {
                flush_if_full(esize);
                const std::byte* e = row + i * inner_stride * esize;
                staging.insert(staging.end(), e, e + esize);
            }
        }
        for (std::size_t d = rank >= 1 ? rank - 1 : 0; d-- > 0;) {  // advance the outer dims
            if (++index[d] < t.dims[d]) break;
            index[d] = 0;
        }
    }
    out.write(staging.data(), staging.size());
}

}  // namespace detail

inline void save_safetensors(const std::filesystem::path& path, std::span<const safetensors_tensor_ref> tensors,
                             const safetensors_metadata& metadata = {}) {
    const std::string what = path.string();
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) {
        auto& m = header["__metadata__"];
        m = nlohmann::ordered_json::object();
        for (const auto& [k, v] : metadata) m[k] = v;
    }
    std::set<std::string_view> names;
    std::vector<std::size_t> numels;
    for (const auto& t : tensors) {
        require(!t.name.empty() && t.name != "__metadata__", error_kind::invalid_argument,
                [&] { return what + ": tensor name \"" + t.name + "\" is reserved or empty"; });
        require(names.insert(t.name).second, error_kind::duplicate,
                [&] { return what + ": tensor \"" + t.name + "\" given twice"; });
        require(t.strides.rank() == t.dims.rank(), error_kind::invalid_argument,
                [&] { return what + ": tensor \"" + t.name + "\": strides rank differs from shape rank"; });
        const std::size_t numel = t.dims.numel();
        require(numel == 0 || t.data != nullptr, error_kind::invalid_argument,
                [&] { return what + ": tensor \"" + t.name + "\" has no data"; });
        checked_mul(numel, size_of(t.type), "save_safetensors: tensor bytes");
        numels.push_back(numel);
    }
    // Data layout: widest dtype first (stable), so with the data section 8-byte aligned
    // every tensor starts aligned for its type without gaps (the format allows none).
    std::vector<std::size_t> layout(tensors.size());
    std::iota(layout.begin(), layout.end(), std::size_t{0});
    std::stable_sort(layout.begin(), layout.end(),
                     [&](std::size_t a, std::size_t b) { return size_of(tensors[a].type) > size_of(tensors[b].type); });
    std::vector<std::uint64_t> begin(tensors.size());
    std::uint64_t offset = 0;
    for (std::size_t i : layout) {
        begin[i] = offset;
        offset = checked_add(offset, numels[i] * size_of(tensors[i].type), "save_safetensors: data offsets");
    }
    // Header entries in the order given.
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const auto& t = tensors[i];
        nlohmann::ordered_json entry = nlohmann::ordered_json::object();
        entry["dtype"] = std::string(safetensors_dtype_name(t.type));
        entry["shape"] = nlohmann::ordered_json::array();
        for (std::size_t d : t.dims) entry["shape"].push_back(std::uint64_t(d));
        entry["data_offsets"] = {begin[i], begin[i] + numels[i] * size_of(t.type)};
        header[t.name] = std::move(entry);
    }
    std::string text;
    try {
        text = header.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::strict);
    } catch (const nlohmann::json::exception& e) {
        throw error(error_kind::invalid_argument,
                    what + ": a name or metadata string is not valid UTF-8 (" + e.what() + ")");
    }
    text.append((8 - text.size() % 8) % 8, ' ');  // data section starts 8-byte aligned

    detail::temp_file_writer out(path);
    unsigned char length[8];
    for (int i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>(std::uint64_t(text.size()) >> (8 * i));
    out.write(length, 8);
    out.write(text.data(), text.size());
    for (std::size_t i : layout) {
        const auto& t = tensors[i];
        bool contiguous = true;  // same rule as tensor_view::is_contiguous
        std::size_t acc = 1;
        for (std::size_t d = t.dims.rank(); d-- > 0;) {
            if (t.dims[d] != 1 && t.strides[d] != acc) contiguous = false;
            acc *= t.dims[d];
        }
        if (contiguous) {
            if (numels[i]) out.write(t.data, numels[i] * size_of(t.type));
        } else {
            detail::write_strided(out, t, numels[i]);
        }
    }
    out.commit();
}

inline void save_safetensors(const std::filesystem::path& path, std::initializer_list<safetensors_tensor_ref> tensors,
                             const safetensors_metadata& metadata = {}) {
    save_safetensors(path, std::span<const safetensors_tensor_ref>(tensors.begin(), tensors.size()), metadata);
}

}  // namespace tessera::io
