// Gemma 3 from GGUF: the SentencePiece tokenizer mode (text/bpe.hpp, text/spm_merges.hpp),
// sliding-window attention (ops/attention.hpp) and the gemma3 decoder (models/llama.hpp).
//  * sentencepiece merges on small hand-made vocabularies (expected ids worked out by hand
//    from llama.cpp's algorithm): scores pick the merge, ties go left, stale candidates are
//    skipped, byte fallback, the space prefix, added tokens, invalid UTF-8, decoding,
//    streaming; GGUF loading and its errors;
//  * sliding-window attention equals the same window given as an additive −inf mask, bitwise,
//    and a row decoded alone equals the row inside a batch;
//  * the real gemma-3-270m Q4_K_M file (skipped with a message when absent), against
//    llama.cpp (tools/reference/make_gemma_goldens.py -> tests/golden/gemma3_*.json):
//    - token ids of every sample question and passage and of edge cases (emoji, invalid
//      UTF-8, runs of spaces, special-token text), with and without BOS and special parsing:
//      all identical;
//    - logits at the last prompt position and along greedy 32-token continuations: max
//      |Δlogit| over llama.cpp's top-5 reported and bounded, the same top-1 wherever
//      llama.cpp's own margin exceeds its approximation error, how many continuations are
//      identical (reported, loosely bounded);
//    - the same positions against an exact fp32 numpy forward of the dequantized weights
//      (tools/reference/gemma_numpy_ref.py -> tests/golden/gemma3_exact.json): same top-1,
//      max |Δlogit| small, for the default precision and for f32;
//    - a prompt longer than the 512-token window (the sliding-window layers matter);
//    - prefill in any batch size == incremental decoding, bitwise; thread-count independence.
#include <doctest/doctest.h>

#include "kind_of.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "decoder_fixture.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/generate/generate.hpp"
#include "tessera/io/gguf_writer.hpp"
#include "tessera/io/model_cache.hpp"
#include "tessera/models/llama.hpp"
#include "tessera/ops/attention.hpp"
#include "tessera/text/bpe_gguf.hpp"
#include "tessera/text/detokenizer.hpp"

using namespace tessera;
namespace fs = std::filesystem;
using ids_t = std::vector<std::int32_t>;

using tessera::testing::kind_of;

namespace {

// A small sentencepiece vocabulary: 0 <unk> (unknown), 1 <s>, 2 </s> (control), 3..258 the
// byte tokens <0x00>..<0xFF>, then the pieces below, then "\n\n" (user-defined).
constexpr std::int32_t byte_id(unsigned b) { return 3 + std::int32_t(b); }
struct piece {
    const char* text;
    float score;
};
constexpr piece pieces[] = {
    {"\xE2\x96\x81", -1.0f},                 // 259 ▁
    {"a", -2.0f},                            // 260
    {"b", -2.0f},                            // 261
    {"c", -2.0f},                            // 262
    {"ab", -3.0f},                           // 263
    {"bc", -2.5f},                           // 264 (beats "ab")
    {"abc", -4.0f},                          // 265
    {"aa", -3.0f},                           // 266
    {"\xE2\x96\x81" "a", -1.5f},             // 267 ▁a
    {"\xE2\x96\x81" "ab", -3.5f},            // 268 ▁ab
    {"\xE4\xB8\xAD", -5.0f},                 // 269 中
    {"d", -2.0f},                            // 270
    {"cd", -2.5f},                           // 271 (ties "bc")
};
constexpr std::int32_t first_piece = 259, newline2 = 259 + std::int32_t(std::size(pieces));

text::bpe_tokenizer small_spm(bool space_prefix) {
    text::bpe_spec s;
    s.source = "small spm";
    s.model = text::bpe_model::sentencepiece;
    s.add_space_prefix = space_prefix;
    const auto add = [&](std::string t, text::token_kind k, float score) {
        s.tokens.push_back(std::move(t));
        s.kinds.push_back(k);
        s.scores.push_back(score);
    };
    add("<unk>", text::token_kind::unknown, 0);
    add("<s>", text::token_kind::control, 0);
    add("</s>", text::token_kind::control, 0);
    static constexpr char hex[] = "0123456789ABCDEF";
    for (unsigned b = 0; b < 256; ++b) add(std::string("<0x") + hex[b >> 4] + hex[b & 15] + ">", text::token_kind::byte, 0);
    for (const piece& p : pieces) add(p.text, text::token_kind::normal, p.score);
    add("\n\n", text::token_kind::user_defined, 0);
    s.bos_id = 1;
    s.eos_id = 2;
    s.prefix_ids = {1};
    return text::bpe_tokenizer(std::move(s));
}

ids_t enc(const text::bpe_tokenizer& t, std::string_view s, bool bos = false, bool special = false) {
    return t.encode(s, {.add_special_tokens = bos, .parse_special = special});
}

}  // namespace

