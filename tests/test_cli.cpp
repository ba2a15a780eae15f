// The `tessera` command-line tool, run as a process (TESSERA_CLI is its path, set by CMake):
// exit codes, the one-line error format, --json output checked against the readers, --dump,
// --validate, --timing, and the real models when present. The whole hostile corpus is run
// through the tool by tests/hostile/run_cli_corpus.cmake.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "hostile/tiny_models.hpp"
#include "tessera/io/model_cache.hpp"
#include "tessera/io/gguf.hpp"
#include "tessera/io/safetensors.hpp"
#include "tessera/text/bpe_gguf.hpp"
#include "tessera/text/bpe_offsets.hpp"
#include "tessera/text/tokenizer_json.hpp"

#ifndef TESSERA_CLI
#error "TESSERA_CLI must name the tessera executable"
#endif

using namespace tessera;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

struct temp_dir {
    fs::path path;
    temp_dir() {
        static int n = 0;
        path = fs::temp_directory_path() / ("tessera_cli_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
        fs::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

std::string read_file(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

std::string quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

struct result {
    int code = -1;
    std::string out, err;
    std::size_t err_lines() const { return static_cast<std::size_t>(std::count(err.begin(), err.end(), '\n')); }
};

// `stdin_file`, when given, is the command's standard input.
result run(const std::vector<std::string>& args, const fs::path& stdin_file = {}) {
    static temp_dir io_dir;
    std::string cmd = quote(TESSERA_CLI);
    // append, not "literal" + std::string: GCC 12 reports a false -Wrestrict on the latter.
    for (const auto& a : args) cmd.append(" ").append(quote(a));
    if (!stdin_file.empty()) cmd.append(" <").append(quote(stdin_file.string()));
    const fs::path out = io_dir.path / "out", err = io_dir.path / "err";
    cmd.append(" >").append(quote(out.string())).append(" 2>").append(quote(err.string()));
    const int status = std::system(cmd.c_str());
    result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = read_file(out);
    r.err = read_file(err);
    return r;
}

fs::path models_dir() {
    return tessera::io::models_dir();
}

}  // namespace

TEST_CASE("usage errors exit 1 with usage on stderr; --help exits 0") {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {}, {"inspect"}, {"inspect", "--bogus", "x"}, {"inspect", "a", "b"}, {"frobnicate"}}) {
        CAPTURE(args.size());
        const result r = run(args);
        CHECK(r.code == 1);
        CHECK(r.err.find("usage") != std::string::npos);
        CHECK(r.out.empty());
    }
    const result help = run({"--help"});
    CHECK(help.code == 0);
    CHECK(help.out.find("inspect") != std::string::npos);
    CHECK(run({"inspect", "--help"}).code == 0);
}

TEST_CASE("inspect: a safetensors file; --json agrees with the reader tensor by tensor") {
    temp_dir d;
    const fs::path file = d.path / "w.safetensors";
    tensor<float> a({3, 4});
    for (std::size_t i = 0; i < a.numel(); ++i) a.data()[i] = float(i);
    tensor<f16> h({5});
    tensor<std::int32_t> ids({2, 2, 2});
    io::save_safetensors(file, {{"a", a}, {"h", h}, {"ids", ids}}, {{"format", "pt"}});

    const result r = run({"inspect", file.string(), "--json"});
    REQUIRE(r.code == 0);
    CHECK(r.err.empty());
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);  // exactly one JSON object, one line
    const json j = json::parse(r.out);
    CHECK(j["format"] == "safetensors");
    CHECK(j["metadata"][0]["key"] == "format");
    CHECK(j["metadata"][0]["value"] == "pt");
    CHECK(j["architecture"].is_null());
    const io::safetensors_file f(file.string());
    REQUIRE(j["tensors"].size() == f.size());
    for (std::size_t i = 0; i < f.size(); ++i) {
        const auto& t = f.tensors()[i];
        const json& e = j["tensors"][i];
        CHECK(e["name"] == t.name);
        CHECK(e["dtype"] == std::string(io::safetensors_dtype_name(t.type)));
        CHECK(e["shape"] == std::vector<std::size_t>(t.dims.begin(), t.dims.end()));
        CHECK(e["offset"] == t.file_offset);
        CHECK(e["bytes"] == t.byte_size);
    }
    CHECK(j["parameters"] == 12 + 5 + 8);

