#pragma once
// Llama-architecture decoder (SmolLM2, TinyLlama, Llama 2/3 conversions) and Gemma 3 run
// straight from a GGUF file, their weights used in place from the mapping through the
// quantized matmuls (ops/quant_matmul.hpp).
//
//   auto model = models::llama_model::open("SmolLM2-135M-Instruct.Q4_1.gguf");
//   models::llama_session s(model);                  // KV cache + scratch, one per conversation
//   std::span<const float> logits = s.prefill(ids, &pool);   // [vocab] of the last token
//   logits = s.decode(next_id, &pool);
//
// The network, per token at absolute position p (H hidden, n_heads × hd queries, n_kv × hd
// keys/values, I the FFN width, V the vocabulary):
//   x = token_embd[id]                                          [H]  (rows decoded on lookup)
//   for each of n_layers blocks:
//     h = rms_norm(x) · attn_norm
//     q = Wq h [n_heads, hd], k = Wk h, v = Wv h [n_kv, hd];  q, k rotated by RoPE at p
//     x += Wo · attention(q, K[0..p], V[0..p])     (causal; GQA: head h reads kv head h / (n_heads / n_kv))
//     h = rms_norm(x) · ffn_norm
//     x += Wdown · (silu(Wgate h) ⊙ Wup h)                     [I] inside
//   logits = Woutput · (rms_norm(x) · output_norm)              [V]; Woutput = token_embd when tied
//
// Gemma 3 (general.architecture "gemma3"; decoder_features below) changes, each checked
// against llama.cpp's src/models/gemma3.cpp and the GGUF converter:
//   x = token_embd[id] · √H                       (llama.cpp scales after the lookup, in f32)
//   q, k: RMSNorm per head (attn_q_norm / attn_k_norm, [hd]) before RoPE
//   RoPE rotates halves (x[j], x[j + hd/2]) — llama.cpp's NEOX type; the converter does not
//        permute Wq/Wk for Gemma — with base rope_local_theta (10000) on the local layers and
//        rope_theta (1e6) on the global ones; linear scaling, if any, on the global ones only
//   attention scale 1/√query_pre_attn_scalar (= head_dim here); local layers see the last
//        sliding_window (512) positions; layer i is global when (i + 1) % pattern == 0 (6)
//   x += rms_norm(Wo · attention) · post_attention_norm         (norm before the residual add)
//   x += rms_norm(Wdown · (gelu_tanh(Wgate h) ⊙ Wup h)) · post_ffw_norm
//   logits = c·tanh(logits / c) when final_logit_softcapping c > 0 (0 in Gemma 3 files)
// Norm weights: HF's Gemma RMSNorm multiplies by (1 + w); llama.cpp's converter stores 1 + w,
// so the file holds the multiplier and tessera uses it as it is (as llama.cpp does).
//
// RoPE layout. HF's Llama rotates the pairs (x[j], x[j + hd/2]) (rotate_half). llama.cpp's
// converter permutes the rows of Wq and Wk inside each head, row (i, j) → row 2j + i for
// i in {0, 1}, j < hd/2, so that ggml can rotate *adjacent* pairs (x[2j], x[2j+1]) with the
// same frequency θ^(−2j/hd). The permuted q and k hold the same numbers in another order
// within each head, and q·k is invariant under one permutation applied to both, so running
// the GGUF weights with the interleaved layout gives exactly HF's scores (tests/test_llama.cpp
// checks the identity on a permuted head). Values and Wo are not permuted.
//
// Threads: the model is immutable after construction and may be shared by any number of
// sessions on any threads; all mutable state (KV cache, activations) is in the session.
// Results are bitwise independent of the thread pool, and a token decoded after a cached
// prefix gives the same numbers as the same position inside one long prompt (the quantized
// matmul and the attention compute every row alone; tests check both).
//
// Precision: see matmul_precision below (a session setting; the default q8_fine).
//
// Prompt processing runs in batches of up to `max_batch` tokens (GEMM path); generation one
// token at a time (GEMV path).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tessera/core/aligned.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/huge_pages.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/io/gguf.hpp"
#include "tessera/models/config.hpp"
#include "tessera/nn/kv_cache.hpp"
#include "tessera/ops/attention.hpp"
#include "tessera/ops/norm.hpp"
#include "tessera/ops/positional.hpp"
#include "tessera/ops/quant_matmul.hpp"
#include "tessera/simd/elementwise.hpp"
#include "tessera/simd/math.hpp"
#include "tessera/text/bpe_gguf.hpp"

