#pragma once
// sentence_encoder: texts -> sentence embeddings [n, dim] with a BERT-family model, the
// pipeline sentence-transformers runs for a model directory:
//   tokenize (WordPiece, truncated to max_seq_length) -> BERT -> pooling -> normalise.
//
//   auto enc = embed::sentence_encoder::load("~/.cache/tessera/models/all-MiniLM-L6-v2");
//   thread_pool pool(2);
//   tensor<float> e = enc.encode(texts, {.batch_size = 32}, &pool);   // [n, 384], unit rows
//
// The directory: config.json + model.safetensors (models/bert.hpp); tokenizer.json, or
// vocab.txt with tokenizer_config.json; and, when present, sentence-transformers' files:
//   modules.json                a "sentence_transformers.models.Normalize" module: normalise
//   <Pooling path>/config.json  pooling_mode_{mean,cls,max}_tokens (default: mean)
//   sentence_bert_config.json   max_seq_length (default: max_position_embeddings)
// Other pooling modes (mean_sqrt_len, weighted mean, last token, several at once) and
// modules after Normalize (Dense layers) are unsupported errors, not silent mismatches.
//
// Batching: texts are tokenized (in parallel on the pool), ordered by token count, and
// cut into batches of `batch_size` texts of similar length; a batch is run packed, the
// sequences back to back with no padding at all (bert_model::forward_packed), so no FLOP
// is spent on padding. Results are written back in input order. Since every row of the
// encoder depends on its own sequence only, a text's embedding is bitwise the same alone,
// in any batch, at any batch size and any thread count.
//
// Options (encode_options):
//   batch_size    texts per forward pass (bounds the activation memory)
//   normalize     nullopt: as the model directory says (Normalize module); true/false force it
//   pooling       nullopt: as the model directory says; mean | cls | max
//   max_length    tokens per text including [CLS]/[SEP]; 0: max_seq_length; at most
//                 max_position_embeddings
//   truncate_dim  keep the first d dimensions (Matryoshka-style); 0: all. Normalisation,
//                 when on, happens after truncation, so rows stay unit length
//                 (sentence-transformers' encode(normalize_embeddings=True) does the same).
//   progress      called after each batch with (texts done, total), on the calling thread
//
// The encoder is immutable: share one across threads. Scratch lives in an
// encoder_session (pass one to reuse its memory across calls) or is allocated per call.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/io/json_guard.hpp"
#include "tessera/models/bert.hpp"
#include "tessera/nn/workspace.hpp"
#include "tessera/text/tokenizer_json.hpp"
#include "tessera/text/wordpiece.hpp"

namespace tessera::embed {

enum class pooling_mode { mean, cls, max };

struct encode_options {
    std::size_t batch_size = 32;
    std::optional<bool> normalize = std::nullopt;
    std::optional<pooling_mode> pooling = std::nullopt;
    std::size_t max_length = 0;
    std::size_t truncate_dim = 0;
    std::function<void(std::size_t done, std::size_t total)> progress = nullptr;
};

// What the model directory asks for (sentence-transformers' configuration files).
struct sentence_config {
    pooling_mode pooling = pooling_mode::mean;
    bool normalize = false;
    std::size_t max_seq_length = 0;
};

// Per-caller scratch for encode(): reuse one per thread to avoid reallocating.
struct encoder_session {
    nn::workspace ws;
};

class sentence_encoder {
public:
    static sentence_encoder load(const std::filesystem::path& dir) {
        namespace fs = std::filesystem;
        std::error_code ec;
        require(fs::is_directory(dir, ec), error_kind::io, [&] { return dir.string() + ": not a model directory"; });
        auto model = std::make_shared<const models::bert_model>(models::bert_model::load(dir));
        text::wordpiece_tokenizer tok = load_tokenizer(dir);
        sentence_config sc = read_sentence_config(dir, *model);
        return sentence_encoder(std::move(model), std::move(tok), sc);
    }

