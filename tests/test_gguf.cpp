// GGUF reader/writer, block dequantization and reference quantizers.
//  * writer -> reader round trips (every metadata type, arrays, UTF-8, every writable tensor type);
//  * dequantization of every supported type against gguf-py (tests/golden/gguf/blocks.gguf,
//    made by tools/reference/make_gguf_goldens.py), and the Q8_0/Q4_0/Q4_1 quantizers against
//    gguf-py's quantize;
//  * every GGUF case of the hostile-input catalog in RELIABILITY.md, asserting the error kind,
//    built byte by byte with the small builder below; plus truncation at every length and
//    deterministic byte mutations (must give a tessera::error or a valid file, nothing else).
#include <doctest/doctest.h>

#include "kind_of.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <unistd.h>

#include "tessera/io/gguf.hpp"
#include "tessera/ops/dequantize.hpp"
#include "tessera/ops/quantize.hpp"

using namespace tessera;
using namespace tessera::io;
using ops::ggml_type;

using tessera::testing::kind_of;

namespace {

// ---- helpers ----------------------------------------------------------------------------

std::filesystem::path temp_path(const std::string& stem) {
    return std::filesystem::temp_directory_path() / ("tessera_test_gguf_" + std::to_string(::getpid()) + "_" + stem);
}

std::filesystem::path golden_path() {
    return std::filesystem::path(__FILE__).parent_path() / "golden" / "gguf" / "blocks.gguf";
}

// Runs f, which must throw tessera::error; returns its kind and keeps the message.
// Little-endian byte builder for hand-made (hostile) GGUF files.
struct builder {
    std::vector<std::byte> b;

    // resize + memcpy rather than insert: GCC 12 at -O3 warns (falsely) on inserts into an empty vector.
    builder& append(const void* p, std::size_t n) {
        const std::size_t at = b.size();
        b.resize(at + n);
        if (n) std::memcpy(b.data() + at, p, n);
        return *this;
    }
    template <class T>
    builder& put(T v) { return append(&v, sizeof(T)); }
    builder& u32(std::uint32_t v) { return put(v); }
    builder& u64(std::uint64_t v) { return put(v); }
    builder& str(std::string_view s) { return u64(s.size()).append(s.data(), s.size()); }
    builder& zeros(std::size_t n) {
        b.insert(b.end(), n, std::byte{0});
        return *this;
    }
    builder& pad_to(std::size_t a) {
        while (b.size() % a) b.push_back(std::byte{0});
        return *this;
    }
    // A key with a u32 value.
    builder& kv_u32(std::string_view key, std::uint32_t v) { return str(key).u32(4).u32(v); }
    builder& tensor(std::string_view name, std::vector<std::uint64_t> ne, std::uint32_t type, std::uint64_t offset) {
        str(name).u32(static_cast<std::uint32_t>(ne.size()));
        for (auto d : ne) u64(d);
        return u32(type).u64(offset);
    }
};

builder head(std::uint64_t n_tensors, std::uint64_t n_kv, std::uint32_t version = 3) {
    builder b;
    b.u32(gguf_magic).u32(version).u64(n_tensors).u64(n_kv);
    return b;
}

// A file with one tensor described by (ne, type, offset) and `data_bytes` bytes of data.
std::vector<std::byte> one_tensor(std::vector<std::uint64_t> ne, std::uint32_t type, std::uint64_t offset,
                                  std::size_t data_bytes) {
    builder b = head(1, 0);
    b.tensor("t", std::move(ne), type, offset).pad_to(32).zeros(data_bytes);
    return b.b;
}

error_kind parse_kind(const std::vector<std::byte>& bytes, const limits& lim = {}, std::string* msg = nullptr) {
    return kind_of([&] { (void)gguf_file::from_bytes(bytes, "hostile.gguf", lim); }, msg);
}

std::vector<float> iota_floats(std::size_t n, float scale, float offset) {
    std::vector<float> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = offset + scale * float((i * 37) % 101) - scale * 50.0f;
    return v;
}

// Max |a - b| over a block, relative to the block's largest |b|; exact (bitwise, NaN == NaN)
// when block_size is 1.
void check_close(std::span<const float> got, std::span<const float> want, std::size_t block, const std::string& what) {
    REQUIRE(got.size() == want.size());
    double worst = 0;
    for (std::size_t b0 = 0; b0 < want.size(); b0 += block) {
        float scale = 0;
        for (std::size_t i = b0; i < b0 + block; ++i) scale = std::max(scale, std::fabs(want[i]));
        for (std::size_t i = b0; i < b0 + block; ++i) {
            if (block == 1) {
                const bool same = std::isnan(want[i]) ? std::isnan(got[i])
                                                      : std::memcmp(&got[i], &want[i], sizeof(float)) == 0;
                if (!same) FAIL_CHECK(what << " value " << i << ": got " << got[i] << ", want " << want[i]);
                continue;
            }
            const double diff = std::fabs(double(got[i]) - double(want[i]));
            if (diff > 0) worst = std::max(worst, diff / scale);
            if (diff > 1e-6 * double(scale))
                FAIL_CHECK(what << " value " << i << ": got " << got[i] << ", want " << want[i]);
        }
    }
    CHECK_MESSAGE(worst <= 1e-6, what << ": worst block-relative difference " << worst);
}

}  // namespace

// ---- block layouts ----------------------------------------------------------------------

TEST_CASE("block structs and type traits match ggml") {
    struct row {
        ggml_type t;
        std::size_t block, bytes;
    };
    const row rows[] = {{ggml_type::f32, 1, 4},     {ggml_type::f16, 1, 2},     {ggml_type::bf16, 1, 2},
                        {ggml_type::q4_0, 32, 18},  {ggml_type::q4_1, 32, 20},  {ggml_type::q5_0, 32, 22},
                        {ggml_type::q5_1, 32, 24},  {ggml_type::q8_0, 32, 34},  {ggml_type::q2_k, 256, 84},
                        {ggml_type::q3_k, 256, 110}, {ggml_type::q4_k, 256, 144}, {ggml_type::q5_k, 256, 176},
                        {ggml_type::q6_k, 256, 210}, {ggml_type::q8_k, 256, 292}};
    for (const row& r : rows) {
        const auto tr = ops::traits_of(r.t);
        CHECK(tr.supported);
        CHECK(tr.block_size == r.block);
        CHECK(tr.type_size == r.bytes);
    }
    CHECK(std::size(ops::supported_ggml_types) == std::size(rows));
    CHECK(ops::traits_of(16u).known);
    CHECK(!ops::traits_of(16u).supported);
    CHECK(!ops::traits_of(4u).known);
    CHECK(!ops::traits_of(1000u).known);
}

