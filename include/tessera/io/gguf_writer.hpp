#pragma once
// GGUF v3 writer: metadata of every value type and tensors given as encoded bytes.
// Used by tests and tools to build small model files; `ops::quantize` turns f32 data into
// F32, F16, BF16, Q8_0, Q4_0 or Q4_1 bytes, and already-encoded blocks of any type the
// reader supports can be written as they are.
//
// Layout written (see io/gguf_reader.hpp for the format): header, key/values in the given
// order, tensor infos in the given order, zero padding to the alignment, then each
// tensor's bytes at the next multiple of the alignment. The alignment is 32 unless the
// metadata carries `general.alignment` (a u32 power of two).
//
// The file is written to "<path>.tmp-XXXXXX" in the same directory, flushed with fsync and
// renamed over `path`, so readers never see a half-written file (mapped_file.hpp explains
// why model files must be replaced by rename). On any error the temporary file is removed.
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include "tessera/core/checked_math.hpp"
#include "tessera/core/error.hpp"
#include "tessera/io/gguf_types.hpp"
#include "tessera/ops/quant_blocks.hpp"

namespace tessera::io {

struct gguf_tensor_data {
    std::string name;
    ops::ggml_type type = ops::ggml_type::f32;
    std::vector<std::uint64_t> ne;    // GGUF order, ne[0] fastest (gguf_ne_from_shape converts)
    std::span<const std::byte> data;  // numel / block_size * type_size encoded bytes
};

namespace detail {

class gguf_buffer {
public:
    template <class T>
    void put(T v) {
        static_assert(std::is_trivially_copyable_v<T>);
        append(&v, sizeof(T));
    }
    void put_string(std::string_view s) {
        put<std::uint64_t>(s.size());
        append(s.data(), s.size());
    }
    // resize + memcpy: GCC 12 at -O3 warns (falsely) about vector::insert into an empty vector.
    void append(const void* p, std::size_t n) {
        const std::size_t at = bytes_.size();
        bytes_.resize(at + n);
        if (n) std::memcpy(bytes_.data() + at, p, n);
    }
    void pad_to(std::uint64_t alignment) {
        while (bytes_.size() % alignment) bytes_.push_back(std::byte{0});
    }
    std::vector<std::byte>& bytes() noexcept { return bytes_; }

private:
    std::vector<std::byte> bytes_;
};

template <class T>
inline void put_element(gguf_buffer& b, const T& v) {
    if constexpr (std::is_same_v<T, std::string>) b.put_string(v);
    else if constexpr (std::is_same_v<T, bool>) b.put<std::uint8_t>(v ? 1 : 0);
    else b.put<T>(v);
}

inline void put_value(gguf_buffer& b, const gguf_value& value) {
    b.put<std::uint32_t>(static_cast<std::uint32_t>(value.type()));
    std::visit(
        [&](const auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, gguf_array>) {
                b.put<std::uint32_t>(static_cast<std::uint32_t>(v.element_type()));
                b.put<std::uint64_t>(v.size());
                std::visit(
                    [&](const auto& elems) {
                        using E = std::decay_t<decltype(elems)>;
                        if constexpr (std::is_same_v<E, gguf_string_array>)
                            b.append(elems.encoded().data(), elems.encoded().size());  // already GGUF's encoding
                        else if constexpr (!std::is_same_v<E, std::monostate>)
                            for (const auto& e : elems) put_element(b, static_cast<typename E::value_type>(e));
                    },
                    v.values);
            } else {
                put_element(b, v);
            }
        },
        value.get());
}

// Writes all of `bytes` to fd, retrying short writes.
inline void write_all(int fd, const std::byte* p, std::size_t n, const std::string& path) {
    while (n > 0) {
        const ssize_t w = ::write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) throw error(error_kind::io, path + ": write failed: " + std::strerror(errno));
        p += w;
        n -= static_cast<std::size_t>(w);
    }
}

}  // namespace detail

