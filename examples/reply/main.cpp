// reply: answer customer messages from a shop's own knowledge with a local LLM.
//
//   build/bin/reply [--encoder DIR] [--decoder FILE.gguf] [--knowledge FILE.jsonl]
//                   [--catalog FILE.jsonl | --no-catalog] [--top-k K] [--min-score S]
//                   [--max-new-tokens N] [--threads N] [--json] [--show-prompt] [MESSAGE...]
//
// Loads the sentence encoder (all-MiniLM-L6-v2) and the decoder (SmolLM2-135M-Instruct
// Q4_1 GGUF) from the model cache ($TESSERA_MODELS, else ~/.cache/tessera/models), embeds
// the policy passages of data/shop_knowledge.jsonl and the products of data/catalog.jsonl
// once, then answers each MESSAGE argument, or each stdin line when none is given: the
// reply streams to stdout as it is generated, followed by the passages it used. A message
// the knowledge does not cover gets the hand-off message instead (apps/reply.hpp).
// --json prints one object per message: {"message", "lang", "reply", "handed_off",
// "passages": [{"id", "title", "score"}], "best_score", "prompt_tokens", "generated_tokens",
// "prompt_ms", "gen_ms"}.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "../common/inputs.hpp"
#include "../common/progress.hpp"

#include "tessera/apps/knowledge.hpp"
#include "tessera/apps/reply.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/embed/product_catalog.hpp"
#include "tessera/embed/sentence_encoder.hpp"
#include "tessera/io/model_cache.hpp"
#include "tessera/models/llama.hpp"
#include "tessera/ops/quant_matmul.hpp"

namespace fs = std::filesystem;
using namespace tessera;

namespace {

constexpr const char* usage =
    "usage: reply [--encoder DIR] [--decoder FILE.gguf] [--knowledge FILE.jsonl]\n"
    "             [--catalog FILE.jsonl | --no-catalog] [--top-k K] [--min-score S]\n"
    "             [--max-new-tokens N] [--threads N] [--json] [--show-prompt] [MESSAGE...]\n"
    "  MESSAGE...        customer messages; without any, one per stdin line\n"
    "  --knowledge FILE  policy/FAQ passages, default data/shop_knowledge.jsonl\n"
    "  --catalog FILE    products to answer from too, default data/catalog.jsonl\n"
    "  --top-k K         passages retrieved, default 3\n"
    "  --min-score S     hand off when no passage scores >= S, default 0.47\n"
    "  --max-new-tokens N  default 160\n"
    "  --show-prompt     print the prompt given to the decoder (stderr)\n";

template <class T>
bool parse_value(const std::string& s, T& out) {
    try {
        std::size_t used = 0;
        if constexpr (std::is_floating_point_v<T>) out = T(std::stod(s, &used));
        else out = T(std::stoul(s, &used));
        return used == s.size();
    } catch (...) {
        return false;
    }
}

}  // namespace

