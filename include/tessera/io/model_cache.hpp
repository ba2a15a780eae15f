#pragma once
// Where tessera's tools, examples, tests and benchmarks look for the real models that
// scripts/fetch-models.sh downloads: $TESSERA_MODELS when set and non-empty, otherwise
// ~/.cache/tessera/models. The library itself never reads the environment on its own;
// only these helpers do, when a caller asks.
#include <cstdlib>
#include <filesystem>

namespace tessera::io {

inline std::filesystem::path models_dir() {
    if (const char* env = std::getenv("TESSERA_MODELS"); env && *env) return env;
    const char* home = std::getenv("HOME");
    return std::filesystem::path(home && *home ? home : ".") / ".cache" / "tessera" / "models";
}

// The default sentence encoder (all-MiniLM-L6-v2) directory.
inline std::filesystem::path default_encoder_dir() { return models_dir() / "all-MiniLM-L6-v2"; }

// The default decoder (SmolLM2-135M-Instruct, Q4_1 GGUF) file.
inline std::filesystem::path default_decoder_file() {
    return models_dir() / "SmolLM2-135M-Instruct" / "SmolLM2-135M-Instruct.Q4_1.gguf";
}

}  // namespace tessera::io
