// nn/: layers against PyTorch goldens (norms, FFNs, nn.MultiheadAttention,
// TransformerEncoderLayer, TransformerDecoderLayer), incremental decoding through the KV
// cache against full causal passes, padded batches against single sequences, bitwise
// determinism over thread counts, and the error paths (shapes, ids, context overflow).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "golden/attention/goldens.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/nn/cross_attention_block.hpp"
#include "tessera/nn/decoder_block.hpp"
#include "tessera/nn/embedding.hpp"
#include "tessera/nn/encoder_block.hpp"
#include "tessera/nn/feed_forward.hpp"
#include "tessera/nn/kv_cache.hpp"
#include "tessera/nn/layer_norm.hpp"
#include "tessera/nn/linear.hpp"
#include "tessera/nn/multi_head_attention.hpp"
#include "tessera/nn/rms_norm.hpp"
#include "tessera/nn/workspace.hpp"

using namespace tessera;

namespace {

// Golden tensors by name, kept alive for the layers' views.
struct golden_weights {
    std::map<std::string, tensor<float>> held;
    tensor_view<const float> operator()(const std::string& name) {
        auto it = held.find(name);
        if (it == held.end()) it = held.emplace(name, golden::store::get()(name)).first;
        return it->second.view();
    }
};

tensor<float> randn(const shape& s, std::uint32_t seed, float scale = 1.0f) {
    tensor<float> t(s);
    std::mt19937 rng(seed);
    std::normal_distribution<float> nd(0.0f, scale);
    for (float& x : t.span()) x = nd(rng);
    return t;
}

std::vector<std::uint8_t> mask_from(tensor_view<const float> m) {
    std::vector<std::uint8_t> out(m.numel());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = m.data()[i] != 0.0f;
    return out;
}

double max_abs_diff(tensor_view<const float> a, tensor_view<const float> b) { return golden::compare(a, b).max_abs; }

bool bitwise_equal(const tensor<float>& a, const tensor<float>& b) {
    return a.dims() == b.dims() && std::memcmp(a.data(), b.data(), a.numel() * sizeof(float)) == 0;
}

// torch.nn.MultiheadAttention weights -> a fused multi_head_attention.
nn::multi_head_attention torch_mha(golden_weights& w, const std::string& p, std::size_t hidden, std::size_t heads,
                                   bool causal) {
    nn::attention_config cfg;
    cfg.hidden = hidden;
    cfg.n_heads = heads;
    cfg.causal = causal;
    return nn::multi_head_attention::fused(cfg, nn::linear(w(p + ".in_proj_weight"), w(p + ".in_proj_bias")),
                                           nn::linear(w(p + ".out_proj.weight"), w(p + ".out_proj.bias")));
}

nn::layer_norm torch_ln(golden_weights& w, const std::string& p) { return {w(p + ".weight"), w(p + ".bias"), 1e-5f}; }

nn::feed_forward torch_ffn(golden_weights& w, const std::string& p, ops::activation act) {
    return nn::feed_forward::plain(nn::linear(w(p + ".linear1.weight"), w(p + ".linear1.bias")), act,
                                   nn::linear(w(p + ".linear2.weight"), w(p + ".linear2.bias")));
}

// A small random Llama-style (RMSNorm, RoPE, GQA, SwiGLU) or GPT-2-style (LayerNorm, fused
// Conv1D qkv, GELU-tanh) decoder stack with weights it owns.
struct toy_decoder {
    static constexpr std::size_t hidden = 48, heads = 6, kv_heads = 2, head_dim = 8, inner = 96;
    std::vector<std::unique_ptr<tensor<float>>> store;
    std::vector<nn::decoder_block> blocks;

    tensor_view<const float> make(const shape& s, std::uint32_t seed, float scale, float offset = 0.0f) {
        store.push_back(std::make_unique<tensor<float>>(randn(s, seed, scale)));
        for (float& x : store.back()->span()) x += offset;
        return store.back()->view();
    }

