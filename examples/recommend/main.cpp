// recommend: match customer needs to products of a bilingual catalog.
//
//   build/bin/recommend [--model DIR] [--catalog data/catalog.jsonl] [--top-k K]
//                       [--filter EXPR] [--json] [--threads N] [QUERY...]
//
// Loads the sentence encoder (default $TESSERA_MODELS/all-MiniLM-L6-v2, else
// ~/.cache/tessera/models/all-MiniLM-L6-v2), embeds every product's English and Chinese
// text once (a progress bar on stderr for more than 300 texts), then answers each QUERY
// argument, or each stdin line when none is given, with the top-k products: score, id,
// titles, price, and the attributes the filter matched. --json prints one JSON object per
// query. A product scores max(cos(query, English text), cos(query, Chinese text))
// (embed/product_catalog.hpp explains why; recall@5 0.735 on data/queries.jsonl).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "../common/inputs.hpp"
#include "../common/progress.hpp"

#include "tessera/io/model_cache.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/embed/product_catalog.hpp"
#include "tessera/embed/sentence_encoder.hpp"
#include "tessera/search/filter.hpp"
#include "tessera/simd/arch.hpp"

namespace fs = std::filesystem;
using namespace tessera;

namespace {

constexpr const char* usage =
    "usage: recommend [--model DIR] [--catalog FILE.jsonl] [--top-k K] [--filter EXPR] [--json]\n"
    "                 [--threads N] [QUERY...]\n"
    "  QUERY...        customer needs; without any, one per stdin line\n"
    "  --catalog FILE  default data/catalog.jsonl\n"
    "  --filter EXPR   e.g. \"category=shoes AND price<300 AND stock>0 AND tag:waterproof\"\n"
    "  --top-k K       default 5\n";

fs::path default_model_dir() {
    return tessera::io::default_encoder_dir();
}

// [#########.........]  123/450 texts, redrawn in place on stderr.
void print_text(const std::string& query, const search::filter& f, const embed::product_catalog& cat,
                const std::vector<embed::product_hit>& hits) {
    std::printf("\n> %s\n", query.c_str());
    if (hits.empty()) std::printf("  (no product matches the filter)\n");
    for (std::size_t r = 0; r < hits.size(); ++r) {
        const auto& it = cat.item(hits[r].row);
        std::printf("  %zu. [%.3f] %s  %s / %s  ¥%.2f%s\n", r + 1, double(hits[r].score), it.product.id.c_str(),
                    it.title_en.c_str(), it.title_zh.c_str(), it.product.price, it.product.stock > 0 ? "" : "  (out of stock)");
        const auto matched = embed::matched_attributes(f, it.product);
        if (!matched.empty()) {
            std::string s;
            for (const auto& m : matched) s += (s.empty() ? "" : ", ") + m;
            std::printf("       matched: %s\n", s.c_str());
        }
    }
}

void print_json(const std::string& query, const std::string& filter_text, const search::filter& f,
                const embed::product_catalog& cat, const std::vector<embed::product_hit>& hits) {
    nlohmann::json out = {{"query", query}, {"filter", filter_text}, {"results", nlohmann::json::array()}};
    for (const auto& h : hits) {
        const auto& it = cat.item(h.row);
        out["results"].push_back({{"id", it.product.id},
                                  {"score", h.score},
                                  {"title_en", it.title_en},
                                  {"title_zh", it.title_zh},
                                  {"category", it.product.category},
                                  {"price", it.product.price},
                                  {"stock", it.product.stock},
                                  {"tags", it.product.tags},
                                  {"matched_language", h.matched_zh ? "zh" : "en"},
                                  {"matched", embed::matched_attributes(f, it.product)}});
    }
    std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

bool parse_count(const std::string& s, std::size_t& out) {
    try {
        std::size_t used = 0;
        const unsigned long v = std::stoul(s, &used);
        if (used != s.size() || v == 0) return false;
        out = v;
        return true;
    } catch (...) {
        return false;
    }
}

}  // namespace

int main(int argc, char** argv) {
    fs::path model = default_model_dir();
    std::string catalog_path = "data/catalog.jsonl", filter_text;
    std::size_t k = 5, threads = std::max(1u, std::thread::hardware_concurrency());
    bool json = false;
    std::vector<std::string> queries;
    for (int i = 1; i < argc; ++i) {
        const std::string s = argv[i];
        const bool has_value = i + 1 < argc;
        if (s == "-h" || s == "--help") {
            std::fputs(usage, stdout);
            return 0;
        } else if (s == "--json") {
            json = true;
        } else if ((s == "--model" || s == "--catalog" || s == "--filter" || s == "--top-k" || s == "--threads") &&
                   !has_value) {
            std::fprintf(stderr, "recommend: %s needs a value\n%s", s.c_str(), usage);
            return 1;
        } else if (s == "--model") {
            model = argv[++i];
        } else if (s == "--catalog") {
            catalog_path = argv[++i];
        } else if (s == "--filter") {
            filter_text = argv[++i];
        } else if (s == "--top-k" || s == "--threads") {
            if (!parse_count(argv[++i], s == "--top-k" ? k : threads)) {
                std::fprintf(stderr, "recommend: %s needs a positive number\n%s", s.c_str(), usage);
                return 1;
            }
        } else if (s.starts_with("--")) {
            std::fprintf(stderr, "recommend: unknown option %s\n%s", s.c_str(), usage);
            return 1;
        } else {
            queries.push_back(s);
        }
    }
    try {
        const search::filter f = search::filter::parse(filter_text);
        if (!fs::exists(model / "model.safetensors")) {
            std::fprintf(stderr, "recommend: no model at %s (run ./scripts/fetch-models.sh, or pass --model DIR)\n",
                         model.string().c_str());
            return 2;
        }
        const auto t0 = std::chrono::steady_clock::now();
        const auto enc = embed::sentence_encoder::load(model);
        auto items = embed::read_catalog_jsonl(catalog_path);
        thread_pool pool(threads);
        const std::size_t texts = 2 * items.size();
        const auto t1 = std::chrono::steady_clock::now();
        const auto cat = embed::product_catalog::build(enc, std::move(items), &pool,
                                                       texts > 300 ? std::function<void(std::size_t, std::size_t)>(examples::progress_bar("embedding catalog")) : nullptr);
        const auto t2 = std::chrono::steady_clock::now();
        const auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
        std::fprintf(stderr, "recommend: %zu products (%zu texts) embedded in %.0f ms (model loaded in %.0f ms, %zu threads, %s)\n",
                     cat.size(), texts, ms(t1, t2), ms(t0, t1), threads, tessera::simd_level());
        const auto answer = [&](const std::string& q) {
            const auto hits = cat.search(enc.encode_one(q, {}, &pool), k, f, &pool);
            if (json) print_json(q, filter_text, f, cat, hits);
            else print_text(q, f, cat, hits);
            std::fflush(stdout);
        };
        examples::for_each_input(queries, answer);
        return 0;
    } catch (const tessera::error& e) {
        std::fprintf(stderr, "recommend: %s\n", e.what());
        return 2;
    }
}
