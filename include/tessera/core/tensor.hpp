#pragma once
// tensor<T>: owning, contiguous, row-major, 64-byte aligned.
// tensor_view<T>: non-owning, strided; tensor_view<const T> is the read-only form.
// Views never outlive the storage they point to; that is the caller's contract.
#include <algorithm>
#include <cstddef>
#include <span>
#include <type_traits>

#include "tessera/core/aligned.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/shape.hpp"

namespace tessera {

template <class T>
class tensor_view {
public:
    using value_type = std::remove_const_t<T>;
    using element_type = T;

    tensor_view() = default;
    // Contiguous view over `data` with `s`.
    tensor_view(T* data, const shape& s) : data_(data), shape_(s), strides_(contiguous_strides(s)) {}
    tensor_view(T* data, const shape& s, const shape& strides) : data_(data), shape_(s), strides_(strides) {
        require(strides.rank() == s.rank(), error_kind::invalid_argument, "tensor_view: strides rank differs from shape rank");
    }
    // A mutable view converts to a read-only one.
    template <class U, class = std::enable_if_t<std::is_same_v<const U, T> && !std::is_same_v<U, T>>>
    tensor_view(const tensor_view<U>& o) : data_(o.data()), shape_(o.dims()), strides_(o.strides()) {}

    T* data() const noexcept { return data_; }
    const shape& dims() const noexcept { return shape_; }
    const shape& strides() const noexcept { return strides_; }
    std::size_t rank() const noexcept { return shape_.rank(); }
    std::size_t extent(std::size_t d) const noexcept { return shape_[d]; }
    std::size_t stride(std::size_t d) const noexcept { return strides_[d]; }
    std::size_t numel() const { return shape_.numel(); }
    bool empty() const { return numel() == 0; }

    bool is_contiguous() const noexcept {
        std::size_t acc = 1;
        for (std::size_t i = shape_.rank(); i-- > 0;) {
            if (shape_[i] != 1 && strides_[i] != acc) return false;
            acc *= shape_[i];
        }
        return true;
    }

    // Element access; indices are not bounds-checked (use `at` for that).
    template <class... I>
    T& operator()(I... idx) const noexcept {
        static_assert(sizeof...(I) <= max_rank);
        const std::size_t ii[] = {static_cast<std::size_t>(idx)...};
        std::size_t off = 0;
        for (std::size_t d = 0; d < sizeof...(I); ++d) off += ii[d] * strides_[d];
        return data_[off];
    }
    template <class... I>
    T& at(I... idx) const {
        require(sizeof...(I) == rank(), error_kind::invalid_argument, "tensor_view::at: wrong number of indices");
        const std::size_t ii[] = {static_cast<std::size_t>(idx)...};
        for (std::size_t d = 0; d < sizeof...(I); ++d)
            require(ii[d] < shape_[d], error_kind::out_of_range, [&] {
                return "tensor_view::at: index " + std::to_string(ii[d]) + " out of range for dim " +
                       std::to_string(d) + " of " + shape_.to_string();
            });
        return (*this)(idx...);
    }

    // Drops the first dimension: view of row i. [d0, d1, ...] -> [d1, ...]
    tensor_view operator[](std::size_t i) const {
        require(rank() >= 1 && i < shape_[0], error_kind::out_of_range, "tensor_view[]: index out of range");
        shape s, st;
        for (std::size_t d = 1; d < rank(); ++d) {
            s.push_back(shape_[d]);
            st.push_back(strides_[d]);
        }
        return tensor_view(data_ + i * strides_[0], s, st);
    }

    // Keeps [begin, end) along dimension `dim`.
    tensor_view slice(std::size_t dim, std::size_t begin, std::size_t end) const {
        require(dim < rank(), error_kind::invalid_argument, "tensor_view::slice: dim out of range");
        require(begin <= end && end <= shape_[dim], error_kind::out_of_range, [&] {
            return "tensor_view::slice: [" + std::to_string(begin) + ", " + std::to_string(end) +
                   ") outside dim " + std::to_string(dim) + " of " + shape_.to_string();
        });
        shape s = shape_;
        s[dim] = end - begin;
        return tensor_view(data_ + begin * strides_[dim], s, strides_);
    }

