// libFuzzer target: arbitrary bytes as a tokenizer.json (text/tokenizer_json.hpp). Anything but
// a tessera::error escaping, a sanitizer report, a timeout or an allocation over libFuzzer's
// limit is a finding. An accepted tokenizer (WordPiece or byte-level BPE) encodes a few fixed
// texts — plain, special-token text, invalid UTF-8, empty — and decodes the ids again, so the
// tables the loader built are exercised, not just parsed. Sizes are guarded by the loader's own
// tessera::limits (text size, JSON depth, array lengths); libFuzzer's -max_len bounds the rest.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "tessera/text/tokenizer_json.hpp"

namespace {

constexpr std::string_view texts[] = {
    "Hello, world! héllo wörld 你好 12345 don't",
    "<|im_start|>user\n[CLS] a [SEP] [MASK]<|im_end|>",
    "\xff\xfe bad \xc3 utf8 \xed\xa0\x80 \xf4\x90\x80\x80",
    "",
    "   \t\r\n  ",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace tessera::text;
    try {
        const auto tok = parse_tokenizer_json(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.json");
        if (const auto* wp = std::get_if<wordpiece_tokenizer>(&tok)) {
            for (std::string_view t : texts) {
                const auto e = wp->encode(t);
                (void)wp->decode(e.ids);
                (void)wp->decode(e.ids, /*skip_special_tokens=*/false);
                (void)wp->encode_pair(t, texts[0]);
            }
        } else if (const auto* bpe = std::get_if<bpe_tokenizer>(&tok)) {
            for (std::string_view t : texts) {
                const auto ids = bpe->encode(t);
                (void)bpe->decode(ids);
                (void)bpe->decode(bpe->encode(t, {.add_special_tokens = false, .parse_special = true}), true);
            }
        }
    } catch (const tessera::error&) {
    }
    return 0;
}
