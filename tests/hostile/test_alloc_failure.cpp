// Allocation-failure injection (RELIABILITY.md, issue 8): this binary replaces the global
// operator new with one that can be told to fail its k-th call from now. For each
// operation below — opening a GGUF model, loading a sentence encoder, a tokenizer.json and
// a catalog, encoding, generating — it first counts the allocations of a successful run
// (n), then for every k in 1..n runs the operation, in a forked child, with the k-th
// allocation failing and requires:
//   * a clean error: std::bad_alloc or tessera::error reaches the caller (a noexcept
//     function that allocates would std::terminate the binary instead);
//   * or, where the library absorbs the failure (std::stable_sort falls back to an
//     in-place merge when its nothrow buffer allocation fails), the right result;
//   * nothing leaked: the number of live allocations is back where it started;
//   * the shared objects still usable: the next run without failures gives the reference
//     result bit for bit.
// Tiny models (tests/hostile/tiny_models.hpp, tests/golden/embed/tiny_bert) keep n small
// enough to try every k. Runs single-threaded (no pool): a failure inside a pool worker is
// rethrown on the caller, which test_core covers.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <new>
#include <string>
#include <vector>

#include <execinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostile/tiny_files.hpp"
#include "tessera/embed/product_catalog.hpp"
#include "tessera/embed/sentence_encoder.hpp"
#include "tessera/text/tokenizer_json.hpp"
#include "tessera/generate/generate.hpp"
#include "tessera/models/llama.hpp"

namespace {

std::atomic<long long> live{0};          // allocations not yet freed
std::atomic<long long> calls{0};         // operator new calls since the counter was reset
std::atomic<long long> fail_at{-1};      // the call number that fails (-1: none)
void* failing_frames[64];                // where the injected failure happened
int failing_depth = 0;

void* allocate(std::size_t n, std::size_t align) {
    const long long c = ++calls;
    if (c == fail_at.load(std::memory_order_relaxed)) {
        failing_depth = backtrace(failing_frames, 64);
        // Debugging aid: TESSERA_ALLOCFAIL_TRAP=k stops here (SIGTRAP) when allocation k fails.
        if (const char* t = std::getenv("TESSERA_ALLOCFAIL_TRAP"); t && std::atoll(t) == c) raise(SIGTRAP);
        throw std::bad_alloc();
    }
    if (n == 0) n = 1;
    void* p = align > alignof(std::max_align_t) ? std::aligned_alloc(align, (n + align - 1) / align * align)
                                                : std::malloc(n);
    if (!p) throw std::bad_alloc();
    ++live;
    return p;
}
void release(void* p) noexcept {
    if (!p) return;
    --live;
    std::free(p);
}

}  // namespace

void* operator new(std::size_t n) { return allocate(n, 0); }
void* operator new[](std::size_t n) { return allocate(n, 0); }
void* operator new(std::size_t n, std::align_val_t a) { return allocate(n, std::size_t(a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return allocate(n, std::size_t(a)); }
// The nothrow forms are replaced too: std::stable_sort asks for its buffer with them, and
// under ASan the runtime's own nothrow new would pair with this file's free-based delete
// (an alloc-dealloc mismatch). They report the injected failure as nullptr.
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    try { return allocate(n, 0); } catch (...) { return nullptr; }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    try { return allocate(n, 0); } catch (...) { return nullptr; }
}
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    try { return allocate(n, std::size_t(a)); } catch (...) { return nullptr; }
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    try { return allocate(n, std::size_t(a)); } catch (...) { return nullptr; }
}
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { release(p); }

using namespace tessera;
namespace fs = std::filesystem;