    const result text = run({"inspect", file.string()});
    CHECK(text.code == 0);
    CHECK(text.out.find("format:  safetensors") != std::string::npos);
    CHECK(text.out.find("tensors (3") != std::string::npos);
}

TEST_CASE("inspect: a tiny Llama GGUF: metadata, tensor table and architecture summary") {
    temp_dir d;
    const fs::path file = d.path / "tiny.gguf";
    testing::write_tiny_gguf_llama(file);
    const result r = run({"inspect", file.string(), "--json"});
    REQUIRE(r.code == 0);
    const json j = json::parse(r.out);
    CHECK(j["format"] == "gguf");
    CHECK(j["gguf"]["version"] == 3);
    const auto f = io::gguf_file::open(file.string());
    CHECK(j["gguf"]["data_offset"] == f.data_offset());
    REQUIRE(j["metadata"].size() == f.metadata().size());
    bool saw_tokens = false;
    for (const auto& e : j["metadata"]) {
        if (e["key"] == "llama.block_count") CHECK(e["value"] == 2);
        if (e["key"] == "tokenizer.ggml.tokens") {
            saw_tokens = true;
            CHECK(e["type"] == "array[string]");
            CHECK(e["length"] == 40);
            CHECK(e["head"].size() == 8);  // long arrays: type, length, first elements
            CHECK(e["head"][1] == "<s>");
        }
    }
    CHECK(saw_tokens);
    REQUIRE(j["tensors"].size() == f.tensors().size());
    for (std::size_t i = 0; i < f.tensors().size(); ++i) {
        const auto& t = f.tensors()[i];
        const json& e = j["tensors"][i];
        CHECK(e["name"] == t.name);
        CHECK(e["dtype"] == std::string(ops::to_string(t.type)));
        const auto s = t.row_major_shape();
        CHECK(e["shape"] == std::vector<std::size_t>(s.begin(), s.end()));
        CHECK(e["offset"] == f.data_offset() + t.offset);
        CHECK(e["bytes"] == t.bytes);
    }
    const json& a = j["architecture"];
    CHECK(a["architecture"] == "llama");
    CHECK(a["n_layers"] == 2);
    CHECK(a["n_kv_heads"] == 2);
    CHECK(a["tie_word_embeddings"] == true);

    const result text = run({"inspect", file.string()});
    CHECK(text.code == 0);
    CHECK(text.out.find("llama from GGUF metadata") != std::string::npos);
    CHECK(text.out.find("tokenizer.ggml.tokens") != std::string::npos);
}

TEST_CASE("inspect: model directories with config.json (BERT, GPT-2, Llama)") {
    temp_dir d;
    testing::write_tiny_safetensors_model(d.path / "bert", testing::tiny_bert_json());
    testing::write_tiny_safetensors_model(d.path / "gpt2", testing::tiny_gpt2_json());
    testing::write_tiny_safetensors_model(d.path / "llama", testing::tiny_llama_json());
    for (const char* name : {"bert", "gpt2", "llama"}) {
        CAPTURE(name);
        const result r = run({"inspect", (d.path / name).string(), "--json"});
        REQUIRE(r.code == 0);
        const json j = json::parse(r.out);
        CHECK(j["format"] == "safetensors_directory");
        CHECK(j["architecture"]["architecture"] == name);
        CHECK(j["architecture_source"] == (d.path / name / "config.json").string());
    }
    // The same weights with config.json beside a single file.
    const result single = run({"inspect", (d.path / "bert" / "model.safetensors").string(), "--json"});
    REQUIRE(single.code == 0);
    CHECK(json::parse(single.out)["architecture"]["hidden_size"] == 8);
}