namespace tessera::models {

class llama_session;

// How the session multiplies activations with the weights (ops/quant_act.hpp):
//   q8       activations quantized to 8 bits per 32-value block, integer dot products (the
//            fastest; logits within a few tenths of the fp32 reference on SmolLM2)
//   q8_fine  two 8-bit codes per value (error <= d/512), two more integer dot products per
//            weight group (the default: greedy text matches the fp32 reference)
//   f32      activations kept in f32, weights decoded row by row: the fp32 reference's
//            arithmetic up to summation order (slow; for parity checks)
enum class matmul_precision { q8, q8_fine, f32 };

// What differs between the architectures llama_model runs (filled from the config).
struct decoder_features {
    float embed_scale = 1.0f;          // Gemma: √H
    bool qk_norm = false;              // per-head RMSNorm of q and k
    bool post_norms = false;           // RMSNorm of each sublayer's output before the residual add
    bool gelu_ffn = false;             // gelu_tanh(gate) ⊙ up instead of silu(gate) ⊙ up
    float attn_scale = 0.0f;           // 0: 1/√head_dim
    std::size_t sliding_window = 0;    // local layers' window (0: none)
    std::size_t window_pattern = 0;    // layer i is local when i % pattern < pattern − 1
    float logit_softcap = 0.0f;        // 0: none
};

// Where a llama_model's matrices live. huge_pages (the default): copied once at open into
// anonymous memory on 2 MiB pages, Q4_0 / Q4_1 / Q8_0 rows regrouped on the way
// (ops/quant_layout.hpp), and the file's pages dropped from the process (the RSS stays about
// the same); generation streams them ~30 % faster than from the file's 4 KiB pages
// (core/huge_pages.hpp), and the grouped rows faster again. Falls back to mapped when the
// kernel has transparent huge pages off or the allocation fails. mapped: used in place from
// the mapped file. Either way the values, and so every result, are the same bit for bit.
enum class weight_placement { huge_pages, mapped };

class llama_model {
public:
    struct layer {
        std::vector<float> attn_norm, ffn_norm;  // [H]
        ops::quant_matrix wq, wk, wv, wo;        // [n_heads·hd, H], [n_kv·hd, H] ×2, [H, n_heads·hd]
        ops::quant_matrix gate, up, down;        // [I, H] ×2, [H, I]
        // Gemma 3 only (empty otherwise):
        std::vector<float> q_norm, k_norm;                 // [hd]
        std::vector<float> post_attn_norm, post_ffn_norm;  // [H]
        bool local = false;                                // sliding-window layer
    };

    // Opens, validates (config against tensors) and binds a GGUF file. Throws tessera::error:
    // unsupported for another architecture or a tensor type without a matmul, inconsistent
    // when tensors do not match the metadata, plus every gguf_file / model_config error.
    static llama_model open(const std::string& path, const config_limits& lim = {},
                            weight_placement place = weight_placement::huge_pages) {
        return llama_model(io::gguf_file::open(path), lim, place);
    }