// Writes a GGUF v3 file. Throws invalid_argument for unusable input (empty or duplicate
// key or tensor name, a bad dims list, a tensor whose byte count does not match its type
// and shape, an unsupported ggml type, a bad general.alignment) and io when the OS refuses.
inline void save_gguf(const std::string& path, const std::vector<gguf_kv>& metadata,
                      const std::vector<gguf_tensor_data>& tensors) {
    const auto bad = [&](const std::string& m) { return error(error_kind::invalid_argument, "save_gguf " + path + ": " + m); };

    std::uint64_t alignment = gguf_default_alignment;
    std::set<std::string_view> keys;
    for (const gguf_kv& kv : metadata) {
        if (kv.key.empty()) throw bad("empty metadata key");
        if (!keys.insert(kv.key).second) throw bad("metadata key '" + kv.key + "' given twice");
        if (const auto* a = kv.value.get_if<gguf_array>(); a && a->element_type() == gguf_value_type::array)
            throw bad("metadata key '" + kv.key + "' holds an array without an element type");
        if (kv.key == gguf_alignment_key) {
            const auto* a = kv.value.get_if<std::uint32_t>();
            if (!a || *a == 0 || (*a & (*a - 1)) != 0) throw bad("general.alignment must be a u32 power of two");
            alignment = *a;
        }
    }

    detail::gguf_buffer head;
    head.put<std::uint32_t>(gguf_magic);
    head.put<std::uint32_t>(3);
    head.put<std::uint64_t>(tensors.size());
    head.put<std::uint64_t>(metadata.size());
    for (const gguf_kv& kv : metadata) {
        head.put_string(kv.key);
        detail::put_value(head, kv.value);
    }

    std::set<std::string_view> names;
    std::uint64_t offset = 0;
    for (const gguf_tensor_data& t : tensors) {
        if (t.name.empty()) throw bad("empty tensor name");
        if (!names.insert(t.name).second) throw bad("tensor '" + t.name + "' given twice");
        const auto tr = ops::traits_of(t.type);
        if (!tr.supported) throw bad("tensor '" + t.name + "' has unsupported ggml type " + std::string(tr.name));
        if (t.ne.empty() || t.ne.size() > gguf_max_dims) throw bad("tensor '" + t.name + "' needs 1 to 4 dims");
        std::uint64_t numel = 1;
        for (std::uint64_t d : t.ne) {
            if (d == 0) throw bad("tensor '" + t.name + "' has a zero dimension");
            numel = checked_mul(numel, d, "save_gguf element count");
        }
        if (t.ne[0] % tr.block_size != 0)
            throw bad("tensor '" + t.name + "': ne[0] is not a multiple of the " + std::string(tr.name) + " block size");
        const std::uint64_t bytes = checked_mul(numel / tr.block_size, tr.type_size, "save_gguf byte size");
        if (bytes != t.data.size())
            throw bad("tensor '" + t.name + "' has " + std::to_string(t.data.size()) + " bytes, its type and shape need " +
                      std::to_string(bytes));
        head.put_string(t.name);
        head.put<std::uint32_t>(static_cast<std::uint32_t>(t.ne.size()));
        for (std::uint64_t d : t.ne) head.put<std::uint64_t>(d);
        head.put<std::uint32_t>(static_cast<std::uint32_t>(t.type));
        head.put<std::uint64_t>(offset);
        offset = checked_add(offset, bytes, "save_gguf data size");
        offset = checked_add(offset, (alignment - offset % alignment) % alignment, "save_gguf data size");
    }
    head.pad_to(alignment);

    std::string tmp = path + ".tmp-XXXXXX";
    const int fd = ::mkstemp(tmp.data());
    if (fd < 0) throw error(error_kind::io, path + ": cannot create a temporary file: " + std::strerror(errno));
    bool open = true;
    try {
        if (::fchmod(fd, 0644) != 0) throw error(error_kind::io, tmp + ": fchmod failed: " + std::strerror(errno));
        detail::write_all(fd, head.bytes().data(), head.bytes().size(), tmp);
        static constexpr std::byte zeros[256] = {};
        for (const gguf_tensor_data& t : tensors) {
            detail::write_all(fd, t.data.data(), t.data.size(), tmp);
            std::size_t pad = (alignment - t.data.size() % alignment) % alignment;
            while (pad > 0) {
                const std::size_t n = pad < sizeof zeros ? pad : sizeof zeros;
                detail::write_all(fd, zeros, n, tmp);
                pad -= n;
            }
        }
        if (::fsync(fd) != 0) throw error(error_kind::io, tmp + ": fsync failed: " + std::strerror(errno));
        open = false;
        if (::close(fd) != 0) throw error(error_kind::io, tmp + ": close failed: " + std::strerror(errno));
    } catch (...) {
        if (open) ::close(fd);
        ::unlink(tmp.c_str());
        throw;
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int e = errno;
        ::unlink(tmp.c_str());
        throw error(error_kind::io, path + ": cannot rename the temporary file into place: " + std::strerror(e));
    }
}


}  // namespace tessera::io