TEST_CASE("inspect: invalid inputs give exit 2 and one stderr line naming the problem") {
    temp_dir d;
    const result missing = run({"inspect", (d.path / "absent.gguf").string()});
    CHECK(missing.code == 2);
    CHECK(missing.err_lines() == 1);
    CHECK(missing.err.find("tessera inspect: " + (d.path / "absent.gguf").string() + ": io: ") == 0);

    // A tensor name with a newline and a bad range: the line must not split.
    std::string header = "{\"a\\nb\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}";
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; ++i) bytes[std::size_t(i)] = char((header.size() >> (8 * i)) & 0xff);
    bytes += header + std::string(4, '\0');
    testing::write_text_file(d.path / "nl.safetensors", bytes);
    const result nl = run({"inspect", (d.path / "nl.safetensors").string()});
    CHECK(nl.code == 2);
    CHECK(nl.err_lines() == 1);
    CHECK(nl.err.find(": inconsistent: ") != std::string::npos);
    CHECK(nl.err.find("a\\x0ab") != std::string::npos);
    CHECK(nl.out.empty());

    // A config that disagrees with its tensors names the tensor.
    auto cfg = testing::tiny_bert_json();
    cfg["vocab_size"] = 31;
    testing::write_tiny_safetensors_model(d.path / "bad", cfg.dump(), testing::tiny_bert_json());
    const result bad = run({"inspect", (d.path / "bad").string()});
    CHECK(bad.code == 2);
    CHECK(bad.err_lines() == 1);
    CHECK(bad.err.find("embeddings.word_embeddings.weight") != std::string::npos);
    CHECK(bad.err.find("vocab_size = 31") != std::string::npos);
}

TEST_CASE("inspect --dump writes every tensor as the reader decodes it; --validate and --timing") {
    temp_dir d;
    const fs::path file = d.path / "tiny.gguf";
    testing::write_tiny_gguf_llama(file);
    const fs::path dump = d.path / "dump";
    REQUIRE(run({"inspect", file.string(), "--dump", dump.string()}).code == 0);
    const auto f = io::gguf_file::open(file.string());
    std::ifstream index(dump / "index.tsv");
    std::string line;
    std::size_t n = 0;
    while (std::getline(index, line)) {
        const auto& t = f.tensors()[n];
        CHECK(line.starts_with(std::to_string(n) + "\t" + t.name + "\t" + std::string(ops::to_string(t.type)) + "\t"));
        const auto want = f.dequantize_f32(t.name);
        const std::string got = read_file(dump / (std::to_string(n) + ".f32"));
        REQUIRE(got.size() == want.numel() * sizeof(float));
        CHECK(std::memcmp(got.data(), want.data(), got.size()) == 0);
        ++n;
    }
    CHECK(n == f.tensors().size());

    const result v = run({"inspect", file.string(), "--validate", "--json"});
    CHECK(v.code == 0);
    CHECK(json::parse(v.out)["validated"] == true);

    const result t = run({"inspect", file.string(), "--timing", "--json"});
    REQUIRE(t.code == 0);
    const json timing = json::parse(t.out)["timing"];
    CHECK(timing["opens"] == 10);
    CHECK(timing["open_ms_min"].get<double>() <= timing["open_ms_median"].get<double>());
    CHECK(timing["open_ms_median"].get<double>() <= timing["open_ms_max"].get<double>());
}

TEST_CASE("inspect: the real SmolLM2 GGUF and all-MiniLM-L6-v2 safetensors") {
    const fs::path smol = models_dir() / "SmolLM2-135M-Instruct" / "SmolLM2-135M-Instruct.Q4_1.gguf";
    if (fs::exists(smol)) {
        const result r = run({"inspect", smol.string(), "--json"});
        REQUIRE(r.code == 0);
        const json j = json::parse(r.out);
        CHECK(j["tensor_count"] == 272);
        CHECK(j["architecture"]["n_layers"] == 30);
        CHECK(j["architecture"]["hidden_size"] == 576);
        CHECK(j["architecture"]["n_kv_heads"] == 3);
        CHECK(j["architecture"]["vocab_size"] == 49152);
    } else {
        MESSAGE("skipped: model not found at " << smol.string());
    }
    const fs::path minilm = models_dir() / "all-MiniLM-L6-v2";
    if (fs::exists(minilm / "model.safetensors")) {
        const result r = run({"inspect", minilm.string(), "--json"});
        REQUIRE(r.code == 0);
        const json j = json::parse(r.out);
        CHECK(j["tensor_count"] == 104);
        CHECK(j["architecture"]["architecture"] == "bert");
        CHECK(j["architecture"]["n_layers"] == 6);
        CHECK(j["architecture"]["hidden_size"] == 384);
    } else {
        MESSAGE("skipped: model not found at " << minilm.string());
    }
}