    explicit llama_model(io::gguf_file file, const config_limits& lim = {},
                         weight_placement place = weight_placement::huge_pages)
        : file_(std::move(file)) {
        cfg_ = model_config::from_gguf(file_, lim);
        cfg_.validate_against(tensor_listing(file_), file_.path());
        const std::size_t H = cfg_.hidden_size, I = cfg_.intermediate_size, V = cfg_.vocab_size;
        const std::size_t nq = cfg_.n_heads * cfg_.head_dim, nkv = cfg_.n_kv_heads * cfg_.head_dim;
        embed_ = matrix("token_embd.weight", V, H);
        output_ = cfg_.tie_word_embeddings ? embed_ : matrix("output.weight", V, H);
        output_norm_ = norm("output_norm.weight");
        const bool gemma3 = cfg_.arch == architecture::gemma3;
        if (gemma3) {
            feat_.embed_scale = std::sqrt(float(H));
            feat_.qk_norm = feat_.post_norms = feat_.gelu_ffn = true;
            feat_.attn_scale = 1.0f / std::sqrt(float(cfg_.query_pre_attn_scalar));
            feat_.sliding_window = cfg_.sliding_window;
            feat_.window_pattern = cfg_.sliding_window_pattern;
            feat_.logit_softcap = float(cfg_.final_logit_softcapping);
        }
        layers_.resize(cfg_.n_layers);
        for (std::size_t l = 0; l < cfg_.n_layers; ++l) {
            const std::string b = "blk." + std::to_string(l) + ".";
            layer& L = layers_[l];
            if (gemma3) {
                L.q_norm = norm(b + "attn_q_norm.weight");
                L.k_norm = norm(b + "attn_k_norm.weight");
                L.post_attn_norm = norm(b + "post_attention_norm.weight");
                L.post_ffn_norm = norm(b + "post_ffw_norm.weight");
                const std::size_t P = feat_.window_pattern;
                L.local = feat_.sliding_window > 0 && P > 0 && l % P < P - 1;  // llama.cpp's set_swa_pattern
            }
            L.attn_norm = norm(b + "attn_norm.weight");
            L.ffn_norm = norm(b + "ffn_norm.weight");
            L.wq = matrix(b + "attn_q.weight", nq, H);
            L.wk = matrix(b + "attn_k.weight", nkv, H);
            L.wv = matrix(b + "attn_v.weight", nkv, H);
            L.wo = matrix(b + "attn_output.weight", H, nq);
            L.gate = matrix(b + "ffn_gate.weight", I, H);
            L.up = matrix(b + "ffn_up.weight", I, H);
            L.down = matrix(b + "ffn_down.weight", H, I);
        }
        if (place == weight_placement::huge_pages && transparent_huge_pages_available()) place_weights_in_huge_pages();
        rope_.head_dim = cfg_.head_dim;
        rope_.rotary_dim = cfg_.rope_dim;
        rope_.theta = float(cfg_.rope_theta);
        // Llama GGUFs: interleaved (see the top of this file); Gemma: halves (NEOX).
        rope_.layout = gemma3 ? ops::rope_layout::half_split : ops::rope_layout::interleaved;
        if (cfg_.rope_scaling.type == "linear") {
            rope_.scaling = ops::rope_scaling::linear;
            rope_.factor = float(cfg_.rope_scaling.factor);
        } else if (!cfg_.rope_scaling.type.empty() && cfg_.rope_scaling.type != "none") {
            throw error(error_kind::unsupported,
                        file_.path() + ": rope scaling '" + cfg_.rope_scaling.type + "' is not implemented");
        }
        rope_local_ = rope_;
        if (gemma3) {  // local layers: their own base, never scaled (llama.cpp's rope_freq_*_swa)
            rope_local_.theta = float(cfg_.rope_local_theta);
            rope_local_.scaling = ops::rope_scaling::none;
            rope_local_.factor = 1.0f;
        }
        ops::validate(rope_);
        ops::validate(rope_local_);
        if (file_.contains("tokenizer.ggml.tokens")) tokenizer_.emplace(text::bpe_from_gguf(file_));
        // Gemma ends a turn with <end_of_turn> besides <eos> (HF's generation_config lists
        // both; llama.cpp ends generation on it too).
        if (gemma3 && tokenizer_)
            if (const auto eot = tokenizer_->token_to_id("<end_of_turn>"))
                if (std::find(cfg_.eos_token_ids.begin(), cfg_.eos_token_ids.end(), std::uint64_t(*eot)) ==
                    cfg_.eos_token_ids.end())
                    cfg_.eos_token_ids.push_back(std::uint64_t(*eot));
    }

    llama_model(llama_model&&) noexcept = default;
    llama_model(const llama_model&) = delete;
    llama_model& operator=(const llama_model&) = delete;

