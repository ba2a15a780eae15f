#pragma once
// The facts `tessera inspect` reports, gathered once into a JSON object; --json prints it as is
// and the text output (inspect_text.hpp) is rendered from it, so the two never disagree.
//
//   { "file", "format": "gguf" | "safetensors" | "safetensors_directory", "size_bytes",
//     "gguf": { "version", "alignment", "data_offset" }                        (GGUF)
//     "safetensors": { "shards": [ { "file", "header_bytes", "data_offset" } ] }  (safetensors)
//     "metadata": [ { "key", "type", "value" } ]            arrays: { "key", "type", "length", "head" }
//     "tensors": [ { "name", "dtype", "shape", "offset", "bytes" [, "shard"] } ]
//     "architecture": { ... } | null, "architecture_source" | "architecture_note" }
// Shapes are row-major (for GGUF, ne reversed); offsets are absolute file offsets.
#include <cstdint>
#include <string>
#include <type_traits>
#include <variant>

#include <nlohmann/json.hpp>

#include "tessera/io/gguf.hpp"
#include "tessera/io/safetensors.hpp"
#include "tessera/models/config.hpp"
#include "tessera/ops/quant_blocks.hpp"
#include "inspect_open.hpp"

namespace tessera::cli {

using ordered_json = nlohmann::ordered_json;

// Arrays longer than this are summarised as type + length + their first elements.
inline constexpr std::size_t array_head_elements = 8;

inline ordered_json gguf_value_json(const io::gguf_value& v, ordered_json& entry) {
    return std::visit(
        [&](const auto& x) -> ordered_json {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, io::gguf_array>) {
                entry["length"] = x.size();
                ordered_json head = ordered_json::array();
                std::visit(
                    [&](const auto& elems) {
                        using E = std::decay_t<decltype(elems)>;
                        if constexpr (std::is_same_v<E, io::gguf_string_array>) {
                            for (const std::string_view e : elems) {
                                if (head.size() == array_head_elements) break;
                                head.push_back(e);
                            }
                        } else if constexpr (!std::is_same_v<E, std::monostate>) {
                            for (std::size_t i = 0; i < elems.size() && i < array_head_elements; ++i)
                                head.push_back(static_cast<typename E::value_type>(elems[i]));
                        }
                    },
                    x.values);
                return head;
            } else {
                return x;
            }
        },
        v.get());
}

inline ordered_json architecture_json(const models::model_config& c) {
    ordered_json a;
    a["architecture"] = std::string(models::to_string(c.arch));
    a["vocab_size"] = c.vocab_size;
    a["hidden_size"] = c.hidden_size;
    a["n_layers"] = c.n_layers;
    a["n_heads"] = c.n_heads;
    a["n_kv_heads"] = c.n_kv_heads;
    a["head_dim"] = c.head_dim;
    a["intermediate_size"] = c.intermediate_size;
    a["context_length"] = c.max_position_embeddings;
    if (c.arch == models::architecture::bert) a["type_vocab_size"] = c.type_vocab_size;
    a["norm_eps"] = c.norm_eps;
    if (models::is_llama_family(c.arch)) {
        a["rope_theta"] = c.rope_theta;
        a["rope_dim"] = c.rope_dim;
        if (!c.rope_scaling.type.empty())
            a["rope_scaling"] = {{"type", c.rope_scaling.type}, {"factor", c.rope_scaling.factor}};
    }
    if (c.arch == models::architecture::gemma3) {
        a["sliding_window"] = c.sliding_window;
        a["sliding_window_pattern"] = c.sliding_window_pattern;
        a["rope_local_theta"] = c.rope_local_theta;
        a["query_pre_attn_scalar"] = c.query_pre_attn_scalar;
        a["final_logit_softcapping"] = c.final_logit_softcapping;
    }
    a["tie_word_embeddings"] = c.tie_word_embeddings;
    a["hidden_act"] = c.hidden_act;
    if (c.bos_token_id) a["bos_token_id"] = *c.bos_token_id;
    if (!c.eos_token_ids.empty()) a["eos_token_ids"] = c.eos_token_ids;
    if (c.pad_token_id) a["pad_token_id"] = *c.pad_token_id;
    if (c.unk_token_id) a["unk_token_id"] = *c.unk_token_id;
    return a;
}

inline ordered_json build_report(const opened_model& m) {
    ordered_json r;
    r["file"] = m.input;
    r["size_bytes"] = m.size_bytes;
    ordered_json metadata = ordered_json::array();
    ordered_json tensors = ordered_json::array();
    std::uint64_t parameters = 0;

    if (m.gguf) {
        const io::gguf_file& f = *m.gguf;
        r["format"] = "gguf";
        r["gguf"] = {{"version", f.version()}, {"alignment", f.alignment()}, {"data_offset", f.data_offset()}};
        for (const auto& kv : f.metadata()) {
            ordered_json e;
            e["key"] = kv.key;
            e["type"] = kv.value.type_name();
            ordered_json value = gguf_value_json(kv.value, e);
            e[kv.value.get_if<io::gguf_array>() ? "head" : "value"] = std::move(value);
            metadata.push_back(std::move(e));
        }
        for (const auto& t : f.tensors()) {
            ordered_json e;
            e["name"] = t.name;
            e["dtype"] = std::string(ops::to_string(t.type));
            const tessera::shape s = t.row_major_shape();
            e["shape"] = std::vector<std::size_t>(s.begin(), s.end());
            e["offset"] = f.data_offset() + t.offset;
            e["bytes"] = t.bytes;
            parameters += t.numel;
            tensors.push_back(std::move(e));
        }
    } else {
        const io::safetensors_model& st = *m.safetensors;
        r["format"] = m.is_directory ? "safetensors_directory" : "safetensors";
        ordered_json shards = ordered_json::array();
        for (const auto& s : st.shards())
            shards.push_back({{"file", s.name()}, {"header_bytes", s.header_bytes()}, {"data_offset", s.data_offset()}});
        r["safetensors"] = {{"shards", shards}};
        for (const auto& [k, v] : st.metadata()) metadata.push_back({{"key", k}, {"type", "string"}, {"value", v}});
        const bool sharded = st.shards().size() > 1;
        for (const auto& entry : st.tensors()) {
            const auto& t = *entry.info;
            ordered_json e;
            e["name"] = t.name;
            e["dtype"] = std::string(io::safetensors_dtype_name(t.type));
            e["shape"] = std::vector<std::size_t>(t.dims.begin(), t.dims.end());
            e["offset"] = t.file_offset;
            e["bytes"] = t.byte_size;
            if (sharded) e["shard"] = st.shards()[entry.shard].name();
            parameters += t.numel();
            tensors.push_back(std::move(e));
        }
    }
    r["metadata"] = std::move(metadata);
    r["tensor_count"] = tensors.size();
    r["parameters"] = parameters;
    r["tensors"] = std::move(tensors);
    if (m.config) {
        r["architecture"] = architecture_json(*m.config);
        r["architecture_source"] = m.config_source;
    } else {
        r["architecture"] = nullptr;
        r["architecture_note"] = m.config_note;
    }
    return r;
}

// JSON text that survives names and strings that are not UTF-8 (replaced by U+FFFD).
inline std::string dump_json(const ordered_json& j, int indent = -1) {
    return j.dump(indent, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace tessera::cli
