// UTF-8 policy (maximal subparts -> U+FFFD), character properties from the generated UCD
// tables, and the normalization forms against a committed subset of the UCD's
// NormalizationTest.txt (tests/data/unicode_normalization_subset.txt, Unicode 15.0).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tessera/text/normalize.hpp"
#include "tessera/text/unicode.hpp"
#include "tessera/text/utf8.hpp"

using namespace tessera::text;

namespace {

std::string fffd(int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += "\xEF\xBF\xBD";
    return s;
}

std::string utf8_of(const std::vector<char32_t>& cps) {
    std::string s;
    for (char32_t c : cps) append_utf8(s, c);
    return s;
}

}  // namespace

TEST_CASE("utf8: decoding valid sequences of every length") {
    const std::string s = "a\xC3\xA9\xE4\xBD\xA0\xF0\x9F\x98\x80";  // a é 你 😀
    auto d = decode_utf8(s, 0);
    CHECK((d.cp == U'a' && d.length == 1 && d.valid));
    d = decode_utf8(s, 1);
    CHECK((d.cp == 0xE9 && d.length == 2 && d.valid));
    d = decode_utf8(s, 3);
    CHECK((d.cp == 0x4F60 && d.length == 3 && d.valid));
    d = decode_utf8(s, 6);
    CHECK((d.cp == 0x1F600 && d.length == 4 && d.valid));
    CHECK(decode_utf8(s, 10).length == 0);  // past the end: no progress, no read
    CHECK(is_valid_utf8(s));
    CHECK(utf8_count(s) == 4);
    // Boundaries of the well-formed table.
    CHECK(decode_utf8("\xED\x9F\xBF", 0).cp == 0xD7FF);
    CHECK(decode_utf8("\xEE\x80\x80", 0).cp == 0xE000);
    CHECK(decode_utf8("\xF4\x8F\xBF\xBF", 0).cp == 0x10FFFF);
    CHECK(decode_utf8("\xC2\x80", 0).cp == 0x80);
}

TEST_CASE("utf8: one U+FFFD per maximal invalid subpart") {
    CHECK(sanitize_utf8("\xF0\x9F\x98") == fffd(1));              // truncated 4-byte
    CHECK(sanitize_utf8("\xF0\x9F\x98z") == fffd(1) + "z");
    CHECK(sanitize_utf8("\xE0\x80\x80") == fffd(3));              // overlong 3-byte
    CHECK(sanitize_utf8("\xC0\xAF") == fffd(2));                  // overlong 2-byte
    CHECK(sanitize_utf8("\xED\xA0\x80") == fffd(3));              // surrogate
    CHECK(sanitize_utf8("\xF4\x90\x80\x80") == fffd(4));          // > U+10FFFF
    CHECK(sanitize_utf8("\xF8\x88\x80\x80\x80") == fffd(5));      // 5-byte form
    CHECK(sanitize_utf8("\x80\xBF") == fffd(2));                  // lone continuations
    CHECK(sanitize_utf8("\xE2\x82\x28") == fffd(1) + "(");        // broken by ASCII
    CHECK(sanitize_utf8("\xE4\xBD" "\xE4\xB8\x96") == fffd(1) + "\xE4\xB8\x96");
    CHECK(sanitize_utf8("ok") == "ok");
    CHECK(sanitize_utf8("") == "");
    CHECK(!is_valid_utf8("\xC3"));
    CHECK(!is_valid_utf8("\xED\xA0\x80"));
    auto d = decode_utf8("\xF0\x9F\x98", 0);
    CHECK((d.cp == replacement_character && d.length == 3 && !d.valid));
    d = decode_utf8("\xE0\x80", 0);
    CHECK((d.length == 1 && !d.valid));
    CHECK(utf8_count("\xE0\x80\x80z") == 4);
}

TEST_CASE("utf8: encoding, and surrogates become U+FFFD") {
    CHECK(utf8_of({0x24, 0xA2, 0x20AC, 0x10348}) == "$\xC2\xA2\xE2\x82\xAC\xF0\x90\x8D\x88");
    CHECK(utf8_of({0xD800}) == fffd(1));
    CHECK(utf8_of({0x110000}) == fffd(1));
    // Round trip of every scalar value.
    std::string all;
    for (char32_t c = 0; c <= 0x10FFFF; ++c)
        if (c < 0xD800 || c > 0xDFFF) append_utf8(all, c);
    CHECK(is_valid_utf8(all));
    std::size_t i = 0;
    bool ok = true;
    for (char32_t c = 0; c <= 0x10FFFF; ++c) {
        if (c >= 0xD800 && c <= 0xDFFF) continue;
        const auto d = decode_utf8(all, i);
        ok = ok && d.valid && d.cp == c && d.length == utf8_length(c);
        i += d.length;
    }
    CHECK(ok);
    CHECK(i == all.size());
}

