// Llama decoder from GGUF (models/llama.hpp).
//  * RoPE layout: llama.cpp's Q/K row permutation + interleaved RoPE == HF's half-split RoPE
//    on the unpermuted rows (the identity the GGUF path relies on);
//  * the real SmolLM2-135M-Instruct Q4_1 file (skipped with a message when absent):
//    - greedy continuations against tests/golden/llama/smollm2_greedy.jsonl (transformers,
//      fp32 dequantized GGUF): identical on >= 90% of the prompts, and the same top-1 at
//      every compared (teacher-forced) position on all of them; max |Δlogit| over the
//      reference's top-5 is reported;
//    - KV-cache incremental decoding == one full forward, bitwise, and batch size independent;
//    - two sessions on one model from two threads == the same work done serially;
//    - errors: ids outside the vocabulary, context overflow (session unchanged).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "decoder_fixture.hpp"
#include "tessera/io/model_cache.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/models/llama.hpp"
#include "tessera/ops/positional.hpp"
#include "tessera/text/chat_template.hpp"

using namespace tessera;
namespace fs = std::filesystem;

namespace {

fs::path model_path() {
    return tessera::io::default_decoder_file();
}

#define REQUIRE_MODEL(m) TESSERA_REQUIRE_DECODER(m, model_path())

std::size_t argmax(std::span<const float> v) {
    return std::size_t(std::max_element(v.begin(), v.end()) - v.begin());
}

struct golden_prompt {
    std::string lang, text;
    bool chat = false;
    std::vector<std::int32_t> prompt_ids, greedy_ids;
    std::vector<std::vector<std::pair<std::int32_t, float>>> top;  // per position: 5 × (id, logit)
};

std::vector<golden_prompt> load_goldens() {
    const fs::path p = fs::path(__FILE__).parent_path() / "golden" / "llama" / "smollm2_greedy.jsonl";
    std::ifstream in(p);
    REQUIRE_MESSAGE(in.good(), "missing golden file " << p.string());
    std::vector<golden_prompt> out;
    std::string line;
    while (std::getline(in, line)) {
        const auto j = nlohmann::json::parse(line);
        golden_prompt g;
        g.lang = j["lang"];
        g.text = j["text"];
        g.chat = j["chat"];
        g.prompt_ids = j["prompt_ids"].get<std::vector<std::int32_t>>();
        g.greedy_ids = j["greedy_ids"].get<std::vector<std::int32_t>>();
        for (const auto& pos : j["top"]) {
            std::vector<std::pair<std::int32_t, float>> t;
            for (const auto& e : pos) t.emplace_back(e[0].get<std::int32_t>(), e[1].get<float>());
            g.top.push_back(std::move(t));
        }
        out.push_back(std::move(g));
    }
    return out;
}

}  // namespace

TEST_CASE("GGUF Q/K permutation + interleaved RoPE equals HF half-split RoPE") {
    // llama.cpp's convert permutes each head's rows: HF row (i·hd/2 + j) -> GGUF row 2j + i.
    const std::size_t hd = 64, heads = 3, n = 5;
    std::mt19937 rng(7);
    std::normal_distribution<float> dist;
    tensor<float> hf(shape{n, heads, hd}), gg(shape{n, heads, hd});
    for (std::size_t t = 0; t < n; ++t)
        for (std::size_t h = 0; h < heads; ++h)
            for (std::size_t r = 0; r < hd; ++r) {
                hf(t, h, r) = dist(rng);
                const std::size_t i = r / (hd / 2), j = r % (hd / 2);
                gg(t, h, 2 * j + i) = hf(t, h, r);
            }
    ops::rope_config c;
    c.head_dim = hd;
    c.theta = 100000.0f;
    c.layout = ops::rope_layout::half_split;
    const ops::rope_table th(c, 17, n);
    ops::apply_rope(hf.view(), th);
    c.layout = ops::rope_layout::interleaved;
    const ops::rope_table ti(c, 17, n);
    ops::apply_rope(gg.view(), ti);
    for (std::size_t t = 0; t < n; ++t)
        for (std::size_t h = 0; h < heads; ++h)
            for (std::size_t r = 0; r < hd; ++r) {
                const std::size_t i = r / (hd / 2), j = r % (hd / 2);
                CHECK(gg(t, h, 2 * j + i) == hf(t, h, r));  // same numbers, permuted: q·k unchanged
            }
}

TEST_CASE("SmolLM2 loads: config, tensors, tokenizer") {
    REQUIRE_MODEL(m);
    const auto& c = m->config();
    CHECK(c.n_layers == 30);
    CHECK(c.hidden_size == 576);
    CHECK(c.n_heads == 9);
    CHECK(c.n_kv_heads == 3);
    CHECK(c.head_dim == 64);
    CHECK(c.intermediate_size == 1536);
    CHECK(c.vocab_size == 49152);
    CHECK(c.tie_word_embeddings);
    CHECK(m->embedding().type == ops::ggml_type::q8_0);
    CHECK(m->layers()[0].wq.type == ops::ggml_type::q4_1);
    CHECK(m->has_tokenizer());
    MESSAGE("weights streamed per token: " << m->weight_bytes_per_token() << " bytes; kernel " << std::string(ops::quant_kernel_name()));
}

