// embed/: sentence_encoder and product_catalog.
//  * without the real model: a sentence-transformers directory around the tiny random BERT
//    (tests/golden/embed/tiny_bert) with a 64-token vocab.txt: pooling modes, Normalize,
//    truncation, truncate_dim against a hand computation from bert_model::forward; config
//    files that ask for what is not implemented are errors; catalog JSONL errors;
//  * with all-MiniLM-L6-v2 (skipped with a message when absent; CI fetches it):
//    cosine >= 0.99999 to sentence-transformers for every golden sentence
//    (tests/golden/embed/sentences.*), the same top-10 products for every golden query
//    (queries.json), and embeddings bitwise independent of batch composition, batch size
//    and thread count.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <string>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "tessera/io/model_cache.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/embed/product_catalog.hpp"
#include "tessera/embed/sentence_encoder.hpp"

namespace fs = std::filesystem;
using namespace tessera;

namespace {

const fs::path golden_dir = fs::path(__FILE__).parent_path() / "golden" / "embed";
const fs::path data_dir = fs::path(__FILE__).parent_path().parent_path() / "data";

fs::path minilm_dir() {
    return tessera::io::default_encoder_dir();
}

bool have_minilm() {
    if (fs::exists(minilm_dir() / "model.safetensors")) return true;
    MESSAGE("skipped: model not found at " << minilm_dir().string());
    return false;
}

const embed::sentence_encoder& minilm() {
    static const embed::sentence_encoder enc = embed::sentence_encoder::load(minilm_dir());
    return enc;
}

struct temp_dir {
    fs::path path;
    temp_dir() {
        static int counter = 0;
        path = fs::temp_directory_path() /
               ("tessera_embed_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        fs::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    void write(const std::string& name, const std::string& text) const {
        fs::create_directories((path / name).parent_path());
        std::ofstream(path / name, std::ios::binary) << text;
    }
};

// A sentence-transformers directory around tiny_bert: vocab.txt of its 64 ids.
void make_tiny_st_dir(const temp_dir& t, const std::string& pooling_key, bool normalize_module) {
    fs::copy_file(golden_dir / "tiny_bert" / "model.safetensors", t.path / "model.safetensors");
    fs::copy_file(golden_dir / "tiny_bert" / "config.json", t.path / "config.json");
    std::string vocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n";
    const char* words[] = {"the", "a", "shoe", "boot", "rain", "red", "blue", "bag", "cup", "tea",
                           "water", "proof", "kid", "men", "women", "run", "walk", "hike", "cheap", "light"};
    for (const char* w : words) vocab += std::string(w) + "\n";
    for (int i = 0; i < 64 - 5 - 20; ++i) vocab += "##x" + std::to_string(i) + "\n";
    t.write("vocab.txt", vocab);
    std::string modules = R"([{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},
        {"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"})";
    if (normalize_module) modules += R"(,{"idx":2,"name":"2","path":"2_Normalize","type":"sentence_transformers.models.Normalize"})";
    t.write("modules.json", modules + "]");
    t.write("1_Pooling/config.json", "{\"word_embedding_dimension\": 32, \"" + pooling_key + "\": true}");
    t.write("sentence_bert_config.json", R"({"max_seq_length": 16, "do_lower_case": false})");
}

double cosine(const float* a, const float* b, std::size_t n) {
    double ab = 0, aa = 0, bb = 0;
    for (std::size_t i = 0; i < n; ++i) ab += double(a[i]) * b[i], aa += double(a[i]) * a[i], bb += double(b[i]) * b[i];
    return ab / std::sqrt(aa * bb);
}

double norm(const float* a, std::size_t n) {
    double s = 0;
    for (std::size_t i = 0; i < n; ++i) s += double(a[i]) * a[i];
    return std::sqrt(s);
}

}  // namespace

