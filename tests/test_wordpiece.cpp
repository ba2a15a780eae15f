// WordPiece (BERT) tokenizer:
//  * logic on a tiny committed vocabulary (tests/data/wordpiece_tiny_vocab.txt): greedy
//    longest match, "##" pieces, [UNK] rules, BertNormalizer and BertPreTokenizer steps,
//    byte and character offsets, truncation, padding, pairs, decode, special-token policy;
//  * loading: tokenizer.json and vocab.txt validation (hostile-input catalog);
//  * parity with HF tokenizers on the whole corpus (tests/data/tokenizer_corpus*.{jsonl,txt})
//    against goldens from tools/reference/make_wordpiece_goldens.py, when the
//    all-MiniLM-L6-v2 files are present ($TESSERA_MODELS or ~/.cache/tessera/models);
//  * vocab.txt + tokenizer_config.json give the same ids as tokenizer.json;
//  * ids_only (encode_ids) and right-truncation early stop give the same ids/mask/type ids;
//  * large inputs (a 16 MB single "word" is one [UNK]; repeated CJK) on the streaming paths.
#include <doctest/doctest.h>

#include "kind_of.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tessera/io/model_cache.hpp"
#include "tessera/text/tokenizer_json.hpp"
#include "tessera/text/wordpiece.hpp"

using namespace tessera;
using namespace tessera::text;
namespace fs = std::filesystem;

using tessera::testing::kind_of;

namespace {

fs::path data_dir() { return fs::path(__FILE__).parent_path() / "data"; }
fs::path golden_dir() { return fs::path(__FILE__).parent_path() / "golden" / "tokenizers"; }

fs::path minilm_dir() {
    return tessera::io::default_encoder_dir();
}

fs::path write_temp(const std::string& name, const std::string& content) {
    const fs::path p = fs::temp_directory_path() / ("tessera_wp_" + std::to_string(::getpid()) + "_" + name);
    std::ofstream(p, std::ios::binary) << content;
    return p;
}

wordpiece_tokenizer tiny() { return load_wordpiece_vocab_txt((data_dir() / "wordpiece_tiny_vocab.txt").string()); }

std::vector<std::int32_t> ids_of(const wordpiece_tokenizer& t, std::string_view s, bool special = false) {
    return t.encode(s, special).ids;
}

// Corpus inputs as raw bytes: text lines (JSON strings) then the hex byte lines.
std::vector<std::string> load_corpus() {
    std::vector<std::string> out;
    std::ifstream f(data_dir() / "tokenizer_corpus.jsonl");
    for (std::string line; std::getline(f, line);) out.push_back(nlohmann::json::parse(line).get<std::string>());
    std::ifstream b(data_dir() / "tokenizer_corpus_bytes.txt");
    for (std::string line; std::getline(b, line);) {
        std::string bytes;
        for (std::size_t i = 0; i + 1 < line.size(); i += 2) bytes.push_back(static_cast<char>(std::stoi(line.substr(i, 2), nullptr, 16)));
        out.push_back(bytes);
    }
    return out;
}

}  // namespace

TEST_CASE("wordpiece: greedy longest match with ## pieces") {
    const auto t = tiny();
    CHECK(t.vocab_size() == 43);
    CHECK(ids_of(t, "unaffable") == std::vector<std::int32_t>{5, 6, 7});
    CHECK(ids_of(t, "abc") == std::vector<std::int32_t>{13});          // whole word beats a + ##bc
    CHECK(ids_of(t, "abcb") == std::vector<std::int32_t>{13, 11});
    CHECK(ids_of(t, "abb") == std::vector<std::int32_t>{9, 11, 11});
    CHECK(ids_of(t, "abz") == std::vector<std::int32_t>{1});           // unmatched rest: whole word [UNK]
    CHECK(ids_of(t, "1999") == std::vector<std::int32_t>{39, 41, 40});  // ##99 before ##9
    const auto e = t.encode("hello unaffable", true);
    CHECK(t.tokens(e) == std::vector<std::string_view>{"[CLS]", "hello", "un", "##aff", "##able", "[SEP]"});
    CHECK(e.type_ids == std::vector<std::int32_t>(6, 0));
    CHECK(e.attention_mask == std::vector<std::int32_t>(6, 1));
    CHECK(e.special_tokens_mask == std::vector<std::int32_t>{1, 0, 0, 0, 0, 1});
    CHECK(e.offsets[3] == std::pair<std::size_t, std::size_t>{8, 11});
    CHECK(t.token_to_id("##able") == 7);
    CHECK(!t.token_to_id("nope"));
    CHECK(t.id_to_token(14) == "hello");
    CHECK(kind_of([&] { (void)t.id_to_token(43); }) == error_kind::out_of_range);
    CHECK(kind_of([&] { (void)t.id_to_token(-1); }) == error_kind::out_of_range);
}

