// libFuzzer target: arbitrary bytes as a BERT vocab.txt plus, optionally, its
// tokenizer_config.json (text/tokenizer_json.hpp, parse_wordpiece_vocab_txt). The input is
// split at the first occurrence of `separator`: the part before is vocab.txt, the part after
// is tokenizer_config.json; without the separator there is no config (defaults). Anything but
// a tessera::error escaping, a sanitizer report or a timeout is a finding. An accepted
// tokenizer encodes and decodes a few fixed texts.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "tessera/text/tokenizer_json.hpp"

namespace {

constexpr std::string_view separator = "\n--- tokenizer_config.json ---\n";

constexpr std::string_view texts[] = {
    "Hello, world! unaffable Café 你好 İstanbul $1999",
    "[CLS] [MASK] a [SEP] b",
    "\xff\xfe bad \xc3 utf8",
    "",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    std::string_view vocab = input;
    std::optional<std::string_view> config;
    if (const std::size_t at = input.find(separator); at != std::string_view::npos) {
        vocab = input.substr(0, at);
        config = input.substr(at + separator.size());
    }
    try {
        const auto tok = tessera::text::parse_wordpiece_vocab_txt(vocab, "fuzz/vocab.txt", config,
                                                                  "fuzz/tokenizer_config.json");
        for (std::string_view t : texts) {
            const auto e = tok.encode(t);
            (void)tok.decode(e.ids);
            (void)tok.encode_pair(t, texts[0]);
        }
    } catch (const tessera::error&) {
    }
    return 0;
}