TEST_CASE("sentence_encoder: pooling, Normalize, truncation and truncate_dim on a tiny model") {
    const std::vector<std::string> texts = {"red rain boot", "the cheap blue bag", "", "tea cup",
                                            "kid run walk hike light water proof shoe boot men women the a red blue"};
    for (const char* key : {"pooling_mode_mean_tokens", "pooling_mode_cls_token", "pooling_mode_max_tokens"}) {
        CAPTURE(key);
        temp_dir t;
        make_tiny_st_dir(t, key, true);
        const auto enc = embed::sentence_encoder::load(t.path);
        CHECK(enc.dim() == 32);
        CHECK(enc.config().normalize);
        CHECK(enc.config().max_seq_length == 16);
        const tensor<float> e = enc.encode(texts, {.batch_size = 2});
        REQUIRE(e.dims() == shape{texts.size(), 32});
        nn::workspace ws;
        for (std::size_t i = 0; i < texts.size(); ++i) {
            CAPTURE(i);
            const std::vector<std::int32_t> ids = enc.tokenize(texts[i]);
            CHECK(ids.size() <= 16);
            CHECK(ids.front() == 2);  // [CLS]
            CHECK(ids.back() == 3);   // [SEP], kept by truncation
            const tensor<float> h = enc.model().forward(ids, {}, {}, 1, ws);  // [1, len, 32]
            std::vector<float> want(32, 0.0f);
            for (std::size_t c = 0; c < 32; ++c) {
                float acc = std::string(key).find("max") != std::string::npos ? -INFINITY : 0.0f;
                for (std::size_t r = 0; r < ids.size(); ++r) {
                    const float v = h(0, r, c);
                    if (std::string(key).find("max") != std::string::npos) acc = std::max(acc, v);
                    else if (std::string(key).find("mean") != std::string::npos) acc += v;
                }
                if (std::string(key).find("cls") != std::string::npos) acc = h(0, 0, c);
                if (std::string(key).find("mean") != std::string::npos) acc /= float(ids.size());
                want[c] = acc;
            }
            CHECK(cosine(e.data() + i * 32, want.data(), 32) > 0.999999);
            CHECK(std::fabs(norm(e.data() + i * 32, 32) - 1.0) < 1e-6);
        }
        CHECK(enc.tokenize(texts[4]).size() == 16);  // truncated to max_seq_length
        CHECK(enc.tokenize(texts[4], 5).size() == 5);
        // Without normalisation the same directions, other lengths.
        const tensor<float> raw = enc.encode(texts, {.normalize = false});
        CHECK(std::fabs(norm(raw.data(), 32) - 1.0) > 1e-3);
        CHECK(cosine(raw.data(), e.data(), 32) > 0.999999);
        // truncate_dim: the first d dims, renormalised.
        const tensor<float> cut = enc.encode(texts, {.truncate_dim = 8});
        REQUIRE(cut.dims() == shape{texts.size(), 8});
        CHECK(std::fabs(norm(cut.data(), 8) - 1.0) < 1e-6);
        CHECK(cosine(cut.data(), raw.data(), 8) > 0.999999);
    }
    temp_dir t;
    make_tiny_st_dir(t, "pooling_mode_mean_tokens", false);
    const auto plain = embed::sentence_encoder::load(t.path);
    CHECK_FALSE(plain.config().normalize);
    CHECK(plain.encode(std::vector<std::string>{}).numel() == 0);
    CHECK_THROWS_AS(plain.encode(texts, {.batch_size = 0}), tessera::error);
    CHECK_THROWS_AS(plain.encode(texts, {.max_length = 41}), tessera::error);
    CHECK_THROWS_AS(plain.encode(texts, {.truncate_dim = 33}), tessera::error);
}

