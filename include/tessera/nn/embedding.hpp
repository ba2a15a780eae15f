#pragma once
// embedding: rows of a table gathered by id (token, position or token-type embeddings).
//   table [vocab, dim];  ids [n] -> out [n, dim]
// An id outside [0, vocab) is an out_of_range error naming the id and its index; nothing
// is written in that case.
#include <concepts>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"

namespace tessera::nn {

class embedding {
public:
    embedding() = default;
    explicit embedding(tensor_view<const float> table) : table_(table) {
        require(table.rank() == 2 && (table.extent(1) <= 1 || table.stride(1) == 1), error_kind::invalid_argument,
                [&] { return "embedding: table " + table.dims().to_string() + " must be [vocab, dim], rows contiguous"; });
    }

    std::size_t vocab_size() const noexcept { return table_.extent(0); }
    std::size_t dim() const noexcept { return table_.extent(1); }
    const tensor_view<const float>& table() const noexcept { return table_; }

    // out[i, :] = table[ids[i], :], or += with `accumulate`.
    template <std::integral Id>
    void forward(std::span<const Id> ids, tensor_view<float> out, bool accumulate = false) const {
        require(out.rank() == 2 && out.extent(0) == ids.size() && out.extent(1) == dim() &&
                    (dim() <= 1 || out.stride(1) == 1),
                error_kind::invalid_argument, [&] {
                    return "embedding: out " + out.dims().to_string() + " must be [" + std::to_string(ids.size()) +
                           ", " + std::to_string(dim()) + "] with unit column stride";
                });
        for (std::size_t i = 0; i < ids.size(); ++i) {
            const Id id = ids[i];
            bool in_range = static_cast<unsigned long long>(id) < vocab_size();
            if constexpr (std::is_signed_v<Id>) in_range = in_range && id >= 0;
            require(in_range, error_kind::out_of_range, [&] {
                return "embedding: id " + std::to_string(id) + " at index " + std::to_string(i) +
                       " is outside the vocabulary of " + std::to_string(vocab_size());
            });
        }
        for (std::size_t i = 0; i < ids.size(); ++i) {
            const float* src = table_.data() + static_cast<std::size_t>(ids[i]) * table_.stride(0);
            float* dst = out.data() + i * out.stride(0);
            for (std::size_t c = 0; c < dim(); ++c) dst[c] = accumulate ? dst[c] + src[c] : src[c];
        }
    }

private:
    tensor_view<const float> table_;
};

}  // namespace tessera::nn
