#pragma once
// knowledge: a shop's policy/FAQ passages and catalog rows, embedded once with a
// sentence_encoder and searched for the passages that answer a customer's message
// (the retrieval step of apps/reply.hpp).
//
//   auto passages = apps::read_knowledge_jsonl("data/shop_knowledge.jsonl");
//   auto rows = apps::passages_from_catalog(embed::read_catalog_jsonl("data/catalog.jsonl"));
//   passages.insert(passages.end(), rows.begin(), rows.end());
//   auto kb = apps::knowledge_index::build(encoder, std::move(passages), &pool);
//   auto hits = kb.search(encoder.encode_one(question, {}, &pool), question, 3);   // best first
//
// Scoring (hybrid retrieval): a passage scores
//     max over its views of cos(query, view)  +  lexical_weight · BM25(query, passage)
// Views: a passage is embedded as "title. text" whole and, unless it is a product row, as
// each sentence of its text;
// a customer asks about one detail, and the sentence that states it matches better than
// the whole passage's vector. BM25 (search/bm25.hpp, Chinese character bigrams and English
// words over "title text") adds the exact terms two texts share, which all-MiniLM-L6-v2,
// an English model, misses in Chinese. Measured on data/reply_questions.jsonl, 41
// answerable questions (tools/reference/eval_reply_retrieval.py with sentence-transformers;
// tests/test_reply.cpp prints tessera's own figures):
//     "title. text" alone          hit@1 0.59  hit@3 0.73
//     views                        hit@1 0.61  hit@3 0.76
//     BM25 alone                   hit@1 0.88  hit@3 0.90
//     views + 0.05 · BM25          hit@1 0.85  hit@3 0.95   (the default)
//
// search() scores every view and every passage: exact, O(views · dim), fine for the
// thousands of passages a shop has (the product catalog's own search covers millions).
#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <fstream>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/embed/product_catalog.hpp"
#include "tessera/embed/sentence_encoder.hpp"
#include "tessera/search/bm25.hpp"
#include "tessera/search/similarity.hpp"
#include "tessera/text/tokenizer_json.hpp"
#include "tessera/text/utf8.hpp"

namespace tessera::apps {

struct passage {
    std::string id;     // "KB-001", "SKU-11001": what a reply cites
    std::string kind;   // "policy" or "product"
    std::string topic;  // "returns", a product category, ...
    std::string lang;   // "zh", "en", or "" when unknown / both
    std::string title;
    std::string text;
};

// data/shop_knowledge.jsonl: one {"id", "topic", "lang", "title", "text"} object per line
// (id and text required, ids unique). Errors name the file and line.
inline std::vector<passage> read_knowledge_jsonl(const std::string& path, std::size_t max_passages = 1'000'000) {
    std::ifstream in(path, std::ios::binary);
    require(bool(in), error_kind::io, [&] { return path + ": cannot open"; });
    std::vector<passage> out;
    std::map<std::string, std::size_t> seen;
    const limits lim;
    std::string line;
    for (std::size_t no = 1; std::getline(in, line); ++no) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        const std::string where = path + ":" + std::to_string(no);
        require(out.size() < max_passages, error_kind::too_large,
                [&] { return where + ": more than " + std::to_string(max_passages) + " passages"; });
        text::json j = text::detail::parse_json_document(line, where, lim);
        const io::dismantle_on_exit release(j);  // no allocation in its destructor (io/json_guard.hpp)
        require(j.is_object(), error_kind::malformed, [&] { return where + ": not a JSON object"; });
        const auto str = [&](const char* key) -> std::string {
            const auto f = j.find(key);
            if (f == j.end() || f->is_null()) return {};
            require(f->is_string(), error_kind::malformed, [&] { return where + ": \"" + key + "\" is not a string"; });
            return f->get<std::string>();
        };
        passage p{.id = str("id"), .kind = "policy", .topic = str("topic"), .lang = str("lang"), .title = str("title"),
                  .text = str("text")};
        require(!p.id.empty(), error_kind::malformed, [&] { return where + ": missing \"id\""; });
        require(!p.text.empty(), error_kind::invalid_data, [&] { return where + ": passage " + p.id + " has no text"; });
        require(seen.emplace(p.id, no).second, error_kind::duplicate, [&] {
            return where + ": id " + p.id + " was already used on line " + std::to_string(seen[p.id]);
        });
        out.push_back(std::move(p));
    }
    require(!in.bad(), error_kind::io, [&] { return path + ": read error"; });
    return out;
}

// One passage per product and language present: the title, then price and stock as a
// sentence the model can quote, then the description.
//   SKU-11001  "TrailGuard waterproof hiking boots" / "Price ¥599.00, in stock (42). <description>"
inline std::vector<passage> passages_from_catalog(std::span<const embed::catalog_item> items) {
    std::vector<passage> out;
    char buf[96];
    for (const auto& it : items) {
        const auto& p = it.product;
        const auto add = [&](const std::string& lang, const std::string& title, const std::string& text) {
            if (lang == "zh") {
                if (p.stock > 0) std::snprintf(buf, sizeof buf, "售价¥%.2f，有货（%lld件）。", p.price, (long long)p.stock);
                else std::snprintf(buf, sizeof buf, "售价¥%.2f，暂时缺货。", p.price);
            } else {
                if (p.stock > 0) std::snprintf(buf, sizeof buf, "Price ¥%.2f, in stock (%lld). ", p.price, (long long)p.stock);
                else std::snprintf(buf, sizeof buf, "Price ¥%.2f, out of stock. ", p.price);
            }
            // The catalog text is "title. description"; keep the description only.
            std::string desc = text.starts_with(title) ? text.substr(title.size()) : text;
            while (!desc.empty() && (desc.front() == '.' || desc.front() == ' ')) desc.erase(0, 1);
            if (desc.starts_with("。")) desc.erase(0, std::string_view("。").size());
            out.push_back({.id = p.id, .kind = "product", .topic = p.category, .lang = lang, .title = title,
                           .text = std::string(buf) + desc});
        };
        const bool has_zh = !it.title_zh.empty(), has_en = !it.title_en.empty();
        if (has_en || !has_zh) add("en", has_en ? it.title_en : it.title_zh, it.text_en);
        if (has_zh) add("zh", it.title_zh, it.text_zh);
    }
    return out;
}