namespace {

struct sweep_result {
    long long allocations = 0;  // in a successful run
    long long failures = 0;     // runs that ended in bad_alloc or tessera::error
    long long recovered = 0;    // runs that absorbed the failure (std::stable_sort's buffer) with the right result
    long long leaks = 0;        // runs after which live allocations differed
    long long wrong = 0;        // runs that recovered, or were followed by a clean run, with a different result
    long long json_terminate = 0;   // std::terminate inside nlohmann::json's destructor (see below)
    long long other_terminate = 0;  // any other std::terminate or crash
};

// Child exit codes.
enum : int { child_failed = 10, child_recovered, child_leak, child_wrong, child_json_terminate, child_other_terminate };

// In a child whose injected failure ended in std::terminate: was the failing allocation made
// by nlohmann::json's destructor? (It allocates a stack to destroy nested values without
// recursion; being noexcept, a bad_alloc there terminates. io::dismantle_on_exit empties
// every document tessera parses before it is destroyed; this tells a site that misses it.)
[[noreturn]] void on_terminate() {
    char** names = backtrace_symbols(failing_frames, failing_depth);  // malloc: the failure is past
    bool json = false;
    for (int i = 0; names && i < failing_depth; ++i)
        json = json || std::strstr(names[i], "json_value7destroy") != nullptr;
    _exit(json ? child_json_terminate : child_other_terminate);
}

// op() runs the operation and returns a fingerprint of its result (compared bitwise). Each
// failing run happens in a forked child, so a std::terminate is counted, not fatal.
template <class Result>
sweep_result sweep(const std::function<Result()>& op) {
    sweep_result s;
    const Result reference = op();  // also warms thread-local scratch and static tables
    calls = 0;
    (void)op();
    s.allocations = calls.load();
    const char* trap = std::getenv("TESSERA_ALLOCFAIL_TRAP");
    for (long long k = 1; k <= s.allocations; ++k) {
        if (trap && std::atoll(trap) != k) continue;  // debugging one k: gdb --args ... with follow-fork-mode child
        std::fflush(nullptr);
        const pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            std::set_terminate(on_terminate);
            const long long before = live.load();
            calls = 0;
            fail_at = k;
            int code = child_recovered;
            try {
                const Result r = op();
                if (!(r == reference)) code = child_wrong;
            } catch (const std::bad_alloc&) {
                code = child_failed;
            } catch (const tessera::error&) {
                code = child_failed;
            }
            fail_at = -1;
            if (live.load() != before) code = child_leak;
            else if (!(op() == reference)) code = child_wrong;
            _exit(code);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (std::getenv("TESSERA_ALLOCFAIL_VERBOSE") && code != child_failed)
            std::fprintf(stderr, "allocation %lld: child exit %d\n", k, code);
        switch (code) {
        case child_failed: ++s.failures; break;
        case child_recovered: ++s.recovered; break;
        case child_leak: ++s.leaks; break;
        case child_wrong: ++s.wrong; break;
        case child_json_terminate: ++s.json_terminate; break;
        default: ++s.other_terminate; break;
        }
    }
    return s;
}

const fs::path golden_dir = fs::path(__FILE__).parent_path().parent_path() / "golden" / "embed";

// A sentence-transformers directory around tests/golden/embed/tiny_bert (64-token vocab).
void write_tiny_encoder(const fs::path& dir) {
    fs::create_directories(dir / "1_Pooling");
    fs::copy_file(golden_dir / "tiny_bert" / "model.safetensors", dir / "model.safetensors", fs::copy_options::overwrite_existing);
    fs::copy_file(golden_dir / "tiny_bert" / "config.json", dir / "config.json", fs::copy_options::overwrite_existing);
    std::string vocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n";
    for (const char* w : {"the", "a", "shoe", "boot", "rain", "red", "blue", "bag", "cup", "tea"}) vocab += std::string(w) + "\n";
    for (int i = 0; i < 64 - 15; ++i) vocab += "##x" + std::to_string(i) + "\n";
    std::ofstream(dir / "vocab.txt") << vocab;
    std::ofstream(dir / "modules.json") << R"([{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},
        {"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"},
        {"idx":2,"name":"2","path":"2_Normalize","type":"sentence_transformers.models.Normalize"}])";
    std::ofstream(dir / "1_Pooling" / "config.json") << R"({"word_embedding_dimension": 32, "pooling_mode_mean_tokens": true})";
    std::ofstream(dir / "sentence_bert_config.json") << R"({"max_seq_length": 16})";
}

void report(const std::string& what, const sweep_result& s) {
    MESSAGE(what << ": " << s.allocations << " allocations, each failed in turn: " << s.failures << " clean errors, "
                 << s.recovered << " absorbed with the right result, " << s.leaks << " leaks, " << s.wrong
                 << " wrong results, " << s.json_terminate << " terminations in nlohmann::json's destructor, "
                 << s.other_terminate << " other terminations");
    CHECK(s.allocations > 0);
    CHECK(s.failures + s.recovered == s.allocations);
    CHECK(s.leaks == 0);
    CHECK(s.wrong == 0);
    CHECK(s.json_terminate == 0);
    CHECK(s.other_terminate == 0);
}

}  // namespace

