#pragma once
// Byte-level BPE tokenizer (GPT-2, SmolLM, Llama-3, Qwen families) with ids identical to
// HF `tokenizers`, and SentencePiece-style BPE by scores (GGUF tokenizer.ggml.model "llama":
// Llama 2, Mistral, Gemma) with ids identical to llama.cpp.
//
// One type for both (bpe_spec::model picks the algorithm): models, generate(), the chat
// templates and the streaming detokenizer hold a `const bpe_tokenizer&` and need only
// encode / decode / token_bytes / is_special, which mean the same for both; the added-token
// splitting, special-token policy, BOS/EOS handling, workspaces and decoding are shared code.
// A second class behind a common interface would add a virtual call per token and a template
// or a pointer to every caller for two variants that differ in one function (encode_piece).
//
// Encoding one text:
//   1. Invalid UTF-8 becomes U+FFFD per maximal invalid subpart (text/utf8.hpp), as HF's
//      Python binding and llama.cpp see it.
//   2. `add_special_tokens`: the prefix ids (BOS when the file asks for it) go first.
//   3. Added tokens are cut out first (leftmost, then longest match). Non-special added
//      tokens always are; *special* ones (control tokens: "<|im_start|>", "<|endoftext|>")
//      only when the caller sets `parse_special` or, for prompts built by a chat template,
//      inside the byte ranges the template wrote itself. User text that contains
//      "<|im_end|>" is therefore literal text by default (RELIABILITY.md). NOTE: HF
//      transformers' default is the opposite (special-token text in any input is parsed);
//      `parse_special = true` reproduces it and the goldens check both.
//   4. The text between added tokens is cut into pre-tokens (text/pretokenize.hpp).
//   5. Each pre-token's bytes become initial symbols (the token spelling each byte; bytes
//      missing from the vocabulary are byte-fallback tokens, the unknown token, or dropped,
//      exactly as HF's BPE model does), then merges run by rank (text/bpe_merges.hpp).
//      With `ignore_merges` (Llama-3), a pre-token that is itself a vocabulary entry is
//      emitted as that token without merging.
//   6. `add_special_tokens`: the suffix ids (EOS when the file asks for it).
//
// Thread safety: a bpe_tokenizer is immutable after construction; any number of threads
// may encode/decode with it at once. All mutable state (merge buffers, the bounded cache
// of recently seen pre-tokens) lives in a bpe_workspace the caller owns per thread or
// session; the overloads without one make a temporary workspace per call.
//
// Decoding concatenates each token's bytes (byte-level spellings mapped back; added tokens
// as written; "<0xAB>" byte tokens as the byte) and replaces invalid UTF-8 with U+FFFD
// (HF's ByteLevel decoder + from_utf8_lossy). text/detokenizer.hpp streams the same.
//
// Round trip (byte-level mode): decode(encode(x)) == x for valid UTF-8 x whose bytes all have
// a token. A byte without one becomes byte-fallback or unknown tokens when the file has them
// (step 5), and is dropped otherwise, exactly as in HF: then decode(encode(x)) is x without
// those bytes, with U+FFFD for invalid UTF-8 this leaves (a dropped lead byte strands its
// continuation bytes). SmolLM2 has no token for 0x04 0x06 0x13 0x14 0x16 0x1D, F1 and F2 (and
// C0 C1 F5..FF, which UTF-8 never uses), so those six control characters and every character
// of planes 4..11 (lead byte F1/F2) are lost; HF `tokenizers` with SmolLM2's vocabulary
// (tools/reference/make_bpe_goldens.py) loses them identically. tests/test_bpe.cpp checks
// both properties on the parity corpus and counts the lossy inputs (3 of 2,405). Token
// offsets for such inputs: text/bpe_offsets.hpp.
//
// SentencePiece mode (bpe_model::sentencepiece, llama.cpp's llm_tokenizer_spm; the merge
// loop is in text/spm_merges.hpp). Encoding differs in steps 1, 4 and 5:
//   1. Invalid UTF-8 is kept as it is (no U+FFFD): its bytes become "<0xXX>" byte tokens,
//      exactly as llama.cpp does; nothing is lost.
//   4. There is no pre-tokenizer: each text fragment between added tokens is one unit, with
//      " " prepended when `add_space_prefix` (every fragment starts the text or follows an
//      added token, llama.cpp's rule) and every ' ' replaced by "▁" (U+2581).
//   5. Merges follow the token scores (highest first, ties leftmost), never a merge list;
//      what no merge covers becomes byte tokens.
// Added-token splitting is the same trie (control tokens only when asked; user-defined
// tokens always, as llama.cpp and HF do). Decoding: normal tokens with "▁" → ' ', byte tokens
// → the byte, added tokens as written (llama.cpp's token_to_piece). No leading space is
// stripped, so with add_space_prefix the decoded text starts with the space the encoder added.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/text/bpe_merges.hpp"
#include "tessera/text/byte_unicode.hpp"
#include "tessera/text/pretokenize.hpp"
#include "tessera/text/spm_merges.hpp"
#include "tessera/text/utf8.hpp"