TEST_CASE("sentencepiece merges: highest score first, ties leftmost, stale pairs skipped") {
    const auto t = small_spm(false);
    const std::int32_t a = 260, b = 261, c = 262, ab = 263, bc = 264, abc = 265, aa = 266, d = 270, cd = 271;
    CHECK(enc(t, "ab") == ids_t{ab});
    // "bc" (-2.5) beats "ab" (-3): b+c first, then a+bc = "abc"; the queued a+b is stale.
    CHECK(enc(t, "abc") == ids_t{abc});
    // No "abcd": "bc" and "cd" tie at -2.5, the left one wins; "a"+"bc" -> "abc", "d" stays.
    CHECK(enc(t, "abcd") == ids_t{abc, d});
    CHECK(enc(t, "bcd") == ids_t{bc, d});
    CHECK(enc(t, "cdab") == ids_t{cd, ab});
    // Ties between equal pairs: leftmost first.
    CHECK(enc(t, "aaa") == ids_t{aa, a});
    CHECK(enc(t, "aaaa") == ids_t{aa, aa});
    CHECK(enc(t, "ba") == ids_t{b, a});
    CHECK(enc(t, "c") == ids_t{c});
    // Spaces become ▁ (no prefix in this tokenizer): "a b" = a ▁ b; "▁a" merges first.
    CHECK(enc(t, "a b") == ids_t{a, first_piece, b});
    CHECK(enc(t, " ab") == ids_t{268});
    CHECK(enc(t, "") == ids_t{});
    CHECK(enc(t, "", true) == ids_t{1});
    CHECK(enc(t, "ab", true) == ids_t{1, ab});
}

TEST_CASE("sentencepiece: byte fallback, invalid UTF-8 kept as bytes, space prefix, added tokens") {
    const auto t = small_spm(true);
    // The prefix: "ab" is "▁ab" (one token).
    CHECK(enc(t, "ab") == ids_t{268});
    CHECK(enc(t, "a b") == ids_t{267, first_piece, 261});
    // Characters missing from the vocabulary: their UTF-8 bytes as byte tokens.
    CHECK(enc(t, "é") == ids_t{first_piece, byte_id(0xC3), byte_id(0xA9)});
    CHECK(enc(t, "中") == ids_t{first_piece, 269});
    // Invalid UTF-8 is not replaced: llama.cpp's symbol for lead byte E4 spans 3 bytes
    // ("\xE4" "a" "b"), which is no token, so all three come out as bytes.
    CHECK(enc(t, "\xE4" "ab") == ids_t{first_piece, byte_id(0xE4), byte_id('a'), byte_id('b')});
    CHECK(enc(t, "a\xFF") == ids_t{267, byte_id(0xFF)});
    // User-defined tokens are always split out; each fragment gets its own prefix.
    CHECK(enc(t, "a\n\nb") == ids_t{267, newline2, first_piece, 261});
    // Control tokens only with parse_special; otherwise their text is bytes like any other.
    const ids_t literal = enc(t, "<s>");
    CHECK(literal == ids_t{first_piece, byte_id('<'), byte_id('s'), byte_id('>')});
    CHECK(enc(t, "<s>", false, true) == ids_t{1});
    CHECK(enc(t, "a<s>", false, true) == ids_t{267, 1});
}

