#pragma once
// generate(): prompt ids in, generated ids and streamed UTF-8 text out.
//
//   models::llama_session s(model);
//   generate::generation_config cfg;
//   cfg.max_new_tokens = 64;
//   cfg.temperature = 0;  // greedy
//   auto r = generate::generate(model, s, prompt_ids, cfg,
//                               [](std::string_view piece) { std::fputs(...); return true; }, &pool);
//
// Steps: the prompt (preceded by the session's pending token, if any) is processed in
// batches (llama_session::prefill); then each step samples an id from the logits with the
// sampler chain (generate/sampler.hpp), detokenizes it incrementally (never half a UTF-8
// character), filters stop strings across token boundaries (generate/stop.hpp), streams the
// text to the callback, and runs the id through the model. It ends on
//   eos           an id of cfg.eos_token_ids (or the model's EOS ids); the id is in `ids`,
//                 its text is not streamed
//   stop_string   a stop string appeared; text and stream end just before it
//   callback      the callback returned false
//   max_tokens    max_new_tokens ids were generated
//   context_full  the session's cache is full
// Sessions keep their cache: the last sampled id is left as the session's pending token
// (not yet run through the model), so the next generate() on the same session continues
// the conversation from there without re-reading the history; a chat turn passes only the
// new turn's ids.
//
// Errors: invalid_argument for a bad config or an empty prompt on an empty session;
// context_overflow when the prompt does not fit (checked before anything runs).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/generate/config.hpp"
#include "tessera/generate/sampler.hpp"
#include "tessera/generate/stop.hpp"
#include "tessera/models/llama.hpp"
#include "tessera/text/detokenizer.hpp"

namespace tessera::generate {

enum class stop_reason { max_tokens, eos, stop_string, callback, context_full };

constexpr const char* to_string(stop_reason r) noexcept {
    switch (r) {
    case stop_reason::max_tokens: return "max_tokens";
    case stop_reason::eos: return "eos";
    case stop_reason::stop_string: return "stop_string";
    case stop_reason::callback: return "callback";
    case stop_reason::context_full: return "context_full";
    }
    return "unknown";
}

struct generation_result {
    std::vector<std::int32_t> ids;  // generated ids (EOS included when it ended generation)
    std::string text;               // what was streamed
    std::size_t prompt_tokens = 0;  // ids processed before the first sample (pending included)
    double prompt_ms = 0;           // prompt processing
    double gen_ms = 0;              // sampling + decoding after the prompt
    stop_reason reason = stop_reason::max_tokens;
};

// Receives each piece of text as it is completed; return false to stop.
using stream_callback = std::function<bool(std::string_view)>;

// `chain`: a custom sampler chain (nullptr: sampler_chain::from_config(cfg)).
inline generation_result generate(const models::llama_model& model, models::llama_session& session,
                                  std::span<const std::int32_t> prompt_ids, const generation_config& cfg,
                                  const stream_callback& on_text = {}, thread_pool* pool = nullptr,
                                  const sampler_chain* chain = nullptr) {
    using clock = std::chrono::steady_clock;
    cfg.validate();
    require(&session.model() == &model, error_kind::invalid_argument, "generate: the session belongs to another model");
    std::optional<sampler_chain> own;
    if (!chain) chain = &own.emplace(sampler_chain::from_config(cfg));

    std::vector<std::int32_t> feed;
    if (const auto p = session.pending_token()) feed.push_back(*p);
    feed.insert(feed.end(), prompt_ids.begin(), prompt_ids.end());
    require(!feed.empty(), error_kind::invalid_argument, "generate: no prompt ids and nothing pending in the session");
    require(feed.size() <= session.capacity() - session.size(), error_kind::context_overflow, [&] {
        return "generate: " + std::to_string(feed.size()) + " prompt tokens do not fit the " +
               std::to_string(session.capacity() - session.size()) + " free positions of the session";
    });

    generation_result r;
    r.prompt_tokens = feed.size();
    const auto t0 = clock::now();
    std::span<const float> logits = session.prefill(feed, pool);
    session.set_pending_token(std::nullopt);
    const auto t1 = clock::now();
    r.prompt_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();

    const std::vector<std::int32_t> eos = [&] {
        if (!cfg.eos_token_ids.empty()) return cfg.eos_token_ids;
        std::vector<std::int32_t> e;
        for (const auto id : model.config().eos_token_ids) e.push_back(std::int32_t(id));
        return e;
    }();
    std::mt19937_64 rng(cfg.seed);
    std::optional<text::incremental_detokenizer> detok;
    if (model.has_tokenizer()) detok.emplace(model.tokenizer(), true);
    stop_string_filter stops(cfg.stop_strings);
    bool callback_stopped = false;
    const auto emit = [&](const std::string& piece) {
        if (piece.empty() || callback_stopped) return;
        r.text += piece;
        if (on_text && !on_text(piece)) callback_stopped = true;
    };

    for (std::size_t step = 0; step < cfg.max_new_tokens; ++step) {
        sampling_context ctx{session.tokens(), r.ids, &rng};
        const std::int32_t id = chain->sample(logits, ctx);
        r.ids.push_back(id);
        session.set_pending_token(id);
        if (std::find(eos.begin(), eos.end(), id) != eos.end()) {
            r.reason = stop_reason::eos;
            break;
        }
        if (detok) emit(stops.push(detok->push(id)));
        if (stops.stopped()) {
            r.reason = stop_reason::stop_string;
            break;
        }
        if (callback_stopped) {
            r.reason = stop_reason::callback;
            break;
        }
        if (r.ids.size() == cfg.max_new_tokens) {
            r.reason = stop_reason::max_tokens;
            break;
        }
        if (session.size() == session.capacity()) {
            r.reason = stop_reason::context_full;
            break;
        }
        logits = session.decode(id, pool);
        session.set_pending_token(std::nullopt);
    }
    if (detok && !stops.stopped() && !callback_stopped) {
        emit(stops.push(detok->finish()));
        if (!stops.stopped()) emit(stops.finish());
        else r.reason = stop_reason::stop_string;
    }
    r.gen_ms = std::chrono::duration<double, std::milli>(clock::now() - t1).count();
    return r;
}

}  // namespace tessera::generate