// ---- goldens from gguf-py ---------------------------------------------------------------

TEST_CASE("golden file written by gguf-py: metadata of every type") {
    const auto f = gguf_file::open(golden_path().string());
    CHECK(f.version() == 3);
    CHECK(f.alignment() == 32);
    CHECK(f.get_string("general.architecture") == "golden");
    CHECK(f.get_u8("golden.u8") == 200);
    CHECK(f.get_i8("golden.i8") == -100);
    CHECK(f.get_u16("golden.u16") == 60000);
    CHECK(f.get_i16("golden.i16") == -30000);
    CHECK(f.get_u32("golden.u32") == 4000000000u);
    CHECK(f.get_i32("golden.i32") == -2000000000);
    CHECK(f.get_f32("golden.f32") == 0.15625f);
    CHECK(f.get_bool("golden.bool") == true);
    CHECK(f.get_string("golden.string") == "h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93 \xe4\xbd\xa0\xe5\xa5\xbd");
    CHECK(f.get_u64("golden.u64") == 18000000000000000000ull);
    CHECK(f.get_i64("golden.i64") == -9000000000000000000ll);
    CHECK(f.get_f64("golden.f64") == -2.5e-300);
    CHECK(f.get_array<std::int32_t>("golden.array.i32") == std::vector<std::int32_t>{1, -2, 3, INT32_MIN});
    CHECK(f.get_array<float>("golden.array.f32") == std::vector<float>{0.5f, -1.25f, 3e38f});
    CHECK(f.get_string_array("golden.array.string") ==
          std::vector<std::string>{"a", "", "\xc3\xbc" "n" "\xc3\xaf" "c" "\xc3\xb6" "d" "\xc3\xa9", "<0x0A>"});
    CHECK(f.get_array<bool>("golden.array.bool") == std::vector<bool>{true, false, true});
    CHECK(f.get_array<std::uint64_t>("golden.array.u64") ==
          std::vector<std::uint64_t>{0, 1, std::numeric_limits<std::uint64_t>::max()});
    CHECK(f.metadata().size() == 18);
}

TEST_CASE("dequantization of every supported type matches gguf-py") {
    const auto f = gguf_file::open(golden_path().string());
    for (ggml_type t : ops::supported_ggml_types) {
        const std::string name = "deq." + std::string(ops::to_string(t));
        CAPTURE(name);
        const gguf_tensor_info& info = f.tensor_info(name);
        CHECK(info.type == t);
        CHECK(info.n_dims == 2);
        CHECK(info.ne[1] == 2);  // numpy shape (2, n) -> ne = [n, 2] -> row-major {2, n}
        const tensor<float> got = f.dequantize_f32(name);
        const tensor<float> want = f.dequantize_f32(name + ".expected");
        CHECK(got.dims() == want.dims());
        CHECK(got.dims() == shape{2, static_cast<std::size_t>(info.ne[0])});
        check_close(got.span(), want.span(), ops::traits_of(t).block_size, name);
    }
}

TEST_CASE("reference quantizers match gguf-py bit for bit") {
    const auto f = gguf_file::open(golden_path().string());
    const tensor_view<const float> x = f.view_f32("quant.input");
    REQUIRE(x.dims() == shape{2, 128});
    for (ggml_type t : {ggml_type::q8_0, ggml_type::q4_0, ggml_type::q4_1}) {
        std::string name = "quant." + std::string(ops::to_string(t));
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        CAPTURE(name);
        const auto want = f.tensor_bytes(name);
        const auto got = ops::quantize(t, x.span());
        REQUIRE(got.size() == want.size());
        const std::size_t bs = ops::traits_of(t).type_size;
        for (std::size_t i = 0; i < got.size(); ++i)
            if (got[i] != want[i]) FAIL_CHECK("byte " << i << " (block " << i / bs << ") differs");
    }
}

// ---- writer -> reader round trips ---------------------------------------------------------

