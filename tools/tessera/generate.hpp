#pragma once
// tessera generate --model FILE.gguf --prompt TEXT [--chat] [--system TEXT] [--max-new-tokens N]
//                  [--temperature T] [--top-k K] [--top-p P] [--seed S] [--threads N] [--json]
//
// Runs a Llama-architecture or Gemma 3 GGUF model on one prompt. Text streams to stdout as it is
// generated (timings on stderr); --json prints one object instead:
//   {"ids": [...], "text": "...", "prompt_tokens": n, "prompt_ms": t, "gen_ms": t}
// --chat wraps the prompt (and --system) in the model's chat template. The temperature
// defaults to 0 (greedy, reproducible); exit codes as every subcommand (cli.hpp).
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/generate/generate.hpp"
#include "tessera/models/llama.hpp"
#include "tessera/text/chat_template.hpp"

namespace tessera::cli {

inline constexpr const char* generate_usage =
    "usage: tessera generate --model FILE.gguf --prompt TEXT [--chat] [--system TEXT]\n"
    "                        [--max-new-tokens N] [--temperature T] [--top-k K] [--top-p P]\n"
    "                        [--seed S] [--threads N] [--json]\n"
    "  --model FILE        a Llama or Gemma 3 GGUF file (Q4_0/Q4_1/Q5_0/Q8_0/Q4_K/Q6_K fast; other\n"
    "                      types work)\n"
    "  --prompt TEXT       the prompt (raw text, or the user message with --chat)\n"
    "  --chat              use the model's chat template (ChatML) with an assistant turn to fill\n"
    "  --system TEXT       a system message (with --chat)\n"
    "  --max-new-tokens N  default 128\n"
    "  --temperature T     default 0 (greedy); --top-k K (0 = off), --top-p P (1 = off), --seed S\n"
    "  --threads N         default: the number of CPUs\n"
    "  --json              print {\"ids\", \"text\", \"prompt_tokens\", \"prompt_ms\", \"gen_ms\"}\n"
    "exit: 0 ok, 1 usage, 2 invalid input (one line on stderr)\n";

namespace detail {
template <class T>
bool parse_number(const std::string& s, T& out) {
    if constexpr (std::is_floating_point_v<T>) {
        try {
            std::size_t used = 0;
            const double v = std::stod(s, &used);
            if (used != s.size()) return false;
            out = T(v);
            return true;
        } catch (...) {
            return false;
        }
    } else {
        const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        return ec == std::errc() && p == s.data() + s.size();
    }
}
}  // namespace detail

inline int run_generate(const args& a) {
    std::optional<std::string> model_path, prompt, system;
    bool chat = false, json = false;
    generate::generation_config cfg;
    cfg.max_new_tokens = 128;
    cfg.temperature = 0.0f;
    std::size_t threads = std::max(1u, std::thread::hardware_concurrency());
    const auto bad = [&](const std::string& what) {
        std::fprintf(stderr, "tessera generate: %s\n%s", escape(what).c_str(), generate_usage);
        return exit_usage;
    };
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::string& s = a[i];
        const bool has_value = i + 1 < a.size();
        bool ok = true;
        if (s == "-h" || s == "--help") {
            std::fputs(generate_usage, stdout);
            return exit_ok;
        } else if (s == "--chat") chat = true;
        else if (s == "--json") json = true;
        else if (!has_value) return bad("missing value or unexpected argument '" + s + "'");
        else if (s == "--model") model_path = a[++i];
        else if (s == "--prompt") prompt = a[++i];
        else if (s == "--system") system = a[++i];
        else if (s == "--max-new-tokens") ok = detail::parse_number(a[++i], cfg.max_new_tokens);
        else if (s == "--temperature") ok = detail::parse_number(a[++i], cfg.temperature);
        else if (s == "--top-k") ok = detail::parse_number(a[++i], cfg.top_k);
        else if (s == "--top-p") ok = detail::parse_number(a[++i], cfg.top_p);
        else if (s == "--seed") ok = detail::parse_number(a[++i], cfg.seed);
        else if (s == "--threads") ok = detail::parse_number(a[++i], threads) && threads > 0 && threads <= 1024;
        else return bad("unexpected argument '" + s + "'");
        if (!ok) return bad("bad value '" + a[i] + "' for " + s);
    }
    if (!model_path || !prompt) return bad("--model and --prompt are required");
    if (system && !chat) return bad("--system needs --chat");

    try {
        cfg.validate();
        const models::llama_model model = models::llama_model::open(*model_path);
        const text::bpe_tokenizer& tok = model.tokenizer();
        std::vector<std::int32_t> ids;
        if (chat) {
            const auto tmpl_text = text::gguf_chat_template(model.file());
            require(tmpl_text.has_value(), error_kind::unsupported, [&] { return *model_path + ": the file has no chat template"; });
            const text::chat_template tmpl = text::parse_chat_template(*tmpl_text);
            std::vector<text::chat_message> messages;
            if (system) messages.push_back({"system", *system});
            messages.push_back({"user", *prompt});
            ids = text::encode_chat(tok, tmpl, messages, true);
        } else {
            ids = tok.encode(*prompt);
        }
        require(!ids.empty(), error_kind::invalid_argument, "the prompt encodes to no tokens");
        const std::size_t context = model.config().max_position_embeddings;
        require(ids.size() < context, error_kind::context_overflow, [&] {
            return "the prompt has " + std::to_string(ids.size()) + " tokens; the context holds " + std::to_string(context);
        });
        cfg.max_new_tokens = std::min(cfg.max_new_tokens, context - ids.size());
        models::llama_session session(model, ids.size() + cfg.max_new_tokens);
        thread_pool pool(threads);
        const auto stream = [&](std::string_view piece) {
            if (!json) {
                std::fwrite(piece.data(), 1, piece.size(), stdout);
                std::fflush(stdout);
            }
            return true;
        };
        const generate::generation_result r = generate::generate(model, session, ids, cfg, stream, &pool);
        if (json) {
            nlohmann::ordered_json j;
            j["ids"] = r.ids;
            j["text"] = r.text;
            j["prompt_tokens"] = r.prompt_tokens;
            j["prompt_ms"] = r.prompt_ms;
            j["gen_ms"] = r.gen_ms;
            std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
        } else {
            std::printf("\n");
            const double gen_tps = r.ids.size() > 1 && r.gen_ms > 0 ? 1000.0 * double(r.ids.size() - 1) / r.gen_ms : 0.0;
            std::fprintf(stderr, "[%zu prompt tokens in %.1f ms (%.1f tok/s); %zu generated in %.1f ms (%.1f tok/s); %s; "
                                 "kernel %s, %zu threads]\n",
                         r.prompt_tokens, r.prompt_ms, r.prompt_ms > 0 ? 1000.0 * double(r.prompt_tokens) / r.prompt_ms : 0.0,
                         r.ids.size(), r.gen_ms, gen_tps, generate::to_string(r.reason), ops::quant_kernel_name(), threads);
        }
        return exit_ok;
    } catch (const error& e) {
        return report_invalid("generate", *model_path, e);
    } catch (const std::exception& e) {
        return report_internal("generate", *model_path, e);
    }
}

}  // namespace tessera::cli
