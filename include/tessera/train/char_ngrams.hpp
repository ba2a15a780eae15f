#pragma once
// Bag-of-characters features: hashed character unigrams and bigrams as sparse rows, the
// input of the classic linear text classifier (the baseline next to embedding heads).
//
//   auto x = train::char_ngram_features<float>(texts, {.buckets = 1 << 18});   // sparse [n, 2^18]
//
// For each text: decode UTF-8 into code points (invalid bytes become U+FFFD, text/utf8.hpp's
// policy); take every code point (unigram) and, when `bigrams`, every adjacent pair; hash
// each n-gram as fnv1a64 of its UTF-8 bytes, mod `buckets` (colliding n-grams share a
// column, the "hashing trick"); count; scale the row to unit L2 norm so short and long texts
// weigh alike. An empty text is an empty row. Characters are taken as they are (no case or
// width folding), whitespace and punctuation included.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/text/utf8.hpp"
#include "tessera/train/features.hpp"
#include "tessera/train/fnv1a.hpp"

namespace tessera::train {

struct char_ngram_options {
    std::uint32_t buckets = 1u << 18;
    bool bigrams = true;
};

template <class T>
void append_char_ngrams(sparse_rows<T>& out, std::string_view text, const char_ngram_options& opt = {}) {
    require(opt.buckets > 0 && out.cols() == opt.buckets, error_kind::invalid_argument,
            "append_char_ngrams: the rows' column count must equal buckets (> 0)");
    std::vector<std::string> chars;  // each code point, re-encoded (valid UTF-8)
    for (std::size_t pos = 0; pos < text.size();) {
        const auto d = text::decode_utf8(text, pos);
        std::string c;
        text::append_utf8(c, d.cp);
        chars.push_back(std::move(c));
        pos += d.length;
    }
    std::vector<std::uint32_t> hits;
    hits.reserve(2 * chars.size());
    for (std::size_t i = 0; i < chars.size(); ++i) {
        hits.push_back(std::uint32_t(fnv1a64(chars[i]) % opt.buckets));
        if (opt.bigrams && i + 1 < chars.size())
            hits.push_back(std::uint32_t(fnv1a64(chars[i + 1], fnv1a64(chars[i])) % opt.buckets));  // hash of the pair's bytes
    }
    std::sort(hits.begin(), hits.end());
    std::vector<std::uint32_t> index;
    std::vector<T> value;
    for (std::size_t i = 0; i < hits.size();) {
        std::size_t j = i;
        while (j < hits.size() && hits[j] == hits[i]) ++j;
        index.push_back(hits[i]);
        value.push_back(T(j - i));
        i = j;
    }
    double ss = 0;
    for (T v : value) ss += double(v) * double(v);
    if (ss > 0)
        for (T& v : value) v = T(double(v) / std::sqrt(ss));
    out.add_row(index, value);
}

template <class T, class Texts>
sparse_rows<T> char_ngram_features(const Texts& texts, const char_ngram_options& opt = {}) {
    sparse_rows<T> out(opt.buckets);
    for (const auto& t : texts) append_char_ngrams(out, std::string_view(t), opt);
    return out;
}

}  // namespace tessera::train