namespace tessera::text {

// Token types, numbered as GGUF's tokenizer.ggml.token_type (llama.cpp's
// LLAMA_TOKEN_TYPE_*). tokenizer.json added tokens map to control (special: true) and
// user_defined (special: false).
enum class token_kind : std::uint8_t {
    normal = 1, unknown = 2, control = 3, user_defined = 4, unused = 5, byte = 6,
};

// Which BPE: merges by rank over byte-level symbols (GPT-2 family), or merges by token score
// over characters with "▁" for spaces (SentencePiece; see the top of this file).
enum class bpe_model { byte_level, sentencepiece };

// Everything a BPE tokenizer is built from; the GGUF and tokenizer.json loaders fill it and
// the bpe_tokenizer constructor validates it.
struct bpe_spec {
    std::string source;                                       // names the file in errors
    bpe_model model = bpe_model::byte_level;
    std::vector<float> scores;                                // sentencepiece: per id; empty = all 0
    bool add_space_prefix = false;                            // sentencepiece: " " before each fragment
    std::vector<std::string> tokens;                          // id -> spelling
    std::vector<token_kind> kinds;                            // per id; empty means all normal
    std::vector<std::pair<std::string, std::string>> merges;  // in rank order (byte_level only)
    pretokenizer_kind pre = pretokenizer_kind::gpt2;
    bool ignore_merges = false;
    bool byte_fallback = false;                // bytes missing from the vocab -> "<0xAB>" tokens
    std::optional<std::int32_t> unk_id;        // bytes missing from the vocab -> this (HF model.unk_token)
    bool fuse_unk = false;                     // consecutive unknowns become one
    std::optional<std::int32_t> bos_id, eos_id, pad_id;
    std::vector<std::int32_t> prefix_ids;      // added when add_special_tokens (e.g. BOS)
    std::vector<std::int32_t> suffix_ids;      // added when add_special_tokens (e.g. EOS)
    std::vector<std::string> special_names;    // "bos", "eos", ... naming the ids above in errors
};

struct bpe_encode_options {
    bool add_special_tokens = true;  // prefix/suffix ids (BOS/EOS) as the file configures
    bool parse_special = false;      // recognise special-token text in the input
};

// A byte range [begin, end) of the input.
struct byte_range {
    std::size_t begin = 0;
    std::size_t end = 0;
};

// Per-thread/per-session mutable state for encoding: merge buffers and a bounded cache of
// pre-token -> ids. Never share one between threads.
class bpe_workspace {
public:
    bpe_merge_scratch merge;
    spm_merge_scratch spm;              // sentencepiece mode: merge buffers
    std::string escaped;                // sentencepiece mode: the fragment with "▁" for spaces
    std::string sanitized;              // the input after U+FFFD replacement, when needed

