#pragma once
// The human-readable rendering of an inspect report (inspect_report.hpp): format line,
// metadata (one key per line; long strings and arrays shortened), the tensor table and the
// architecture summary. Every string from the file goes through escape().
#include <cstdio>
#include <string>

#include "cli.hpp"
#include "inspect_report.hpp"

namespace tessera::cli {

// A scalar or array-head value on one line, at most ~160 bytes.
inline std::string short_value(const ordered_json& v) {
    if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        std::string out = "\"" + escape(s, 120) + "\"";
        if (s.size() > 120) out += " (" + std::to_string(s.size()) + " bytes)";
        return out;
    }
    if (v.is_array()) {
        std::string out = "[";
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (i) out += ", ";
            out += short_value(v[i]);
            if (out.size() > 160) {
                out += ", ...";
                break;
            }
        }
        return out + "]";
    }
    return dump_json(v);
}

inline void print_text_report(const ordered_json& r) {
    const std::string format = r["format"].get<std::string>();
    std::printf("file:    %s\n", escape(r["file"].get<std::string>()).c_str());
    if (format == "gguf") {
        const auto& g = r["gguf"];
        std::printf("format:  GGUF v%u, alignment %llu, data section at byte %llu\n", g["version"].get<unsigned>(),
                    g["alignment"].get<unsigned long long>(), g["data_offset"].get<unsigned long long>());
    } else {
        const auto& shards = r["safetensors"]["shards"];
        std::printf("format:  %s, %zu shard%s\n", format == "safetensors" ? "safetensors" : "safetensors directory",
                    shards.size(), shards.size() == 1 ? "" : "s");
        for (const auto& s : shards)
            std::printf("         %s: header %llu bytes, data section at byte %llu\n",
                        escape(s["file"].get<std::string>()).c_str(), s["header_bytes"].get<unsigned long long>(),
                        s["data_offset"].get<unsigned long long>());
    }
    std::printf("size:    %llu bytes, %llu tensors, %llu parameters\n", r["size_bytes"].get<unsigned long long>(),
                r["tensor_count"].get<unsigned long long>(), r["parameters"].get<unsigned long long>());

    std::printf("\nmetadata (%zu):\n", r["metadata"].size());
    for (const auto& e : r["metadata"]) {
        const std::string key = escape(e["key"].get<std::string>(), 200);
        const std::string type = e["type"].get<std::string>();
        if (e.contains("length"))
            std::printf("  %-44s %-14s length %llu %s\n", key.c_str(), type.c_str(),
                        e["length"].get<unsigned long long>(), short_value(e["head"]).c_str());
        else
            std::printf("  %-44s %-14s %s\n", key.c_str(), type.c_str(), short_value(e["value"]).c_str());
    }

    const bool sharded = !r["tensors"].empty() && r["tensors"][0].contains("shard");
    std::printf("\ntensors (%zu; shapes row-major%s):\n", r["tensors"].size(),
                format == "gguf" ? ", GGUF ne reversed" : "");
    std::printf("  %-48s %-6s %-20s %12s %12s%s\n", "name", "dtype", "shape", "offset", "bytes", sharded ? "  shard" : "");
    for (const auto& t : r["tensors"]) {
        std::string shape = "[";
        for (std::size_t i = 0; i < t["shape"].size(); ++i) shape += (i ? ", " : "") + std::to_string(t["shape"][i].get<unsigned long long>());
        shape += "]";
        std::printf("  %-48s %-6s %-20s %12llu %12llu%s%s\n", escape(t["name"].get<std::string>(), 200).c_str(),
                    t["dtype"].get<std::string>().c_str(), shape.c_str(), t["offset"].get<unsigned long long>(),
                    t["bytes"].get<unsigned long long>(), sharded ? "  " : "",
                    sharded ? escape(t["shard"].get<std::string>()).c_str() : "");
    }

    std::printf("\narchitecture:\n");
    if (r["architecture"].is_null()) {
        std::printf("  none (%s)\n", escape(r["architecture_note"].get<std::string>()).c_str());
        return;
    }
    const auto& a = r["architecture"];
    std::printf("  %s from %s\n", a["architecture"].get<std::string>().c_str(),
                escape(r["architecture_source"].get<std::string>()).c_str());
    for (const auto& [k, v] : a.items())
        if (k != "architecture") std::printf("  %-22s %s\n", k.c_str(), short_value(v).c_str());
}

}  // namespace tessera::cli