TEST_CASE("SmolLM2 greedy continuations match the fp32 transformers reference") {
    REQUIRE_MODEL(m);
    const auto goldens = load_goldens();
    REQUIRE(goldens.size() >= 30);
    const auto tmpl = text::parse_chat_template(*text::gguf_chat_template(m->file()));
    thread_pool pool(2);
    std::size_t identical = 0, tokenizer_same = 0, positions = 0, top1_same = 0;
    double max_dlogit = 0;
    for (const auto& g : goldens) {
        CAPTURE(g.text);
        CAPTURE(g.chat);
        // Our tokenizer on the same prompt (reported; the ids fed below are the reference's).
        std::vector<std::int32_t> ours;
        if (g.chat) {
            const text::chat_message msg[] = {{"user", g.text}};
            ours = text::encode_chat(m->tokenizer(), tmpl, msg, true);
        } else {
            ours = m->tokenizer().encode(g.text);
        }
        // transformers' GGUF tokenizer conversion sets add_bos_token, so the reference's raw
        // prompts start with id 1 (<|im_start|>, the file's BOS) where SmolLM2's own tokenizer
        // (and tessera's) adds nothing; compare the rest. The model is fed the golden ids.
        std::span<const std::int32_t> ref_ids = g.prompt_ids;
        if (!g.chat && !ref_ids.empty() && ref_ids.front() == 1) ref_ids = ref_ids.subspan(1);
        tokenizer_same += std::equal(ours.begin(), ours.end(), ref_ids.begin(), ref_ids.end());

        // Greedy, stopping after EOS exactly as the reference did.
        models::llama_session s(*m, 256);
        std::span<const float> logits = s.prefill(g.prompt_ids, &pool);
        std::vector<std::int32_t> gen;
        for (std::size_t t = 0; t < g.greedy_ids.size(); ++t) {
            const auto id = std::int32_t(argmax(logits));
            gen.push_back(id);
            if (t + 1 < g.greedy_ids.size()) logits = s.decode(id, &pool);
        }
        const bool same = gen == g.greedy_ids;
        identical += same;
        if (!same) {
            std::size_t first = 0;
            while (first < gen.size() && gen[first] == g.greedy_ids[first]) ++first;
            MESSAGE("greedy differs from position " << first << " of " << g.greedy_ids.size() << ": " << g.text
                                                    << (g.chat ? " (chat)" : ""));
        }

        // Teacher-forced along the reference: logits at the first top.size() positions.
        models::llama_session f(*m, 256);
        std::vector<std::int32_t> ids = g.prompt_ids;
        ids.insert(ids.end(), g.greedy_ids.begin(), g.greedy_ids.begin() + std::ptrdiff_t(g.top.size() - 1));
        const tensor_view<const float> all = f.forward_all(ids, &pool);
        const std::size_t V = m->config().vocab_size;
        for (std::size_t p = 0; p < g.top.size(); ++p) {
            const float* row = all.data() + (g.prompt_ids.size() - 1 + p) * V;
            const std::size_t a = argmax(std::span<const float>(row, V));
            ++positions;
            top1_same += std::int32_t(a) == g.top[p][0].first;
            CHECK_MESSAGE(std::int32_t(a) == g.top[p][0].first, "top-1 differs at generated position " << p);
            for (const auto& [id, ref] : g.top[p]) max_dlogit = std::max(max_dlogit, std::fabs(double(row[id]) - ref));
        }
    }
    MESSAGE("greedy identical on " << identical << " / " << goldens.size() << " prompts; top-1 equal at " << top1_same
                                   << " / " << positions << " teacher-forced positions; max |dlogit| over the "
                                   << "reference's top-5 = " << max_dlogit << "; tokenizer ids equal to the "
                                   << "reference's on " << tokenizer_same << " / " << goldens.size());
    CHECK(identical * 10 >= goldens.size() * 9);
}

