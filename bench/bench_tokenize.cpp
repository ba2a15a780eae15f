// Tokenizer throughput, single thread, on the parity corpus (tests/data/tokenizer_corpus.jsonl)
// repeated to ~10 MB, for the two real tokenizers:
//   tokenize/wordpiece/minilm/corpus_10MB     all-MiniLM-L6-v2 tokenizer.json, special tokens added
//   tokenize/bpe/smollm2/corpus_10MB          SmolLM2's byte-level BPE from its GGUF
// and the linear-time check of issue 4: one repeated character, 50 MB and 100 MB
//   tokenize/<tok>/repeat_char/MB:<n>          (time(100) / time(50) should be ≈ 2)
//   tokenize/wordpiece/minilm/repeat_cjk/MB:<n>   '你' repeated: one token per 3 bytes
//   tokenize/wordpiece/minilm/repeat_{char,cjk}_full/MB:<n>   the same with offsets
// The WordPiece repeat cases run without the file's truncation (a right-truncating
// tokenizer stops after max_length tokens, which would hide the scaling) and, except
// *_full, through encode_ids: ids, type ids and mask, what a model takes and what a
// caller should use on large inputs (12 bytes a token instead of 33).
// bytes_per_second is the figure. tools/reference/bench_tokenize_peers.py runs HF
// `tokenizers` on the same inputs in the same session and prints the ratios.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tessera/io/model_cache.hpp"
#include "tessera/io/gguf.hpp"
#include "tessera/text/bpe.hpp"
#include "tessera/text/bpe_gguf.hpp"
#include "tessera/text/tokenizer_json.hpp"

