// Truncation sweeps (issue 8, RELIABILITY.md "Hostile inputs"): valid small files of every
// kind tessera reads — a safetensors BERT, a GGUF Llama with tokenizer metadata, a catalog
// with an HNSW section, a standalone HNSW index, tokenizer.json files — cut at every offset
// of their first 4 KiB and at every structural boundary (header fields, each GGUF key/value
// and its parts, each tensor info, the data section start, each tensor's data start and end,
// each index-file section header and payload, each JSON value and separator), one byte either side of each
// boundary, and at end-1. Every cut must end in a tessera::error whose message names the
// file — or in success exactly where the prefix is itself a valid file by the format's spec
// (only a GGUF cut inside the padding after its last tensor is). Never a crash, never
// another exception type. The real model files (MiniLM's model.safetensors and
// tokenizer.json, SmolLM2's GGUF header region) are swept too when the models are present.
// Each case prints its cut count (MESSAGE) for docs/reliability.md.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <unistd.h>

#include "hostile/tiny_files.hpp"
#include "tessera/io/gguf.hpp"
#include "tessera/io/model_cache.hpp"
#include "tessera/io/safetensors.hpp"
#include "tessera/models/config.hpp"
#include "tessera/search/catalog.hpp"
#include "tessera/text/tokenizer_json.hpp"

using namespace tessera;
using namespace tessera::testing;

namespace {

// Every offset below 4 KiB, each boundary and the bytes either side of it, end-1, and
// `spread` evenly spaced offsets below `spread_end` (for long stretches without boundaries
// that are swept: a big file's vocabulary): all offsets strictly inside the file (a cut at
// `size` is the file itself).
std::set<std::size_t> cut_points(std::size_t size, const std::set<std::size_t>& boundaries, std::size_t spread = 0,
                                 std::size_t spread_end = 0) {
    std::set<std::size_t> cuts;
    for (std::size_t i = 1; i < spread; ++i) cuts.insert(std::min(size - 1, i * spread_end / spread));
    for (std::size_t k = 0; k < std::min<std::size_t>(size, 4096); ++k) cuts.insert(k);
    for (std::size_t b : boundaries)
        for (std::size_t k : {b - 1, b, b + 1})
            if (b > 0 && k < size) cuts.insert(k);
    if (size > 0) cuts.insert(size - 1);
    return cuts;
}

struct sweep_result {
    std::size_t cuts = 0, errors = 0, valid = 0;
    std::map<std::string, std::size_t> kinds;
    std::string summary() const {
        std::string s = std::to_string(cuts) + " cuts: " + std::to_string(errors) + " errors (";
        bool first = true;
        for (const auto& [k, n] : kinds) {
            s += (first ? "" : ", ") + k + " " + std::to_string(n);
            first = false;
        }
        return s + "), " + std::to_string(valid) + " valid prefixes";
    }
};

// Opens bytes[0, k) with `open` for every cut k; `valid_prefix(k)` says whether that prefix is a
// valid file by spec (then success is required, else a tessera::error naming `label`).
template <class Open, class Valid>
sweep_result sweep(std::span<const std::byte> bytes, const std::set<std::size_t>& cuts, const std::string& label,
                   Open&& open, Valid&& valid_prefix) {
    sweep_result r;
    for (const std::size_t k : cuts) {
        CAPTURE(label);
        CAPTURE(k);
        bool ok = false;
        try {
            open(bytes.first(k));
            ok = true;
        } catch (const error& e) {
            ++r.errors;
            ++r.kinds[std::string(to_string(e.kind()))];
            CHECK_MESSAGE(std::string(e.what()).find(label) != std::string::npos, e.what());
        } catch (const std::exception& e) {
            FAIL("not a tessera::error: " << e.what());
        }
        if (ok) ++r.valid;
        CHECK(ok == valid_prefix(k));
        ++r.cuts;
    }
    return r;
}

// ---- GGUF structure: the boundaries of every header field, key/value part and tensor info ----

struct gguf_walker {
    std::span<const std::byte> b;
    std::set<std::size_t>& out;
    std::size_t max_array_boundaries;  // element boundaries kept per array (the first ones, and the last)
    std::size_t at = 0;