    // Same elements under a new shape; requires a contiguous view.
    tensor_view reshape(const shape& s) const {
        require(is_contiguous(), error_kind::invalid_argument, "tensor_view::reshape: view is not contiguous");
        require(s.numel() == numel(), error_kind::invalid_argument, [&] {
            return "tensor_view::reshape: " + shape_.to_string() + " -> " + s.to_string() + " changes element count";
        });
        return tensor_view(data_, s);
    }

    // Swaps two dimensions (no copy).
    tensor_view transpose(std::size_t a = 0, std::size_t b = 1) const {
        require(a < rank() && b < rank(), error_kind::invalid_argument, "tensor_view::transpose: dim out of range");
        shape s = shape_, st = strides_;
        std::swap(s[a], s[b]);
        std::swap(st[a], st[b]);
        return tensor_view(data_, s, st);
    }

    // Contiguous storage as a span; throws if the view is strided.
    std::span<T> span() const {
        require(is_contiguous(), error_kind::invalid_argument, "tensor_view::span: view is not contiguous");
        return {data_, numel()};
    }

private:
    T* data_ = nullptr;
    shape shape_;
    shape strides_;
};

template <class T>
class tensor {
    static_assert(std::is_trivially_copyable_v<T>, "tensor holds trivially copyable elements");

public:
    tensor() = default;
    // Zero-filled.
    explicit tensor(const shape& s) : shape_(s), data_(aligned_alloc_array<T>(s.numel())) {
        std::fill_n(data_.get(), numel(), T{});
    }
    tensor(const shape& s, T value) : shape_(s), data_(aligned_alloc_array<T>(s.numel())) {
        std::fill_n(data_.get(), numel(), value);
    }
    tensor(const tensor& o) : shape_(o.shape_), data_(aligned_alloc_array<T>(o.numel())) {
        std::copy_n(o.data(), numel(), data_.get());
    }
    tensor& operator=(const tensor& o) {
        if (this != &o) *this = tensor(o);
        return *this;
    }
    tensor(tensor&&) noexcept = default;
    tensor& operator=(tensor&&) noexcept = default;

    // Copies a (possibly strided) view into a new contiguous tensor.
    static tensor from_view(tensor_view<const T> v) {
        tensor t(v.dims());
        copy(v, t.view());
        return t;
    }

    T* data() noexcept { return data_.get(); }
    const T* data() const noexcept { return data_.get(); }
    const shape& dims() const noexcept { return shape_; }
    std::size_t rank() const noexcept { return shape_.rank(); }
    std::size_t extent(std::size_t d) const noexcept { return shape_[d]; }
    std::size_t numel() const noexcept { return shape_.rank() == 0 && !data_ ? 0 : shape_.numel(); }

    tensor_view<T> view() noexcept { return {data_.get(), shape_}; }
    tensor_view<const T> view() const noexcept { return {data_.get(), shape_}; }
    std::span<T> span() noexcept { return {data_.get(), numel()}; }
    std::span<const T> span() const noexcept { return {data_.get(), numel()}; }

    template <class... I>
    T& operator()(I... idx) noexcept { return view()(idx...); }
    template <class... I>
    const T& operator()(I... idx) const noexcept { return view()(idx...); }

    // Elementwise copy between views of equal shape (any strides).
    static void copy(tensor_view<const T> src, tensor_view<T> dst) {
        require(src.dims() == dst.dims(), error_kind::invalid_argument, [&] {
            return "tensor copy: shape " + src.dims().to_string() + " vs " + dst.dims().to_string();
        });
        if (src.numel() == 0) return;
        if (src.is_contiguous() && dst.is_contiguous()) {
            std::copy_n(src.data(), src.numel(), dst.data());
            return;
        }
        copy_rec(src, dst, 0, 0, 0);
    }

private:
    static void copy_rec(const tensor_view<const T>& s, const tensor_view<T>& d, std::size_t dim, std::size_t so,
                         std::size_t dof) {
        if (dim == s.rank()) {
            d.data()[dof] = s.data()[so];
            return;
        }
        for (std::size_t i = 0; i < s.extent(dim); ++i)
            copy_rec(s, d, dim + 1, so + i * s.stride(dim), dof + i * d.stride(dim));
    }

    shape shape_;
    aligned_array<T> data_;
};

}  // namespace tessera