TEST_CASE("utf8: complete prefix for streaming") {
    CHECK(utf8_complete_prefix("") == 0);
    CHECK(utf8_complete_prefix("abc") == 3);
    CHECK(utf8_complete_prefix("ab\xE4") == 2);
    CHECK(utf8_complete_prefix("ab\xE4\xBD") == 2);
    CHECK(utf8_complete_prefix("ab\xE4\xBD\xA0") == 5);
    CHECK(utf8_complete_prefix("\xF0\x9F\x98") == 0);
    CHECK(utf8_complete_prefix("x\xF0\x9F\x98\x80") == 5);
    CHECK(utf8_complete_prefix("ab\xE4\x41") == 4);   // invalid, already final
    CHECK(utf8_complete_prefix("ab\xE0\x80") == 4);   // E0 80 can never complete
    CHECK(utf8_complete_prefix("ab\x80\x80") == 4);   // stray continuations
    CHECK(utf8_complete_prefix("ab\xFF") == 3);
}

TEST_CASE("general categories and predicates") {
    CHECK(category(U'A') == general_category::Lu);
    CHECK(category(U'z') == general_category::Ll);
    CHECK(category(U'5') == general_category::Nd);
    CHECK(category(U' ') == general_category::Zs);
    CHECK(category(U'\n') == general_category::Cc);
    CHECK(category(U'$') == general_category::Sc);
    CHECK(category(U'-') == general_category::Pd);
    CHECK(category(0x4E2D) == general_category::Lo);   // 中
    CHECK(category(0x0301) == general_category::Mn);
    CHECK(category(0x01C5) == general_category::Lt);   // ǅ
    CHECK(category(0x2028) == general_category::Zl);
    CHECK(category(0x200B) == general_category::Cf);
    CHECK(category(0xE000) == general_category::Co);
    CHECK(category(0xD800) == general_category::Cs);
    CHECK(category(0x0378) == general_category::Cn);   // unassigned
    CHECK(category(0x1F600) == general_category::So);  // 😀
    CHECK(category(0x10FFFF) == general_category::Cn);
    CHECK(category(0x110000) == general_category::Cn);
    CHECK(category(0x2160) == general_category::Nl);   // Ⅰ
    CHECK(category(0x00BD) == general_category::No);   // ½
    CHECK(category(0x3001) == general_category::Po);   // 、
    CHECK(category(0xFF08) == general_category::Ps);   // （
    CHECK(is_letter(0xE9));
    CHECK(!is_letter(U'1'));
    CHECK(is_mark(0x0301));
    CHECK(is_number(0x0663));
    CHECK(is_punctuation(0x3002));
    CHECK(is_symbol(0x20AC));
    CHECK(is_separator(0x3000));
    CHECK(is_control(0x7F));
    CHECK(is_format(0xFEFF));
    for (char32_t c : {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x200A, 0x2028, 0x2029,
                       0x202F, 0x205F, 0x3000})
        CHECK(is_unicode_whitespace(c));
    for (char32_t c : {0x200B, 0xFEFF, 0x180E, 0x41, 0x1F})
        CHECK(!is_unicode_whitespace(c));
}

TEST_CASE("CJK ranges are BERT's (HF) exactly") {
    CHECK(is_cjk_ideograph(0x4E00));
    CHECK(is_cjk_ideograph(0x9FFF));
    CHECK(is_cjk_ideograph(0x3400));
    CHECK(is_cjk_ideograph(0xF900));
    CHECK(is_cjk_ideograph(0x2B81F));
    CHECK(!is_cjk_ideograph(0x2B820));  // HF leaves 0x2B820..0x2B91F out
    CHECK(is_cjk_ideograph(0x2B920));
    CHECK(!is_cjk_ideograph(0x3042));   // hiragana
    CHECK(!is_cjk_ideograph(0xAC00));   // hangul
    CHECK(!is_cjk_ideograph(0x3000));
}

