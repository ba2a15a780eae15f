#pragma once
// tessera tokenize --tokenizer PATH [--no-add-special] [--parse-special] [--jsonl] [--offsets]
//                  [--no-padding] [--no-truncation]
// tessera tokenize --tokenizer PATH --decode [--skip-special]
//
// Encodes stdin, one input per line, and writes one JSON array of ids per input; --decode
// reads one JSON array of ids per line and writes one JSON string per line.
//
// PATH is
//   * a tokenizer.json (WordPiece or byte-level BPE; text/tokenizer_json.hpp),
//   * a vocab.txt (BERT WordPiece), with the tokenizer_config.json next to it when there is one,
//   * a model directory: its tokenizer.json, else its vocab.txt,
//   * a .gguf file (its tokenizer.ggml.* metadata, text/bpe_gguf.hpp: "gpt2" byte-level BPE or
//     "llama" SentencePiece-style BPE; only the metadata is read, no weights are bound).
// A file is taken as GGUF when it starts with the GGUF magic, as tokenizer.json when its name
// ends in ".json", and as vocab.txt otherwise.
//
// Input: without --jsonl a line is the text (a final '\r' is dropped, so CRLF files work;
// invalid UTF-8 is tokenized as the library does: U+FFFD per maximal invalid subpart for
// WordPiece and byte-level BPE, raw bytes for SentencePiece). With --jsonl each line is a
// JSON string, so an input may hold newlines. A line that is not what the mode expects is an
// error naming the line: exit 2, after the outputs of the lines before it.
//
// Defaults follow HF: special tokens are added as the file's post-processor says (BERT:
// [CLS] ... [SEP]; SmolLM2: nothing; a GGUF: BOS/EOS as its add_bos/add_eos keys say);
// a tokenizer.json's truncation and padding apply as in HF `tokenizers` (all-MiniLM-L6-v2's
// pads every input to 128: --no-padding, --no-truncation turn them off). Special-token text
// inside an input is literal unless --parse-special (tessera's rule; HF parses it).
// --decode keeps special tokens unless --skip-special (transformers' decode default; HF
// `tokenizers`' Python decode skips them by default); invalid UTF-8 in the decoded bytes
// becomes U+FFFD, as HF's decode does, so every output line is valid JSON.
//
// --offsets writes {"ids": [...], "offsets": [[begin, end], ...]}: BYTE offsets [begin, end)
// into the input line's UTF-8 (for --jsonl: into the decoded string's UTF-8). HF's Python
// binding reports character offsets instead (its Rust core has these byte offsets); tokens
// the template or padding added get [0, 0] as in HF. See text/encoding.hpp (WordPiece) and
// text/bpe_offsets.hpp (BPE: a token holding part of a character spans the whole character).
//
// Exit codes as every subcommand (cli.hpp): 0 ok, 1 usage, 2 invalid input (the tokenizer
// file or a line of stdin; one line on stderr), 3 internal error.
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "tessera/core/limits.hpp"
#include "tessera/io/gguf.hpp"
#include "tessera/io/json_guard.hpp"
#include "tessera/text/bpe_gguf.hpp"
#include "tessera/text/bpe_offsets.hpp"
#include "tessera/text/tokenizer_json.hpp"