    const model_config& config() const noexcept { return cfg_; }
    const io::gguf_file& file() const noexcept { return file_; }
    const std::vector<layer>& layers() const noexcept { return layers_; }
    const ops::quant_matrix& embedding() const noexcept { return embed_; }
    const ops::quant_matrix& output() const noexcept { return output_; }
    // Whether the matrices were copied to huge pages (see weight_placement).
    bool weights_in_huge_pages() const noexcept { return weights_copy_ != nullptr; }
    const ops::rope_config& rope() const noexcept { return rope_; }
    // The RoPE of the sliding-window layers (Gemma 3; equals rope() otherwise).
    const ops::rope_config& rope_local() const noexcept { return rope_local_; }
    const decoder_features& features() const noexcept { return feat_; }
    float norm_eps() const noexcept { return float(cfg_.norm_eps); }

    bool has_tokenizer() const noexcept { return tokenizer_.has_value(); }
    // The file's byte-level BPE tokenizer; out_of_range when the file has none.
    const text::bpe_tokenizer& tokenizer() const {
        require(tokenizer_.has_value(), error_kind::out_of_range, [&] { return file_.path() + ": no tokenizer"; });
        return *tokenizer_;
    }

    // Weight bytes one generated token reads: every layer matrix and the output matrix
    // (norms and the one embedding row are negligible).
    std::size_t weight_bytes_per_token() const noexcept {
        std::size_t b = output_.bytes();
        for (const layer& L : layers_)
            b += L.wq.bytes() + L.wk.bytes() + L.wv.bytes() + L.wo.bytes() + L.gate.bytes() + L.up.bytes() + L.down.bytes();
        return b;
    }

    // Runs `ids` through the model at the session's next positions and commits them to its
    // cache. `all_logits`: logits for every id ([ids.size(), V]), else for the last only ([1, V]).
    // The returned view lives in the session until its next call. Throws out_of_range for
    // an id outside the vocabulary and context_overflow when the cache is full (the session
    // is unchanged in both cases).
    tensor_view<const float> eval(llama_session& s, std::span<const std::int32_t> ids, bool all_logits,
                                  thread_pool* pool = nullptr) const;

private:
    ops::quant_matrix matrix(const std::string& name, std::size_t rows, std::size_t cols) const {
        const io::gguf_tensor_info& t = file_.tensor_info(name);
        return ops::quant_matrix::view(t.type, file_.tensor_bytes(t), rows, cols, file_.path() + ": tensor '" + name + "'");
    }
    // The layer matrices and the output matrix, copied in file order into one huge-page
    // buffer (64-byte aligned each, rows grouped where the type has a grouped layout); the
    // embedding follows the output when they are tied, and otherwise stays mapped (one row
    // per token is read from it). The source pages are dropped from the process about 4 MiB
    // at a time right after they are copied, so the RSS never holds both copies of more.
    void place_weights_in_huge_pages() {
        std::vector<ops::quant_matrix*> ms;
        for (layer& L : layers_)
            for (ops::quant_matrix* m : {&L.wq, &L.wk, &L.wv, &L.wo, &L.gate, &L.up, &L.down}) ms.push_back(m);
        ms.push_back(&output_);
        std::sort(ms.begin(), ms.end(), [](const auto* a, const auto* b) { return a->data < b->data; });
        const auto padded = [](std::size_t n) { return (n + default_alignment - 1) / default_alignment * default_alignment; };
        std::size_t total = 0;
        for (const ops::quant_matrix* m : ms) total += padded(m->bytes());
        aligned_array<std::byte> copy = huge_page_array(total);
        if (!copy) return;  // stay mapped
        const bool tied = embed_.data == output_.data;
        std::size_t at = 0;
        constexpr std::size_t step = std::size_t(4) << 20;
        for (ops::quant_matrix* m : ms) {
            std::byte* dst = copy.get() + at;
            at += padded(m->bytes());
            // Whole rows of about 4 MiB per step; each step drops what the copy has passed,
            // from the page the previous drop stopped in (a partial page is not dropped
            // until the rows on it are copied).
            const std::size_t rows_per_step = std::max<std::size_t>(1, step / m->row_bytes);
            const std::byte* drop_from = m->data;
            for (std::size_t r = 0; r < m->rows; r += rows_per_step) {
                const std::size_t r1 = std::min(m->rows, r + rows_per_step);
                m->copy_rows_to(dst, r, r1);
                const std::byte* copied_to = r1 == m->rows ? m->data + m->bytes() : m->row(r1);
                file_.drop_resident({drop_from, copied_to});
                drop_from = std::max(m->data, page_floor(copied_to));
            }
            *m = m->as_copied_to(dst);
        }
        if (tied) embed_ = output_;
        weights_copy_ = std::move(copy);
    }
    static const std::byte* page_floor(const std::byte* p) noexcept {
        const std::uintptr_t page = io::mapped_file::page_size();
        return reinterpret_cast<const std::byte*>(reinterpret_cast<std::uintptr_t>(p) / page * page);
    }
    std::vector<float> norm(const std::string& name) const {
        const tensor<float> t = file_.dequantize_f32(name, true);
        return std::vector<float>(t.data(), t.data() + t.numel());
    }

