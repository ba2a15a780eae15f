#pragma once
// Tiny but complete model files for tests, the hostile corpus and the fuzz seeds: a BERT, a
// GPT-2 and a Llama config.json with a matching model.safetensors, and a Llama GGUF with
// tokenizer metadata. Tensor names and shapes come from the same table validate_against
// checks (models::detail::expected_tensors), so a valid tiny model is valid by
// construction and a test breaks it in one place. Values are deterministic.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tessera/core/tensor.hpp"
#include "tessera/io/gguf.hpp"
#include "tessera/io/safetensors.hpp"
#include "tessera/models/config.hpp"
#include "tessera/ops/quantize.hpp"

namespace tessera::testing {

namespace fs = std::filesystem;
using ordered_json = nlohmann::ordered_json;

// Deterministic values in about [-1, 1): a cheap hash of (seed, index).
inline float tiny_value(std::size_t seed, std::size_t i) {
    const std::uint32_t h = static_cast<std::uint32_t>((seed * 2654435761u) ^ (i * 40503u + 0x9e3779b9u));
    return static_cast<float>(static_cast<int>(h % 2001u) - 1000) / 1000.0f;
}

inline void write_text_file(const fs::path& p, const std::string& text) {
    std::ofstream f(p, std::ios::binary);
    f.write(text.data(), static_cast<std::streamsize>(text.size()));
}

// ---- config.json texts ---------------------------------------------------------------------

inline ordered_json tiny_bert_json() {
    return {{"architectures", {"BertModel"}},  {"model_type", "bert"},      {"vocab_size", 32},
            {"hidden_size", 8},                {"num_hidden_layers", 2},    {"num_attention_heads", 2},
            {"intermediate_size", 16},         {"max_position_embeddings", 16}, {"type_vocab_size", 2},
            {"layer_norm_eps", 1e-12},         {"hidden_act", "gelu"},      {"pad_token_id", 0}};
}
inline ordered_json tiny_gpt2_json() {
    return {{"architectures", {"GPT2LMHeadModel"}}, {"model_type", "gpt2"}, {"vocab_size", 40},
            {"n_embd", 8},  {"n_layer", 2}, {"n_head", 2}, {"n_positions", 16}, {"n_inner", nullptr},
            {"layer_norm_epsilon", 1e-5}, {"activation_function", "gelu_new"}, {"bos_token_id", 0},
            {"eos_token_id", 0}};
}
inline ordered_json tiny_llama_json() {
    return {{"architectures", {"LlamaForCausalLM"}}, {"model_type", "llama"}, {"vocab_size", 40},
            {"hidden_size", 32}, {"num_hidden_layers", 2}, {"num_attention_heads", 4},
            {"num_key_value_heads", 2}, {"intermediate_size", 64}, {"max_position_embeddings", 64},
            {"rms_norm_eps", 1e-5}, {"rope_theta", 10000.0}, {"rope_scaling", nullptr},
            {"tie_word_embeddings", true}, {"hidden_act", "silu"}, {"bos_token_id", 1}, {"eos_token_id", 2}};
}

// The layout (naming scheme) of each tiny model's weights file.
inline models::detail::tensor_layout tiny_layout(models::architecture a, bool gguf = false) {
    using S = models::detail::tensor_layout::scheme;
    switch (a) {
    case models::architecture::bert: return {S::hf_bert, "", "encoder.layer."};
    case models::architecture::gpt2: return {S::hf_gpt2, "", "h."};
    case models::architecture::llama: break;
    case models::architecture::gemma3: break;  // no tiny gemma3 models; GGUF llama layout below
    }
    return gguf ? models::detail::tensor_layout{S::gguf_llama, "", "blk."}
                : models::detail::tensor_layout{S::hf_llama, "", "model.layers."};
}

// The tensors a config requires (optional ones left out); `edit` may rename, reshape or drop entries.
using tensor_edit = std::function<void(std::vector<models::detail::expected_tensor>&)>;

inline std::vector<models::detail::expected_tensor> tiny_tensor_list(const models::model_config& c, bool gguf,
                                                                     const tensor_edit& edit) {
    auto list = models::detail::expected_tensors(c, tiny_layout(c.arch, gguf));
    std::erase_if(list, [](const auto& t) { return !t.required; });  // tied: no lm_head / output.weight
    if (edit) edit(list);
    return list;
}

// Writes `dir`/config.json (from `config`) and `dir`/model.safetensors holding every tensor the
// config implies (after `edit`). The config used for the tensors is parsed from `tensor_config`
// (defaults to `config`), so a test can write a config that disagrees with its tensors.
inline void write_tiny_safetensors_model(const fs::path& dir, const std::string& config_text,
                                         const ordered_json& tensor_config, const tensor_edit& edit = {}) {
    fs::create_directories(dir);
    write_text_file(dir / "config.json", config_text);
    const auto c = models::model_config::from_json(tensor_config.dump(), "tensor config");
    const auto list = tiny_tensor_list(c, false, edit);
    std::vector<tensor<float>> data;
    data.reserve(list.size());
    std::vector<io::safetensors_tensor_ref> refs;
    for (std::size_t k = 0; k < list.size(); ++k) {
        data.emplace_back(list[k].dims);
        auto s = data.back().span();
        for (std::size_t i = 0; i < s.size(); ++i) s[i] = tiny_value(k, i);
        refs.emplace_back(list[k].name, data.back());
    }
    io::save_safetensors(dir / "model.safetensors", refs, {{"format", "pt"}});
}
inline void write_tiny_safetensors_model(const fs::path& dir, const ordered_json& config, const tensor_edit& edit = {}) {
    write_tiny_safetensors_model(dir, config.dump(2), config, edit);
}

// ---- a tiny Llama GGUF ---------------------------------------------------------------------

struct tiny_gguf_llama {
    std::uint32_t vocab = 40, hidden = 32, layers = 2, heads = 4, kv_heads = 2, ffn = 64, context = 64;
    float eps = 1e-5f, rope_base = 10000.0f;
    // Applied to the metadata and tensor lists before writing.
    std::function<void(std::vector<io::gguf_kv>&)> edit_metadata;
    tensor_edit edit_tensors;
};

inline std::vector<io::gguf_kv> tiny_gguf_metadata(const tiny_gguf_llama& m) {
    std::vector<std::string> tokens;
    std::vector<float> scores;
    std::vector<std::int32_t> types;
    for (std::uint32_t i = 0; i < m.vocab; ++i) {
        tokens.push_back(i < 3 ? std::string(i == 0 ? "<unk>" : i == 1 ? "<s>" : "</s>") : "tok" + std::to_string(i));
        scores.push_back(-static_cast<float>(i));
        types.push_back(i < 3 ? 3 : 1);
    }
    return {
        {"general.architecture", "llama"},
        {"general.name", "tiny llama"},
        {"llama.vocab_size", m.vocab},
        {"llama.context_length", m.context},
        {"llama.embedding_length", m.hidden},
        {"llama.block_count", m.layers},
        {"llama.feed_forward_length", m.ffn},
        {"llama.attention.head_count", m.heads},
        {"llama.attention.head_count_kv", m.kv_heads},
        {"llama.rope.freq_base", m.rope_base},
        {"llama.attention.layer_norm_rms_epsilon", m.eps},
        {"tokenizer.ggml.model", "gpt2"},
        {"tokenizer.ggml.tokens", tokens},
        {"tokenizer.ggml.scores", scores},
        {"tokenizer.ggml.token_type", types},
        {"tokenizer.ggml.merges", std::vector<std::string>{"t o", "to k"}},
        {"tokenizer.ggml.bos_token_id", std::uint32_t{1}},
        {"tokenizer.ggml.eos_token_id", std::uint32_t{2}},
    };
}

// Writes the GGUF. Norms are F32, the embedding F16, attention Q8_0, FFN Q4_1 (ne[0] of every
// matrix is a multiple of 32), as real files mix types.
inline void write_tiny_gguf_llama(const fs::path& path, const tiny_gguf_llama& m = {}) {
    auto meta = tiny_gguf_metadata(m);
    models::model_config c;
    c.arch = models::architecture::llama;
    c.vocab_size = m.vocab, c.hidden_size = m.hidden, c.n_layers = m.layers, c.n_heads = m.heads;
    c.n_kv_heads = m.kv_heads, c.head_dim = m.heads ? m.hidden / m.heads : 0, c.intermediate_size = m.ffn;
    c.tie_word_embeddings = true;
    auto list = tiny_tensor_list(c, true, m.edit_tensors);
    if (m.edit_metadata) m.edit_metadata(meta);

    std::vector<std::vector<std::byte>> bytes;
    std::vector<io::gguf_tensor_data> tensors;
    bytes.reserve(list.size());
    for (std::size_t k = 0; k < list.size(); ++k) {
        const auto& t = list[k];
        std::vector<float> v(t.dims.numel());
        for (std::size_t i = 0; i < v.size(); ++i) v[i] = tiny_value(100 + k, i);
        ops::ggml_type type = ops::ggml_type::f32;
        const std::size_t inner = t.dims.rank() ? t.dims[t.dims.rank() - 1] : 1;
        if (t.dims.rank() == 2 && inner % 32 == 0) {
            if (t.name == "token_embd.weight") type = ops::ggml_type::f16;
            else if (t.name.find(".attn_") != std::string::npos) type = ops::ggml_type::q8_0;
            else type = ops::ggml_type::q4_1;
        }
        bytes.push_back(ops::quantize(type, v));
        tensors.push_back({t.name, type, io::gguf_ne_from_shape(t.dims), bytes.back()});
    }
    io::save_gguf(path.string(), meta, tensors);
}

// Replaces (or appends) metadata key `key`.
inline void set_kv(std::vector<io::gguf_kv>& meta, const std::string& key, io::gguf_value v) {
    for (auto& kv : meta)
        if (kv.key == key) {
            kv.value = std::move(v);
            return;
        }
    meta.push_back({key, std::move(v)});
}

}  // namespace tessera::testing
