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

// The multilingual decoder (Gemma 3 270M, the base model, Q4_K_M GGUF): it writes Chinese,
// which SmolLM2 cannot. No chat template in the file; prompt it completion-style.
inline std::filesystem::path multilingual_decoder_file() {
    return models_dir() / "gemma-3-270m" / "gemma-3-270m-q4_k_m.gguf";
}

}  // namespace tessera::io
