#pragma once
// product_catalog: a bilingual product catalog read from JSON Lines, embedded with a
// sentence_encoder and searched with attribute filters (what examples/recommend and
// `tessera search` run).
//
// Input, one product per line (data/catalog.jsonl, see data/README.md):
//   {"id": "SKU-11001", "title_en": "...", "title_zh": "...", "description_en": "...",
//    "description_zh": "...", "category": "shoes", "price": 599.00, "stock": 42,
//    "tags": ["hiking", "waterproof"]}
// id is required and unique; at least one title or description; the rest optional.
// Other string fields become free-form attributes (filterable as name=value).
//
// Each product is embedded twice, its English text (title. description) and its Chinese
// text (title。description), into two search::catalog of the same rows, and a product
// scores max(cos(q, en), cos(q, zh)). Measured on data/queries.jsonl with
// all-MiniLM-L6-v2 (an English model that still places Chinese text usefully), recall@5
// of the expected products is 0.735 this way, against 0.654 for one vector of both
// languages concatenated and 0.602 for English text alone (tools/reference/
// make_embedding_goldens.py ranks the golden queries the same way). A product with only
// one language's text uses that text for both.
//
// search(): the best k products by that max among those matching the filter. The exact
// top-k of the max is inside the union of each catalog's top k, so k from each suffices.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <fstream>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/embed/sentence_encoder.hpp"
#include "tessera/search/catalog.hpp"
#include "tessera/search/filter.hpp"
#include "tessera/text/tokenizer_json.hpp"

namespace tessera::embed {

struct catalog_item {
    search::product product;  // id, category, price, stock, tags, attributes; text = English text
    std::string title_en, title_zh;
    std::string text_en, text_zh;  // what is embedded
};

// Reads a catalog JSONL file. Errors (malformed, duplicate, invalid_data) name the file and line.
inline std::vector<catalog_item> read_catalog_jsonl(const std::string& path, std::size_t max_items = 10'000'000) {
    std::ifstream in(path, std::ios::binary);
    require(bool(in), error_kind::io, [&] { return path + ": cannot open"; });
    std::vector<catalog_item> items;
    std::map<std::string, std::size_t> seen;
    std::string line;
    const limits lim;
    for (std::size_t no = 1; std::getline(in, line); ++no) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        const std::string where = path + ":" + std::to_string(no);
        require(items.size() < max_items, error_kind::too_large,
                [&] { return where + ": more than " + std::to_string(max_items) + " products"; });
        text::json j = text::detail::parse_json_document(line, where, lim);
        const io::dismantle_on_exit release(j);  // no allocation in its destructor (io/json_guard.hpp)
        require(j.is_object(), error_kind::malformed, [&] { return where + ": not a JSON object"; });
        catalog_item it;
        const auto str = [&](const char* key) -> std::string {
            const auto f = j.find(key);
            if (f == j.end() || f->is_null()) return {};
            require(f->is_string(), error_kind::malformed, [&] { return where + ": \"" + key + "\" is not a string"; });
            return f->get<std::string>();
        };
        it.product.id = str("id");
        require(!it.product.id.empty(), error_kind::malformed, [&] { return where + ": missing \"id\""; });
        require(seen.emplace(it.product.id, no).second, error_kind::duplicate, [&] {
            return where + ": id " + it.product.id + " was already used on line " + std::to_string(seen[it.product.id]);
        });
        it.title_en = str("title_en");
        it.title_zh = str("title_zh");
        const std::string desc_en = str("description_en"), desc_zh = str("description_zh");
        const auto join = [](const std::string& a, const char* sep, const std::string& b) {
            return a.empty() ? b : b.empty() ? a : a + sep + b;
        };
        it.text_en = join(it.title_en, ". ", desc_en);
        it.text_zh = join(it.title_zh, "。", desc_zh);
        require(!it.text_en.empty() || !it.text_zh.empty(), error_kind::invalid_data,
                [&] { return where + ": product " + it.product.id + " has no title or description"; });
        if (it.text_en.empty()) it.text_en = it.text_zh;
        if (it.text_zh.empty()) it.text_zh = it.text_en;
        it.product.text = it.text_en;
        it.product.category = str("category");
        if (const auto f = j.find("price"); f != j.end() && !f->is_null()) {
            require(f->is_number() && std::isfinite(f->get<double>()) && f->get<double>() >= 0, error_kind::invalid_data,
                    [&] { return where + ": \"price\" must be a finite number >= 0"; });
            it.product.price = f->get<double>();
        }
        if (const auto f = j.find("stock"); f != j.end() && !f->is_null()) {
            require(f->is_number_integer(), error_kind::invalid_data, [&] { return where + ": \"stock\" must be an integer"; });
            it.product.stock = f->get<std::int64_t>();
        }
        if (const auto f = j.find("tags"); f != j.end() && !f->is_null()) {
            require(f->is_array(), error_kind::malformed, [&] { return where + ": \"tags\" is not an array"; });
            for (const auto& t : *f) {
                require(t.is_string(), error_kind::malformed, [&] { return where + ": a tag is not a string"; });
                it.product.tags.insert(t.get<std::string>());
            }
        }
        for (const auto& [key, value] : j.items()) {
            if (key == "id" || key == "category" || key == "price" || key == "stock" || key == "tags" ||
                key.starts_with("description_"))
                continue;
            if (value.is_string()) it.product.attributes[key] = value.get<std::string>();
        }
        items.push_back(std::move(it));
    }
    require(!in.bad(), error_kind::io, [&] { return path + ": read error"; });
    return items;
}