    void mark(bool keep) {
        if (keep) out.insert(at);
    }
    template <class T>
    T get(bool keep = true) {
        T v;
        std::memcpy(&v, b.data() + at, sizeof(T));
        at += sizeof(T);
        mark(keep);
        return v;
    }
    void string(bool keep = true) {
        at += get<std::uint64_t>(keep);
        mark(keep);
    }
    void value(std::uint32_t type, bool keep = true) {
        constexpr std::size_t sizes[] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
        if (type == 8) {
            string(keep);
        } else if (type == 9) {
            const auto et = get<std::uint32_t>(keep);
            const auto count = get<std::uint64_t>(keep);
            for (std::uint64_t i = 0; i < count; ++i) value(et, keep && (i < max_array_boundaries || i + 1 == count));
        } else {
            at += sizes[type];
            mark(keep);
        }
    }
    // Walks the header, every key/value and the tensor infos (the first and last `keep_infos`).
    void walk(std::size_t keep_infos) {
        get<std::uint32_t>(), get<std::uint32_t>();
        const auto n_tensors = get<std::uint64_t>(), n_kv = get<std::uint64_t>();
        for (std::uint64_t i = 0; i < n_kv; ++i) {
            string();
            value(get<std::uint32_t>());
        }
        for (std::uint64_t i = 0; i < n_tensors; ++i) {
            const bool keep = i < keep_infos || i + keep_infos >= n_tensors;
            string(keep);
            const auto n_dims = get<std::uint32_t>(keep);
            for (std::uint32_t d = 0; d < n_dims; ++d) get<std::uint64_t>(keep);
            get<std::uint32_t>(keep), get<std::uint64_t>(keep);
        }
    }
};

std::set<std::size_t> gguf_boundaries(const io::gguf_file& f, std::size_t keep_infos, bool data_boundaries) {
    std::set<std::size_t> out;
    gguf_walker w{f.bytes(), out, 64};
    w.walk(keep_infos);
    out.insert(f.data_offset());
    if (data_boundaries)
        for (const auto& t : f.tensors()) {
            out.insert(f.data_offset() + t.offset);
            out.insert(f.data_offset() + t.offset + t.bytes);
        }
    return out;
}

std::uint64_t gguf_data_end(const io::gguf_file& f) {
    std::uint64_t end = f.data_offset();
    for (const auto& t : f.tensors()) end = std::max(end, f.data_offset() + t.offset + t.bytes);
    return end;
}

void open_gguf(std::span<const std::byte> prefix, const std::string& label) {
    const auto f = io::gguf_file::from_bytes(prefix, label);
    const auto c = models::model_config::from_gguf(f);
    c.validate_against(models::tensor_listing(f), label);
}

// ---- index files: each section header field and payload end ----

std::set<std::size_t> index_file_boundaries(std::span<const std::byte> b) {
    std::set<std::size_t> out = {8, 12, 16, 20, 24};
    std::uint32_t n;
    std::memcpy(&n, b.data() + 16, 4);
    std::size_t at = 24;
    for (std::uint32_t i = 0; i < n; ++i) {
        std::uint64_t length;
        std::memcpy(&length, b.data() + at + 8, 8);
        for (std::size_t field : {4, 8, 16, 24}) out.insert(at + field);
        at += 24 + length;
        out.insert(at);
    }
    return out;
}

// ---- JSON text: the boundary after every structural character ({ } [ ] , :) outside strings,
// down to `max_depth` levels of nesting ----

std::set<std::size_t> json_boundaries(std::string_view text, std::size_t max_depth = SIZE_MAX) {
    std::set<std::size_t> out;
    std::size_t depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') ++i;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
            if (depth <= max_depth) out.insert(i);  // a string's opening quote
            continue;
        }
        // `depth` is that of the container the character belongs to (an opening bracket
        // belongs to its parent, a closing one to the container it closes).
        const bool structural = c == '{' || c == '[' || c == '}' || c == ']' || c == ',' || c == ':';
        if (structural && depth <= max_depth) out.insert(i + 1);
        if (c == '{' || c == '[') ++depth;
        if ((c == '}' || c == ']') && depth > 0) --depth;
    }
    return out;
}