// ---- tessera tokenize -----------------------------------------------------------------------

namespace {

// Runs the tool with `input` on stdin.
result run_stdin(const std::vector<std::string>& args, const std::string& input) {
    static temp_dir in_dir;
    const fs::path in = in_dir.path / "stdin";
    std::ofstream(in, std::ios::binary) << input;
    return run(args, in);
}

fs::path repo_tests_dir() { return fs::path(__FILE__).parent_path(); }

// Texts of the parity corpus (some hold newlines: give them with --jsonl).
std::vector<std::string> corpus_texts(std::size_t n) {
    std::ifstream f(repo_tests_dir() / "data" / "tokenizer_corpus.jsonl", std::ios::binary);
    std::vector<std::string> out;
    for (std::string line; out.size() < n && std::getline(f, line);) {
        if (line.empty()) continue;
        const json j = json::parse(line);
        out.push_back(j.is_string() ? j.get<std::string>() : j.at("text").get<std::string>());
    }
    return out;
}

std::string as_jsonl(const std::vector<std::string>& texts) {
    std::string s;
    for (const auto& t : texts) s += json(t).dump() + "\n";
    return s;
}

std::vector<json> output_lines(const std::string& out) {
    std::vector<json> rows;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) rows.push_back(json::parse(line));
    return rows;
}

// Encodes `texts` through the CLI (--jsonl) and checks every line against `expect(text, add_special)`
// (ids, offsets) for both special-token modes; then decodes the ids and checks the text
// against `decode(ids)`.
template <class Expect, class Decode>
void check_cli_tokenizer(const std::string& path, const std::vector<std::string>& texts, Expect&& expect,
                         Decode&& decode, std::vector<std::string> extra = {}) {
    for (const bool add_special : {true, false}) {
        CAPTURE(add_special);
        std::vector<std::string> args = {"tokenize", "--tokenizer", path, "--jsonl", "--offsets"};
        if (!add_special) args.push_back("--no-add-special");
        args.insert(args.end(), extra.begin(), extra.end());
        const result r = run_stdin(args, as_jsonl(texts));
        REQUIRE(r.code == 0);
        CHECK(r.err.empty());
        const auto rows = output_lines(r.out);
        REQUIRE(rows.size() == texts.size());
        std::string ids_lines;
        std::size_t differ = 0;
        for (std::size_t i = 0; i < texts.size(); ++i) {
            const auto want = expect(texts[i], add_special);  // {ids, offsets}
            const auto got_ids = rows[i].at("ids").get<std::vector<std::int32_t>>();
            const auto got_offsets = rows[i].at("offsets").get<std::vector<std::pair<std::size_t, std::size_t>>>();
            if ((got_ids != want.first || got_offsets != want.second) && ++differ <= 3)
                FAIL_CHECK("CLI differs from the library for " << json(texts[i]).dump());
            ids_lines += json(got_ids).dump() + "\n";
        }
        CHECK(differ == 0);
        // Without --offsets: the same ids, one plain array per line.
        std::vector<std::string> plain = {"tokenize", "--tokenizer", path, "--jsonl"};
        if (!add_special) plain.push_back("--no-add-special");
        plain.insert(plain.end(), extra.begin(), extra.end());
        const result p = run_stdin(plain, as_jsonl(texts));
        REQUIRE(p.code == 0);
        CHECK(p.out == ids_lines);
        // --decode: one JSON string per line, the library's decoding of the ids.
        const result d = run_stdin({"tokenize", "--tokenizer", path, "--decode"}, ids_lines);
        REQUIRE(d.code == 0);
        const auto decoded = output_lines(d.out);
        REQUIRE(decoded.size() == texts.size());
        const auto id_rows = output_lines(ids_lines);
        for (std::size_t i = 0; i < texts.size(); ++i)
            CHECK(decoded[i].get<std::string>() == decode(id_rows[i].get<std::vector<std::int32_t>>()));
    }
}

