#pragma once
// The hostile-input corpus: every safetensors and GGUF case of RELIABILITY.md's catalog (plus
// the config.json cases, as model directories), each with the error kind it must give, and a
// few valid files (zero-size and rank-0 tensors, misaligned data, files from the writers).
//
// Used by make_hostile_corpus (writes the corpus and its manifest for the CLI test and the
// fuzz seeds) and by test_hostile_corpus (opens each case with the readers directly).
// Deterministic: the same bytes on every run.
//
// manifest.tsv, one line per case:  <name> TAB <expected kind or "ok"> TAB <flags>
// where <name> is a file or directory inside the corpus directory and <flags> is "" or
// "--validate" (the case is only caught when tensor data are validated).
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "hostile/tiny_models.hpp"
#include "tessera/core/dtype.hpp"
#include "tessera/io/gguf.hpp"
#include "tessera/io/safetensors.hpp"
#include "tessera/ops/quantize.hpp"

namespace tessera::testing {

struct corpus_case {
    std::string name;       // file or directory name inside the corpus directory
    std::string format;     // "safetensors", "gguf" or "model_dir"
    std::string expect;     // an error_kind name, or "ok"
    bool validate = false;  // caught only when tensor data are validated
    std::function<void(const fs::path&)> write;
};

namespace detail {

// ---- byte builders -------------------------------------------------------------------------

struct bytes_builder {
    std::string b;  // binary-safe
    template <class T>
    bytes_builder& put(T v) {
        const std::size_t at = b.size();
        b.resize(at + sizeof(T));
        std::memcpy(b.data() + at, &v, sizeof(T));
        return *this;
    }
    bytes_builder& u32(std::uint32_t v) { return put(v); }
    bytes_builder& u64(std::uint64_t v) { return put(v); }
    bytes_builder& raw(std::string_view s) {
        b.append(s);
        return *this;
    }
    bytes_builder& str(std::string_view s) { return u64(s.size()).raw(s); }
    bytes_builder& zeros(std::size_t n) {
        b.append(n, '\0');
        return *this;
    }
    bytes_builder& pad_to(std::size_t a) {
        while (b.size() % a) b.push_back('\0');
        return *this;
    }
    bytes_builder& kv_u32(std::string_view key, std::uint32_t v) { return str(key).u32(4).u32(v); }
    bytes_builder& tensor(std::string_view name, std::vector<std::uint64_t> ne, std::uint32_t type, std::uint64_t off) {
        str(name).u32(static_cast<std::uint32_t>(ne.size()));
        for (auto d : ne) u64(d);
        return u32(type).u64(off);
    }
};

// A safetensors file: u64 header length (or `length_field`), the header text, `data` bytes.
inline std::string st_bytes(const std::string& header, std::size_t data = 0,
                            std::uint64_t length_field = std::numeric_limits<std::uint64_t>::max(),
                            bool explicit_length = false) {
    bytes_builder b;
    b.u64(explicit_length ? length_field : header.size()).raw(header);
    for (std::size_t i = 0; i < data; ++i) b.b.push_back(static_cast<char>(i * 7 + 1));
    return b.b;
}
inline std::string st_entry(std::string_view name, std::string_view dtype, std::string_view shape,
                            std::string_view offsets) {
    // append, not "literal" + std::string: GCC 12 reports a false -Wrestrict on the latter.
    std::string e = "\"";
    e.append(name).append("\":{\"dtype\":\"").append(dtype).append("\",\"shape\":").append(shape);
    return e.append(",\"data_offsets\":").append(offsets).append("}");
}
inline std::string st_one(std::string_view dtype, std::string_view shape, std::string_view offsets, std::size_t data) {
    return st_bytes(std::string("{").append(st_entry("w", dtype, shape, offsets)).append("}"), data);
}

inline bytes_builder gguf_head(std::uint64_t n_tensors, std::uint64_t n_kv, std::uint32_t version = 3) {
    bytes_builder b;
    b.u32(io::gguf_magic).u32(version).u64(n_tensors).u64(n_kv);
    return b;
}
inline std::string gguf_one_tensor(std::vector<std::uint64_t> ne, std::uint32_t type, std::uint64_t offset,
                                   std::size_t data) {
    bytes_builder b = gguf_head(1, 0);
    b.tensor("t", std::move(ne), type, offset).pad_to(32).zeros(data);
    return b.b;
}

inline auto bytes_case(std::string name, std::string format, std::string expect, std::string bytes,
                       bool validate = false) {
    return corpus_case{std::move(name), std::move(format), std::move(expect), validate,
                       [b = std::move(bytes)](const fs::path& p) { write_text_file(p, b); }};
}

}  // namespace detail

// ---- the catalog ---------------------------------------------------------------------------

inline std::vector<corpus_case> safetensors_cases() {
    using namespace detail;
    std::vector<corpus_case> v;
    auto add = [&](std::string name, std::string expect, std::string bytes, bool validate = false) {
        v.push_back(bytes_case(name + ".safetensors", "safetensors", std::move(expect), std::move(bytes), validate));
    };
    const std::uint64_t u64max = std::numeric_limits<std::uint64_t>::max();
    add("st_empty", "truncated", "");
    add("st_shorter_than_8_bytes", "truncated", std::string(7, '\x01'));
    add("st_header_length_2p64_minus_1", "too_large", st_bytes("{}", 0, u64max, true));
    add("st_header_length_past_file", "truncated", st_bytes("{}", 0, 100, true));
    add("st_header_length_over_cap", "too_large", st_bytes("{}", 0, 200ull << 20, true));
    add("st_header_zero_length", "malformed", st_bytes(""));
    add("st_header_not_utf8", "malformed", st_bytes("{\"a\xff\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1));
    add("st_header_overlong_utf8", "malformed", st_bytes("{\"a\xc0\xaf\":{}}"));
    add("st_header_not_json", "malformed", st_bytes("{abc}"));
    add("st_header_not_object", "malformed", st_bytes("[1,2]"));
    add("st_header_trailing_garbage", "malformed", st_bytes("{} x"));
    {
        const std::size_t depth = 100'000;
        add("st_metadata_nested_100k", "too_large",
            st_bytes("{\"__metadata__\":" + std::string(depth, '[') + std::string(depth, ']') + "}"));
    }
    add("st_metadata_not_string", "malformed", st_bytes("{\"__metadata__\":{\"k\":1}}"));
    add("st_unknown_dtype", "unsupported", st_one("Q4_K", "[1]", "[0,1]", 1));
    add("st_float8_dtype", "unsupported", st_one("F8_E4M3", "[1]", "[0,1]", 1));
    add("st_shape_negative", "out_of_range", st_one("U8", "[-1]", "[0,1]", 1));
    add("st_shape_fractional", "malformed", st_one("U8", "[1.5]", "[0,1]", 1));
    add("st_shape_huge", "out_of_range", st_one("U8", "[18446744073709551616]", "[0,1]", 1));
    add("st_shape_not_number", "malformed", st_one("U8", "[\"1\"]", "[0,1]", 1));
    add("st_rank_above_max", "unsupported", st_one("U8", "[1,1,1,1,1,1,1]", "[0,1]", 1));
    add("st_shape_product_overflow", "overflow", st_one("U8", "[4294967296,4294967296,2]", "[0,1]", 1));
    add("st_byte_size_overflow", "overflow", st_one("F32", "[9223372036854775808]", "[0,4]", 4));
    add("st_range_not_shape_times_dtype", "inconsistent", st_one("F32", "[2]", "[0,4]", 4));
    add("st_end_before_begin", "inconsistent", st_one("F32", "[1]", "[8,4]", 8));
    add("st_range_past_end", "out_of_range", st_one("F32", "[1]", "[0,4]", 2));
    add("st_gap_at_start", "inconsistent", st_one("F32", "[1]", "[4,8]", 8));
    add("st_bytes_after_last_tensor", "inconsistent", st_one("F32", "[1]", "[0,4]", 8));
    add("st_gap_between", "inconsistent",
        st_bytes("{" + st_entry("a", "U8", "[4]", "[0,4]") + "," + st_entry("b", "U8", "[2]", "[6,8]") + "}", 8));
    add("st_overlap", "inconsistent",
        st_bytes("{" + st_entry("a", "U8", "[6]", "[0,6]") + "," + st_entry("b", "U8", "[4]", "[4,8]") + "}", 8));
    add("st_duplicate_tensor_name", "duplicate",
        st_bytes("{" + st_entry("w", "U8", "[1]", "[0,1]") + "," + st_entry("w", "U8", "[1]", "[1,2]") + "}", 2));
    add("st_duplicate_field", "duplicate",
        st_bytes("{\"w\":{\"dtype\":\"U8\",\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1));
    add("st_offsets_above_2p53", "out_of_range", st_one("F32", "[1]", "[9007199254740993,9007199254740997]", 4));
    add("st_offsets_three_entries", "malformed", st_one("U8", "[1]", "[0,1,2]", 1));
    // One entry over limits.max_tensors (1,000,000). About 52 MB; generated, never committed.
    v.push_back(corpus_case{"st_million_entries.safetensors", "safetensors", "too_large", false, [](const fs::path& p) {
                                std::string h = "{";
                                h.reserve(1'000'001 * 52);
                                for (std::size_t i = 0; i <= 1'000'000; ++i) {
                                    if (i) h += ',';
                                    h += st_entry(std::string("t").append(std::to_string(i)), "U8", "[0]", "[0,0]");  // not "t" + string: GCC 12 -Wrestrict false positive
                                }
                                h += '}';
                                write_text_file(p, st_bytes(h));
                            }});
    // Valid: zero-size and rank-0 tensors; a header length that leaves the data misaligned.
    add("st_ok_zero_size_and_rank0", "ok",
        st_bytes("{" + st_entry("empty", "F32", "[0,4]", "[0,0]") + "," + st_entry("scalar", "F32", "[]", "[0,4]") + "}",
                 4));
    add("st_ok_misaligned_data_start", "ok",
        st_bytes("{" + st_entry("w", "F32", "[2]", "[0,8]") + "," + st_entry("h", "F16", "[1]", "[8,10]") + "}", 10));
    {
        std::string nan_file = st_bytes("{" + st_entry("w", "F32", "[2]", "[0,8]") + "}   ", 0);  // 8-aligned data
        const float values[2] = {1.0f, std::numeric_limits<float>::quiet_NaN()};
        nan_file.append(reinterpret_cast<const char*>(values), sizeof values);
        add("st_nan_value_validated", "invalid_data", nan_file, true);
    }
    v.push_back(corpus_case{"st_ok_writer.safetensors", "safetensors", "ok", true, [](const fs::path& p) {
                                tensor<float> a({3, 4});
                                for (std::size_t i = 0; i < a.numel(); ++i) a.data()[i] = tiny_value(1, i);
                                tensor<f16> h({5});
                                for (std::size_t i = 0; i < h.numel(); ++i) h.data()[i] = to_f16(tiny_value(2, i));
                                tensor<bf16> b({2, 2});
                                for (std::size_t i = 0; i < b.numel(); ++i) b.data()[i] = to_bf16(tiny_value(3, i));
                                tensor<std::int64_t> ids({4});
                                for (std::size_t i = 0; i < ids.numel(); ++i) ids.data()[i] = std::int64_t(i) - 2;
                                io::save_safetensors(p, {{"a", a}, {"half", h}, {"brain", b}, {"ids", ids}},
                                                     {{"format", "pt"}});
                            }});
    return v;
}

inline std::vector<corpus_case> gguf_cases() {
    using namespace detail;
    std::vector<corpus_case> v;
    auto add = [&](std::string name, std::string expect, std::string bytes, bool validate = false) {
        v.push_back(bytes_case(name + ".gguf", "gguf", std::move(expect), std::move(bytes), validate));
    };
    const std::uint64_t u64max = std::numeric_limits<std::uint64_t>::max();
    add("gguf_empty", "truncated", "");
    {
        bytes_builder b;
        b.u32(0x46554746).u32(3).u64(0).u64(0);
        add("gguf_bad_magic", "malformed", b.b);
    }
    add("gguf_version_1", "unsupported", gguf_head(0, 0, 1).b);
    add("gguf_version_big_endian", "unsupported", gguf_head(0, 0, 0x03000000).b);
    add("gguf_n_tensors_absurd", "too_large", gguf_head(1ull << 60, 0).b);
    add("gguf_n_kv_absurd", "too_large", gguf_head(0, u64max).b);
    add("gguf_n_kv_beyond_bytes", "truncated", gguf_head(0, 1000).b);
    {
        bytes_builder b = gguf_head(0, 1);
        b.str("k").u32(8).u64(100).zeros(20);
        add("gguf_string_longer_than_file", "truncated", b.b);
    }
    {
        bytes_builder b = gguf_head(0, 1);
        b.u64(u64max).zeros(16);
        add("gguf_key_length_2p64_minus_1", "too_large", b.b);
    }
    {
        bytes_builder b = gguf_head(0, 1);
        b.str("arr").u32(9).u32(0).u64(1ull << 62).zeros(16);
        add("gguf_array_2p62_elements", "too_large", b.b);
    }
    {
        bytes_builder b = gguf_head(0, 1);
        b.str("arr").u32(9).u32(8).u64(3).zeros(16);
        add("gguf_string_array_beyond_bytes", "truncated", b.b);
    }
    {
        bytes_builder b = gguf_head(0, 1);
        b.str("k").u32(13).u64(0);
        add("gguf_unknown_value_type", "malformed", b.b);
    }
    {
        bytes_builder b = gguf_head(0, 1);
        b.str("arr").u32(9).u32(0xffffffffu).u64(1).zeros(8);
        add("gguf_unknown_array_element_type", "malformed", b.b);
    }
    {
        bytes_builder b = gguf_head(0, 1);
        b.str("arr").u32(9).u32(9).u64(1).zeros(16);
        add("gguf_nested_array", "unsupported", b.b);
    }
    {
        bytes_builder b = gguf_head(0, 1);
        b.str("flag").u32(7).put<std::uint8_t>(2);
        add("gguf_bool_byte_2", "malformed", b.b);
    }
    {
        bytes_builder b = gguf_head(0, 1);
        b.str("").u32(4).u32(1);
        add("gguf_empty_key", "malformed", b.b);
    }
    {
        bytes_builder b = gguf_head(0, 2);
        b.kv_u32("k", 1).kv_u32("k", 2);
        add("gguf_duplicate_key", "duplicate", b.b);
    }
    {
        bytes_builder b = gguf_head(1, 0);
        b.tensor("", {8}, 0, 0).pad_to(32).zeros(32);
        add("gguf_empty_tensor_name", "malformed", b.b);
    }
    {
        bytes_builder b = gguf_head(2, 0);
        b.tensor("t", {8}, 0, 0).tensor("t", {8}, 0, 32).pad_to(32).zeros(64);
        add("gguf_duplicate_tensor_name", "duplicate", b.b);
    }
    add("gguf_n_dims_5", "malformed", gguf_one_tensor({8, 1, 1, 1, 1}, 0, 0, 32));
    add("gguf_zero_dim", "malformed", gguf_one_tensor({8, 0}, 0, 0, 32));
    add("gguf_negative_dim", "malformed", gguf_one_tensor({u64max}, 0, 0, 32));
    add("gguf_element_count_overflow", "overflow", gguf_one_tensor({1ull << 32, 1ull << 32, 2}, 0, 0, 32));
    add("gguf_byte_size_overflow", "overflow", gguf_one_tensor({1ull << 62}, 0, 0, 32));
    add("gguf_quantized_size_overflow", "overflow", gguf_one_tensor({32ull << 40, 1ull << 32}, 2, 0, 32));
    add("gguf_unknown_tensor_type", "malformed", gguf_one_tensor({32}, 99, 0, 32));
    add("gguf_unsupported_tensor_type", "unsupported", gguf_one_tensor({256}, 16, 0, 256));
    add("gguf_dim_not_block_multiple", "inconsistent", gguf_one_tensor({33}, 2, 0, 64));
    auto two = [](std::uint64_t off_a, std::uint64_t off_b, std::size_t data) {
        bytes_builder b = gguf_head(2, 0);
        b.tensor("a", {16}, 0, off_a).tensor("b", {16}, 0, off_b).pad_to(32).zeros(data);
        return b.b;
    };
    add("gguf_offsets_overlap", "inconsistent", two(0, 32, 128));
    add("gguf_offsets_out_of_order_overlap", "inconsistent", two(64, 32, 160));
    add("gguf_offset_past_end", "truncated", two(0, 64, 127));
    add("gguf_offset_near_2p64", "truncated", two(0, u64max - 31, 128));
    add("gguf_offset_unaligned", "malformed", two(0, 65, 256));
    {
        bytes_builder b = gguf_head(1, 0);
        b.tensor("t", {8}, 0, 0);
        add("gguf_data_section_past_end", "truncated", b.b);
    }
    auto with_alignment = [](std::uint32_t a) {
        bytes_builder b = gguf_head(1, 1);
        b.kv_u32("general.alignment", a).tensor("t", {8}, 0, 0).pad_to(64).zeros(64);
        return b.b;
    };
    add("gguf_alignment_0", "malformed", with_alignment(0));
    add("gguf_alignment_not_power_of_two", "malformed", with_alignment(48));
    add("gguf_alignment_huge", "out_of_range", with_alignment(1u << 31));
    {
        bytes_builder b = gguf_head(0, 1);
        b.str("general.alignment").u32(10).u64(32);
        add("gguf_alignment_wrong_type", "inconsistent", b.b);
    }
    {  // A Q8_0 tensor whose second block scale is +Inf (f16 0x7c00): found by validation only.
        bytes_builder b = gguf_head(1, 0);
        b.tensor("w", {64}, 8, 0).pad_to(32);
        const std::size_t data = b.b.size();
        b.zeros(2 * 34);
        const std::uint16_t one = 0x3c00, inf = 0x7c00;
        std::memcpy(&b.b[data], &one, 2);
        std::memcpy(&b.b[data + 34], &inf, 2);
        add("gguf_inf_block_scale_validated", "invalid_data", b.b, true);
    }
    {  // A Q4_K tensor whose d is NaN.
        bytes_builder b = gguf_head(1, 0);
        b.tensor("w", {256}, 12, 0).pad_to(32);
        const std::size_t data = b.b.size();
        b.zeros(144);
        const std::uint16_t nan = 0x7e00;
        std::memcpy(&b.b[data], &nan, 2);
        add("gguf_nan_block_scale_validated", "invalid_data", b.b, true);
    }

    // Files from the writer, and the tokenizer/config cases on a tiny Llama.
    auto llama = [&](std::string name, std::string expect, std::function<void(tiny_gguf_llama&)> change) {
        v.push_back(corpus_case{name + ".gguf", "gguf", std::move(expect), false, [change](const fs::path& p) {
                                    tiny_gguf_llama m;
                                    if (change) change(m);
                                    write_tiny_gguf_llama(p, m);
                                }});
    };
    v.push_back(corpus_case{"gguf_ok_writer.gguf", "gguf", "ok", true, [](const fs::path& p) {
                                std::vector<float> x(64);
                                for (std::size_t i = 0; i < x.size(); ++i) x[i] = tiny_value(7, i);
                                std::vector<std::vector<std::byte>> data;
                                std::vector<io::gguf_tensor_data> ts;
                                const ops::ggml_type types[] = {ops::ggml_type::f32, ops::ggml_type::f16,
                                                                ops::ggml_type::bf16, ops::ggml_type::q8_0,
                                                                ops::ggml_type::q4_0, ops::ggml_type::q4_1};
                                data.reserve(std::size(types));
                                for (auto t : types) {
                                    data.push_back(ops::quantize(t, x));
                                    ts.push_back({"x." + std::string(ops::to_string(t)), t, {32, 2}, data.back()});
                                }
                                io::save_gguf(p.string(),
                                              {{"general.name", "writer"},
                                               {"some.u8", std::uint8_t{7}},
                                               {"some.i64", std::int64_t{-5}},
                                               {"some.f64", 2.5},
                                               {"some.bool", true},
                                               {"some.array", std::vector<std::int32_t>{1, 2, 3}}},
                                              ts);
                            }});
    llama("gguf_ok_tiny_llama", "ok", {});
    llama("gguf_tokens_wrong_type", "inconsistent", [](tiny_gguf_llama& m) {
        m.edit_metadata = [](auto& meta) { set_kv(meta, "tokenizer.ggml.tokens", std::vector<std::int32_t>(40, 1)); };
    });
    llama("gguf_scores_length_mismatch", "inconsistent", [](tiny_gguf_llama& m) {
        m.edit_metadata = [](auto& meta) { set_kv(meta, "tokenizer.ggml.scores", std::vector<float>(39, 0.0f)); };
    });
    llama("gguf_token_type_length_mismatch", "inconsistent", [](tiny_gguf_llama& m) {
        m.edit_metadata = [](auto& meta) { set_kv(meta, "tokenizer.ggml.token_type", std::vector<std::int32_t>(41, 1)); };
    });
    llama("gguf_merges_wrong_type", "inconsistent", [](tiny_gguf_llama& m) {
        m.edit_metadata = [](auto& meta) { set_kv(meta, "tokenizer.ggml.merges", std::vector<std::uint8_t>{1, 2}); };
    });
    llama("gguf_vocab_size_vs_tokens", "inconsistent", [](tiny_gguf_llama& m) {
        m.edit_metadata = [](auto& meta) { set_kv(meta, "llama.vocab_size", std::uint32_t{41}); };
    });
    llama("gguf_bos_outside_vocab", "out_of_range", [](tiny_gguf_llama& m) {
        m.edit_metadata = [](auto& meta) { set_kv(meta, "tokenizer.ggml.bos_token_id", std::uint32_t{40}); };
    });
    llama("gguf_eos_outside_vocab", "out_of_range", [](tiny_gguf_llama& m) {
        m.edit_metadata = [](auto& meta) { set_kv(meta, "tokenizer.ggml.eos_token_id", std::uint32_t{0xffffffffu}); };
    });
    llama("gguf_llama_heads_not_dividing_hidden", "inconsistent", [](tiny_gguf_llama& m) {
        m.edit_metadata = [](auto& meta) { set_kv(meta, "llama.attention.head_count", std::uint32_t{5}); };
    });
    llama("gguf_llama_kv_heads_zero", "out_of_range", [](tiny_gguf_llama& m) {
        m.edit_metadata = [](auto& meta) { set_kv(meta, "llama.attention.head_count_kv", std::uint32_t{0}); };
    });
    llama("gguf_llama_kv_heads_not_dividing", "inconsistent", [](tiny_gguf_llama& m) {
        m.edit_metadata = [](auto& meta) { set_kv(meta, "llama.attention.head_count_kv", std::uint32_t{3}); };
    });
    llama("gguf_llama_eps_zero", "invalid_data", [](tiny_gguf_llama& m) { m.eps = 0.0f; });
    llama("gguf_llama_eps_nan", "invalid_data",
          [](tiny_gguf_llama& m) { m.eps = std::numeric_limits<float>::quiet_NaN(); });
    llama("gguf_llama_absurd_layers", "too_large", [](tiny_gguf_llama& m) {
        m.edit_metadata = [](auto& meta) { set_kv(meta, "llama.block_count", std::uint32_t{1'000'000'000}); };
    });
    llama("gguf_llama_absurd_context", "too_large", [](tiny_gguf_llama& m) {
        m.edit_metadata = [](auto& meta) { set_kv(meta, "llama.context_length", std::uint64_t{1} << 40); };
    });
    llama("gguf_llama_missing_tensor", "inconsistent", [](tiny_gguf_llama& m) {
        m.edit_tensors = [](auto& list) {
            std::erase_if(list, [](const auto& t) { return t.name == "blk.1.ffn_down.weight"; });
        };
    });
    llama("gguf_llama_embedding_rows_not_vocab", "inconsistent", [](tiny_gguf_llama& m) {
        m.edit_tensors = [](auto& list) { list.front().dims = {39, 32}; };
    });
    llama("gguf_llama_wrong_kv_shape", "inconsistent", [](tiny_gguf_llama& m) {
        m.edit_tensors = [](auto& list) {
            for (auto& t : list)
                if (t.name == "blk.0.attn_k.weight") t.dims = {32, 32};
        };
    });
    return v;
}

// config.json + model.safetensors directories (RELIABILITY.md's config.json catalog).
inline std::vector<corpus_case> model_dir_cases() {
    std::vector<corpus_case> v;
    auto add = [&](std::string name, std::string expect, std::function<void(const fs::path&)> write) {
        v.push_back(corpus_case{std::move(name), "model_dir", std::move(expect), false, std::move(write)});
    };
    auto bert_with = [](std::function<void(ordered_json&)> change, tensor_edit edit = {}) {
        return [change, edit](const fs::path& dir) {
            ordered_json j = tiny_bert_json();
            if (change) change(j);
            write_tiny_safetensors_model(dir, j.dump(2), tiny_bert_json(), edit);
        };
    };
    add("dir_ok_bert", "ok", bert_with({}));
    add("dir_ok_gpt2", "ok", [](const fs::path& d) { write_tiny_safetensors_model(d, tiny_gpt2_json()); });
    add("dir_ok_llama", "ok", [](const fs::path& d) { write_tiny_safetensors_model(d, tiny_llama_json()); });
    add("dir_config_hidden_not_divisible", "inconsistent", bert_with([](auto& j) { j["num_attention_heads"] = 3; }));
    add("dir_config_vocab_not_embedding_rows", "inconsistent", bert_with([](auto& j) { j["vocab_size"] = 31; }));
    add("dir_config_eps_zero", "invalid_data", bert_with([](auto& j) { j["layer_norm_eps"] = 0; }));
    add("dir_config_eps_negative", "invalid_data", bert_with([](auto& j) { j["layer_norm_eps"] = -1e-5; }));
    add("dir_config_absurd_layers", "too_large", bert_with([](auto& j) { j["num_hidden_layers"] = 100000000; }));
    add("dir_config_absurd_context", "too_large",
        bert_with([](auto& j) { j["max_position_embeddings"] = 1ull << 40; }));
    add("dir_config_zero_heads", "out_of_range", bert_with([](auto& j) { j["num_attention_heads"] = 0; }));
    add("dir_config_missing_layer_tensor", "inconsistent", bert_with({}, [](auto& list) {
            std::erase_if(list, [](const auto& t) { return t.name == "encoder.layer.1.output.dense.weight"; });
        }));
    add("dir_config_fewer_layers_than_file", "inconsistent", bert_with([](auto& j) { j["num_hidden_layers"] = 1; }));
    add("dir_config_nan_literal", "malformed", [](const fs::path& d) {
        std::string text = tiny_bert_json().dump(2);
        text.replace(text.find("1e-12"), 5, "NaN");
        write_tiny_safetensors_model(d, text, tiny_bert_json());
    });
    add("dir_config_number_overflow", "out_of_range", [](const fs::path& d) {
        std::string text = tiny_bert_json().dump(2);
        text.replace(text.find("1e-12"), 5, "1e999");
        write_tiny_safetensors_model(d, text, tiny_bert_json());
    });
    add("dir_config_duplicate_key", "duplicate", [](const fs::path& d) {
        std::string text = tiny_bert_json().dump();
        text.insert(1, "\"hidden_size\":8,");
        write_tiny_safetensors_model(d, text, tiny_bert_json());
    });
    add("dir_config_not_json", "malformed", [](const fs::path& d) {
        write_tiny_safetensors_model(d, "{\"model_type\": \"bert\",", tiny_bert_json());
    });
    add("dir_config_kv_heads_not_dividing", "inconsistent", [](const fs::path& d) {
        ordered_json j = tiny_llama_json();
        j["num_key_value_heads"] = 3;
        write_tiny_safetensors_model(d, j.dump(2), tiny_llama_json());
    });
    add("dir_config_unknown_model_type", "unsupported", [](const fs::path& d) {
        ordered_json j = tiny_bert_json();
        j["model_type"] = "mamba";
        write_tiny_safetensors_model(d, j.dump(2), tiny_bert_json());
    });
    return v;
}

inline std::vector<corpus_case> all_corpus_cases() {
    std::vector<corpus_case> all = safetensors_cases();
    for (auto& c : gguf_cases()) all.push_back(std::move(c));
    for (auto& c : model_dir_cases()) all.push_back(std::move(c));
    return all;
}

// Writes every case and manifest.tsv into `dir` (created if needed; existing cases are replaced).
inline void write_corpus(const fs::path& dir, const std::vector<corpus_case>& cases) {
    fs::create_directories(dir);
    std::string manifest;
    for (const auto& c : cases) {
        fs::remove_all(dir / c.name);
        c.write(dir / c.name);
        manifest += c.name + "\t" + c.expect + "\t" + (c.validate ? "--validate" : "") + "\n";
    }
    write_text_file(dir / "manifest.tsv", manifest);
}

}  // namespace tessera::testing