TEST_CASE("metadata of every type round-trips through save_gguf") {
    const std::string utf8 = "caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x82\xac";  // café 😀 €
    const std::vector<gguf_kv> kv = {
        {"m.u8", std::uint8_t(255)},
        {"m.i8", std::int8_t(-128)},
        {"m.u16", std::uint16_t(65535)},
        {"m.i16", std::int16_t(-32768)},
        {"m.u32", std::uint32_t(0xdeadbeef)},
        {"m.i32", std::int32_t(-7)},
        {"m.f32", 3.25f},
        {"m.bool", false},
        {"m.string", utf8},
        {"m.empty_string", ""},
        {"m.u64", std::uint64_t(1) << 63},
        {"m.i64", std::int64_t(-1) << 62},
        {"m.f64", 1e300},
        {"a.u8", std::vector<std::uint8_t>{0, 1, 255}},
        {"a.i8", std::vector<std::int8_t>{-1, 127}},
        {"a.u16", std::vector<std::uint16_t>{1, 65535}},
        {"a.i16", std::vector<std::int16_t>{-2, 3}},
        {"a.u32", std::vector<std::uint32_t>{7}},
        {"a.i32", std::vector<std::int32_t>{}},
        {"a.f32", std::vector<float>{1.5f, -0.0f}},
        {"a.bool", std::vector<bool>{false, true, true}},
        {"a.string", std::vector<std::string>{"x", "", utf8}},
        {"a.u64", std::vector<std::uint64_t>{~0ull}},
        {"a.i64", std::vector<std::int64_t>{INT64_MIN, 5}},
        {"a.f64", std::vector<double>{-1e-300}},
    };
    const auto path = temp_path("meta.gguf");
    save_gguf(path.string(), kv, {});
    const auto f = gguf_file::open(path.string());
    std::filesystem::remove(path);

    REQUIRE(f.metadata().size() == kv.size());
    for (std::size_t i = 0; i < kv.size(); ++i) {
        CHECK(f.metadata()[i].key == kv[i].key);  // file order kept
        CHECK(f.metadata()[i].value.type() == kv[i].value.type());
    }
    CHECK(f.get_u8("m.u8") == 255);
    CHECK(f.get_i8("m.i8") == -128);
    CHECK(f.get_u16("m.u16") == 65535);
    CHECK(f.get_i16("m.i16") == -32768);
    CHECK(f.get_u32("m.u32") == 0xdeadbeef);
    CHECK(f.get_i32("m.i32") == -7);
    CHECK(f.get_f32("m.f32") == 3.25f);
    CHECK(f.get_bool("m.bool") == false);
    CHECK(f.get_string("m.string") == utf8);
    CHECK(f.get_string("m.empty_string").empty());
    CHECK(f.get_u64("m.u64") == std::uint64_t(1) << 63);
    CHECK(f.get_i64("m.i64") == std::int64_t(-1) << 62);
    CHECK(f.get_f64("m.f64") == 1e300);
    CHECK(f.get_array<std::uint8_t>("a.u8") == std::vector<std::uint8_t>{0, 1, 255});
    CHECK(f.get_array<std::int8_t>("a.i8") == std::vector<std::int8_t>{-1, 127});
    CHECK(f.get_array<std::uint16_t>("a.u16") == std::vector<std::uint16_t>{1, 65535});
    CHECK(f.get_array<std::int16_t>("a.i16") == std::vector<std::int16_t>{-2, 3});
    CHECK(f.get_array<std::uint32_t>("a.u32") == std::vector<std::uint32_t>{7});
    CHECK(f.get_array<std::int32_t>("a.i32").empty());
    CHECK(f.get_array<float>("a.f32") == std::vector<float>{1.5f, -0.0f});
    CHECK(std::signbit(f.get_array<float>("a.f32")[1]));
    CHECK(f.get_array<bool>("a.bool") == std::vector<bool>{false, true, true});
    CHECK(f.get_string_array("a.string") == std::vector<std::string>{"x", "", utf8});
    // String arrays are views of the file's bytes (no copy at open), and compare equal to the
    // owning array the writer was given.
    const auto& strings = f.get_string_array("a.string");
    CHECK(strings.encoded().data() >= f.bytes().data());
    CHECK(strings.encoded().data() + strings.encoded().size() <= f.bytes().data() + f.bytes().size());
    CHECK(strings == io::gguf_string_array(std::vector<std::string>{"x", "", utf8}));
    CHECK(strings.to_vector() == std::vector<std::string>{"x", "", utf8});
    CHECK(std::distance(strings.begin(), strings.end()) == 3);
    CHECK(f.get_array<std::uint64_t>("a.u64") == std::vector<std::uint64_t>{~0ull});
    CHECK(f.get_array<std::int64_t>("a.i64") == std::vector<std::int64_t>{INT64_MIN, 5});
    CHECK(f.get_array<double>("a.f64") == std::vector<double>{-1e-300});

    // Typed accessors name the key and refuse other types.
    std::string msg;
    CHECK(kind_of([&] { (void)f.get_u64("m.u32"); }, &msg) == error_kind::inconsistent);
    CHECK(msg.find("m.u32") != std::string::npos);
    CHECK(kind_of([&] { (void)f.get_string("m.i32"); }) == error_kind::inconsistent);
    CHECK(kind_of([&] { (void)f.get_array<std::int32_t>("a.f32"); }) == error_kind::inconsistent);
    CHECK(kind_of([&] { (void)f.get_array<std::int32_t>("m.i32"); }) == error_kind::inconsistent);
    CHECK(kind_of([&] { (void)f.get_u32("no.such.key"); }, &msg) == error_kind::out_of_range);
    CHECK(msg.find("no.such.key") != std::string::npos);
    CHECK(!f.get_optional<std::uint32_t>("no.such.key").has_value());
    CHECK(f.get_optional<std::uint32_t>("m.u32") == 0xdeadbeefu);
    CHECK(kind_of([&] { (void)f.get_optional<float>("m.u32"); }) == error_kind::inconsistent);
    CHECK(!f.get_array_optional<std::string>("nope").has_value());
    CHECK(f.find("m.f64") != nullptr);
    CHECK(f.tensors().empty());
}