    io::gguf_file file_;
    model_config cfg_;
    std::vector<layer> layers_;
    ops::quant_matrix embed_, output_;
    std::vector<float> output_norm_;
    ops::rope_config rope_, rope_local_;
    decoder_features feat_;
    std::optional<text::bpe_tokenizer> tokenizer_;
    aligned_array<std::byte> weights_copy_;  // the matrices, when weights_in_huge_pages()
};

// One sequence's state: its KV cache, the ids it holds, and the activations of a forward.
// It refers to its model, which must outlive it and stay where it is (not be moved).
class llama_session {
public:
    // max_tokens: the cache capacity (0: the model's context length, capped at 4096).
    // max_batch: the most prompt tokens processed in one forward.
    explicit llama_session(const llama_model& m, std::size_t max_tokens = 0, std::size_t max_batch = 512,
                           matmul_precision precision = matmul_precision::q8_fine)
        : model_(&m), max_batch_(std::max<std::size_t>(1, max_batch)), precision_(precision) {
        const model_config& c = m.config();
        if (max_tokens == 0) max_tokens = std::min<std::size_t>(c.max_position_embeddings, 4096);
        cache_ = nn::kv_cache(c.n_layers, max_tokens, c.n_kv_heads, c.head_dim);
    }

    const llama_model& model() const noexcept { return *model_; }
    std::size_t size() const noexcept { return cache_.size(); }
    std::size_t capacity() const noexcept { return cache_.capacity(); }
    // The ids in the cache, in order.
    const std::vector<std::int32_t>& tokens() const noexcept { return tokens_; }
    void reset() noexcept {
        cache_.reset();
        tokens_.clear();
        pending_.reset();
    }
    // Forgets every token from position n on (and any pending token).
    void truncate(std::size_t n) {
        cache_.truncate(n);
        tokens_.resize(n);
        pending_.reset();
    }

    // A token chosen but not yet run through the model (generate() leaves its last sampled
    // token here, so a conversation continues without a wasted forward; the next
    // generate() feeds it first).
    std::optional<std::int32_t> pending_token() const noexcept { return pending_; }
    void set_pending_token(std::optional<std::int32_t> id) noexcept { pending_ = id; }

    // Processes ids (in batches of max_batch) and returns the logits after the last one [V].
    std::span<const float> prefill(std::span<const std::int32_t> ids, thread_pool* pool = nullptr) {
        require(!ids.empty(), error_kind::invalid_argument, "llama_session::prefill: no ids");
        check_ids(ids);
        cache_.require_room(ids.size());
        tensor_view<const float> last;
        for (std::size_t i = 0; i < ids.size(); i += max_batch_)
            last = model_->eval(*this, ids.subspan(i, std::min(max_batch_, ids.size() - i)), false, pool);
        return {last.data(), last.numel()};
    }
    std::span<const float> decode(std::int32_t id, thread_pool* pool = nullptr) {
        const tensor_view<const float> l = model_->eval(*this, std::span<const std::int32_t>(&id, 1), false, pool);
        return {l.data(), l.numel()};
    }
    // Logits for every id [ids.size(), V] (one forward; ids.size() <= max_batch).
    tensor_view<const float> forward_all(std::span<const std::int32_t> ids, thread_pool* pool = nullptr) {
        require(ids.size() <= max_batch_, error_kind::invalid_argument, "llama_session::forward_all: more ids than max_batch");
        return model_->eval(*this, ids, true, pool);
    }

private:
    friend class llama_model;

