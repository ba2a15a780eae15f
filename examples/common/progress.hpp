#pragma once
// A progress bar on stderr for the examples: "label [#########.........] 123/450 texts",
// redrawn in place, only when it grows (a log file gets a few lines, not one per batch).
#include <cstddef>
#include <cstdio>

namespace tessera::examples {

class progress_bar {
public:
    explicit progress_bar(const char* label) : label_(label) {}
    void operator()(std::size_t done, std::size_t total) {
        constexpr int width = 30;
        const int filled = total ? int(double(done) / double(total) * width) : width;
        if (filled == drawn_ && done != total) return;
        drawn_ = filled;
        std::fprintf(stderr, "\r%s [%.*s%.*s] %zu/%zu texts", label_, filled, "##############################",
                     width - filled, "..............................", done, total);
        if (done == total) std::fputc('\n', stderr);
        std::fflush(stderr);
    }

private:
    const char* label_;
    int drawn_ = -1;
};

}  // namespace tessera::examples