    toy_decoder(std::size_t n_layers, bool llama, std::uint32_t seed = 100) {
        for (std::size_t l = 0; l < n_layers; ++l, seed += 20) {
            nn::attention_config cfg;
            cfg.hidden = hidden;
            cfg.n_heads = heads;
            cfg.causal = true;
            const float ws = 0.15f;
            if (llama) {
                cfg.n_kv_heads = kv_heads;
                cfg.head_dim = head_dim;
                ops::rope_config rope;
                rope.head_dim = head_dim;
                rope.theta = 10000.0f;
                cfg.rope = rope;
                nn::multi_head_attention attn(cfg, nn::linear(make({heads * head_dim, hidden}, seed + 1, ws)),
                                              nn::linear(make({kv_heads * head_dim, hidden}, seed + 2, ws)),
                                              nn::linear(make({kv_heads * head_dim, hidden}, seed + 3, ws)),
                                              nn::linear(make({hidden, heads * head_dim}, seed + 4, ws)));
                const auto ffn = nn::feed_forward::swiglu(nn::linear(make({inner, hidden}, seed + 5, ws)),
                                                          nn::linear(make({inner, hidden}, seed + 6, ws)),
                                                          nn::linear(make({hidden, inner}, seed + 7, ws)));
                blocks.emplace_back(attn, nn::rms_norm(make({hidden}, seed + 8, 0.1f, 1.0f)), ffn,
                                    nn::rms_norm(make({hidden}, seed + 9, 0.1f, 1.0f)));
            } else {  // GPT-2: Conv1D weights [in, out], biases everywhere
                const auto attn = nn::multi_head_attention::fused(
                    cfg,
                    nn::linear(make({hidden, 3 * hidden}, seed + 1, ws), make({3 * hidden}, seed + 2, 0.1f),
                               nn::weight_layout::in_out),
                    nn::linear(make({hidden, hidden}, seed + 3, ws), make({hidden}, seed + 4, 0.1f),
                               nn::weight_layout::in_out));
                const auto ffn = nn::feed_forward::plain(
                    nn::linear(make({hidden, inner}, seed + 5, ws), make({inner}, seed + 6, 0.1f),
                               nn::weight_layout::in_out),
                    ops::activation::gelu_tanh,
                    nn::linear(make({inner, hidden}, seed + 7, ws), make({hidden}, seed + 8, 0.1f),
                               nn::weight_layout::in_out));
                blocks.emplace_back(attn,
                                    nn::layer_norm(make({hidden}, seed + 9, 0.1f, 1.0f), make({hidden}, seed + 10, 0.1f)),
                                    ffn,
                                    nn::layer_norm(make({hidden}, seed + 11, 0.1f, 1.0f), make({hidden}, seed + 12, 0.1f)));
            }
        }
    }

    void forward(tensor_view<float> x, const nn::attention_masks& m, nn::workspace& ws, thread_pool* pool = nullptr) const {
        for (const auto& b : blocks) b.forward(x, m, ws, pool);
    }
    void forward_cached(tensor_view<float> x, nn::kv_cache& cache, nn::workspace& ws, thread_pool* pool = nullptr) const {
        for (std::size_t l = 0; l < blocks.size(); ++l) blocks[l].forward_cached(x, cache, l, ws, pool);
        cache.advance(x.extent(0));
    }
};

}  // namespace

// ---- small layers -----------------------------------------------------------------------

