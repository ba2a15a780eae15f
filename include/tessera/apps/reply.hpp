#pragma once
// reply: the customer-service job. A customer's message in; a reply grounded in the
// shop's own knowledge out, with the ids of the passages it used.
//
//   apps::reply_engine engine(encoder, decoder, kb);          // kb: apps::knowledge_index
//   apps::reply_result r = engine.answer("请问你们的退货政策是怎样的？",
//                                        [](std::string_view piece) { ...; return true; }, &pool);
//   r.text, r.passages (ids + scores), r.handed_off
//
// Steps:
//   1. retrieve  embed the message, take the best top_k passages (knowledge.hpp) and keep
//                those scoring >= min_score and within `margin` of the best (a small model
//                is easily led off by a loosely related passage).
//   2. hand off  none left: the answer is the hand-off message in the customer's language,
//                no text is generated (a small model asked about a policy it was not given
//                invents one; a person should answer instead).
//   3. prompt    the instructions, the kept passages (one per line) and the
//                message, in the model's chat template when its file carries one (system
//                turn + user turn + assistant turn to fill), else as a plain completion
//                prompt ending in "Agent:" / "客服：" with a stop string at the next turn.
//   4. generate  greedy by default (generation_config, HF names), streamed to the callback.
//
// Language: a message with any CJK ideograph is "zh", else "en"; it picks the hand-off
// message and the instructions' language, and the instructions ask for a reply in it.
//
// The threshold. min_score = 0.55 (on the hybrid score of knowledge.hpp) was measured on
// data/reply_questions.jsonl with all-MiniLM-L6-v2 (tests/test_reply.cpp prints the
// figures): all 41 answerable questions keep a passage; 3 of the 4 English unanswerable
// ones are handed off, but none of the 4 Chinese ones — the English-only encoder places
// any Chinese question near Chinese policy text, and character bigrams such as 你们 or 付款
// match too. A multilingual encoder would separate them; the threshold is a per-encoder,
// per-shop setting.
//
// The engine holds references: the encoder, decoder and index must outlive it. It is
// immutable and answer() is safe from any number of threads (each call has its own
// session); streaming callbacks run on the calling thread.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/apps/knowledge.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/embed/sentence_encoder.hpp"
#include "tessera/generate/generate.hpp"
#include "tessera/models/llama.hpp"
#include "tessera/text/chat_template.hpp"
#include "tessera/text/unicode.hpp"
#include "tessera/text/utf8.hpp"

namespace tessera::apps {

// "zh" when the text holds a CJK ideograph, else "en".
inline std::string detect_language(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const text::utf8_decoded d = text::decode_utf8(s, i);
        if (d.valid && text::is_cjk_ideograph(d.cp)) return "zh";
        i += d.length;
    }
    return "en";
}

struct reply_options {
    std::size_t top_k = 3;      // passages retrieved
    float lexical_weight = 0.05f;  // BM25's weight in a passage's score (knowledge.hpp)
    float min_score = 0.55f;    // score a passage needs to be used
    std::size_t max_prompt_tokens = 1536;  // passages are dropped (worst first) to fit
    std::string handoff_en = "I'm sorry, I can't answer that from our shop's policies. "
                             "I've passed your message to a colleague, who will reply soon.";
    std::string handoff_zh = "抱歉，这个问题我无法根据本店的政策回答。已为您转接人工客服，请稍候。";
    float margin = 0.05f;       // ... and a score >= the best score - margin
    // Followed by the passages, one per line. Short and plain: of the wordings tried,
    // SmolLM2-135M kept to the passage most often with this one.
    std::string instructions_en =
        "You are a helpful customer service assistant for an online shop. Answer the customer using only this "
        "shop policy:";
    std::string instructions_zh = "你是网店的客服助手。请只根据以下店铺信息，用中文简洁地回答顾客：";
    generate::generation_config generation = default_generation();

    static generate::generation_config default_generation() {
        generate::generation_config g;
        g.max_new_tokens = 160;
        g.temperature = 0.0f;
        // No repetition penalty: HF's counts the prompt too, and pushes the model away
        // from the very words of the passages it should repeat. A reply is one paragraph:
        // small models drift off the passages after the first.
        g.stop_strings = {"\n\n"};
        return g;
    }
};

struct used_passage {
    std::string id;
    std::string title;
    float score = 0.0f;
};

struct reply_result {
    std::string text;                   // the reply (the hand-off message when handed_off)
    std::string lang;                   // "zh" or "en"
    bool handed_off = false;
    std::vector<used_passage> passages; // used in the prompt, best first (empty when handed off)
    float best_score = 0.0f;            // the best passage's score, used or not
    std::size_t prompt_tokens = 0;
    std::optional<generate::generation_result> generation;  // absent when handed off
};

class reply_engine {
public:
    reply_engine(const embed::sentence_encoder& encoder, const models::llama_model& decoder, const knowledge_index& kb,
                 reply_options opt = {})
        : enc_(&encoder), lm_(&decoder), kb_(&kb), opt_(std::move(opt)) {
        opt_.generation.validate();
        require(opt_.top_k > 0, error_kind::invalid_argument, "reply_options: top_k must be > 0");
        if (const auto t = text::gguf_chat_template(decoder.file())) chat_.emplace(text::parse_chat_template(*t));
    }

    const reply_options& options() const noexcept { return opt_; }
    bool uses_chat_template() const noexcept { return chat_.has_value(); }