    sentence_encoder(std::shared_ptr<const models::bert_model> model, text::wordpiece_tokenizer tokenizer,
                     sentence_config sc)
        : model_(std::move(model)),
          // No padding (batches are packed) and truncation decided per call.
          tokenizer_(tokenizer.with_padding(std::nullopt).with_truncation(std::nullopt)),
          sc_(sc) {
        require(model_ != nullptr, error_kind::invalid_argument, "sentence_encoder: no model");
        require(tokenizer_.vocab_size() <= model_->config().vocab_size, error_kind::inconsistent, [&] {
            return "sentence_encoder: the tokenizer has " + std::to_string(tokenizer_.vocab_size()) +
                   " tokens, the model's vocabulary " + std::to_string(model_->config().vocab_size);
        });
        if (sc_.max_seq_length == 0 || sc_.max_seq_length > model_->max_positions()) sc_.max_seq_length = model_->max_positions();
    }

    std::size_t dim() const noexcept { return model_->hidden_size(); }
    const sentence_config& config() const noexcept { return sc_; }
    const models::bert_model& model() const noexcept { return *model_; }
    const text::wordpiece_tokenizer& tokenizer() const noexcept { return tokenizer_; }

    // Token ids of one text as encode() feeds them to the model ([CLS] … [SEP], truncated).
    std::vector<std::int32_t> tokenize(std::string_view text, std::size_t max_length = 0) const {
        return tokenizer_.with_truncation(text::truncation_params{.max_length = resolve_max_length(max_length)})
            .encode(text)
            .ids;
    }

    template <class Texts>
    tensor<float> encode(const Texts& texts, const encode_options& opt = {}, thread_pool* pool = nullptr) const {
        encoder_session s;
        return encode(texts, opt, pool, s);
    }

    // texts: any range of things convertible to std::string_view. Returns [n, dim'] where
    // dim' = truncate_dim or dim().
    template <class Texts>
    tensor<float> encode(const Texts& texts, const encode_options& opt, thread_pool* pool, encoder_session& session) const {
        std::vector<std::string_view> views;
        views.reserve(std::size(texts));
        for (const auto& t : texts) views.emplace_back(t);
        return encode_views(views, opt, pool, session);
    }

    // One text -> [dim'].
    std::vector<float> encode_one(std::string_view text, const encode_options& opt = {}, thread_pool* pool = nullptr) const {
        const std::string_view one[] = {text};
        tensor<float> e = encode(one, opt, pool);
        return std::vector<float>(e.data(), e.data() + e.numel());
    }

private:
    static text::wordpiece_tokenizer load_tokenizer(const std::filesystem::path& dir) {
        namespace fs = std::filesystem;
        std::error_code ec;
        if (fs::exists(dir / "tokenizer.json", ec)) return text::load_wordpiece_tokenizer_json((dir / "tokenizer.json").string());
        require(fs::exists(dir / "vocab.txt", ec), error_kind::io,
                [&] { return dir.string() + ": neither tokenizer.json nor vocab.txt"; });
        std::optional<std::string> cfg;
        if (fs::exists(dir / "tokenizer_config.json", ec)) cfg = (dir / "tokenizer_config.json").string();
        return text::load_wordpiece_vocab_txt((dir / "vocab.txt").string(), cfg);
    }

    static text::json read_json(const std::filesystem::path& p) {
        const limits lim;
        return text::detail::parse_json_document(text::detail::read_text_file(p.string(), 1u << 20), p.string(), lim);
    }