TEST_CASE("sentence_encoder: configuration it cannot honour is an error") {
    {
        temp_dir t;
        make_tiny_st_dir(t, "pooling_mode_mean_sqrt_len_tokens", true);
        try {
            (void)embed::sentence_encoder::load(t.path);
            FAIL("expected an error");
        } catch (const tessera::error& e) {
            CHECK(e.kind() == error_kind::unsupported);
        }
    }
    {
        temp_dir t;
        make_tiny_st_dir(t, "pooling_mode_mean_tokens", true);
        t.write("modules.json", R"([{"type":"sentence_transformers.models.Transformer","path":""},
            {"type":"sentence_transformers.models.Pooling","path":"1_Pooling"},
            {"type":"sentence_transformers.models.Dense","path":"2_Dense"}])");
        CHECK_THROWS_AS((void)embed::sentence_encoder::load(t.path), tessera::error);
    }
    {
        temp_dir t;
        make_tiny_st_dir(t, "pooling_mode_mean_tokens", true);
        t.write("1_Pooling/config.json", R"({"word_embedding_dimension": 384, "pooling_mode_mean_tokens": true})");
        CHECK_THROWS_AS((void)embed::sentence_encoder::load(t.path), tessera::error);
    }
    {
        temp_dir t;
        make_tiny_st_dir(t, "pooling_mode_mean_tokens", true);
        t.write("modules.json", "[{\"type\": 3}]");
        CHECK_THROWS_AS((void)embed::sentence_encoder::load(t.path), tessera::error);
    }
    CHECK_THROWS_AS((void)embed::sentence_encoder::load("/nonexistent/tessera/model"), tessera::error);
}

TEST_CASE("read_catalog_jsonl: the sample catalog, and errors naming the line") {
    const auto items = embed::read_catalog_jsonl((data_dir / "catalog.jsonl").string());
    CHECK(items.size() == 225);
    CHECK(items[0].product.id == "SKU-11001");
    CHECK(items[0].product.category == "shoes");
    CHECK(items[0].product.price == doctest::Approx(599.0));
    CHECK(items[0].product.tags.contains("waterproof"));
    CHECK(items[0].text_en.starts_with("TrailGuard Waterproof Hiking Boots (Men's). Mid-cut"));
    CHECK(items[0].text_zh.find("。") != std::string::npos);
    const auto expect_error = [](const std::string& text, error_kind kind, const std::string& where) {
        temp_dir t;
        t.write("c.jsonl", text);
        try {
            (void)embed::read_catalog_jsonl((t.path / "c.jsonl").string());
            FAIL("expected an error for " << text);
        } catch (const tessera::error& e) {
            CHECK(e.kind() == kind);
            CHECK(std::string(e.what()).find(where) != std::string::npos);
        }
    };
    expect_error("{\"id\":\"A\",\"title_en\":\"x\"}\n{\"id\":\"A\",\"title_en\":\"y\"}\n", error_kind::duplicate, "c.jsonl:2");
    expect_error("{\"id\":\"A\",\"title_en\":\"x\"}\n\n{\"id\":\"B\",\"title_en\":\"x\",\"price\":-1}\n",
                 error_kind::invalid_data, "c.jsonl:3");
    expect_error("{\"id\":\"A\"}\n", error_kind::invalid_data, "c.jsonl:1");
    expect_error("{\"id\":\"A\",\"title_en\":\"x\",\"tags\":\"t\"}\n", error_kind::malformed, "c.jsonl:1");
    expect_error("[1,2]\n", error_kind::malformed, "c.jsonl:1");
    expect_error("{\"id\": \"A\", \n", error_kind::malformed, "c.jsonl:1");
}

TEST_CASE("all-MiniLM-L6-v2: cosine >= 0.99999 to sentence-transformers for every golden sentence") {
    if (!have_minilm()) return;
    std::ifstream mf(golden_dir / "sentences.json");
    const nlohmann::json manifest = nlohmann::json::parse(mf);
    const auto texts = manifest.at("texts").get<std::vector<std::string>>();
    const std::size_t dim = manifest.at("dim").get<std::size_t>();
    REQUIRE(texts.size() >= 500);
    std::vector<float> want(texts.size() * dim);
    std::ifstream bin(golden_dir / "sentences.bin", std::ios::binary);
    bin.read(reinterpret_cast<char*>(want.data()), std::streamsize(want.size() * sizeof(float)));
    REQUIRE(bin);
    thread_pool pool(2);
    const tensor<float> got = minilm().encode(texts, {.batch_size = 32}, &pool);
    REQUIRE(got.dims() == shape{texts.size(), dim});
    double worst = 1.0, sum = 0;
    std::size_t worst_i = 0, below = 0;
    for (std::size_t i = 0; i < texts.size(); ++i) {
        const double c = cosine(got.data() + i * dim, want.data() + i * dim, dim);
        sum += c;
        if (c < worst) worst = c, worst_i = i;
        if (!(c >= 0.99999)) {
            ++below;
            CHECK_MESSAGE(c >= 0.99999, "sentence " << i << ": cosine " << c << " for \"" << texts[i].substr(0, 80) << "\"");
        }
    }
    MESSAGE(texts.size() << " sentences: min cosine " << std::setprecision(9) << worst << " (sentence " << worst_i << "), mean "
                         << sum / double(texts.size()) << ", " << below << " below 0.99999");
}