    void check_ids(std::span<const std::int32_t> ids) const {
        const std::size_t V = model_->config().vocab_size;
        for (std::size_t i = 0; i < ids.size(); ++i)
            require(ids[i] >= 0 && std::size_t(ids[i]) < V, error_kind::out_of_range, [&] {
                return "llama: token id " + std::to_string(ids[i]) + " at index " + std::to_string(i) +
                       " is outside the vocabulary of " + std::to_string(V);
            });
    }

    // Grows the activation buffers to n rows (they are reused across calls).
    void reserve(std::size_t n, std::size_t n_logits) {
        const model_config& c = model_->config();
        const std::size_t H = c.hidden_size, I = c.intermediate_size, nq = c.n_heads * c.head_dim;
        if (rows_ < n) {
            x_ = tensor<float>(shape{n, H});
            xb_ = tensor<float>(shape{n, H});
            q_ = tensor<float>(shape{n, nq});
            att_ = tensor<float>(shape{n, nq});
            g_ = tensor<float>(shape{n, I});
            u_ = tensor<float>(shape{n, I});
            rows_ = n;
        }
        if (logit_rows_ < n_logits) {
            logits_ = tensor<float>(shape{n_logits, c.vocab_size});
            logit_rows_ = n_logits;
        }
    }

    void prepare(tensor_view<const float> x, thread_pool* pool) {
        if (precision_ == matmul_precision::f32) qa_.keep_float(x);
        else qa_.quantize(x, pool, precision_ == matmul_precision::q8_fine);
    }

