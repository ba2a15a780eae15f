// fuzz_make_seeds DIR: writes the seed inputs of the fuzz targets that the hostile corpus does
// not seed — fuzz_tokenizer_json, fuzz_vocab_txt, fuzz_encode_decode, fuzz_catalog, and the
// GGUF-metadata half of fuzz_config — into DIR/<target>/. Seeds are valid input (the tokenizer
// and catalog seeds are loaded back here, so one that stops loading fails the refresh), small
// (a few KiB: libFuzzer's -max_len follows the largest seed) and deterministic. Run by
// `scripts/fuzz.sh --refresh-seeds`; the result is committed under fuzz/corpus/.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <variant>

#include "hostile/tiny_files.hpp"
#include "tessera/text/tokenizer_json.hpp"

namespace {

using namespace tessera;
using namespace tessera::testing;

fs::path out_dir;
std::size_t written = 0;

void seed(const std::string& target, const std::string& name, const std::string& bytes) {
    fs::create_directories(out_dir / target);
    write_text_file(out_dir / target / name, bytes);
    ++written;
}

void tokenizer_json_seeds() {
    for (const char* flavour : {"gpt2", "llama3", "smollm"}) {
        const std::string text = trimmed_bpe_tokenizer_json(flavour).dump(1);
        (void)std::get<text::bpe_tokenizer>(text::parse_tokenizer_json(text, flavour));
        seed("fuzz_tokenizer_json", std::string("bpe_") + flavour + ".json", text);
    }
    auto wp = tiny_wordpiece_tokenizer_json();
    (void)std::get<text::wordpiece_tokenizer>(text::parse_tokenizer_json(wp.dump(1), "wp"));
    seed("fuzz_tokenizer_json", "wordpiece_minilm_layout.json", wp.dump(1));
    // Every optional component off or changed: no truncation, padding to the longest,
    // accents stripped without lowercasing, no pre-tokenizer or template.
    wp["truncation"] = nullptr;
    wp["padding"] = {{"strategy", "BatchLongest"}, {"direction", "Left"}, {"pad_to_multiple_of", 8},
                     {"pad_id", 0}, {"pad_type_id", 0}, {"pad_token", "[PAD]"}};
    wp["normalizer"]["strip_accents"] = true;
    wp["normalizer"]["lowercase"] = false;
    wp["pre_tokenizer"] = nullptr;
    wp["post_processor"] = nullptr;
    (void)std::get<text::wordpiece_tokenizer>(text::parse_tokenizer_json(wp.dump(), "wp2"));
    seed("fuzz_tokenizer_json", "wordpiece_variant.json", wp.dump());
}

void vocab_txt_seeds() {
    const std::string vocab = tiny_wordpiece_vocab_text();
    const std::string sep = "\n--- tokenizer_config.json ---\n";  // fuzz_vocab_txt.cpp splits here
    (void)text::parse_wordpiece_vocab_txt(vocab, "v");
    seed("fuzz_vocab_txt", "vocab_only.txt", vocab);
    const std::string cfg = tiny_tokenizer_config_json().dump(1);
    (void)text::parse_wordpiece_vocab_txt(vocab, "v", std::string_view(cfg), "c");
    seed("fuzz_vocab_txt", "vocab_with_config.txt", vocab + sep + cfg);
    // BOM, CRLF line ends, special tokens given as objects, cased with accents stripped.
    std::string crlf = "\xEF\xBB\xBF";
    for (char c : vocab) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    auto obj = tiny_tokenizer_config_json();
    obj["unk_token"] = {{"content", "[UNK]"}, {"lstrip", false}, {"normalized", false}};
    obj["do_lower_case"] = false;
    obj["strip_accents"] = true;
    (void)text::parse_wordpiece_vocab_txt(crlf, "v", std::string_view(obj.dump()), "c");
    seed("fuzz_vocab_txt", "vocab_bom_crlf_config.txt", crlf + sep + obj.dump());
}

// GGUF metadata as fuzz_config reads it (a JSON object, one member per key, "@type" suffixes).
void config_gguf_seeds() {
    const auto bpe = trimmed_bpe_tokenizer_json("smollm", 320);
    ordered_json tokens = ordered_json::array(), types = ordered_json::array(), merges = ordered_json::array();
    std::vector<std::string> by_id(320);
    for (const auto& [text, id] : bpe["model"]["vocab"].items()) by_id[id.get<std::size_t>()] = text;
    for (const auto& a : bpe["added_tokens"]) by_id[a["id"].get<std::size_t>()] = a["content"].get<std::string>();
    std::size_t n = 0;
    while (n < by_id.size() && !by_id[n].empty()) ++n;
    for (std::size_t i = 0; i < n; ++i) {
        tokens.push_back(by_id[i]);
        types.push_back(i < 3 ? 3 : 1);
    }
    for (const auto& m : bpe["model"]["merges"])
        merges.push_back(m.is_string() ? m.get<std::string>() : m[0].get<std::string>() + " " + m[1].get<std::string>());
    ordered_json smollm = {
        {"general.architecture", "llama"},
        {"general.name", "tiny smollm"},
        {"llama.vocab_size", n},
        {"llama.context_length", 64},
        {"llama.embedding_length", 32},
        {"llama.block_count", 2},
        {"llama.feed_forward_length", 64},
        {"llama.attention.head_count", 4},
        {"llama.attention.head_count_kv", 2},
        {"llama.rope.freq_base", 10000.0},
        {"llama.attention.layer_norm_rms_epsilon", 1e-5},
        {"tokenizer.ggml.model", "gpt2"},
        {"tokenizer.ggml.pre", "smollm"},
        {"tokenizer.ggml.tokens", tokens},
        {"tokenizer.ggml.token_type@i32", types},
        {"tokenizer.ggml.merges", merges},
        {"tokenizer.ggml.bos_token_id", 1},
        {"tokenizer.ggml.eos_token_id", 2},
        {"tokenizer.ggml.padding_token_id", 2},
        {"tokenizer.ggml.add_bos_token", false},
    };
    seed("fuzz_config", "gguf_meta_smollm.json", smollm.dump(1));
    // Other integer and float widths, key_length and rope scaling, no tokenizer.
    ordered_json typed = {
        {"general.architecture", "llama"},
        {"llama.vocab_size@u64", 40},
        {"llama.context_length@i64", 128},
        {"llama.embedding_length@u16", 64},
        {"llama.block_count@u8", 1},
        {"llama.feed_forward_length@i32", 128},
        {"llama.attention.head_count@u32", 8},
        {"llama.attention.head_count_kv@u64", 8},
        {"llama.attention.key_length", 8},
        {"llama.rope.dimension_count", 8},
        {"llama.rope.scaling.type", "linear"},
        {"llama.rope.scaling.factor@f64", 2.0},
        {"llama.attention.layer_norm_rms_epsilon@f64", 1e-6},
    };
    seed("fuzz_config", "gguf_meta_typed.json", typed.dump(1));
}

void encode_decode_seeds() {
    const std::pair<const char*, std::string> texts[] = {
        {"ascii.txt", "The quick brown fox jumps over the lazy dog. It's 12:45, isn't it?"},
        {"product.txt", "Men's Slim Fit Cotton T-Shirt (Pack of 3) - Navy/White/Grey, 4K UHD 55\" HDR10+"},
        {"unicode.txt", "héllo wörld — 你好世界 ¡Hola! Ελληνικά русский 日本語のテキスト 🙂👍🏽 e\xCC\x81 ﬁ İstanbul"},
        {"invalid_utf8.txt", "ok \xff\xfe \xc3( \xe2\x82 \xed\xa0\x80 \xf4\x90\x80\x80 \xc0\xaf \xf0\x9f\x98 end"},
        {"specials.txt", "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi [CLS] [SEP] [MASK]<|im_end|>"},
        {"whitespace.txt", "  leading\t\ttabs\r\nCRLF\n\n\n   trailing   \x0b\x0c\u00a0nbsp\u3000ideographic  "},
        {"digits.txt", "1234567890 3.14159 1,000,000 0x1F 2024-11-29 $19.99 100%"},
        {"long_word.txt", std::string(150, 'a') + " " + std::string(120, 'z') + "##" + std::string(30, 'q')},
        {"nul.txt", std::string("a\0b\0\0c", 6)},
        {"code.txt", "for (int i = 0; i < n; ++i) { sum += x[i] * y[i]; } // dot\n\tif x == y:\n\t\treturn None"},
    };
    for (const auto& [name, text] : texts) seed("fuzz_encode_decode", name, text);
}

void catalog_seeds() {
    const fs::path dir = out_dir / "fuzz_catalog";
    fs::create_directories(dir);
    auto save = [&](const std::string& name, auto&& object) {
        object.save((dir / name).string());
        ++written;
    };
    save("catalog_cosine.idx", tiny_catalog(6, 8));
    save("catalog_cosine_hnsw.idx", tiny_catalog(24, 4, search::metric::cosine, true));
    save("catalog_l2.idx", tiny_catalog(3, 5, search::metric::l2));
    save("catalog_dot_hnsw.idx", tiny_catalog(9, 3, search::metric::dot, true));
    save("catalog_empty.idx", tiny_catalog(0, 3));
    save("hnsw_l2.idx", tiny_hnsw(30, 4));
    save("hnsw_cosine.idx", tiny_hnsw(12, 6, search::metric::cosine));
    save("hnsw_empty.idx", tiny_hnsw(0, 2));
    for (const char* name : {"catalog_cosine.idx", "catalog_cosine_hnsw.idx", "catalog_l2.idx", "catalog_dot_hnsw.idx",
                             "catalog_empty.idx"})
        (void)search::catalog::load((dir / name).string());
    for (const char* name : {"hnsw_l2.idx", "hnsw_cosine.idx", "hnsw_empty.idx"})
        (void)search::hnsw_index::load((dir / name).string());
    const std::string f = "category=shoes AND price<300 AND stock>0 AND tag:waterproof AND color!=\"dark red\"";
    (void)search::filter::parse(f);
    seed("fuzz_catalog", "filter_expression.txt", f);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: fuzz_make_seeds DIR\n");
        return 1;
    }
    try {
        out_dir = argv[1];
        tokenizer_json_seeds();
        vocab_txt_seeds();
        config_gguf_seeds();
        encode_decode_seeds();
        catalog_seeds();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fuzz_make_seeds: %s\n", e.what());
        return 2;
    }
    std::printf("%zu seeds written to %s\n", written, argv[1]);
    return 0;
}