TEST_CASE("wordpiece: max_input_chars_per_word counts characters, not bytes") {
    const auto t = tiny();
    const auto e100 = t.encode(std::string(100, 'x'), false);
    REQUIRE(e100.size() == 100);  // x ##x ... : 100 characters is allowed
    CHECK(e100.ids.front() == 29);
    CHECK(e100.ids.back() == 30);
    const auto e101 = t.encode(std::string(101, 'x'), false);
    CHECK(e101.ids == std::vector<std::int32_t>{1});
    CHECK(e101.offsets[0] == std::pair<std::size_t, std::size_t>{0, 101});
    // 60 two-byte characters = 120 bytes but 60 characters: not over the cap ("é" -> "e" has
    // no token here, so the word is [UNK] for the other reason, with the same span).
    std::string accents;
    for (int i = 0; i < 60; ++i) accents += "\xc3\xa9";
    const auto ea = t.encode(accents, false);
    CHECK(ea.ids == std::vector<std::int32_t>{1});
    CHECK(ea.offsets[0] == std::pair<std::size_t, std::size_t>{0, 120});
    CHECK(char_offsets(ea, accents)[0] == std::pair<std::size_t, std::size_t>{0, 60});
}

TEST_CASE("bert normalizer and pre-tokenizer steps") {
    const auto t = tiny();
    // Lowercase + accent stripping (strip_accents null follows lowercase), punctuation split.
    CHECK(ids_of(t, "CAF\xc3\x89, Hello!") == std::vector<std::int32_t>{23, 16, 14, 18});
    // Combining mark input (cafe + U+0301) strips the same way.
    CHECK(ids_of(t, "cafe\xcc\x81") == std::vector<std::int32_t>{23});
    // CJK ideographs become single words even without spaces.
    CHECK(ids_of(t, "\xe4\xbd\xa0\xe5\xa5\xbd" "abc") == std::vector<std::int32_t>{24, 25, 13});
    // clean_text: controls, NUL and U+FFFD vanish; \t \n \r and Unicode spaces split.
    CHECK(ids_of(t, std::string("hel\0lo", 6)) == std::vector<std::int32_t>{14});
    CHECK(ids_of(t, "hel\x07lo\xef\xbf\xbd") == std::vector<std::int32_t>{14});
    CHECK(ids_of(t, "hello\tworld\u3000hello\u00a0world") == std::vector<std::int32_t>{14, 15, 14, 15});
    // Zero-width space (Cf) is removed, so the word stays whole.
    CHECK(ids_of(t, "hel\u200blo") == std::vector<std::int32_t>{14});
    // ASCII symbols count as punctuation ($ - ' split), non-ASCII symbols do not.
    CHECK(ids_of(t, "$1-abc") == std::vector<std::int32_t>{38, 39, 42, 13});
    CHECK(ids_of(t, "don't") == std::vector<std::int32_t>{22, 20, 21});
    // U+0130 (İ): NFD gives I + U+0307, the mark is stripped, then lowercase -> "i".
    CHECK(t.tokens(t.encode("\xc4\xb0", false)) == std::vector<std::string_view>{"i"});
    // Without accent stripping, lowercase maps it to "i" + U+0307 (Rust's to_lowercase).
    const auto cfg = write_temp("no_strip_config.json", R"({"do_lower_case": true, "strip_accents": false})");
    const auto keep = load_wordpiece_vocab_txt((data_dir() / "wordpiece_tiny_vocab.txt").string(), cfg.string());
    fs::remove(cfg);
    const auto dotted = keep.encode("\xc4\xb0", false);
    CHECK(keep.tokens(dotted) == std::vector<std::string_view>{"i", "##\xcc\x87"});
    // Both pieces come from the one input character.
    CHECK(char_offsets(dotted, "\xc4\xb0") == std::vector<std::pair<std::size_t, std::size_t>>{{0, 1}, {0, 1}});
    CHECK(keep.encode("caf\xc3\xa9", false).ids == std::vector<std::int32_t>{1});  // é kept: no token
    // Invalid UTF-8 becomes U+FFFD, which clean_text removes; offsets stay in input bytes.
    const std::string invalid = "\xff" "abc\xe4\xbd";
    const auto e = t.encode(invalid, false);
    CHECK(e.ids == std::vector<std::int32_t>{13});
    CHECK(e.offsets[0] == std::pair<std::size_t, std::size_t>{1, 4});
    CHECK(char_offsets(e, invalid)[0] == std::pair<std::size_t, std::size_t>{1, 4});
    // Empty and whitespace-only inputs.
    CHECK(t.encode("", false).size() == 0);
    CHECK(t.tokens(t.encode(" \t\n ", true)) == std::vector<std::string_view>{"[CLS]", "[SEP]"});
}