TEST_CASE("all-MiniLM-L6-v2: embeddings are bitwise independent of batching and threads" * doctest::test_suite("concurrency")) {
    if (!have_minilm()) return;
    std::ifstream mf(golden_dir / "sentences.json");
    const auto all = nlohmann::json::parse(mf).at("texts").get<std::vector<std::string>>();
    std::vector<std::string> texts;
    for (std::size_t i = 0; i < all.size(); i += 11) texts.push_back(all[i]);  // ~54, short to long
    const auto& enc = minilm();
    const std::size_t d = enc.dim();
    const tensor<float> batched = enc.encode(texts, {.batch_size = 32});
    thread_pool pool(2);
    const tensor<float> batched2 = enc.encode(texts, {.batch_size = 7}, &pool);
    CHECK(std::memcmp(batched.data(), batched2.data(), batched.numel() * sizeof(float)) == 0);
    std::size_t equal = 0;
    embed::encoder_session session;
    for (std::size_t i = 0; i < texts.size(); ++i) {
        const std::string one[] = {texts[i]};
        const tensor<float> alone = enc.encode(one, {}, i % 2 ? &pool : nullptr, session);
        equal += std::memcmp(alone.data(), batched.data() + i * d, d * sizeof(float)) == 0;
    }
    CHECK(equal == texts.size());
    MESSAGE(equal << " of " << texts.size() << " sentences bitwise equal alone and in batches of 32 and 7, 1 and 2 threads");
}

TEST_CASE("all-MiniLM-L6-v2: the golden queries rank the same top-10 products") {
    if (!have_minilm()) return;
    std::ifstream qf(golden_dir / "queries.json");
    const nlohmann::json golden = nlohmann::json::parse(qf);
    const auto& queries = golden.at("queries");
    REQUIRE(queries.size() >= 50);
    thread_pool pool(2);
    const auto& enc = minilm();
    const auto cat = embed::product_catalog::build(enc, embed::read_catalog_jsonl((data_dir / "catalog.jsonl").string()), &pool);
    std::size_t same = 0, near_tie = 0;
    double max_score_diff = 0;
    for (const auto& q : queries) {
        const std::string text = q.at("query").get<std::string>();
        CAPTURE(text);
        const auto want_ids = q.at("top10").get<std::vector<std::string>>();
        const auto want_scores = q.at("scores").get<std::vector<double>>();
        const auto f = search::filter::parse(q.at("filter").get<std::string>());
        const auto hits = cat.search(enc.encode_one(text, {}, &pool), 10, f, &pool);
        REQUIRE(hits.size() == want_ids.size());
        bool identical = true, ties_only = true;
        for (std::size_t i = 0; i < hits.size(); ++i) {
            max_score_diff = std::max(max_score_diff, std::fabs(double(hits[i].score) - want_scores[i]));
            if (cat.item(hits[i].row).product.id == want_ids[i]) continue;
            identical = false;
            // A swap is acceptable only between products the reference scores within 1e-5.
            const auto it = std::find(want_ids.begin(), want_ids.end(), cat.item(hits[i].row).product.id);
            const double other = it == want_ids.end() ? -2.0 : want_scores[std::size_t(it - want_ids.begin())];
            if (!(std::fabs(other - want_scores[i]) <= 1e-5)) ties_only = false;
        }
        same += identical;
        near_tie += !identical && ties_only;
        CHECK_MESSAGE((identical || ties_only), "query \"" << text << "\" ranks other top-10 products");
    }
    CHECK(max_score_diff < 1e-4);
    MESSAGE(queries.size() << " golden queries: " << same << " identical top-10 lists, " << near_tie
                           << " differing only by swaps of products scored within 1e-5; max score difference "
                           << max_score_diff);
}