std::span<const std::byte> as_bytes(std::string_view s) { return std::as_bytes(std::span<const char>(s.data(), s.size())); }

void open_tokenizer_json(std::span<const std::byte> prefix, const std::string& label) {
    const std::string_view text(reinterpret_cast<const char*>(prefix.data()), prefix.size());
    auto tok = text::parse_tokenizer_json(text, label);
    std::visit([](const auto& t) { (void)t.encode("hello world"); }, tok);
}

const auto never = [](std::size_t) { return false; };

}  // namespace

TEST_CASE("truncation sweep: safetensors (tiny BERT, and MiniLM's model.safetensors when present)") {
    const temp_dir tmp("tessera_trunc_");
    write_tiny_safetensors_model(tmp.path / "bert", tiny_bert_json());
    const auto bytes = read_bytes(tmp.path / "bert" / "model.safetensors");
    const auto f = io::safetensors_file::from_bytes(bytes, "tiny.safetensors");
    std::set<std::size_t> b = {8, f.data_offset()};
    for (const auto& t : f.tensors()) b.insert({t.file_offset, t.file_offset + t.byte_size});
    const std::string label = "trunc.safetensors";
    auto open = [&](std::span<const std::byte> p) {
        const auto g = io::safetensors_file::from_bytes(p, label);
        for (const auto& t : g.tensors()) (void)g.load_f32(t.name);
    };
    const auto r = sweep(bytes, cut_points(bytes.size(), b), label, open, never);
    MESSAGE("safetensors tiny BERT (" << bytes.size() << " bytes, " << f.size() << " tensors): " << r.summary());
    CHECK(r.cuts >= 4096);

    const fs::path real = io::default_encoder_dir() / "model.safetensors";
    if (!fs::exists(real)) {
        MESSAGE("skipped MiniLM's model.safetensors: " << real << " not found (scripts/fetch-models.sh)");
        return;
    }
    const io::mapped_file m(real.string());
    const auto rf = io::safetensors_file::from_bytes(m.bytes(), "minilm");
    std::set<std::size_t> rb = {8, rf.data_offset()};
    for (const auto& t : rf.tensors()) rb.insert({t.file_offset, t.file_offset + t.byte_size});
    const auto rr = sweep(m.bytes(), cut_points(m.size(), rb), label,
                          [&](std::span<const std::byte> p) { (void)io::safetensors_file::from_bytes(p, label); }, never);
    MESSAGE("safetensors MiniLM (" << m.size() << " bytes, " << rf.size() << " tensors): " << rr.summary());
}

TEST_CASE("truncation sweep: GGUF (tiny Llama with tokenizer metadata, and SmolLM2's header region when present)") {
    const temp_dir tmp("tessera_trunc_");
    write_tiny_gguf_llama(tmp.path / "tiny.gguf");
    const auto bytes = read_bytes(tmp.path / "tiny.gguf");
    const auto f = io::gguf_file::from_bytes(bytes, "tiny.gguf");
    const std::uint64_t data_end = gguf_data_end(f);
    const std::string label = "trunc.gguf";
    // A cut inside the padding after the last tensor leaves a valid file (the spec pads
    // between tensors, not after the last); every shorter prefix is invalid.
    const auto r = sweep(bytes, cut_points(bytes.size(), gguf_boundaries(f, SIZE_MAX, true)), label,
                         [&](std::span<const std::byte> p) { open_gguf(p, label); },
                         [&](std::size_t k) { return k >= data_end; });
    MESSAGE("GGUF tiny Llama (" << bytes.size() << " bytes, " << f.metadata().size() << " keys, " << f.tensors().size()
                                << " tensors): " << r.summary());
    CHECK(r.cuts >= 4096);

    const fs::path real = io::default_decoder_file();
    if (!fs::exists(real)) {
        MESSAGE("skipped SmolLM2's GGUF: " << real << " not found (scripts/fetch-models.sh)");
        return;
    }
    // The header region: every offset of the first 4 KiB, every key/value boundary (arrays: the
    // first 64 elements and the last), the first and last 8 tensor infos, the data section start,
    // the first tensor's end, end-1 and 256 cuts spread over the header; each prefix is copied by from_bytes, so the multi-MB
    // tensor data boundaries are not all swept (the tiny file covers them).
    const io::mapped_file m(real.string());
    const auto rf = io::gguf_file::open(real.string());
    auto rb = gguf_boundaries(rf, 8, false);
    rb.insert(rf.data_offset() + rf.tensors().front().offset + rf.tensors().front().bytes);
    const auto rr = sweep(m.bytes(), cut_points(m.size(), rb, 256, rf.data_offset()), label,
                          [&](std::span<const std::byte> p) { open_gguf(p, label); },
                          [&](std::size_t k) { return k >= gguf_data_end(rf); });
    MESSAGE("GGUF SmolLM2 header region (" << rf.data_offset() << " header bytes, " << rf.metadata().size() << " keys, "
                                           << rf.tensors().size() << " tensors): " << rr.summary());
}