namespace tessera::cli {

inline constexpr const char* tokenize_usage =
    "usage: tessera tokenize --tokenizer PATH [--no-add-special] [--parse-special] [--jsonl]\n"
    "                        [--offsets] [--no-padding] [--no-truncation]\n"
    "       tessera tokenize --tokenizer PATH --decode [--skip-special]\n"
    "  stdin: one text per line; stdout: one JSON array of ids per line\n"
    "  --tokenizer PATH  a tokenizer.json, a vocab.txt, a model directory or a .gguf file\n"
    "  --no-add-special  do not add the special tokens the tokenizer adds ([CLS]/[SEP], BOS)\n"
    "  --parse-special   recognise special-token text in the input (default: literal text)\n"
    "  --jsonl           each input line is a JSON string (inputs may contain newlines)\n"
    "  --offsets         write {\"ids\": [...], \"offsets\": [[begin, end], ...]} (byte offsets)\n"
    "  --no-padding, --no-truncation   ignore a tokenizer.json's padding / truncation\n"
    "  --decode          read JSON arrays of ids, write JSON strings\n"
    "  --skip-special    with --decode: leave special tokens out\n"
    "exit: 0 ok, 1 usage, 2 invalid input (one line on stderr)\n";

namespace tokenize_cli {

namespace fs = std::filesystem;

inline bool starts_with_gguf_magic(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    char magic[4] = {};
    return f.read(magic, 4) && std::string_view(magic, 4) == "GGUF";
}

// The tokenizer at `path` (see the top of this file for what PATH may be).
inline text::loaded_tokenizer load(const std::string& path) {
    std::error_code ec;
    fs::path p(path);
    require(fs::exists(p, ec), error_kind::io, [&] { return path + ": no such file or directory"; });
    if (fs::is_directory(p, ec)) {
        if (fs::is_regular_file(p / "tokenizer.json", ec)) p /= "tokenizer.json";
        else if (fs::is_regular_file(p / "vocab.txt", ec)) p /= "vocab.txt";
        else throw error(error_kind::io, path + ": the directory has neither tokenizer.json nor vocab.txt");
    }
    const std::string file = p.string();
    if (starts_with_gguf_magic(p)) {
        const io::gguf_file f = io::gguf_file::open(file);
        return text::bpe_from_gguf(f);
    }
    if (p.extension() == ".json") return text::load_tokenizer_json(file);
    const fs::path config = p.parent_path() / "tokenizer_config.json";
    std::optional<std::string> config_path;
    if (fs::is_regular_file(config, ec)) config_path = config.string();
    return text::load_wordpiece_vocab_txt(file, config_path);
}

struct options {
    bool add_special = true, parse_special = false, jsonl = false, offsets = false;
    bool padding = true, truncation = true, decode = false, skip_special = false;
};

// One line of stdin as JSON (errors are malformed; the caller names the line).
inline nlohmann::json parse_line(const std::string& line) {
    io::check_json_text(line, 8, "JSON", 0);  // bounded depth (a string or a flat array needs 1)
    try {
        return nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error& e) {
        throw error(error_kind::malformed, "not valid JSON (at byte " + std::to_string(e.byte) + ")");
    }
}

inline std::vector<std::int32_t> parse_ids(const std::string& line) {
    const nlohmann::json j = parse_line(line);
    require(j.is_array(), error_kind::malformed, "expected a JSON array of token ids");
    std::vector<std::int32_t> ids;
    ids.reserve(j.size());
    for (const auto& v : j) {
        require(v.is_number_integer(), error_kind::malformed, "expected a JSON array of integer token ids");
        const bool negative = !v.is_number_unsigned() && v.get<std::int64_t>() < 0;
        require(!negative && v.get<std::uint64_t>() <= std::uint64_t(INT32_MAX), error_kind::out_of_range,
                [&] { return "token id " + v.dump() + " is outside 0..2147483647"; });
        ids.push_back(static_cast<std::int32_t>(v.get<std::int64_t>()));
    }
    return ids;
}

// stdout through a buffer that is written out whenever it passes a megabyte, so that a huge
// input line costs no second copy of its output as JSON text (tens of bytes a token).
class json_out {
public:
    void put(char c) { buf_ += c; }
    void put(std::string_view s) { buf_.append(s); }
    void put_int(std::size_t v) {
        char tmp[24];
        const auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
        buf_.append(tmp, r.ptr);
        if (buf_.size() >= flush_bytes) flush();
    }
    void flush() {
        require(std::fwrite(buf_.data(), 1, buf_.size(), stdout) == buf_.size(), error_kind::io, "stdout: write failed");
        buf_.clear();
    }

private:
    static constexpr std::size_t flush_bytes = std::size_t(1) << 20;
    std::string buf_;
};

inline void put_ids(json_out& out, const std::vector<std::int32_t>& ids) {
    out.put('[');
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i) out.put(',');
        out.put_int(static_cast<std::size_t>(ids[i]));
    }
    out.put(']');
}

inline void put_offsets(json_out& out, const std::vector<std::int32_t>& ids,
                        const std::vector<std::pair<std::size_t, std::size_t>>& offsets) {
    out.put("{\"ids\":");
    put_ids(out, ids);
    out.put(",\"offsets\":[");
    for (std::size_t i = 0; i < offsets.size(); ++i) {
        out.put(i ? ",[" : "[");
        out.put_int(offsets[i].first);
        out.put(',');
        out.put_int(offsets[i].second);
        out.put(']');
    }
    out.put("]}");
}