TEST_CASE("tensors of every writable type round-trip; shapes are ne reversed") {
    // Row-major shapes; GGUF ne is the reverse.
    const shape s_f32{3, 5}, s_f16{2, 3, 4}, s_bf16{7}, s_q8{4, 64}, s_q40{2, 2, 32}, s_q41{3, 96};
    const auto x_f32 = iota_floats(s_f32.numel(), 0.5f, 0.0f);
    const auto x_f16 = iota_floats(s_f16.numel(), 0.25f, 1.0f);
    const auto x_bf16 = iota_floats(s_bf16.numel(), 3.0f, 0.0f);
    const auto x_q8 = iota_floats(s_q8.numel(), 0.01f, 0.1f);
    const auto x_q40 = iota_floats(s_q40.numel(), -0.02f, 0.0f);
    const auto x_q41 = iota_floats(s_q41.numel(), 0.03f, 2.0f);
    struct item {
        std::string name;
        ggml_type type;
        shape s;
        const std::vector<float>* x;
        std::vector<std::byte> enc;
    };
    std::vector<item> items = {{"w.f32", ggml_type::f32, s_f32, &x_f32, {}},
                               {"w.f16", ggml_type::f16, s_f16, &x_f16, {}},
                               {"w.bf16", ggml_type::bf16, s_bf16, &x_bf16, {}},
                               {"w.q8_0", ggml_type::q8_0, s_q8, &x_q8, {}},
                               {"w.q4_0", ggml_type::q4_0, s_q40, &x_q40, {}},
                               {"w.q4_1", ggml_type::q4_1, s_q41, &x_q41, {}}};
    std::vector<gguf_tensor_data> tensors;
    for (auto& it : items) {
        it.enc = ops::quantize(it.type, *it.x);
        tensors.push_back({it.name, it.type, gguf_ne_from_shape(it.s), it.enc});
    }
    const auto path = temp_path("tensors.gguf");
    save_gguf(path.string(), {{"general.architecture", "test"}}, tensors);
    const auto f = gguf_file::open(path.string());
    std::filesystem::remove(path);

    REQUIRE(f.tensors().size() == items.size());
    CHECK(f.data_offset() % 32 == 0);
    for (std::size_t i = 0; i < items.size(); ++i) {
        const item& it = items[i];
        CAPTURE(it.name);
        const gguf_tensor_info& info = f.tensors()[i];
        CHECK(info.name == it.name);
        CHECK(info.type == it.type);
        CHECK(info.offset % 32 == 0);
        CHECK(info.row_major_shape() == it.s);
        CHECK(info.n_dims == it.s.rank());
        CHECK(info.ne[0] == it.s[it.s.rank() - 1]);  // ne[0] is the fastest (last row-major) dim
        CHECK(info.numel == it.s.numel());
        const auto raw = f.tensor_bytes(it.name);
        REQUIRE(raw.size() == it.enc.size());
        CHECK(std::equal(raw.begin(), raw.end(), it.enc.begin()));

        const tensor<float> y = f.dequantize_f32(it.name);
        CHECK(y.dims() == it.s);
        const auto tr = ops::traits_of(it.type);
        for (std::size_t b0 = 0; b0 < it.x->size(); b0 += tr.block_size) {
            // Error bound of each format: half a step for Q8_0 / F16 / BF16 rounding, one step
            // for Q4_0 / Q4_1 (codes truncate after a +0.5 shift and the top code is clamped),
            // plus the f16 rounding of the scales.
            float lo = (*it.x)[b0], hi = lo, amax = 0;
            for (std::size_t j = b0; j < b0 + tr.block_size; ++j) {
                lo = std::min(lo, (*it.x)[j]);
                hi = std::max(hi, (*it.x)[j]);
                amax = std::max(amax, std::fabs((*it.x)[j]));
            }
            float tol = 0;
            switch (it.type) {
            case ggml_type::f16: tol = amax * 0x1p-11f; break;
            case ggml_type::bf16: tol = amax * 0x1p-8f; break;
            case ggml_type::q8_0: tol = amax / 127.0f * 0.5f + amax * 0x1p-10f; break;
            case ggml_type::q4_0: tol = amax / 8.0f + amax * 0x1p-9f; break;
            case ggml_type::q4_1: tol = (hi - lo) / 15.0f + amax * 0x1p-9f; break;
            default: break;
            }
            for (std::size_t j = b0; j < b0 + tr.block_size; ++j)
                CHECK(std::fabs(y.data()[j] - (*it.x)[j]) <= tol);
        }
    }
    // F32: zero-copy view into the file's bytes, bit-identical values.
    const tensor_view<const float> v = f.view_f32("w.f32");
    CHECK(v.dims() == s_f32);
    CHECK(reinterpret_cast<const std::byte*>(v.data()) >= f.bytes().data());
    CHECK(reinterpret_cast<const std::byte*>(v.data()) < f.bytes().data() + f.bytes().size());
    CHECK(v(2, 4) == x_f32[2 * 5 + 4]);
    CHECK(kind_of([&] { (void)f.view_f32("w.q8_0"); }) == error_kind::invalid_argument);
    CHECK(kind_of([&] { (void)f.dequantize_f32("missing"); }) == error_kind::out_of_range);
    const gguf_tensor_info foreign = f.tensors()[0];  // a copy is not one of the file's infos
    CHECK(kind_of([&] { (void)f.tensor_bytes(foreign); }) == error_kind::invalid_argument);

    // The same bytes read through read_into_memory and from_bytes agree.
    save_gguf(path.string(), {}, tensors);
    const auto g = gguf_file::open(path.string(), {}, mapped_file::mode::read_into_memory);
    std::filesystem::remove(path);
    const auto h = gguf_file::from_bytes(g.bytes());
    CHECK(g.dequantize_f32("w.q4_1").span().size() == h.dequantize_f32("w.q4_1").span().size());
    const auto a = g.dequantize_f32("w.q4_1"), b = h.dequantize_f32("w.q4_1");
    CHECK(std::equal(a.span().begin(), a.span().end(), b.span().begin()));
}

TEST_CASE("alignment from metadata: 64 and 1 (misaligned F32 cannot be viewed)") {
    const std::vector<float> x = {1, 2, 3, 4, 5};
    const auto enc = ops::quantize(ggml_type::f32, x);
    {
        const auto path = temp_path("align64.gguf");
        save_gguf(path.string(), {{"general.alignment", std::uint32_t(64)}},
                  {{"a", ggml_type::f32, {5}, enc}, {"b", ggml_type::f32, {5}, enc}});
        const auto f = gguf_file::open(path.string());
        std::filesystem::remove(path);
        CHECK(f.alignment() == 64);
        CHECK(f.data_offset() % 64 == 0);
        CHECK(f.tensor_info("b").offset == 64);
        CHECK(f.view_f32("b")(4) == 5.0f);
    }
    // With alignment 1 the data section starts right after the header; pick a key length
    // that puts it at an odd offset.
    for (std::size_t extra = 0; extra < 4; ++extra) {
        const auto path = temp_path("align1.gguf");
        save_gguf(path.string(), {{"general.alignment", std::uint32_t(1)}, {std::string(1 + extra, 'k'), false}},
                  {{"a", ggml_type::f32, {5}, enc}});
        const auto f = gguf_file::open(path.string());
        std::filesystem::remove(path);
        CHECK(f.alignment() == 1);
        const tensor<float> y = f.dequantize_f32("a");
        CHECK(std::equal(x.begin(), x.end(), y.span().begin()));
        if (f.data_offset() % 4 != 0) {
            CHECK(kind_of([&] { (void)f.view_f32("a"); }) == error_kind::invalid_argument);
            return;
        }
    }
    FAIL("never produced a misaligned data section");
}