int main(int argc, char** argv) {
    fs::path encoder_dir = io::default_encoder_dir(), decoder_file = io::default_decoder_file();
    std::string knowledge_path = "data/shop_knowledge.jsonl", catalog_path = "data/catalog.jsonl";
    apps::reply_options opt;
    std::size_t threads = std::max(1u, std::thread::hardware_concurrency());
    bool json = false, show_prompt = false;
    std::vector<std::string> messages;
    for (int i = 1; i < argc; ++i) {
        const std::string s = argv[i];
        const bool has_value = i + 1 < argc;
        bool ok = true;
        if (s == "-h" || s == "--help") {
            std::fputs(usage, stdout);
            return 0;
        } else if (s == "--json") json = true;
        else if (s == "--show-prompt") show_prompt = true;
        else if (s == "--no-catalog") catalog_path.clear();
        else if (s.starts_with("--") && !has_value) {
            std::fprintf(stderr, "reply: %s needs a value (or is unknown)\n%s", s.c_str(), usage);
            return 1;
        } else if (s == "--encoder") encoder_dir = argv[++i];
        else if (s == "--decoder") decoder_file = argv[++i];
        else if (s == "--knowledge") knowledge_path = argv[++i];
        else if (s == "--catalog") catalog_path = argv[++i];
        else if (s == "--top-k") ok = parse_value(argv[++i], opt.top_k) && opt.top_k > 0;
        else if (s == "--min-score") ok = parse_value(argv[++i], opt.min_score);
        else if (s == "--max-new-tokens") ok = parse_value(argv[++i], opt.generation.max_new_tokens);
        else if (s == "--threads") ok = parse_value(argv[++i], threads) && threads > 0 && threads <= 1024;
        else if (s.starts_with("--")) {
            std::fprintf(stderr, "reply: unknown option %s\n%s", s.c_str(), usage);
            return 1;
        } else messages.push_back(s);
        if (!ok) {
            std::fprintf(stderr, "reply: bad value '%s' for %s\n%s", argv[i], s.c_str(), usage);
            return 1;
        }
    }
    try {
        if (!fs::exists(encoder_dir / "model.safetensors") || !fs::exists(decoder_file)) {
            std::fprintf(stderr, "reply: models missing (%s, %s); run ./scripts/fetch-models.sh\n",
                         encoder_dir.string().c_str(), decoder_file.string().c_str());
            return 2;
        }
        using clock = std::chrono::steady_clock;
        const auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
        const auto t0 = clock::now();
        const auto encoder = embed::sentence_encoder::load(encoder_dir);
        const auto decoder = models::llama_model::open(decoder_file.string());
        std::vector<apps::passage> passages = apps::read_knowledge_jsonl(knowledge_path);
        const std::size_t n_policy = passages.size();
        if (!catalog_path.empty()) {
            const auto rows = apps::passages_from_catalog(embed::read_catalog_jsonl(catalog_path));
            passages.insert(passages.end(), rows.begin(), rows.end());
        }
        thread_pool pool(threads);
        const auto t1 = clock::now();
        const auto kb = apps::knowledge_index::build(encoder, std::move(passages), &pool, examples::progress_bar("embedding knowledge"));
        const auto t2 = clock::now();
        std::fprintf(stderr, "reply: %zu policy passages + %zu product passages (%zu texts) embedded in %.0f ms; "
                             "models loaded in %.0f ms; %zu threads, kernel %s\n",
                     n_policy, kb.size() - n_policy, kb.views(), ms(t1, t2), ms(t0, t1), threads,
                     ops::quant_kernel_name());
        const apps::reply_engine engine(encoder, decoder, kb, opt);

        const auto answer = [&](const std::string& message) {
            if (!json) std::printf("\n> %s\n", message.c_str());
            if (show_prompt) {
                const auto kept = engine.relevant(message, &pool);
                if (!kept.empty()) std::fprintf(stderr, "--- prompt ---\n%s\n--------------\n", engine.prompt_text(message, kept).c_str());
            }
            const auto stream = [&](std::string_view piece) {
                if (!json) {
                    std::fwrite(piece.data(), 1, piece.size(), stdout);
                    std::fflush(stdout);
                }
                return true;
            };
            const apps::reply_result r = engine.answer(message, stream, &pool);
            if (json) {
                nlohmann::ordered_json j;
                j["message"] = message;
                j["lang"] = r.lang;
                j["reply"] = r.text;
                j["handed_off"] = r.handed_off;
                j["passages"] = nlohmann::json::array();
                for (const auto& p : r.passages) j["passages"].push_back({{"id", p.id}, {"title", p.title}, {"score", p.score}});
                j["best_score"] = r.best_score;
                j["prompt_tokens"] = r.prompt_tokens;
                j["generated_tokens"] = r.generation ? r.generation->ids.size() : 0;
                j["prompt_ms"] = r.generation ? r.generation->prompt_ms : 0.0;
                j["gen_ms"] = r.generation ? r.generation->gen_ms : 0.0;
                std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
            } else {
                std::printf("\n");
                if (r.handed_off) {
                    std::printf("  [handed off: best passage score %.3f < %.2f]\n", double(r.best_score), double(opt.min_score));
                } else {
                    std::string used;
                    char buf[32];
                    for (const auto& p : r.passages) {
                        std::snprintf(buf, sizeof buf, " %.3f", double(p.score));
                        used += (used.empty() ? "" : ", ") + p.id + buf;
                    }
                    const auto& g = *r.generation;
                    std::printf("  [sources: %s | %zu prompt tokens %.0f ms, %zu tokens %.0f ms, %s]\n", used.c_str(),
                                r.prompt_tokens, g.prompt_ms, g.ids.size(), g.gen_ms, generate::to_string(g.reason));
                }
            }
            std::fflush(stdout);
        };
        examples::for_each_input(messages, answer);
        return 0;
    } catch (const tessera::error& e) {
        std::fprintf(stderr, "reply: %s\n", e.what());
        return 2;
    }
}
