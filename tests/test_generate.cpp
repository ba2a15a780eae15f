// Generation (generate/config.hpp, sampler.hpp, stop.hpp, generate.hpp):
//  * samplers on hand-made logits: greedy ties, top-k / top-p / min-p semantics, temperature,
//    penalties (repetition, presence, frequency), draws deterministic with a seed and
//    distributed as softmax, a user stage in the chain, config validation;
//  * stop strings split across pieces, earliest match, held-back prefixes released;
//  * generate() on the real SmolLM2 (skipped with a message when absent): callback stop,
//    EOS, stop strings across token boundaries, seeded sampling reproducible, and a
//    conversation continued on one session == the same history processed from scratch.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "decoder_fixture.hpp"
#include "tessera/io/model_cache.hpp"
#include "tessera/generate/generate.hpp"
#include "tessera/text/chat_template.hpp"

using namespace tessera;
using namespace tessera::generate;
namespace fs = std::filesystem;

namespace {

template <class F>
generation_config cfg(F&& set) {
    generation_config c;
    set(c);
    return c;
}

candidates make(const std::vector<float>& logits) {
    candidates c;
    for (std::size_t i = 0; i < logits.size(); ++i) c.items.push_back({std::int32_t(i), logits[i]});
    return c;
}
std::vector<std::int32_t> ids_of(const candidates& c) {
    std::vector<std::int32_t> v;
    for (const auto& t : c.items) v.push_back(t.id);
    return v;
}
std::vector<float> log_probs(const std::vector<double>& p) {
    std::vector<float> l;
    for (double x : p) l.push_back(float(std::log(x)));
    return l;
}

fs::path model_path() {
    return tessera::io::default_decoder_file();
}
#define REQUIRE_MODEL(m) TESSERA_REQUIRE_DECODER(m, model_path())

}  // namespace

TEST_CASE("greedy picks the largest logit, the lowest id on ties, and ignores NaN") {
    sampling_context ctx;
    const auto chain = sampler_chain::from_config(cfg([](generation_config& c) { c.temperature = 0.0f; }));
    const std::vector<float> l = {1.0f, 3.0f, std::nanf(""), 3.0f, -2.0f};
    CHECK(chain.sample(l, ctx) == 1);
    const std::vector<float> l2 = {-5.0f, -1.0f};
    CHECK(chain.sample(l2, ctx) == 1);
}

TEST_CASE("top_k, top_p and min_p keep what they promise") {
    sampling_context ctx;
    SUBCASE("top_k") {
        auto c = make({0.1f, 2.0f, 1.0f, 2.0f, -1.0f});
        top_k_sampler(3).apply(c, ctx);
        CHECK(ids_of(c) == std::vector<std::int32_t>{1, 3, 2});
        auto all = make({1.0f, 2.0f});
        top_k_sampler(0).apply(all, ctx);
        CHECK(all.items.size() == 2);
    }
    SUBCASE("top_p") {
        const auto l = log_probs({0.05, 0.5, 0.15, 0.3});
        auto c = make(l);
        top_p_sampler(0.79f).apply(c, ctx);
        CHECK(ids_of(c) == std::vector<std::int32_t>{1, 3});
        c = make(l);
        top_p_sampler(0.81f).apply(c, ctx);
        CHECK(ids_of(c) == std::vector<std::int32_t>{1, 3, 2});
        c = make(l);
        top_p_sampler(0.1f).apply(c, ctx);
        CHECK(ids_of(c) == std::vector<std::int32_t>{1});  // never empty
    }
    SUBCASE("min_p") {
        const auto l = log_probs({0.05, 0.5, 0.15, 0.3});
        auto c = make(l);
        min_p_sampler(0.5f).apply(c, ctx);  // floor 0.25
        CHECK(ids_of(c) == std::vector<std::int32_t>{1, 3});
        c = make(l);
        min_p_sampler(0.2f).apply(c, ctx);  // floor 0.1
        CHECK(ids_of(c) == std::vector<std::int32_t>{1, 3, 2});
    }
    SUBCASE("temperature scales the logits") {
        auto c = make({1.0f, -2.0f});
        temperature_sampler(0.5f).apply(c, ctx);
        CHECK(c.items[0].logit == 2.0f);
        CHECK(c.items[1].logit == -4.0f);
    }
}

TEST_CASE("penalties: repetition over the history, presence and frequency over generated ids") {
    const std::vector<std::int32_t> history = {0, 1};
    const std::vector<std::int32_t> generated = {3, 3, 4};
    sampling_context ctx{history, generated, nullptr};
    auto c = make({4.0f, -1.0f, 4.0f, 1.0f, 1.0f});
    penalties_sampler(2.0f, 0.5f, 0.25f).apply(c, ctx);
    CHECK(c.items[0].logit == 2.0f);             // in history, positive: / 2
    CHECK(c.items[1].logit == -2.0f);            // in history, negative: * 2
    CHECK(c.items[2].logit == 4.0f);             // untouched
    // id 3: generated (so also repeated): 1 / 2 = 0.5, then − 0.5 − 0.25·2 = −0.5
    CHECK(c.items[3].logit == doctest::Approx(-0.5f));
    // id 4: 1 / 2 = 0.5, then − 0.5 − 0.25 = −0.25
    CHECK(c.items[4].logit == doctest::Approx(-0.25f));
}