TEST_CASE("save_gguf rejects unusable input") {
    const std::vector<float> x(32, 1.0f);
    const auto q = ops::quantize(ggml_type::q8_0, x);
    const auto path = temp_path("bad.gguf").string();
    CHECK(kind_of([&] { save_gguf(path, {}, {{"t", ggml_type::q8_0, {64}, q}}); }) == error_kind::invalid_argument);
    CHECK(kind_of([&] { save_gguf(path, {}, {{"t", ggml_type::q8_0, {16, 2}, q}}); }) == error_kind::invalid_argument);
    CHECK(kind_of([&] { save_gguf(path, {}, {{"t", ggml_type::q8_0, {32}, q}, {"t", ggml_type::q8_0, {32}, q}}); }) ==
          error_kind::invalid_argument);
    CHECK(kind_of([&] { save_gguf(path, {{"k", 1}, {"k", 2}}, {}); }) == error_kind::invalid_argument);
    CHECK(kind_of([&] { save_gguf(path, {{"", 1}}, {}); }) == error_kind::invalid_argument);
    CHECK(kind_of([&] { save_gguf(path, {{"general.alignment", std::uint32_t(3)}}, {}); }) ==
          error_kind::invalid_argument);
    CHECK(kind_of([&] { save_gguf(path, {}, {{"t", ggml_type::q8_0, {}, {}}}); }) == error_kind::invalid_argument);
    CHECK(kind_of([&] { save_gguf(path, {}, {{"t", ggml_type::q8_0, {32, 0}, q}}); }) == error_kind::invalid_argument);
    CHECK(kind_of([&] { save_gguf(path, {}, {{"t", ggml_type(16), {256}, q}}); }) == error_kind::invalid_argument);
    CHECK(kind_of([&] { (void)ops::quantize(ggml_type::q4_k, x); }) == error_kind::unsupported);
    CHECK(kind_of([&] { (void)ops::quantize(ggml_type::q8_0, std::vector<float>(31)); }) ==
          error_kind::invalid_argument);
    std::vector<float> nan_x(32, 0.0f);
    nan_x[3] = std::numeric_limits<float>::quiet_NaN();
    CHECK(kind_of([&] { (void)ops::quantize(ggml_type::q4_0, nan_x); }) == error_kind::invalid_argument);
    CHECK(!std::filesystem::exists(path));
    CHECK(kind_of([&] { save_gguf("/nonexistent-dir/x.gguf", {}, {}); }) == error_kind::io);
}

TEST_CASE("quantizer edge cases: zero block, constant block, extremes") {
    std::vector<float> x(96, 0.0f);
    for (int j = 32; j < 64; ++j) x[j] = -2.5f;  // constant block
    x[64] = 1000.0f;                               // one spike
    x[65] = -1000.0f;
    for (ggml_type t : {ggml_type::q8_0, ggml_type::q4_0, ggml_type::q4_1}) {
        CAPTURE(ops::to_string(t));
        const auto enc = ops::quantize(t, x);
        std::vector<float> y(x.size());
        ops::dequantize(t, enc, y);
        for (int j = 0; j < 32; ++j) CHECK(y[j] == 0.0f);
        if (t != ggml_type::q4_0) {  // Q4_0 maps -2.5 to code 0 and has no exact -2.5 otherwise
            for (int j = 32; j < 64; ++j) CHECK(y[j] == doctest::Approx(-2.5f).epsilon(1e-3));
        }
        CHECK(y[64] == doctest::Approx(1000.0f).epsilon(0.01));
        // Q4_0 maps the first extreme (1000) to code 0 with d = -125; the opposite extreme
        // would need code 16 and is clamped to 15, i.e. 7 * -125 (the format's known asymmetry).
        CHECK(y[65] == doctest::Approx(t == ggml_type::q4_0 ? -875.0f : -1000.0f).epsilon(0.01));
    }
}

// ---- validation of block scales ------------------------------------------------------------

TEST_CASE("NaN/Inf block scales are reported with validation on") {
    // Q4_K: 2 super-blocks; block 1 gets a NaN dmin. Q8_0: 3 blocks; block 2 gets +Inf d.
    std::vector<std::byte> q4k(2 * 144, std::byte{0x11});
    const f16 good = to_f16(0.5f), nan{0x7e00}, inf{0x7c00};
    for (int b = 0; b < 2; ++b) {
        std::memcpy(&q4k[b * 144], &good, 2);
        std::memcpy(&q4k[b * 144 + 2], &good, 2);
    }
    std::memcpy(&q4k[144 + 2], &nan, 2);
    auto q8 = ops::quantize(ggml_type::q8_0, iota_floats(96, 0.1f, 0.0f));
    std::memcpy(&q8[2 * 34], &inf, 2);
    std::vector<float> f32v = {1.0f, 2.0f, -std::numeric_limits<float>::infinity(), 4.0f};
    const auto f32enc = ops::quantize(ggml_type::f32, f32v);

    const auto path = temp_path("nan.gguf");
    save_gguf(path.string(), {},
              {{"k", ggml_type::q4_k, {512}, q4k}, {"e", ggml_type::q8_0, {96}, q8}, {"f", ggml_type::f32, {4}, f32enc}});
    const auto f = gguf_file::open(path.string());
    std::filesystem::remove(path);

    std::string msg;
    CHECK(kind_of([&] { (void)f.dequantize_f32("k", true); }, &msg) == error_kind::invalid_data);
    CHECK(msg.find("'k'") != std::string::npos);
    CHECK(msg.find("block 1") != std::string::npos);
    CHECK(kind_of([&] { (void)f.dequantize_f32("e", true); }, &msg) == error_kind::invalid_data);
    CHECK(msg.find("block 2") != std::string::npos);
    CHECK(kind_of([&] { (void)f.dequantize_f32("f", true); }, &msg) == error_kind::invalid_data);
    CHECK(msg.find("value 2") != std::string::npos);
    // Without validation the values decode as they are (documented NaN policy).
    const auto k = f.dequantize_f32("k");
    CHECK(std::isfinite(k.data()[0]));
    CHECK(std::isnan(k.data()[256]));
    CHECK(std::isinf(f.dequantize_f32("e").data()[70]));
}