using offsets_t = std::vector<std::pair<std::size_t, std::size_t>>;

}  // namespace

TEST_CASE("tokenize: tokenizer.json and vocab.txt WordPiece (all-MiniLM-L6-v2): the CLI gives the library's ids and offsets") {
    const fs::path dir = tessera::io::default_encoder_dir();
    if (!fs::exists(dir / "tokenizer.json") || !fs::exists(dir / "vocab.txt")) {
        MESSAGE("skipped: model not found at " << dir.string());
        return;
    }
    const auto texts = corpus_texts(300);
    const auto from_json = text::load_wordpiece_tokenizer_json((dir / "tokenizer.json").string());
    const auto from_vocab = text::load_wordpiece_vocab_txt((dir / "vocab.txt").string(), (dir / "tokenizer_config.json").string());
    const auto expect_with = [](const text::wordpiece_tokenizer& t) {
        return [&t](const std::string& s, bool add) {
            const text::encoding e = t.encode(s, add);
            return std::pair{e.ids, offsets_t(e.offsets)};
        };
    };
    const auto decode_with = [](const text::wordpiece_tokenizer& t) {
        return [&t](const std::vector<std::int32_t>& ids) { return t.decode(ids, false); };
    };
    // The file's padding (Fixed 128) and truncation apply, as in HF tokenizers.
    check_cli_tokenizer((dir / "tokenizer.json").string(), texts, expect_with(from_json), decode_with(from_json));
    check_cli_tokenizer(dir.string(), texts, expect_with(from_json), decode_with(from_json));  // the directory: its tokenizer.json
    check_cli_tokenizer((dir / "vocab.txt").string(), texts, expect_with(from_vocab), decode_with(from_vocab));
    // --no-padding --no-truncation: the tokenizer without them.
    const auto bare = from_json.with_padding(std::nullopt).with_truncation(std::nullopt);
    check_cli_tokenizer((dir / "tokenizer.json").string(), texts, expect_with(bare), decode_with(bare),
                        {"--no-padding", "--no-truncation"});
    // BERT adds [CLS] ... [SEP].
    const result r = run_stdin({"tokenize", "--tokenizer", (dir / "vocab.txt").string()}, "Hello world\n");
    REQUIRE(r.code == 0);
    const auto ids = json::parse(r.out).get<std::vector<std::int32_t>>();
    REQUIRE(ids.size() >= 2);
    CHECK(ids.front() == *from_vocab.token_to_id("[CLS]"));
    CHECK(ids.back() == *from_vocab.token_to_id("[SEP]"));
}

TEST_CASE("tokenize: the SmolLM2 GGUF: the library's ids and offsets; --decode round-trips") {
    const fs::path gguf = tessera::io::default_decoder_file();
    if (!fs::exists(gguf)) {
        MESSAGE("skipped: model not found at " << gguf.string());
        return;
    }
    const auto f = io::gguf_file::open(gguf.string());
    const text::bpe_tokenizer tok = text::bpe_from_gguf(f);
    auto texts = corpus_texts(3000);  // the whole corpus
    texts.push_back("a <|im_end|> b");
    texts.push_back("\x1c\x1d\x1e\x1f info separators");  // 0x1D has no token: lost, as in HF
    const auto expect = [&](const std::string& s, bool add) {
        const text::encoding e = text::bpe_encode_full(tok, s, {.add_special_tokens = add});
        return std::pair{e.ids, offsets_t(e.offsets)};
    };
    check_cli_tokenizer(gguf.string(), texts, expect, [&](const std::vector<std::int32_t>& ids) { return tok.decode(ids); });
    // SmolLM2 adds nothing, and decode(encode(x)) == x through the CLI for inputs whose bytes
    // all have tokens (text/bpe.hpp): every corpus text but the few with 0x1D etc.
    const result enc = run_stdin({"tokenize", "--tokenizer", gguf.string(), "--jsonl"}, as_jsonl(texts));
    REQUIRE(enc.code == 0);
    const result dec = run_stdin({"tokenize", "--tokenizer", gguf.string(), "--decode"}, enc.out);
    REQUIRE(dec.code == 0);
    const auto back = output_lines(dec.out);
    REQUIRE(back.size() == texts.size());
    const auto dropped = text::detail::bpe_dropped_bytes(tok);
    std::size_t exact = 0, lossy = 0;
    for (std::size_t i = 0; i < texts.size(); ++i) {
        const bool all_have_tokens =
            std::none_of(texts[i].begin(), texts[i].end(), [&](char c) { return dropped[static_cast<unsigned char>(c)]; });
        if (all_have_tokens) {
            CHECK_MESSAGE(back[i].get<std::string>() == texts[i], json(texts[i]).dump());
            ++exact;
        } else {
            ++lossy;
        }
    }
    MESSAGE(exact << " of " << texts.size() << " texts round-trip exactly through tokenize | tokenize --decode; " << lossy
                  << " hold bytes SmolLM2 has no token for");
    // --parse-special: "<|im_end|>" becomes its control token.
    const result lit = run_stdin({"tokenize", "--tokenizer", gguf.string()}, "<|im_end|>\n");
    const result parsed = run_stdin({"tokenize", "--tokenizer", gguf.string(), "--parse-special"}, "<|im_end|>\n");
    CHECK(json::parse(parsed.out) == json::array({*tok.token_to_id("<|im_end|>")}));
    CHECK(json::parse(lit.out).size() > 1);
    // --skip-special drops it when decoding.
    const result skip = run_stdin({"tokenize", "--tokenizer", gguf.string(), "--decode", "--skip-special"}, parsed.out);
    CHECK(json::parse(skip.out) == "");
}