TEST_CASE("allocation failures while loading, encoding and generating: clean errors, no leaks, still usable") {
    const testing::temp_dir t("tessera_allocfail_");
    const fs::path gguf = t.path / "tiny.gguf";
    testing::tiny_gguf_llama spec;
    // A small but consistent byte-level BPE vocabulary of 40 tokens (the tiny model's rows).
    spec.edit_metadata = [](std::vector<io::gguf_kv>& meta) {
        std::vector<std::string> tokens = {"<unk>", "<s>", "</s>"};
        for (char c = 'a'; c <= 'z'; ++c) tokens.emplace_back(1, c);
        for (const char* t : {"\xc4\xa0", "to", "tok", "\xc4\xa0t", "\xc4\xa0to", "\xc4\xa0tok", "0", "1", "2", "3", "4"})
            tokens.emplace_back(t);
        std::vector<std::int32_t> types(tokens.size(), 1);
        types[0] = types[1] = types[2] = 3;
        testing::set_kv(meta, "tokenizer.ggml.tokens", tokens);
        testing::set_kv(meta, "tokenizer.ggml.scores", std::vector<float>(tokens.size(), 0.0f));
        testing::set_kv(meta, "tokenizer.ggml.token_type", types);
        testing::set_kv(meta, "tokenizer.ggml.merges",
                        std::vector<std::string>{"t o", "to k", "\xc4\xa0 t", "\xc4\xa0t o", "\xc4\xa0to k"});
        testing::set_kv(meta, "tokenizer.ggml.pre", std::string("smollm"));
    };
    testing::write_tiny_gguf_llama(gguf, spec);
    write_tiny_encoder(t.path / "encoder");

    SUBCASE("open a GGUF decoder (metadata, tokenizer, tensors)") {
        report("llama_model::open", sweep<std::vector<std::int32_t>>([&] {
                   const auto m = models::llama_model::open(gguf.string());
                   return m.tokenizer().encode("tok tok to");
               }));
    }
    SUBCASE("load a sentence encoder (config, safetensors, vocab, pooling)") {
        report("sentence_encoder::load", sweep<std::size_t>([&] {
                   return embed::sentence_encoder::load(t.path / "encoder").dim();
               }));
    }
    SUBCASE("load a tokenizer.json and a catalog") {
        const fs::path tj = t.path / "tokenizer.json";
        std::ofstream(tj) << R"({"version":"1.0","truncation":null,"padding":null,"added_tokens":[)"
                             R"({"id":0,"content":"[PAD]","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},)"
                             R"({"id":1,"content":"[UNK]","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},)"
                             R"({"id":2,"content":"[CLS]","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},)"
                             R"({"id":3,"content":"[SEP]","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}],)"
                             R"("normalizer":{"type":"BertNormalizer","clean_text":true,"handle_chinese_chars":true,"strip_accents":null,"lowercase":true},)"
                             R"("pre_tokenizer":{"type":"BertPreTokenizer"},)"
                             R"("post_processor":{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"[CLS]","type_id":0}},{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"[SEP]","type_id":0}}],)"
                             R"("pair":[{"SpecialToken":{"id":"[CLS]","type_id":0}},{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"[SEP]","type_id":0}},{"Sequence":{"id":"B","type_id":1}},{"SpecialToken":{"id":"[SEP]","type_id":1}}],)"
                             R"("special_tokens":{"[CLS]":{"id":"[CLS]","ids":[2],"tokens":["[CLS]"]},"[SEP]":{"id":"[SEP]","ids":[3],"tokens":["[SEP]"]}}},)"
                             R"("decoder":{"type":"WordPiece","prefix":"##","cleanup":true},)"
                             R"("model":{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##","max_input_chars_per_word":100,)"
                             R"("vocab":{"[PAD]":0,"[UNK]":1,"[CLS]":2,"[SEP]":3,"rain":4,"boot":5,"##s":6,"你":7,"好":8}}})";
        report("load_wordpiece_tokenizer_json", sweep<std::vector<std::int32_t>>([&] {
                   return text::load_wordpiece_tokenizer_json(tj.string()).encode("Rain boots 你好").ids;
               }));
        const fs::path cat = t.path / "catalog.jsonl";
        std::ofstream(cat) << R"({"id":"SKU-1","title_en":"Rain boots","title_zh":"雨靴","category":"shoes","price":99.5,"stock":3,"tags":["rain","kids"]})"
                              "\n"
                              R"({"id":"SKU-2","title_en":"Mug","description_en":"Ceramic.","category":"kitchen","price":20,"stock":0})";
        report("read_catalog_jsonl", sweep<std::size_t>([&] { return embed::read_catalog_jsonl(cat.string()).size(); }));
    }
    SUBCASE("encode with a shared encoder") {
        const auto enc = embed::sentence_encoder::load(t.path / "encoder");
        const std::vector<std::string> texts = {"red rain boot", "the blue bag", "tea cup"};
        report("sentence_encoder::encode", sweep<std::vector<float>>([&] {
                   const auto e = enc.encode(texts, {.batch_size = 2});
                   return std::vector<float>(e.data(), e.data() + e.numel());
               }));
    }
    SUBCASE("generate with a shared decoder") {
        const auto m = models::llama_model::open(gguf.string());
        generate::generation_config cfg;
        cfg.temperature = 0.0f;
        cfg.max_new_tokens = 6;
        cfg.eos_token_ids = {-1};  // the tiny model's EOS would end it early
        const std::vector<std::int32_t> prompt = {1, 5, 9, 17};
        report("generate", sweep<std::vector<std::int32_t>>([&] {
                   models::llama_session s(m, 16);
                   return generate::generate(m, s, prompt, cfg).ids;
               }));
    }
}
