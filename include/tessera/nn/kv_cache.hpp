#pragma once
// kv_cache: the keys and values of the tokens a decoder has already seen, for ONE sequence,
// preallocated for `max_seq` tokens:
//   K, V  [n_layers][max_seq][n_kv_heads][head_dim]   f32, zero-filled
// Several sequences decoded together (a batch, beams) use one kv_cache each; the batched
// attention forwards take a span of caches, one per batch row. Beam search copies caches
// (kv_cache is copyable) or rolls one back with truncate().
//
// Position bookkeeping: size() tokens are committed. A forward over n new tokens writes
// their K/V at rows [size(), size() + n) of every layer it runs, attends to rows
// [0, size() + n), and the caller commits them with advance(n) once all layers ran (the
// layers cannot know which one is last). A forward that would pass max_seq throws
// context_overflow before writing anything.
#include <cstddef>
#include <cstdint>
#include <string>

#include "tessera/core/checked_math.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"

namespace tessera::nn {

class kv_cache {
public:
    kv_cache() = default;
    // Throws overflow if the sizes overflow, too_large above `max_bytes` (both K and V).
    kv_cache(std::size_t n_layers, std::size_t max_seq, std::size_t n_kv_heads, std::size_t head_dim,
             std::uint64_t max_bytes = std::uint64_t(64) << 30)
        : n_layers_(n_layers), max_seq_(max_seq), n_kv_heads_(n_kv_heads), head_dim_(head_dim) {
        require(n_layers > 0 && max_seq > 0 && n_kv_heads > 0 && head_dim > 0, error_kind::invalid_argument,
                "kv_cache: layers, max_seq, kv heads and head_dim must all be > 0");
        const std::uint64_t per = checked_mul(checked_mul(checked_mul(n_layers, max_seq, "kv_cache size"), n_kv_heads,
                                                          "kv_cache size"),
                                              head_dim, "kv_cache size");
        const std::uint64_t bytes = checked_mul(per, 2 * sizeof(float), "kv_cache bytes");
        require(bytes <= max_bytes, error_kind::too_large, [&] {
            return "kv_cache: " + std::to_string(bytes) + " bytes for " + std::to_string(max_seq) +
                   " tokens exceed the cap of " + std::to_string(max_bytes);
        });
        k_ = tensor<float>(shape{n_layers, max_seq, n_kv_heads, head_dim});
        v_ = tensor<float>(shape{n_layers, max_seq, n_kv_heads, head_dim});
    }

    std::size_t size() const noexcept { return size_; }
    std::size_t capacity() const noexcept { return max_seq_; }
    std::size_t n_layers() const noexcept { return n_layers_; }
    std::size_t n_kv_heads() const noexcept { return n_kv_heads_; }
    std::size_t head_dim() const noexcept { return head_dim_; }

    // Throws context_overflow unless n more tokens fit.
    void require_room(std::size_t n) const {
        require(n <= max_seq_ - size_, error_kind::context_overflow, [&] {
            return "kv_cache: " + std::to_string(size_) + " cached + " + std::to_string(n) + " new tokens exceed " +
                   std::to_string(max_seq_);
        });
    }

    // Rows [begin, end) of layer `layer`: [end - begin, n_kv_heads, head_dim].
    tensor_view<float> keys(std::size_t layer, std::size_t begin, std::size_t end) { return rows(k_, layer, begin, end); }
    tensor_view<float> values(std::size_t layer, std::size_t begin, std::size_t end) {
        return rows(v_, layer, begin, end);
    }
    tensor_view<const float> keys(std::size_t layer, std::size_t begin, std::size_t end) const {
        return const_cast<kv_cache*>(this)->keys(layer, begin, end);
    }
    tensor_view<const float> values(std::size_t layer, std::size_t begin, std::size_t end) const {
        return const_cast<kv_cache*>(this)->values(layer, begin, end);
    }

    // Commits n tokens written at [size(), size() + n).
    void advance(std::size_t n) {
        require_room(n);
        size_ += n;
    }
    // Forgets every token from position n on (n <= size()).
    void truncate(std::size_t n) {
        require(n <= size_, error_kind::out_of_range, [&] {
            return "kv_cache::truncate: " + std::to_string(n) + " > " + std::to_string(size_) + " cached tokens";
        });
        size_ = n;
    }
    void reset() noexcept { size_ = 0; }

private:
    tensor_view<float> rows(tensor<float>& t, std::size_t layer, std::size_t begin, std::size_t end) {
        require(layer < n_layers_ && begin <= end && end <= max_seq_, error_kind::out_of_range, [&] {
            return "kv_cache: layer " + std::to_string(layer) + " rows [" + std::to_string(begin) + ", " +
                   std::to_string(end) + ") outside [" + std::to_string(n_layers_) + " layers, " +
                   std::to_string(max_seq_) + " rows]";
        });
        const std::size_t row = n_kv_heads_ * head_dim_;
        return tensor_view<float>(t.data() + (layer * max_seq_ + begin) * row, shape{end - begin, n_kv_heads_, head_dim_});
    }

    std::size_t n_layers_ = 0, max_seq_ = 0, n_kv_heads_ = 0, head_dim_ = 0;
    std::size_t size_ = 0;
    tensor<float> k_, v_;
};

}  // namespace tessera::nn