TEST_CASE("sentencepiece decoding: ▁ is a space, byte tokens are bytes, streaming never splits a character") {
    const auto t = small_spm(true);
    CHECK(t.decode(ids_t{268, first_piece, 261}) == " ab b");
    CHECK(t.decode(ids_t{first_piece, byte_id(0xC3), byte_id(0xA9)}) == " é");
    CHECK(t.decode(ids_t{1, 267, newline2, 2}) == "<s> a\n\n</s>");
    CHECK(t.decode(ids_t{1, 267, 2}, true) == " a");
    CHECK(t.decode(ids_t{byte_id(0xE4)}) == "\xEF\xBF\xBD");  // an incomplete character: U+FFFD
    CHECK(t.token_bytes(first_piece) == " ");
    // Round trip of valid text (plus the prefix space).
    for (const char* s : {"ab abc", "中 é aaa", "a  c"}) CHECK(t.decode(enc(t, s)) == std::string(" ") + s);
    text::incremental_detokenizer d(t);
    CHECK(d.push(first_piece) == " ");
    CHECK(d.push(byte_id(0xC3)).empty());
    CHECK(d.pending_bytes() == 1);
    CHECK(d.push(byte_id(0xA9)) == "é");
    CHECK(d.push(269) == "中");
    CHECK(d.finish().empty());
}

TEST_CASE("sentencepiece from GGUF metadata: defaults and named errors") {
    using io::gguf_kv;
    const auto base = [] {
        return std::vector<gguf_kv>{
            {"tokenizer.ggml.model", std::string("llama")},
            {"tokenizer.ggml.tokens", std::vector<std::string>{"<unk>", "<s>", "</s>", "\xE2\x96\x81", "a", "\xE2\x96\x81" "a"}},
            {"tokenizer.ggml.scores", std::vector<float>{0, 0, 0, -1, -2, -1.5f}},
            {"tokenizer.ggml.token_type", std::vector<std::int32_t>{2, 3, 3, 1, 1, 1}},
            {"tokenizer.ggml.bos_token_id", std::uint32_t(1)},
            {"tokenizer.ggml.eos_token_id", std::uint32_t(2)},
        };
    };
    const fs::path path = fs::temp_directory_path() / ("tessera_test_gemma_" + std::to_string(::getpid()) + ".gguf");
    const auto load = [&](const std::vector<gguf_kv>& kv) {
        io::save_gguf(path.string(), kv, {});
        const auto f = io::gguf_file::open(path.string());
        return text::bpe_from_gguf(f);
    };
    const auto tok = load(base());
    CHECK(tok.model() == text::bpe_model::sentencepiece);
    CHECK(tok.encode("a") == ids_t{1, 5});  // llama.cpp's SPM defaults: add BOS, add the space prefix
    CHECK(tok.score(5) == -1.5f);
    auto kv = base();
    kv.push_back({"tokenizer.ggml.add_space_prefix", false});
    kv.push_back({"tokenizer.ggml.add_bos_token", false});
    CHECK(load(kv).encode("a") == ids_t{4});
    const auto with = [&](const std::string& key, io::gguf_value v) {
        auto e = base();
        bool found = false;
        for (auto& x : e)
            if (x.key == key) x.value = v, found = true;
        if (!found) e.push_back({key, std::move(v)});
        return kind_of([&] { load(e); });
    };
    CHECK(with("tokenizer.ggml.scores", std::vector<float>{0, 0}) == error_kind::inconsistent);
    CHECK(with("tokenizer.ggml.scores", std::vector<std::int32_t>{0, 0, 0, 0, 0, 0}) == error_kind::inconsistent);
    CHECK(with("tokenizer.ggml.token_type", std::vector<std::int32_t>{2, 3, 3, 1, 1, 8}) == error_kind::malformed);
    CHECK(with("tokenizer.ggml.bos_token_id", std::uint32_t(6)) == error_kind::out_of_range);
    CHECK(with("tokenizer.ggml.tokens", std::vector<std::string>{"<unk>", "<s>", "</s>", "a", "a", "b"}) ==
          error_kind::duplicate);
    CHECK(with("tokenizer.ggml.model", std::string("ugm")) == error_kind::unsupported);
    fs::remove(path);
}