TEST_CASE("linear: both weight layouts, bias, fused activation, accumulate; shapes checked") {
    const auto w = randn(shape{5, 3}, 1), b = randn(shape{5}, 2), x = randn(shape{4, 3}, 3);
    tensor<float> wt(shape{3, 5});
    for (std::size_t o = 0; o < 5; ++o)
        for (std::size_t i = 0; i < 3; ++i) wt(i, o) = w(o, i);
    tensor<float> y1(shape{4, 5}), y2(shape{4, 5}, 1.0f);
    nn::linear(w.view(), b.view(), nn::weight_layout::out_in, ops::activation::relu).forward(x.view(), y1.view());
    nn::linear(wt.view(), b.view(), nn::weight_layout::in_out).forward(x.view(), y2.view(), nullptr, true);
    for (std::size_t r = 0; r < 4; ++r)
        for (std::size_t o = 0; o < 5; ++o) {
            double s = b(o);
            for (std::size_t i = 0; i < 3; ++i) s += double(x(r, i)) * w(o, i);
            CHECK(y1(r, o) == doctest::Approx(std::max(s, 0.0)).epsilon(1e-5));
            CHECK(y2(r, o) == doctest::Approx(1.0 + s).epsilon(1e-5));
        }
    const nn::linear l(w.view());
    CHECK(l.in_features() == 3);
    CHECK(l.out_features() == 5);
    tensor<float> bad(shape{4, 4});
    try {
        l.forward(x.view(), bad.view());
        FAIL("no error");
    } catch (const error& e) {
        CHECK(e.kind() == error_kind::invalid_argument);
        CHECK(std::string(e.what()).find("[4, 4]") != std::string::npos);
    }
    CHECK_THROWS_AS(nn::linear(w.view(), randn(shape{4}, 4).view()), error);
}

TEST_CASE("embedding gathers rows and rejects ids outside the vocabulary without writing") {
    const auto table = randn(shape{10, 4}, 5);
    const nn::embedding emb(table.view());
    const std::vector<std::int32_t> ids = {3, 0, 9, 3};
    tensor<float> out(shape{4, 4});
    emb.forward(std::span<const std::int32_t>(ids), out.view());
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t c = 0; c < 4; ++c) CHECK(out(i, c) == table(std::size_t(ids[i]), c));
    for (std::int64_t bad : {std::int64_t(10), std::int64_t(-1)}) {
        const std::vector<std::int64_t> b = {1, bad};
        tensor<float> o(shape{2, 4}, 7.0f);
        try {
            emb.forward(std::span<const std::int64_t>(b), o.view());
            FAIL("no error");
        } catch (const error& e) {
            CHECK(e.kind() == error_kind::out_of_range);
            CHECK(std::string(e.what()).find("index 1") != std::string::npos);
        }
        for (float v : o.span()) CHECK(v == 7.0f);
    }
    const std::vector<std::uint32_t> u = {10};
    tensor<float> o1(shape{1, 4});
    CHECK_THROWS_AS(emb.forward(std::span<const std::uint32_t>(u), o1.view()), error);
}

TEST_CASE("LayerNorm and RMSNorm vs PyTorch") {
    golden_weights g;
    const auto x = g("norm.x");
    tensor<float> out(x.dims());
    nn::layer_norm(g("norm.gamma"), g("norm.beta"), 1e-5f).forward(x, out.view());
    golden::check("LayerNorm [5, 48]", out.view(), g("norm.layer"));
    nn::rms_norm(g("norm.gamma"), 1e-6f).forward(x, out.view());
    golden::check("RMSNorm (Llama) [5, 48]", out.view(), g("norm.rms"));
    CHECK_THROWS_AS(nn::rms_norm(g("norm.gamma"), 0.0f), error);
    tensor<float> wrong(shape{5, 47});
    CHECK_THROWS_AS(nn::rms_norm(g("norm.gamma")).forward(wrong.view(), wrong.view()), error);
}

TEST_CASE("feed-forward GELU (erf, tanh), ReLU and SwiGLU vs PyTorch") {
    golden_weights g;
    nn::workspace ws;
    const auto x = g("ffn.x");
    tensor<float> out(x.dims());
    const nn::linear up(g("ffn.w1"), g("ffn.b1")), down(g("ffn.w2"), g("ffn.b2"));
    const std::pair<ops::activation, const char*> acts[] = {
        {ops::activation::gelu_erf, "ffn.gelu"}, {ops::activation::gelu_tanh, "ffn.gelu_tanh"}, {ops::activation::relu, "ffn.relu"}};
    for (const auto& [act, name] : acts) {
        nn::feed_forward::plain(up, act, down).forward(x, out.view(), ws);
        golden::check(name, out.view(), g(name));
    }
    nn::feed_forward::swiglu(nn::linear(g("ffn.wg")), nn::linear(g("ffn.wu")), nn::linear(g("ffn.wd")))
        .forward(x, out.view(), ws);
    golden::check("ffn.swiglu", out.view(), g("ffn.swiglu"));
    CHECK_THROWS_AS(nn::feed_forward::plain(up, ops::activation::relu, up), error);
}