// ---- hostile-input catalog (RELIABILITY.md, GGUF) ------------------------------------------

TEST_CASE("hostile: magic, version, tiny files") {
    CHECK(parse_kind({}) == error_kind::truncated);
    CHECK(parse_kind(builder{}.u32(gguf_magic).b) == error_kind::truncated);
    builder bad;
    bad.u32(0x46554746).u32(3).u64(0).u64(0);  // "FGUF"
    CHECK(parse_kind(bad.b) == error_kind::malformed);
    CHECK(parse_kind(head(0, 0, 1).b) == error_kind::unsupported);
    CHECK(parse_kind(head(0, 0, 4).b) == error_kind::unsupported);
    CHECK(parse_kind(head(0, 0, 0x03000000).b) == error_kind::unsupported);  // big-endian v3
    CHECK(gguf_file::from_bytes(head(0, 0, 2).b).version() == 2);
    CHECK(gguf_file::from_bytes(head(0, 0, 3).b).tensors().empty());
}

TEST_CASE("hostile: absurd n_tensors / n_kv") {
    CHECK(parse_kind(head(std::uint64_t(1) << 60, 0).b) == error_kind::too_large);
    CHECK(parse_kind(head(0, std::uint64_t(1) << 60).b) == error_kind::too_large);
    CHECK(parse_kind(head(~0ull, ~0ull).b) == error_kind::too_large);
    CHECK(parse_kind(head(1000, 0).b) == error_kind::truncated);  // under the limit, but no bytes
    CHECK(parse_kind(head(0, 1000).b) == error_kind::truncated);
    limits lim;
    lim.max_tensors = 2;
    lim.max_metadata_entries = 1;
    builder b = head(3, 0);
    b.zeros(3 * 64);
    CHECK(parse_kind(b.b, lim) == error_kind::too_large);
    builder c = head(0, 2);
    c.kv_u32("a", 1).kv_u32("b", 2);
    CHECK(parse_kind(c.b, lim) == error_kind::too_large);
    CHECK(gguf_file::from_bytes(c.b).get_u32("b") == 2);
    limits small_header;
    small_header.max_header_bytes = 32;  // c's header is 24 + 2 * 17 bytes
    CHECK(parse_kind(c.b, small_header) == error_kind::too_large);
}

TEST_CASE("hostile: string lengths") {
    builder key_long = head(0, 1);
    key_long.u64(1000).zeros(10);  // key promises 1000 bytes
    CHECK(parse_kind(key_long.b) == error_kind::truncated);
    builder key_huge = head(0, 1);
    key_huge.u64(~0ull).zeros(16);
    CHECK(parse_kind(key_huge.b) == error_kind::too_large);
    builder val_long = head(0, 1);
    val_long.str("k").u32(8).u64(100).zeros(20);
    CHECK(parse_kind(val_long.b) == error_kind::truncated);
    builder val_huge = head(0, 1);
    val_huge.str("k").u32(8).u64(std::uint64_t(1) << 62).zeros(20);
    CHECK(parse_kind(val_huge.b) == error_kind::too_large);
    builder name_long = head(1, 0);
    name_long.u64(500).zeros(40);
    CHECK(parse_kind(name_long.b) == error_kind::truncated);
    limits lim;
    lim.max_string_bytes = 4;
    builder ok = head(0, 1);
    ok.str("k").u32(8).str("hello");
    CHECK(parse_kind(ok.b, lim) == error_kind::too_large);
    CHECK(gguf_file::from_bytes(ok.b).get_string("k") == "hello");
}

TEST_CASE("hostile: arrays") {
    auto array_file = [](std::uint32_t elem_type, std::uint64_t count) {
        builder b = head(0, 1);
        b.str("arr").u32(9).u32(elem_type).u64(count).zeros(16);
        return b.b;
    };
    CHECK(parse_kind(array_file(0, std::uint64_t(1) << 62)) == error_kind::too_large);  // over the cap
    limits open;
    open.max_array_elements = ~0ull;
    CHECK(parse_kind(array_file(0, std::uint64_t(1) << 62), open) == error_kind::truncated);
    CHECK(parse_kind(array_file(4, std::uint64_t(1) << 62), open) == error_kind::overflow);  // 2^62 * 4 wraps
    CHECK(parse_kind(array_file(8, std::uint64_t(1) << 62), open) == error_kind::truncated);
    CHECK(parse_kind(array_file(8, 3)) == error_kind::truncated);                 // strings run out
    CHECK(parse_kind(array_file(9, 1)) == error_kind::unsupported);               // nested
    CHECK(parse_kind(array_file(13, 1)) == error_kind::malformed);                // unknown element type
    CHECK(parse_kind(array_file(0xffffffffu, 1)) == error_kind::malformed);
    CHECK(gguf_file::from_bytes(array_file(0, 16)).get_array<std::uint8_t>("arr").size() == 16);
    builder bools = head(0, 1);
    bools.str("b").u32(9).u32(7).u64(2).put<std::uint8_t>(1).put<std::uint8_t>(2);
    CHECK(parse_kind(bools.b) == error_kind::malformed);  // a bool byte of 2
}

TEST_CASE("hostile: unknown value types, empty and duplicate keys") {
    for (std::uint32_t t : {13u, 100u, 0xffffffffu}) {
        builder b = head(0, 1);
        b.str("k").u32(t).u64(0);
        CHECK(parse_kind(b.b) == error_kind::malformed);
    }
    builder empty = head(0, 1);
    empty.str("").u32(4).u32(1);
    CHECK(parse_kind(empty.b) == error_kind::malformed);
    builder dup = head(0, 2);
    dup.kv_u32("k", 1).kv_u32("k", 2);
    std::string msg;
    CHECK(parse_kind(dup.b, {}, &msg) == error_kind::duplicate);
    CHECK(msg.find("'k'") != std::string::npos);
    builder b = head(0, 1);
    b.str("flag").u32(7).put<std::uint8_t>(3);
    CHECK(parse_kind(b.b) == error_kind::malformed);
}

