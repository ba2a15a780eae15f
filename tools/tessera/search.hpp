#pragma once
// tessera search [--model DIR] --catalog FILE.jsonl --query TEXT [--top-k K] [--filter EXPR]
//                [--json] [--threads N]
//
// Embeds a product catalog (JSON Lines, data/README.md's format; embed/product_catalog.hpp)
// and prints the top-k products for the query among those matching the filter
// (search/filter.hpp's syntax, e.g. "category=shoes AND price<300 AND tag:waterproof").
// Text output: rank, score, id, title, and the attributes the filter looked at.
// --json: {"query", "filter", "results": [{"id", "score", "title_en", "title_zh",
// "category", "price", "stock", "tags", "matched"}]}.
#include <cstdio>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "embed.hpp"
#include "tessera/embed/product_catalog.hpp"
#include "tessera/search/filter.hpp"

namespace tessera::cli {

inline constexpr const char* search_usage =
    "usage: tessera search [--model DIR] --catalog FILE.jsonl --query TEXT [--top-k K]\n"
    "                      [--filter EXPR] [--json] [--threads N]\n"
    "  --catalog FILE  products, one JSON object per line (see data/README.md)\n"
    "  --filter EXPR   e.g. \"category=shoes AND price<300 AND stock>0 AND tag:waterproof\"\n"
    "  --top-k K       default 5\n"
    "exit: 0 ok, 1 usage, 2 invalid input (one line on stderr)\n";

inline int run_search(const args& a) {
    std::filesystem::path model = embed_cli::default_model_dir();
    std::optional<std::string> catalog_path, query;
    std::string filter_text;
    std::size_t k = 5, threads = std::max(1u, std::thread::hardware_concurrency());
    bool json = false;
    const auto bad = [&](const std::string& what) {
        std::fprintf(stderr, "tessera search: %s\n%s", escape(what).c_str(), search_usage);
        return exit_usage;
    };
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::string& s = a[i];
        const bool has_value = i + 1 < a.size();
        if (s == "-h" || s == "--help") {
            std::fputs(search_usage, stdout);
            return exit_ok;
        } else if (s == "--json") {
            json = true;
        } else if (!has_value && (s == "--model" || s == "--catalog" || s == "--query" || s == "--top-k" ||
                                  s == "--filter" || s == "--threads")) {
            return bad(s + " needs a value");
        } else if (s == "--model") {
            model = a[++i];
        } else if (s == "--catalog") {
            catalog_path = a[++i];
        } else if (s == "--query") {
            query = a[++i];
        } else if (s == "--filter") {
            filter_text = a[++i];
        } else if (s == "--top-k") {
            if (!embed_cli::parse_size(a[++i], k) || k == 0) return bad("--top-k needs a positive number");
        } else if (s == "--threads") {
            if (!embed_cli::parse_size(a[++i], threads) || threads == 0) return bad("--threads needs a positive number");
        } else {
            return bad("unknown argument '" + s + "'");
        }
    }
    if (!catalog_path) return bad("--catalog is required");
    if (!query) return bad("--query is required");
    std::string input = "--filter";
    try {
        const search::filter f = search::filter::parse(filter_text);
        input = *catalog_path;
        auto items = embed::read_catalog_jsonl(*catalog_path);
        input = model.string();
        const auto enc = embed::sentence_encoder::load(model);
        thread_pool pool(threads);
        const auto cat = embed::product_catalog::build(enc, std::move(items), &pool);
        const auto hits = cat.search(enc.encode_one(*query, {}, &pool), k, f, &pool);
        if (json) {
            nlohmann::json out = {{"query", *query}, {"filter", filter_text}, {"results", nlohmann::json::array()}};
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
                                          {"matched", embed::matched_attributes(f, it.product)}});
            }
            std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
        } else {
            if (hits.empty()) std::printf("no product matches\n");
            for (std::size_t r = 0; r < hits.size(); ++r) {
                const auto& it = cat.item(hits[r].row);
                std::string matched;
                for (const auto& m : embed::matched_attributes(f, it.product)) matched += (matched.empty() ? "" : ", ") + m;
                std::printf("%2zu. %.4f  %s  %s / %s  ¥%.2f%s%s\n", r + 1, double(hits[r].score), escape(it.product.id).c_str(),
                            escape(it.title_en).c_str(), escape(it.title_zh).c_str(), it.product.price,
                            matched.empty() ? "" : "  [", matched.empty() ? "" : (escape(matched) + "]").c_str());
            }
        }
        return exit_ok;
    } catch (const error& e) {
        return report_invalid("search", input, e);
    } catch (const std::exception& e) {
        return report_internal("search", input, e);
    }
}

}  // namespace tessera::cli
