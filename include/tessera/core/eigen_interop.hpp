#pragma once
// Zero-copy Eigen views of rank-2 tensor views. Eigen is the user-facing linear-algebra
// vocabulary; tessera's own kernels do not go through it.
#include <Eigen/Core>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"

namespace tessera {

template <class T>
using eigen_row_matrix = Eigen::Matrix<std::remove_const_t<T>, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Maps a rank-2 view whose inner stride is 1 (rows may be padded).
template <class T>
auto as_eigen(tensor_view<T> v) {
    require(v.rank() == 2, error_kind::invalid_argument, "as_eigen: view is not rank 2");
    require(v.stride(1) == 1 || v.extent(1) <= 1, error_kind::invalid_argument, "as_eigen: inner stride must be 1");
    using matrix = eigen_row_matrix<T>;
    using mapped = std::conditional_t<std::is_const_v<T>, const matrix, matrix>;
    return Eigen::Map<mapped, Eigen::Unaligned, Eigen::OuterStride<>>(
        v.data(), Eigen::Index(v.extent(0)), Eigen::Index(v.extent(1)),
        Eigen::OuterStride<>(Eigen::Index(v.extent(0) <= 1 ? v.extent(1) : v.stride(0))));
}

// Views an Eigen row-major matrix (or Map) as a tensor_view without copying.
template <class Derived>
auto view_of(Eigen::PlainObjectBase<Derived>& m) {
    static_assert(Derived::IsRowMajor, "view_of: matrix must be row-major");
    using T = typename Derived::Scalar;
    return tensor_view<T>(m.data(), shape{std::size_t(m.rows()), std::size_t(m.cols())});
}

}  // namespace tessera