TEST_CASE("hostile: tensor names, dims and types") {
    // Valid baseline: one F32 [8] tensor.
    CHECK(gguf_file::from_bytes(one_tensor({8}, 0, 0, 32)).tensors().size() == 1);

    builder empty_name = head(1, 0);
    empty_name.tensor("", {8}, 0, 0).pad_to(32).zeros(32);
    CHECK(parse_kind(empty_name.b) == error_kind::malformed);
    builder dup = head(2, 0);
    dup.tensor("t", {8}, 0, 0).tensor("t", {8}, 0, 32).pad_to(32).zeros(64);
    CHECK(parse_kind(dup.b) == error_kind::duplicate);

    CHECK(parse_kind(one_tensor({8, 1, 1, 1, 1}, 0, 0, 32)) == error_kind::malformed);  // n_dims 5
    CHECK(parse_kind(one_tensor({}, 0, 0, 32)) == error_kind::malformed);               // n_dims 0
    builder many_dims = head(1, 0);
    many_dims.str("t").u32(0xffffffffu).zeros(64);
    CHECK(parse_kind(many_dims.b) == error_kind::malformed);
    CHECK(parse_kind(one_tensor({8, 0}, 0, 0, 32)) == error_kind::malformed);        // zero dim (rejected by choice)
    CHECK(parse_kind(one_tensor({~0ull}, 0, 0, 32)) == error_kind::malformed);       // -1 as int64
    CHECK(parse_kind(one_tensor({8, 1ull << 63}, 0, 0, 32)) == error_kind::malformed);

    std::string msg;
    CHECK(parse_kind(one_tensor({32}, 99, 0, 32), {}, &msg) == error_kind::malformed);  // unknown type
    CHECK(msg.find("'t'") != std::string::npos);
    CHECK(parse_kind(one_tensor({256}, 16, 0, 256), {}, &msg) == error_kind::unsupported);  // IQ2_XXS
    CHECK(msg.find("'t'") != std::string::npos);
    CHECK(msg.find("IQ2_XXS") != std::string::npos);
    CHECK(parse_kind(one_tensor({32}, 4, 0, 32)) == error_kind::malformed);  // removed Q4_2

    CHECK(parse_kind(one_tensor({33}, 2, 0, 64)) == error_kind::inconsistent);   // Q4_0 needs 32 | ne[0]
    CHECK(parse_kind(one_tensor({128}, 12, 0, 512)) == error_kind::inconsistent);  // Q4_K needs 256 | ne[0]
    CHECK(parse_kind(one_tensor({32, 3}, 2, 0, 53)) == error_kind::truncated);    // 3 blocks need 54 bytes
    CHECK(gguf_file::from_bytes(one_tensor({32, 3}, 2, 0, 54)).tensor_info("t").bytes == 54);
}

TEST_CASE("hostile: element-count and byte-size overflow") {
    const auto p32 = std::uint64_t(1) << 32;
    CHECK(parse_kind(one_tensor({p32, p32, 2}, 0, 0, 32)) == error_kind::overflow);          // F32, 2^65 values
    CHECK(parse_kind(one_tensor({p32, std::uint64_t(1) << 31, 2}, 0, 0, 32)) == error_kind::overflow);  // 2^64
    CHECK(parse_kind(one_tensor({p32, (std::uint64_t(1) << 31) + 1}, 0, 0, 32)) == error_kind::overflow);  // > 2^63-1
    CHECK(parse_kind(one_tensor({std::uint64_t(1) << 62}, 0, 0, 32)) == error_kind::overflow);  // 2^62 * 4 bytes
    CHECK(parse_kind(one_tensor({std::uint64_t(1) << 62}, 1, 0, 32)) == error_kind::too_large);  // F16: 2^63 bytes
    // Quantized types.
    CHECK(parse_kind(one_tensor({32ull << 40, p32}, 2, 0, 32)) == error_kind::overflow);        // Q4_0
    CHECK(parse_kind(one_tensor({256ull << 30, p32, 8}, 15, 0, 32)) == error_kind::overflow);    // Q8_K
    CHECK(parse_kind(one_tensor({256ull << 40, 1ull << 14}, 15, 0, 32)) == error_kind::too_large);  // Q8_K ~2^62 B
    limits lim;
    lim.max_tensor_bytes = 1000;
    CHECK(parse_kind(one_tensor({32, 64}, 8, 0, 34 * 64), lim) == error_kind::too_large);  // 2176 B Q8_0
}

TEST_CASE("hostile: tensor offsets") {
    // Two F32 [16] tensors (64 bytes each).
    auto two = [](std::uint64_t off_a, std::uint64_t off_b, std::size_t data) {
        builder b = head(2, 0);
        b.tensor("a", {16}, 0, off_a).tensor("b", {16}, 0, off_b).pad_to(32).zeros(data);
        return b.b;
    };
    CHECK(gguf_file::from_bytes(two(0, 64, 128)).tensors().size() == 2);
    // Out of order but disjoint: accepted (documented), and each reads its own bytes.
    const auto swapped = gguf_file::from_bytes(two(64, 0, 128));
    CHECK(swapped.tensor_info("a").offset == 64);
    CHECK(swapped.tensor_bytes("a").data() == swapped.tensor_bytes("b").data() + 64);
    CHECK(gguf_file::from_bytes(two(0, 96, 160)).tensors().size() == 2);  // a gap is fine
    std::string msg;
    CHECK(parse_kind(two(0, 32, 128), {}, &msg) == error_kind::inconsistent);  // overlap
    CHECK(msg.find("overlap") != std::string::npos);
    CHECK(parse_kind(two(64, 32, 160)) == error_kind::inconsistent);           // out of order and overlapping
    CHECK(parse_kind(two(0, 0, 128)) == error_kind::inconsistent);             // same offset
    CHECK(parse_kind(two(0, 64, 127)) == error_kind::truncated);               // b runs past the end
    CHECK(parse_kind(two(0, 1ull << 40, 128)) == error_kind::truncated);       // far past the end
    CHECK(parse_kind(two(0, ~0ull - 31, 128)) == error_kind::truncated);       // near 2^64, aligned
    CHECK(parse_kind(two(0, 65, 256)) == error_kind::malformed);               // not aligned to 32
    // Header claims a data section that starts after the end of the file.
    builder b = head(1, 0);
    b.tensor("t", {8}, 0, 0);
    CHECK(parse_kind(b.b) == error_kind::truncated);
}

