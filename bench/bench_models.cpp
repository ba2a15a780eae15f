// Per-token decode step of a small random Llama: decode_step/llama_small/ctx:<C>/threads:<T>.
// The model (hidden 512, 8 layers, 8 query heads / 4 kv heads of 64, SwiGLU 1408, vocab
// 8192, separate lm_head; ~23M parameters, 92 MB f32) is written once as config.json +
// model.safetensors into a temporary directory and loaded with models::load_llama_hf, so the
// bench measures the real path (memory-mapped weights, RoPE, GQA, KV cache). Each iteration
// decodes one token at position C against a cache holding C earlier tokens and then rolls
// the cache back (truncate), so every iteration sees the same context. The cached keys and
// values are random: the cost of a step does not depend on their values, and filling them
// directly avoids a C-token prefill. Counter `tok/s`: decoded tokens per second.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/io/safetensors_writer.hpp"
#include "tessera/models/llama_hf.hpp"

namespace {

constexpr std::size_t hidden = 512, layers = 8, heads = 8, kv_heads = 4, inner = 1408, vocab = 8192;
constexpr std::size_t max_ctx = 2048;

// Random weights (std 1/√fan_in, norms near 1) written as an HF Llama checkpoint.
std::filesystem::path write_model() {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / "tessera_bench_llama_small";
    fs::create_directories(dir);
    std::ofstream(dir / "config.json") << R"({"model_type": "llama", "vocab_size": 8192, "hidden_size": 512,
        "intermediate_size": 1408, "num_hidden_layers": 8, "num_attention_heads": 8, "num_key_value_heads": 4,
        "max_position_embeddings": 4096, "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "hidden_act": "silu",
        "tie_word_embeddings": false})";
    std::mt19937 rng(7);
    std::vector<std::pair<std::string, tessera::tensor<float>>> w;
    const auto add = [&](const std::string& name, tessera::shape s, float scale, float offset = 0.0f) {
        tessera::tensor<float> t(s);
        std::normal_distribution<float> nd(offset, scale);
        for (float& x : t.span()) x = nd(rng);
        w.emplace_back(name, std::move(t));
    };
    const std::size_t hd = hidden / heads, q = heads * hd, kv = kv_heads * hd;
    const float s_in = 1.0f / std::sqrt(float(hidden)), s_inner = 1.0f / std::sqrt(float(inner));
    add("model.embed_tokens.weight", {vocab, hidden}, 1.0f);
    for (std::size_t l = 0; l < layers; ++l) {
        const std::string b = "model.layers." + std::to_string(l) + ".";
        add(b + "input_layernorm.weight", {hidden}, 0.1f, 1.0f);
        add(b + "post_attention_layernorm.weight", {hidden}, 0.1f, 1.0f);
        add(b + "self_attn.q_proj.weight", {q, hidden}, s_in);
        add(b + "self_attn.k_proj.weight", {kv, hidden}, s_in);
        add(b + "self_attn.v_proj.weight", {kv, hidden}, s_in);
        add(b + "self_attn.o_proj.weight", {hidden, q}, s_in);
        add(b + "mlp.gate_proj.weight", {inner, hidden}, s_in);
        add(b + "mlp.up_proj.weight", {inner, hidden}, s_in);
        add(b + "mlp.down_proj.weight", {hidden, inner}, s_inner);
    }
    add("model.norm.weight", {hidden}, 0.1f, 1.0f);
    add("lm_head.weight", {vocab, hidden}, s_in);
    std::vector<tessera::io::safetensors_tensor_ref> refs;
    for (const auto& [name, t] : w) refs.emplace_back(name, t);
    tessera::io::save_safetensors(dir / "model.safetensors", refs, {{"format", "pt"}});
    return dir;
}

const tessera::models::causal_lm& model() {
    static const tessera::models::causal_lm m = tessera::models::load_llama_hf(write_model());
    return m;
}

void bm_decode_step(benchmark::State& s, std::size_t ctx, int threads) {
    const tessera::models::causal_lm& m = model();
    std::unique_ptr<tessera::thread_pool> pool;
    if (threads > 1) pool = std::make_unique<tessera::thread_pool>(threads);
    tessera::nn::kv_cache cache = m.make_cache(max_ctx + 1);
    std::mt19937 rng(3);
    std::normal_distribution<float> nd;
    for (std::size_t l = 0; l < m.n_layers(); ++l) {
        for (float& x : cache.keys(l, 0, ctx).span()) x = nd(rng);
        for (float& x : cache.values(l, 0, ctx).span()) x = nd(rng);
    }
    cache.advance(ctx);
    tessera::nn::workspace ws;
    tessera::tensor<float> logits(tessera::shape{1, 1, m.vocab_size()});
    const std::int32_t token = 42;
    for (auto _ : s) {
        m.forward_cached(std::span(&token, 1), cache, {.logits = logits.view()}, ws, pool.get());
        cache.truncate(ctx);
        benchmark::DoNotOptimize(logits.data());
        benchmark::ClobberMemory();
    }
    s.counters["tok/s"] = benchmark::Counter(double(s.iterations()), benchmark::Counter::kIsRate);
}

const int registered = [] {
    for (std::size_t ctx : {0, 512, 2048})
        for (int t : {1, 2})
            benchmark::RegisterBenchmark(
                ("decode_step/llama_small/ctx:" + std::to_string(ctx) + "/threads:" + std::to_string(t)).c_str(),
                bm_decode_step, ctx, t)
                ->UseRealTime();
    return 0;
}();

}  // namespace
