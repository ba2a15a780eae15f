// apps/: knowledge (passages, sentence views, retrieval) and reply (hand-off, prompt, generation).
//  * without models: sentence splitting, language detection, knowledge JSONL errors, product
//    passages from catalog rows;
//  * with all-MiniLM-L6-v2: knowledge_index::search equals a brute-force max over every
//    view's cosine; retrieval quality on data/reply_questions.jsonl (hit@3 and hand-off
//    figures printed, a floor asserted);
//  * with SmolLM2 as well: an unanswerable message is handed off without generating, an
//    answerable one cites the retrieved passages and generates, greedy replies are identical
//    across runs and thread counts, prompts shrink to max_prompt_tokens.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "tessera/apps/knowledge.hpp"
#include "tessera/apps/reply.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/io/model_cache.hpp"
#include "tessera/search/bm25.hpp"

namespace fs = std::filesystem;
using namespace tessera;

namespace {

const fs::path data_dir = fs::path(__FILE__).parent_path().parent_path() / "data";

bool have_encoder() {
    if (fs::exists(io::default_encoder_dir() / "model.safetensors")) return true;
    MESSAGE("skipped: encoder not found at " << io::default_encoder_dir().string());
    return false;
}
bool have_decoder() {
    if (fs::exists(io::default_decoder_file())) return true;
    MESSAGE("skipped: decoder not found at " << io::default_decoder_file().string());
    return false;
}

const embed::sentence_encoder& encoder() {
    static const embed::sentence_encoder enc = embed::sentence_encoder::load(io::default_encoder_dir());
    return enc;
}
const models::llama_model& decoder() {
    static const models::llama_model m = models::llama_model::open(io::default_decoder_file().string());
    return m;
}
// The shop's policy passages only (the catalog adds minutes of embedding under sanitizers).
const apps::knowledge_index& policy_index() {
    static const apps::knowledge_index kb = [] {
        thread_pool pool(2);
        return apps::knowledge_index::build(encoder(), apps::read_knowledge_jsonl((data_dir / "shop_knowledge.jsonl").string()),
                                            &pool);
    }();
    return kb;
}

struct temp_file {
    fs::path path;
    explicit temp_file(const std::string& text) {
        static int counter = 0;
        path = fs::temp_directory_path() / ("tessera_reply_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        std::ofstream(path, std::ios::binary) << text;
    }
    ~temp_file() {
        std::error_code ec;
        fs::remove(path, ec);
    }
};

std::vector<std::string> sv(const std::vector<std::string_view>& v) { return {v.begin(), v.end()}; }

}  // namespace

TEST_CASE("split_sentences: Chinese and English marks, decimals kept whole") {
    CHECK(sv(apps::split_sentences("自签收之日起7天内可退货。请在“我的订单”中申请！好吗？")) ==
          std::vector<std::string>{"自签收之日起7天内可退货。", "请在“我的订单”中申请！", "好吗？"});
    CHECK(sv(apps::split_sentences("Orders over ¥99.00 ship free. Others pay ¥8.  Version 2.1 is out")) ==
          std::vector<std::string>{"Orders over ¥99.00 ship free.", "Others pay ¥8.", "Version 2.1 is out"});
    CHECK(sv(apps::split_sentences("one\ntwo")) == std::vector<std::string>{"one\n", "two"});
    CHECK(apps::split_sentences("").empty());
    CHECK(apps::split_sentences("   ").empty());
    // Invalid UTF-8 is carried along, never split inside or dropped.
    CHECK(sv(apps::split_sentences("a\xff\xfe. b")) == std::vector<std::string>{"a\xff\xfe.", "b"});
}

TEST_CASE("detect_language: any CJK ideograph makes a message Chinese") {
    CHECK(apps::detect_language("请问你们的退货政策是怎样的？") == "zh");
    CHECK(apps::detect_language("Can I return AeroKnit 跑鞋?") == "zh");
    CHECK(apps::detect_language("How long do returns take?") == "en");
    CHECK(apps::detect_language("") == "en");
    CHECK(apps::detect_language("\xe4\xbd") == "en");  // a truncated ideograph is not one
}

TEST_CASE("read_knowledge_jsonl: fields, and errors naming file and line") {
    const temp_file ok(R"({"id":"KB-1","topic":"returns","lang":"en","title":"T","text":"Body."})"
                       "\n\n"
                       R"({"id":"KB-2","text":"只有正文。"})"
                       "\n");
    const auto p = apps::read_knowledge_jsonl(ok.path.string());
    REQUIRE(p.size() == 2);
    CHECK(p[0].id == "KB-1");
    CHECK(p[0].kind == "policy");
    CHECK(p[0].topic == "returns");
    CHECK(p[1].title.empty());
    CHECK(p[1].text == "只有正文。");

    const auto fails = [](const std::string& text, error_kind kind, const std::string& needle) {
        const temp_file f(text);
        try {
            apps::read_knowledge_jsonl(f.path.string());
            FAIL("no error for: " << text);
        } catch (const error& e) {
            CHECK(e.kind() == kind);
            CHECK(std::string(e.what()).find(needle) != std::string::npos);
        }
    };
    fails(R"({"id":"A","text":"x"})" "\n" R"({"id":"A","text":"y"})", error_kind::duplicate, ":2: id A");
    fails(R"({"text":"x"})", error_kind::malformed, ":1: missing \"id\"");
    fails(R"({"id":"A"})", error_kind::invalid_data, "has no text");
    fails(R"({"id":"A","text":3})", error_kind::malformed, "\"text\" is not a string");
    fails("[1,2]", error_kind::malformed, "not a JSON object");
    fails("{\"id\":", error_kind::malformed, ":1");
    CHECK_THROWS_AS(apps::read_knowledge_jsonl("/nonexistent/knowledge.jsonl"), error);
}

TEST_CASE("passages_from_catalog: one passage per language with price and stock") {
    const temp_file cat(
        R"({"id":"SKU-1","title_en":"Rain boots","title_zh":"雨靴","description_en":"Rubber.","description_zh":"橡胶。","category":"shoes","price":99.5,"stock":3})"
        "\n"
        R"({"id":"SKU-2","title_en":"Mug","description_en":"Ceramic.","category":"kitchen","price":20,"stock":0})");
    const auto items = embed::read_catalog_jsonl(cat.path.string());
    const auto p = apps::passages_from_catalog(items);
    REQUIRE(p.size() == 3);
    CHECK(p[0].id == "SKU-1");
    CHECK(p[0].kind == "product");
    CHECK(p[0].lang == "en");
    CHECK(p[0].text == "Price ¥99.50, in stock (3). Rubber.");
    CHECK(p[1].lang == "zh");
    CHECK(p[1].title == "雨靴");
    CHECK(p[1].text == "售价¥99.50，有货（3件）。橡胶。");
    CHECK(p[2].id == "SKU-2");
    CHECK(p[2].text == "Price ¥20.00, out of stock. Ceramic.");
}

TEST_CASE("knowledge_index: search is the exact max over each passage's views") {
    if (!have_encoder()) return;
    const auto& kb = policy_index();
    const auto& enc = encoder();
    // Brute force: embed every view text on its own, score every passage by its best view.
    std::vector<std::vector<std::string>> views(kb.size());
    std::size_t total = 0;
    for (std::size_t i = 0; i < kb.size(); ++i) {
        const auto& p = kb.at(i);
        views[i].push_back(p.title.empty() ? p.text : p.title + ". " + p.text);
        const auto s = apps::split_sentences(p.text);
        if (s.size() > 1) views[i].insert(views[i].end(), s.begin(), s.end());
        total += views[i].size();
    }
    CHECK(total == kb.views());
    thread_pool pool(2);
    for (const char* q : {"How long do I have to return an item?", "发票怎么开？", "Do you ship to Hong Kong?"}) {
        CAPTURE(q);
        const auto qe = enc.encode_one(q, {}, &pool);
        std::vector<std::pair<float, std::size_t>> brute;
        for (std::size_t i = 0; i < kb.size(); ++i) {
            const auto e = enc.encode(views[i], {}, &pool);
            float best = -2.0f;
            for (std::size_t v = 0; v < views[i].size(); ++v) {
                float dot = 0;
                for (std::size_t d = 0; d < enc.dim(); ++d) dot += qe[d] * e.data()[v * enc.dim() + d];
                best = std::max(best, dot);
            }
            brute.push_back({best, i});
        }
        std::sort(brute.begin(), brute.end(), [](auto a, auto b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
        const auto hits = kb.search(qe, q, 5, 0.0f);
        REQUIRE(hits.size() == 5);
        for (std::size_t r = 0; r < 5; ++r) {
            CAPTURE(r);
            CHECK(hits[r].index == brute[r].second);
            CHECK(hits[r].score == doctest::Approx(brute[r].first).epsilon(1e-5));
        }
    }
    CHECK(kb.search(encoder().encode_one("x"), "x", 0).empty());
    // With BM25: the dense part unchanged, the total the sum.
    const std::string q = "发票怎么开？";
    const auto qe = enc.encode_one(q, {}, &pool);
    const auto dense = kb.search(qe, q, kb.size(), 0.0f);
    const auto hybrid = kb.search(qe, q, kb.size(), 0.05f);
    const search::bm25_index lex = [&] {
        std::vector<std::string> docs;
        for (const auto& p : kb.passages()) docs.push_back(p.title + " " + p.text);
        return search::bm25_index(docs);
    }();
    const auto bm = lex.scores(q);
    for (const auto& h : hybrid) {
        const auto d = std::find_if(dense.begin(), dense.end(), [&](const apps::passage_hit& x) { return x.index == h.index; });
        REQUIRE(d != dense.end());
        CHECK(h.dense == d->dense);
        CHECK(h.lexical == bm[h.index]);
        CHECK(h.score == h.dense + 0.05f * bm[h.index]);
    }
    CHECK(std::is_sorted(hybrid.begin(), hybrid.end(), [](const auto& a, const auto& b) { return a.score > b.score; }));
}

TEST_CASE("reply retrieval on data/reply_questions.jsonl") {
    if (!have_encoder()) return;
    const auto& kb = policy_index();
    thread_pool pool(2);
    std::ifstream in(data_dir / "reply_questions.jsonl");
    std::size_t answerable = 0, hit1 = 0, hit3 = 0, kept = 0, unanswerable = 0, handed_off = 0;
    const float threshold = apps::reply_options{}.min_score;
    for (std::string line; std::getline(in, line);) {
        const auto j = nlohmann::json::parse(line);
        const auto expected = j["expected_kb"].get<std::vector<std::string>>();
        const std::string question = j["question"].get<std::string>();
        const auto hits = kb.search(encoder().encode_one(question, {}, &pool), question, 3, apps::reply_options{}.lexical_weight);
        REQUIRE(hits.size() == 3);
        const auto is_expected = [&](const apps::passage_hit& h) {
            return std::find(expected.begin(), expected.end(), kb.at(h.index).id) != expected.end();
        };
        if (expected.empty()) {
            ++unanswerable;
            handed_off += hits[0].score < threshold;
        } else {
            ++answerable;
            hit1 += is_expected(hits[0]);
            hit3 += std::any_of(hits.begin(), hits.end(), is_expected);
            kept += hits[0].score >= threshold;
        }
    }
    MESSAGE("retrieval: " << answerable << " answerable questions, hit@1 " << double(hit1) / answerable << ", hit@3 "
                          << double(hit3) / answerable << ", kept at min_score " << threshold << ": " << kept << "; "
                          << unanswerable << " unanswerable, handed off " << handed_off);
    REQUIRE(answerable == 41);
    REQUIRE(unanswerable == 8);
    // Floors below what sentence-transformers measures with the same views (hit@3 0.756,
    // tools/reference/eval_reply_retrieval.py); tessera's embeddings match it to 1e-5.
    CHECK(double(hit3) / answerable >= 0.73);
    CHECK(double(kept) / answerable >= 0.9);
    CHECK(handed_off >= 3);
}

TEST_CASE("reply_engine: hand-off, citations, determinism across thread counts, prompt budget") {
    if (!have_encoder() || !have_decoder()) return;
    const auto& kb = policy_index();
    apps::reply_options opt;
    opt.generation.max_new_tokens = 24;
    const apps::reply_engine engine(encoder(), decoder(), kb, opt);
    CHECK(engine.uses_chat_template());
    thread_pool one(1), two(2);

    SUBCASE("an unanswerable message gets the hand-off, in its language, and nothing is generated") {
        std::string streamed;
        const auto r = engine.answer("What's the weather tomorrow in Hangzhou?", [&](std::string_view s) {
            streamed += s;
            return true;
        }, &two);
        CHECK(r.handed_off);
        CHECK(r.lang == "en");
        CHECK(r.text == opt.handoff_en);
        CHECK(streamed == opt.handoff_en);
        CHECK(r.passages.empty());
        CHECK(!r.generation.has_value());
        CHECK(r.best_score < opt.min_score);
        // In Chinese too (with a threshold nothing reaches: all-MiniLM-L6-v2 does not tell
        // Chinese off-topic questions from policy questions, see apps/reply.hpp).
        apps::reply_options strict = opt;
        strict.min_score = 100.0f;
        const auto zh = apps::reply_engine(encoder(), decoder(), kb, strict).answer("帮我写一首关于春天的诗", {}, &two);
        CHECK(zh.handed_off);
        CHECK(zh.lang == "zh");
        CHECK(zh.text == opt.handoff_zh);
    }
    SUBCASE("an answerable message cites what it retrieved and generates") {
        const std::string q = "How long do I have to return an item?";
        const auto rel = engine.relevant(q, &two);
        REQUIRE(!rel.empty());
        CHECK(kb.at(rel[0].index).id == "KB-002");
        std::string streamed;
        const auto r = engine.answer(q, [&](std::string_view s) {
            streamed += s;
            return true;
        }, &two);
        CHECK(!r.handed_off);
        REQUIRE(r.passages.size() == rel.size());
        CHECK(r.passages[0].id == "KB-002");
        REQUIRE(r.generation.has_value());
        CHECK(!r.generation->ids.empty());
        CHECK(!r.text.empty());
        CHECK(streamed == r.generation->text);
        // The prompt is the chat template around the instructions, the passage and the message.
        const std::string prompt = engine.prompt_text(q, rel);
        CHECK(prompt.find("<|im_start|>system\n" + opt.instructions_en) == 0);
        CHECK(prompt.find(kb.at(rel[0].index).text) != std::string::npos);
        CHECK(prompt.find("<|im_start|>user\n" + q + "<|im_end|>") != std::string::npos);
        CHECK(prompt.ends_with("<|im_start|>assistant\n"));
        // Greedy: the same reply again, and with one thread.
        CHECK(engine.answer(q, {}, &two).text == r.text);
        CHECK(engine.answer(q, {}, &one).text == r.text);
        CHECK(engine.answer(q).text == r.text);
    }
    SUBCASE("Chinese messages get Chinese instructions") {
        const std::string q = "买的鞋子不合适，可以退吗？";
        const auto rel = engine.relevant(q, &two);
        REQUIRE(!rel.empty());
        CHECK(engine.prompt_text(q, rel).find(opt.instructions_zh) != std::string::npos);
    }
    SUBCASE("passages are dropped, worst first, to fit max_prompt_tokens") {
        apps::reply_options small = opt;
        small.margin = 1.0f;
        small.min_score = -1.0f;
        small.top_k = 3;
        const apps::reply_engine wide(encoder(), decoder(), kb, small);
        const std::string q = "How long do I have to return an item?";
        auto all = wide.relevant(q, &two);
        REQUIRE(all.size() == 3);
        const std::size_t full = wide.build_prompt(q, all).size();
        CHECK(all.size() == 3);
        small.max_prompt_tokens = full - 1;
        const apps::reply_engine tight(encoder(), decoder(), kb, small);
        auto some = tight.relevant(q, &two);
        const auto ids = tight.build_prompt(q, some);
        CHECK(some.size() < 3);
        CHECK(ids.size() < full);
        CHECK(some[0].index == all[0].index);
    }
}

TEST_CASE("bm25: terms (CJK bigrams, English words minus function words) and scores by hand") {
    CHECK(search::lexical_terms("退货运费 Who pays for Return-shipping? 单") ==
          std::vector<std::string>{"退货", "货运", "运费", "who", "pays", "return", "shipping", "单"});
    CHECK(search::lexical_terms("").empty());
    CHECK(search::lexical_terms("\xff 发\xe5票") == std::vector<std::string>{"发", "票"});  // invalid bytes separate
    const std::vector<std::string> docs = {"退货 运费", "运费 运费 shipping", "tea cup"};
    const search::bm25_index idx(docs);
    const auto s = idx.scores("运费 运费?");  // a repeated query term counts once
    // N = 3, "运费" in 2 documents: idf = ln(1 + 1.5 / 2.5); lengths 2, 3, 2 (avg 7/3).
    const double idf = std::log(1.0 + 1.5 / 2.5), avg = 7.0 / 3.0;
    const auto term = [&](double tf, double len) { return idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * len / avg)); };
    REQUIRE(s.size() == 3);
    CHECK(s[0] == doctest::Approx(term(1, 2)).epsilon(1e-6));
    CHECK(s[1] == doctest::Approx(term(2, 3)).epsilon(1e-6));
    CHECK(s[2] == 0.0f);
    CHECK(idx.scores("nothing here")[0] == 0.0f);
}