TEST_CASE("hostile: general.alignment") {
    auto with_alignment = [](std::uint32_t a) {
        builder b = head(1, 1);
        b.kv_u32("general.alignment", a).tensor("t", {8}, 0, 0).pad_to(64).zeros(64);
        return b.b;
    };
    CHECK(gguf_file::from_bytes(with_alignment(64)).alignment() == 64);
    CHECK(gguf_file::from_bytes(with_alignment(8)).alignment() == 8);
    CHECK(parse_kind(with_alignment(0)) == error_kind::malformed);
    CHECK(parse_kind(with_alignment(3)) == error_kind::malformed);
    CHECK(parse_kind(with_alignment(48)) == error_kind::malformed);
    CHECK(parse_kind(with_alignment(1u << 20)) == error_kind::out_of_range);  // above limits.max_alignment
    CHECK(parse_kind(with_alignment(1u << 31)) == error_kind::out_of_range);
    builder wrong_type = head(0, 1);
    wrong_type.str("general.alignment").u32(10).u64(32);
    CHECK(parse_kind(wrong_type.b) == error_kind::inconsistent);
}

TEST_CASE("hostile: NaN/Inf block scales with validation, catalog form") {
    // A hand-built Q6_K tensor (2 super-blocks) whose second d is -Inf.
    builder b = head(1, 0);
    b.tensor("w", {512}, 14, 0).pad_to(32);
    const std::size_t data = b.b.size();
    b.zeros(2 * 210);
    const f16 one = to_f16(1.0f), minf{0xfc00};
    std::memcpy(&b.b[data + 208], &one, 2);
    std::memcpy(&b.b[data + 210 + 208], &minf, 2);
    const auto f = gguf_file::from_bytes(b.b);
    std::string msg;
    CHECK(kind_of([&] { (void)f.dequantize_f32("w", true); }, &msg) == error_kind::invalid_data);
    CHECK(msg.find("'w'") != std::string::npos);
    CHECK(msg.find("block 1") != std::string::npos);
    CHECK(f.dequantize_f32("w").dims() == shape{512});
}

TEST_CASE("truncation at every length and byte mutations never escape as anything but tessera::error") {
    // A small valid file with metadata of several kinds and three tensor types.
    const auto q = ops::quantize(ggml_type::q4_1, iota_floats(64, 0.1f, 0.0f));
    const auto e = ops::quantize(ggml_type::f16, iota_floats(6, 1.0f, 0.0f));
    const auto path = temp_path("fuzzseed.gguf");
    save_gguf(path.string(),
              {{"general.architecture", "llama"},
               {"tokenizer.ggml.tokens", std::vector<std::string>{"<s>", "a", "b"}},
               {"x.scores", std::vector<float>{0.5f, 1.0f}},
               {"x.n", std::uint32_t(3)}},
              {{"q", ggml_type::q4_1, {32, 2}, q}, {"e", ggml_type::f16, {3, 2}, e}});
    std::vector<std::byte> good;
    {
        std::ifstream in(path, std::ios::binary);
        std::vector<char> c((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        good.resize(c.size());
        std::memcpy(good.data(), c.data(), c.size());
    }
    std::filesystem::remove(path);
    REQUIRE(gguf_file::from_bytes(good).tensors().size() == 2);

    for (std::size_t n = 0; n < good.size(); ++n) {
        std::vector<std::byte> cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
        CAPTURE(n);
        // Cutting inside the last tensor's padding still leaves a valid file.
        const auto last = gguf_file::from_bytes(good).tensors().back();
        const std::size_t needed = gguf_file::from_bytes(good).data_offset() + last.offset + last.bytes;
        if (n >= needed) {
            CHECK_NOTHROW((void)gguf_file::from_bytes(cut));
            continue;
        }
        CHECK(parse_kind(cut) == error_kind::truncated);
    }

    // Deterministic single- and multi-byte mutations (LCG); each result must either parse or
    // throw tessera::error, and a parsed file must dequantize every tensor.
    std::uint64_t state = 0x9e3779b97f4a7c15ull;
    auto next = [&] {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<std::uint32_t>(state >> 33);
    };
    int parsed = 0, rejected = 0;
    for (int iter = 0; iter < 3000; ++iter) {
        auto m = good;
        const int flips = 1 + int(next() % 3);
        for (int k = 0; k < flips; ++k) {
            const std::size_t at = next() % m.size();
            const std::uint32_t how = next() % 4;
            if (how == 0) m[at] = std::byte(next() & 0xff);
            else if (how == 1) m[at] = std::byte{0xff};
            else if (how == 2) m[at] = std::byte{0};
            else m[at] ^= std::byte(1u << (next() % 8));
        }
        try {
            const auto f = gguf_file::from_bytes(m);
            for (const auto& t : f.tensors()) (void)f.dequantize_f32(t.name);
            ++parsed;
        } catch (const error&) {
            ++rejected;
        }
    }
    CHECK(parsed + rejected == 3000);
    CHECK(rejected > 0);
}

TEST_CASE("a file on disk: open by path, and errors name the path") {
    const auto path = temp_path("bad_magic.gguf");
    {
        std::ofstream out(path, std::ios::binary);
        out << "NOTGGUF-and-some-more-bytes-here";
    }
    std::string msg;
    CHECK(kind_of([&] { (void)gguf_file::open(path.string()); }, &msg) == error_kind::malformed);
    CHECK(msg.find(path.filename().string()) != std::string::npos);
    std::filesystem::remove(path);
    CHECK(kind_of([&] { (void)gguf_file::open(path.string()); }) == error_kind::io);
}