    // Step 1: the best top_k passages (all of them, above the threshold or not).
    std::vector<passage_hit> retrieve(std::string_view message, thread_pool* pool = nullptr) const {
        return kb_->search(enc_->encode_one(message, {}, pool), message, opt_.top_k, opt_.lexical_weight);
    }

    // Step 3: the prompt ids for the message and the passages kept (best first). Drops the
    // worst passages while the prompt is longer than max_prompt_tokens.
    std::vector<std::int32_t> build_prompt(std::string_view message, std::vector<passage_hit>& kept) const {
        const std::string lang = detect_language(message);
        for (;;) {
            std::vector<std::int32_t> ids = encode_prompt(message, lang, kept);
            if (ids.size() <= opt_.max_prompt_tokens || kept.size() <= 1) return ids;
            kept.pop_back();
        }
    }

    // The prompt text (for display and tests).
    std::string prompt_text(std::string_view message, std::span<const passage_hit> kept) const {
        const std::string lang = detect_language(message);
        const std::string info = knowledge_block(kept);
        if (chat_) {
            const std::vector<text::chat_message> m = chat_messages(message, lang, info);
            return text::apply_chat_template(*chat_, m, true);
        }
        return completion_prompt(message, lang, info);
    }

    // Steps 1-2: the passages a reply uses, best first (empty: hand off); `best` receives
    // the best retrieved score, used or not.
    std::vector<passage_hit> relevant(std::string_view message, thread_pool* pool = nullptr, float* best = nullptr) const {
        std::vector<passage_hit> hits = retrieve(message, pool);
        const float top = hits.empty() ? 0.0f : hits.front().score;
        if (best) *best = top;
        std::erase_if(hits, [&](const passage_hit& h) { return !(h.score >= opt_.min_score && h.score >= top - opt_.margin); });
        return hits;
    }

    reply_result answer(std::string_view message, const generate::stream_callback& on_text = {},
                        thread_pool* pool = nullptr) const {
        reply_result r;
        r.lang = detect_language(message);
        std::vector<passage_hit> hits = relevant(message, pool, &r.best_score);
        if (hits.empty()) {
            r.handed_off = true;
            r.text = r.lang == "zh" ? opt_.handoff_zh : opt_.handoff_en;
            if (on_text) on_text(r.text);
            return r;
        }
        const std::vector<std::int32_t> ids = build_prompt(message, hits);
        for (const passage_hit& h : hits) r.passages.push_back({kb_->at(h.index).id, kb_->at(h.index).title, h.score});
        r.prompt_tokens = ids.size();

        generate::generation_config cfg = opt_.generation;
        if (!chat_) {
            // A completion prompt has no end-of-turn token: stop where the next turn would start.
            for (const char* s : {"\nCustomer:", "\n顾客：", "\n顾客:"}) cfg.stop_strings.emplace_back(s);
        }
        const std::size_t context = lm_->config().max_position_embeddings;
        require(ids.size() < context, error_kind::context_overflow, [&] {
            return "reply: the prompt has " + std::to_string(ids.size()) + " tokens; the context holds " +
                   std::to_string(context);
        });
        cfg.max_new_tokens = std::min(cfg.max_new_tokens, context - ids.size());
        models::llama_session session(*lm_, ids.size() + cfg.max_new_tokens);
        r.generation = generate::generate(*lm_, session, ids, cfg, on_text, pool);
        r.text = trim(r.generation->text);
        return r;
    }

private:
    std::string knowledge_block(std::span<const passage_hit> kept) const {
        std::string s;
        for (const passage_hit& h : kept) {
            const passage& p = kb_->at(h.index);
            if (p.kind == "product") s += p.title + (detect_language(p.title) == "zh" ? "：" : ": ");
            s += p.text + "\n";
        }
        return s;
    }

    std::vector<text::chat_message> chat_messages(std::string_view message, const std::string& lang,
                                                  const std::string& info) const {
        const bool zh = lang == "zh";
        std::string system = (zh ? opt_.instructions_zh : opt_.instructions_en) + "\n" + info;
        return {{"system", std::move(system)}, {"user", std::string(message)}};
    }

    std::string completion_prompt(std::string_view message, const std::string& lang, const std::string& info) const {
        if (lang == "zh") return opt_.instructions_zh + "\n" + info + "\n顾客：" + std::string(message) + "\n客服：";
        return opt_.instructions_en + "\n" + info + "\nCustomer: " + std::string(message) + "\nAgent:";
    }

    std::vector<std::int32_t> encode_prompt(std::string_view message, const std::string& lang,
                                            std::span<const passage_hit> kept) const {
        const std::string info = knowledge_block(kept);
        const text::bpe_tokenizer& tok = lm_->tokenizer();
        if (chat_) return text::encode_chat(tok, *chat_, chat_messages(message, lang, info), true);
        return tok.encode(completion_prompt(message, lang, info));
    }

    static std::string trim(std::string s) {
        const auto sp = [](char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; };
        while (!s.empty() && sp(s.back())) s.pop_back();
        std::size_t b = 0;
        while (b < s.size() && sp(s[b])) ++b;
        return s.substr(b);
    }

    const embed::sentence_encoder* enc_;
    const models::llama_model* lm_;
    const knowledge_index* kb_;
    reply_options opt_;
    std::optional<text::chat_template> chat_;
};

}  // namespace tessera::apps
