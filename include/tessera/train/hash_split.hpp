#pragma once
// A train / validation / test split that depends on nothing but the example's own text:
//   d = fnv1a64(UTF-8 bytes of the text) mod 10;   0–7 train, 8 validation, 9 test.
// The same text always lands in the same split, on any machine, whatever the file order or
// how many other examples there are, so the split is reproducible from the definition alone
// (tools/reference/baseline_sklearn.py does it in Python) and adding data never moves an
// example between splits. Deduplicate before splitting, or copies of one text all fall in
// the same split anyway (which is what keeps duplicates from leaking into the test set).
#include <cstdint>
#include <string_view>

#include "tessera/train/fnv1a.hpp"

namespace tessera::train {

enum class split { train, validation, test };

constexpr split hash_split(std::string_view text) noexcept {
    const std::uint64_t d = fnv1a64(text) % 10;
    return d <= 7 ? split::train : d == 8 ? split::validation : split::test;
}

}  // namespace tessera::train
