#pragma once
// One GGUF decoder per test binary and path, opened on first use (opening validates every
// tensor), or null when the file is absent so the test can say it skipped.
//
//   #define REQUIRE_MODEL(m) TESSERA_REQUIRE_DECODER(m, model_path())
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "tessera/models/llama.hpp"

namespace tessera::testing {

inline const models::llama_model* shared_decoder(const std::filesystem::path& path) {
    static std::map<std::string, std::unique_ptr<models::llama_model>> opened;
    auto [it, fresh] = opened.try_emplace(path.string());
    if (fresh && std::filesystem::exists(path))
        it->second = std::make_unique<models::llama_model>(models::llama_model::open(path.string()));
    return it->second.get();
}

}  // namespace tessera::testing

#define TESSERA_REQUIRE_DECODER(m, path)                                                                \
    const tessera::models::llama_model* m = tessera::testing::shared_decoder(path);                     \
    if (!m) {                                                                                           \
        MESSAGE("skipped: model not found at " << (path).string() << " (run scripts/fetch-models.sh)"); \
        return;                                                                                         \
    }
