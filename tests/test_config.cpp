// models::model_config: HF config.json (BERT, GPT-2, Llama) and GGUF metadata onto one typed
// config; validate() limits and consistency; validate_against() the tensors of a file.
// Tiny models come from tests/hostile/tiny_models.hpp; the real all-MiniLM-L6-v2 and SmolLM2
// files are checked when present ($TESSERA_MODELS or ~/.cache/tessera/models).
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <unistd.h>

#include "hostile/tiny_models.hpp"
#include "tessera/io/model_cache.hpp"
#include "tessera/models/config.hpp"

using namespace tessera;
using namespace tessera::models;
using tessera::testing::ordered_json;
namespace fs = std::filesystem;

namespace {

// "ok" or the error kind; the message goes to *message.
template <class F>
std::string outcome(F&& f, std::string* message = nullptr) {
    try {
        f();
    } catch (const error& e) {
        if (message) *message = e.what();
        return std::string(to_string(e.kind()));
    }
    return "ok";
}

std::string json_outcome(const ordered_json& j, std::string* message = nullptr, const config_limits& lim = {}) {
    return outcome([&] { (void)model_config::from_json(j.dump(), "cfg.json", lim); }, message);
}
std::string text_outcome(const std::string& text, std::string* message = nullptr) {
    return outcome([&] { (void)model_config::from_json(text, "cfg.json"); }, message);
}

template <class Change>
ordered_json changed(ordered_json j, Change&& change) {
    change(j);
    return j;
}

struct temp_dir {
    fs::path path;
    temp_dir() {
        static int n = 0;
        path = fs::temp_directory_path() / ("tessera_cfg_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
        fs::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

fs::path models_dir() {
    return tessera::io::models_dir();
}

std::vector<tensor_desc> listing_of(const model_config& c, bool gguf, const testing::tensor_edit& edit = {}) {
    std::vector<tensor_desc> out;
    for (auto& t : testing::tiny_tensor_list(c, gguf, edit)) out.push_back({t.name, t.dims});
    return out;
}

}  // namespace

TEST_CASE("config.json: BERT, GPT-2 and Llama keys map onto one config") {
    const auto bert = model_config::from_json(testing::tiny_bert_json().dump(), "bert.json");
    CHECK(bert.arch == architecture::bert);
    CHECK(bert.vocab_size == 32);
    CHECK(bert.hidden_size == 8);
    CHECK(bert.n_layers == 2);
    CHECK(bert.n_heads == 2);
    CHECK(bert.n_kv_heads == 2);
    CHECK(bert.head_dim == 4);
    CHECK(bert.intermediate_size == 16);
    CHECK(bert.max_position_embeddings == 16);
    CHECK(bert.type_vocab_size == 2);
    CHECK(bert.norm_eps == 1e-12);
    CHECK(bert.hidden_act == "gelu");
    CHECK(bert.pad_token_id == 0u);

    const auto gpt2 = model_config::from_json(testing::tiny_gpt2_json().dump(), "gpt2.json");
    CHECK(gpt2.arch == architecture::gpt2);
    CHECK(gpt2.hidden_size == 8);
    CHECK(gpt2.intermediate_size == 32);  // n_inner null -> 4 x n_embd
    CHECK(gpt2.max_position_embeddings == 16);
    CHECK(gpt2.norm_eps == 1e-5);
    CHECK(gpt2.tie_word_embeddings);  // GPT2Config default
    CHECK(gpt2.hidden_act == "gelu_new");
    CHECK(gpt2.eos_token_ids == std::vector<std::uint64_t>{0});
    CHECK(model_config::from_json(changed(testing::tiny_gpt2_json(), [](auto& j) { j["n_inner"] = 24; }).dump())
              .intermediate_size == 24);
    CHECK(model_config::from_json(changed(testing::tiny_gpt2_json(), [](auto& j) {
                                      j.erase("n_positions");
                                      j["n_ctx"] = 20;
                                  }).dump())
              .max_position_embeddings == 20);

    const auto llama = model_config::from_json(testing::tiny_llama_json().dump(), "llama.json");
    CHECK(llama.arch == architecture::llama);
    CHECK(llama.n_heads == 4);
    CHECK(llama.n_kv_heads == 2);
    CHECK(llama.head_dim == 8);
    CHECK(llama.rope_dim == 8);
    CHECK(llama.rope_theta == 10000.0);
    CHECK(llama.norm_eps == 1e-5);
    CHECK(llama.tie_word_embeddings);
    CHECK(llama.rope_scaling.type.empty());
    const auto scaled = model_config::from_json(changed(testing::tiny_llama_json(), [](auto& j) {
        j["rope_scaling"] = {{"rope_type", "llama3"}, {"factor", 8.0}};
        j["eos_token_id"] = {2, 3};
        j.erase("num_key_value_heads");
        j["head_dim"] = 16;  // explicit: hidden need not equal heads x head_dim
    }).dump());
    CHECK(scaled.rope_scaling.type == "llama3");
    CHECK(scaled.rope_scaling.factor == 8.0);
    CHECK(scaled.eos_token_ids == std::vector<std::uint64_t>{2, 3});
    CHECK(scaled.n_kv_heads == 4);  // defaults to the head count
    CHECK(scaled.head_dim == 16);

    // The architecture from "architectures" when model_type is absent.
    const auto from_list = model_config::from_json(changed(testing::tiny_bert_json(), [](auto& j) { j.erase("model_type"); }).dump());
    CHECK(from_list.arch == architecture::bert);
}

TEST_CASE("config.json: the catalog's bad values give their kinds and name the key") {
    auto bert = testing::tiny_bert_json();
    std::string msg;
    CHECK(json_outcome(changed(bert, [](auto& j) { j["num_attention_heads"] = 3; }), &msg) == "inconsistent");
    CHECK(msg.find("hidden_size") != std::string::npos);
    CHECK(msg.find("num_attention_heads") != std::string::npos);
    CHECK(msg.find("cfg.json") != std::string::npos);
    CHECK(json_outcome(changed(bert, [](auto& j) { j["num_attention_heads"] = 0; })) == "out_of_range");
    CHECK(json_outcome(changed(bert, [](auto& j) { j["num_attention_heads"] = 16; })) == "inconsistent");  // 8 % 16

    auto llama = testing::tiny_llama_json();
    CHECK(json_outcome(changed(llama, [](auto& j) { j["num_key_value_heads"] = 0; }), &msg) == "out_of_range");
    CHECK(msg.find("num_key_value_heads") != std::string::npos);
    CHECK(json_outcome(changed(llama, [](auto& j) { j["num_key_value_heads"] = 3; }), &msg) == "inconsistent");
    CHECK(msg.find("num_key_value_heads") != std::string::npos);
    CHECK(json_outcome(changed(llama, [](auto& j) { j["rope_theta"] = 0; })) == "invalid_data");
    CHECK(json_outcome(changed(llama, [](auto& j) { j["rope_scaling"] = {{"type", "linear"}, {"factor", -2}}; })) ==
          "invalid_data");
    CHECK(json_outcome(changed(llama, [](auto& j) { j["rope_scaling"] = "linear"; })) == "malformed");

    CHECK(json_outcome(changed(bert, [](auto& j) { j["layer_norm_eps"] = 0; }), &msg) == "invalid_data");
    CHECK(msg.find("layer_norm_eps") != std::string::npos);
    CHECK(json_outcome(changed(bert, [](auto& j) { j["layer_norm_eps"] = -1e-6; })) == "invalid_data");
    CHECK(json_outcome(changed(llama, [](auto& j) { j["rms_norm_eps"] = 0.0; }), &msg) == "invalid_data");
    CHECK(msg.find("rms_norm_eps") != std::string::npos);

    // Absurd sizes are refused before anything is sized from them.
    CHECK(json_outcome(changed(bert, [](auto& j) { j["num_hidden_layers"] = 1000000; }), &msg) == "too_large");
    CHECK(msg.find("num_hidden_layers") != std::string::npos);
    CHECK(json_outcome(changed(bert, [](auto& j) { j["max_position_embeddings"] = 1ull << 40; })) == "too_large");
    CHECK(json_outcome(changed(bert, [](auto& j) { j["vocab_size"] = ~0ull; })) == "too_large");
    CHECK(json_outcome(changed(testing::tiny_gpt2_json(), [](auto& j) { j["n_embd"] = ~0ull; })) == "too_large");
    config_limits small;
    small.max_layers = 1;
    CHECK(json_outcome(bert, nullptr, small) == "too_large");

    CHECK(json_outcome(changed(bert, [](auto& j) { j["num_hidden_layers"] = -2; }), &msg) == "out_of_range");
    CHECK(msg.find("num_hidden_layers") != std::string::npos);
    CHECK(json_outcome(changed(bert, [](auto& j) { j["num_hidden_layers"] = 2.5; })) == "malformed");
    CHECK(json_outcome(changed(bert, [](auto& j) { j["num_hidden_layers"] = "2"; })) == "malformed");
    CHECK(json_outcome(changed(bert, [](auto& j) { j.erase("hidden_size"); }), &msg) == "malformed");
    CHECK(msg.find("hidden_size") != std::string::npos);
    CHECK(json_outcome(changed(bert, [](auto& j) { j["model_type"] = "mamba"; })) == "unsupported");
    CHECK(json_outcome(changed(bert, [](auto& j) { j["position_embedding_type"] = "relative_key"; })) == "unsupported");
    CHECK(json_outcome(changed(bert, [](auto& j) {
              j.erase("model_type");
              j.erase("architectures");
          })) == "malformed");
    CHECK(json_outcome(changed(bert, [](auto& j) { j["pad_token_id"] = 32; })) == "out_of_range");
    CHECK(json_outcome(changed(llama, [](auto& j) { j["eos_token_id"] = {2, 40}; }), &msg) == "out_of_range");
    CHECK(msg.find("eos_token_id") != std::string::npos);
}

TEST_CASE("config.json: malformed text (NaN literals, overflowing numbers, duplicates, depth, UTF-8)") {
    const std::string good = testing::tiny_bert_json().dump();
    std::string msg;
    std::string nan = good;
    nan.replace(nan.find("1e-12"), 5, "NaN");
    CHECK(text_outcome(nan, &msg) == "malformed");
    CHECK(msg.find("cfg.json") != std::string::npos);
    CHECK(msg.find("byte") != std::string::npos);
    for (const char* literal : {"Infinity", "-Infinity", "nan"}) {
        std::string t = good;
        t.replace(t.find("1e-12"), 5, literal);
        CHECK(text_outcome(t) == "malformed");
    }
    // Regression (found by fuzz_config): nlohmann throws out_of_range, not parse_error, for 1e999.
    std::string overflow = good;
    overflow.replace(overflow.find("1e-12"), 5, "1e999");
    CHECK(text_outcome(overflow, &msg) == "out_of_range");
    CHECK(msg.find("1e999") != std::string::npos);
    CHECK(text_outcome("{\"vocab_size\": 1" + std::string(400, '0') + "}") == "out_of_range");

    CHECK(text_outcome("{\"hidden_size\":8," + good.substr(1), &msg) == "duplicate");
    CHECK(msg.find("hidden_size") != std::string::npos);
    CHECK(text_outcome("{\"x\":{\"a\":1,\"a\":2}," + good.substr(1)) == "duplicate");
    CHECK(text_outcome("{\"x\":{\"a\":1},\"y\":{\"a\":2}," + good.substr(1)) == "ok");  // same key, different objects
    CHECK(text_outcome("{\"x\":" + std::string(100000, '[') + std::string(100000, ']') + "}") == "too_large");
    CHECK(text_outcome("{\"model_type\":\"bert\xff\"}") == "malformed");
    CHECK(text_outcome("[1,2]") == "malformed");
    CHECK(text_outcome("") == "malformed");
    CHECK(text_outcome(good + " x") == "malformed");
    config_limits tiny;
    tiny.max_config_bytes = 10;
    CHECK(outcome([&] { (void)model_config::from_json(good, "cfg.json", tiny); }) == "too_large");
}

TEST_CASE("config.json from a file names the file; a missing file is an io error") {
    temp_dir d;
    testing::write_text_file(d.path / "config.json", "{\"model_type\": NaN}");
    std::string msg;
    CHECK(outcome([&] { (void)model_config::from_json_file(d.path / "config.json"); }, &msg) == "malformed");
    CHECK(msg.find((d.path / "config.json").string()) != std::string::npos);
    CHECK(outcome([&] { (void)model_config::from_json_file(d.path / "absent.json"); }) == "io");
}

TEST_CASE("GGUF metadata: a tiny Llama maps onto the config; tokenizer arrays are checked") {
    temp_dir d;
    const auto path = d.path / "tiny.gguf";
    auto open_with = [&](testing::tiny_gguf_llama m) {
        testing::write_tiny_gguf_llama(path, m);
        return io::gguf_file::open(path.string());
    };
    const auto f = open_with({});
    const auto c = model_config::from_gguf(f);
    CHECK(c.arch == architecture::llama);
    CHECK(c.vocab_size == 40);
    CHECK(c.hidden_size == 32);
    CHECK(c.n_layers == 2);
    CHECK(c.n_heads == 4);
    CHECK(c.n_kv_heads == 2);
    CHECK(c.head_dim == 8);
    CHECK(c.intermediate_size == 64);
    CHECK(c.max_position_embeddings == 64);
    CHECK(c.norm_eps == doctest::Approx(1e-5));
    CHECK(c.rope_theta == 10000.0);
    CHECK(c.tie_word_embeddings);  // no output.weight
    CHECK(c.bos_token_id == 1u);
    CHECK(c.eos_token_ids == std::vector<std::uint64_t>{2});
    CHECK_NOTHROW(c.validate_against(tensor_listing(f), path.string()));

    auto outcome_with = [&](std::function<void(std::vector<io::gguf_kv>&)> edit, std::string* msg = nullptr) {
        testing::tiny_gguf_llama m;
        m.edit_metadata = std::move(edit);
        const auto g = open_with(m);
        return outcome([&] { (void)model_config::from_gguf(g); }, msg);
    };
    std::string msg;
    CHECK(outcome_with([](auto& meta) { testing::set_kv(meta, "llama.block_count", std::string("2")); }, &msg) ==
          "inconsistent");
    CHECK(msg.find("llama.block_count") != std::string::npos);
    CHECK(outcome_with([](auto& meta) { testing::set_kv(meta, "llama.block_count", std::int32_t{-1}); }) == "out_of_range");
    CHECK(outcome_with([](auto& meta) { testing::set_kv(meta, "llama.block_count", std::uint64_t{2}); }) == "ok");
    CHECK(outcome_with([](auto& meta) {
              std::erase_if(meta, [](const auto& kv) { return kv.key == "llama.embedding_length"; });
          }, &msg) == "malformed");
    CHECK(msg.find("llama.embedding_length") != std::string::npos);
    CHECK(outcome_with([](auto& meta) { testing::set_kv(meta, "general.architecture", std::string("mamba")); }) ==
          "unsupported");
    CHECK(outcome_with([](auto& meta) { testing::set_kv(meta, "tokenizer.ggml.scores", std::vector<float>(3)); }, &msg) ==
          "inconsistent");
    CHECK(msg.find("tokenizer.ggml.scores") != std::string::npos);
    CHECK(outcome_with([](auto& meta) { testing::set_kv(meta, "tokenizer.ggml.bos_token_id", std::uint32_t{40}); }, &msg) ==
          "out_of_range");
    CHECK(msg.find("tokenizer.ggml.bos_token_id") != std::string::npos);
    CHECK(outcome_with([](auto& meta) {
              std::erase_if(meta, [](const auto& kv) { return kv.key == "llama.vocab_size"; });
          }) == "ok");  // the token count gives the vocabulary
    CHECK(outcome_with([](auto& meta) {
              std::erase_if(meta, [](const auto& kv) {
                  return kv.key == "llama.vocab_size" || kv.key.starts_with("tokenizer.ggml.");
              });
          }) == "malformed");
    CHECK(outcome_with([](auto& meta) { testing::set_kv(meta, "llama.rope.dimension_count", std::uint32_t{9}); }) ==
          "inconsistent");
}

TEST_CASE("validate_against: every tiny model passes; mismatches name the tensor and the key") {
    const auto bert = model_config::from_json(testing::tiny_bert_json().dump(), "bert.json");
    const auto gpt2 = model_config::from_json(testing::tiny_gpt2_json().dump(), "gpt2.json");
    const auto llama = model_config::from_json(testing::tiny_llama_json().dump(), "llama.json");
    CHECK_NOTHROW(bert.validate_against(listing_of(bert, false), "w.safetensors"));
    CHECK_NOTHROW(gpt2.validate_against(listing_of(gpt2, false), "w.safetensors"));
    CHECK_NOTHROW(llama.validate_against(listing_of(llama, false), "w.safetensors"));
    CHECK_NOTHROW(llama.validate_against(listing_of(llama, true), "w.gguf"));  // GGUF names

    auto check = [](const model_config& c, std::vector<tensor_desc> t) {
        std::string msg;
        const std::string kind = outcome([&] { c.validate_against(t, "w.safetensors"); }, &msg);
        return std::pair{kind, msg};
    };
    // Vocabulary vs embedding rows.
    auto t = listing_of(bert, false);
    t.front().dims = {31, 8};
    auto [kind, msg] = check(bert, t);
    CHECK(kind == "inconsistent");
    CHECK(msg.find("embeddings.word_embeddings.weight") != std::string::npos);
    CHECK(msg.find("vocab_size = 32") != std::string::npos);
    CHECK(msg.find("w.safetensors") != std::string::npos);
    // Hidden size vs a norm weight.
    t = listing_of(bert, false, [](auto& l) {
        for (auto& x : l)
            if (x.name == "encoder.layer.1.output.LayerNorm.weight") x.dims = {9};
    });
    std::tie(kind, msg) = check(bert, t);
    CHECK(kind == "inconsistent");
    CHECK(msg.find("encoder.layer.1.output.LayerNorm.weight") != std::string::npos);
    CHECK(msg.find("[8]") != std::string::npos);
    // A missing per-layer tensor.
    t = listing_of(gpt2, false, [](auto& l) { std::erase_if(l, [](auto& x) { return x.name == "h.1.attn.c_attn.weight"; }); });
    std::tie(kind, msg) = check(gpt2, t);
    CHECK(kind == "inconsistent");
    CHECK(msg.find("h.1.attn.c_attn.weight") != std::string::npos);
    CHECK(msg.find("n_layer") != std::string::npos);
    // GPT-2 Conv1D weights are [in, out]: a transposed c_attn is wrong.
    t = listing_of(gpt2, false, [](auto& l) {
        for (auto& x : l)
            if (x.name == "h.0.attn.c_attn.weight") x.dims = {24, 8};
    });
    CHECK(check(gpt2, t).first == "inconsistent");
    // A layer the config does not have.
    t = listing_of(bert, false);
    t.push_back({"encoder.layer.2.output.dense.bias", {8}});
    std::tie(kind, msg) = check(bert, t);
    CHECK(kind == "inconsistent");
    CHECK(msg.find("encoder.layer.2.output.dense.bias") != std::string::npos);
    // Extra tensors that are not per-layer are fine (pooler, position_ids).
    t = listing_of(bert, false);
    t.push_back({"pooler.dense.weight", {8, 8}});
    t.push_back({"embeddings.position_ids", {1, 16}});
    CHECK(check(bert, t).first == "ok");
    // "bert." and "transformer." prefixes.
    t = listing_of(bert, false);
    for (auto& x : t) x.name = "bert." + x.name;
    CHECK(check(bert, t).first == "ok");
    // Untied Llama needs lm_head; GQA shapes of k/v.
    auto untied = llama;
    untied.tie_word_embeddings = false;
    std::tie(kind, msg) = check(untied, listing_of(llama, false));
    CHECK(kind == "inconsistent");
    CHECK(msg.find("lm_head.weight") != std::string::npos);
    t = listing_of(llama, true, [](auto& l) {
        for (auto& x : l)
            if (x.name == "blk.0.attn_v.weight") x.dims = {32, 32};  // [kv heads x head_dim = 16, 32] expected
    });
    std::tie(kind, msg) = check(llama, t);
    CHECK(kind == "inconsistent");
    CHECK(msg.find("blk.0.attn_v.weight") != std::string::npos);
    // No embedding at all.
    CHECK(check(bert, listing_of(gpt2, false)).first == "inconsistent");
    CHECK(check(bert, {}).first == "inconsistent");
}

TEST_CASE("real models: all-MiniLM-L6-v2 config.json and SmolLM2 GGUF metadata") {
    const fs::path minilm = models_dir() / "all-MiniLM-L6-v2";
    if (fs::exists(minilm / "config.json") && fs::exists(minilm / "model.safetensors")) {
        const auto c = model_config::from_json_file(minilm / "config.json");
        CHECK(c.arch == architecture::bert);
        CHECK(c.n_layers == 6);
        CHECK(c.hidden_size == 384);
        CHECK(c.n_heads == 12);
        CHECK(c.intermediate_size == 1536);
        CHECK(c.vocab_size == 30522);
        const io::safetensors_model m(minilm);
        CHECK_NOTHROW(c.validate_against(tensor_listing(m), minilm.string()));
    } else {
        MESSAGE("skipped: model not found at " << minilm.string());
    }
    const fs::path smol = models_dir() / "SmolLM2-135M-Instruct" / "SmolLM2-135M-Instruct.Q4_1.gguf";
    if (fs::exists(smol)) {
        const auto f = io::gguf_file::open(smol.string());
        const auto c = model_config::from_gguf(f);
        CHECK(c.n_layers == 30);
        CHECK(c.hidden_size == 576);
        CHECK(c.n_heads == 9);
        CHECK(c.n_kv_heads == 3);
        CHECK(c.head_dim == 64);
        CHECK(c.intermediate_size == 1536);
        CHECK(c.vocab_size == 49152);
        CHECK(c.rope_theta == 100000.0);
        CHECK(c.tie_word_embeddings);
        CHECK_NOTHROW(c.validate_against(tensor_listing(f), smol.string()));
    } else {
        MESSAGE("skipped: model not found at " << smol.string());
    }
}
