// Every case of the hostile-input corpus (hostile_corpus.hpp), opened with the library's
// readers directly: the outcome must be the kind the catalog names (or success for the valid
// cases), and the message must name the file. The same corpus is run through
// `tessera inspect` by run_cli_corpus.cmake; under the ASan+UBSan build this test is the
// "sanitizer-clean over the whole corpus" check.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include <unistd.h>

#include "hostile/hostile_corpus.hpp"
#include "tessera/io/gguf.hpp"
#include "tessera/io/safetensors.hpp"
#include "tessera/models/config.hpp"

using namespace tessera;
namespace fs = std::filesystem;

namespace {

// Opens a case as a model loader would: the reader, then the config and its check against the
// tensors when the input carries a config, then (with `validate`) every tensor's data.
void open_case(const testing::corpus_case& c, const fs::path& p) {
    if (c.format == "safetensors") {
        const io::safetensors_file f(p.string());
        if (!c.validate) return;
        f.validate_finite();  // the library's opt-in NaN/Inf scan
        for (const auto& t : f.tensors()) (void)f.load_f32(t.name);
    } else if (c.format == "gguf") {
        const auto f = io::gguf_file::open(p.string());
        if (f.contains("general.architecture")) {
            const auto cfg = models::model_config::from_gguf(f);
            cfg.validate_against(models::tensor_listing(f), p.string());
        }
        if (c.validate) {
            f.validate_finite();  // one pass over the block scales, without decoding
            for (const auto& t : f.tensors()) (void)f.dequantize_f32(t.name, true);
        }
    } else {
        const io::safetensors_model m(p);
        const auto cfg = models::model_config::from_json_file(p / "config.json");
        cfg.validate_against(models::tensor_listing(m), p.string());
    }
}

}  // namespace

TEST_CASE("hostile corpus: every case gives its named error kind, with a message naming the file") {
    const fs::path dir = fs::temp_directory_path() / ("tessera_hostile_" + std::to_string(::getpid()));
    const auto cases = testing::all_corpus_cases();
    testing::write_corpus(dir, cases);
    std::size_t errors = 0, valid = 0;
    for (const auto& c : cases) {
        CAPTURE(c.name);
        const fs::path p = dir / c.name;
        std::string got = "ok", message;
        try {
            open_case(c, p);
        } catch (const error& e) {
            got = std::string(to_string(e.kind()));
            message = e.what();
        }
        CHECK(got == c.expect);
        if (got != "ok") {
            ++errors;
            CHECK_MESSAGE(message.find(c.name) != std::string::npos, message);
        } else {
            ++valid;
        }
    }
    MESSAGE(cases.size() << " cases: " << errors << " errors, " << valid << " valid");
    CHECK(cases.size() >= 100);
    std::error_code ec;
    fs::remove_all(dir, ec);
}

TEST_CASE("hostile corpus: generation is deterministic") {
    const fs::path a = fs::temp_directory_path() / ("tessera_hostile_a_" + std::to_string(::getpid()));
    const fs::path b = fs::temp_directory_path() / ("tessera_hostile_b_" + std::to_string(::getpid()));
    auto cases = testing::gguf_cases();
    for (auto& c : testing::safetensors_cases())
        if (c.name != "st_million_entries.safetensors") cases.push_back(std::move(c));
    testing::write_corpus(a, cases);
    testing::write_corpus(b, cases);
    for (const auto& c : cases) {
        CAPTURE(c.name);
        const io::mapped_file fa((a / c.name).string()), fb((b / c.name).string());
        REQUIRE(fa.size() == fb.size());
        CHECK(std::equal(fa.bytes().begin(), fa.bytes().end(), fb.bytes().begin()));
    }
    std::error_code ec;
    fs::remove_all(a, ec);
    fs::remove_all(b, ec);
}