// ---- attention layers vs torch ----------------------------------------------------------

TEST_CASE("multi_head_attention vs torch.nn.MultiheadAttention: plain, padding, causal, cross") {
    golden_weights g;
    nn::workspace ws;
    const auto x = g("mha.x");  // [2, 7, 32]
    const auto plain = torch_mha(g, "mha", 32, 4, false), causal = torch_mha(g, "mha", 32, 4, true);
    std::vector<std::uint8_t> pad(14, 1);
    for (std::size_t j = 4; j < 7; ++j) pad[7 + j] = 0;  // lengths 7 and 4
    tensor<float> out(x.dims());

    plain.forward(x, out.view(), {}, ws);
    golden::check("MHA plain", out.view(), g("mha.out_plain"));
    plain.forward(x, out.view(), {.key_padding = pad}, ws);
    golden::check("MHA key padding", out.view(), g("mha.out_padded"));
    causal.forward(x, out.view(), {}, ws);
    golden::check("MHA causal", out.view(), g("mha.out_causal"));
    causal.forward(x, out.view(), {.key_padding = pad}, ws);
    golden::check("MHA causal + key padding", out.view(), g("mha.out_causal_padded"));

    std::vector<std::uint8_t> mpad(10, 1);
    for (std::size_t j = 3; j < 5; ++j) mpad[5 + j] = 0;  // lengths 5 and 3
    const auto mem = plain.project_memory(g("mha.memory"));
    plain.forward_cross(x, mem, out.view(), mpad, ws);
    golden::check("MHA cross attention + padding", out.view(), g("mha.out_cross"));

    // An additive mask equal to the causal one gives the result of causal = true (to
    // rounding: the non-causal module runs ops::bidirectional_attention, the causal one
    // ops::attention, which sum in different orders).
    tensor<float> add(shape{7, 7});
    for (std::size_t i = 0; i < 7; ++i)
        for (std::size_t j = i + 1; j < 7; ++j) add(i, j) = -INFINITY;
    tensor<float> out2(x.dims());
    plain.forward(x, out2.view(), {.additive = add.view()}, ws);
    causal.forward(x, out.view(), {}, ws);
    const golden::figures f = golden::compare(out2.view(), out.view());
    CHECK(f.max_abs <= 1e-6 * f.scale);
    golden::check("MHA additive causal mask", out2.view(), g("mha.out_causal"));
}

TEST_CASE("multi_head_attention rejects weights that do not fit its configuration") {
    golden_weights g;
    nn::attention_config cfg;
    cfg.hidden = 32;
    cfg.n_heads = 4;
    cfg.n_kv_heads = 3;  // does not divide 4
    CHECK_NOTHROW(torch_mha(g, "mha", 32, 4, false));
    CHECK_THROWS_AS(nn::multi_head_attention::fused(cfg, nn::linear(g("mha.in_proj_weight")),
                                                    nn::linear(g("mha.out_proj.weight"))),
                    error);
    cfg.n_kv_heads = 4;
    cfg.hidden = 40;
    try {
        nn::multi_head_attention::fused(cfg, nn::linear(g("mha.in_proj_weight")), nn::linear(g("mha.out_proj.weight")));
        FAIL("no error");
    } catch (const error& e) {
        CHECK(e.kind() == error_kind::invalid_argument);
    }
    cfg.hidden = 32;
    const auto m = nn::multi_head_attention::fused(cfg, nn::linear(g("mha.in_proj_weight")),
                                                   nn::linear(g("mha.out_proj.weight")));
    nn::workspace ws;
    tensor<float> x(shape{2, 3, 32}), out(shape{2, 3, 31});
    CHECK_THROWS_AS(m.forward(x.view(), out.view(), {}, ws), error);
    std::vector<std::uint8_t> short_pad(5, 1);
    tensor<float> out_ok(shape{2, 3, 32});
    CHECK_THROWS_AS(m.forward(x.view(), out_ok.view(), {.key_padding = short_pad}, ws), error);
}

