// decode/*: the Llama decoder on the real SmolLM2-135M-Instruct Q4_1 GGUF (skipped with a
// message when the file is absent; $TESSERA_MODELS or ~/.cache/tessera/models).
// Sessions use the default precision (q8_fine: two-term 8-bit activations); the "/q8" variants
// use plain 8-bit activations (models/llama.hpp: matmul_precision).
//   decode/prompt_512/threads:T    prompt processing of 512 tokens (batches of 512, GEMM path);
//                                  counter tok_per_s
//   decode/generate_128/threads:T  128 tokens one at a time after a 16-token prompt (GEMV
//                                  path); counters tok_per_s and weights_GBps = the weight
//                                  bytes one token streams × tokens/s, to set against
//                                  membw/read/threads:T (bench_membw.cpp), the ceiling
//   decode/gemv/<type>/threads:T   one [N=1536, K=576] quantized GEMV alone (bytes_per_second)
// tools/reference/bench_decode_peers.py runs these next to llama.cpp on the same file.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tessera/io/model_cache.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/models/llama.hpp"
#include "tessera/ops/quant_matmul.hpp"
#include "tessera/ops/quantize.hpp"

namespace {

namespace fs = std::filesystem;
using namespace tessera;

fs::path model_path() {
    return tessera::io::default_decoder_file();
}

const models::llama_model* shared_model() {
    static const std::unique_ptr<models::llama_model> m = []() -> std::unique_ptr<models::llama_model> {
        if (!fs::exists(model_path())) return nullptr;
        return std::make_unique<models::llama_model>(models::llama_model::open(model_path().string()));
    }();
    return m.get();
}

// Fixed pseudo-random ids (ordinary tokens: 100 .. 40000), the same for every run.
std::vector<std::int32_t> prompt_ids(std::size_t n) {
    std::mt19937 rng(1234);
    std::uniform_int_distribution<std::int32_t> d(100, 40000);
    std::vector<std::int32_t> ids(n);
    for (auto& id : ids) id = d(rng);
    return ids;
}

void bm_prompt(benchmark::State& s, int threads, models::matmul_precision prec) {
    const models::llama_model* m = shared_model();
    if (!m) {
        s.SkipWithError(("model not found at " + model_path().string()).c_str());
        return;
    }
    const auto ids = prompt_ids(512);
    thread_pool pool(threads);
    models::llama_session session(*m, 512, 512, prec);
    for (auto _ : s) {
        session.reset();
        benchmark::DoNotOptimize(session.prefill(ids, &pool).data());
    }
    s.counters["tok_per_s"] = benchmark::Counter(double(ids.size()) * double(s.iterations()), benchmark::Counter::kIsRate);
}

void bm_generate(benchmark::State& s, int threads, models::matmul_precision prec) {
    const models::llama_model* m = shared_model();
    if (!m) {
        s.SkipWithError(("model not found at " + model_path().string()).c_str());
        return;
    }
    const auto ids = prompt_ids(16);
    thread_pool pool(threads);
    models::llama_session session(*m, 16 + 128, 512, prec);
    constexpr std::size_t n_gen = 128;
    for (auto _ : s) {
        s.PauseTiming();
        session.reset();
        std::span<const float> l = session.prefill(ids, &pool);
        s.ResumeTiming();
        for (std::size_t t = 0; t < n_gen; ++t) {
            const auto next = std::int32_t(std::max_element(l.begin(), l.end()) - l.begin());
            l = session.decode(next, &pool);
        }
        benchmark::DoNotOptimize(l.data());
    }
    const double tokens = double(n_gen) * double(s.iterations());
    s.counters["tok_per_s"] = benchmark::Counter(tokens, benchmark::Counter::kIsRate);
    s.counters["weights_GBps"] =
        benchmark::Counter(tokens * double(m->weight_bytes_per_token()) / 1e9, benchmark::Counter::kIsRate);
}

// One layer-sized GEMV (in cache: the kernel's own speed), rows in ggml order or grouped
// (ops/quant_layout.hpp, as llama_model holds them).
void bm_gemv(benchmark::State& s, ops::ggml_type type, int threads, bool fine, bool grouped) {
    constexpr std::size_t N = 1536, K = 576;
    std::mt19937 rng(5);
    std::normal_distribution<float> d(0.0f, 0.05f);
    std::vector<float> wf(N * K), xf(K);
    for (float& v : wf) v = d(rng);
    for (float& v : xf) v = d(rng);
    const std::size_t row_bytes = K / 32 * ops::traits_of(type).type_size;
    std::vector<std::byte> wb(N * row_bytes);
    for (std::size_t r = 0; r < N; ++r) {
        if (type == ops::ggml_type::q4_0) ops::quantize_row_q4_0(wf.data() + r * K, wb.data() + r * row_bytes, K / 32);
        if (type == ops::ggml_type::q4_1) ops::quantize_row_q4_1(wf.data() + r * K, wb.data() + r * row_bytes, K / 32);
        if (type == ops::ggml_type::q8_0) ops::quantize_row_q8_0(wf.data() + r * K, wb.data() + r * row_bytes, K / 32);
    }
    auto w = ops::quant_matrix::view(type, wb, N, K, "bench");
    std::vector<std::byte> wg(grouped ? wb.size() : 0);
    if (grouped) {
        w.copy_rows_to(wg.data(), 0, N);
        w = w.as_copied_to(wg.data());
    }
    ops::q8_activations xa;
    xa.quantize(tensor_view<const float>(xf.data(), shape{1, K}), nullptr, fine);
    tensor<float> y(shape{1, N});
    thread_pool pool(threads);
    for (auto _ : s) {
        ops::quant_matmul(w, xa, y.view(), &pool);
        benchmark::DoNotOptimize(y.data());
    }
    s.SetBytesProcessed(std::int64_t(s.iterations()) * std::int64_t(wb.size()));
}

const int registered = [] {
    std::printf("tessera quantized kernel: %s\n", ops::quant_kernel_name());
    using P = models::matmul_precision;
    for (int t : {1, 2}) {
        const std::string ts = "/threads:" + std::to_string(t);
        for (const auto& [suffix, prec] : {std::pair{std::string(""), P::q8_fine}, std::pair{std::string("/q8"), P::q8}}) {
            benchmark::RegisterBenchmark(("decode/prompt_512" + suffix + ts).c_str(), bm_prompt, t, prec)
                ->UseRealTime()
                ->Unit(benchmark::kMillisecond)
                ->MinTime(2.0);
            benchmark::RegisterBenchmark(("decode/generate_128" + suffix + ts).c_str(), bm_generate, t, prec)
                ->UseRealTime()
                ->Unit(benchmark::kMillisecond)
                ->MinTime(2.0);
        }
        for (auto type : {ops::ggml_type::q4_0, ops::ggml_type::q4_1, ops::ggml_type::q8_0})
            for (bool fine : {false, true})
                for (bool grouped : {false, true})
                    benchmark::RegisterBenchmark(("decode/gemv/" + std::string(ops::to_string(type)) +
                                                  (grouped ? "/grouped" : "") + (fine ? "/fine" : "") + ts)
                                                     .c_str(),
                                                 bm_gemv, type, t, fine, grouped)
                        ->UseRealTime()
                        ->Unit(benchmark::kMicrosecond);
    }
    return 0;
}();

}  // namespace
