#pragma once
// stop_string_filter: streams generated text and stops at the first stop string, even when
// it is split across tokens ("<|im_" + "end|>", or a multi-token Chinese phrase).
//
// push(piece) appends the piece to a small held-back buffer and returns what is safe to
// emit: everything except the longest tail that is still a prefix of some stop string. When
// a stop string appears, push returns the text before it, stopped() becomes true, and the
// stop string and anything after it are dropped. Because every possible beginning of a
// stop string is held back until it is decided, what was emitted earlier can never contain
// part of a match, so searching the held buffer is enough. finish() returns whatever is
// still held (generation ended for another reason).
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::generate {

class stop_string_filter {
public:
    explicit stop_string_filter(std::vector<std::string> stops = {}) : stops_(std::move(stops)) {
        stops_.erase(std::remove(stops_.begin(), stops_.end(), std::string()), stops_.end());
    }

    std::string push(std::string_view piece) {
        if (stopped_) return {};
        held_.append(piece);
        std::size_t first = std::string::npos;
        for (const std::string& s : stops_) first = std::min(first, held_.find(s));
        if (first != std::string::npos) {
            std::string out = held_.substr(0, first);
            held_.clear();
            stopped_ = true;
            return out;
        }
        const std::size_t keep = longest_tail_prefix();
        std::string out = held_.substr(0, held_.size() - keep);
        held_.erase(0, held_.size() - keep);
        return out;
    }

    std::string finish() {
        std::string out;
        out.swap(held_);
        return out;
    }

    bool stopped() const noexcept { return stopped_; }
    std::size_t held_bytes() const noexcept { return held_.size(); }

private:
    // Length of the longest suffix of held_ that is a proper prefix of a stop string.
    std::size_t longest_tail_prefix() const {
        std::size_t best = 0;
        for (const std::string& s : stops_) {
            const std::size_t max_len = std::min(held_.size(), s.size() - 1);
            for (std::size_t len = max_len; len > best; --len)
                if (std::string_view(held_).substr(held_.size() - len) == std::string_view(s).substr(0, len)) {
                    best = len;
                    break;
                }
        }
        return best;
    }

    std::vector<std::string> stops_;
    std::string held_;
    bool stopped_ = false;
};

}  // namespace tessera::generate