    // Cache lookups: ids of a pre-token seen before (by tokenizer number `owner`), or nullopt.
    std::optional<std::span<const std::int32_t>> find(std::uint64_t owner, std::string_view key, std::size_t hash) const {
        if (owner != owner_ || table_.empty()) return std::nullopt;
        const std::size_t mask = table_.size() - 1;
        for (std::size_t i = hash & mask;; i = (i + 1) & mask) {  // the table is never full
            const entry& e = table_[i];
            if (e.key_len == 0) return std::nullopt;
            if (e.hash == hash && e.key_len == key.size() &&
                std::string_view(keys_).substr(e.key_off, e.key_len) == key)
                return std::span<const std::int32_t>(ids_.data() + e.ids_off, e.n_ids);
        }
    }
    void insert(std::uint64_t owner, std::string_view key, std::size_t hash, std::span<const std::int32_t> ids) {
        if (key.empty() || key.size() > max_key_bytes || ids.size() > max_key_bytes) return;
        if (owner != owner_) reset(owner, min_slots);
        if ((used_ + 1) * 2 > table_.size()) {
            // Grow while small (a short input never pays for a big table); at the cap, start
            // over, which bounds the memory at about max_slots * (24 + 2 * 64 + 4 * 64) bytes.
            if (table_.size() < max_slots) rehash(table_.size() * 2);
            else reset(owner, max_slots);
        }
        place(entry{hash, static_cast<std::uint32_t>(keys_.size()), static_cast<std::uint32_t>(ids_.size()),
                    static_cast<std::uint16_t>(key.size()), static_cast<std::uint16_t>(ids.size())});
        keys_.append(key);
        ids_.insert(ids_.end(), ids.begin(), ids.end());
        ++used_;
    }
    static constexpr std::size_t max_key_bytes = 64;  // longer pre-tokens are not cached

private:
    static constexpr std::size_t min_slots = 256;
    static constexpr std::size_t max_slots = 1 << 14;
    struct entry {
        std::size_t hash = 0;
        std::uint32_t key_off = 0;
        std::uint32_t ids_off = 0;
        std::uint16_t key_len = 0;  // 0 = empty slot
        std::uint16_t n_ids = 0;
    };
    void place(const entry& e) {
        const std::size_t mask = table_.size() - 1;
        std::size_t i = e.hash & mask;
        while (table_[i].key_len != 0) i = (i + 1) & mask;
        table_[i] = e;
    }
    void rehash(std::size_t slots) {
        std::vector<entry> old(slots);
        std::swap(old, table_);
        for (const entry& e : old)
            if (e.key_len != 0) place(e);
    }
    void reset(std::uint64_t owner, std::size_t slots) {
        owner_ = owner;
        table_.assign(slots, entry{});
        keys_.clear();
        ids_.clear();
        used_ = 0;
    }
    std::uint64_t owner_ = 0;
    std::vector<entry> table_;
    std::string keys_;
    std::vector<std::int32_t> ids_;
    std::size_t used_ = 0;
};

class bpe_tokenizer {
public:
    // Validates `spec` (see validate()); throws tessera::error naming spec.source.
    explicit bpe_tokenizer(bpe_spec spec) : spec_(std::move(spec)) { build(); }

    // Non-copyable (workspaces remember which tokenizer filled their cache), movable.
    bpe_tokenizer(const bpe_tokenizer&) = delete;
    bpe_tokenizer& operator=(const bpe_tokenizer&) = delete;
    bpe_tokenizer(bpe_tokenizer&&) noexcept = default;
    bpe_tokenizer& operator=(bpe_tokenizer&&) noexcept = default;