struct product_hit {
    std::size_t row = 0;  // index into items()
    float score = 0.0f;   // max of the two cosine similarities
    bool matched_zh = false;  // the Chinese text scored higher
};

class product_catalog {
public:
    // Embeds every product's two texts (2·n texts; progress reports texts done, total).
    static product_catalog build(const sentence_encoder& enc, std::vector<catalog_item> items, thread_pool* pool = nullptr,
                                 std::function<void(std::size_t, std::size_t)> progress = {},
                                 std::size_t batch_size = 32) {
        std::vector<std::string_view> texts;
        texts.reserve(2 * items.size());
        for (const auto& it : items) texts.push_back(it.text_en);
        for (const auto& it : items) texts.push_back(it.text_zh);
        encode_options opt{.batch_size = batch_size, .normalize = true};
        opt.progress = std::move(progress);
        const tensor<float> e = enc.encode(texts, opt, pool);
        product_catalog c(enc.dim());
        for (std::size_t i = 0; i < items.size(); ++i) {
            search::product zh = items[i].product;
            zh.text = items[i].text_zh;
            c.en_.add(items[i].product, std::span<const float>(e.data() + i * enc.dim(), enc.dim()));
            c.zh_.add(std::move(zh), std::span<const float>(e.data() + (items.size() + i) * enc.dim(), enc.dim()));
        }
        c.items_ = std::move(items);
        return c;
    }

    std::size_t size() const noexcept { return items_.size(); }
    std::size_t dim() const noexcept { return en_.dim(); }
    const catalog_item& item(std::size_t row) const { return items_.at(row); }
    std::span<const catalog_item> items() const noexcept { return items_; }

    // query: an embedding [dim] (normalised or not; cosine normalises it).
    std::vector<product_hit> search(std::span<const float> query, std::size_t k, const search::filter& f = {},
                                    thread_pool* pool = nullptr) const {
        const search::catalog_search_options opt{.pool = pool};
        std::map<std::size_t, product_hit> best;
        for (const auto& h : en_.search(query, k, f, opt)) best[h.corpus_id] = {h.corpus_id, h.score, false};
        for (const auto& h : zh_.search(query, k, f, opt)) {
            auto [it, fresh] = best.try_emplace(h.corpus_id, product_hit{h.corpus_id, h.score, true});
            if (!fresh && h.score > it->second.score) it->second = {h.corpus_id, h.score, true};
        }
        std::vector<product_hit> hits;
        hits.reserve(best.size());
        for (const auto& [row, h] : best) hits.push_back(h);
        // Best first; equal scores by row, as search::catalog orders them.
        std::sort(hits.begin(), hits.end(), [](const product_hit& a, const product_hit& b) {
            return a.score != b.score ? a.score > b.score : a.row < b.row;
        });
        if (hits.size() > k) hits.resize(k);
        return hits;
    }

private:
    explicit product_catalog(std::size_t dim) : en_(dim), zh_(dim) {}

    std::vector<catalog_item> items_;
    search::catalog en_, zh_;  // row i = items_[i]
};

// "category=shoes", "price=199.00", "tag:waterproof": the product's values for the
// attributes a filter looked at (what made it match).
inline std::vector<std::string> matched_attributes(const search::filter& f, const search::product& p) {
    std::vector<std::string> out;
    char buf[64];
    for (const auto& c : f.clauses()) {
        std::string s;
        switch (c.on) {
        case search::filter::field::category: s = "category=" + p.category; break;
        case search::filter::field::price:
            std::snprintf(buf, sizeof buf, "price=%.2f", p.price);
            s = buf;
            break;
        case search::filter::field::stock: s = "stock=" + std::to_string(p.stock); break;
        case search::filter::field::tag: s = (c.cmp == search::filter::op::eq ? "tag:" : "no tag:") + c.text; break;
        case search::filter::field::attribute: {
            const auto it = p.attributes.find(c.key);
            s = c.key + "=" + (it == p.attributes.end() ? std::string("(none)") : it->second);
            break;
        }
        }
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
    }
    return out;
}

}  // namespace tessera::embed