TEST_CASE("byte and character offsets") {
    const auto t = tiny();
    const std::string text = "Caf\xc3\xa9 \xe4\xbd\xa0!";  // "Café 你!"
    const auto e = t.encode(text, false);
    REQUIRE(e.size() == 3);
    const auto chars = char_offsets(e, text);
    CHECK(e.offsets[0] == std::pair<std::size_t, std::size_t>{0, 5});
    CHECK(chars[0] == std::pair<std::size_t, std::size_t>{0, 4});
    CHECK(e.offsets[1] == std::pair<std::size_t, std::size_t>{6, 9});
    CHECK(chars[1] == std::pair<std::size_t, std::size_t>{5, 6});
    CHECK(e.offsets[2] == std::pair<std::size_t, std::size_t>{9, 10});
    CHECK(chars[2] == std::pair<std::size_t, std::size_t>{6, 7});
    // A pair: each sequence's offsets refer to its own input; template tokens get (0, 0).
    const std::string second = "\xe4\xbd\xa0 abc";
    const auto p = t.encode_pair(text, second);
    CHECK(char_offsets(p, text, second) ==
          std::vector<std::pair<std::size_t, std::size_t>>{{0, 0}, {0, 4}, {5, 6}, {6, 7}, {0, 0}, {0, 1}, {2, 5}, {0, 0}});
    CHECK(kind_of([&] { (void)char_offsets(t.encode_ids(text), text); }) == error_kind::invalid_argument);
}

TEST_CASE("ids_only and early stop under truncation give the same ids, type ids and mask") {
    const auto t = tiny();
    const std::vector<std::string> inputs = {"hello unaffable", "", "CAF\xc3\x89, Hello! \xe4\xbd\xa0\xe5\xa5\xbd",
                                             "x x x x x x x x x", "a[MASK]b \xff\xfe don't"};
    auto same = [](const encoding& full, const encoding& lean) {
        CHECK(lean.ids_only);
        CHECK(lean.ids == full.ids);
        CHECK(lean.type_ids == full.type_ids);
        CHECK(lean.attention_mask == full.attention_mask);
        CHECK(lean.offsets.empty());
        CHECK(lean.special_tokens_mask.empty());
        CHECK(full.offsets.size() == full.size());
    };
    padding_params pad;
    pad.fixed_length = 8;
    const auto truncated = t.with_truncation(truncation_params{.max_length = 5});
    const auto left = t.with_truncation(truncation_params{.max_length = 5, .direction = side::left});
    for (const auto& in : inputs) {
        CAPTURE(in);
        for (const auto* tok : {&t, &truncated, &left}) {
            for (bool special : {false, true}) {
                same(tok->encode(in, special), tok->encode_ids(in, special));
                const auto padded = tok->with_padding(pad);
                same(padded.encode(in, special), padded.encode_ids(in, special));
                same(tok->encode_pair(in, "abc b", encode_options{.add_special_tokens = special}),
                     tok->encode_pair(in, "abc b", encode_options{.add_special_tokens = special, .ids_only = true}));
            }
        }
        // Right truncation stops tokenizing early; the result is the full run cut (5 tokens
        // without the template; with it, 3 plus [CLS] and [SEP]).
        auto cut = t.encode(in, false);
        cut.truncate(5);
        CHECK(truncated.encode(in, false).ids == cut.ids);
        CHECK(truncated.encode(in, false).offsets == cut.offsets);
        auto cut3 = t.encode(in, false);
        cut3.truncate(3);
        auto with_template = truncated.encode(in, true).ids;
        if (with_template.size() >= 2) with_template = {with_template.begin() + 1, with_template.end() - 1};
        CHECK(with_template == cut3.ids);
        auto cut_left = t.encode(in, false);
        cut_left.truncate(5, true);
        CHECK(left.encode(in, false).ids == cut_left.ids);
    }
    const auto batch = t.with_padding(padding_params{}).encode_batch(
        std::vector<std::string>{"hello", "hello world abc"}, encode_options{.ids_only = true});
    REQUIRE(batch.size() == 2);
    CHECK(batch[0].ids == std::vector<std::int32_t>{2, 14, 3, 0, 0});
    CHECK(batch[0].attention_mask == std::vector<std::int32_t>{1, 1, 1, 0, 0});
    CHECK(batch[0].offsets.empty());
}

