#pragma once
// tessera embed --model DIR [--normalize | --no-normalize] [--out FILE.npy]
//               [--pooling mean|cls|max] [--max-length N] [--batch-size N] [--threads N]
//
// Reads texts from stdin, one per line, and embeds them with a sentence-transformers model
// directory (embed/sentence_encoder.hpp). Without --out: one JSON array of floats per input
// line on stdout, in input order. With --out: a NumPy .npy file (format 1.0, '<f4',
// C order, shape (lines, dim)). Normalisation defaults to what the model directory says
// (all-MiniLM-L6-v2 has a Normalize module, so its rows are unit length); --normalize and
// --no-normalize force it. --model defaults to $TESSERA_MODELS/all-MiniLM-L6-v2 (or
// ~/.cache/tessera/models/all-MiniLM-L6-v2). Exit codes as every subcommand (cli.hpp).
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli.hpp"
#include "tessera/io/model_cache.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/embed/sentence_encoder.hpp"

namespace tessera::cli {

inline constexpr const char* embed_usage =
    "usage: tessera embed [--model DIR] [--normalize | --no-normalize] [--out FILE.npy]\n"
    "                     [--pooling mean|cls|max] [--max-length N] [--batch-size N] [--threads N]\n"
    "  stdin: one text per line; stdout: one JSON array of floats per line (or --out FILE.npy)\n"
    "  --model DIR     sentence-transformers directory (default $TESSERA_MODELS/all-MiniLM-L6-v2)\n"
    "  --normalize     unit-length rows (default: as the model directory says)\n"
    "  --out FILE.npy  write a float32 [lines, dim] NumPy array instead of JSON lines\n"
    "exit: 0 ok, 1 usage, 2 invalid input (one line on stderr)\n";

namespace embed_cli {

inline std::filesystem::path default_model_dir() {
    return tessera::io::default_encoder_dir();
}

inline bool parse_size(const std::string& s, std::size_t& out) {
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

// NPY format 1.0: magic, version, little-endian u16 header length, a Python dict literal
// padded with spaces and ended by '\n' so that the data starts on a 64-byte boundary.
inline void write_npy(const std::string& path, const float* data, std::size_t rows, std::size_t cols) {
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", " +
                         std::to_string(cols) + "), }";
    const std::size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header += '\n';
    std::FILE* f = std::fopen(path.c_str(), "wb");
    require(f != nullptr, error_kind::io, [&] { return path + ": cannot create"; });
    const unsigned char magic[8] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    const unsigned char len[2] = {static_cast<unsigned char>(header.size() & 0xff), static_cast<unsigned char>(header.size() >> 8)};
    bool ok = std::fwrite(magic, 1, 8, f) == 8 && std::fwrite(len, 1, 2, f) == 2 &&
              std::fwrite(header.data(), 1, header.size(), f) == header.size() &&
              std::fwrite(data, sizeof(float), rows * cols, f) == rows * cols;  // little-endian hosts only
    ok = std::fclose(f) == 0 && ok;
    require(ok, error_kind::io, [&] { return path + ": write failed"; });
}

}  // namespace embed_cli

inline int run_embed(const args& a) {
    std::filesystem::path model = embed_cli::default_model_dir();
    std::optional<std::string> out;
    embed::encode_options opt;
    std::size_t threads = std::max(1u, std::thread::hardware_concurrency());
    const auto bad = [&](const std::string& what) {
        std::fprintf(stderr, "tessera embed: %s\n%s", escape(what).c_str(), embed_usage);
        return exit_usage;
    };
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::string& s = a[i];
        const bool has_value = i + 1 < a.size();
        if (s == "-h" || s == "--help") {
            std::fputs(embed_usage, stdout);
            return exit_ok;
        } else if (s == "--normalize") {
            opt.normalize = true;
        } else if (s == "--no-normalize") {
            opt.normalize = false;
        } else if (!has_value && (s == "--model" || s == "--out" || s == "--pooling" || s == "--max-length" ||
                                  s == "--batch-size" || s == "--threads")) {
            return bad(s + " needs a value");
        } else if (s == "--model") {
            model = a[++i];
        } else if (s == "--out") {
            out = a[++i];
        } else if (s == "--pooling") {
            const std::string& v = a[++i];
            if (v == "mean") opt.pooling = embed::pooling_mode::mean;
            else if (v == "cls") opt.pooling = embed::pooling_mode::cls;
            else if (v == "max") opt.pooling = embed::pooling_mode::max;
            else return bad("--pooling must be mean, cls or max");
        } else if (s == "--max-length") {
            if (!embed_cli::parse_size(a[++i], opt.max_length)) return bad("--max-length needs a number");
        } else if (s == "--batch-size") {
            if (!embed_cli::parse_size(a[++i], opt.batch_size) || opt.batch_size == 0) return bad("--batch-size needs a positive number");
        } else if (s == "--threads") {
            if (!embed_cli::parse_size(a[++i], threads) || threads == 0) return bad("--threads needs a positive number");
        } else {
            return bad("unknown argument '" + s + "'");
        }
    }
    std::string input = model.string();
    try {
        const auto enc = embed::sentence_encoder::load(model);
        std::vector<std::string> lines;
        for (std::string line; std::getline(std::cin, line);) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            lines.push_back(std::move(line));
        }
        thread_pool pool(threads);
        const tensor<float> e = enc.encode(lines, opt, &pool);
        const std::size_t d = lines.empty() ? (opt.truncate_dim ? opt.truncate_dim : enc.dim()) : e.extent(1);
        if (out) {
            input = *out;
            embed_cli::write_npy(*out, e.data(), lines.size(), d);
            return exit_ok;
        }
        std::string buf;
        char num[32];
        for (std::size_t i = 0; i < lines.size(); ++i) {
            buf.assign(1, '[');
            for (std::size_t c = 0; c < d; ++c) {
                std::snprintf(num, sizeof num, c ? ",%.9g" : "%.9g", double(e(i, c)));
                buf += num;
            }
            buf += "]\n";
            std::fwrite(buf.data(), 1, buf.size(), stdout);
        }
        return std::fflush(stdout) == 0 ? exit_ok : report_invalid("embed", "stdout", error(error_kind::io, "write failed"));
    } catch (const error& e) {
        return report_invalid("embed", input, e);
    } catch (const std::exception& e) {
        return report_internal("embed", input, e);
    }
}

}  // namespace tessera::cli