TEST_CASE("draws are deterministic for a seed and follow the softmax") {
    const auto l = log_probs({0.5, 0.3, 0.2});
    const auto chain = sampler_chain::from_config(cfg([](generation_config& c) { c.temperature = 1.0f; c.seed = 42; }));
    const auto draw = [&](std::uint64_t seed, int n) {
        std::mt19937_64 rng(seed);
        sampling_context ctx{{}, {}, &rng};
        std::vector<std::int32_t> out;
        for (int i = 0; i < n; ++i) out.push_back(chain.sample(l, ctx));
        return out;
    };
    CHECK(draw(42, 50) == draw(42, 50));
    CHECK(draw(42, 50) != draw(43, 50));
    const auto many = draw(7, 20000);
    std::map<std::int32_t, int> count;
    for (auto id : many) ++count[id];
    CHECK(count[0] / 20000.0 == doctest::Approx(0.5).epsilon(0.05));
    CHECK(count[1] / 20000.0 == doctest::Approx(0.3).epsilon(0.07));
    CHECK(count[2] / 20000.0 == doctest::Approx(0.2).epsilon(0.1));
    // top_k = 1 makes any temperature greedy
    const auto k1 = sampler_chain::from_config(cfg([](generation_config& c) { c.temperature = 5.0f; c.top_k = 1; }));
    std::mt19937_64 rng(1);
    sampling_context ctx{{}, {}, &rng};
    for (int i = 0; i < 20; ++i) CHECK(k1.sample(l, ctx) == 0);
}

TEST_CASE("the chain is extensible: a user stage bans a token") {
    struct ban final : sampler {
        std::int32_t id;
        explicit ban(std::int32_t i) : id(i) {}
        void apply(candidates& c, sampling_context&) const override {
            std::erase_if(c.items, [&](const token_logit& t) { return t.id == id; });
            c.sorted = false;
        }
        std::string name() const override { return "ban"; }
    };
    auto chain = sampler_chain::from_config(cfg([](generation_config& c) { c.temperature = 0.0f; }));
    chain.insert(0, std::make_unique<ban>(2));
    sampling_context ctx;
    const std::vector<float> l = {0.0f, 1.0f, 5.0f};
    CHECK(chain.sample(l, ctx) == 1);
    CHECK(chain.stage(0).name() == "ban");
}

TEST_CASE("generation_config validation") {
    CHECK_THROWS_AS(cfg([](generation_config& c) { c.temperature = -1.0f; }).validate(), tessera::error);
    CHECK_THROWS_AS(cfg([](generation_config& c) { c.top_p = 0.0f; }).validate(), tessera::error);
    CHECK_THROWS_AS(cfg([](generation_config& c) { c.min_p = 1.5f; }).validate(), tessera::error);
    CHECK_THROWS_AS(cfg([](generation_config& c) { c.repetition_penalty = 0.0f; }).validate(), tessera::error);
    CHECK_THROWS_AS(cfg([](generation_config& c) { c.stop_strings = {""}; }).validate(), tessera::error);
    CHECK_NOTHROW(generation_config{}.validate());
}

TEST_CASE("stop strings across piece boundaries") {
    SUBCASE("split special-looking string") {
        stop_string_filter f({"<|im_end|>"});
        std::string out = f.push("Hello <|im");
        out += f.push("_end");
        CHECK_FALSE(f.stopped());
        out += f.push("|> more");
        CHECK(f.stopped());
        CHECK(out == "Hello ");
        CHECK(f.push("ignored").empty());
    }
    SUBCASE("a held prefix that does not complete is released") {
        stop_string_filter f({"abc"});
        CHECK(f.push("xab") == "x");
        CHECK(f.held_bytes() == 2);
        CHECK(f.push("d") == "abd");
        CHECK(f.finish().empty());
    }
    SUBCASE("earliest of several, multi-byte") {
        stop_string_filter f({"再见", "谢谢"});
        std::string out = f.push("好的，谢");
        out += f.push("谢！再见");
        CHECK(f.stopped());
        CHECK(out == "好的，");
    }
    SUBCASE("finish returns what is held") {
        stop_string_filter f({"END"});
        std::string out = f.push("the E");
        CHECK(out == "the ");
        CHECK(f.finish() == "E");
    }
}

