#pragma once
// as_rows: a [batch, seq, hidden] (or [tokens, hidden]) view seen as [tokens, hidden]
// rows, without copying. Layers work on rows; batch structure matters to attention only.
#include <cstddef>
#include <string>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"

namespace tessera::nn {

template <class T>
tensor_view<T> as_rows(const tensor_view<T>& x, const char* who) {
    if (x.rank() == 2) return x;
    require(x.rank() == 3, error_kind::invalid_argument, [&] {
        return std::string(who) + ": input " + x.dims().to_string() + " must be [tokens, hidden] or [batch, seq, hidden]";
    });
    require(x.extent(0) <= 1 || x.stride(0) == x.extent(1) * x.stride(1), error_kind::invalid_argument, [&] {
        return std::string(who) + ": the batch and sequence dims of " + x.dims().to_string() + " must be contiguous";
    });
    return tensor_view<T>(x.data(), shape{x.extent(0) * x.extent(1), x.extent(2)}, shape{x.stride(1), x.stride(2)});
}

// The inverse: rows [batch·seq, hidden] seen as [batch, seq, hidden].
template <class T>
tensor_view<T> as_batch(const tensor_view<T>& rows, std::size_t batch) {
    require(rows.rank() == 2 && batch > 0 && rows.extent(0) % batch == 0, error_kind::invalid_argument, [&] {
        return "as_batch: " + rows.dims().to_string() + " does not split into " + std::to_string(batch) + " sequences";
    });
    const std::size_t seq = rows.extent(0) / batch;
    return tensor_view<T>(rows.data(), shape{batch, seq, rows.extent(1)},
                          shape{seq * rows.stride(0), rows.stride(0), rows.stride(1)});
}

}  // namespace tessera::nn
