// NaN / Inf planted in valid files (issue 8, RELIABILITY.md "NaN policy"): an f32 (and f16,
// bf16) weight of a safetensors BERT, a Q8_0 and a Q4_1 block scale (d, and Q4_1's m) and an
// F32 / F16 value of a GGUF Llama, and an embedding of a search catalog / HNSW index. Readers
// do not scan unless asked; when asked (safetensors_file / safetensors_model /
// gguf_file::validate_finite, the validate_finite load option, dequantize_f32(name, true)) the
// planted value is an invalid_data error whose message names the file, the tensor and the
// element or block; catalogs and indexes always check their embeddings on load and name the
// row. Clean files pass every check (no false positives on large values, subnormals, -0).
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include <unistd.h>

#include "hostile/tiny_files.hpp"
#include "tessera/io/gguf.hpp"
#include "tessera/io/safetensors.hpp"
#include "tessera/models/bert.hpp"
#include "tessera/ops/finite_scan.hpp"
#include "tessera/search/catalog.hpp"

using namespace tessera;
using namespace tessera::testing;

namespace {

template <class T>
void plant(std::vector<std::byte>& b, std::size_t offset, T v) {
    std::memcpy(b.data() + offset, &v, sizeof v);
}

// The message of the tessera::error `f` throws, after checking its kind; "" if it does not throw.
template <class F>
std::string error_of(F&& f, error_kind want = error_kind::invalid_data) {
    try {
        f();
    } catch (const error& e) {
        CHECK(to_string(e.kind()) == to_string(want));
        return e.what();
    }
    return "";
}

bool has(const std::string& message, const std::string& part) { return message.find(part) != std::string::npos; }

constexpr float nan_f = std::numeric_limits<float>::quiet_NaN();
constexpr float inf_f = std::numeric_limits<float>::infinity();

}  // namespace

TEST_CASE("finite scan: every dtype, every position, no false positives") {
    for (std::size_t n : {1u, 7u, 1023u, 1024u, 1025u, 5000u}) {
        std::vector<float> f(n, 1.0f);
        f[0] = std::numeric_limits<float>::max();
        if (n > 1) f[1] = std::numeric_limits<float>::denorm_min();
        if (n > 2) f[2] = -0.0f;
        const auto* p = reinterpret_cast<const std::byte*>(f.data());
        CHECK(ops::first_nonfinite(dtype::f32, p, n) == n);
        for (std::size_t at : {std::size_t(0), n / 2, n - 1}) {
            for (float bad : {nan_f, inf_f, -inf_f}) {
                const float keep = f[at];
                f[at] = bad;
                CHECK(ops::first_nonfinite(dtype::f32, p, n) == at);
                f[at] = keep;
            }
        }
    }
    const std::vector<std::uint16_t> h = {0x3c00, 0x7bff, 0x0001, 0x8000, 0x7e00, 0x7c00};  // f16: 1, max, tiny, -0, NaN, Inf
    CHECK(ops::first_nonfinite(dtype::f16, reinterpret_cast<const std::byte*>(h.data()), 4) == 4);
    CHECK(ops::first_nonfinite(dtype::f16, reinterpret_cast<const std::byte*>(h.data()), 6) == 4);
    CHECK(ops::first_nonfinite(dtype::f16, reinterpret_cast<const std::byte*>(h.data() + 5), 1) == 0);
    const std::vector<std::uint16_t> bh = {0x3f80, 0x7f7f, 0xff80};  // bf16: 1, max, -Inf
    CHECK(ops::first_nonfinite(dtype::bf16, reinterpret_cast<const std::byte*>(bh.data()), 3) == 2);
    const std::vector<double> d = {1e308, -1e-308, std::nan("")};
    CHECK(ops::first_nonfinite(dtype::f64, reinterpret_cast<const std::byte*>(d.data()), 3) == 2);
    const std::vector<std::int32_t> ints = {-1, 0x7fffffff};  // NaN's bit pattern as an integer is just a number
    CHECK(ops::first_nonfinite(dtype::i32, reinterpret_cast<const std::byte*>(ints.data()), 2) == 2);
}

