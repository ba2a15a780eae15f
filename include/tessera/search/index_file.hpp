#pragma once
// The container file format of search catalogs and HNSW indexes: a small header, then
// tagged sections, each optionally checksummed. Writers go through a temporary file and
// rename(2), so a reader never sees half a file.
//
// Layout (little-endian, no padding):
//   offset 0   magic       8 bytes  "TESSIDX\0"
//          8   version     u32      1
//         12   kind        u32      1 = catalog, 2 = hnsw index
//         16   n_sections  u32      ≤ index_limits::max_sections
//         20   reserved    u32      0
//         24   sections, one after another:
//                tag u32 (four ASCII letters), flags u32 (bit 0: checksum present),
//                length u64, checksum u64 (FNV-1a 64 of the payload, 0 when absent),
//                payload (length bytes)
//   the last section ends exactly at the end of the file.
//
// The reader checks every length against the bytes that remain before it trusts it
// (a shortened file gives `truncated` wherever it is cut), rejects duplicate tags,
// unknown versions and trailing bytes, and verifies checksums. Payload readers check
// their counts against the payload size and index_limits before allocating.
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "tessera/core/checked_math.hpp"
#include "tessera/core/error.hpp"
#include "tessera/io/byte_reader.hpp"

namespace tessera::search {

// Caps for untrusted index files, checked before anything is allocated.
struct index_limits {
    std::uint64_t max_rows = std::uint64_t(1) << 31;      // products or graph nodes
    std::uint64_t max_dim = 65536;                        // embedding dimension
    std::uint64_t max_string_bytes = std::uint64_t(1) << 20;  // one id, text or attribute
    std::uint64_t max_attributes = 4096;                  // tags or free-form attributes per product
    std::uint32_t max_sections = 64;
    std::uint64_t max_neighbors = 2048;                   // HNSW links per node and level
};

namespace index_file {

inline constexpr std::array<char, 8> magic = {'T', 'E', 'S', 'S', 'I', 'D', 'X', '\0'};
inline constexpr std::uint32_t version = 1;
enum class file_kind : std::uint32_t { catalog = 1, hnsw = 2 };

constexpr std::uint32_t tag(const char (&s)[5]) noexcept {
    return std::uint32_t(std::uint8_t(s[0])) | std::uint32_t(std::uint8_t(s[1])) << 8 |
           std::uint32_t(std::uint8_t(s[2])) << 16 | std::uint32_t(std::uint8_t(s[3])) << 24;
}
inline std::string tag_name(std::uint32_t t) {
    std::string s(4, '?');
    for (int i = 0; i < 4; ++i) {
        const char c = char((t >> (8 * i)) & 0xff);
        s[i] = c >= 32 && c < 127 ? c : '?';
    }
    return s;
}

inline std::uint64_t fnv1a64(std::span<const std::byte> bytes) noexcept {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (std::byte b : bytes) h = (h ^ std::uint64_t(b)) * 0x100000001b3ull;
    return h;
}

// Little-endian append-only buffer for payloads.
class byte_writer {
public:
    template <class T>
    void put(T v) {
        static_assert(std::is_trivially_copyable_v<T>);
        const auto* p = reinterpret_cast<const std::byte*>(&v);
        bytes_.insert(bytes_.end(), p, p + sizeof(T));
    }
    void put_bytes(const void* p, std::size_t n) {
        const auto* b = static_cast<const std::byte*>(p);
        bytes_.insert(bytes_.end(), b, b + n);
    }
    void put_string(std::string_view s) {
        put<std::uint32_t>(static_cast<std::uint32_t>(s.size()));
        put_bytes(s.data(), s.size());
    }
    std::vector<std::byte>& bytes() noexcept { return bytes_; }

private:
    std::vector<std::byte> bytes_;
};

// Reads a u32-length string from r, capped by limits.max_string_bytes.
inline std::string read_string(io::byte_reader& r, const index_limits& lim, const char* item) {
    const std::uint32_t n = r.read<std::uint32_t>();
    if (n > lim.max_string_bytes)
        throw error(error_kind::too_large, r.what() + ": " + item + " of " + std::to_string(n) + " bytes at byte " +
                                               std::to_string(r.offset()) + " exceeds the cap");
    return std::string(r.take_string(n, item));
}

struct section {
    std::uint32_t tag = 0;
    std::vector<std::byte> payload;
};

// Writes header + sections to `path` via `path`.tmp-<pid> and rename.
inline void write(const std::string& path, file_kind kind, const std::vector<section>& sections, bool checksums = true) {
    byte_writer w;
    w.put_bytes(magic.data(), magic.size());
    w.put<std::uint32_t>(version);
    w.put<std::uint32_t>(static_cast<std::uint32_t>(kind));
    w.put<std::uint32_t>(static_cast<std::uint32_t>(sections.size()));
    w.put<std::uint32_t>(0);
    for (const section& s : sections) {
        w.put<std::uint32_t>(s.tag);
        w.put<std::uint32_t>(checksums ? 1u : 0u);
        w.put<std::uint64_t>(s.payload.size());
        w.put<std::uint64_t>(checksums ? fnv1a64(s.payload) : 0);
        w.put_bytes(s.payload.data(), s.payload.size());
    }
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw error(error_kind::io, tmp + ": cannot create: " + std::strerror(errno));
    const auto& bytes = w.bytes();
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const std::string why = std::strerror(errno);
            ::close(fd);
            ::unlink(tmp.c_str());
            throw error(error_kind::io, tmp + ": write failed: " + why);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        ::unlink(tmp.c_str());
        throw error(error_kind::io, tmp + ": cannot flush: " + std::strerror(errno));
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const std::string why = std::strerror(errno);
        ::unlink(tmp.c_str());
        throw error(error_kind::io, path + ": cannot rename the temporary file: " + why);
    }
}

// A parsed file: payloads are views into the caller's bytes.
struct parsed {
    file_kind kind{};
    std::vector<std::pair<std::uint32_t, std::span<const std::byte>>> sections;
    // The payload of section `t`, or throws `malformed` when it is missing.
    std::span<const std::byte> get(std::uint32_t t, const std::string& what) const {
        for (const auto& [st, payload] : sections)
            if (st == t) return payload;
        throw error(error_kind::malformed, what + ": missing section " + tag_name(t));
    }
    bool has(std::uint32_t t) const noexcept {
        for (const auto& s : sections)
            if (s.first == t) return true;
        return false;
    }
};

// Parses and validates the container; `what` names the file in messages.
inline parsed parse(std::span<const std::byte> bytes, file_kind expected, const std::string& what,
                    const index_limits& lim = {}) {
    io::byte_reader r(bytes, what);
    const auto m = r.take(magic.size(), "magic");
    if (std::memcmp(m.data(), magic.data(), magic.size()) != 0)
        throw error(error_kind::malformed, what + ": not a tessera index file (bad magic)");
    const auto ver = r.read<std::uint32_t>();
    if (ver != version)
        throw error(error_kind::unsupported, what + ": index file version " + std::to_string(ver) + " (this reader knows " +
                                                 std::to_string(version) + ")");
    const auto kind = r.read<std::uint32_t>();
    if (kind != static_cast<std::uint32_t>(expected))
        throw error(error_kind::inconsistent, what + ": file kind " + std::to_string(kind) + ", expected " +
                                                  std::to_string(static_cast<std::uint32_t>(expected)));
    const auto n_sections = r.read<std::uint32_t>();
    if (n_sections > lim.max_sections)
        throw error(error_kind::too_large, what + ": " + std::to_string(n_sections) + " sections exceed the cap");
    if (r.read<std::uint32_t>() != 0) throw error(error_kind::malformed, what + ": reserved header field is not 0");
    parsed out;
    out.kind = expected;
    for (std::uint32_t i = 0; i < n_sections; ++i) {
        const std::size_t at = r.offset();
        const auto t = r.read<std::uint32_t>();
        const auto flags = r.read<std::uint32_t>();
        const auto length = r.read<std::uint64_t>();
        const auto checksum = r.read<std::uint64_t>();
        if (flags > 1)
            throw error(error_kind::unsupported, what + ": section at byte " + std::to_string(at) + " has unknown flags");
        const auto payload = r.take(length, "section payload");
        if (flags & 1u && fnv1a64(payload) != checksum)
            throw error(error_kind::invalid_data, what + ": checksum mismatch in section " + tag_name(t) + " at byte " +
                                                      std::to_string(at));
        if (out.has(t))
            throw error(error_kind::duplicate, what + ": section " + tag_name(t) + " appears twice");
        out.sections.emplace_back(t, payload);
    }
    if (r.remaining() != 0)
        throw error(error_kind::inconsistent, what + ": " + std::to_string(r.remaining()) +
                                                  " bytes after the last section (byte " + std::to_string(r.offset()) + ")");
    return out;
}

// Checks that a payload reader consumed its whole section.
inline void expect_end(const io::byte_reader& r) {
    if (r.remaining() != 0)
        throw error(error_kind::inconsistent, r.what() + ": " + std::to_string(r.remaining()) +
                                                  " unexpected bytes at the end of the section");
}

// Throws `truncated` unless count × unit bytes remain in r (overflow-checked), before any
// allocation sized by count.
inline void need_items(const io::byte_reader& r, std::uint64_t count, std::uint64_t unit, const char* item) {
    r.need(checked_mul(count, unit, item), item);
}

}  // namespace index_file
}  // namespace tessera::search
