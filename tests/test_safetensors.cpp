// safetensors reader, sharded model and writer: round trips, and every safetensors case
// of the hostile-input catalog in docs/RELIABILITY.md, each checked for its error kind.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "tessera/io/safetensors.hpp"

using namespace tessera;
namespace fs = std::filesystem;

namespace {

using byte_vec = std::vector<std::byte>;

// A file: 8-byte little-endian `length` (default: the header's size), the header text,
// then `data_bytes` bytes counting 0, 1, 2, ...
byte_vec make_file(std::string_view header, std::size_t data_bytes = 0, std::optional<std::uint64_t> length = {}) {
    const std::uint64_t n = length ? *length : header.size();
    byte_vec out;
    for (int i = 0; i < 8; ++i) out.push_back(std::byte(static_cast<unsigned char>(n >> (8 * i))));
    for (char c : header) out.push_back(std::byte(static_cast<unsigned char>(c)));
    for (std::size_t i = 0; i < data_bytes; ++i) out.push_back(std::byte(static_cast<unsigned char>(i)));
    return out;
}

// `"name":{"dtype":..,"shape":..,"data_offsets":[begin,end]}` with shape and offsets as JSON text.
// (Built with append: g++ 12 gives false -Wrestrict warnings on "literal" + std::string.)
std::string entry(std::string_view name, std::string_view dtype, std::string_view shape, std::string_view offsets) {
    std::string e = "\"";
    e.append(name).append("\":{\"dtype\":\"").append(dtype).append("\",\"shape\":").append(shape);
    e.append(",\"data_offsets\":").append(offsets).append("}");
    return e;
}
std::string entry(std::string_view name, std::string_view dtype, std::string_view shape, std::uint64_t begin,
                  std::uint64_t end) {
    std::string offsets = "[";
    offsets.append(std::to_string(begin)).append(",").append(std::to_string(end)).append("]");
    return entry(name, dtype, shape, offsets);
}
// `{part,part,...}`
std::string object(std::initializer_list<std::string_view> parts) {
    std::string o = "{";
    for (auto p : parts) {
        if (o.size() > 1) o += ',';
        o.append(p);
    }
    return o += '}';
}

// "ok", or the kind of the tessera::error that `f` throws.
template <class F>
std::string outcome(F&& f) {
    try {
        f();
    } catch (const error& e) {
        return std::string(to_string(e.kind()));
    }
    return "ok";
}

std::string open_outcome(const byte_vec& file, const limits& lim = {}) {
    return outcome([&] { io::safetensors_file::from_bytes(file, "hostile.safetensors", lim); });
}

std::string error_message(const byte_vec& file) {
    try {
        io::safetensors_file::from_bytes(file, "hostile.safetensors");
    } catch (const error& e) {
        return e.what();
    }
    return "";
}

// A fresh directory, removed with everything in it at scope exit.
struct temp_dir {
    fs::path path;
    temp_dir() {
        static int counter = 0;
        path =
            fs::temp_directory_path() / ("tessera_st_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

void write_file(const fs::path& p, const byte_vec& bytes) {
    std::ofstream f(p, std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}
void write_text(const fs::path& p, std::string_view text) {
    std::ofstream f(p, std::ios::binary);
    f << text;
}

template <class T>
tensor<T> filled(const shape& s, T first, T step) {
    tensor<T> t(s);
    T v = first;
    for (auto& x : t.span()) {
        x = v;
        v = static_cast<T>(v + step);
    }
    return t;
}

template <class T>
bool same_bytes(const tensor<T>& a, std::span<const std::byte> b) {
    return a.numel() * sizeof(T) == b.size() && (b.empty() || std::memcmp(a.data(), b.data(), b.size()) == 0);
}

bool inside(const void* p, std::span<const std::byte> file) {
    const auto* b = static_cast<const std::byte*>(p);
    return b >= file.data() && b < file.data() + file.size();
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Round trips through the writer

TEST_CASE("every supported dtype round-trips exactly through save_safetensors") {
    temp_dir dir;
    const auto path = dir.path / "all.safetensors";

    auto f64 = filled<double>(shape{2, 3}, -1.0 / 3.0, 0.25);
    auto f32 = filled<float>(shape{3, 5}, 1e-30f, 1.5f);
    f32(0, 1) = std::numeric_limits<float>::infinity();
    f32(0, 2) = -0.0f;
    tensor<f16> h(shape{6});
    const std::uint16_t f16_bits[] = {0x0000, 0x3c00, 0xc000, 0x0001, 0x7bff, 0xfc00};  // 0 1 -2 min-subnormal max -inf
    for (int i = 0; i < 6; ++i) h.data()[i].bits = f16_bits[i];
    tensor<bf16> b(shape{2, 2});
    const std::uint16_t bf16_bits[] = {0x3f80, 0xc0a0, 0x0001, 0x7f7f};  // 1 -5 subnormal max
    for (int i = 0; i < 4; ++i) b.data()[i].bits = bf16_bits[i];
    auto i64 = filled<std::int64_t>(shape{4}, std::numeric_limits<std::int64_t>::min(), 1);
    auto i32 = filled<std::int32_t>(shape{2, 2}, -7, 3);
    auto i16 = filled<std::int16_t>(shape{3}, -32768, 1000);
    auto i8 = filled<std::int8_t>(shape{5}, -128, 60);
    auto u8 = filled<std::uint8_t>(shape{1, 7}, 250, 1);  // wraps to 0..
    tensor<bool> flags(shape{3});
    flags.data()[0] = true;
    flags.data()[2] = true;

    io::save_safetensors(path,
                         {{"f64", f64},
                          {"f32", f32},
                          {"f16", h},
                          {"bf16", b},
                          {"i64", i64},
                          {"i32", i32},
                          {"i16", i16},
                          {"i8", i8},
                          {"u8", u8},
                          {"bool", flags}},
                         {{"format", "pt"}});

    for (auto mode : {io::mapped_file::mode::map, io::mapped_file::mode::read_into_memory}) {
        io::safetensors_file f(path.string(), {}, mode);
        REQUIRE(f.size() == 10);
        CHECK(f.data_offset() % 8 == 0);
        CHECK(f.metadata().at("format") == "pt");
        // File order: widest dtype first, otherwise the order given.
        const char* order[] = {"f64", "i64", "f32", "i32", "f16", "bf16", "i16", "i8", "u8", "bool"};
        for (std::size_t i = 0; i < 10; ++i) CHECK(f.tensors()[i].name == order[i]);

        CHECK(f.info("f64").type == dtype::f64);
        CHECK(f.info("f32").dims == shape{3, 5});
        CHECK(f.info("bool").type == dtype::boolean);
        CHECK(same_bytes(f64, f.bytes("f64")));
        CHECK(same_bytes(f32, f.bytes("f32")));
        CHECK(same_bytes(h, f.bytes("f16")));
        CHECK(same_bytes(b, f.bytes("bf16")));
        CHECK(same_bytes(i64, f.bytes("i64")));
        CHECK(same_bytes(i32, f.bytes("i32")));
        CHECK(same_bytes(i16, f.bytes("i16")));
        CHECK(same_bytes(i8, f.bytes("i8")));
        CHECK(same_bytes(u8, f.bytes("u8")));
        CHECK(same_bytes(flags, f.bytes("bool")));

        // load<T> copies exactly.
        CHECK(same_bytes(f.load<double>("f64"), f.bytes("f64")));
        CHECK(same_bytes(f.load<std::int64_t>("i64"), f.bytes("i64")));
        auto lb = f.load<bool>("bool");
        CHECK((lb.data()[0] && !lb.data()[1] && lb.data()[2]));

        // load_f32 converts.
        auto c = f.load_f32("f16");
        CHECK(c.data()[1] == 1.0f);
        CHECK(c.data()[2] == -2.0f);
        CHECK(c.data()[3] == std::ldexp(1.0f, -24));
        CHECK(c.data()[4] == 65504.0f);
        CHECK(std::isinf(c.data()[5]));
        auto cb = f.load_f32("bf16");
        CHECK(cb(0, 1) == -5.0f);
        CHECK(f.load_f32("i32")(1, 1) == 2.0f);
        CHECK(f.load_f32("i8").data()[4] == 112.0f);
        CHECK(f.load_f32("u8")(0, 6) == 0.0f);  // 250 + 6 wrapped to 0
        CHECK(f.load_f32("bool").data()[2] == 1.0f);
        CHECK(f.load_f32("f64")(1, 2) == static_cast<float>(f64(1, 2)));
        CHECK(f.load_f32("f32")(0, 1) == std::numeric_limits<float>::infinity());

        // Zero-copy views where the dtype matches; the data section is 8-byte aligned.
        auto v = f.view<float>("f32");
        CHECK(inside(v.data(), f.file_bytes()));
        CHECK(v.dims() == shape{3, 5});
        CHECK(v(2, 4) == f32(2, 4));
        CHECK(inside(f.view<double>("f64").data(), f.file_bytes()));
        CHECK(f.view<f16>("f16").data()[4].bits == 0x7bff);
        CHECK(f.view<std::int64_t>("i64")(0) == std::numeric_limits<std::int64_t>::min());
        CHECK(outcome([&] { f.view<float>("f16"); }) == "invalid_argument");
        CHECK(outcome([&] { f.load<float>("f64"); }) == "invalid_argument");
        CHECK(outcome([&] { f.info("missing"); }) == "out_of_range");
        CHECK(!f.contains("missing"));
        CHECK(f.find("missing") == nullptr);
    }
    CHECK(io::safetensors_file(path.string()).file_bytes().size() == fs::file_size(path));
}

TEST_CASE("writer: strided views are written contiguous; zero-size and rank-0 tensors") {
    temp_dir dir;
    const auto path = dir.path / "strided.safetensors";
    auto m = filled<float>(shape{3, 4}, 0.0f, 1.0f);
    auto t = m.view().transpose();         // [4, 3], inner stride 4
    auto s = m.view().slice(1, 1, 3);      // [3, 2], rows not contiguous
    tensor<float> scalar(shape{}, 42.5f);  // rank 0: one element
    tensor<float> empty_rows(shape{0, 3});
    tensor<std::int32_t> empty_cols(shape{5, 0});
    io::save_safetensors(
        path, {{"t", t}, {"s", s}, {"scalar", scalar}, {"empty_rows", empty_rows}, {"empty_cols", empty_cols}});

    io::safetensors_file f(path.string());
    auto lt = f.load_f32("t");
    REQUIRE(lt.dims() == shape{4, 3});
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t j = 0; j < 3; ++j) CHECK(lt(i, j) == m(j, i));
    auto ls = f.load_f32("s");
    REQUIRE(ls.dims() == shape{3, 2});
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 2; ++j) CHECK(ls(i, j) == m(i, j + 1));

    CHECK(f.info("scalar").dims.rank() == 0);
    CHECK(f.info("scalar").byte_size == 4);
    CHECK(f.load_f32("scalar").data()[0] == 42.5f);
    CHECK(f.view<float>("scalar").numel() == 1);
    CHECK(f.info("empty_rows").byte_size == 0);
    CHECK(f.load_f32("empty_rows").numel() == 0);
    CHECK(f.info("empty_cols").dims == shape{5, 0});
    CHECK(f.view<std::int32_t>("empty_cols").numel() == 0);
    CHECK(f.bytes("empty_cols").empty());
}

TEST_CASE("writer: every tensor of a written file is aligned for zero-copy views") {
    temp_dir dir;
    const auto path = dir.path / "mixed.safetensors";
    tensor<std::uint8_t> u(shape{3}, 1);
    tensor<f16> h(shape{3}, to_f16(2.0f));
    tensor<float> f(shape{3}, 3.0f);
    tensor<double> d(shape{1}, 4.0);
    io::save_safetensors(path, {{"u", u}, {"h", h}, {"f", f}, {"d", d}});
    io::safetensors_file r(path.string());
    CHECK(r.view<double>("d")(0) == 4.0);
    CHECK(r.view<float>("f")(2) == 3.0f);
    CHECK(to_f32(r.view<f16>("h")(1)) == 2.0f);
    CHECK(r.view<std::uint8_t>("u")(0) == 1);
    for (const auto& t : r.tensors()) CHECK(t.file_offset % size_of(t.type) == 0);
}

TEST_CASE("writer: bad names are refused and leave no file behind") {
    temp_dir dir;
    const auto path = dir.path / "bad.safetensors";
    tensor<float> a(shape{2});
    CHECK(outcome([&] { io::save_safetensors(path, {{"x", a}, {"x", a}}); }) == "duplicate");
    CHECK(outcome([&] { io::save_safetensors(path, {{"", a}}); }) == "invalid_argument");
    CHECK(outcome([&] { io::save_safetensors(path, {{"__metadata__", a}}); }) == "invalid_argument");
    CHECK(outcome([&] { io::save_safetensors(path, {{"bad\xff", a}}); }) == "invalid_argument");
    CHECK(outcome([&] { io::save_safetensors(dir.path / "no_such_dir" / "x.safetensors", {{"x", a}}); }) == "io");
    CHECK(fs::is_empty(dir.path));

    // A successful write replaces an existing file whole.
    write_text(path, "old contents");
    io::save_safetensors(path, {{"x", a}});
    CHECK(io::safetensors_file(path.string()).contains("x"));
    std::size_t files = 0;
    for ([[maybe_unused]] auto& e : fs::directory_iterator(dir.path)) ++files;
    CHECK(files == 1);
}

// ---------------------------------------------------------------------------------------
// Hand-built headers: valid edge cases

TEST_CASE("hand-built: zero-size and rank-0 tensors, padding, metadata, skipped keys") {
    const std::string header = object({"\"__metadata__\":{\"format\":\"pt\",\"k\":\"v\\u00e9\"}",
                                       entry("scalar", "F32", "[]", 0, 4), entry("none", "F16", "[0,7]", 4, 4),
                                       entry("row", "U8", "[4]", 4, 8), entry("end", "BF16", "[3,0]", 8, 8),
                                       // unknown keys, even nested ones, are skipped
                                       "\"extra\":{\"data_offsets\":[8,8],\"future\":{\"a\":[1,{\"b\":null}]},"
                                       "\"dtype\":\"I64\",\"shape\":[0],\"note\":\"x\"}"}) +
                               "    ";  // trailing padding
    auto file = make_file(header, 8);
    auto f = io::safetensors_file::from_bytes(file, "edge");
    REQUIRE(f.size() == 5);
    CHECK(f.metadata().size() == 2);
    CHECK(f.metadata().at("k") == "v\xc3\xa9");
    CHECK(f.tensors()[0].name == "scalar");
    CHECK(f.tensors()[1].name == "none");  // zero-size ties at offset 4 keep header order
    CHECK(f.tensors()[2].name == "row");
    CHECK(f.info("scalar").file_offset == 8 + header.size());
    CHECK(f.info("extra").type == dtype::i64);
    CHECK(f.load<std::uint8_t>("row").data()[3] == 7);
    CHECK(f.load_f32("scalar").numel() == 1);
    CHECK(f.load_f32("none").numel() == 0);
}

TEST_CASE("hand-built: an empty header object and names that need escapes") {
    CHECK(open_outcome(make_file("{}")) == "ok");
    CHECK(open_outcome(make_file("{\"__metadata__\":{}}")) == "ok");
    auto f = io::safetensors_file::from_bytes(make_file(object({entry("a\\\"b\\u0041", "U8", "[1]", 0, 1)}), 1), "esc");
    CHECK(f.contains("a\"bA"));
}

TEST_CASE("misaligned data start: view<T> refuses, load and load_f32 still read the values") {
    temp_dir dir;
    const auto path = dir.path / "misaligned.safetensors";
    // Header of 8k+1 bytes: the data section starts at an odd file offset.
    std::string header =
        object({entry("f", "F32", "[3]", 0, 12), entry("d", "F64", "[1]", 12, 20), entry("u", "U8", "[2]", 20, 22)});
    while (header.size() % 8 != 1) header += ' ';
    byte_vec file = make_file(header);
    const float fv[3] = {1.5f, -2.25f, 3e10f};
    const double dv = -0.1;
    const unsigned char uv[2] = {9, 200};
    auto append = [&](const void* p, std::size_t n) {
        const auto* b = static_cast<const std::byte*>(p);
        file.insert(file.end(), b, b + n);
    };
    append(fv, 12);
    append(&dv, 8);
    append(uv, 2);
    write_file(path, file);

    io::safetensors_file f(path.string());
    CHECK(f.data_offset() % 2 == 1);
    CHECK(outcome([&] { f.view<float>("f"); }) == "invalid_argument");
    CHECK(outcome([&] { f.view<double>("d"); }) == "invalid_argument");
    auto lf = f.load_f32("f");
    CHECK(lf.data()[0] == 1.5f);
    CHECK(lf.data()[2] == 3e10f);
    CHECK(f.load<float>("f").data()[1] == -2.25f);
    CHECK(f.load<double>("d").data()[0] == -0.1);
    CHECK(f.load_f32("d").data()[0] == static_cast<float>(-0.1));
    auto vu = f.view<std::uint8_t>("u");  // alignment 1: always viewable
    CHECK(inside(vu.data(), f.file_bytes()));
    CHECK(vu(1) == 200);
}

// ---------------------------------------------------------------------------------------
// The hostile-input catalog (RELIABILITY.md, safetensors)

TEST_CASE("hostile: file shorter than 8 bytes") {
    for (std::size_t n = 0; n < 8; ++n) CHECK(open_outcome(byte_vec(n, std::byte{0})) == "truncated");
    temp_dir dir;
    write_text(dir.path / "empty.safetensors", "");
    CHECK(outcome([&] { io::safetensors_file((dir.path / "empty.safetensors").string()); }) == "truncated");
    CHECK(outcome([&] { io::safetensors_file((dir.path / "absent.safetensors").string()); }) == "io");
}

TEST_CASE("hostile: header length 2^64-1, larger than the file, larger than the cap") {
    const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    CHECK(open_outcome(make_file("{}", 0, max)) == "too_large");
    limits no_cap;
    no_cap.max_header_bytes = max;  // the file-size check alone must not wrap
    CHECK(open_outcome(make_file("{}", 0, max), no_cap) == "truncated");
    CHECK(open_outcome(make_file("{}", 0, max - 7), no_cap) == "truncated");
    CHECK(open_outcome(make_file("{}", 0, 3)) == "truncated");
    CHECK(open_outcome(make_file("{}", 16, 100)) == "truncated");
    limits small;
    small.max_header_bytes = 16;
    const auto valid = make_file(object({entry("a", "U8", "[1]", 0, 1)}), 1);
    CHECK(open_outcome(valid) == "ok");
    CHECK(open_outcome(valid, small) == "too_large");
    CHECK(open_outcome(make_file("", 0)) == "malformed");  // N = 0
}

TEST_CASE("hostile: header not UTF-8, not JSON, not an object") {
    const std::string tail = "\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
    for (std::string bad : {"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\x80", "\xe2\x82"})
        CHECK(open_outcome(make_file("{\"a" + bad + tail, 1)) == "malformed");
    CHECK(open_outcome(make_file("{\"a\xe2\x82", 0)) == "malformed");  // truncated sequence at the end
    CHECK(error_message(make_file("{\"a\xff" + tail, 1)).find("byte 11") != std::string::npos);

    for (std::string bad : std::initializer_list<std::string>{
             "{", "{\"a\":", "{abc}", "{} x", "{\"a\":{}}}", "{\"a\" {}}", "{\"a\":{\"dtype\":\"U8\",}}",
             "{\"\\ud800\":{}}", std::string("{\"a\0\":1}", 8), "{'a':1}"})
        CHECK(open_outcome(make_file(bad)) == "malformed");
    for (std::string bad : {"[1,2]", "\"str\"", "123", "null", " {}", "\n{}"})
        CHECK(open_outcome(make_file(bad)) == "malformed");
    CHECK(open_outcome(make_file("{\"a\":5}")) == "malformed");
    CHECK(open_outcome(make_file("{\"a\":[1]}")) == "malformed");
    CHECK(open_outcome(make_file("{\"__metadata__\":[]}")) == "malformed");
    CHECK(open_outcome(make_file("{\"__metadata__\":{\"k\":1}}")) == "malformed");
    CHECK(open_outcome(make_file("{\"__metadata__\":{\"k\":{\"x\":\"y\"}}}")) == "malformed");
    CHECK(open_outcome(make_file("{\"__metadata__\":null}")) == "malformed");
}

TEST_CASE("hostile: metadata nested 100k levels deep is refused before parsing") {
    const std::size_t depth = 100'000;
    std::string arrays = "{\"__metadata__\":" + std::string(depth, '[') + std::string(depth, ']') + "}";
    CHECK(open_outcome(make_file(arrays)) == "too_large");
    std::string objects = "{\"__metadata__\":";
    for (std::size_t i = 0; i < depth; ++i) objects += "{\"k\":";
    objects += "\"v\"" + std::string(depth + 1, '}');
    CHECK(open_outcome(make_file(objects)) == "too_large");
    // Unclosed: the scan stops at the limit, never touching the parser.
    CHECK(open_outcome(make_file("{\"a\":" + std::string(depth, '['))) == "too_large");
    // Brackets inside strings do not count.
    CHECK(open_outcome(make_file("{\"__metadata__\":{\"k\":\"" + std::string(1000, '[') + "\\\"\"}}")) == "ok");
    limits shallow;
    shallow.max_json_depth = 2;  // top object + entry object, but shape needs a third level
    CHECK(open_outcome(make_file(object({entry("a", "U8", "[1]", 0, 1)}), 1), shallow) == "too_large");
}

TEST_CASE("hostile: unknown and unsupported dtypes") {
    CHECK(open_outcome(make_file(object({entry("w", "Q4_K", "[1]", 0, 1)}), 1)) == "unsupported");
    CHECK(open_outcome(make_file(object({entry("w", "f32", "[1]", 0, 4)}), 4)) == "unsupported");
    for (const char* hf : {"F8_E4M3", "F8_E5M2", "U16", "U32", "U64", "F8_E8M0", "F4", "C64"}) {
        const auto file = make_file(object({entry("layer.0.w", hf, "[1]", 0, 1)}), 1);
        CHECK(open_outcome(file) == "unsupported");
        const std::string msg = error_message(file);
        CHECK(msg.find("layer.0.w") != std::string::npos);
        CHECK(msg.find(hf) != std::string::npos);
    }
    CHECK(open_outcome(make_file("{\"w\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,1]}}", 1)) == "malformed");
    CHECK(open_outcome(make_file("{\"w\":{\"shape\":[1],\"data_offsets\":[0,1]}}", 1)) == "malformed");
    CHECK(open_outcome(make_file("{\"w\":{\"dtype\":\"U8\",\"data_offsets\":[0,1]}}", 1)) == "malformed");
    CHECK(open_outcome(make_file("{\"w\":{\"dtype\":\"U8\",\"shape\":[1]}}", 1)) == "malformed");
}

TEST_CASE("hostile: negative, fractional, huge and non-number shape entries") {
    auto with_shape = [](std::string_view s) { return make_file(object({entry("w", "U8", s, 0, 1)}), 1); };
    CHECK(open_outcome(with_shape("[1]")) == "ok");
    CHECK(open_outcome(with_shape("[-1]")) == "out_of_range");
    CHECK(open_outcome(with_shape("[-0]")) == "inconsistent");  // -0 is 0: a valid zero-size shape, wrong range
    CHECK(open_outcome(with_shape("[1.5]")) == "malformed");
    CHECK(open_outcome(with_shape("[1.0]")) == "malformed");
    CHECK(open_outcome(with_shape("[1e0]")) == "malformed");
    CHECK(open_outcome(with_shape("[18446744073709551616]")) == "out_of_range");
    CHECK(open_outcome(with_shape("[99999999999999999999999999999]")) == "out_of_range");
    CHECK(open_outcome(with_shape("[\"1\"]")) == "malformed");
    CHECK(open_outcome(with_shape("[null]")) == "malformed");
    CHECK(open_outcome(with_shape("[[1]]")) == "malformed");
    CHECK(open_outcome(with_shape("[{}]")) == "malformed");
    CHECK(open_outcome(with_shape("1")) == "malformed");
    CHECK(open_outcome(with_shape("{}")) == "malformed");
    CHECK(open_outcome(with_shape("[1,1,1,1,1,1,1]")) == "unsupported");  // rank above max_rank
    // A single huge entry that fits u64 but not with the dtype size.
    CHECK(open_outcome(make_file(object({entry("w", "F32", "[9223372036854775808]", 0, 4)}), 4)) == "overflow");
}

TEST_CASE("hostile: shape product overflow") {
    CHECK(open_outcome(make_file(object({entry("w", "U8", "[4294967296,4294967296,2]", 0, 1)}), 1)) == "overflow");
    CHECK(open_outcome(make_file(object({entry("w", "U8", "[4294967296,4294967296,0]", 0, 0)}))) == "overflow");
    limits small;
    small.max_tensor_bytes = 1000;
    CHECK(open_outcome(make_file(object({entry("w", "U8", "[1001]", 0, 1001)}), 1001), small) == "too_large");
}

TEST_CASE("hostile: byte ranges that do not match, gaps, overlaps, end < begin, trailing bytes") {
    auto one = [](std::string_view dt, std::string_view s, std::uint64_t b, std::uint64_t e, std::size_t data) {
        return open_outcome(make_file(object({entry("w", dt, s, b, e)}), data));
    };
    CHECK(one("F32", "[2]", 0, 8, 8) == "ok");
    CHECK(one("F32", "[2]", 0, 4, 4) == "inconsistent");  // shape x dtype = 8, range = 4
    CHECK(one("F32", "[2]", 0, 12, 12) == "inconsistent");
    CHECK(one("F32", "[1]", 8, 4, 8) == "inconsistent");  // end < begin
    CHECK(one("F32", "[1]", 0, 4, 2) == "out_of_range");  // past the data section
    CHECK(one("F32", "[1]", 4, 8, 8) == "inconsistent");  // gap at the start
    CHECK(one("F32", "[1]", 0, 4, 8) == "inconsistent");  // bytes after the last tensor
    CHECK(one("F32", "[0]", 0, 0, 1) == "inconsistent");  // one trailing byte
    auto two = [](std::uint64_t b1, std::uint64_t e1, std::uint64_t b2, std::uint64_t e2, std::size_t data) {
        const std::string n1 = std::string("[").append(std::to_string(e1 - b1)).append("]");
        const std::string n2 = std::string("[").append(std::to_string(e2 - b2)).append("]");
        return open_outcome(make_file(object({entry("a", "U8", n1, b1, e1), entry("b", "U8", n2, b2, e2)}), data));
    };
    CHECK(two(0, 4, 4, 8, 8) == "ok");
    CHECK(two(4, 8, 0, 4, 8) == "ok");            // header order need not be file order
    CHECK(two(0, 4, 6, 8, 8) == "inconsistent");  // gap
    CHECK(two(0, 6, 4, 8, 8) == "inconsistent");  // overlap
    CHECK(two(0, 8, 0, 8, 8) == "inconsistent");  // same range twice
    CHECK(two(0, 8, 2, 4, 8) == "inconsistent");  // nested
    CHECK(two(0, 4, 4, 8, 9) == "inconsistent");  // trailing byte
    CHECK(two(0, 4, 2, 2, 4) == "inconsistent");  // zero-size tensor inside another
    const std::string gap_msg =
        error_message(make_file(object({entry("a", "U8", "[4]", 0, 4), entry("b", "U8", "[2]", 6, 8)}), 8));
    CHECK(gap_msg.find("\"b\"") != std::string::npos);
    CHECK(gap_msg.find("gap") != std::string::npos);
}

TEST_CASE("hostile: data_offsets must be two exact non-negative integers") {
    auto offs = [](std::string_view o) { return open_outcome(make_file(object({entry("w", "U8", "[1]", o)}), 1)); };
    CHECK(offs("[0,1]") == "ok");
    CHECK(offs("[0]") == "malformed");
    CHECK(offs("[0,1,2]") == "malformed");
    CHECK(offs("[]") == "malformed");
    CHECK(offs("[-1,0]") == "out_of_range");
    CHECK(offs("[0,1.0]") == "malformed");
    CHECK(offs("[0,1e0]") == "malformed");
    CHECK(offs("[0,\"1\"]") == "malformed");
    CHECK(offs("[0,18446744073709551616]") == "out_of_range");
    CHECK(offs("{\"0\":1}") == "malformed");
    CHECK(offs("0") == "malformed");
}

TEST_CASE("hostile: offsets above 2^53 are parsed exactly, then refused") {
    // 2^53 + 1 is not a double; a reader that parsed through double would report ...992.
    const auto file = make_file(object({entry("w", "F32", "[1]", "[9007199254740993,9007199254740997]")}), 4);
    CHECK(open_outcome(file) == "out_of_range");
    CHECK(error_message(file).find("9007199254740993") != std::string::npos);
    const auto top = make_file(object({entry("w", "U8", "[1]", "[18446744073709551614,18446744073709551615]")}), 1);
    CHECK(open_outcome(top) == "out_of_range");
    CHECK(error_message(top).find("18446744073709551615") != std::string::npos);
    // Exact u64 in a consistent but wrong-size range.
    CHECK(open_outcome(make_file(object({entry("w", "U8", "[1]", "[0,9007199254740993]")}), 1)) == "out_of_range");
}

TEST_CASE("hostile: duplicate names and keys") {
    CHECK(open_outcome(make_file(object({entry("w", "U8", "[1]", 0, 1), entry("w", "U8", "[1]", 1, 2)}), 2)) ==
          "duplicate");
    CHECK(open_outcome(make_file(object({entry("w", "U8", "[1]", 0, 1), entry("w", "U8", "[1]", 0, 1)}), 1)) ==
          "duplicate");
    CHECK(open_outcome(make_file("{\"w\":{\"dtype\":\"U8\",\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}",
                                 1)) == "duplicate");
    CHECK(open_outcome(make_file("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"shape\":[1],\"data_offsets\":[0,1]}}", 1)) ==
          "duplicate");
    CHECK(open_outcome(make_file("{\"__metadata__\":{},\"__metadata__\":{}}")) == "duplicate");
    CHECK(open_outcome(make_file("{\"__metadata__\":{\"k\":\"a\",\"k\":\"b\"}}")) == "duplicate");
    // Names equal after unescaping are the same name.
    CHECK(open_outcome(make_file(object({entry("w", "U8", "[1]", 0, 1), entry("\\u0077", "U8", "[1]", 1, 2)}), 2)) ==
          "duplicate");
}

TEST_CASE("hostile: name and metadata limits") {
    limits lim;
    lim.max_name_bytes = 8;
    CHECK(open_outcome(make_file(object({entry("123456789", "U8", "[1]", 0, 1)}), 1), lim) == "too_large");
    CHECK(open_outcome(make_file(object({entry("12345678", "U8", "[1]", 0, 1)}), 1), lim) == "ok");
    lim = {};
    lim.max_metadata_entries = 1;
    CHECK(open_outcome(make_file("{\"__metadata__\":{\"a\":\"1\",\"b\":\"2\"}}"), lim) == "too_large");
}

// Parse time is reported, not asserted: unit tests carry no timing thresholds (bench/ measures).
TEST_CASE("hostile: a million tiny entries parse, and limits.max_tensors caps them") {
    const std::size_t count = 1'000'000;
    std::string header = "{";
    header.reserve(count * 64);
    for (std::size_t i = 0; i < count; ++i) {
        if (i) header += ',';
        header += entry(std::string("t").append(std::to_string(i)), "U8", "[1]", i, i + 1);
    }
    header += '}';
    const auto file = make_file(header, count);

    const auto start = std::chrono::steady_clock::now();
    auto f = io::safetensors_file::from_bytes(file, "million");
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    MESSAGE("1M entries (" << header.size() / 1e6 << " MB header) parsed in " << seconds << " s");
    REQUIRE(f.size() == count);
    CHECK(f.tensors()[123456].name == "t123456");
    CHECK(f.info("t999999").file_offset == f.data_offset() + 999999);
    CHECK(f.load<std::uint8_t>("t300").data()[0] == static_cast<std::uint8_t>(300));

    limits lim;
    lim.max_tensors = 1000;
    CHECK(open_outcome(file, lim) == "too_large");
    // Exactly at the limit is allowed.
    lim.max_tensors = 2;
    const auto two = make_file(object({entry("a", "U8", "[1]", 0, 1), entry("b", "U8", "[1]", 1, 2)}), 2);
    CHECK(open_outcome(two, lim) == "ok");
    lim.max_tensors = 1;
    CHECK(open_outcome(two, lim) == "too_large");
}

// ---------------------------------------------------------------------------------------
// Sharded checkpoints

namespace {

// Two shards, an index, and the tensors they hold: a [2,3] f32 in shard 1, b [4] bf16 and
// c [] i32 in shard 2.
struct sharded_fixture {
    temp_dir dir;
    tensor<float> a = filled<float>(shape{2, 3}, 0.5f, 1.0f);
    tensor<bf16> b = tensor<bf16>(shape{4}, to_bf16(-3.0f));
    tensor<std::int32_t> c = tensor<std::int32_t>(shape{}, 77);
    std::string shard1 = "model-00001-of-00002.safetensors", shard2 = "model-00002-of-00002.safetensors";

    sharded_fixture() {
        io::save_safetensors(dir.path / shard1, {{"a", a}}, {{"format", "pt"}});
        io::save_safetensors(dir.path / shard2, {{"b", b}, {"c", c}});
        write_index("{\"a\":\"" + shard1 + "\",\"b\":\"" + shard2 + "\",\"c\":\"" + shard2 + "\"}");
    }
    void write_index(const std::string& weight_map) const {
        write_text(dir.path / "model.safetensors.index.json",
                   "{\"metadata\":{\"total_size\":44,\"note\":\"x\",\"nested\":{\"k\":[1]}},\"weight_map\":" +
                       weight_map + "}");
    }
    std::string open(const io::safetensors_model_options& o = {}) const {
        return outcome([&] { io::safetensors_model m(dir.path, o); });
    }
};

}  // namespace

TEST_CASE("sharded: two shards behind one lookup") {
    sharded_fixture fx;
    io::safetensors_model m(fx.dir.path);
    REQUIRE(m.shards().size() == 2);
    CHECK(m.size() == 3);
    CHECK(m.metadata().at("total_size") == "44");
    CHECK(m.metadata().at("note") == "x");
    CHECK(m.metadata().count("nested") == 0);
    CHECK(m.contains("a"));
    CHECK(m.contains("c"));
    CHECK(!m.contains("d"));
    CHECK(outcome([&] { m.info("d"); }) == "out_of_range");
    CHECK(m.shard_of("a").name().ends_with(fx.shard1));
    CHECK(m.shard_of("b").name().ends_with(fx.shard2));
    CHECK(m.load_f32("a")(1, 2) == 5.5f);
    CHECK(m.load_f32("b").data()[3] == -3.0f);
    CHECK(m.load<std::int32_t>("c").data()[0] == 77);
    auto va = m.view<float>("a");
    CHECK(inside(va.data(), m.shard_of("a").file_bytes()));
    CHECK(m.tensors()[0].info->name == "a");
    CHECK(m.bytes("b").size() == 8);

    // The index file itself can be passed too.
    io::safetensors_model by_index(fx.dir.path / "model.safetensors.index.json");
    CHECK(by_index.size() == 3);
}

TEST_CASE("sharded: a directory with a single model.safetensors uses the same API") {
    temp_dir dir;
    tensor<float> w = filled<float>(shape{2, 2}, 1.0f, 1.0f);
    io::save_safetensors(dir.path / "model.safetensors", {{"w", w}}, {{"format", "pt"}});
    io::safetensors_model m(dir.path);
    CHECK(m.shards().size() == 1);
    CHECK(m.metadata().at("format") == "pt");
    CHECK(m.load_f32("w")(1, 1) == 4.0f);
    io::safetensors_model direct(dir.path / "model.safetensors");
    CHECK(direct.contains("w"));
    temp_dir empty;
    CHECK(outcome([&] { io::safetensors_model x(empty.path); }) == "io");
}

TEST_CASE("sharded: shard names that escape the model directory are refused") {
    sharded_fixture fx;
    const std::string rest = ",\"b\":\"" + fx.shard2 + "\",\"c\":\"" + fx.shard2 + "\"}";
    // Put a real shard file outside the directory so only the name check can stop it.
    temp_dir outside;
    io::save_safetensors(outside.path / fx.shard1, {{"a", fx.a}});
    const std::string rel = "../" + outside.path.filename().string() + "/" + fx.shard1;
    for (const std::string& bad :
         {rel, (outside.path / fx.shard1).string(), std::string(".."), std::string("."), std::string(""),
          "sub/" + fx.shard1, "..\\\\" + fx.shard1, std::string("a\\u0000b")}) {
        fx.write_index("{\"a\":\"" + bad + "\"" + rest);
        CHECK(fx.open() == "out_of_range");
    }
    // A symlink resolving outside is refused unless the caller allows it (HF cache layout).
    fs::rename(fx.dir.path / fx.shard1, fx.dir.path / "moved");
    fs::create_symlink(outside.path / fx.shard1, fx.dir.path / fx.shard1);
    fx.write_index("{\"a\":\"" + fx.shard1 + "\"" + rest);
    CHECK(fx.open() == "out_of_range");
    io::safetensors_model_options allow;
    allow.allow_links_outside_directory = true;
    CHECK(fx.open(allow) == "ok");
    // A symlink that stays inside the directory is fine.
    fs::remove(fx.dir.path / fx.shard1);
    fs::create_symlink("moved", fx.dir.path / fx.shard1);
    CHECK(fx.open() == "ok");
}

TEST_CASE("sharded: weight_map and shards must agree") {
    sharded_fixture fx;
    const std::string s1 = "\"" + fx.shard1 + "\"", s2 = "\"" + fx.shard2 + "\"";
    fx.write_index("{\"a\":" + s2 + ",\"b\":" + s2 + ",\"c\":" + s2 + "}");  // a is in shard 1
    CHECK(fx.open() == "inconsistent");
    fx.write_index("{\"a\":" + s1 + ",\"b\":" + s2 + ",\"c\":" + s2 + ",\"d\":" + s2 + "}");  // no d anywhere
    CHECK(fx.open() == "inconsistent");
    fx.write_index("{\"a\":" + s1 + ",\"b\":" + s2 + "}");  // c is not listed
    CHECK(fx.open() == "inconsistent");
    fx.write_index("{\"a\":" + s1 + ",\"b\":" + s2 + ",\"c\":" + s2 + ",\"a\":" + s1 + "}");
    CHECK(fx.open() == "duplicate");
    fx.write_index("{\"a\":" + s1 + ",\"b\":" + s2 + ",\"c\":\"model-00003-of-00002.safetensors\"}");
    CHECK(fx.open() == "io");  // missing shard file
    fx.write_index("{\"a\":1}");
    CHECK(fx.open() == "malformed");
    fx.write_index("[]");
    CHECK(fx.open() == "malformed");
    write_text(fx.dir.path / "model.safetensors.index.json", "{\"metadata\":{}}");
    CHECK(fx.open() == "malformed");  // no weight_map
    write_text(fx.dir.path / "model.safetensors.index.json", "{\"weight_map\":" + std::string(100000, '['));
    CHECK(fx.open() == "too_large");
    write_text(fx.dir.path / "model.safetensors.index.json", "{\"weight_map\":{},\"weight_map\":{}}");
    CHECK(fx.open() == "duplicate");

    // The same tensor in two shards.
    io::save_safetensors(fx.dir.path / fx.shard2, {{"a", fx.a}, {"b", fx.b}, {"c", fx.c}});
    fx.write_index("{\"a\":" + s1 + ",\"b\":" + s2 + ",\"c\":" + s2 + "}");
    CHECK(fx.open() == "duplicate");
}

TEST_CASE("one safetensors_file is shared read-only across threads") {
    temp_dir dir;
    auto w = filled<float>(shape{64, 64}, 0.0f, 0.5f);
    io::save_safetensors(dir.path / "m.safetensors", {{"w", w}});
    const io::safetensors_file f((dir.path / "m.safetensors").string());
    std::vector<int> ok(4, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            int good = 0;
            for (int rep = 0; rep < 50; ++rep) {
                auto v = f.view<float>("w");
                auto l = f.load_f32("w");
                good += v(63, 63) == w(63, 63) && l(10, 3) == w(10, 3) && f.contains("w");
            }
            ok[static_cast<std::size_t>(t)] = good;
        });
    for (auto& th : threads) th.join();
    for (int g : ok) CHECK(g == 50);
}
