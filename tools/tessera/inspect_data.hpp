#pragma once
// What `tessera inspect` does with tensor data, on request:
//   --validate   decode every tensor to f32; a NaN/Inf value or GGUF block scale is an
//                `invalid_data` error naming the tensor (and the block, for GGUF)
//   --dump DIR   write every tensor decoded to f32 as DIR/<i>.f32 (raw little-endian floats)
//                plus DIR/index.tsv: "<i> TAB <name> TAB <dtype> TAB <d0,d1,...>" (row-major);
//                tools/reference/check_dequant.py compares these with gguf-py / safetensors
//   --timing     open the input 10 times and report the median open time, and the resident
//                memory the first open added (from /proc/self/statm, split into file-backed
//                pages and anonymous memory)
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "inspect_open.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/ops/dequantize.hpp"

namespace tessera::cli {

// Calls f(name, dtype name, decoded tensor) for every tensor, in file order.
template <class F>
void for_each_decoded(const opened_model& m, bool validate, F&& f) {
    if (m.gguf) {
        for (const auto& t : m.gguf->tensors())
            f(t.name, std::string(ops::to_string(t.type)), m.gguf->dequantize_f32(t.name, validate));
        return;
    }
    for (const auto& e : m.safetensors->tensors()) {
        const auto& t = *e.info;
        tensor<float> x = m.safetensors->load_f32(t.name);
        const bool floating = t.type == dtype::f32 || t.type == dtype::f16 || t.type == dtype::bf16 || t.type == dtype::f64;
        if (validate && floating) {
            const auto s = x.span();
            for (std::size_t i = 0; i < s.size(); ++i)
                if (!ops::detail::finite_bits(s[i]))
                    throw error(error_kind::invalid_data, m.input + ": tensor \"" + t.name + "\" element " +
                                                              std::to_string(i) + " is NaN or infinite (file byte " +
                                                              std::to_string(t.file_offset + i * size_of(t.type)) + ")");
        }
        f(t.name, std::string(io::safetensors_dtype_name(t.type)), std::move(x));
    }
}

inline void validate_all(const opened_model& m) {
    for_each_decoded(m, true, [](const std::string&, const std::string&, tensor<float>&&) {});
}

inline void dump_all(const opened_model& m, const std::filesystem::path& dir, bool validate) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw error(error_kind::io, dir.string() + ": cannot create: " + ec.message());
    std::ofstream index(dir / "index.tsv", std::ios::binary);
    std::size_t i = 0;
    for_each_decoded(m, validate, [&](const std::string& name, const std::string& dtype_name, tensor<float>&& x) {
        const auto file = dir / (std::to_string(i) + ".f32");
        std::ofstream out(file, std::ios::binary);
        out.write(reinterpret_cast<const char*>(x.data()), static_cast<std::streamsize>(x.numel() * sizeof(float)));
        if (!out) throw error(error_kind::io, file.string() + ": write failed");
        std::string shape;
        for (std::size_t d : x.dims()) {
            if (!shape.empty()) shape += ',';
            shape += std::to_string(d);
        }
        index << i << '\t' << name << '\t' << dtype_name << '\t' << shape << '\n';
        ++i;
    });
    if (!index) throw error(error_kind::io, (dir / "index.tsv").string() + ": write failed");
}

// ---- timing -----------------------------------------------------------------------------

struct open_measurement {
    int runs = 0;
    double median_ms = 0, min_ms = 0, max_ms = 0;
    long rss_delta_kib = 0, file_delta_kib = 0, anon_delta_kib = 0;  // first open, kept open
};

// /proc/self/statm: size resident shared(file-backed + shmem) ..., in pages.
struct statm_pages {
    long resident = 0, shared = 0;
};
inline statm_pages read_statm() {
    statm_pages p;
    long size = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%ld %ld %ld", &size, &p.resident, &p.shared) != 3) p = {};
        std::fclose(f);
    }
    return p;
}

inline open_measurement measure_open(const std::string& input, int runs = 10) {
    open_measurement r;
    r.runs = runs;
    const long page_kib = 4;  // x86-64 Linux
    {
        const statm_pages before = read_statm();
        const opened_model kept = open_model(input);
        const statm_pages after = read_statm();
        r.rss_delta_kib = (after.resident - before.resident) * page_kib;
        r.file_delta_kib = (after.shared - before.shared) * page_kib;
        r.anon_delta_kib = r.rss_delta_kib - r.file_delta_kib;
    }
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        {
            const opened_model m = open_model(input);
        }
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    r.min_ms = ms.front();
    r.max_ms = ms.back();
    r.median_ms = runs % 2 ? ms[runs / 2] : 0.5 * (ms[runs / 2 - 1] + ms[runs / 2]);
    return r;
}

}  // namespace tessera::cli
