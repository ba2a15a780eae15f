#pragma once
// 64-byte aligned storage: one cache line, and the width of an AVX-512 register, so
// packed GEMM panels and tensor rows never straddle lines at their start.
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>

namespace tessera {

inline constexpr std::size_t default_alignment = 64;

namespace detail {
struct aligned_free {
    void operator()(void* p) const noexcept { std::free(p); }
};
}  // namespace detail

// Allocates `count` default-initialised-free (uninitialised for trivial T) elements.
// Throws std::bad_alloc on failure; count == 0 gives nullptr.
template <class T>
std::unique_ptr<T[], detail::aligned_free> aligned_alloc_array(std::size_t count) {
    static_assert(std::is_trivially_destructible_v<T>, "aligned arrays hold trivial types");
    if (count == 0) return {};
    if (count > (SIZE_MAX - default_alignment) / sizeof(T)) throw std::bad_alloc();
    std::size_t bytes = count * sizeof(T);
    bytes = (bytes + default_alignment - 1) / default_alignment * default_alignment;
    void* p = std::aligned_alloc(default_alignment, bytes);
    if (!p) throw std::bad_alloc();
    return std::unique_ptr<T[], detail::aligned_free>(static_cast<T*>(p));
}

template <class T>
using aligned_array = std::unique_ptr<T[], detail::aligned_free>;

// Minimal allocator for std::vector when a growable aligned buffer is wanted.
template <class T, std::size_t Align = default_alignment>
struct aligned_allocator {
    using value_type = T;
    template <class U>
    struct rebind {
        using other = aligned_allocator<U, Align>;
    };
    aligned_allocator() noexcept = default;
    template <class U>
    aligned_allocator(const aligned_allocator<U, Align>&) noexcept {}
    T* allocate(std::size_t n) {
        if (n > (SIZE_MAX - Align) / sizeof(T)) throw std::bad_alloc();
        std::size_t bytes = (n * sizeof(T) + Align - 1) / Align * Align;
        void* p = std::aligned_alloc(Align, bytes == 0 ? Align : bytes);
        if (!p) throw std::bad_alloc();
        return static_cast<T*>(p);
    }
    void deallocate(T* p, std::size_t) noexcept { std::free(p); }
    template <class U>
    bool operator==(const aligned_allocator<U, Align>&) const noexcept { return true; }
};

}  // namespace tessera