    // ---- encoding ---------------------------------------------------------------------
    std::vector<std::int32_t> encode(std::string_view text, const bpe_encode_options& opt = {}) const {
        bpe_workspace ws;
        std::vector<std::int32_t> out;
        encode(text, opt, ws, out);
        return out;
    }
    // Appends the ids of `text` to `out`.
    void encode(std::string_view text, const bpe_encode_options& opt, bpe_workspace& ws,
                std::vector<std::int32_t>& out) const {
        if (!spm() && !is_valid_utf8(text)) {  // sentencepiece keeps the bytes (see the top)
            ws.sanitized = sanitize_utf8(text);
            text = ws.sanitized;
        }
        encode_valid(text, opt.add_special_tokens, opt.parse_special, {}, ws, out);
    }
    // For prompts built by a chat template: special tokens are recognised only when they lie
    // entirely inside one of `special_ranges` (sorted, non-overlapping byte ranges of
    // `text`, which must be valid UTF-8: invalid_argument otherwise).
    void encode_with_special_ranges(std::string_view text, std::span<const byte_range> special_ranges,
                                    bool add_special_tokens, bpe_workspace& ws, std::vector<std::int32_t>& out) const {
        require(is_valid_utf8(text), error_kind::invalid_argument,
                "encode_with_special_ranges: the text must be valid UTF-8 (sanitize the parts first)");
        for (std::size_t i = 0; i < special_ranges.size(); ++i) {
            const byte_range r = special_ranges[i];
            require(r.begin <= r.end && r.end <= text.size() && (i == 0 || special_ranges[i - 1].end <= r.begin),
                    error_kind::invalid_argument, "encode_with_special_ranges: ranges must be sorted, disjoint and inside the text");
        }
        encode_valid(text, add_special_tokens, false, special_ranges, ws, out);
    }

    // ---- decoding ---------------------------------------------------------------------
    // UTF-8 text of `ids`; invalid byte sequences become U+FFFD. An id outside the
    // vocabulary is an out_of_range error.
    std::string decode(std::span<const std::int32_t> ids, bool skip_special_tokens = false) const {
        std::string bytes;
        for (const std::int32_t id : ids) {
            check_id(id);
            if (skip_special_tokens && is_special(id)) continue;
            bytes.append(token_bytes(id));
        }
        return is_valid_utf8(bytes) ? bytes : sanitize_utf8(bytes);
    }
    // The raw bytes token `id` stands for (may be part of a UTF-8 character).
    std::string_view token_bytes(std::int32_t id) const {
        check_id(id);
        const auto i = static_cast<std::size_t>(id);
        return std::string_view(bytes_blob_).substr(bytes_off_[i], bytes_off_[i + 1] - bytes_off_[i]);
    }
    // True for control tokens (what skip_special_tokens drops).
    bool is_special(std::int32_t id) const { return kind(id) == token_kind::control; }

    // ---- vocabulary -------------------------------------------------------------------
    std::size_t vocab_size() const noexcept { return spec_.tokens.size(); }
    const std::string& id_to_token(std::int32_t id) const {
        check_id(id);
        return spec_.tokens[static_cast<std::size_t>(id)];
    }
    std::optional<std::int32_t> token_to_id(std::string_view spelling) const {
        const auto it = by_spelling_.find(spelling);
        if (it == by_spelling_.end()) return std::nullopt;
        return it->second;
    }
    token_kind kind(std::int32_t id) const {
        check_id(id);
        return spec_.kinds[static_cast<std::size_t>(id)];
    }
    const bpe_spec& spec() const noexcept { return spec_; }
    bpe_model model() const noexcept { return spec_.model; }
    // Sentencepiece mode: the score of a token (0 when the spec had none).
    float score(std::int32_t id) const {
        check_id(id);
        return spec_.scores.empty() ? 0.0f : spec_.scores[static_cast<std::size_t>(id)];
    }
    pretokenizer_kind pre_tokenizer() const noexcept { return spec_.pre; }
    std::optional<std::int32_t> bos_id() const noexcept { return spec_.bos_id; }
    std::optional<std::int32_t> eos_id() const noexcept { return spec_.eos_id; }
    std::optional<std::int32_t> pad_id() const noexcept { return spec_.pad_id; }
    std::optional<std::int32_t> unk_id() const noexcept { return spec_.unk_id; }

private:
    // ---- construction -----------------------------------------------------------------
    error fail(error_kind k, const std::string& msg) const { return error(k, spec_.source + ": " + msg); }
    bool spm() const noexcept { return spec_.model == bpe_model::sentencepiece; }