TEST_CASE("NaN/Inf in a safetensors BERT weight: validate_finite names the tensor and the element") {
    const temp_dir tmp("tessera_nan_");
    const fs::path dir = tmp.path / "bert";
    write_tiny_safetensors_model(dir, tiny_bert_json());
    const fs::path file = dir / "model.safetensors";
    const auto clean = read_bytes(file);
    const auto f0 = io::safetensors_file::from_bytes(clean, "bert.safetensors");
    f0.validate_finite();  // a clean file passes
    io::safetensors_model_options validating;
    validating.validate_finite = true;
    (void)models::bert_model::load(dir, validating);

    const std::string name = "encoder.layer.1.attention.self.query.weight";  // [8, 8] f32
    const auto& info = f0.info(name);
    REQUIRE(info.type == dtype::f32);
    for (float bad : {nan_f, inf_f, -inf_f}) {
        CAPTURE(bad);
        auto b = clean;
        plant(b, info.file_offset + (2 * 8 + 5) * 4, bad);  // element [2, 5]
        const auto f = io::safetensors_file::from_bytes(b, "bert.safetensors");
        const std::string m = error_of([&] { f.validate_finite(); });
        CHECK_MESSAGE((has(m, "bert.safetensors") && has(m, "\"" + name + "\"") && has(m, "element 21 [2, 5]")), m);
        CHECK(has(m, std::isnan(bad) ? "nan" : bad > 0 ? "inf" : "-inf"));
        CHECK(error_of([&] { f.validate_finite(name); }) == m);
        f.validate_finite("encoder.layer.0.attention.self.query.weight");  // other tensors are clean
        (void)f.load_f32(name);  // not validated: loads as stored (the NaN policy)

        // Through the model loader: opt-in, off by default.
        write_bytes(file, b);
        (void)models::bert_model::load(dir);
        const std::string lm = error_of([&] { (void)models::bert_model::load(dir, validating); });
        CHECK_MESSAGE((has(lm, file.string()) && has(lm, name) && has(lm, "[2, 5]")), lm);
        CHECK(error_of([&] { io::safetensors_model(dir, validating); }) == lm);
        write_bytes(file, clean);
    }
}

TEST_CASE("NaN/Inf in f16 and bf16 safetensors weights") {
    const temp_dir tmp("tessera_nan_");
    tensor<f16> h(shape{4, 6});
    tensor<bf16> g(shape{3, 5});
    for (std::size_t i = 0; i < h.numel(); ++i) h.data()[i] = to_f16(tiny_value(1, i));
    for (std::size_t i = 0; i < g.numel(); ++i) g.data()[i] = to_bf16(tiny_value(2, i));
    h.data()[3 * 6 + 1].bits = 0x7c01;  // an f16 NaN (signalling payload) at [3, 1]
    g.data()[4].bits = 0xff80;         // bf16 -Inf at [0, 4]
    io::save_safetensors(tmp.path / "half.safetensors", {io::safetensors_tensor_ref("h", h), io::safetensors_tensor_ref("g", g)});
    const io::safetensors_file f((tmp.path / "half.safetensors").string());
    const std::string mh = error_of([&] { f.validate_finite("h"); });
    CHECK_MESSAGE((has(mh, "\"h\" (f16") && has(mh, "element 19 [3, 1]") && has(mh, "nan")), mh);
    const std::string mg = error_of([&] { f.validate_finite("g"); });
    CHECK_MESSAGE((has(mg, "\"g\" (bf16") && has(mg, "element 4 [0, 4]") && has(mg, "-inf")), mg);
}