TEST_CASE("encoder_block vs torch.nn.TransformerEncoderLayer (post-norm GELU; pre-norm ReLU) with padding") {
    golden_weights g;
    nn::workspace ws;
    const auto pad = mask_from(g("enc.key_padding"));
    for (const auto& [tag, act, norm_first] :
         {std::tuple{"gelu", ops::activation::gelu_erf, false}, std::tuple{"relu_prenorm", ops::activation::relu, true}}) {
        const std::string p = std::string("enc.") + tag;
        const nn::encoder_block block(torch_mha(g, p + ".self_attn", 32, 4, false), torch_ln(g, p + ".norm1"),
                                      torch_ffn(g, p, act), torch_ln(g, p + ".norm2"), norm_first);
        tensor<float> x = tensor<float>::from_view(g("enc.x"));
        block.forward(x.view(), {.key_padding = pad}, ws);
        golden::check("TransformerEncoderLayer " + std::string(tag), x.view(), g(p + ".out"));
    }
}

TEST_CASE("cross_attention_block vs torch.nn.TransformerDecoderLayer (post-norm, causal, memory padding)") {
    golden_weights g;
    nn::workspace ws;
    const nn::cross_attention_block block(torch_mha(g, "dec.self_attn", 32, 4, true), torch_ln(g, "dec.norm1"),
                                          torch_mha(g, "dec.multihead_attn", 32, 4, false), torch_ln(g, "dec.norm2"),
                                          torch_ffn(g, "dec", ops::activation::relu), torch_ln(g, "dec.norm3"));
    const auto mpad = mask_from(g("dec.memory_padding"));
    const auto mem = block.project_memory(g("dec.memory"));
    tensor<float> x = tensor<float>::from_view(g("dec.tgt"));
    block.forward(x.view(), mem, {}, mpad, ws);
    golden::check("TransformerDecoderLayer", x.view(), g("dec.out"));

    // Incremental decoding through the KV cache gives the same rows.
    tensor<float> y = tensor<float>::from_view(g("dec.tgt"));
    nn::kv_cache c0(1, 8, 4, 8), c1(1, 8, 4, 8);
    nn::kv_cache* caches[] = {&c0, &c1};
    for (std::size_t t = 0; t < 5; ++t) {
        tensor<float> step(shape{2, 1, 32});
        for (std::size_t b = 0; b < 2; ++b)
            for (std::size_t c = 0; c < 32; ++c) step(b, 0, c) = y(b, t, c);
        block.forward_cached(step.view(), caches, 0, mem, mpad, ws);
        c0.advance(1);
        c1.advance(1);
        for (std::size_t b = 0; b < 2; ++b)
            for (std::size_t c = 0; c < 32; ++c) y(b, t, c) = step(b, 0, c);
    }
    const double d = max_abs_diff(y.view(), x.view());
    MESSAGE("TransformerDecoderLayer incremental vs full: max|d| " << d);
    CHECK(d <= 1e-5);
}

// ---- KV cache, batches, threads ---------------------------------------------------------

