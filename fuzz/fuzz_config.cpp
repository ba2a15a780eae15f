// libFuzzer target: arbitrary bytes as a model configuration, read two ways.
//
// 1. As a Hugging Face config.json (model_config::from_json). An accepted config is also
//    checked against a small fixed tensor listing, which exercises validate_against's table.
// 2. As GGUF metadata (model_config::from_gguf and the GGUF tokenizer loader): when the bytes
//    are a JSON object, each member becomes one GGUF key/value and a tensor-less GGUF file is
//    built from them in memory, so the fuzzer explores the metadata-to-config mapping (types,
//    missing keys, absurd counts, tokenizer arrays) without first having to get the GGUF
//    container right (fuzz_gguf covers the container). Mapping: a key "name@type" (type one of
//    u8 i8 u16 i16 u32 i32 u64 i64 f32 f64 bool string) forces the GGUF type of the value or
//    of an array's elements; without a suffix an integer is u32 (u64 above 2^32-1, i32/i64
//    when negative), a float f32, and an array takes its first element's kind. Members that
//    fit no GGUF type (null, objects, mixed arrays) are left out.
// Anything but a tessera::error escaping (an nlohmann exception included), a sanitizer report,
// a timeout or an allocation over libFuzzer's limit is a finding.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "tessera/io/gguf.hpp"
#include "tessera/io/gguf_writer.hpp"
#include "tessera/models/config.hpp"
#include "tessera/text/bpe_gguf.hpp"
#include "tessera/text/tokenizer_json.hpp"