TEST_CASE("NaN/Inf in GGUF block scales (Q8_0, Q4_1 d and m) and F32/F16 values: named tensor and block") {
    const temp_dir tmp("tessera_nan_");
    write_tiny_gguf_llama(tmp.path / "tiny.gguf");
    const auto clean = read_bytes(tmp.path / "tiny.gguf");
    const auto f0 = io::gguf_file::from_bytes(clean, "tiny.gguf");
    f0.validate_finite();  // a clean file passes
    for (const auto& t : f0.tensors()) (void)f0.dequantize_f32(t.name, true);

    struct plant_case {
        std::string tensor;
        ops::ggml_type type;
        std::size_t block, byte;  // block index, byte offset of the planted f16 inside the block (or value index)
        std::uint16_t bits;       // f16 NaN / Inf
        std::string named;        // what the message must say
    };
    const plant_case cases[] = {
        {"blk.0.attn_q.weight", ops::ggml_type::q8_0, 3, 0, 0x7e00, "Q8_0 block 3 has a NaN or Inf scale"},
        {"blk.1.attn_v.weight", ops::ggml_type::q8_0, 0, 0, 0xfc00, "Q8_0 block 0 has a NaN or Inf scale"},
        {"blk.0.ffn_up.weight", ops::ggml_type::q4_1, 17, 0, 0x7c00, "Q4_1 block 17 has a NaN or Inf scale"},
        {"blk.1.ffn_down.weight", ops::ggml_type::q4_1, 5, 2, 0x7c00, "Q4_1 block 5 has a NaN or Inf scale"},  // m
        {"token_embd.weight", ops::ggml_type::f16, 77, 0, 0x7e00, "F16 value 77 has a NaN or Inf"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.tensor);
        const auto& t = f0.tensor_info(c.tensor);
        REQUIRE(t.type == c.type);
        const std::size_t at = std::size_t(f0.tensor_bytes(t).data() - f0.bytes().data()) +
                               c.block * ops::traits_of(c.type).type_size + c.byte;
        auto b = clean;
        plant(b, at, c.bits);
        const auto f = io::gguf_file::from_bytes(b, "tiny.gguf");
        const std::string m = error_of([&] { f.validate_finite(); });
        CHECK_MESSAGE(has(m, "tiny.gguf: tensor '" + c.tensor + "': " + c.named), m);
        CHECK(error_of([&] { f.validate_finite(c.tensor); }) == m);
        CHECK(error_of([&] { (void)f.dequantize_f32(c.tensor, true); }) == m);
        (void)f.dequantize_f32(c.tensor);  // not validated: decodes to NaN/Inf (the NaN policy)
    }
    // An F32 norm weight.
    const auto& norm = f0.tensor_info("blk.1.ffn_norm.weight");
    REQUIRE(norm.type == ops::ggml_type::f32);
    auto b = clean;
    plant(b, std::size_t(f0.tensor_bytes(norm).data() - f0.bytes().data()) + 9 * 4, -inf_f);
    const auto f = io::gguf_file::from_bytes(b, "tiny.gguf");
    const std::string m = error_of([&] { f.validate_finite(); });
    CHECK_MESSAGE(has(m, "tensor 'blk.1.ffn_norm.weight': F32 value 9 has a NaN or Inf"), m);
}

TEST_CASE("NaN/Inf in a catalog embedding and an HNSW vector: the load names the row") {
    const temp_dir tmp("tessera_nan_");
    const fs::path path = tmp.path / "catalog.idx";
    tiny_catalog(6, 8).save(path.string());
    const auto clean = read_bytes(path);
    (void)search::catalog::from_bytes(clean, "catalog.idx");

    // Sections follow the 24-byte container header: tag, flags, length, checksum, payload.
    auto payload_of = [](const std::vector<std::byte>& b, const char (&tag)[5]) {
        std::size_t at = 24;
        while (at + 24 <= b.size()) {
            std::uint32_t t;
            std::uint64_t length;
            std::memcpy(&t, b.data() + at, 4);
            std::memcpy(&length, b.data() + at + 8, 8);
            if (t == search::index_file::tag(tag)) return at;
            at += 24 + length;
        }
        FAIL("no section " << tag);
        return at;
    };
    auto fix_checksum = [](std::vector<std::byte>& b, std::size_t section) {
        std::uint64_t length;
        std::memcpy(&length, b.data() + section + 8, 8);
        plant(b, section + 16, search::index_file::fnv1a64(std::span<const std::byte>(b.data() + section + 24, length)));
    };
    const std::size_t emb = payload_of(clean, "EMBD");
    for (float bad : {nan_f, inf_f}) {
        auto b = clean;
        plant(b, emb + 24 + (4 * 8 + 2) * 4, bad);  // row 4, column 2
        // The section checksum catches any change first...
        CHECK(has(error_of([&] { (void)search::catalog::from_bytes(b, "catalog.idx"); }), "checksum mismatch in section EMBD"));
        // ...and with a matching checksum the value check names the row.
        fix_checksum(b, emb);
        const std::string m = error_of([&] { (void)search::catalog::from_bytes(b, "catalog.idx"); });
        CHECK_MESSAGE(has(m, "catalog.idx: embedding 4 is not finite"), m);
    }

    // A standalone HNSW index: vectors are the payload's last count × dim floats.
    const fs::path ipath = tmp.path / "index.idx";
    tiny_hnsw(10, 4).save(ipath.string());
    auto b = read_bytes(ipath);
    (void)search::hnsw_index::from_bytes(b, "index.idx");
    const std::size_t h = payload_of(b, "HNSW");
    plant(b, b.size() - (10 - 7) * 4 * 4 + 3 * 4, -inf_f);  // node 7, component 3
    fix_checksum(b, h);
    const std::string m = error_of([&] { (void)search::hnsw_index::from_bytes(b, "index.idx"); });
    CHECK_MESSAGE(has(m, "vector 7 is not finite"), m);
}
