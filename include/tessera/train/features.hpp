#pragma once
// Training inputs: a dense matrix (tensor_view<const T> [n, d], rows contiguous, e.g.
// sentence embeddings) or sparse rows (sparse_rows<T>, CSR, e.g. hashed character n-grams
// over 2^18 columns). A head's first layer touches its input only through the three
// functions below, so every head and the trainer work on either kind:
//   input_rows(x), input_cols(x)
//   row_dot(x, r, w)        Σ_i x[r, i] · w[i]          (w has input_cols(x) entries)
//   row_axpy(x, r, a, g)    g[i] += a · x[r, i] for all i
// Both visit a row's entries in ascending column order, always, so results do not depend
// on who calls them (thread count, batch composition).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/simd/reduce.hpp"

namespace tessera::train {

// Compressed sparse rows: row r holds (index_[k], value_[k]) for k in [offsets_[r], offsets_[r+1]),
// indices strictly increasing and below cols().
template <class T>
class sparse_rows {
public:
    explicit sparse_rows(std::size_t cols = 0) : cols_(cols) {}

    std::size_t rows() const noexcept { return offsets_.size() - 1; }
    std::size_t cols() const noexcept { return cols_; }
    std::size_t nnz() const noexcept { return index_.size(); }

    // Appends one row; throws invalid_argument unless the indices increase strictly, lie
    // below cols(), and match the values in number, and invalid_data on a non-finite value.
    void add_row(std::span<const std::uint32_t> index, std::span<const T> value) {
        require(index.size() == value.size(), error_kind::invalid_argument, "sparse_rows: index and value counts differ");
        for (std::size_t k = 0; k < index.size(); ++k) {
            require(index[k] < cols_ && (k == 0 || index[k - 1] < index[k]), error_kind::invalid_argument, [&] {
                return "sparse_rows: row " + std::to_string(rows()) + ": column " + std::to_string(index[k]) +
                       " is out of order or not below " + std::to_string(cols_);
            });
            require(std::isfinite(value[k]), error_kind::invalid_data,
                    [&] { return "sparse_rows: row " + std::to_string(rows()) + " holds a non-finite value"; });
        }
        index_.insert(index_.end(), index.begin(), index.end());
        value_.insert(value_.end(), value.begin(), value.end());
        offsets_.push_back(index_.size());
    }

    std::span<const std::uint32_t> row_index(std::size_t r) const noexcept {
        return {index_.data() + offsets_[r], offsets_[r + 1] - offsets_[r]};
    }
    std::span<const T> row_value(std::size_t r) const noexcept {
        return {value_.data() + offsets_[r], offsets_[r + 1] - offsets_[r]};
    }

private:
    std::size_t cols_;
    std::vector<std::size_t> offsets_{0};  // [rows + 1]
    std::vector<std::uint32_t> index_;     // [nnz]
    std::vector<T> value_;                 // [nnz]
};

// --- dense: tensor_view<T> or tensor_view<const T>, [n, d] ------------------------------------
template <class U>
std::size_t input_rows(const tensor_view<U>& x) noexcept { return x.rank() == 2 ? x.extent(0) : 0; }
template <class U>
std::size_t input_cols(const tensor_view<U>& x) noexcept { return x.rank() == 2 ? x.extent(1) : 0; }

template <class U, class T = std::remove_const_t<U>>
T row_dot(const tensor_view<U>& x, std::size_t r, const T* w) noexcept {
    const T* row = x.data() + r * x.stride(0);
    const std::size_t d = x.extent(1);
    if constexpr (std::is_same_v<T, float>) {
        return simd::dot(row, w, d);  // fixed accumulation order (simd/reduce.hpp)
    } else {
        T s = 0;
        for (std::size_t i = 0; i < d; ++i) s += row[i] * w[i];
        return s;
    }
}
template <class U, class T = std::remove_const_t<U>>
void row_axpy(const tensor_view<U>& x, std::size_t r, std::type_identity_t<T> a, T* g) noexcept {
    const T* row = x.data() + r * x.stride(0);
    const std::size_t d = x.extent(1);
    for (std::size_t i = 0; i < d; ++i) g[i] += a * row[i];
}

// --- sparse ------------------------------------------------------------------------------------
template <class T>
std::size_t input_rows(const sparse_rows<T>& x) noexcept { return x.rows(); }
template <class T>
std::size_t input_cols(const sparse_rows<T>& x) noexcept { return x.cols(); }

template <class T>
T row_dot(const sparse_rows<T>& x, std::size_t r, const T* w) noexcept {
    const auto idx = x.row_index(r);
    const auto val = x.row_value(r);
    T s = 0;
    for (std::size_t k = 0; k < idx.size(); ++k) s += val[k] * w[idx[k]];
    return s;
}
template <class T>
void row_axpy(const sparse_rows<T>& x, std::size_t r, std::type_identity_t<T> a, T* g) noexcept {
    const auto idx = x.row_index(r);
    const auto val = x.row_value(r);
    for (std::size_t k = 0; k < idx.size(); ++k) g[idx[k]] += a * val[k];
}

// Checks a dense input before training on it: rank 2, contiguous rows, finite values.
template <class U>
void check_input(const tensor_view<U>& x, const char* what) {
    require(x.rank() == 2 && (x.extent(1) <= 1 || x.stride(1) == 1), error_kind::invalid_argument,
            [&] { return std::string(what) + ": expected a [n, d] matrix with contiguous rows, got " + x.dims().to_string(); });
    for (std::size_t r = 0; r < x.extent(0); ++r)
        for (std::size_t i = 0; i < x.extent(1); ++i)
            require(std::isfinite(x(r, i)), error_kind::invalid_data, [&] {
                return std::string(what) + ": row " + std::to_string(r) + " column " + std::to_string(i) + " is not finite";
            });
}
template <class T>
void check_input(const sparse_rows<T>&, const char*) noexcept {}  // add_row validated every entry

}  // namespace tessera::train
