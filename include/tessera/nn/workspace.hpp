#pragma once
// workspace: the scratch memory of one inference session (activations between layers,
// projection outputs). The caller owns it and passes it to every layer's forward, so
// layers stay immutable and shareable across threads while each thread or session has
// its own workspace.
//
// A bump allocator over a list of 64-byte aligned blocks. `take` hands out buffers that
// stay valid until the enclosing `frame` ends; frames nest (a block's forward opens one,
// the attention inside it opens another). When everything has been released and the
// memory is spread over several blocks, they are merged into one, so after the first
// call of a given shape a session allocates nothing.
#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

#include "tessera/core/aligned.hpp"
#include "tessera/core/shape.hpp"
#include "tessera/core/tensor.hpp"

namespace tessera::nn {

class workspace {
public:
    workspace() = default;
    workspace(const workspace&) = delete;
    workspace& operator=(const workspace&) = delete;
    workspace(workspace&&) noexcept = default;
    workspace& operator=(workspace&&) noexcept = default;

    // Releases everything taken after its construction when it goes out of scope.
    class frame {
    public:
        explicit frame(workspace& ws) noexcept : ws_(ws), mark_(ws.mark()) {}
        ~frame() { ws_.release(mark_); }
        frame(const frame&) = delete;
        frame& operator=(const frame&) = delete;

    private:
        workspace& ws_;
        std::pair<std::size_t, std::size_t> mark_;
    };

    // A contiguous, uninitialised float buffer of shape s, 64-byte aligned.
    tensor_view<float> take(const shape& s) {
        const std::size_t n = (s.numel() + 15) / 16 * 16;  // whole cache lines
        while (cur_ < blocks_.size() && blocks_[cur_].capacity - blocks_[cur_].used < n) ++cur_;
        if (cur_ == blocks_.size()) {
            const std::size_t last = blocks_.empty() ? 0 : blocks_.back().capacity;
            const std::size_t cap = std::max({n, 2 * last, std::size_t(4096)});
            blocks_.push_back({aligned_alloc_array<float>(cap), cap, 0});
        }
        block& b = blocks_[cur_];
        float* p = b.data.get() + b.used;
        b.used += n;
        in_use_ += n;
        peak_ = std::max(peak_, in_use_);
        return tensor_view<float>(p, s);
    }

    std::size_t reserved_bytes() const noexcept {
        std::size_t t = 0;
        for (const block& b : blocks_) t += b.capacity * sizeof(float);
        return t;
    }
    // Most bytes handed out at once since construction.
    std::size_t peak_bytes() const noexcept { return peak_ * sizeof(float); }

private:
    struct block {
        aligned_array<float> data;
        std::size_t capacity;
        std::size_t used;
    };

    std::pair<std::size_t, std::size_t> mark() const noexcept {
        return {cur_, cur_ < blocks_.size() ? blocks_[cur_].used : 0};
    }
    void release(std::pair<std::size_t, std::size_t> m) noexcept {
        for (std::size_t i = m.first; i < blocks_.size(); ++i) {
            in_use_ -= blocks_[i].used;
            blocks_[i].used = 0;
        }
        cur_ = m.first;
        if (cur_ < blocks_.size()) {
            blocks_[cur_].used = m.second;
            in_use_ += m.second;
        }
        if (in_use_ == 0 && blocks_.size() > 1) {  // merge: next time everything fits in one block
            std::size_t total = 0;
            for (const block& b : blocks_) total += b.capacity;
            blocks_.clear();
            cur_ = 0;
            try {
                blocks_.push_back({aligned_alloc_array<float>(total), total, 0});
            } catch (...) {  // no memory now: start empty, take() will retry
            }
        }
    }

    std::vector<block> blocks_;
    std::size_t cur_ = 0;
    std::size_t in_use_ = 0;
    std::size_t peak_ = 0;
};

}  // namespace tessera::nn