    void build() {
        auto& s = spec_;
        const std::size_t n = s.tokens.size();
        if (n == 0) throw fail(error_kind::malformed, "the vocabulary is empty");
        if (n > std::size_t(INT32_MAX)) throw fail(error_kind::too_large, "the vocabulary has more than 2^31-1 tokens");
        if (s.kinds.empty()) s.kinds.assign(n, token_kind::normal);
        if (s.kinds.size() != n)
            throw fail(error_kind::inconsistent, std::to_string(s.kinds.size()) + " token types for " +
                                                     std::to_string(n) + " tokens");
        if (!s.scores.empty() && s.scores.size() != n)
            throw fail(error_kind::inconsistent, std::to_string(s.scores.size()) + " token scores for " +
                                                     std::to_string(n) + " tokens");
        if (spm() && s.scores.empty()) s.scores.assign(n, 0.0f);
        const auto check_special = [&](const std::optional<std::int32_t>& id, const char* what) {
            if (id && (*id < 0 || std::size_t(*id) >= n))
                throw fail(error_kind::out_of_range, std::string(what) + " id " + std::to_string(*id) +
                                                         " is outside the vocabulary of " + std::to_string(n));
        };
        check_special(s.unk_id, "unknown token");
        check_special(s.bos_id, "BOS token");
        check_special(s.eos_id, "EOS token");
        check_special(s.pad_id, "padding token");
        for (const std::int32_t id : s.prefix_ids) check_special(id, "prefix special token");
        for (const std::int32_t id : s.suffix_ids) check_special(id, "suffix special token");

        // Spellings -> ids, and each token's bytes.
        by_spelling_.reserve(n);
        bytes_off_.reserve(n + 1);
        bytes_off_.push_back(0);
        for (std::size_t i = 0; i < n; ++i) {
            const std::string& t = s.tokens[i];
            const token_kind k = s.kinds[i];
            if (static_cast<unsigned>(k) < 1 || static_cast<unsigned>(k) > 6)
                throw fail(error_kind::malformed, "token " + std::to_string(i) + " has unknown type " +
                                                      std::to_string(static_cast<unsigned>(k)));
            if (!t.empty()) {
                const auto [it, inserted] = by_spelling_.emplace(std::string_view(t), std::int32_t(i));
                if (!inserted)
                    throw fail(error_kind::duplicate, "token '" + t + "' appears twice (ids " +
                                                          std::to_string(it->second) + " and " + std::to_string(i) + ")");
            }
            bytes_blob_.append(bytes_of(t, k));
            bytes_off_.push_back(bytes_blob_.size());
        }
        if (spm()) {
            build_spm();
            return;
        }
        // Pre-tokens emitted whole under ignore_merges: model tokens with a byte-level spelling.
        if (s.ignore_merges) {
            for (std::size_t i = 0; i < n; ++i) {
                const token_kind k = s.kinds[i];
                if (k == token_kind::control || k == token_kind::user_defined || s.tokens[i].empty()) continue;
                if (!byte_level_to_bytes(s.tokens[i])) continue;
                whole_tokens_.emplace(bytes_blob_.substr(bytes_off_[i], bytes_off_[i + 1] - bytes_off_[i]),
                                      std::int32_t(i));
            }
        }
        // Initial symbols: the token spelling each single byte.
        for (unsigned b = 0; b < 256; ++b) {
            byte_token_[b] = -1;
            const auto it = by_spelling_.find(bytes_to_byte_level(std::string(1, char(b))));
            if (it != by_spelling_.end()) byte_token_[b] = it->second;
            // HF's byte fallback looks up "<0xAB>" for each UTF-8 byte of the byte's spelling.
            if (s.byte_fallback) {
                const std::string spelled = bytes_to_byte_level(std::string(1, char(b)));
                fallback_[b].clear();
                bool all = true;
                for (const char c : spelled) {
                    const auto f = by_spelling_.find(byte_token_name(static_cast<unsigned char>(c)));
                    if (f == by_spelling_.end()) {
                        all = false;
                        break;
                    }
                    fallback_[b].push_back(f->second);
                }
                if (!all) fallback_[b].clear();
            }
        }
        // Merges: both sides and the result must be tokens; a pair may appear once.
        if (s.merges.size() > std::size_t(UINT32_MAX))
            throw fail(error_kind::too_large, "more than 2^32-1 merges");
        merges_.reserve(s.merges.size());
        merged_by_rank_.reserve(s.merges.size());
        std::string joined;
        for (std::size_t r = 0; r < s.merges.size(); ++r) {
            const auto& [a, b] = s.merges[r];
            const auto la = by_spelling_.find(a);
            const auto lb = by_spelling_.find(b);
            joined.assign(a).append(b);
            const auto lj = by_spelling_.find(joined);
            if (la == by_spelling_.end() || lb == by_spelling_.end() || lj == by_spelling_.end()) {
                const std::string& missing = la == by_spelling_.end() ? a : lb == by_spelling_.end() ? b : joined;
                throw fail(error_kind::inconsistent, "merge " + std::to_string(r) + " ('" + a + " " + b +
                                                         "') needs token '" + missing + "', which is not in the vocabulary");
            }
            if (!merges_.insert(la->second, lb->second, {std::uint32_t(r), lj->second}))
                throw fail(error_kind::duplicate, "merge " + std::to_string(r) + " ('" + a + " " + b +
                                                      "') appears twice");
            merged_by_rank_.push_back(lj->second);
        }
        build_trie();
        instance_ = next_instance();
    }
    // Added tokens (control and user-defined) go into the splitting trie. (Only valid UTF-8
    // texts: encoded input is valid UTF-8 — in sentencepiece mode, added tokens between
    // invalid bytes still match, as in llama.cpp — so others could only match part of a
    // character.) Sentencepiece mode also splits unknown-type tokens, as special ones
    // (llama.cpp's special-token cache holds control, user-defined and unknown tokens).
    void build_trie() {
        const auto& s = spec_;
        trie_.push_back(trie_node{});
        for (std::size_t i = 0; i < s.tokens.size(); ++i) {
            const token_kind k = s.kinds[i];
            const bool unknown_special = spm() && k == token_kind::unknown;
            if ((k != token_kind::control && k != token_kind::user_defined && !unknown_special) || s.tokens[i].empty())
                continue;
            if (!is_valid_utf8(s.tokens[i])) continue;
            add_to_trie(s.tokens[i], std::int32_t(i), k != token_kind::user_defined);
        }
    }
    // Sentencepiece mode: byte tokens and the added-token trie (merges, if a file has any,
    // play no part, as in llama.cpp).
    void build_spm() {
        for (unsigned b = 0; b < 256; ++b) {
            byte_token_[b] = -1;
            if (const auto it = by_spelling_.find(byte_token_name(b)); it != by_spelling_.end()) byte_token_[b] = it->second;
            else if (const auto one = by_spelling_.find(std::string(1, char(b))); one != by_spelling_.end())
                byte_token_[b] = one->second;
        }
        build_trie();
        instance_ = next_instance();
    }
    // A process-wide serial number, so a workspace never reuses cache entries of another
    // tokenizer (not even one later built at the same address).
    static std::uint64_t next_instance() noexcept {
        static std::atomic<std::uint64_t> counter{0};
        return counter.fetch_add(1, std::memory_order_relaxed) + 1;
    }