TEST_CASE("special-token text is literal unless the caller opts in") {
    const auto t = tiny();
    CHECK(ids_of(t, "[MASK] x") == std::vector<std::int32_t>{34, 36, 35, 29});
    const auto e = t.encode("a[MASK]b", encode_options{.add_special_tokens = false, .split_special_tokens = true});
    CHECK(e.ids == std::vector<std::int32_t>{9, 4, 10});
    CHECK(e.offsets[1] == std::pair<std::size_t, std::size_t>{1, 7});
    CHECK(e.special_tokens_mask[1] == 1);
}

TEST_CASE("pairs, truncation and padding") {
    const auto t = tiny();
    const auto p = t.encode_pair("hello world", "abc");
    CHECK(p.ids == std::vector<std::int32_t>{2, 14, 15, 3, 13, 3});
    CHECK(p.type_ids == std::vector<std::int32_t>{0, 0, 0, 0, 1, 1});
    CHECK(p.sequence_ids == std::vector<std::int8_t>{-1, 0, 0, -1, 1, -1});
    CHECK(p.offsets[4] == std::pair<std::size_t, std::size_t>{0, 3});

    const auto tr = t.with_truncation(truncation_params{.max_length = 6});
    // Single: 6 - 2 special = 4 tokens kept.
    CHECK(tr.encode("x x x x x x x").ids == std::vector<std::int32_t>{2, 29, 29, 29, 29, 3});
    // Pair, longest_first: 6 - 3 = 3 tokens shared; the short one (1) fits, the long gets 2.
    CHECK(tr.encode_pair("x x x x", "abc").ids == std::vector<std::int32_t>{2, 29, 29, 3, 13, 3});
    // Both long: 3 = 1 + 2 (the second gets the odd one).
    CHECK(tr.encode_pair("x x x x", "b b b b").ids == std::vector<std::int32_t>{2, 29, 3, 10, 10, 3});
    CHECK(kind_of([&] { (void)t.with_truncation(truncation_params{.max_length = 1}).encode("x"); }) ==
          error_kind::invalid_argument);

    padding_params pad;
    pad.fixed_length = 5;
    const auto e = t.with_padding(pad).encode("hello");
    CHECK(e.ids == std::vector<std::int32_t>{2, 14, 3, 0, 0});
    CHECK(e.attention_mask == std::vector<std::int32_t>{1, 1, 1, 0, 0});
    CHECK(t.tokens(e).back() == "[PAD]");
    CHECK(e.offsets.back() == std::pair<std::size_t, std::size_t>{0, 0});
    CHECK(e.sequence_ids == std::vector<std::int8_t>{-1, 0, -1, -1, -1});
    padding_params longest;  // BatchLongest, left side
    longest.direction = side::left;
    const auto batch = t.with_padding(longest).encode_batch(std::vector<std::string>{"hello", "hello world abc"});
    REQUIRE(batch.size() == 2);
    CHECK(batch[0].ids == std::vector<std::int32_t>{0, 0, 2, 14, 3});
    CHECK(batch[1].ids == std::vector<std::int32_t>{2, 14, 15, 13, 3});
    CHECK(t.encode("hello").size() == 3);  // with_padding returned a copy; t is unchanged
}