    const llama_model* model_;
    std::size_t max_batch_;
    matmul_precision precision_;
    nn::kv_cache cache_;
    std::vector<std::int32_t> tokens_;
    std::optional<std::int32_t> pending_;
    std::size_t rows_ = 0, logit_rows_ = 0;
    tensor<float> x_, xb_, q_, att_, g_, u_, logits_;
    ops::q8_activations qa_;
};

inline tensor_view<const float> llama_model::eval(llama_session& s, std::span<const std::int32_t> ids, bool all_logits,
                                                  thread_pool* pool) const {
    const std::size_t n = ids.size();
    require(n > 0, error_kind::invalid_argument, "llama: eval of no ids");
    require(&s.model() == this, error_kind::invalid_argument, "llama: the session belongs to another model");
    s.check_ids(ids);
    s.cache_.require_room(n);
    const std::size_t H = cfg_.hidden_size, I = cfg_.intermediate_size, V = cfg_.vocab_size;
    const std::size_t hd = cfg_.head_dim, nh = cfg_.n_heads, nkv = cfg_.n_kv_heads;
    const std::size_t pos0 = s.cache_.size(), n_out = all_logits ? n : 1;
    const float eps = norm_eps();
    s.reserve(n, n_out);
    const tensor_view<float> x(s.x_.data(), shape{n, H}), xb(s.xb_.data(), shape{n, H});
    const tensor_view<float> q(s.q_.data(), shape{n, nh * hd}), att(s.att_.data(), shape{n, nh * hd});
    const tensor_view<float> g(s.g_.data(), shape{n, I}), u(s.u_.data(), shape{n, I});
    ops::q8_activations& qa = s.qa_;

    for (std::size_t i = 0; i < n; ++i) embed_.dequantize_row(std::size_t(ids[i]), x.data() + i * H);
    if (feat_.embed_scale != 1.0f) simd::scale(x.data(), feat_.embed_scale, n * H);
    const ops::rope_table table(rope_, pos0, n);
    std::optional<ops::rope_table> table_local;  // Gemma's sliding-window layers
    if (feat_.sliding_window > 0) table_local.emplace(rope_local_, pos0, n);
    const auto vec = [](const std::vector<float>& v) { return tensor_view<const float>(v.data(), shape{v.size()}); };

    for (std::size_t l = 0; l < layers_.size(); ++l) {
        const layer& L = layers_[l];
        // attention: K and V are written straight into the cache rows of the new tokens
        ops::rms_norm(x, vec(L.attn_norm), eps, xb, pool);
        s.prepare(xb, pool);
        const tensor_view<float> k = s.cache_.keys(l, pos0, pos0 + n), v = s.cache_.values(l, pos0, pos0 + n);
        ops::quant_matmul(L.wq, qa, q, pool);
        ops::quant_matmul(L.wk, qa, k.reshape(shape{n, nkv * hd}), pool);
        ops::quant_matmul(L.wv, qa, v.reshape(shape{n, nkv * hd}), pool);
        const tensor_view<float> q3 = q.reshape(shape{n, nh, hd});
        if (feat_.qk_norm) {  // per head: rows of hd
            ops::rms_norm(q.reshape(shape{n * nh, hd}), vec(L.q_norm), eps, q.reshape(shape{n * nh, hd}), pool);
            ops::rms_norm(k.reshape(shape{n * nkv, hd}), vec(L.k_norm), eps, k.reshape(shape{n * nkv, hd}), pool);
        }
        const ops::rope_table& rt = L.local ? *table_local : table;
        ops::apply_rope(q3, rt);
        ops::apply_rope(k, rt);
        ops::attention_options opt;
        opt.causal = true;
        opt.q_pos0 = pos0;
        opt.scale = feat_.attn_scale;
        if (L.local) opt.window = feat_.sliding_window;
        ops::attention(q3, s.cache_.keys(l, 0, pos0 + n), s.cache_.values(l, 0, pos0 + n), att.reshape(shape{n, nh, hd}),
                       opt, pool);
        s.prepare(att, pool);
        if (feat_.post_norms) {  // x += rms_norm(Wo·att)·post_attention_norm
            ops::quant_matmul(L.wo, qa, xb, pool);
            ops::rms_norm(xb, vec(L.post_attn_norm), eps, xb, pool);
            simd::add(x.data(), x.data(), xb.data(), n * H);
        } else {
            ops::quant_matmul(L.wo, qa, x, pool, true);
        }
        // gated feed-forward: SwiGLU (Llama) or GeGLU with tanh GELU (Gemma)
        ops::rms_norm(x, vec(L.ffn_norm), eps, xb, pool);
        s.prepare(xb, pool);
        ops::quant_matmul(L.gate, qa, g, pool);
        ops::quant_matmul(L.up, qa, u, pool);
        for (std::size_t i = 0; i < n; ++i) {
            float* gi = g.data() + i * I;
            if (feat_.gelu_ffn) simd::gelu_tanh(gi, gi, I);
            else simd::silu(gi, gi, I);
            simd::mul(gi, gi, u.data() + i * I, I);
        }
        s.prepare(g, pool);
        if (feat_.post_norms) {
            ops::quant_matmul(L.down, qa, xb, pool);
            ops::rms_norm(xb, vec(L.post_ffn_norm), eps, xb, pool);
            simd::add(x.data(), x.data(), xb.data(), n * H);
        } else {
            ops::quant_matmul(L.down, qa, x, pool, true);
        }
    }
    s.cache_.advance(n);
    s.tokens_.insert(s.tokens_.end(), ids.begin(), ids.end());

    const tensor_view<float> xo = x.slice(0, n - n_out, n), xn = xb.slice(0, 0, n_out);
    ops::rms_norm(xo, vec(output_norm_), eps, xn, pool);
    s.prepare(xn, pool);
    const tensor_view<float> logits(s.logits_.data(), shape{n_out, V});
    ops::quant_matmul(output_, qa, logits, pool);
    if (feat_.logit_softcap > 0.0f) {  // c·tanh(z / c)
        const float c = feat_.logit_softcap;
        float* z = logits.data();
        for (std::size_t i = 0; i < n_out * V; ++i) z[i] = c * std::tanh(z[i] / c);
    }
    return logits;
}

}  // namespace tessera::models