TEST_CASE("incremental decoding through the KV cache equals a full causal pass (Llama- and GPT-2-style)") {
    for (bool llama : {true, false}) {
        CAPTURE(llama);
        const toy_decoder dec(3, llama);
        nn::workspace ws;
        const std::size_t n = 21;
        const auto x0 = randn(shape{n, toy_decoder::hidden}, 7);
        tensor<float> full = x0;
        dec.forward(full.view(), {}, ws);

        // Prefill 8 tokens, then one at a time, then a chunk of 4.
        nn::kv_cache cache(dec.blocks.size(), 32, llama ? toy_decoder::kv_heads : toy_decoder::heads,
                           llama ? toy_decoder::head_dim : toy_decoder::hidden / toy_decoder::heads);
        tensor<float> inc = x0;
        std::size_t pos = 0;
        for (std::size_t len : {8, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4}) {
            tensor_view<float> chunk = inc.view().slice(0, pos, pos + len);
            dec.forward_cached(chunk, cache, ws);
            pos += len;
        }
        CHECK(cache.size() == n);
        const double d = max_abs_diff(inc.view(), full.view());
        MESSAGE((llama ? "Llama-style" : "GPT-2-style") << " 3-layer decoder, incremental vs full: max|d| " << d);
        CHECK(d <= 1e-5);
    }
}

TEST_CASE("kv_cache: capacity, context_overflow before writing, truncate, size caps") {
    const toy_decoder dec(1, true);
    nn::workspace ws;
    nn::kv_cache cache(1, 6, toy_decoder::kv_heads, toy_decoder::head_dim);
    auto x = randn(shape{4, toy_decoder::hidden}, 9);
    dec.forward_cached(x.view(), cache, ws);
    CHECK(cache.size() == 4);
    auto y = randn(shape{3, toy_decoder::hidden}, 10);
    const tensor<float> y0 = y;
    try {
        dec.forward_cached(y.view(), cache, ws);
        FAIL("no error");
    } catch (const error& e) {
        CHECK(e.kind() == error_kind::context_overflow);
    }
    CHECK(bitwise_equal(y, y0));  // nothing written
    CHECK(cache.size() == 4);
    cache.truncate(2);
    CHECK(cache.size() == 2);
    CHECK_THROWS_AS(cache.truncate(3), error);
    CHECK_THROWS_AS(cache.advance(5), error);
    CHECK_THROWS_AS(nn::kv_cache(1, 1000, 1, 1000, 1000), error);                      // over the byte cap
    CHECK_THROWS_AS(nn::kv_cache(SIZE_MAX / 2, SIZE_MAX / 2, 4, 4), error);            // size overflows
    CHECK_THROWS_AS(nn::kv_cache(1, 0, 1, 1), error);
    nn::kv_cache wrong(1, 8, 3, toy_decoder::head_dim);
    CHECK_THROWS_AS(dec.forward_cached(x.view(), wrong, ws), error);
}

TEST_CASE("batched decoding with one cache per sequence at different positions equals separate runs") {
    const toy_decoder dec(2, true);
    nn::workspace ws;
    const auto a = randn(shape{6, toy_decoder::hidden}, 11), b = randn(shape{3, toy_decoder::hidden}, 12);
    nn::kv_cache ca(2, 16, 2, 8), cb(2, 16, 2, 8), sa(2, 16, 2, 8), sb(2, 16, 2, 8);
    tensor<float> a1 = a, b1 = b;
    dec.forward_cached(a1.view(), ca, ws);  // prompts of different lengths
    dec.forward_cached(b1.view(), cb, ws);
    tensor<float> a2 = a, b2 = b;
    dec.forward_cached(a2.view(), sa, ws);
    dec.forward_cached(b2.view(), sb, ws);
    // One new token for each, batched, vs one at a time.
    const auto next = randn(shape{2, 1, toy_decoder::hidden}, 13);
    tensor<float> batched = next;
    nn::kv_cache* caches[] = {&ca, &cb};
    for (std::size_t l = 0; l < dec.blocks.size(); ++l) dec.blocks[l].forward_cached(batched.view(), caches, l, ws);
    for (std::size_t s = 0; s < 2; ++s) {
        tensor<float> one = tensor<float>::from_view(next.view()[s]);
        dec.forward_cached(one.view(), s == 0 ? sa : sb, ws);
        CHECK(max_abs_diff(one.view(), batched.view()[s]) <= 1e-5);
    }
}

