#pragma once
// Opening whatever `tessera inspect` is given: a GGUF file, a .safetensors file, or a model
// directory (config.json + model.safetensors or model.safetensors.index.json). The format is
// decided by the GGUF magic or a .gguf name (see is_gguf), so a GGUF file with another name
// is still read by the right parser. A model config is derived when the input carries one:
//   GGUF with general.architecture "llama"     model_config::from_gguf
//   a directory (or a .safetensors file) with config.json beside it    model_config::from_json_file
// and is then checked against the tensors (validate_against). Any failure is a tessera::error.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "tessera/io/gguf.hpp"
#include "tessera/io/mapped_file.hpp"
#include "tessera/io/safetensors.hpp"
#include "tessera/models/config.hpp"

namespace tessera::cli {

struct opened_model {
    std::string input;   // as given on the command line
    std::uint64_t size_bytes = 0;  // the file, or the sum of the shards
    // Exactly one of these is set.
    std::optional<io::gguf_file> gguf;
    std::optional<io::safetensors_model> safetensors;
    bool is_directory = false;
    // The architecture summary, when the input describes one tessera knows.
    std::optional<models::model_config> config;
    std::string config_source;  // the config.json path or "GGUF metadata"
    std::string config_note;    // why there is no config, when there is none
};

// GGUF when the file starts with the GGUF magic or is named *.gguf (then a bad magic is
// reported as such); safetensors otherwise (it has no magic of its own).
inline bool is_gguf(const std::filesystem::path& p) {
    if (p.extension() == ".gguf") return true;
    const io::mapped_file f(p.string());
    if (f.size() < 4) return false;
    std::uint32_t magic = 0;
    for (int i = 3; i >= 0; --i) magic = (magic << 8) | std::to_integer<std::uint32_t>(f.bytes()[std::size_t(i)]);
    return magic == io::gguf_magic;
}

inline opened_model open_model(const std::string& input) {
    namespace fs = std::filesystem;
    opened_model m;
    m.input = input;
    const fs::path path(input);
    std::error_code ec;
    if (!fs::exists(path, ec)) throw error(error_kind::io, input + ": no such file or directory");

    if (fs::is_directory(path, ec)) {
        m.is_directory = true;
        m.safetensors.emplace(path);
        for (const auto& shard : m.safetensors->shards()) m.size_bytes += shard.file_bytes().size();
        if (fs::exists(path / "config.json", ec)) m.config_source = (path / "config.json").string();
        else m.config_note = "no config.json in the directory";
    } else if (is_gguf(path)) {
        m.gguf.emplace(io::gguf_file::open(input));
        m.size_bytes = m.gguf->bytes().size();
        if (!m.gguf->contains("general.architecture")) {
            m.config_note = "no general.architecture key";
        } else if (const auto& a = m.gguf->get_string("general.architecture"); a != "llama" && a != "gemma3") {
            m.config_note = "general.architecture '" + a + "' has no tessera config";
        } else {
            m.config_source = "GGUF metadata";
        }
    } else {
        m.safetensors.emplace(path);
        m.size_bytes = m.safetensors->shards().front().file_bytes().size();
        const fs::path sibling = path.parent_path() / "config.json";
        if (fs::exists(sibling, ec)) m.config_source = sibling.string();
        else m.config_note = "no config.json beside the file";
    }

    if (m.gguf && !m.config_source.empty()) {
        m.config = models::model_config::from_gguf(*m.gguf);
        m.config->validate_against(models::tensor_listing(*m.gguf), input);
    } else if (m.safetensors && !m.config_source.empty()) {
        m.config = models::model_config::from_json_file(m.config_source);
        m.config->validate_against(models::tensor_listing(*m.safetensors), input);
    }
    return m;
}

}  // namespace tessera::cli