    static std::string byte_token_name(unsigned b) {
        static constexpr char hex[] = "0123456789ABCDEF";
        return std::string("<0x") + hex[b >> 4] + hex[b & 15] + ">";
    }
    // Bytes of one token: byte-level spellings are mapped back, "<0xAB>" byte tokens are
    // the byte, added tokens and anything else are their own UTF-8.
    std::string bytes_of(const std::string& t, token_kind k) const {
        if (k == token_kind::control || k == token_kind::user_defined) return t;
        if (spm() && k != token_kind::byte) return unescape_spaces(t);
        if ((k == token_kind::byte || spec_.byte_fallback) && t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>') {
            const auto hexval = [](char c) -> int {
                if (c >= '0' && c <= '9') return c - '0';
                if (c >= 'A' && c <= 'F') return c - 'A' + 10;
                if (c >= 'a' && c <= 'f') return c - 'a' + 10;
                return -1;
            };
            const int hi = hexval(t[3]), lo = hexval(t[4]);
            if (hi >= 0 && lo >= 0) return std::string(1, static_cast<char>(hi * 16 + lo));
        }
        if (auto b = byte_level_to_bytes(t)) return std::move(*b);
        return t;
    }

    // "▁" (U+2581, E2 96 81) → ' ', and back.
    static std::string unescape_spaces(std::string_view t) {
        std::string out;
        out.reserve(t.size());
        for (std::size_t i = 0; i < t.size(); ++i) {
            if (t.compare(i, 3, "\xE2\x96\x81") == 0) {
                out.push_back(' ');
                i += 2;
            } else {
                out.push_back(t[i]);
            }
        }
        return out;
    }
    static void escape_spaces(std::string_view t, std::string& out) {
        for (const char c : t) {
            if (c == ' ') out.append("\xE2\x96\x81");
            else out.push_back(c);
        }
    }

