// libFuzzer target: arbitrary bytes as a Hugging Face config.json. Anything but a
// tessera::error escaping (an nlohmann exception included), a sanitizer report, a timeout or
// an allocation over libFuzzer's limit is a finding. An accepted config is also checked
// against a small fixed tensor listing, which exercises validate_against's table.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "tessera/models/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace tessera::models;
    try {
        const auto c = model_config::from_json(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.json");
        const std::vector<tensor_desc> tensors = {
            {"embeddings.word_embeddings.weight", {c.vocab_size, c.hidden_size}},
            {"wte.weight", {c.vocab_size, c.hidden_size}},
            {"model.embed_tokens.weight", {c.vocab_size, c.hidden_size}},
            {"encoder.layer.0.attention.self.query.weight", {c.hidden_size, c.hidden_size}},
            {"h.0.ln_1.weight", {c.hidden_size}},
            {"model.layers.0.input_layernorm.weight", {c.hidden_size}},
        };
        c.validate_against(tensors, "fuzz.safetensors");
    } catch (const tessera::error&) {
    }
    return 0;
}
