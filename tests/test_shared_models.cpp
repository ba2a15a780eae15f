// The concurrency contract (docs/reliability.md): one sentence encoder, one decoder, one
// product catalog and one reply engine, all immutable, shared by 8 threads that each run
// a different mix of encode, greedy generate, filtered search and reply calls, each with
// its own sessions and thread pool (or none). Every result must equal the serial run's
// bit for bit. Labelled `concurrency`, so the TSan stage runs it too (small sizes keep
// that affordable). Skipped with a message when the models are absent.
#include <doctest/doctest.h>

#include <atomic>
#include <optional>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tessera/apps/knowledge.hpp"
#include "tessera/apps/reply.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/embed/product_catalog.hpp"
#include "tessera/embed/sentence_encoder.hpp"
#include "tessera/generate/generate.hpp"
#include "tessera/io/model_cache.hpp"
#include "tessera/models/llama.hpp"
#include "tessera/search/filter.hpp"

namespace fs = std::filesystem;
using namespace tessera;

namespace {

const fs::path data_dir = fs::path(__FILE__).parent_path().parent_path() / "data";

// Everything one unit of work produces, compared as a whole.
struct outcome {
    std::vector<float> embedding;
    std::vector<std::int32_t> generated;
    std::vector<std::pair<std::size_t, float>> hits;
    std::string reply;
    bool operator==(const outcome&) const = default;
};

}  // namespace

TEST_CASE("8 threads share one encoder, decoder, catalog and reply engine; results equal the serial run" * doctest::test_suite("concurrency")) {
    if (!fs::exists(io::default_encoder_dir() / "model.safetensors") || !fs::exists(io::default_decoder_file())) {
        MESSAGE("skipped: models not found under " << io::models_dir().string());
        return;
    }
    const auto encoder = embed::sentence_encoder::load(io::default_encoder_dir());
    const auto decoder = models::llama_model::open(io::default_decoder_file().string());
    // A small catalog (the first 24 products) and the policy passages keep TSan affordable.
    auto items = embed::read_catalog_jsonl((data_dir / "catalog.jsonl").string());
    items.resize(24);
    const auto catalog = embed::product_catalog::build(encoder, std::move(items));
    auto passages = apps::read_knowledge_jsonl((data_dir / "shop_knowledge.jsonl").string());
    passages.resize(16);
    const auto kb = apps::knowledge_index::build(encoder, std::move(passages));
    apps::reply_options ro;
    ro.generation.max_new_tokens = 6;
    const apps::reply_engine engine(encoder, decoder, kb, ro);
    const auto filter = search::filter::parse("stock>0");

    const std::vector<std::string> texts = {"waterproof hiking boots", "儿童雨靴", "a gift for tea lovers",
                                            "How long do I have to return an item?", "退货运费谁出？",
                                            "wireless earbuds", "Do you ship to Hong Kong?", "瑜伽垫"};
    // Work item i: kind i % 4, text i % texts.size().
    const auto run = [&](std::size_t i, thread_pool* pool) {
        outcome o;
        const std::string& t = texts[i % texts.size()];
        switch (i % 4) {
        case 0: o.embedding = encoder.encode_one(t, {}, pool); break;
        case 1: {
            generate::generation_config cfg;
            cfg.temperature = 0.0f;
            cfg.max_new_tokens = 6;
            models::llama_session s(decoder, 64);
            o.generated = generate::generate(decoder, s, decoder.tokenizer().encode(t), cfg, {}, pool).ids;
            break;
        }
        case 2:
            for (const auto& h : catalog.search(encoder.encode_one(t, {}, pool), 5, filter, pool))
                o.hits.push_back({h.row, h.score});
            break;
        case 3: o.reply = engine.answer(t, {}, pool).text; break;
        }
        return o;
    };

    constexpr std::size_t n_threads = 8, per_thread = 4;
    std::vector<outcome> serial(n_threads * per_thread);
    for (std::size_t i = 0; i < serial.size(); ++i) serial[i] = run(i, nullptr);

    std::vector<outcome> parallel(serial.size());
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < n_threads; ++t)
        threads.emplace_back([&, t] {
            // Threads 0-3 use a pool of their own (2 workers); 4-7 run on themselves.
            std::optional<thread_pool> pool;
            if (t < 4) pool.emplace(2);
            while (!go.load()) std::this_thread::yield();
            // Thread t takes items t, t + 8, ...: every kind of work runs on several threads at once.
            for (std::size_t k = 0; k < per_thread; ++k) {
                const std::size_t i = t + k * n_threads;
                parallel[i] = run(i, pool ? &*pool : nullptr);
            }
        });
    go = true;
    for (auto& th : threads) th.join();

    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < serial.size(); ++i) {
        CAPTURE(i);
        mismatches += !(parallel[i] == serial[i]);
        CHECK(parallel[i] == serial[i]);
    }
    MESSAGE(serial.size() << " work items on " << n_threads << " threads: " << mismatches << " mismatches");
    // The work was real: every kind produced something.
    CHECK(!serial[0].embedding.empty());
    CHECK(!serial[1].generated.empty());
    CHECK(!serial[2].hits.empty());
    CHECK(!serial[3].reply.empty());
}
