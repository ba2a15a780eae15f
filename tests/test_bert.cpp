// models/bert.hpp: the BERT encoder.
//  * against transformers' BertModel: a random-weight 2-layer model (tests/golden/embed/
//    tiny_bert, made by tools/reference/make_embedding_goldens.py) on a padded batch with
//    token types, every row compared (padded rows too: HF computes them the same way);
//  * a sequence alone, packed with others, or padded in a batch gives bitwise the same
//    hidden states, for 1 and 2 threads;
//  * config/tensor mismatches, bad ids and over-long sequences are errors;
//  * the real all-MiniLM-L6-v2 loads and runs when present (sentence-level parity with
//    sentence-transformers is in test_embed.cpp).
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "golden/attention/goldens.hpp"
#include "tessera/io/model_cache.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/models/bert.hpp"

namespace fs = std::filesystem;
using namespace tessera;

namespace {

const fs::path tiny_dir = fs::path(__FILE__).parent_path() / "golden" / "embed" / "tiny_bert";

fs::path models_dir() {
    return tessera::io::models_dir();
}

struct tiny_io {
    std::vector<std::size_t> lengths;
    std::size_t batch = 0, seq = 0;
    std::vector<std::int32_t> ids, types, mask;
    tensor<float> hidden;  // [batch, seq, H]
};

const tiny_io& tiny() {
    static const tiny_io io = [] {
        std::ifstream f(tiny_dir / "io.json");
        const nlohmann::json j = nlohmann::json::parse(f);
        tiny_io r;
        r.lengths = j.at("lengths").get<std::vector<std::size_t>>();
        const auto ids = j.at("input_ids").get<std::vector<std::vector<std::int32_t>>>();
        const auto types = j.at("token_type_ids").get<std::vector<std::vector<std::int32_t>>>();
        const auto mask = j.at("attention_mask").get<std::vector<std::vector<std::int32_t>>>();
        const auto h = j.at("last_hidden_state").get<std::vector<std::vector<std::vector<float>>>>();
        r.batch = ids.size();
        r.seq = ids[0].size();
        r.hidden = tensor<float>(shape{r.batch, r.seq, h[0][0].size()});
        for (std::size_t b = 0; b < r.batch; ++b)
            for (std::size_t t = 0; t < r.seq; ++t) {
                r.ids.push_back(ids[b][t]);
                r.types.push_back(types[b][t]);
                r.mask.push_back(mask[b][t]);
                for (std::size_t c = 0; c < h[b][t].size(); ++c) r.hidden(b, t, c) = h[b][t][c];
            }
        return r;
    }();
    return io;
}

struct temp_dir {
    fs::path path;
    temp_dir() {
        path = fs::temp_directory_path() / ("tessera_bert_" + std::to_string(std::rand()) + "_" + std::to_string(::getpid()));
        fs::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

// A copy of tiny_bert with config.json edited.
template <class Edit>
fs::path edited_tiny(const temp_dir& t, Edit&& edit) {
    fs::copy_file(tiny_dir / "model.safetensors", t.path / "model.safetensors", fs::copy_options::overwrite_existing);
    std::ifstream in(tiny_dir / "config.json");
    nlohmann::json cfg = nlohmann::json::parse(in);
    edit(cfg);
    std::ofstream(t.path / "config.json") << cfg.dump();
    return t.path;
}

bool bitwise_equal(const float* a, const float* b, std::size_t n) { return std::memcmp(a, b, n * sizeof(float)) == 0; }

}  // namespace

TEST_CASE("bert: tiny random BertModel matches transformers on a padded batch with token types" * doctest::test_suite("concurrency")) {
    const auto model = models::bert_model::load(tiny_dir);
    CHECK(model.hidden_size() == 32);
    CHECK(model.hidden_activation() == ops::activation::gelu_erf);
    const tiny_io& io = tiny();
    for (std::size_t threads : {1, 2}) {
        CAPTURE(threads);
        thread_pool pool(threads);
        nn::workspace ws;
        const tensor<float> h = model.forward(io.ids, io.mask, io.types, io.batch, ws, &pool);
        REQUIRE(h.dims() == io.hidden.dims());
        golden::check("bert tiny last_hidden_state (" + std::to_string(threads) + "t)", h.view(), io.hidden.view());
    }
}

TEST_CASE("bert: a sequence alone, packed, or padded in a batch gives bitwise the same rows" * doctest::test_suite("concurrency")) {
    const auto model = models::bert_model::load(tiny_dir);
    const tiny_io& io = tiny();
    const std::size_t hd = model.hidden_size();
    nn::workspace ws;
    thread_pool pool2(2);
    const tensor<float> padded = model.forward(io.ids, io.mask, io.types, io.batch, ws, nullptr);
    // Packed: the valid tokens back to back.
    std::vector<std::int32_t> ids, types;
    for (std::size_t b = 0; b < io.batch; ++b)
        for (std::size_t t = 0; t < io.lengths[b]; ++t) {
            ids.push_back(io.ids[b * io.seq + t]);
            types.push_back(io.types[b * io.seq + t]);
        }
    for (thread_pool* pool : {static_cast<thread_pool*>(nullptr), &pool2}) {
        tensor<float> packed(shape{ids.size(), hd});
        model.forward_packed(ids, types, io.lengths, packed.view(), ws, pool);
        std::size_t row = 0;
        for (std::size_t b = 0; b < io.batch; ++b) {
            CAPTURE(b);
            const std::size_t n = io.lengths[b];
            // Alone, unpadded.
            const std::span<const std::int32_t> one_ids(ids.data() + row, n), one_types(types.data() + row, n);
            const tensor<float> alone = model.forward(one_ids, {}, one_types, 1, ws, pool);
            CHECK(bitwise_equal(alone.data(), packed.data() + row * hd, n * hd));
            CHECK(bitwise_equal(alone.data(), padded.data() + b * io.seq * hd, n * hd));
            row += n;
        }
    }
}

TEST_CASE("bert: empty input, bad ids, bad masks and over-long sequences") {
    const auto model = models::bert_model::load(tiny_dir);
    nn::workspace ws;
    const std::vector<std::int32_t> ids = {1, 2, 3};
    CHECK(model.forward(std::span<const std::int32_t>(), {}, {}, 1, ws).numel() == 0);
    const std::vector<std::int32_t> bad_id = {1, 64, 3}, neg_id = {1, -1, 3};
    CHECK_THROWS_AS(model.forward(bad_id, {}, {}, 1, ws), tessera::error);
    CHECK_THROWS_AS(model.forward(neg_id, {}, {}, 1, ws), tessera::error);
    const std::vector<std::int32_t> bad_type = {0, 2, 0};
    CHECK_THROWS_AS(model.forward(ids, {}, bad_type, 1, ws), tessera::error);
    const std::vector<std::int32_t> short_mask = {1, 1};
    CHECK_THROWS_AS(model.forward(ids, short_mask, {}, 1, ws), tessera::error);
    CHECK_THROWS_AS(model.forward(ids, {}, {}, 2, ws), tessera::error);  // 3 ids do not split into 2
    const std::vector<std::int32_t> too_long(41, 5);                     // max_position_embeddings = 40
    try {
        (void)model.forward(too_long, {}, {}, 1, ws);
        FAIL("expected an error");
    } catch (const tessera::error& e) {
        CHECK(e.kind() == error_kind::out_of_range);
        CHECK(std::string(e.what()).find("max_position_embeddings") != std::string::npos);
    }
    tensor<float> out(shape{3, 32});
    const std::vector<std::size_t> wrong_lengths = {2};
    CHECK_THROWS_AS(model.forward_packed(ids, {}, wrong_lengths, out.view(), ws), tessera::error);
}

TEST_CASE("bert: a config that disagrees with the tensors, or an unsupported activation, is refused") {
    {
        temp_dir t;
        const auto dir = edited_tiny(t, [](nlohmann::json& c) { c["intermediate_size"] = 48; });
        try {
            (void)models::bert_model::load(dir);
            FAIL("expected an error");
        } catch (const tessera::error& e) {
            CHECK(e.kind() == error_kind::inconsistent);
            MESSAGE(std::string(e.what()));
        }
    }
    {
        temp_dir t;
        const auto dir = edited_tiny(t, [](nlohmann::json& c) { c["num_hidden_layers"] = 3; });
        CHECK_THROWS_AS((void)models::bert_model::load(dir), tessera::error);
    }
    {
        temp_dir t;
        const auto dir = edited_tiny(t, [](nlohmann::json& c) { c["hidden_act"] = "swish"; });
        try {
            (void)models::bert_model::load(dir);
            FAIL("expected an error");
        } catch (const tessera::error& e) {
            CHECK(e.kind() == error_kind::unsupported);
        }
    }
    {
        temp_dir t;
        const auto dir = edited_tiny(t, [](nlohmann::json& c) { c["hidden_act"] = "gelu_new"; });
        const auto m = models::bert_model::load(dir);
        CHECK(m.hidden_activation() == ops::activation::gelu_tanh);
    }
}

TEST_CASE("bert: all-MiniLM-L6-v2 loads, shapes follow its config, a padded batch equals single runs") {
    const fs::path dir = models_dir() / "all-MiniLM-L6-v2";
    if (!fs::exists(dir / "model.safetensors")) {
        MESSAGE("skipped: model not found at " << dir.string());
        return;
    }
    const auto model = models::bert_model::load(dir);
    CHECK(model.hidden_size() == 384);
    CHECK(model.config().n_layers == 6);
    CHECK(model.packed_bytes() >= 6u * (4 * 384 * 384 + 2 * 384 * 1536) * sizeof(float));
    // [CLS] hello world [SEP] and a longer one, padded into one batch.
    const std::vector<std::int32_t> a = {101, 7592, 2088, 102};
    const std::vector<std::int32_t> b = {101, 1037, 2146, 6251, 2055, 2019, 4319, 1998, 2070, 10425, 102};
    const std::size_t seq = b.size();
    std::vector<std::int32_t> ids(2 * seq, 0), mask(2 * seq, 0);
    for (std::size_t i = 0; i < a.size(); ++i) ids[i] = a[i], mask[i] = 1;
    for (std::size_t i = 0; i < b.size(); ++i) ids[seq + i] = b[i], mask[seq + i] = 1;
    nn::workspace ws;
    thread_pool pool(2);
    const tensor<float> batch = model.forward(ids, mask, {}, 2, ws, &pool);
    const tensor<float> ha = model.forward(a, {}, {}, 1, ws, nullptr);
    const tensor<float> hb = model.forward(b, {}, {}, 1, ws, nullptr);
    CHECK(bitwise_equal(ha.data(), batch.data(), a.size() * 384));
    CHECK(bitwise_equal(hb.data(), batch.data() + seq * 384, b.size() * 384));
    for (std::size_t i = 0; i < ha.numel(); ++i) REQUIRE(std::isfinite(ha.data()[i]));
}