TEST_CASE("HF BERT view: Unicode 8.0 categories") {
    CHECK(hf_bert_is_punctuation(U'$'));      // ASCII symbol counts
    CHECK(hf_bert_is_punctuation(0x3002));    // 。
    CHECK(!hf_bert_is_punctuation(0x20AC));   // € is Sc
    CHECK(!hf_bert_is_punctuation(0x1144B));  // Newa danda: P* since 9.0, not in HF's tables
    CHECK(is_punctuation(0x1144B));
    CHECK(hf_bert_is_punctuation(0x166D));    // Po in 8.0, So today
    CHECK(!is_punctuation(0x166D));
    CHECK(hf_bert_is_control(0x200B));
    CHECK(hf_bert_is_control(0xE000));
    CHECK(hf_bert_is_control(0x7F));
    CHECK(!hf_bert_is_control(U'\t'));
    CHECK(!hf_bert_is_control(U'\n'));
    CHECK(!hf_bert_is_control(U'\r'));
    CHECK(!hf_bert_is_control(0x0378));       // unassigned is not "other" for HF
    CHECK(hf_bert_is_nonspacing_mark(0x0301));
    CHECK(!hf_bert_is_nonspacing_mark(0x1885));  // Lo in 8.0, Mn today
}

TEST_CASE("lowercase") {
    CHECK(to_lower(U'A') == U'a');
    CHECK(to_lower(0xC5) == 0xE5);    // Å
    CHECK(to_lower(0x0391) == 0x03B1);
    CHECK(to_lower(0x0410) == 0x0430);
    CHECK(to_lower(0x1E9E) == 0xDF);  // ẞ
    CHECK(to_lower(0x130) == U'i');   // simple mapping
    CHECK(to_lower(0x4E2D) == 0x4E2D);
    CHECK(to_lower(0xFF21) == 0xFF41);  // full-width A
    CHECK(lowercase("\xC4\xB0stanbul \xC3\x85NGSTR\xC3\x96M") == "i\xCC\x87stanbul \xC3\xA5ngstr\xC3\xB6m");
}

TEST_CASE("normalization forms on examples") {
    CHECK(nfd("caf\xC3\xA9") == "cafe\xCC\x81");
    CHECK(nfc("cafe\xCC\x81") == "caf\xC3\xA9");
    CHECK(nfkc("\xEF\xAC\x81") == "fi");                 // ﬁ
    CHECK(nfkc("\xEF\xBC\xA1\xEF\xBC\x91") == "A1");    // full-width
    CHECK(nfd("\xEA\xB0\x80") == "\xE1\x84\x80\xE1\x85\xA1");  // 가 -> ᄀ ᅡ
    CHECK(nfc("\xE1\x84\x80\xE1\x85\xA1") == "\xEA\xB0\x80");
    // Canonical ordering: dot below (220) before acute (230).
    CHECK(nfd("a\xCC\x81\xCC\xA3") == "a\xCC\xA3\xCC\x81");
    CHECK(strip_accents_bert("\xC3\x85ngstr\xC3\xB6m na\xC3\xAFve") == "Angstrom naive");
    CHECK(nfc("") == "");
    CHECK(nfkd("\xFF") == fffd(1));
}

TEST_CASE("normalization forms match NormalizationTest.txt (committed subset)") {
    const auto path = std::filesystem::path(__FILE__).parent_path() / "data" / "unicode_normalization_subset.txt";
    std::ifstream f(path);
    REQUIRE(f.good());
    auto parse = [](const std::string& field) {
        std::vector<char32_t> cps;
        std::istringstream in(field);
        std::string hex;
        while (in >> hex) cps.push_back(static_cast<char32_t>(std::stoul(hex, nullptr, 16)));
        return utf8_of(cps);
    };
    std::size_t lines = 0, failures = 0;
    for (std::string line; std::getline(f, line);) {
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> c;
        std::size_t start = 0;
        for (int k = 0; k < 5; ++k) {
            const std::size_t semi = line.find(';', start);
            c.push_back(parse(line.substr(start, semi - start)));
            start = semi + 1;
        }
        const bool ok = nfc(c[0]) == c[1] && nfd(c[0]) == c[2] && nfkc(c[0]) == c[3] && nfkd(c[0]) == c[4] &&
                        nfc(c[2]) == c[1] && nfkc(c[4]) == c[3];
        if (!ok && ++failures <= 5) CHECK_MESSAGE(false, "NormalizationTest line: " << line);
        ++lines;
    }
    CHECK(lines > 2000);
    CHECK(failures == 0);
}
