#pragma once
// Caps every reader checks before it allocates or trusts a count (RELIABILITY.md rule 1).
// Defaults fit the models tessera targets with wide margins; servers that load files
// from untrusted sources can lower them.
#include <cstddef>
#include <cstdint>

namespace tessera {

struct limits {
    std::uint64_t max_header_bytes = 100ull << 20;     // safetensors JSON header, GGUF metadata
    std::uint64_t max_tensors = 1'000'000;             // tensors in one file
    std::uint64_t max_metadata_entries = 1'000'000;    // GGUF key/value pairs
    std::uint64_t max_array_elements = 16'000'000;     // one GGUF array (vocabularies, merges)
    std::uint64_t max_string_bytes = 64ull << 20;      // one string value
    std::uint64_t max_name_bytes = 4096;               // a tensor or key name
    std::uint64_t max_tensor_bytes = 64ull << 30;      // one tensor
    std::uint32_t max_json_depth = 64;                 // nesting in JSON headers
    std::uint64_t max_alignment = 1u << 16;            // GGUF general.alignment
};

}  // namespace tessera
