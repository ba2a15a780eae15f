// Sentence-encoder throughput: all-MiniLM-L6-v2 fp32, end to end (tokenize, BERT, mean
// pooling, normalise), as sentence_encoder::encode runs it.
//
//   encode/tessera/batch:B/seq:S/threads:T  (Google Benchmark appends /real_time)
//     B  texts per encode() call (1, 32)
//     S  128: texts that tokenize to exactly 128 tokens ([CLS] and [SEP] included);
//        mix: the natural mix of the sample data (catalog texts in both languages, queries,
//        policy passages, customer questions: 9 to ~160 tokens)
//     T  threads in the pool (1, 2)
// Counters: sentences/s, tokens/s, and GFLOP/s of the model's GEMMs and attention
// (bert_model::flops; compare with ~110 GFLOP/s per core, the fp32 peak the GEMM bench
// measures on this machine). tools/reference/bench_encoder_peers.py runs these beside
// ONNX Runtime and prints ratios. Skipped when the model is not present.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tessera/io/model_cache.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/embed/sentence_encoder.hpp"

namespace {

namespace fs = std::filesystem;
using namespace tessera;

fs::path model_dir() {
    return tessera::io::default_encoder_dir();
}

const embed::sentence_encoder* encoder() {
    static const std::unique_ptr<embed::sentence_encoder> enc = []() -> std::unique_ptr<embed::sentence_encoder> {
        if (!fs::exists(model_dir() / "model.safetensors")) return nullptr;
        return std::make_unique<embed::sentence_encoder>(embed::sentence_encoder::load(model_dir()));
    }();
    return enc.get();
}

// 64 texts of exactly 128 tokens: English product prose, cut by max_length = 128.
const std::vector<std::string>& seq128_texts() {
    static const std::vector<std::string> texts = [] {
        const char* words[] = {"waterproof", "hiking", "boots", "with", "a", "breathable", "membrane", "and",
                               "rubber", "outsole", "for", "wet", "trails", "light", "snow", "day", "hikes",
                               "stainless", "steel", "bottle", "keeps", "drinks", "cold", "hours"};
        std::vector<std::string> out;
        for (std::size_t t = 0; t < 64; ++t) {
            std::string s;
            for (std::size_t w = 0; w < 200; ++w) s += std::string(words[(w * 7 + t * 3 + w / 5) % 24]) + " ";
            out.push_back(s);
        }
        return out;
    }();
    return texts;
}

// The sample data's texts (data/*.jsonl), in file order.
const std::vector<std::string>& mix_texts() {
    static const std::vector<std::string> texts = [] {
        const fs::path data = fs::path(__FILE__).parent_path().parent_path() / "data";
        std::vector<std::string> out;
        const auto each = [&](const char* file, auto&& take) {
            std::ifstream in(data / file);
            for (std::string line; std::getline(in, line);)
                if (!line.empty()) take(nlohmann::json::parse(line));
        };
        each("catalog.jsonl", [&](const nlohmann::json& p) {
            out.push_back(p["title_en"].get<std::string>() + ". " + p["description_en"].get<std::string>());
            out.push_back(p["title_zh"].get<std::string>() + "。" + p["description_zh"].get<std::string>());
        });
        each("queries.jsonl", [&](const nlohmann::json& q) { out.push_back(q["query"]); });
        each("shop_knowledge.jsonl", [&](const nlohmann::json& k) { out.push_back(k["title"].get<std::string>() + " " + k["text"].get<std::string>()); });
        each("reply_questions.jsonl", [&](const nlohmann::json& q) { out.push_back(q["question"]); });
        return out;
    }();
    return texts;
}

void bm_encode(benchmark::State& state, std::size_t batch, bool seq128, std::size_t threads) {
    const embed::sentence_encoder* enc = encoder();
    if (!enc) {
        state.SkipWithError(("model not found at " + model_dir().string()).c_str());
        return;
    }
    const std::vector<std::string>& all = seq128 ? seq128_texts() : mix_texts();
    if (all.empty()) {
        state.SkipWithError("no sample texts (data/*.jsonl)");
        return;
    }
    const embed::encode_options opt{.batch_size = 32, .max_length = seq128 ? 128u : 0u};
    // Lengths once, for the token and FLOP counters.
    std::vector<std::size_t> lengths;
    for (const auto& t : all) lengths.push_back(enc->tokenize(t, opt.max_length).size());
    thread_pool pool(threads);
    embed::encoder_session session;
    std::size_t next = 0, sentences = 0;
    double tokens = 0, flops = 0;
    std::vector<std::string_view> chunk;
    for (auto _ : state) {
        chunk.clear();
        std::vector<std::size_t> lens;
        for (std::size_t i = 0; i < batch; ++i, next = (next + 1) % all.size()) {
            chunk.push_back(all[next]);
            lens.push_back(lengths[next]);
        }
        const tensor<float> e = enc->encode(chunk, opt, &pool, session);
        benchmark::DoNotOptimize(e.data());
        sentences += batch;
        for (std::size_t n : lens) tokens += double(n);
        flops += enc->model().flops(lens);
    }
    state.counters["sentences/s"] = benchmark::Counter(double(sentences), benchmark::Counter::kIsRate);
    state.counters["tokens/s"] = benchmark::Counter(tokens, benchmark::Counter::kIsRate);
    state.counters["GFLOP/s"] = benchmark::Counter(flops / 1e9, benchmark::Counter::kIsRate);
}

[[maybe_unused]] const bool registered = [] {
    for (std::size_t batch : {1, 32})
        for (bool seq128 : {true, false})
            for (std::size_t threads : {1, 2}) {
                const std::string name = "encode/tessera/batch:" + std::to_string(batch) + "/seq:" +
                                         (seq128 ? "128" : "mix") + "/threads:" + std::to_string(threads);
                benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& s) { bm_encode(s, batch, seq128, threads); })
                    ->UseRealTime()
                    ->Unit(benchmark::kMillisecond);
            }
    return true;
}();

}  // namespace