TEST_CASE("a padded batch gives the same rows as each sequence alone (encoder and decoder)") {
    golden_weights g;
    nn::workspace ws;
    const nn::encoder_block enc(torch_mha(g, "enc.gelu.self_attn", 32, 4, false), torch_ln(g, "enc.gelu.norm1"),
                                torch_ffn(g, "enc.gelu", ops::activation::gelu_erf), torch_ln(g, "enc.gelu.norm2"));
    const toy_decoder dec(2, true);
    const std::size_t lens[] = {6, 4};
    for (bool decoder : {false, true}) {
        CAPTURE(decoder);
        const std::size_t h = decoder ? toy_decoder::hidden : 32;
        auto batch = randn(shape{2, 6, h}, 21);
        const tensor<float> input = batch;
        std::vector<std::uint8_t> pad(12, 1);
        pad[6 + 4] = pad[6 + 5] = 0;
        if (decoder)
            dec.forward(batch.view(), {.key_padding = pad}, ws);
        else
            enc.forward(batch.view(), {.key_padding = pad}, ws);
        double worst = 0;
        for (std::size_t s = 0; s < 2; ++s) {
            tensor<float> one = tensor<float>::from_view(input.view()[s].slice(0, 0, lens[s]));
            if (decoder)
                dec.forward(one.view(), {}, ws);
            else
                enc.forward(one.view(), {}, ws);
            worst = std::max(worst, max_abs_diff(one.view(), batch.view()[s].slice(0, 0, lens[s])));
        }
        MESSAGE((decoder ? "decoder" : "encoder") << " padded batch vs single sequences: max|d| " << worst);
        CHECK(worst <= 1e-5);
    }
}

TEST_CASE("blocks give bitwise identical results for 1, 2 and 3 threads") {
    golden_weights g;
    const toy_decoder dec(2, true);
    const nn::cross_attention_block xblock(torch_mha(g, "dec.self_attn", 32, 4, true), torch_ln(g, "dec.norm1"),
                                           torch_mha(g, "dec.multihead_attn", 32, 4, false), torch_ln(g, "dec.norm2"),
                                           torch_ffn(g, "dec", ops::activation::relu), torch_ln(g, "dec.norm3"));
    const auto x0 = randn(shape{2, 70, toy_decoder::hidden}, 31);
    const auto t0 = randn(shape{2, 40, 32}, 32), m0 = randn(shape{2, 50, 32}, 33);
    tensor<float> ref_dec, ref_x;
    for (std::size_t threads : {1u, 2u, 3u}) {
        thread_pool pool(threads);
        nn::workspace ws;
        tensor<float> x = x0, t = t0;
        dec.forward(x.view(), {}, ws, &pool);
        const auto mem = xblock.project_memory(m0.view(), &pool);
        xblock.forward(t.view(), mem, {}, {}, ws, &pool);
        if (threads == 1) {
            ref_dec = x;
            ref_x = t;
        } else {
            CHECK_MESSAGE(bitwise_equal(x, ref_dec), threads << " threads, decoder");
            CHECK_MESSAGE(bitwise_equal(t, ref_x), threads << " threads, cross-attention block");
        }
    }
}

TEST_CASE("workspace: frames release, peak is tracked, a repeated call allocates nothing new") {
    nn::workspace ws;
    {
        nn::workspace::frame f(ws);
        auto a = ws.take(shape{100});
        auto b = ws.take(shape{10000});
        CHECK(reinterpret_cast<std::uintptr_t>(a.data()) % 64 == 0);
        CHECK(reinterpret_cast<std::uintptr_t>(b.data()) % 64 == 0);
        CHECK((a.data() + 100 <= b.data() || b.data() + 10000 <= a.data()));  // disjoint
    }
    CHECK(ws.peak_bytes() >= 10100 * sizeof(float));
    const toy_decoder dec(2, true);
    auto x = randn(shape{30, toy_decoder::hidden}, 41);
    dec.forward(x.view(), {}, ws);
    const std::size_t reserved = ws.reserved_bytes();
    dec.forward(x.view(), {}, ws);
    CHECK(ws.reserved_bytes() == reserved);
}