TEST_CASE("sliding-window attention equals the window as an additive mask, bitwise; rows are independent") {
    const std::size_t n_heads = 4, n_kv_heads = 1, d = 32, window = 20, pos0 = 150, n_q = 70;
    const std::size_t n_kv = pos0 + n_q;
    std::mt19937 rng(5);
    std::normal_distribution<float> dist;
    tensor<float> q(shape{n_q, n_heads, d}), k(shape{n_kv, n_kv_heads, d}), v(shape{n_kv, n_kv_heads, d});
    for (auto* t : {&q, &k, &v})
        for (std::size_t i = 0; i < t->numel(); ++i) t->data()[i] = dist(rng);
    tensor<float> mask(shape{n_q, n_kv});
    for (std::size_t i = 0; i < n_q; ++i)
        for (std::size_t j = 0; j < n_kv; ++j)
            mask(i, j) = (pos0 + i - j < window || j > pos0 + i) ? 0.0f : -std::numeric_limits<float>::infinity();
    ops::attention_options w;
    w.causal = true;
    w.q_pos0 = pos0;
    w.window = window;
    ops::attention_options m = w;
    m.window = 0;
    m.additive_mask = mask.view();
    tensor<float> o1(shape{n_q, n_heads, d}), o2(shape{n_q, n_heads, d}), o3(shape{1, n_heads, d});
    thread_pool pool(3);
    ops::attention(q.view(), k.view(), v.view(), o1.view(), w, &pool);
    ops::attention(q.view(), k.view(), v.view(), o2.view(), m);
    CHECK(std::memcmp(o1.data(), o2.data(), o1.numel() * sizeof(float)) == 0);
    for (std::size_t i : {0u, 1u, 33u, 69u}) {  // one row alone, as in decoding
        ops::attention_options one = w;
        one.q_pos0 = pos0 + i;
        ops::attention(q.view().slice(0, i, i + 1), k.view().slice(0, 0, pos0 + i + 1), v.view().slice(0, 0, pos0 + i + 1),
                       o3.view(), one);
        CHECK(std::memcmp(o3.data(), o1.data() + i * n_heads * d, n_heads * d * sizeof(float)) == 0);
    }
    // A window as large as the context changes nothing.
    w.window = n_kv;
    m.additive_mask = {};
    ops::attention(q.view(), k.view(), v.view(), o1.view(), w);
    ops::attention(q.view(), k.view(), v.view(), o2.view(), m);
    CHECK(std::memcmp(o1.data(), o2.data(), o1.numel() * sizeof(float)) == 0);
    ops::attention_options bad;
    bad.window = 4;  // without causal
    CHECK(kind_of([&] { ops::attention(q.view(), k.view(), v.view(), o1.view(), bad); }) == error_kind::invalid_argument);
}

// ---- the real model -------------------------------------------------------------------------