namespace {

using tessera::io::gguf_value;
using tessera::io::gguf_value_type;
using json = nlohmann::json;

template <class T>
std::optional<T> number_as(const json& v) {
    if (v.is_number_unsigned()) return static_cast<T>(v.get<std::uint64_t>());
    if (v.is_number_integer()) return static_cast<T>(v.get<std::int64_t>());
    if (v.is_number_float()) {
        const double d = v.get<double>();
        if constexpr (std::is_integral_v<T>)  // out of range (or NaN) would be undefined behaviour
            if (!(d >= double(std::numeric_limits<T>::min()) && d < double(std::numeric_limits<T>::max())))
                return std::nullopt;
        return static_cast<T>(d);
    }
    if (v.is_boolean()) return static_cast<T>(v.get<bool>());
    return std::nullopt;
}

template <class T>
std::optional<gguf_value> array_of(const json& a) {
    std::vector<T> out;
    for (const json& e : a) {
        if constexpr (std::is_same_v<T, std::string>) {
            if (!e.is_string()) return std::nullopt;
            out.push_back(e.get<std::string>());
        } else if constexpr (std::is_same_v<T, bool>) {
            if (!e.is_boolean()) return std::nullopt;
            out.push_back(e.get<bool>());
        } else {
            const auto x = number_as<T>(e);
            if (!x) return std::nullopt;
            out.push_back(*x);
        }
    }
    return gguf_value(std::move(out));
}

// The GGUF value `v` maps to with element/value type `t`, or nullopt.
std::optional<gguf_value> typed(const json& v, gguf_value_type t) {
    using T = gguf_value_type;
    if (v.is_array()) {
        switch (t) {
        case T::u8: return array_of<std::uint8_t>(v);
        case T::i8: return array_of<std::int8_t>(v);
        case T::u16: return array_of<std::uint16_t>(v);
        case T::i16: return array_of<std::int16_t>(v);
        case T::u32: return array_of<std::uint32_t>(v);
        case T::i32: return array_of<std::int32_t>(v);
        case T::u64: return array_of<std::uint64_t>(v);
        case T::i64: return array_of<std::int64_t>(v);
        case T::f32: return array_of<float>(v);
        case T::f64: return array_of<double>(v);
        case T::boolean: return array_of<bool>(v);
        case T::string: return array_of<std::string>(v);
        default: return std::nullopt;
        }
    }
    if (t == T::string) return v.is_string() ? std::optional<gguf_value>(v.get<std::string>()) : std::nullopt;
    if (t == T::boolean) return v.is_boolean() ? std::optional<gguf_value>(v.get<bool>()) : std::nullopt;
    const auto as = [&](auto tag) -> std::optional<gguf_value> {
        const auto x = number_as<decltype(tag)>(v);
        return x ? std::optional<gguf_value>(*x) : std::nullopt;
    };
    switch (t) {
    case T::u8: return as(std::uint8_t{});
    case T::i8: return as(std::int8_t{});
    case T::u16: return as(std::uint16_t{});
    case T::i16: return as(std::int16_t{});
    case T::u32: return as(std::uint32_t{});
    case T::i32: return as(std::int32_t{});
    case T::u64: return as(std::uint64_t{});
    case T::i64: return as(std::int64_t{});
    case T::f32: return as(float{});
    case T::f64: return as(double{});
    default: return std::nullopt;
    }
}

// The type a value without a "@type" suffix gets.
std::optional<gguf_value_type> natural_type(const json& v) {
    using T = gguf_value_type;
    const json& x = v.is_array() ? (v.empty() ? v : v.front()) : v;
    if (x.is_array()) return v.empty() ? std::optional<T>(T::i32) : std::nullopt;  // [] or nested
    if (x.is_string()) return T::string;
    if (x.is_boolean()) return T::boolean;
    if (x.is_number_float()) return T::f32;
    if (x.is_number_unsigned()) return x.get<std::uint64_t>() > UINT32_MAX ? T::u64 : T::u32;
    if (x.is_number_integer()) {
        const auto i = x.get<std::int64_t>();
        return i < INT32_MIN || i > INT32_MAX ? T::i64 : T::i32;
    }
    return std::nullopt;
}

void fuzz_gguf_metadata(std::string_view text) {
    using namespace tessera;
    const json doc = text::detail::parse_json_document(text, "fuzz.json", limits{});
    if (!doc.is_object()) return;
    static constexpr std::string_view type_names[] = {"u8",  "i8",  "u16", "i16", "u32", "i32", "f32",
                                                      "bool", "string", "", "u64", "i64", "f64"};
    std::vector<io::gguf_kv> kv;
    for (const auto& item : doc.items()) {
        std::string key = item.key();
        std::optional<gguf_value_type> t;
        if (const auto at = key.rfind('@'); at != std::string::npos) {
            for (std::uint32_t i = 0; i < io::gguf_value_type_count; ++i)
                if (!type_names[i].empty() && key.compare(at + 1, std::string::npos, type_names[i]) == 0)
                    t = static_cast<gguf_value_type>(i);
            if (t) key.resize(at);
        }
        if (!t) t = natural_type(item.value());
        if (!t || key.empty()) continue;
        auto v = typed(item.value(), *t);
        if (!v) continue;
        bool seen = false;
        for (const auto& e : kv) seen = seen || e.key == key;
        if (!seen) kv.push_back({std::move(key), std::move(*v)});
    }
    // A GGUF v3 file without tensors: header, then the key/values (io/gguf_reader.hpp).
    io::detail::gguf_buffer b;
    b.put<std::uint32_t>(io::gguf_magic);
    b.put<std::uint32_t>(3);
    b.put<std::uint64_t>(0);
    b.put<std::uint64_t>(kv.size());
    for (const auto& e : kv) {
        b.put_string(e.key);
        io::detail::put_value(b, e.value);
    }
    const auto f = io::gguf_file::from_bytes(b.bytes(), "fuzz.gguf");
    try {
        const auto c = models::model_config::from_gguf(f);
        (void)c;
    } catch (const error&) {  // the tokenizer is read from the same metadata either way
    }
    if (f.contains("tokenizer.ggml.tokens")) {
        const auto tok = text::bpe_from_gguf(f);
        (void)tok.decode(tok.encode("Hello, world! <|im_start|>héllo 12345\xff"));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace tessera::models;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const auto c = model_config::from_json(text, "fuzz.json");
        const std::vector<tensor_desc> tensors = {
            {"embeddings.word_embeddings.weight", {c.vocab_size, c.hidden_size}},
            {"wte.weight", {c.vocab_size, c.hidden_size}},
            {"model.embed_tokens.weight", {c.vocab_size, c.hidden_size}},
            {"encoder.layer.0.attention.self.query.weight", {c.hidden_size, c.hidden_size}},
            {"h.0.ln_1.weight", {c.hidden_size}},
            {"model.layers.0.input_layernorm.weight", {c.hidden_size}},
        };
        c.validate_against(tensors, "fuzz.safetensors");
    } catch (const tessera::error&) {
    }
    try {
        fuzz_gguf_metadata(text);
    } catch (const tessera::error&) {
    }
    return 0;
}