TEST_CASE("truncation sweep: catalog with an HNSW section, and a standalone HNSW index") {
    const temp_dir tmp("tessera_trunc_");
    const std::string label = "trunc.idx";
    tiny_catalog(24, 4, search::metric::cosine, true).save((tmp.path / "catalog.idx").string());
    const auto cat = read_bytes(tmp.path / "catalog.idx");
    const auto rc = sweep(cat, cut_points(cat.size(), index_file_boundaries(cat)), label,
                          [&](std::span<const std::byte> p) { (void)search::catalog::from_bytes(p, label); }, never);
    MESSAGE("catalog (" << cat.size() << " bytes, 24 products, HNSW section): " << rc.summary());

    tiny_hnsw(30, 4).save((tmp.path / "index.idx").string());
    const auto ix = read_bytes(tmp.path / "index.idx");
    const auto ri = sweep(ix, cut_points(ix.size(), index_file_boundaries(ix)), label,
                          [&](std::span<const std::byte> p) { (void)search::hnsw_index::from_bytes(p, label); }, never);
    MESSAGE("HNSW index (" << ix.size() << " bytes, 30 nodes): " << ri.summary());
    CHECK(rc.cuts + ri.cuts > 0);
}

TEST_CASE("truncation sweep: tokenizer.json (WordPiece and byte-level BPE, and MiniLM's when present)") {
    const std::string label = "trunc.json";
    std::size_t total = 0;
    for (const auto& [name, doc] : {std::pair<std::string, ordered_json>{"WordPiece (MiniLM layout)", tiny_wordpiece_tokenizer_json()},
                                    {"BPE (SmolLM layout)", trimmed_bpe_tokenizer_json("smollm")},
                                    {"BPE (Llama-3 layout)", trimmed_bpe_tokenizer_json("llama3")}}) {
        const std::string text = doc.dump(1);  // ends with '}'
        (void)text::parse_tokenizer_json(text, label);
        const auto r = sweep(as_bytes(text), cut_points(text.size(), json_boundaries(text)), label,
                             [&](std::span<const std::byte> p) { open_tokenizer_json(p, label); }, never);
        MESSAGE("tokenizer.json " << name << " (" << text.size() << " bytes): " << r.summary());
        total += r.cuts;
    }
    CHECK(total > 3 * 4096);

    const fs::path real = io::default_encoder_dir() / "tokenizer.json";
    if (!fs::exists(real)) {
        MESSAGE("skipped MiniLM's tokenizer.json: " << real << " not found (scripts/fetch-models.sh)");
        return;
    }
    const std::string text = read_file_text(real);
    // The top-level members, the model's members and each added token (depth <= 2), and 64
    // cuts spread over the file (most of it is the 30522-entry vocabulary); a prefix that ends
    // after the closing brace, before trailing whitespace, would be valid.
    const std::size_t close = text.find_last_of('}');
    const auto r = sweep(as_bytes(text), cut_points(text.size(), json_boundaries(text, 2), 64, text.size()), label,
                         [&](std::span<const std::byte> p) { open_tokenizer_json(p, label); },
                         [&](std::size_t k) { return k > close; });
    MESSAGE("tokenizer.json MiniLM (" << text.size() << " bytes): " << r.summary());
}