TEST_CASE("weights copied to huge pages (rows grouped) give the same logits as weights used in place") {
    REQUIRE_MODEL(m);
    const auto mapped = models::llama_model::open(model_path().string(), {}, models::weight_placement::mapped);
    CHECK_FALSE(mapped.weights_in_huge_pages());
    CHECK(mapped.output().data >= mapped.file().bytes().data());
    CHECK(m->weights_in_huge_pages() == tessera::transparent_huge_pages_available());
    if (m->weights_in_huge_pages()) {  // the copy is outside the file, the tied embedding with it
        const auto file = m->file().bytes();
        CHECK((m->output().data < file.data() || m->output().data >= file.data() + file.size()));
        CHECK((m->layers()[0].wq.data < file.data() || m->layers()[0].wq.data >= file.data() + file.size()));
        if (m->config().tie_word_embeddings) CHECK(m->embedding().data == m->output().data);
        // Q4_1 layers and the Q8_0 output are regrouped (ops/quant_layout.hpp)
        CHECK(m->layers()[0].wq.layout == ops::quant_layout::grouped);
        CHECK(m->output().layout == ops::quant_layout::grouped);
        CHECK(m->embedding().layout == m->output().layout);
    }
    CHECK(mapped.output().layout == ops::quant_layout::blocks);
    const std::vector<std::int32_t> ids = m->tokenizer().encode("Can I return shoes I have worn once?");
    models::llama_session a(*m, 64), b(mapped, 64);
    const tensor_view<const float> la = a.forward_all(ids), lb = b.forward_all(ids);
    CHECK(std::memcmp(la.data(), lb.data(), la.numel() * sizeof(float)) == 0);
    // and one generated token each (the GEMV path; the embedding row read from the copy)
    thread_pool pool(2);
    const std::span<const float> da = a.decode(ids[3], &pool), db = b.decode(ids[3], &pool);
    REQUIRE(da.size() == db.size());
    CHECK(std::memcmp(da.data(), db.data(), da.size() * sizeof(float)) == 0);
}

TEST_CASE("KV-cache incremental decoding equals one full forward, bitwise") {
    REQUIRE_MODEL(m);
    const std::vector<std::int32_t> ids = m->tokenizer().encode("Where is my order? It has been two weeks and 还没到。");
    REQUIRE(ids.size() > 8);
    const std::size_t V = m->config().vocab_size;
    models::llama_session full(*m, 64);
    const tensor_view<const float> all = full.forward_all(ids);
    std::vector<float> ref(all.data(), all.data() + all.numel());

    thread_pool pool(2);
    models::llama_session inc(*m, 64, 3);  // prefill in batches of 3, then one by one
    const std::size_t split = 5;
    std::span<const float> l = inc.prefill(std::span<const std::int32_t>(ids).first(split), &pool);
    CHECK(std::memcmp(l.data(), ref.data() + (split - 1) * V, V * sizeof(float)) == 0);
    for (std::size_t i = split; i < ids.size(); ++i) {
        l = inc.decode(ids[i], &pool);
        CHECK(std::memcmp(l.data(), ref.data() + i * V, V * sizeof(float)) == 0);
    }
    CHECK(inc.tokens() == ids);
    CHECK(inc.size() == ids.size());

    // Truncate and continue: the same numbers again.
    inc.truncate(split);
    l = inc.decode(ids[split], &pool);
    CHECK(std::memcmp(l.data(), ref.data() + split * V, V * sizeof(float)) == 0);
}

TEST_CASE("two sessions on one model from two threads equal serial runs" * doctest::test_suite("concurrency")) {
    REQUIRE_MODEL(m);
    const std::vector<std::int32_t> a = m->tokenizer().encode("How long do I have to return an item?");
    const std::vector<std::int32_t> b = m->tokenizer().encode("我的订单什么时候发货？");
    const auto run = [&](const std::vector<std::int32_t>& prompt, thread_pool* pool) {
        models::llama_session s(*m, 64);
        std::span<const float> l = s.prefill(prompt, pool);
        std::vector<std::int32_t> out;
        for (int t = 0; t < 12; ++t) {
            out.push_back(std::int32_t(argmax(l)));
            l = s.decode(out.back(), pool);
        }
        out.push_back(std::int32_t(argmax(l)));
        return out;
    };
    const auto sa = run(a, nullptr), sb = run(b, nullptr);
    std::vector<std::int32_t> ta, tb;
    thread_pool pool(2);
    std::thread t1([&] { ta = run(a, &pool); });  // both share one pool: runs queue, results stay the same
    std::thread t2([&] { tb = run(b, nullptr); });
    t1.join();
    t2.join();
    CHECK(ta == sa);
    CHECK(tb == sb);
}

TEST_CASE("llama errors: bad ids and context overflow leave the session unchanged") {
    REQUIRE_MODEL(m);
    models::llama_session s(*m, 8);
    const std::int32_t ids[] = {1, 2, 3};
    s.prefill(ids);
    const std::int32_t bad[] = {5, 49152};
    CHECK_THROWS_AS(s.prefill(bad), tessera::error);
    const std::int32_t neg[] = {-1};
    CHECK_THROWS_AS(s.prefill(neg), tessera::error);
    const std::int32_t many[] = {1, 2, 3, 4, 5, 6};
    try {
        s.prefill(many);
        FAIL("expected context_overflow");
    } catch (const tessera::error& e) {
        CHECK(e.kind() == error_kind::context_overflow);
    }
    CHECK(s.size() == 3);
    CHECK(s.tokens().size() == 3);
}