    static sentence_config read_sentence_config(const std::filesystem::path& dir, const models::bert_model& model) {
        namespace fs = std::filesystem;
        std::error_code ec;
        sentence_config sc;
        fs::path pooling_dir;
        if (fs::exists(dir / "modules.json", ec)) {
            const fs::path where = dir / "modules.json";
            text::json mods = read_json(where);
            const io::dismantle_on_exit release_mods(mods);  // no allocation in its destructor
            require(mods.is_array(), error_kind::malformed, [&] { return where.string() + ": not a JSON array"; });
            bool after_normalize = false;
            for (const auto& m : mods) {
                require(m.is_object() && m.contains("type") && m["type"].is_string(), error_kind::malformed,
                        [&] { return where.string() + ": a module without a \"type\" string"; });
                const std::string type = m["type"].get<std::string>();
                const std::string path = m.contains("path") && m["path"].is_string() ? m["path"].get<std::string>() : "";
                require(!after_normalize, error_kind::unsupported,
                        [&] { return where.string() + ": module " + type + " after Normalize is not supported"; });
                if (type.ends_with("models.Transformer")) continue;
                if (type.ends_with("models.Pooling")) {
                    require(path.find("..") == std::string::npos && !fs::path(path).is_absolute(), error_kind::invalid_data,
                            [&] { return where.string() + ": pooling path \"" + path + "\" leaves the directory"; });
                    pooling_dir = dir / path;
                } else if (type.ends_with("models.Normalize")) {
                    sc.normalize = true;
                    after_normalize = true;
                } else {
                    throw error(error_kind::unsupported, where.string() + ": module " + type + " is not supported");
                }
            }
        } else if (fs::exists(dir / "1_Pooling" / "config.json", ec)) {
            pooling_dir = dir / "1_Pooling";
        }
        if (!pooling_dir.empty() && fs::exists(pooling_dir / "config.json", ec)) {
            const fs::path where = pooling_dir / "config.json";
            text::json pc = read_json(where);
            const io::dismantle_on_exit release_pc(pc);  // no allocation in its destructor
            require(pc.is_object(), error_kind::malformed, [&] { return where.string() + ": not a JSON object"; });
            const auto on = [&](const char* key) {
                const auto it = pc.find(key);
                return it != pc.end() && it->is_boolean() && it->get<bool>();
            };
            if (pc.contains("word_embedding_dimension") && pc["word_embedding_dimension"].is_number_unsigned())
                require(pc["word_embedding_dimension"].get<std::uint64_t>() == model.hidden_size(), error_kind::inconsistent,
                        [&] { return where.string() + ": word_embedding_dimension differs from the model's hidden_size"; });
            for (const char* k : {"pooling_mode_mean_sqrt_len_tokens", "pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken"})
                require(!on(k), error_kind::unsupported, [&] { return where.string() + ": " + k + " is not supported"; });
            const int modes = int(on("pooling_mode_mean_tokens")) + int(on("pooling_mode_cls_token")) + int(on("pooling_mode_max_tokens"));
            require(modes <= 1, error_kind::unsupported,
                    [&] { return where.string() + ": several pooling modes at once (concatenated) are not supported"; });
            sc.pooling = on("pooling_mode_cls_token") ? pooling_mode::cls
                         : on("pooling_mode_max_tokens") ? pooling_mode::max
                                                          : pooling_mode::mean;
        }
        if (fs::exists(dir / "sentence_bert_config.json", ec)) {
            const fs::path where = dir / "sentence_bert_config.json";
            text::json sb = read_json(where);
            const io::dismantle_on_exit release_sb(sb);  // no allocation in its destructor
            require(sb.is_object(), error_kind::malformed, [&] { return where.string() + ": not a JSON object"; });
            if (const auto it = sb.find("max_seq_length"); it != sb.end() && !it->is_null()) {
                require(it->is_number_unsigned() && it->get<std::uint64_t>() >= 2, error_kind::invalid_data,
                        [&] { return where.string() + ": max_seq_length must be an integer >= 2"; });
                sc.max_seq_length = std::size_t(std::min<std::uint64_t>(it->get<std::uint64_t>(), model.max_positions()));
            }
        }
        return sc;
    }

    std::size_t resolve_max_length(std::size_t requested) const {
        const std::size_t m = requested == 0 ? sc_.max_seq_length : requested;
        require(m >= 2 && m <= model_->max_positions(), error_kind::invalid_argument, [&] {
            return "sentence_encoder: max_length " + std::to_string(m) + " must be in 2.." +
                   std::to_string(model_->max_positions());
        });
        return m;
    }