TEST_CASE("decode glues ## pieces and applies HF cleanup") {
    const auto t = tiny();
    CHECK(t.decode(t.encode("Hello, unaffable world! don't").ids) == "hello, unaffable world! don ' t");  // as HF
    const std::vector<std::int32_t> with_special{2, 14, 3};
    CHECK(t.decode(with_special) == "hello");
    CHECK(t.decode(with_special, false) == "[CLS] hello [SEP]");
    CHECK(kind_of([&] { (void)t.decode(std::vector<std::int32_t>{99}); }) == error_kind::out_of_range);
}

// Time and memory on 50/100 MB inputs are measured by bench/bench_tokenize.cpp (no timing
// thresholds here); these check the results of the streaming paths at a size where a
// quadratic path would still be visible as a hang.
TEST_CASE("large inputs: a 16 MB single word is one [UNK]; many words and CJK characters") {
    const auto t = tiny();
    const std::string big(16u << 20, 'x');
    const auto e = t.encode(big, false);
    REQUIRE(e.size() == 1);
    CHECK(e.ids[0] == 1);
    CHECK(e.offsets[0] == std::pair<std::size_t, std::size_t>{0, big.size()});
    std::string words;
    for (int i = 0; i < 200000; ++i) words += "x!";
    CHECK(t.encode(words, false).size() == 400000);
    // One repeated CJK character: one token each, 3 bytes apart.
    std::string cjk;
    for (int i = 0; i < 300000; ++i) cjk += "\xe4\xbd\xa0";
    const auto c = t.encode(cjk, false);
    REQUIRE(c.size() == 300000);
    CHECK(std::all_of(c.ids.begin(), c.ids.end(), [](std::int32_t id) { return id == 24; }));
    CHECK(c.offsets.back() == std::pair<std::size_t, std::size_t>{cjk.size() - 3, cjk.size()});
    CHECK(t.encode_ids(cjk, false).ids == c.ids);
}

