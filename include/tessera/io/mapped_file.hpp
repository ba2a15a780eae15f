#pragma once
// Read-only view of a whole file: mmap when the OS allows it, otherwise read into an
// aligned buffer. Safe to share across threads (nothing mutates after construction).
//
// Truncation or replacement after opening: the mapping is MAP_PRIVATE + PROT_READ. If
// another process replaces the file by rename, this mapping keeps the old inode (safe).
// If it truncates the file in place, touching pages past the new end raises SIGBUS;
// tessera cannot turn that into an error, so model files must be replaced by rename,
// never rewritten in place. Use `mapped_file::read_into_memory` to avoid the hazard.
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <utility>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tessera/core/aligned.hpp"
#include "tessera/core/error.hpp"

namespace tessera::io {

class mapped_file {
public:
    enum class mode { map, read_into_memory };

    mapped_file() = default;
    explicit mapped_file(const std::string& path, mode m = mode::map) : path_(path) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw error(error_kind::io, path + ": cannot open: " + std::strerror(errno));
        struct fd_guard {
            int fd;
            ~fd_guard() { ::close(fd); }
        } guard{fd};
        struct stat st {};
        if (::fstat(fd, &st) != 0) throw error(error_kind::io, path + ": cannot stat: " + std::strerror(errno));
        if (!S_ISREG(st.st_mode)) throw error(error_kind::io, path + ": not a regular file");
        size_ = static_cast<std::size_t>(st.st_size);
        if (size_ == 0) return;
        if (m == mode::map) {
            void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
            if (p != MAP_FAILED) {
                data_ = static_cast<const std::byte*>(p);
                mapped_ = true;
                return;
            }
        }
        buffer_ = aligned_alloc_array<std::byte>(size_);
        std::size_t done = 0;
        while (done < size_) {
            const ssize_t r = ::pread(fd, buffer_.get() + done, size_ - done, static_cast<off_t>(done));
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) throw error(error_kind::io, path + ": read failed at byte " + std::to_string(done));
            done += static_cast<std::size_t>(r);
        }
        data_ = buffer_.get();
    }
    ~mapped_file() { release(); }
    mapped_file(mapped_file&& o) noexcept { swap(o); }
    mapped_file& operator=(mapped_file&& o) noexcept {
        if (this != &o) {
            release();
            swap(o);
        }
        return *this;
    }
    mapped_file(const mapped_file&) = delete;
    mapped_file& operator=(const mapped_file&) = delete;

    std::span<const std::byte> bytes() const noexcept { return {data_, size_}; }
    const std::byte* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }
    bool is_mapped() const noexcept { return mapped_; }
    const std::string& path() const noexcept { return path_; }
    // The size of the pages a mapping is made of (and drop_resident works in).
    static std::size_t page_size() noexcept { return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)); }

    // Drops this process's resident pages of `range` (a part of bytes()) when the file is
    // mapped: the pages fully inside it leave the RSS and are read again from the page
    // cache if touched later. A no-op for a file read into memory (its bytes are the only
    // copy). For callers that copied a range elsewhere and will not read it again.
    void drop_resident(std::span<const std::byte> range) const noexcept {
        if (!mapped_ || range.empty() || range.data() < data_ || range.data() + range.size() > data_ + size_) return;
        const std::uintptr_t page = page_size();
        const auto begin = reinterpret_cast<std::uintptr_t>(range.data());
        const std::uintptr_t first = (begin + page - 1) / page * page, last = (begin + range.size()) / page * page;
        if (last > first) (void)::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
    }

private:
    void release() noexcept {
        if (mapped_ && data_) ::munmap(const_cast<std::byte*>(data_), size_);
        data_ = nullptr;
        size_ = 0;
        mapped_ = false;
        buffer_.reset();
    }
    void swap(mapped_file& o) noexcept {
        std::swap(path_, o.path_);
        std::swap(data_, o.data_);
        std::swap(size_, o.size_);
        std::swap(mapped_, o.mapped_);
        std::swap(buffer_, o.buffer_);
    }

    std::string path_;
    const std::byte* data_ = nullptr;
    std::size_t size_ = 0;
    bool mapped_ = false;
    aligned_array<std::byte> buffer_;
};

}  // namespace tessera::io