TEST_CASE("generate on SmolLM2: callback stop, EOS, stop strings, seeds, sessions") {
    REQUIRE_MODEL(m);
    thread_pool pool(2);
    const auto& tok = m->tokenizer();
    const auto tmpl = text::parse_chat_template(*text::gguf_chat_template(m->file()));
    const text::chat_message msg[] = {{"user", "What payment methods do you accept?"}};
    const std::vector<std::int32_t> prompt = text::encode_chat(tok, tmpl, msg, true);

    models::llama_session s0(*m, 512);
    const generation_config greedy = cfg([](generation_config& g) { g.max_new_tokens = 24; g.temperature = 0.0f; });
    const auto base = generate::generate(*m, s0, prompt, greedy, {}, &pool);
    REQUIRE(base.ids.size() == 24);
    CHECK(base.reason == stop_reason::max_tokens);
    CHECK(base.text == tok.decode(base.ids, true));
    CHECK(base.prompt_tokens == prompt.size());
    MESSAGE("greedy reply: " << base.text);

    SUBCASE("the callback stops generation") {
        models::llama_session s(*m, 512);
        int pieces = 0;
        std::string streamed;
        const auto r = generate::generate(*m, s, prompt, greedy, [&](std::string_view p) {
            streamed += p;
            return ++pieces < 3;
        }, &pool);
        CHECK(r.reason == stop_reason::callback);
        CHECK(pieces == 3);
        CHECK(r.text == streamed);
        CHECK(base.text.starts_with(r.text));
    }
    SUBCASE("an EOS id ends generation and is not streamed") {
        models::llama_session s(*m, 512);
        generation_config c = greedy;
        c.eos_token_ids = {base.ids[3]};
        const auto r = generate::generate(*m, s, prompt, c, {}, &pool);
        CHECK(r.reason == stop_reason::eos);
        CHECK(r.ids.size() >= 1);
        CHECK(r.ids.back() == base.ids[3]);
    }
    SUBCASE("a stop string spanning tokens cuts the text just before it") {
        // Pick the text of tokens 4..6 (crossing token boundaries) as the stop string.
        const std::string before = tok.decode(std::span<const std::int32_t>(base.ids).first(4), true);
        const std::string stop = tok.decode(std::span<const std::int32_t>(base.ids).subspan(4, 2), true);
        REQUIRE(!stop.empty());
        models::llama_session s(*m, 512);
        generation_config c = greedy;
        c.stop_strings = {stop};
        std::string streamed;
        const auto r = generate::generate(*m, s, prompt, c, [&](std::string_view p) {
            streamed += p;
            return true;
        }, &pool);
        CHECK(r.reason == stop_reason::stop_string);
        CHECK(streamed == r.text);
        CHECK(r.text == base.text.substr(0, base.text.find(stop)));
        CHECK(r.text.size() <= before.size());
    }
    SUBCASE("sampling with a seed is reproducible") {
        const generation_config c = cfg([](generation_config& g) { g.max_new_tokens = 16; g.temperature = 0.8f; g.top_k = 40; g.top_p = 0.95f; g.seed = 5; });
        models::llama_session a(*m, 512), b(*m, 512);
        const auto ra = generate::generate(*m, a, prompt, c, {}, &pool);
        const auto rb = generate::generate(*m, b, prompt, c, {}, nullptr);
        CHECK(ra.ids == rb.ids);
        CHECK(ra.text == rb.text);
    }
    SUBCASE("a conversation continues on its session without re-reading the history") {
        models::llama_session s(*m, 512);
        const generation_config c = cfg([](generation_config& g) { g.max_new_tokens = 8; g.temperature = 0.0f; });
        const auto r1 = generate::generate(*m, s, prompt, c, {}, &pool);
        REQUIRE(s.pending_token().has_value());
        const std::vector<std::int32_t> turn2 = tok.encode("\nAnd shipping?", {.add_special_tokens = false});
        const std::size_t before = s.size();
        const auto r2 = generate::generate(*m, s, turn2, c, {}, &pool);
        CHECK(r2.prompt_tokens == turn2.size() + 1);  // only the pending token and the new turn
        CHECK(s.size() == before + r2.prompt_tokens + r2.ids.size() - 1);
        // The same history from scratch gives the same continuation.
        std::vector<std::int32_t> all = prompt;
        all.insert(all.end(), r1.ids.begin(), r1.ids.end());
        all.insert(all.end(), turn2.begin(), turn2.end());
        models::llama_session fresh(*m, 512);
        const auto r3 = generate::generate(*m, fresh, all, c, {}, &pool);
        CHECK(r3.ids == r2.ids);
    }
    SUBCASE("errors: empty prompt on an empty session, prompt longer than the cache") {
        models::llama_session s(*m, 8);
        CHECK_THROWS_AS(generate::generate(*m, s, {}, greedy), tessera::error);
        CHECK_THROWS_AS(generate::generate(*m, s, prompt, greedy), tessera::error);
        CHECK(s.size() == 0);
    }
}
