#pragma once
// bm25: lexical scoring of documents against a query (Okapi BM25, k1 = 1.2, b = 0.75,
// idf = ln(1 + (N − n + 0.5) / (n + 0.5)), Lucene's form), for Chinese and English text.
//
//   search::bm25_index idx(docs);                 // docs: any range of string-like
//   std::vector<float> s = idx.scores(query);     // [docs.size()], 0 where nothing matches
//
// Terms (lexical_terms): ASCII letter/digit runs, lower-cased, minus a short list of English
// function words; each run of CJK ideographs as its overlapping character bigrams (a
// single ideograph when the run has one), minus a short list of function-word bigrams. Bigrams are the classic index unit for Chinese
// without a word segmenter: "退货运费" → 退货, 货运, 运费. Other characters separate terms.
// Each distinct query term counts once.
//
// Why it is here: an English sentence encoder places Chinese text poorly (apps/knowledge.hpp
// measures it), and exact terms — 发票, 顺丰, Visa, "Hong Kong" — are what a customer's
// question and the policy that answers it share. Fusing BM25 with the dense score is the
// usual hybrid retrieval.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tessera/text/unicode.hpp"
#include "tessera/text/utf8.hpp"

namespace tessera::search {

namespace detail {
inline bool is_english_stopword(std::string_view w) noexcept {
    static constexpr std::string_view words[] = {
        "a",    "an",   "and",  "are",  "at",   "be",   "by",   "can",  "do",   "does", "for",  "from", "has",
        "have", "how",  "i",    "if",   "in",   "is",   "it",   "me",   "my",   "no",   "not",  "of",   "on",
        "or",   "our",  "the",  "this", "that", "to",   "we",   "what", "when", "will", "with", "you",  "your"};
    return std::find(std::begin(words), std::end(words), w) != std::end(words);
}
// Bigrams of Chinese function words that every question and every policy has ("can",
// "you", "how", "what", "please"): matching on them ranks a coupon policy first for
// "买的鞋子不合适，可以退吗？".
inline bool is_chinese_stop_bigram(std::string_view w) noexcept {
    static constexpr std::string_view words[] = {"可以", "你们", "我们", "什么", "怎么", "如何", "是否",
                                                 "请问", "一下", "这个", "那个", "还能", "能不", "不能"};
    return std::find(std::begin(words), std::end(words), w) != std::end(words);
}
}  // namespace detail

inline std::vector<std::string> lexical_terms(std::string_view s) {
    std::vector<std::string> out;
    std::string word;
    std::vector<std::string_view> cjk;  // the current run of ideographs, one UTF-8 slice each
    const auto flush_word = [&] {
        if (!word.empty() && !detail::is_english_stopword(word)) out.push_back(word);
        word.clear();
    };
    const auto flush_cjk = [&] {
        if (cjk.size() == 1) out.emplace_back(cjk[0]);
        for (std::size_t i = 0; i + 1 < cjk.size(); ++i) {
            std::string bigram = std::string(cjk[i]) + std::string(cjk[i + 1]);
            if (!detail::is_chinese_stop_bigram(bigram)) out.push_back(std::move(bigram));
        }
        cjk.clear();
    };
    for (std::size_t i = 0; i < s.size();) {
        const text::utf8_decoded d = text::decode_utf8(s, i);
        const char c = s[i];
        if (d.length == 1 && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
            flush_cjk();
            word.push_back(c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c);
        } else if (d.valid && text::is_cjk_ideograph(d.cp)) {
            flush_word();
            cjk.push_back(s.substr(i, d.length));
        } else {
            flush_word();
            flush_cjk();
        }
        i += d.length;
    }
    flush_word();
    flush_cjk();
    return out;
}

class bm25_index {
public:
    static constexpr float k1 = 1.2f, b = 0.75f;

    bm25_index() = default;
    template <class Docs>
    explicit bm25_index(const Docs& docs) {
        std::size_t total = 0;
        for (const auto& d : docs) {
            const std::vector<std::string> terms = lexical_terms(std::string_view(d));
            std::unordered_map<std::string, std::uint32_t> tf;
            for (const std::string& t : terms) ++tf[t];
            const std::uint32_t doc = std::uint32_t(lengths_.size());
            for (const auto& [t, n] : tf) postings_[t].push_back({doc, n});
            lengths_.push_back(std::uint32_t(terms.size()));
            total += terms.size();
        }
        avg_length_ = lengths_.empty() ? 0.0f : float(double(total) / double(lengths_.size()));
    }

    std::size_t size() const noexcept { return lengths_.size(); }

    // The BM25 score of every document for the query [size()]. Postings are in document
    // order and query terms are summed in their order of first appearance, so the scores
    // do not depend on hash-table iteration.
    std::vector<float> scores(std::string_view query) const {
        std::vector<float> out(size(), 0.0f);
        std::vector<std::string> seen;
        const float n = float(size());
        for (const std::string& t : lexical_terms(query)) {
            if (std::find(seen.begin(), seen.end(), t) != seen.end()) continue;
            seen.push_back(t);
            const auto it = postings_.find(t);
            if (it == postings_.end()) continue;
            const float df = float(it->second.size());
            const float idf = std::log(1.0f + (n - df + 0.5f) / (df + 0.5f));
            for (const posting& p : it->second) {
                const float tf = float(p.count);
                const float norm = k1 * (1.0f - b + b * float(lengths_[p.doc]) / avg_length_);
                out[p.doc] += idf * tf * (k1 + 1.0f) / (tf + norm);
            }
        }
        return out;
    }

private:
    struct posting {
        std::uint32_t doc;
        std::uint32_t count;
    };
    std::unordered_map<std::string, std::vector<posting>> postings_;
    std::vector<std::uint32_t> lengths_;
    float avg_length_ = 0.0f;
};

}  // namespace tessera::search