TEST_CASE("tokenize: a Gemma 3 (SentencePiece) GGUF when present: the library's ids") {
    const fs::path gguf = tessera::io::models_dir() / "gemma-3-270m" / "gemma-3-270m-q4_k_m.gguf";
    if (!fs::exists(gguf)) {
        MESSAGE("skipped: model not found at " << gguf.string());
        return;
    }
    const auto f = io::gguf_file::open(gguf.string());
    const text::bpe_tokenizer tok = text::bpe_from_gguf(f);
    const auto texts = corpus_texts(300);
    const auto expect = [&](const std::string& s, bool add) {
        const text::encoding e = text::bpe_encode_full(tok, s, {.add_special_tokens = add});
        return std::pair{e.ids, offsets_t(e.offsets)};
    };
    check_cli_tokenizer(gguf.string(), texts, expect, [&](const std::vector<std::int32_t>& ids) { return tok.decode(ids); });
}

TEST_CASE("tokenize: small tokenizer files without models; raw lines, invalid UTF-8, CRLF") {
    const fs::path golden = repo_tests_dir() / "golden" / "tokenizers";
    const std::string bpe_path = (golden / "bpe_small_llama3.json").string();  // TemplateProcessing BOS
    const text::bpe_tokenizer bpe = text::bpe_from_tokenizer_json_file(bpe_path);
    const auto texts = corpus_texts(200);
    check_cli_tokenizer(bpe_path, texts,
                        [&](const std::string& s, bool add) {
                            const text::encoding e = text::bpe_encode_full(bpe, s, {.add_special_tokens = add});
                            return std::pair{e.ids, offsets_t(e.offsets)};
                        },
                        [&](const std::vector<std::int32_t>& ids) { return bpe.decode(ids); });
    const std::string vocab = (repo_tests_dir() / "data" / "wordpiece_tiny_vocab.txt").string();
    const auto wp = text::load_wordpiece_vocab_txt(vocab);
    check_cli_tokenizer(vocab, {"hello world", "Unaffable!", "", "  "},
                        [&](const std::string& s, bool add) {
                            const text::encoding e = wp.encode(s, add);
                            return std::pair{e.ids, offsets_t(e.offsets)};
                        },
                        [&](const std::vector<std::int32_t>& ids) { return wp.decode(ids, false); });

    // Raw lines (no --jsonl): invalid UTF-8 is tokenized as the library does, a final '\r' is
    // dropped, an empty line is an empty input.
    const std::vector<std::string> lines = {"caf\xC3\xA9 \xF0\x9F\x98\x80", "bad \xC3\x28 bytes \xFF", "crlf", "", "last"};
    const result r = run_stdin({"tokenize", "--tokenizer", bpe_path}, lines[0] + "\n" + lines[1] + "\n" + lines[2] + "\r\n\n" + lines[4]);
    REQUIRE(r.code == 0);
    const auto rows = output_lines(r.out);
    REQUIRE(rows.size() == lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) CHECK(rows[i].get<std::vector<std::int32_t>>() == bpe.encode(lines[i]));
    // Offsets of invalid UTF-8 are byte offsets into the raw line.
    const result o = run_stdin({"tokenize", "--tokenizer", bpe_path, "--offsets"}, lines[1] + "\n");
    REQUIRE(o.code == 0);
    CHECK(json::parse(o.out).at("offsets").get<offsets_t>() == offsets_t(text::bpe_token_offsets(bpe, lines[1], bpe.encode(lines[1]))));
    // Decoding bytes that are not UTF-8 on their own still gives valid JSON (U+FFFD).
    const auto half = bpe.encode("\xF0\x9F\x98\x80");
    REQUIRE(half.size() > 1);
    const result d = run_stdin({"tokenize", "--tokenizer", bpe_path, "--decode"}, json(std::vector<std::int32_t>{half[1]}).dump() + "\n");
    REQUIRE(d.code == 0);
    CHECK(json::parse(d.out).get<std::string>() == bpe.decode(std::vector<std::int32_t>{half[1]}));
    CHECK(json::parse(d.out).get<std::string>().find("\xEF\xBF\xBD") != std::string::npos);
}