TEST_CASE("tokenizer.json validation") {
    const std::string good = R"({"version":"1.0","truncation":null,"padding":null,"added_tokens":[
        {"id":1,"content":"[UNK]","special":true,"single_word":false,"lstrip":false,"rstrip":false,"normalized":false}],
      "normalizer":{"type":"BertNormalizer","clean_text":true,"handle_chinese_chars":true,"strip_accents":null,"lowercase":true},
      "pre_tokenizer":{"type":"BertPreTokenizer"},
      "post_processor":{"type":"BertProcessing","sep":["[SEP]",3],"cls":["[CLS]",2]},
      "decoder":{"type":"WordPiece","prefix":"##","cleanup":true},
      "model":{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##","max_input_chars_per_word":100,
               "vocab":{"[PAD]":0,"[UNK]":1,"[CLS]":2,"[SEP]":3,"hi":4,"##s":5}}})";
    auto wp = std::get<wordpiece_tokenizer>(parse_tokenizer_json(good));
    CHECK(wp.encode("His").ids == std::vector<std::int32_t>{2, 4, 5, 3});
    CHECK(wp.encode_pair("hi", "hi").type_ids == std::vector<std::int32_t>{0, 0, 0, 1, 1});
    auto bad = [&](const std::string& from, const std::string& to) {
        std::string s = good;
        const auto pos = s.find(from);
        REQUIRE(pos != std::string::npos);
        s.replace(pos, from.size(), to);
        return kind_of([&] { (void)parse_tokenizer_json(s); });
    };
    CHECK(bad(R"("type":"BertNormalizer")", R"("type":"NFKC")") == error_kind::unsupported);
    CHECK(bad(R"("type":"BertPreTokenizer")", R"("type":"ByteLevel")") == error_kind::unsupported);
    CHECK(bad(R"("type":"WordPiece","prefix")", R"("type":"Metaspace","prefix")") == error_kind::unsupported);
    CHECK(bad(R"("type":"WordPiece","unk_token")", R"("type":"Unigram","unk_token")") == error_kind::unsupported);
    CHECK(bad(R"("type":"BertProcessing")", R"("type":"RobertaProcessing")") == error_kind::unsupported);
    CHECK(bad(R"("hi":4,"##s":5)", R"("hi":4,"##s":4)") == error_kind::duplicate);           // repeated id
    CHECK(bad(R"("hi":4,"##s":5)", R"("hi":4,"hi":5)") == error_kind::duplicate);            // repeated token
    CHECK(bad(R"("hi":4,"##s":5)", R"("hi":4,"##s":9)") == error_kind::out_of_range);        // gap
    CHECK(bad(R"("hi":4,"##s":5)", R"("hi":4,"##s":-1)") == error_kind::out_of_range);
    CHECK(bad(R"("[UNK]":1,)", R"("[UNKNOWN]":1,)") == error_kind::inconsistent);            // no unk token
    CHECK(bad(R"("sep":["[SEP]",3])", R"("sep":["[SEP]",30])") == error_kind::out_of_range);
    CHECK(bad(R"({"id":1,"content":"[UNK]")", R"({"id":7,"content":"[UNK]")") == error_kind::out_of_range);
    CHECK(bad(R"("version":"1.0")", R"("version":"1.0",)") == error_kind::malformed);
    CHECK(bad(R"("version":"1.0")", "\"version\":\"\xff\"") == error_kind::malformed);
    CHECK(bad(R"("version":"1.0")", std::string(100, '[') + std::string(100, ']')) == error_kind::too_large);
    CHECK(kind_of([&] { (void)load_tokenizer_json("/nonexistent/tokenizer.json"); }) == error_kind::io);
}

TEST_CASE("vocab.txt validation: BOM, CRLF, blank and huge lines, duplicates") {
    CHECK(parse_vocab_txt("\xEF\xBB\xBF[UNK]\r\nhi\r\n", "v").size() == 2);
    CHECK(parse_vocab_txt("\xEF\xBB\xBF[UNK]\r\nhi\r\n", "v")[0] == "[UNK]");
    CHECK(parse_vocab_txt("[UNK]\nhi", "v")[1] == "hi");  // no final newline
    CHECK(kind_of([] { (void)parse_vocab_txt("[UNK]\n\nhi\n", "v"); }) == error_kind::invalid_data);
    CHECK(kind_of([] { (void)parse_vocab_txt("[UNK]\n" + std::string(5000, 'a') + "\n", "v"); }) == error_kind::too_large);
    CHECK(kind_of([] { (void)parse_vocab_txt("[UNK]\n\xc3\n", "v"); }) == error_kind::malformed);
    const auto dup = write_temp("dup_vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhi\nhi\n");
    CHECK(kind_of([&] { (void)load_wordpiece_vocab_txt(dup.string()); }) == error_kind::duplicate);
    const auto nounk = write_temp("nounk_vocab.txt", "[PAD]\n[CLS]\n[SEP]\n[MASK]\nhi\n");
    CHECK(kind_of([&] { (void)load_wordpiece_vocab_txt(nounk.string()); }) == error_kind::inconsistent);
    fs::remove(dup);
    fs::remove(nounk);
}

TEST_CASE("tokenizers are shareable: copies keep working after the original is gone") {
    std::optional<wordpiece_tokenizer> a = tiny();
    const wordpiece_tokenizer b = a->with_padding(std::nullopt);
    a.reset();
    CHECK(ids_of(b, "unaffable") == std::vector<std::int32_t>{5, 6, 7});
}

// ---- parity with HF tokenizers ------------------------------------------------------------

TEST_CASE("all-MiniLM-L6-v2: identical ids, offsets and decode vs HF on the whole corpus") {
    const fs::path path = minilm_dir() / "tokenizer.json";
    if (!fs::exists(path)) {
        MESSAGE("skipped: model not found at " << path.string());
        return;
    }
    const auto configured = load_wordpiece_tokenizer_json(path.string());
    const auto t = configured.with_truncation(std::nullopt).with_padding(std::nullopt);
    const auto corpus = load_corpus();
    std::ifstream g(golden_dir() / "minilm_wordpiece.jsonl");
    std::string line;
    REQUIRE(std::getline(g, line));  // header
    std::size_t n = 0, mismatched = 0;
    std::size_t n_text = 0;
    for (std::ifstream f(data_dir() / "tokenizer_corpus.jsonl"); std::getline(f, line);) ++n_text;
    while (std::getline(g, line)) {
        const auto rec = nlohmann::json::parse(line);
        const std::size_t idx = rec["i"].get<std::size_t>() + (rec["src"] == "bytes" ? n_text : 0);
        REQUIRE(idx < corpus.size());
        const std::string& input = corpus[idx];
        const auto e = t.encode(input, false);
        const auto es = t.encode(input, true);
        const auto es_ids = t.encode_ids(input, true);
        std::vector<std::pair<std::size_t, std::size_t>> offsets;
        for (const auto& o : rec["offsets"]) offsets.emplace_back(o[0].get<std::size_t>(), o[1].get<std::size_t>());
        const bool ok = e.ids == rec["ids"].get<std::vector<std::int32_t>>() && char_offsets(e, input) == offsets &&
                        es.ids == rec["ids_special"].get<std::vector<std::int32_t>>() && es_ids.ids == es.ids &&
                        t.decode(es.ids) == rec["decoded"].get<std::string>();
        if (!ok && ++mismatched <= 5) {
            CHECK_MESSAGE(false, "mismatch on corpus input " << idx << ": " << nlohmann::json(sanitize_utf8(input)).dump());
        }
        ++n;
    }
    CHECK(n == corpus.size());
    CHECK(mismatched == 0);
    MESSAGE("compared " << n << " inputs with HF tokenizers");

    // The file's own configuration (truncation 128, padding Fixed 128) and pairs.
    std::ifstream c(golden_dir() / "minilm_wordpiece_config.jsonl");
    const auto no_pad = configured.with_padding(std::nullopt);
    std::size_t pairs = 0;
    auto joined = [&](const nlohmann::json& r) {
        std::string s;
        for (std::size_t k = 0; k < r[1].get<std::size_t>(); ++k) s += (k ? " " : "") + corpus[r[0].get<std::size_t>() + k];
        return s;
    };
    while (std::getline(c, line)) {
        const auto rec = nlohmann::json::parse(line);
        encoding e;
        if (rec.contains("b")) {
            e = no_pad.encode_pair(joined(rec["a"]), joined(rec["b"]));
            ++pairs;
        } else {
            e = configured.encode(corpus[rec["a"].get<std::size_t>()]);
            const auto lean = configured.encode_ids(corpus[rec["a"].get<std::size_t>()]);
            CHECK(lean.ids == e.ids);
            CHECK(lean.attention_mask == e.attention_mask);
        }
        CHECK(e.ids == rec["ids"].get<std::vector<std::int32_t>>());
        CHECK(e.type_ids == rec["type_ids"].get<std::vector<std::int32_t>>());
        CHECK(e.attention_mask == rec["attention_mask"].get<std::vector<std::int32_t>>());
    }
    CHECK(pairs == 200);
}

TEST_CASE("all-MiniLM-L6-v2: vocab.txt + tokenizer_config.json give the same ids as tokenizer.json") {
    const fs::path dir = minilm_dir();
    if (!fs::exists(dir / "vocab.txt") || !fs::exists(dir / "tokenizer.json")) {
        MESSAGE("skipped: model not found at " << dir.string());
        return;
    }
    const auto from_json =
        load_wordpiece_tokenizer_json((dir / "tokenizer.json").string()).with_truncation(std::nullopt).with_padding(std::nullopt);
    const auto from_txt = load_wordpiece_vocab_txt((dir / "vocab.txt").string(), (dir / "tokenizer_config.json").string());
    CHECK(from_txt.vocab_size() == from_json.vocab_size());
    std::size_t differ = 0;
    const auto corpus = load_corpus();
    for (std::size_t i = 0; i + 1 < corpus.size(); ++i) {
        if (from_txt.encode(corpus[i]).ids != from_json.encode(corpus[i]).ids) ++differ;
        if (i % 10 == 0 && from_txt.encode_pair(corpus[i], corpus[i + 1]).type_ids !=
                               from_json.encode_pair(corpus[i], corpus[i + 1]).type_ids)
            ++differ;
    }
    CHECK(differ == 0);
}