    tensor<float> encode_views(std::span<const std::string_view> texts, const encode_options& opt, thread_pool* pool,
                               encoder_session& session) const {
        const std::size_t n = texts.size(), h = dim();
        const std::size_t out_dim = opt.truncate_dim == 0 ? h : opt.truncate_dim;
        require(out_dim <= h, error_kind::invalid_argument, [&] {
            return "sentence_encoder: truncate_dim " + std::to_string(opt.truncate_dim) + " is over the dimension " + std::to_string(h);
        });
        require(opt.batch_size > 0, error_kind::invalid_argument, "sentence_encoder: batch_size must be positive");
        const pooling_mode mode = opt.pooling.value_or(sc_.pooling);
        const bool normalize = opt.normalize.value_or(sc_.normalize);
        const text::wordpiece_tokenizer tok =
            tokenizer_.with_truncation(text::truncation_params{.max_length = resolve_max_length(opt.max_length)});

        std::vector<std::vector<std::int32_t>> ids(n);
        parallel_for(pool, n, [&](std::size_t i) { ids[i] = tok.encode(texts[i]).ids; });
        // Similar lengths together; stable, so equal lengths keep input order.
        std::vector<std::size_t> order(n);
        std::iota(order.begin(), order.end(), std::size_t(0));
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return ids[a].size() < ids[b].size(); });

        tensor<float> out(shape{n, out_dim});
        std::vector<std::int32_t> batch_ids;
        std::vector<std::size_t> lengths;
        for (std::size_t b0 = 0; b0 < n; b0 += opt.batch_size) {
            const std::size_t b1 = std::min(n, b0 + opt.batch_size);
            batch_ids.clear();
            lengths.clear();
            for (std::size_t j = b0; j < b1; ++j) {
                const auto& seq = ids[order[j]];
                batch_ids.insert(batch_ids.end(), seq.begin(), seq.end());
                lengths.push_back(seq.size());
            }
            nn::workspace::frame f(session.ws);
            tensor_view<float> hidden = session.ws.take(shape{batch_ids.size(), h});  // [Σ len, H]
            model_->forward_packed(batch_ids, {}, lengths, hidden, session.ws, pool);
            std::size_t row = 0;
            for (std::size_t j = b0; j < b1; ++j) {
                const std::size_t len = lengths[j - b0];
                float* dst = out.data() + order[j] * out_dim;
                pool_rows(hidden.data() + row * h, len, h, out_dim, mode, dst);
                if (normalize) normalize_row(dst, out_dim);
                row += len;
            }
            if (opt.progress) opt.progress(b1, n);
        }
        return out;
    }

    // dst[0..d) from the hidden rows [len, h] of one sequence. Mean and max over all tokens
    // ([CLS] and [SEP] included, as sentence-transformers' attention mask has them).
    static void pool_rows(const float* rows, std::size_t len, std::size_t h, std::size_t d, pooling_mode mode,
                          float* dst) noexcept {
        if (len == 0) {
            std::fill_n(dst, d, 0.0f);
            return;
        }
        switch (mode) {
        case pooling_mode::cls: std::copy_n(rows, d, dst); return;
        case pooling_mode::max:
            std::copy_n(rows, d, dst);
            for (std::size_t t = 1; t < len; ++t)
                for (std::size_t c = 0; c < d; ++c) dst[c] = std::max(dst[c], rows[t * h + c]);
            return;
        case pooling_mode::mean:
            std::fill_n(dst, d, 0.0f);
            for (std::size_t t = 0; t < len; ++t)
                for (std::size_t c = 0; c < d; ++c) dst[c] += rows[t * h + c];
            for (std::size_t c = 0; c < d; ++c) dst[c] /= float(len);
            return;
        }
    }

    // torch.nn.functional.normalize: x / max(‖x‖₂, 1e-12).
    static void normalize_row(float* x, std::size_t d) noexcept {
        double ss = 0;
        for (std::size_t c = 0; c < d; ++c) ss += double(x[c]) * double(x[c]);
        const float norm = std::max(float(std::sqrt(ss)), 1e-12f);
        for (std::size_t c = 0; c < d; ++c) x[c] /= norm;
    }

    std::shared_ptr<const models::bert_model> model_;
    text::wordpiece_tokenizer tokenizer_;
    sentence_config sc_;
};

}  // namespace tessera::embed
