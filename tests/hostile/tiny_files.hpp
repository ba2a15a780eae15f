#pragma once
// Small valid files of the kinds tessera reads besides model weights (tiny_models.hpp has
// those): tokenizer.json (byte-level BPE and WordPiece), vocab.txt + tokenizer_config.json,
// search catalogs and HNSW index files. Used by the fuzz seed generator (fuzz/make_seeds.cpp)
// and by the truncation sweeps (test_truncation.cpp). Deterministic.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "hostile/tiny_models.hpp"
#include "tessera/io/mapped_file.hpp"
#include "tessera/search/catalog.hpp"
#include "tessera/search/hnsw.hpp"

namespace tessera::testing {

// A scratch directory named after the test and the process, removed with its contents at
// the end of the scope.
struct temp_dir {
    fs::path path;
    explicit temp_dir(const std::string& prefix)
        : path(fs::temp_directory_path() / (prefix + std::to_string(::getpid()))) {
        fs::create_directories(path);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

inline std::vector<std::byte> read_bytes(const fs::path& p) {
    const io::mapped_file f(p.string(), io::mapped_file::mode::read_into_memory);
    return {f.bytes().begin(), f.bytes().end()};
}
inline void write_bytes(const fs::path& p, const std::vector<std::byte>& b) {
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

// tests/ in the source tree (this header lives in tests/hostile/).
inline fs::path tests_source_dir() { return fs::path(__FILE__).parent_path().parent_path(); }

inline std::string read_file_text(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    require(bool(f), error_kind::io, [&] { return p.string() + ": cannot open"; });
    return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// ---- tokenizers ----------------------------------------------------------------------------

// One of the small trained tokenizers in tests/golden/tokenizers/ ("gpt2", "llama3" or
// "smollm"; 2000 tokens, from tools/reference/) cut down to its first `keep` ids: the added
// tokens and the 256-byte alphabet come first in these files, so the cut keeps a complete
// byte-level vocabulary; merges are kept when both parts and their result survive.
inline ordered_json trimmed_bpe_tokenizer_json(const std::string& flavour, std::size_t keep = 384) {
    auto j = ordered_json::parse(read_file_text(tests_source_dir() / "golden" / "tokenizers" /
                                                ("bpe_small_" + flavour + ".json")));
    ordered_json vocab = ordered_json::object();
    std::set<std::string> kept;
    for (const auto& [text, id] : j["model"]["vocab"].items())
        if (id.get<std::size_t>() < keep) {
            vocab[text] = id;
            kept.insert(text);
        }
    ordered_json merges = ordered_json::array();
    for (const auto& m : j["model"]["merges"]) {
        std::string a, b;
        if (m.is_string()) {
            const std::string s = m.get<std::string>();
            a = s.substr(0, s.find(' '));
            b = s.substr(s.find(' ') + 1);
        } else {
            a = m[0].get<std::string>();
            b = m[1].get<std::string>();
        }
        if (kept.contains(a) && kept.contains(b) && kept.contains(a + b)) merges.push_back(m);
    }
    j["model"]["vocab"] = vocab;
    j["model"]["merges"] = merges;
    ordered_json added = ordered_json::array();
    for (const auto& a : j["added_tokens"])
        if (a["id"].get<std::size_t>() < keep) added.push_back(a);
    j["added_tokens"] = added;
    return j;
}

// tests/data/wordpiece_tiny_vocab.txt: 43 tokens, the five BERT specials first.
inline std::string tiny_wordpiece_vocab_text() {
    return read_file_text(tests_source_dir() / "data" / "wordpiece_tiny_vocab.txt");
}
inline std::vector<std::string> tiny_wordpiece_vocab() {
    std::vector<std::string> v;
    const std::string text = tiny_wordpiece_vocab_text();
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        if (nl > pos) v.push_back(text.substr(pos, nl - pos));
        pos = nl + 1;
    }
    return v;
}

// A WordPiece tokenizer.json laid out as all-MiniLM-L6-v2's (BertNormalizer, BertPreTokenizer,
// [CLS] $A [SEP] template, WordPiece decoder, truncation and fixed padding), over the tiny vocab.
inline ordered_json tiny_wordpiece_tokenizer_json() {
    const auto vocab = tiny_wordpiece_vocab();
    auto id_of = [&](const std::string& t) {
        for (std::size_t i = 0; i < vocab.size(); ++i)
            if (vocab[i] == t) return static_cast<int>(i);
        throw error(error_kind::inconsistent, "tiny vocab lacks " + t);
    };
    ordered_json added = ordered_json::array();
    for (const char* t : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"})
        added.push_back({{"id", id_of(t)}, {"content", t}, {"single_word", false}, {"lstrip", false},
                         {"rstrip", false}, {"normalized", false}, {"special", true}});
    ordered_json v = ordered_json::object();
    for (std::size_t i = 0; i < vocab.size(); ++i) v[vocab[i]] = i;
    auto special = [&](const char* t, int type_id) { return ordered_json{{"SpecialToken", {{"id", t}, {"type_id", type_id}}}}; };
    auto seq = [](const char* s, int type_id) { return ordered_json{{"Sequence", {{"id", s}, {"type_id", type_id}}}}; };
    return {
        {"version", "1.0"},
        {"truncation", {{"max_length", 16}, {"strategy", "LongestFirst"}, {"stride", 0}}},
        {"padding", {{"strategy", {{"Fixed", 16}}}, {"direction", "Right"}, {"pad_to_multiple_of", nullptr},
                     {"pad_id", 0}, {"pad_type_id", 0}, {"pad_token", "[PAD]"}}},
        {"added_tokens", added},
        {"normalizer", {{"type", "BertNormalizer"}, {"clean_text", true}, {"handle_chinese_chars", true},
                        {"strip_accents", nullptr}, {"lowercase", true}}},
        {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
        {"post_processor",
         {{"type", "TemplateProcessing"},
          {"single", {special("[CLS]", 0), seq("A", 0), special("[SEP]", 0)}},
          {"pair", {special("[CLS]", 0), seq("A", 0), special("[SEP]", 0), seq("B", 1), special("[SEP]", 1)}},
          {"special_tokens",
           {{"[CLS]", {{"id", "[CLS]"}, {"ids", {id_of("[CLS]")}}, {"tokens", {"[CLS]"}}}},
            {"[SEP]", {{"id", "[SEP]"}, {"ids", {id_of("[SEP]")}}, {"tokens", {"[SEP]"}}}}}}}},
        {"decoder", {{"type", "WordPiece"}, {"prefix", "##"}, {"cleanup", true}}},
        {"model", {{"type", "WordPiece"}, {"unk_token", "[UNK]"}, {"continuing_subword_prefix", "##"},
                   {"max_input_chars_per_word", 100}, {"vocab", v}}},
    };
}

// all-MiniLM-L6-v2's tokenizer_config.json, as transformers writes it.
inline ordered_json tiny_tokenizer_config_json() {
    return {{"do_lower_case", true},   {"unk_token", "[UNK]"},      {"sep_token", "[SEP]"},
            {"pad_token", "[PAD]"},    {"cls_token", "[CLS]"},      {"mask_token", "[MASK]"},
            {"tokenize_chinese_chars", true}, {"strip_accents", nullptr}, {"do_basic_tokenize", true},
            {"never_split", nullptr},  {"tokenizer_class", "BertTokenizer"}, {"model_max_length", 512}};
}

// ---- search catalogs and HNSW indexes -------------------------------------------------------

// `n` products with embeddings of `dim` deterministic values; every third product is out of
// stock, products carry a category, a tag or two and an attribute. With `index`, an HNSW
// graph (M = 4) is built, so the file gets an HNSW section.
inline search::catalog tiny_catalog(std::size_t n, std::size_t dim, search::metric kind = search::metric::cosine,
                                    bool index = false) {
    search::catalog c(dim, kind);
    static const char* const categories[] = {"shoes", "shirts", "bottles"};
    for (std::size_t i = 0; i < n; ++i) {
        search::product p;
        p.id = "sku-" + std::to_string(i);
        p.text = "product number " + std::to_string(i);
        p.category = categories[i % 3];
        p.price = 10.0 + double(i) * 2.5;
        p.stock = i % 3 == 0 ? 0 : std::int64_t(i);
        p.tags.insert(i % 2 ? "waterproof" : "cotton");
        if (i % 4 == 0) p.tags.insert("sale");
        p.attributes["color"] = i % 2 ? "red" : "navy";
        std::vector<float> e(dim);
        for (std::size_t j = 0; j < dim; ++j) e[j] = tiny_value(500 + i, j) + (j == i % dim ? 1.0f : 0.0f);
        c.add(std::move(p), e);
    }
    if (index) c.build_index({.M = 4, .ef_construction = 16, .ef_search = 8});
    return c;
}

// An HNSW index over `n` deterministic vectors (M = 4); every fifth node marked deleted.
inline search::hnsw_index tiny_hnsw(std::size_t n, std::size_t dim, search::metric kind = search::metric::l2) {
    search::hnsw_index ix(dim, {.M = 4, .ef_construction = 16, .ef_search = 8, .kind = kind});
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<float> v(dim);
        for (std::size_t j = 0; j < dim; ++j) v[j] = tiny_value(900 + i, j);
        ix.add(v);
    }
    for (std::size_t i = 0; i < n; i += 5) ix.mark_deleted(i);
    return ix;
}

}  // namespace tessera::testing