TEST_CASE("tokenize: errors: usage exit 1; a missing file, bad JSON, bad ids exit 2 with one line naming the line") {
    const std::string tok = (repo_tests_dir() / "golden" / "tokenizers" / "bpe_small_gpt2.json").string();
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"tokenize"},
             {"tokenize", "--bogus", "--tokenizer", tok},
             {"tokenize", "--tokenizer"},
             {"tokenize", "--tokenizer", tok, "--decode", "--offsets"},
             {"tokenize", "--tokenizer", tok, "--skip-special"}}) {
        CAPTURE(args.size());
        const result r = run_stdin(args, "x\n");
        CHECK(r.code == 1);
        CHECK(r.err.find("usage") != std::string::npos);
        CHECK(r.out.empty());
    }
    CHECK(run_stdin({"tokenize", "--help"}, "").code == 0);

    temp_dir d;
    const auto invalid = [&](const std::vector<std::string>& args, const std::string& input, const std::string& needle) {
        const result r = run_stdin(args, input);
        CHECK(r.code == 2);
        CHECK(r.err_lines() == 1);
        CHECK_MESSAGE(r.err.find(needle) != std::string::npos, r.err);
        return r;
    };
    invalid({"tokenize", "--tokenizer", (d.path / "missing.json").string()}, "x\n", "missing.json");
    invalid({"tokenize", "--tokenizer", d.path.string()}, "x\n", "neither tokenizer.json nor vocab.txt");
    std::ofstream(d.path / "broken.json") << "{\"model\": ";
    invalid({"tokenize", "--tokenizer", (d.path / "broken.json").string()}, "x\n", "broken.json");
    // Bad JSON on line 2: line 1's output is written, then one error line naming line 2.
    const result bad = invalid({"tokenize", "--tokenizer", tok, "--jsonl"}, "\"ok\"\n\"unterminated\n\"never\"\n", "stdin line 2");
    CHECK(std::count(bad.out.begin(), bad.out.end(), '\n') == 1);
    invalid({"tokenize", "--tokenizer", tok, "--jsonl"}, "42\n", "expected a JSON string");
    invalid({"tokenize", "--tokenizer", tok, "--jsonl"}, std::string(100000, '[') + "\n", "stdin line 1");
    invalid({"tokenize", "--tokenizer", tok, "--decode"}, "[1, 2]\n[1, \"x\"]\n", "stdin line 2");
    invalid({"tokenize", "--tokenizer", tok, "--decode"}, "[99999999]\n", "out_of_range");
    invalid({"tokenize", "--tokenizer", tok, "--decode"}, "[-1]\n", "out_of_range");
    invalid({"tokenize", "--tokenizer", tok, "--decode"}, "[4294967296]\n", "out_of_range");
}
