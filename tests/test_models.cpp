// Models against PyTorch / transformers goldens (tools/reference/make_model_goldens.py):
// GPT-2, Llama (linear and llama3 RoPE scaling, GQA, tied and separate heads) and the
// torch.nn.Transformer encoder-decoder with greedy and beam search. Also: KV-cache decoding
// equals the full forward, padded batches equal single runs, results are bitwise the same
// for 1, 2 and 3 threads, and bad configs give the documented errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "golden/attention/goldens.hpp"  // golden::check (NMSE and max |Δ| vs scale, printed)
#include "tessera/core/thread_pool.hpp"
#include "tessera/io/safetensors.hpp"
#include "tessera/models/gpt2.hpp"
#include "tessera/models/llama_hf.hpp"
#include "tessera/models/transformer.hpp"

using namespace tessera;
namespace fs = std::filesystem;

namespace {

const fs::path golden_dir = fs::path(__FILE__).parent_path() / "golden" / "models";

struct batch_input {
    std::vector<std::int32_t> ids;
    std::vector<std::uint8_t> mask;
    std::vector<std::size_t> lengths;
    std::size_t batch = 0, seq = 0;

    std::vector<std::int32_t> row(std::size_t b) const {
        return {ids.begin() + std::ptrdiff_t(b * seq), ids.begin() + std::ptrdiff_t(b * seq + lengths[b])};
    }
};

batch_input read_batch(const io::safetensors_file& g, const std::string& ids_name, const std::string& mask_name) {
    const tensor<std::int32_t> ids = g.load<std::int32_t>(ids_name), mask = g.load<std::int32_t>(mask_name);
    batch_input in;
    in.batch = ids.extent(0);
    in.seq = ids.extent(1);
    in.ids.assign(ids.data(), ids.data() + ids.numel());
    for (std::size_t i = 0; i < mask.numel(); ++i) in.mask.push_back(mask.data()[i] != 0);
    for (std::size_t b = 0; b < in.batch; ++b) {
        std::size_t n = 0;
        for (std::size_t i = 0; i < in.seq; ++i) n += in.mask[b * in.seq + i];
        in.lengths.push_back(n);
    }
    return in;
}

// The rows of t [batch, seq, x] at positions < lengths[b]: [Σ lengths, x].
tensor<float> valid_rows(tensor_view<const float> t, const std::vector<std::size_t>& lengths) {
    std::size_t n = 0;
    for (std::size_t l : lengths) n += l;
    tensor<float> out(shape{n, t.extent(2)});
    std::size_t r = 0;
    for (std::size_t b = 0; b < lengths.size(); ++b)
        for (std::size_t i = 0; i < lengths[b]; ++i, ++r)
            for (std::size_t c = 0; c < t.extent(2); ++c) out(r, c) = t(b, i, c);
    return out;
}

double max_abs_diff(tensor_view<const float> a, tensor_view<const float> b) {
    REQUIRE(a.dims() == b.dims());
    const tensor<float> x = tensor<float>::from_view(a), y = tensor<float>::from_view(b);
    double m = 0;
    for (std::size_t i = 0; i < x.numel(); ++i) {
        const double d = std::fabs(double(x.data()[i]) - double(y.data()[i]));
        m = d == d ? std::max(m, d) : INFINITY;
    }
    return m;
}

void report(const std::string& what, double d, double bound) {
    char line[200];
    std::snprintf(line, sizeof line, "%-44s max|d| %.3e (bound %.0e)", what.c_str(), d, bound);
    MESSAGE(line);
    CHECK_MESSAGE(d <= bound, what);
}

bool bitwise_equal(const tensor<float>& a, const tensor<float>& b) {
    return a.dims() == b.dims() && std::memcmp(a.data(), b.data(), a.numel() * sizeof(float)) == 0;
}

models::causal_lm load_decoder(const std::string& name) {
    const fs::path dir = golden_dir / name;
    return name == "gpt2" ? models::load_gpt2(dir) : models::load_llama_hf(dir);
}

// The whole decoder-only suite for one golden model.
void check_decoder(const std::string& name) {
    const models::causal_lm model = load_decoder(name);
    const io::safetensors_file g((golden_dir / name / "goldens.safetensors").string());
    const batch_input in = read_batch(g, "ids", "mask");
    const std::size_t B = in.batch, S = in.seq, V = model.vocab_size(), H = model.hidden_size();
    nn::workspace ws;

    // 1. Padded batch against transformers, component by component.
    tensor<float> logits(shape{B, S, V}), hidden(shape{B, S, H});
    std::vector<tensor<float>> states;
    model.forward(in.ids, B, in.mask, {.logits = logits.view(), .hidden = hidden.view(), .layer_states = &states}, ws);
    REQUIRE(states.size() == model.n_layers() + 1);
    golden::check(name + " emb", valid_rows(states[0].view(), in.lengths).view(),
                  valid_rows(g.load_f32("emb").view(), in.lengths).view());
    for (std::size_t l = 0; l < model.n_layers(); ++l)
        golden::check(name + " layer." + std::to_string(l), valid_rows(states[l + 1].view(), in.lengths).view(),
                      valid_rows(g.load_f32("layer." + std::to_string(l)).view(), in.lengths).view());
    golden::check(name + " hidden", valid_rows(hidden.view(), in.lengths).view(),
                  valid_rows(g.load_f32("hidden").view(), in.lengths).view());
    golden::check(name + " logits", valid_rows(logits.view(), in.lengths).view(),
                  valid_rows(g.load_f32("logits").view(), in.lengths).view());

    // 2. Each row alone (no padding, no mask) equals its rows in the padded batch.
    std::vector<tensor<float>> single(B);
    double pad_diff = 0;
    for (std::size_t b = 0; b < B; ++b) {
        const std::vector<std::int32_t> ids = in.row(b);
        single[b] = tensor<float>(shape{1, ids.size(), V});
        model.forward(ids, 1, {}, {.logits = single[b].view()}, ws);
        pad_diff = std::max(pad_diff,
                            max_abs_diff(single[b].view(), logits.view().slice(0, b, b + 1).slice(1, 0, ids.size())));
    }
    report(name + " padded batch vs single runs", pad_diff, 1e-5);

    // 3. KV cache: a 5-token prefill, then one token at a time, equals the full forward.
    {
        const std::vector<std::int32_t> ids = in.row(0);
        nn::kv_cache cache = model.make_cache(S);
        tensor<float> step(shape{1, ids.size(), V});
        model.forward_cached(std::span(ids).first(5), cache, {.logits = step.view().slice(1, 0, 5)}, ws);
        for (std::size_t i = 5; i < ids.size(); ++i)
            model.forward_cached(std::span(ids).subspan(i, 1), cache, {.logits = step.view().slice(1, i, i + 1)}, ws);
        CHECK(cache.size() == ids.size());
        report(name + " kv-cache decoding vs full forward", max_abs_diff(step.view(), single[0].view()), 1e-5);
        // logits_last_only equals the last row of the full logits (up to the GEMM's path:
        // a few rows go through dot products, many through the packed kernel).
        tensor<float> last(shape{B, 1, V});
        model.forward(in.ids, B, in.mask, {.logits = last.view(), .logits_last_only = true}, ws);
        double d = 0;
        for (std::size_t b = 0; b < B; ++b)
            d = std::max(d, max_abs_diff(last.view().slice(0, b, b + 1),
                                         logits.view().slice(0, b, b + 1).slice(1, in.lengths[b] - 1, in.lengths[b])));
        report(name + " logits_last_only vs full logits", d, 1e-5);
    }

    // 4. A batched decode step over caches at different positions (rows 0 and 1 prefilled
    //    to lengths 9 and 4) equals the single runs at those positions.
    {
        const std::vector<std::int32_t> r0 = in.row(0), r1 = in.row(1);
        nn::kv_cache c0 = model.make_cache(S), c1 = model.make_cache(S);
        model.forward_cached(std::span(r0).first(9), c0, {}, ws);
        model.forward_cached(std::span(r1).first(4), c1, {}, ws);
        const std::vector<std::int32_t> next = {r0[9], r1[4]};
        nn::kv_cache* caches[] = {&c0, &c1};
        tensor<float> out(shape{2, 1, V});
        model.forward_cached(next, caches, {.logits = out.view()}, ws);
        const double d = std::max(max_abs_diff(out.view().slice(0, 0, 1), single[0].view().slice(1, 9, 10)),
                                  max_abs_diff(out.view().slice(0, 1, 2), single[1].view().slice(1, 4, 5)));
        report(name + " batched step at positions 9 and 4", d, 1e-5);
        CHECK(c0.size() == 10);
        CHECK(c1.size() == 5);
        // A cache that is full refuses more tokens and stays as it was.
        nn::kv_cache tiny = model.make_cache(2);
        CHECK_THROWS_AS(model.forward_cached(std::span(r0).first(3), tiny, {}, ws), error);
        CHECK(tiny.size() == 0);
    }

    // 5. The same logits, bit for bit, for 1, 2 and 3 threads.
    {
        std::vector<tensor<float>> runs;
        for (std::size_t threads : {1, 2, 3}) {
            thread_pool pool(threads);
            tensor<float> l(shape{B, S, V});
            model.forward(in.ids, B, in.mask, {.logits = l.view()}, ws, &pool);
            runs.push_back(std::move(l));
        }
        CHECK(bitwise_equal(runs[0], runs[1]));
        CHECK(bitwise_equal(runs[0], runs[2]));
        CHECK(bitwise_equal(runs[0], logits));
    }
}

std::string read_text(const fs::path& p) {
    std::ifstream f(p);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

// A copy of golden model `name` in a temporary directory with config.json text replaced.
fs::path model_with_config(const std::string& name, const std::string& from, const std::string& to) {
    const fs::path dir = fs::temp_directory_path() / ("tessera_test_models_" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    fs::copy_file(golden_dir / name / "model.safetensors", dir / "model.safetensors");
    std::string cfg = read_text(golden_dir / name / "config.json");
    const auto at = cfg.find(from);
    REQUIRE(at != std::string::npos);
    cfg.replace(at, from.size(), to);
    std::ofstream(dir / "config.json") << cfg;
    return dir;
}

error_kind kind_of(const auto& f) {
    try {
        f();
    } catch (const error& e) {
        MESSAGE(std::string(e.what()));
        return e.kind();
    }
    FAIL("no error");
    return error_kind::invalid_argument;
}

}  // namespace

TEST_CASE("gpt2: goldens, padding, kv cache, threads") { check_decoder("gpt2"); }
TEST_CASE("llama_hf linear rope scaling, GQA, tied head") { check_decoder("llama_linear"); }
TEST_CASE("llama_hf llama3 rope scaling, GQA, separate head") { check_decoder("llama3"); }

TEST_CASE("decoder configs that disagree with the weights or are unsupported") {
    CHECK(kind_of([] {
              models::load_llama_hf(
                  model_with_config("llama_linear", "\"intermediate_size\": 72", "\"intermediate_size\": 80"));
          }) == error_kind::inconsistent);
    CHECK(kind_of([] {
              models::load_llama_hf(model_with_config("llama_linear", "\"vocab_size\": 200", "\"vocab_size\": 201"));
          }) == error_kind::inconsistent);
    CHECK(kind_of([] { models::load_llama_hf(model_with_config("llama_linear", "\"linear\"", "\"dynamic\"")); }) ==
          error_kind::unsupported);
    CHECK(kind_of([] { models::load_llama_hf(model_with_config("llama3", "\"low_freq_factor\"", "\"low_freq\"")); }) ==
          error_kind::malformed);
    CHECK(kind_of([] { models::load_llama_hf(model_with_config("llama_linear", "\"silu\"", "\"gelu\"")); }) ==
          error_kind::unsupported);
    CHECK(kind_of([] { models::load_gpt2(model_with_config("gpt2", "\"n_layer\": 2", "\"n_layer\": 3")); }) ==
          error_kind::inconsistent);
    CHECK(kind_of([] { models::load_gpt2(golden_dir / "llama3"); }) == error_kind::unsupported);
    const models::causal_lm gpt2 = models::load_gpt2(golden_dir / "gpt2");
    nn::workspace ws;
    const std::vector<std::int32_t> bad = {1, 300};
    CHECK(kind_of([&] { gpt2.forward(bad, 1, {}, {}, ws); }) == error_kind::out_of_range);
    const std::vector<std::int32_t> long_ids(65, 1);  // n_positions = 64
    CHECK(kind_of([&] { gpt2.forward(long_ids, 1, {}, {}, ws); }) == error_kind::context_overflow);
}

namespace {

struct seq2seq_fixture {
    models::transformer model = models::transformer::load(golden_dir / "transformer" / "model.safetensors");
    io::safetensors_file g{(golden_dir / "transformer" / "goldens.safetensors").string()};
    batch_input src = read_batch(g, "src", "src_mask");
    batch_input tgt = read_batch(g, "tgt", "tgt_mask");
    nn::workspace ws;

    tensor<float> run(const batch_input& s, const batch_input& t, thread_pool* pool = nullptr,
                      std::vector<tensor<float>>* enc_states = nullptr,
                      std::vector<tensor<float>>* dec_states = nullptr, tensor<float>* memory = nullptr,
                      tensor<float>* hidden = nullptr) {
        const models::encoded_source e = model.encode(s.ids, s.batch, s.mask, ws, pool, enc_states);
        if (memory) *memory = tensor<float>(e.memory);
        tensor<float> logits(shape{t.batch, t.seq, model.config().tgt_vocab_size});
        tensor<float> h(shape{t.batch, t.seq, model.config().d_model});
        model.decode(t.ids, t.mask, e, {.logits = logits.view(), .hidden = h.view(), .layer_states = dec_states}, ws,
                     pool);
        if (hidden) *hidden = std::move(h);
        return logits;
    }
};

batch_input one_row(const batch_input& in, std::size_t b) {
    batch_input r;
    r.ids = in.row(b);
    r.batch = 1;
    r.seq = r.ids.size();
    r.lengths = {r.seq};
    return r;
}

std::vector<std::int32_t> ints(const io::safetensors_file& g, const std::string& name) {
    const tensor<std::int32_t> t = g.load<std::int32_t>(name);
    return {t.data(), t.data() + t.numel()};
}

}  // namespace

TEST_CASE("transformer: encoder-decoder goldens against torch.nn.Transformer") {
    seq2seq_fixture f;
    std::vector<tensor<float>> enc, dec;
    tensor<float> memory, hidden;
    const tensor<float> logits = f.run(f.src, f.tgt, nullptr, &enc, &dec, &memory, &hidden);
    const auto& cfg = f.model.config();
    REQUIRE(enc.size() == cfg.n_encoder_layers + 1);
    REQUIRE(dec.size() == cfg.n_decoder_layers + 1);
    const auto cmp = [&](const std::string& what, const tensor<float>& got, const std::string& name,
                         const std::vector<std::size_t>& lengths) {
        golden::check("transformer " + what, valid_rows(got.view(), lengths).view(),
                      valid_rows(f.g.load_f32(name).view(), lengths).view());
    };
    cmp("enc.emb", enc[0], "enc.emb", f.src.lengths);
    for (std::size_t l = 0; l < cfg.n_encoder_layers; ++l)
        cmp("enc.layer." + std::to_string(l), enc[l + 1], "enc.layer." + std::to_string(l), f.src.lengths);
    cmp("memory (encoder.norm)", memory, "memory", f.src.lengths);
    cmp("dec.emb", dec[0], "dec.emb", f.tgt.lengths);
    for (std::size_t l = 0; l < cfg.n_decoder_layers; ++l)
        cmp("dec.layer." + std::to_string(l), dec[l + 1], "dec.layer." + std::to_string(l), f.tgt.lengths);
    cmp("dec.out (decoder.norm)", hidden, "dec.out", f.tgt.lengths);
    cmp("logits", logits, "logits", f.tgt.lengths);

    // Padded batch == each pair alone.
    double d = 0;
    for (std::size_t b = 0; b < f.src.batch; ++b) {
        const tensor<float> one = f.run(one_row(f.src, b), one_row(f.tgt, b));
        d = std::max(d, max_abs_diff(one.view(), logits.view().slice(0, b, b + 1).slice(1, 0, f.tgt.lengths[b])));
    }
    report("transformer padded batch vs single runs", d, 1e-5);

    // Incremental decoding through the self-attention caches == the teacher-forced decoder.
    {
        const batch_input s = one_row(f.src, 0), t = one_row(f.tgt, 0);
        const tensor<float> full = f.run(s, t);
        const models::encoded_source e = f.model.encode(s.ids, 1, {}, f.ws);
        nn::kv_cache cache = f.model.make_cache(t.seq);
        nn::kv_cache* caches[] = {&cache};
        tensor<float> step(shape{1, t.seq, cfg.tgt_vocab_size});
        for (std::size_t i = 0; i < t.seq; ++i)
            f.model.decode_cached(std::span(t.ids).subspan(i, 1), caches, e, step.view().slice(1, i, i + 1), f.ws);
        report("transformer kv-cache decoding vs full decode", max_abs_diff(step.view(), full.view()), 1e-5);
    }

    // Bitwise equal for 1, 2 and 3 threads.
    std::vector<tensor<float>> runs;
    for (std::size_t threads : {1, 2, 3}) {
        thread_pool pool(threads);
        runs.push_back(f.run(f.src, f.tgt, &pool));
    }
    CHECK(bitwise_equal(runs[0], runs[1]));
    CHECK(bitwise_equal(runs[0], runs[2]));
    CHECK(bitwise_equal(runs[0], logits));
}

TEST_CASE("transformer: greedy and beam search match the reference") {
    seq2seq_fixture f;
    for (std::size_t k = 0; k < f.src.batch; ++k) {
        const std::vector<std::int32_t> src = f.src.row(k);
        const auto greedy = f.model.greedy(src, 12, f.ws);
        CHECK_MESSAGE(greedy == ints(f.g, "greedy." + std::to_string(k)), "greedy ", k);
        for (const auto& [w, a, tag] :
             {std::tuple{3, 0.7, "w3.a0.7"}, std::tuple{2, 0.0, "w2.a0"}, std::tuple{4, 1.0, "w4.a1"}}) {
            const std::string key = "beam." + std::to_string(k) + "." + tag;
            const auto hyps =
                f.model.beam_search(src, {.width = std::size_t(w), .length_penalty = a, .max_new = 12}, f.ws);
            REQUIRE(!hyps.empty());
            CHECK_MESSAGE(hyps[0].tokens == ints(f.g, key), key);
            const double want = f.g.load_f32(key + ".score").data()[0];
            CHECK_MESSAGE(std::fabs(hyps[0].score - want) <= 1e-5 * std::max(1.0, std::fabs(want)), key);
            for (std::size_t i = 1; i < hyps.size(); ++i) CHECK(hyps[i - 1].score >= hyps[i].score);
        }
    }
    // Same tokens for 1, 2 and 3 threads.
    const std::vector<std::int32_t> src = f.src.row(1);
    std::vector<std::vector<std::int32_t>> outs;
    for (std::size_t threads : {1, 2, 3}) {
        thread_pool pool(threads);
        outs.push_back(
            f.model.beam_search(src, {.width = 3, .length_penalty = 0.7, .max_new = 12}, f.ws, &pool)[0].tokens);
    }
    CHECK(outs[0] == outs[1]);
    CHECK(outs[0] == outs[2]);
    // Arguments the search cannot use.
    CHECK(kind_of([&] { f.model.beam_search(src, {.width = 24}, f.ws); }) == error_kind::invalid_argument);
    CHECK(kind_of([&] { f.model.greedy(src, 4, f.ws, nullptr, 99); }) == error_kind::out_of_range);
}

TEST_CASE("transformer_config from __metadata__: errors") {
    io::safetensors_metadata m = {{"d_model", "32"},           {"nhead", "4"},
                                  {"num_encoder_layers", "2"}, {"num_decoder_layers", "2"},
                                  {"dim_feedforward", "64"},   {"vocab_size", "24"}};
    CHECK(models::transformer_config::from_metadata(m, "m").n_heads == 4);
    auto bad = m;
    bad["nhead"] = "5";
    CHECK(kind_of([&] { models::transformer_config::from_metadata(bad, "m"); }) == error_kind::inconsistent);
    bad = m;
    bad.erase("d_model");
    CHECK(kind_of([&] { models::transformer_config::from_metadata(bad, "m"); }) == error_kind::malformed);
    bad = m;
    bad["dim_feedforward"] = "-3";
    CHECK(kind_of([&] { models::transformer_config::from_metadata(bad, "m"); }) == error_kind::malformed);
    bad = m;
    bad["num_encoder_layers"] = "0";
    CHECK(kind_of([&] { models::transformer_config::from_metadata(bad, "m"); }) == error_kind::out_of_range);
    bad = m;
    bad["eos_token_id"] = "24";
    CHECK(kind_of([&] { models::transformer_config::from_metadata(bad, "m"); }) == error_kind::out_of_range);
    // Shapes in the file that disagree with the metadata.
    auto cfg = models::transformer_config::from_metadata(m, "m");
    cfg.dim_feedforward = 48;
    CHECK(kind_of([&] {
              models::transformer(
                  cfg, std::make_unique<models::safetensors_weights>(golden_dir / "transformer" / "model.safetensors"));
          }) == error_kind::inconsistent);
}
