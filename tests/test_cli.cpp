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

result run(const std::vector<std::string>& args) {
    static temp_dir io_dir;
    std::string cmd = quote(TESSERA_CLI);
    // append, not "literal" + std::string: GCC 12 reports a false -Wrestrict on the latter.
    for (const auto& a : args) cmd.append(" ").append(quote(a));
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