// The sentences of a text, each with its closing mark: split after 。！？!? and after
// '.' followed by a space or the end (so "¥599.00" and "v2.1" stay whole). Leading
// spaces are dropped; empty pieces are skipped.
inline std::vector<std::string_view> split_sentences(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    const auto push = [&](std::size_t end) {
        std::size_t b = start;
        while (b < end && (s[b] == ' ' || s[b] == '\n' || s[b] == '\t')) ++b;
        if (b < end) out.push_back(s.substr(b, end - b));
        start = end;
    };
    for (std::size_t i = 0; i < s.size();) {
        const text::utf8_decoded d = text::decode_utf8(s, i);
        const std::size_t next = i + d.length;
        const char32_t c = d.cp;
        const bool ascii_end = (c == '!' || c == '?' || c == '.') &&
                               (next >= s.size() || s[next] == ' ' || s[next] == '\n');
        if (ascii_end || c == U'。' || c == U'！' || c == U'？' || c == '\n') push(next);
        i = next;
    }
    push(s.size());
    return out;
}

struct passage_hit {
    std::size_t index = 0;  // into knowledge_index::passages()
    float score = 0.0f;     // dense + lexical_weight · lexical
    float dense = 0.0f;     // cosine similarity of the passage's best view
    float lexical = 0.0f;   // BM25
};

class knowledge_index {
public:
    // Embeds every passage's views (progress: texts done, total). Passages with equal ids
    // are allowed (one product in two languages); index order is the input order.
    static knowledge_index build(const embed::sentence_encoder& enc, std::vector<passage> passages,
                                 thread_pool* pool = nullptr,
                                 std::function<void(std::size_t, std::size_t)> progress = {},
                                 std::size_t batch_size = 32) {
        knowledge_index k;
        std::vector<std::string> texts;
        for (std::size_t i = 0; i < passages.size(); ++i) {
            const passage& p = passages[i];
            texts.push_back(p.title.empty() ? p.text : p.title + ". " + p.text);
            k.owner_.push_back(i);
            // Products are short and state one thing: their whole text is their only view.
            const auto sentences = p.kind == "product" ? std::vector<std::string_view>{} : split_sentences(p.text);
            if (sentences.size() > 1)
                for (std::string_view s : sentences) {
                    texts.emplace_back(s);
                    k.owner_.push_back(i);
                }
        }
        embed::encode_options opt{.batch_size = batch_size, .normalize = true};
        opt.progress = std::move(progress);
        k.views_ = enc.encode(texts, opt, pool);
        std::vector<std::string> docs;
        for (const passage& p : passages) docs.push_back(p.title + " " + p.text);
        k.lexical_ = search::bm25_index(docs);
        k.passages_ = std::move(passages);
        return k;
    }

    std::size_t size() const noexcept { return passages_.size(); }
    std::size_t views() const noexcept { return owner_.size(); }
    std::span<const passage> passages() const noexcept { return passages_; }
    const passage& at(std::size_t i) const { return passages_.at(i); }

    // The best k passages for a query (its embedding [dim], unit length, and its text), best
    // first; ties go to the lower index. lexical_weight 0: dense retrieval only.
    std::vector<passage_hit> search(std::span<const float> query, std::string_view query_text, std::size_t k,
                                    float lexical_weight = 0.05f) const {
        search::check_query(query, views_.extent(1), "knowledge_index::search");
        if (k == 0 || passages_.empty()) return {};
        std::vector<passage_hit> all(passages_.size());
        for (std::size_t p = 0; p < all.size(); ++p) all[p] = {p, 0.0f, -2.0f, 0.0f};
        const std::size_t d = views_.extent(1);
        for (std::size_t v = 0; v < owner_.size(); ++v) {
            const float s = search::dot_product(query, std::span<const float>(views_.data() + v * d, d));
            float& best = all[owner_[v]].dense;
            best = std::max(best, s);
        }
        const std::vector<float> lex = lexical_weight != 0.0f ? lexical_.scores(query_text) : std::vector<float>(all.size(), 0.0f);
        for (passage_hit& h : all) {
            h.lexical = lex[h.index];
            h.score = h.dense + lexical_weight * h.lexical;
        }
        k = std::min(k, all.size());
        std::partial_sort(all.begin(), all.begin() + std::ptrdiff_t(k), all.end(), [](const passage_hit& a, const passage_hit& b) {
            return a.score != b.score ? a.score > b.score : a.index < b.index;
        });
        all.resize(k);
        return all;
    }

private:
    std::vector<passage> passages_;
    std::vector<std::size_t> owner_;  // view -> passage
    tensor<float> views_;             // [views, dim], unit rows
    search::bm25_index lexical_;      // over "title text" of each passage
};

}  // namespace tessera::apps