    struct trie_node {
        std::int32_t token = -1;  // id of the added token ending here
        bool special = false;
        std::vector<std::pair<unsigned char, std::int32_t>> children;  // sorted by byte
    };
    void add_to_trie(const std::string& text, std::int32_t id, bool special) {
        std::size_t node = 0;
        for (const char ch : text) {
            const auto c = static_cast<unsigned char>(ch);
            auto& kids = trie_[node].children;
            auto it = std::lower_bound(kids.begin(), kids.end(), c,
                                       [](const auto& p, unsigned char v) { return p.first < v; });
            if (it == kids.end() || it->first != c) {
                const auto child = static_cast<std::int32_t>(trie_.size());
                kids.insert(it, {c, child});
                trie_.push_back(trie_node{});  // invalidates `kids`; not used after
                node = static_cast<std::size_t>(child);
            } else {
                node = static_cast<std::size_t>(it->second);
            }
        }
        trie_[node].token = id;
        trie_[node].special = special;
        first_byte_[static_cast<unsigned char>(text[0])] = true;
    }
    // Longest added token starting at `pos` that may match there: {id, length} or {-1, 0}.
    std::pair<std::int32_t, std::size_t> match_added(std::string_view text, std::size_t pos, bool parse_special,
                                                     std::span<const byte_range> ranges, std::size_t& range_hint) const {
        std::pair<std::int32_t, std::size_t> best{-1, 0};
        std::size_t node = 0;
        for (std::size_t i = pos; i < text.size(); ++i) {
            const auto c = static_cast<unsigned char>(text[i]);
            const auto& kids = trie_[node].children;
            const auto it = std::lower_bound(kids.begin(), kids.end(), c,
                                             [](const auto& p, unsigned char v) { return p.first < v; });
            if (it == kids.end() || it->first != c) break;
            node = static_cast<std::size_t>(it->second);
            const trie_node& t = trie_[node];
            if (t.token < 0) continue;
            if (t.special && !parse_special && !inside_ranges(ranges, pos, i + 1, range_hint)) continue;
            best = {t.token, i + 1 - pos};
        }
        return best;
    }
    // True when [b, e) lies inside one range; `hint` walks forward with b (callers scan left to right).
    static bool inside_ranges(std::span<const byte_range> ranges, std::size_t b, std::size_t e, std::size_t& hint) {
        while (hint < ranges.size() && ranges[hint].end <= b) ++hint;
        return hint < ranges.size() && ranges[hint].begin <= b && e <= ranges[hint].end;
    }

    // ---- encoding -----------------------------------------------------------------------
    void encode_valid(std::string_view text, bool add_special, bool parse_special, std::span<const byte_range> ranges,
                      bpe_workspace& ws, std::vector<std::int32_t>& out) const {
        if (add_special) out.insert(out.end(), spec_.prefix_ids.begin(), spec_.prefix_ids.end());
        std::size_t piece = 0;  // start of the text not yet encoded
        std::size_t range_hint = 0;
        if (trie_.size() > 1) {
            for (std::size_t pos = 0; pos < text.size();) {
                if (!first_byte_[static_cast<unsigned char>(text[pos])]) {
                    ++pos;
                    continue;
                }
                const auto [id, len] = match_added(text, pos, parse_special, ranges, range_hint);
                if (id < 0) {
                    ++pos;
                    continue;
                }
                encode_piece(text.substr(piece, pos - piece), ws, out);
                out.push_back(id);
                pos += len;
                piece = pos;
            }
        }
        encode_piece(text.substr(piece), ws, out);
        if (add_special) out.insert(out.end(), spec_.suffix_ids.begin(), spec_.suffix_ids.end());
    }