namespace {

std::filesystem::path models_dir() {
    return tessera::io::models_dir();
}

// The corpus texts repeated until they hold at least `bytes` bytes.
const std::vector<std::string>& corpus_10mb() {
    static const std::vector<std::string> texts = [] {
        std::vector<std::string> base, out;
        std::ifstream in(std::filesystem::path(TESSERA_SOURCE_DIR) / "tests/data/tokenizer_corpus.jsonl");
        for (std::string line; std::getline(in, line);)
            if (!line.empty()) base.push_back(nlohmann::json::parse(line).get<std::string>());
        std::size_t total = 0;
        while (!base.empty() && total < (10u << 20))
            for (const auto& t : base) {
                out.push_back(t);
                total += t.size();
            }
        return out;
    }();
    return texts;
}

std::size_t total_bytes(const std::vector<std::string>& texts) {
    std::size_t n = 0;
    for (const auto& t : texts) n += t.size();
    return n;
}

const tessera::text::wordpiece_tokenizer* minilm() {
    static const auto tok = []() -> std::unique_ptr<tessera::text::wordpiece_tokenizer> {
        const auto path = models_dir() / "all-MiniLM-L6-v2/tokenizer.json";
        if (!std::filesystem::exists(path)) return nullptr;
        return std::make_unique<tessera::text::wordpiece_tokenizer>(
            tessera::text::load_wordpiece_tokenizer_json(path.string()));
    }();
    return tok.get();
}

const tessera::text::bpe_tokenizer* smollm2() {
    static const auto tok = []() -> std::unique_ptr<tessera::text::bpe_tokenizer> {
        const auto path = models_dir() / "SmolLM2-135M-Instruct/SmolLM2-135M-Instruct.Q4_1.gguf";
        if (!std::filesystem::exists(path)) return nullptr;
        const auto file = tessera::io::gguf_file::open(path.string());
        return std::make_unique<tessera::text::bpe_tokenizer>(tessera::text::bpe_from_gguf(file));
    }();
    return tok.get();
}

void bm_wordpiece_corpus(benchmark::State& s) {
    const auto* tok = minilm();
    if (!tok) return s.SkipWithError("all-MiniLM-L6-v2 not found: run scripts/fetch-models.sh");
    const auto& texts = corpus_10mb();
    std::size_t tokens = 0;
    for (auto _ : s)
        for (const auto& t : texts) tokens += tok->encode(t).ids.size();
    s.SetBytesProcessed(std::int64_t(s.iterations() * total_bytes(texts)));
    s.counters["tokens"] = double(tokens) / double(s.iterations());
}

void bm_bpe_corpus(benchmark::State& s) {
    const auto* tok = smollm2();
    if (!tok) return s.SkipWithError("SmolLM2 GGUF not found: run scripts/fetch-models.sh");
    const auto& texts = corpus_10mb();
    tessera::text::bpe_workspace ws;
    std::vector<std::int32_t> ids;
    std::size_t tokens = 0;
    for (auto _ : s)
        for (const auto& t : texts) {
            ids.clear();
            tok->encode(t, {}, ws, ids);
            tokens += ids.size();
        }
    s.SetBytesProcessed(std::int64_t(s.iterations() * total_bytes(texts)));
    s.counters["tokens"] = double(tokens) / double(s.iterations());
}

// WordPiece on one repeated character: 'a' (one 50/100 MB word, counted and [UNK]) or
// '你' (a token per character). Full = encode() with offsets, else encode_ids().
template <bool Cjk, bool Full>
void bm_wordpiece_repeat(benchmark::State& s) {
    if (!minilm()) return s.SkipWithError("all-MiniLM-L6-v2 not found: run scripts/fetch-models.sh");
    const std::string unit = Cjk ? "\xe4\xbd\xa0" : "a";
    std::string text;
    text.reserve(std::size_t(s.range(0)) << 20);
    while (text.size() + unit.size() <= (std::size_t(s.range(0)) << 20)) text += unit;
    const auto tok = minilm()->with_truncation(std::nullopt).with_padding(std::nullopt);
    std::size_t tokens = 0;
    for (auto _ : s) {
        const auto e = Full ? tok.encode(text) : tok.encode_ids(text);
        tokens = e.size();
        benchmark::DoNotOptimize(e.ids.data());
    }
    s.SetBytesProcessed(std::int64_t(s.iterations() * text.size()));
    s.counters["tokens"] = double(tokens);
}

// BPE on one repeated 'a': a single 50/100 MB pre-token for SmolLM2's splitter.
void bm_bpe_repeat_char(benchmark::State& s) {
    const std::string text(std::size_t(s.range(0)) << 20, 'a');
    if (!smollm2()) return s.SkipWithError("SmolLM2 GGUF not found: run scripts/fetch-models.sh");
    for (auto _ : s) benchmark::DoNotOptimize(smollm2()->encode(text).size());
    s.SetBytesProcessed(std::int64_t(s.iterations() * text.size()));
}

BENCHMARK(bm_wordpiece_corpus)->Name("tokenize/wordpiece/minilm/corpus_10MB")->Unit(benchmark::kMillisecond);
BENCHMARK(bm_bpe_corpus)->Name("tokenize/bpe/smollm2/corpus_10MB")->Unit(benchmark::kMillisecond);
BENCHMARK(bm_wordpiece_repeat<false, false>)->Name("tokenize/wordpiece/minilm/repeat_char/MB")->Arg(50)->Arg(100)
    ->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(bm_wordpiece_repeat<true, false>)->Name("tokenize/wordpiece/minilm/repeat_cjk/MB")->Arg(50)->Arg(100)
    ->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(bm_wordpiece_repeat<false, true>)->Name("tokenize/wordpiece/minilm/repeat_char_full/MB")->Arg(50)->Arg(100)
    ->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(bm_wordpiece_repeat<true, true>)->Name("tokenize/wordpiece/minilm/repeat_cjk_full/MB")->Arg(50)->Arg(100)
    ->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(bm_bpe_repeat_char)->Name("tokenize/bpe/smollm2/repeat_char/MB")->Arg(50)->Arg(100)
    ->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