namespace {

fs::path model_path() { return io::multilingual_decoder_file(); }

#define REQUIRE_MODEL(m) TESSERA_REQUIRE_DECODER(m, model_path())

nlohmann::json golden(const char* name) {
    const fs::path p = fs::path(__FILE__).parent_path() / "golden" / name;
    std::ifstream in(p);
    REQUIRE_MESSAGE(in.good(), "missing golden file " << p.string());
    return nlohmann::json::parse(in);
}

std::string from_hex(const std::string& h) {
    std::string out;
    for (std::size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(char(std::stoi(h.substr(i, 2), nullptr, 16)));
    return out;
}

std::size_t argmax(std::span<const float> v) { return std::size_t(std::max_element(v.begin(), v.end()) - v.begin()); }

}  // namespace

TEST_CASE("Gemma 3 270M loads: gemma3 config, sliding-window layers, tensor types, sentencepiece tokenizer") {
    REQUIRE_MODEL(m);
    const auto& c = m->config();
    CHECK(c.arch == models::architecture::gemma3);
    CHECK(c.n_layers == 18);
    CHECK(c.hidden_size == 640);
    CHECK(c.n_heads == 4);
    CHECK(c.n_kv_heads == 1);
    CHECK(c.head_dim == 256);
    CHECK(c.intermediate_size == 2048);
    CHECK(c.vocab_size == 262144);
    CHECK(c.sliding_window == 512);
    CHECK(c.sliding_window_pattern == 6);
    CHECK(c.rope_theta == 1e6);
    CHECK(c.rope_local_theta == 10000.0);
    CHECK(c.query_pre_attn_scalar == 256.0);
    CHECK(c.tie_word_embeddings);
    for (std::size_t l = 0; l < c.n_layers; ++l) CHECK(m->layers()[l].local == ((l + 1) % 6 != 0));
    CHECK(m->rope().layout == ops::rope_layout::half_split);
    CHECK(m->features().embed_scale == std::sqrt(640.0f));
    CHECK(m->layers()[0].wq.type == ops::ggml_type::q5_0);
    CHECK(m->layers()[0].wo.type == ops::ggml_type::q4_k);
    CHECK(m->layers()[0].down.type == ops::ggml_type::q6_k);
    CHECK(m->embedding().type == ops::ggml_type::q8_0);
    REQUIRE(m->has_tokenizer());
    CHECK(m->tokenizer().model() == text::bpe_model::sentencepiece);
    CHECK_FALSE(text::gguf_chat_template(m->file()).has_value());  // the base model: no chat template
    MESSAGE("weights streamed per token: " << m->weight_bytes_per_token() << " bytes; kernel "
                                           << std::string(ops::quant_kernel_name()));
}

TEST_CASE("Gemma tokenizer: ids identical to llama.cpp on questions, passages and edge cases") {
    REQUIRE_MODEL(m);
    const auto g = golden("gemma3_tokenizer.json");
    const auto& tok = m->tokenizer();
    const std::int32_t bos = g["bos"];
    std::size_t n = 0, same = 0;
    for (const auto& c : g["cases"]) {
        const std::string text = from_hex(c["hex"]);
        CAPTURE(c["hex"].get<std::string>());
        const ids_t ids = c["ids"];
        ids_t with_bos = c.contains("ids_bos") ? c["ids_bos"].get<ids_t>() : ids_t{};
        if (!c.contains("ids_bos")) {
            with_bos.push_back(bos);
            with_bos.insert(with_bos.end(), ids.begin(), ids.end());
        }
        const ids_t special = c.contains("ids_special") ? c["ids_special"].get<ids_t>() : ids;
        const ids_t a = enc(tok, text), b = enc(tok, text, true), s = enc(tok, text, false, true);
        CHECK(a == ids);
        CHECK(b == with_bos);
        CHECK(s == special);
        n += 3;
        same += (a == ids) + (b == with_bos) + (s == special);
    }
    MESSAGE("tokenizer: " << same << " / " << n << " id sequences identical to llama.cpp (" << g["cases"].size()
                          << " texts x {plain, BOS, parse_special})");
    CHECK(same == n);
}

// llama.cpp is the reference implementation, not the exact result: it quantizes activations
// to 8 bits per 32 (Q8_0) or per 256 values (Q8_K: the Q4_K and Q6_K matmuls), stores K/V as
// f16 and reads GELU from an f16 table. Against the exact fp32 forward of the same weights
// (tools/reference/gemma_numpy_ref.py) its logits move by up to ~0.45 on these prompts, while
// tessera's (two-term 8-bit activations, error <= d/512 per value) stay within a few
// hundredths (next test case). So a top-1 can only be required to agree where llama.cpp's
// own margin between its first and second choice is larger than its error: 0.5.
constexpr double llama_cpp_margin = 0.5;

TEST_CASE("Gemma logits and greedy continuations against llama.cpp") {
    REQUIRE_MODEL(m);
    const auto g = golden("gemma3_logits.json");
    thread_pool pool(2);
    std::size_t identical = 0, prompts = 0, compared = 0, top1_same = 0, clear = 0, clear_same = 0;
    double max_d = 0;
    // One position: |Δ| over llama.cpp's top-5, and the top-1 where llama.cpp's margin is clear.
    const auto compare = [&](std::span<const float> logits, const nlohmann::json& top) {
        ++compared;
        const auto ours = std::int32_t(argmax(logits));
        const bool same = ours == top[0][0].get<std::int32_t>();
        top1_same += same;
        for (const auto& e : top) max_d = std::max(max_d, std::fabs(double(logits[e[0].get<std::size_t>()]) - e[1].get<double>()));
        if (top[0][1].get<double>() - top[1][1].get<double>() > llama_cpp_margin) {
            ++clear;
            clear_same += same;
            CHECK_MESSAGE(same, "top-1 differs from llama.cpp where its margin is clear");
        }
    };
    for (const auto& p : g["prompts"]) {
        const std::string text = p["text"], lang = p["lang"];
        CAPTURE(lang);
        const ids_t prompt = p["prompt_ids"];
        CHECK(m->tokenizer().encode(text) == prompt);
        const ids_t ref_greedy = p["greedy_ids"];
        models::llama_session s(*m, prompt.size() + ref_greedy.size() + 1);
        std::span<const float> logits = s.prefill(prompt, &pool);
        compare(logits, p["top"]);
        // Greedy: ours, compared with llama.cpp's position by position while the paths agree.
        ids_t gen;
        for (std::size_t t = 0; t < ref_greedy.size(); ++t) {
            const auto id = std::int32_t(argmax(logits));
            gen.push_back(id);
            if (id != ref_greedy[t]) break;
            logits = s.decode(id, &pool);
            compare(logits, p["greedy_top"][t]);  // llama.cpp's logits after the same token
        }
        ++prompts;
        identical += gen == ref_greedy;
        if (gen != ref_greedy)
            MESSAGE("[" << lang << "] greedy differs from llama.cpp at generated token " << gen.size() - 1 << " of "
                        << ref_greedy.size() << ": tessera " << gen.back() << ", llama.cpp " << ref_greedy[gen.size() - 1]);
    }
    MESSAGE("greedy identical to llama.cpp on " << identical << " / " << prompts << " prompts; top-1 equal at "
                                                << top1_same << " / " << compared << " positions (last prompt position "
                                                << "and along the shared greedy paths), at " << clear_same << " / "
                                                << clear << " where llama.cpp's margin > " << llama_cpp_margin
                                                << "; max |dlogit| over llama.cpp's top-5 = " << max_d);
    // |Δ| <= llama.cpp's error against the exact result (<= ~0.45 measured at the last prompt
    // positions, more along long greedy paths) + tessera's (<= ~0.05).
    CHECK(max_d < 1.0);
    // Every position where the greedy paths part is among those compared (the logits before
    // the differing token), so this also says each parting happened at one of llama.cpp's
    // near-ties; how many continuations stay identical is reported, not required.
    CHECK(clear_same == clear);
    CHECK(clear * 10 >= compared * 7);  // the margin rule leaves most positions checked
}

TEST_CASE("Gemma logits against the exact fp32 forward (numpy, dequantized weights)") {
    REQUIRE_MODEL(m);
    const auto g = golden("gemma3_logits.json");
    const auto x = golden("gemma3_exact.json");
    REQUIRE(x["prompts"].size() == g["prompts"].size());
    thread_pool pool(2);
    for (const auto prec : {models::matmul_precision::q8_fine, models::matmul_precision::f32, models::matmul_precision::q8}) {
        double max_d = 0, max_d_llama = 0;
        std::size_t same = 0;
        for (std::size_t i = 0; i < g["prompts"].size(); ++i) {
            const ids_t prompt = g["prompts"][i]["prompt_ids"];
            const auto& exact = x["prompts"][i]["top"];
            REQUIRE(x["prompts"][i]["n_prompt_ids"].get<std::size_t>() == prompt.size());
            models::llama_session s(*m, prompt.size(), 512, prec);
            const std::span<const float> logits = s.prefill(prompt, &pool);
            same += std::int32_t(argmax(logits)) == exact[0][0].get<std::int32_t>();
            for (const auto& e : exact) max_d = std::max(max_d, std::fabs(double(logits[e[0].get<std::size_t>()]) - e[1].get<double>()));
            for (const auto& e : g["prompts"][i]["top"]) {  // llama.cpp against the exact result, for the report
                for (const auto& f : exact)
                    if (f[0] == e[0]) max_d_llama = std::max(max_d_llama, std::fabs(e[1].get<double>() - f[1].get<double>()));
            }
        }
        const std::string name = prec == models::matmul_precision::f32 ? "f32" : prec == models::matmul_precision::q8 ? "q8" : "q8_fine";
        MESSAGE("tessera (" << name << ") vs exact fp32: top-1 equal on " << same << " / " << g["prompts"].size()
                            << " prompts, max |dlogit| over the exact top-20 = " << max_d
                            << " (llama.cpp vs exact over its top-5: " << max_d_llama << ")");
        if (prec == models::matmul_precision::q8) continue;  // reported only (plain 8-bit activations)
        CHECK(same == g["prompts"].size());
        // f32: the same arithmetic up to summation order and GELU/exp kernels; q8_fine adds
        // the two-term activation rounding (<= d/512 per value).
        CHECK(max_d < (prec == models::matmul_precision::f32 ? 0.02 : 0.1));
    }
}

TEST_CASE("Gemma: batch size, incremental decoding and threads never change a number" * doctest::test_suite("concurrency")) {
    REQUIRE_MODEL(m);
    const auto g = golden("gemma3_logits.json");
    const auto& last = g["prompts"].back();  // the long prompt (> 512 tokens: local layers slide)
    const ids_t ids = last["prompt_ids"];
    REQUIRE(ids.size() > 512);
    const std::size_t V = m->config().vocab_size;
    thread_pool pool(2);
    models::llama_session one(*m, ids.size() + 1);  // one batch of max_batch 512, then the rest
    const std::span<const float> l1 = one.prefill(ids, &pool);
    const std::vector<float> ref(l1.begin(), l1.end());
    models::llama_session chunked(*m, ids.size() + 1, 100);
    const std::span<const float> l2 = chunked.prefill(std::span<const std::int32_t>(ids).first(ids.size() - 3), nullptr);
    (void)l2;
    chunked.decode(ids[ids.size() - 3]);
    chunked.decode(ids[ids.size() - 2], &pool);
    const std::span<const float> l3 = chunked.decode(ids.back(), &pool);
    CHECK(std::memcmp(l3.data(), ref.data(), V * sizeof(float)) == 0);
    // The exact forward's top-1 at the end of the long prompt (llama.cpp's two best are
    // 0.02 apart there; see above).
    CHECK(std::int32_t(argmax(l3)) == golden("gemma3_exact.json")["prompts"].back()["top"][0][0].get<std::int32_t>());
}