    void encode_piece(std::string_view text, bpe_workspace& ws, std::vector<std::int32_t>& out) const {
        if (text.empty()) return;
        if (spm()) {
            std::string& esc = ws.escaped;
            esc.clear();
            if (spec_.add_space_prefix) esc.append("\xE2\x96\x81");
            escape_spaces(text, esc);
            const auto lookup = [&](std::string_view piece) -> std::int32_t {
                const auto it = by_spelling_.find(piece);
                return it == by_spelling_.end() ? -1 : it->second;
            };
            spm_merge(esc, lookup, spec_.scores, byte_token_, ws.spm, out);
            return;
        }
        pretokenize(spec_.pre, text, [&](std::size_t b, std::size_t e) { encode_word(text.substr(b, e - b), ws, out); });
    }

    void encode_word(std::string_view word, bpe_workspace& ws, std::vector<std::int32_t>& out) const {
        if (spec_.ignore_merges) {
            const auto it = whole_tokens_.find(word);
            if (it != whole_tokens_.end()) {
                out.push_back(it->second);
                return;
            }
        }
        const bool cacheable = word.size() <= bpe_workspace::max_key_bytes;
        std::size_t hash = 0;
        if (cacheable) {
            hash = std::hash<std::string_view>{}(word);
            if (const auto hit = ws.find(instance_, word, hash)) {
                out.insert(out.end(), hit->begin(), hit->end());
                return;
            }
        }
        auto& init = ws.merge.ids;  // the initial symbols, merged in place by bpe_merge
        init.clear();
        if (word.size() > init.capacity()) init.reserve(word.size());  // one symbol a byte, mostly
        bool pending_unk = false;
        for (const char ch : word) {
            const auto b = static_cast<unsigned char>(ch);
            if (byte_token_[b] >= 0) {
                init.push_back(byte_token_[b]);
                pending_unk = false;
            } else if (!fallback_[b].empty()) {
                init.insert(init.end(), fallback_[b].begin(), fallback_[b].end());
                pending_unk = false;
            } else if (spec_.unk_id) {
                if (!(spec_.fuse_unk && pending_unk)) init.push_back(*spec_.unk_id);
                pending_unk = true;
            }
            // else: dropped, as HF does without an unknown token (the neighbours become adjacent)
        }
        if (init.size() > std::size_t(INT32_MAX))  // symbol links are int32
            throw fail(error_kind::too_large, "a pre-token of more than 2^31-1 symbols cannot be merged");
        const std::size_t start = out.size();
        bpe_merge(merges_, merged_by_rank_, ws.merge, out);
        if (cacheable)
            ws.insert(instance_, word, hash, std::span<const std::int32_t>(out.data() + start, out.size() - start));
    }

    void check_id(std::int32_t id) const {
        if (id < 0 || std::size_t(id) >= spec_.tokens.size())
            throw fail(error_kind::out_of_range, "token id " + std::to_string(id) + " is outside the vocabulary of " +
                                                     std::to_string(spec_.tokens.size()));
    }

    struct sv_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };

    bpe_spec spec_;
    // Views into spec_.tokens' strings, which stay put when the vector (or tokenizer) moves.
    std::unordered_map<std::string_view, std::int32_t, sv_hash, std::equal_to<>> by_spelling_;
    std::string bytes_blob_;               // all tokens' bytes, concatenated
    std::vector<std::size_t> bytes_off_;   // token i's bytes: [off[i], off[i+1])
    std::unordered_map<std::string, std::int32_t, sv_hash, std::equal_to<>> whole_tokens_;  // ignore_merges
    std::array<std::int32_t, 256> byte_token_{};
    std::array<std::vector<std::int32_t>, 256> fallback_{};
    bpe_merge_table merges_;
    std::vector<std::int32_t> merged_by_rank_;
    std::vector<trie_node> trie_;
    std::array<bool, 256> first_byte_{};
    std::uint64_t instance_ = 0;
};

}  // namespace tessera::text
