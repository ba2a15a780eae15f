// libFuzzer target: arbitrary bytes as user text, encoded and decoded by the real tokenizers.
//
// Tokenizers (loaded once, on the first input):
//   * byte-level BPE: SmolLM2's, from the GGUF the model cache holds (io/model_cache.hpp);
//     without the model, the small trained SmolLM-style tokenizer.json committed under
//     tests/golden/tokenizers/.
//   * WordPiece: all-MiniLM-L6-v2's tokenizer.json (with its truncation and padding to 128);
//     without the model, tests/data/wordpiece_tiny_vocab.txt.
// Properties checked (a violation calls __builtin_trap(), which libFuzzer reports as a crash):
//   BPE, with and without parse_special, no BOS/EOS:
//     every id lies in the vocabulary;
//     decode(encode(x)) == x for valid UTF-8 x (byte-level BPE is lossless), and
//     == sanitize_utf8(x) for invalid UTF-8 (U+FFFD per maximal invalid subpart, the policy
//     text/bpe.hpp documents) — with one exception the vocabulary decides: a byte that has no
//     token (SmolLM2 lacks 21 of the 256: 0x04, 0x06, 0x13, 0x14, 0x16, 0x1D, 0xC0, 0xC1,
//     0xF1, 0xF2, 0xF5..0xFF) is dropped when there is neither an unknown token nor byte
//     fallback, as HF's BPE model does; the expected text is then the sanitized input without
//     those bytes, sanitized again (a dropped lead byte leaves continuation bytes behind).
//     With an unknown token such inputs are only checked for the other properties;
//     the streaming detokenizer emits only valid UTF-8 and its pieces concatenate to decode().
//   WordPiece:
//     ids in the vocabulary; ids, type ids, attention mask (and offsets when present) have one
//     entry per token; offsets lie inside x; decode() is valid UTF-8; the ids-only path
//     (encode_ids) gives the same ids as the full encode.
// Any exception escaping (tessera::error included: encoding text never fails) is a finding.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/io/gguf.hpp"
#include "tessera/io/model_cache.hpp"
#include "tessera/text/bpe_gguf.hpp"
#include "tessera/text/byte_unicode.hpp"
#include "tessera/text/detokenizer.hpp"
#include "tessera/text/tokenizer_json.hpp"

namespace {

namespace fs = std::filesystem;
using namespace tessera;

struct tokenizers {
    std::unique_ptr<text::bpe_tokenizer> bpe;
    std::unique_ptr<text::wordpiece_tokenizer> wordpiece;
    std::array<bool, 256> spellable{};  // bytes the BPE vocabulary can spell
};

std::array<bool, 256> spellable_bytes(const text::bpe_tokenizer& tok);

const tokenizers& get() {
    static const tokenizers t = [] {
        tokenizers out;
        const fs::path source_dir = fs::path(__FILE__).parent_path().parent_path();
        std::error_code ec;
        if (const fs::path gguf = io::default_decoder_file(); fs::exists(gguf, ec)) {
            out.bpe = std::make_unique<text::bpe_tokenizer>(text::bpe_from_gguf(io::gguf_file::open(gguf.string())));
            std::fprintf(stderr, "fuzz_encode_decode: BPE from %s\n", gguf.c_str());
        } else {
            const fs::path json = source_dir / "tests" / "golden" / "tokenizers" / "bpe_small_smollm.json";
            out.bpe = std::make_unique<text::bpe_tokenizer>(text::bpe_from_tokenizer_json_file(json.string()));
            std::fprintf(stderr, "fuzz_encode_decode: BPE from %s (SmolLM2 GGUF not found)\n", json.c_str());
        }
        if (const fs::path json = io::default_encoder_dir() / "tokenizer.json"; fs::exists(json, ec)) {
            out.wordpiece = std::make_unique<text::wordpiece_tokenizer>(text::load_wordpiece_tokenizer_json(json.string()));
            std::fprintf(stderr, "fuzz_encode_decode: WordPiece from %s\n", json.c_str());
        } else {
            const fs::path vocab = source_dir / "tests" / "data" / "wordpiece_tiny_vocab.txt";
            out.wordpiece = std::make_unique<text::wordpiece_tokenizer>(text::load_wordpiece_vocab_txt(vocab.string()));
            std::fprintf(stderr, "fuzz_encode_decode: WordPiece from %s (MiniLM not found)\n", vocab.c_str());
        }
        out.spellable = spellable_bytes(*out.bpe);
        return out;
    }();
    return t;
}

void check(bool property) {
    if (!property) __builtin_trap();
}

// Which bytes the vocabulary can spell: as a byte-level token or a "<0xAB>" fallback token.
std::array<bool, 256> spellable_bytes(const text::bpe_tokenizer& tok) {
    std::array<bool, 256> ok{};
    for (unsigned b = 0; b < 256; ++b) {
        char fallback[8];
        std::snprintf(fallback, sizeof fallback, "<0x%02X>", b);
        ok[b] = tok.token_to_id(text::bytes_to_byte_level(std::string(1, char(b)))).has_value() ||
                (tok.spec().byte_fallback && tok.token_to_id(fallback).has_value());
    }
    return ok;
}

void check_bpe(const text::bpe_tokenizer& tok, const std::array<bool, 256>& spellable, std::string_view x) {
    std::string expected = text::is_valid_utf8(x) ? std::string(x) : text::sanitize_utf8(x);
    bool exact = true;  // false: an unspellable byte becomes the unknown token
    if (std::erase_if(expected, [&](char c) { return !spellable[static_cast<unsigned char>(c)]; }) > 0) {
        exact = !tok.unk_id().has_value();
        if (!text::is_valid_utf8(expected)) expected = text::sanitize_utf8(expected);
    }
    for (const bool parse_special : {false, true}) {
        const auto ids = tok.encode(x, {.add_special_tokens = false, .parse_special = parse_special});
        for (const std::int32_t id : ids) check(id >= 0 && std::size_t(id) < tok.vocab_size());
        const std::string decoded = tok.decode(ids);
        check(!exact || decoded == expected);
        text::incremental_detokenizer stream(tok);
        std::string streamed;
        for (const std::int32_t id : ids) {
            const std::string piece = stream.push(id);
            check(text::is_valid_utf8(piece));
            streamed += piece;
        }
        streamed += stream.finish();
        check(streamed == decoded);
    }
    const auto with_specials = tok.encode(x);  // BOS/EOS as the file asks
    (void)tok.decode(with_specials, /*skip_special_tokens=*/true);
}

void check_wordpiece(const text::wordpiece_tokenizer& tok, std::string_view x) {
    const auto e = tok.encode(x);
    const std::size_t n = e.ids.size();
    check(e.type_ids.size() == n && e.attention_mask.size() == n);
    check(e.offsets.empty() || e.offsets.size() == n);
    for (const std::int32_t id : e.ids) check(id >= 0 && std::size_t(id) < tok.vocab_size());
    for (const auto& [begin, end] : e.offsets) check(begin <= end && end <= x.size());
    check(text::is_valid_utf8(tok.decode(e.ids)));
    check(tok.encode_ids(x).ids == e.ids);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view x(reinterpret_cast<const char*>(data), size);
    const tokenizers& t = get();
    check_bpe(*t.bpe, t.spellable, x);
    check_wordpiece(*t.wordpiece, x);
    return 0;
}