// Tokenizes or decodes every line of stdin, writing a line to stdout for each. `line` is the
// number of the line being worked on (0 before and after), for error messages.
inline void run(text::loaded_tokenizer& tok, const options& o, std::size_t& line_no) {
    if (auto* wp = std::get_if<text::wordpiece_tokenizer>(&tok)) {
        if (!o.padding) *wp = wp->with_padding(std::nullopt);
        if (!o.truncation) *wp = wp->with_truncation(std::nullopt);
    }
    text::bpe_workspace ws;
    std::optional<text::bpe_offset_aligner> aligner;  // BPE --offsets: made once
    std::string line, input;
    json_out out;
    std::vector<std::int32_t> ids;
    line_no = 0;
    while (std::getline(std::cin, line)) {
        ++line_no;
        if (o.decode) {
            ids = parse_ids(line);
            const std::string decoded = std::visit([&](const auto& t) { return t.decode(ids, o.skip_special); }, tok);
            out.put(nlohmann::json(decoded).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        } else {
            if (o.jsonl) {
                const nlohmann::json j = parse_line(line);
                require(j.is_string(), error_kind::malformed, "expected a JSON string");
                input = j.get<std::string>();
            } else {
                if (!line.empty() && line.back() == '\r') line.pop_back();
                input.swap(line);
            }
            if (auto* wp = std::get_if<text::wordpiece_tokenizer>(&tok)) {
                const text::encoding e = wp->encode(input, text::encode_options{.add_special_tokens = o.add_special,
                                                                                .split_special_tokens = o.parse_special,
                                                                                .ids_only = !o.offsets});
                if (o.offsets) put_offsets(out, e.ids, e.offsets);
                else put_ids(out, e.ids);
            } else {
                const auto& bpe = std::get<text::bpe_tokenizer>(tok);
                const text::bpe_encode_options bo{.add_special_tokens = o.add_special, .parse_special = o.parse_special};
                if (o.offsets) {
                    if (!aligner) aligner.emplace(bpe);
                    const text::encoding e = aligner->encode(input, bo, ws);
                    put_offsets(out, e.ids, e.offsets);
                } else {
                    ids.clear();
                    bpe.encode(input, bo, ws, ids);
                    put_ids(out, ids);
                }
            }
        }
        out.put('\n');
        out.flush();  // into stdio's buffer, a line at a time
    }
    line_no = 0;
    require(!std::cin.bad(), error_kind::io, "stdin: read failed");
    require(std::fflush(stdout) == 0, error_kind::io, "stdout: write failed");
}

}  // namespace tokenize_cli

inline int run_tokenize(const args& a) {
    std::optional<std::string> path;
    tokenize_cli::options o;
    const auto bad = [&](const std::string& what) {
        std::fprintf(stderr, "tessera tokenize: %s\n%s", escape(what).c_str(), tokenize_usage);
        return exit_usage;
    };
    bool any_encode_flag = false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::string& s = a[i];
        if (s == "-h" || s == "--help") {
            std::fputs(tokenize_usage, stdout);
            return exit_ok;
        } else if (s == "--tokenizer") {
            if (i + 1 >= a.size()) return bad("--tokenizer needs a value");
            path = a[++i];
        } else if (s == "--decode") {
            o.decode = true;
        } else if (s == "--skip-special") {
            o.skip_special = true;
        } else if (s == "--no-add-special" || s == "--parse-special" || s == "--jsonl" || s == "--offsets" ||
                   s == "--no-padding" || s == "--no-truncation") {
            any_encode_flag = true;
            if (s == "--no-add-special") o.add_special = false;
            else if (s == "--parse-special") o.parse_special = true;
            else if (s == "--jsonl") o.jsonl = true;
            else if (s == "--offsets") o.offsets = true;
            else if (s == "--no-padding") o.padding = false;
            else o.truncation = false;
        } else {
            return bad("unknown argument '" + s + "'");
        }
    }
    if (!path) return bad("--tokenizer is required");
    if (o.decode && any_encode_flag) return bad("--decode takes only --skip-special (its input is always JSON)");
    if (!o.decode && o.skip_special) return bad("--skip-special needs --decode");

    std::string input = *path;
    std::size_t line = 0;
    const auto where = [&] { return line ? "stdin line " + std::to_string(line) : input; };
    try {
        text::loaded_tokenizer tok = tokenize_cli::load(*path);
        input = "stdin";
        std::ios::sync_with_stdio(false);  // getline on std::cin at stdio speed
        tokenize_cli::run(tok, o, line);
        return exit_ok;
    } catch (const error& e) {
        return report_invalid("tokenize", where(), e);
    } catch (const std::exception& e) {
        return report_internal("tokenize", where(), e);
    }
}

}  // namespace tessera::cli
