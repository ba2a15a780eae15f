// eval/: classification, regression and retrieval metrics.
//  * hand-computed values on small inputs (the arithmetic is in the comments);
//  * scikit-learn's figures on seeded random inputs (tests/golden/eval/metrics.json, from
//    tools/reference/make_eval_goldens.py): accuracy, confusion matrix, per-class / macro /
//    micro / weighted precision, recall and F1 (zero_division = 0), MSE, MAE, and NDCG@k
//    (linear and exponential gain, graded and binary) with Recall@k and MRR@k per query;
//  * bad input is a tessera::error (mismatched lengths, labels out of range, k = 0,
//    duplicates in a ranking or in the judgments).
// Tolerance 1e-12: both sides compute in double from the same integers or decimals; only the
// summation order may differ.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tessera/eval/classification.hpp"
#include "tessera/eval/regression.hpp"
#include "tessera/eval/retrieval.hpp"

namespace fs = std::filesystem;
using namespace tessera;

namespace {

const fs::path golden_file = fs::path(__FILE__).parent_path() / "golden" / "eval" / "metrics.json";

nlohmann::json golden() {
    std::ifstream in(golden_file);
    REQUIRE_MESSAGE(in.good(), "missing " << golden_file.string());
    return nlohmann::json::parse(in);
}

void check_close(double got, double want) { CHECK(got == doctest::Approx(want).epsilon(1e-12)); }

}  // namespace

TEST_CASE("classification metrics by hand") {
    // true 0 0 1 1 1 2, predicted 0 1 1 1 0 2:
    // confusion [[1,1,0],[1,2,0],[0,0,1]]; accuracy 4/6
    // class 0: TP 1, predicted 2, true 2 -> P = R = F1 = 1/2
    // class 1: TP 2, predicted 3, true 3 -> P = R = F1 = 2/3
    // class 2: TP 1, predicted 1, true 1 -> 1
    // macro F1 = (1/2 + 2/3 + 1)/3 = 13/18; weighted F1 = (2·1/2 + 3·2/3 + 1)/6 = 4/6; micro = accuracy
    const std::vector<std::int32_t> t{0, 0, 1, 1, 1, 2}, p{0, 1, 1, 1, 0, 2};
    const auto r = eval::classification_scores(t, p, 3);
    CHECK(r.confusion == std::vector<std::size_t>{1, 1, 0, 1, 2, 0, 0, 0, 1});
    CHECK(r.confusion_at(1, 0) == 1);
    check_close(r.accuracy, 4.0 / 6);
    check_close(eval::accuracy(t, p), 4.0 / 6);
    check_close(r.per_class[0].precision, 0.5);
    check_close(r.per_class[1].recall, 2.0 / 3);
    check_close(r.per_class[2].f1, 1.0);
    CHECK(r.per_class[1].support == 3);
    check_close(r.macro.f1, 13.0 / 18);
    check_close(r.weighted.f1, 4.0 / 6);
    check_close(r.micro.precision, 4.0 / 6);
    check_close(r.micro.f1, 4.0 / 6);
}

TEST_CASE("classification metrics match scikit-learn") {
    const auto g = golden();
    for (const auto& c : g["classification"]) {
        CAPTURE(c["name"].get<std::string>());
        const auto t = c["y_true"].get<std::vector<std::int32_t>>();
        const auto p = c["y_pred"].get<std::vector<std::int32_t>>();
        const std::size_t classes = c["classes"];
        const auto r = eval::classification_scores(t, p, classes);
        check_close(r.accuracy, c["accuracy"]);
        for (std::size_t i = 0; i < classes; ++i) {
            for (std::size_t j = 0; j < classes; ++j) CHECK(r.confusion_at(i, j) == c["confusion"][i][j].get<std::size_t>());
            check_close(r.per_class[i].precision, c["per_class"]["precision"][i]);
            check_close(r.per_class[i].recall, c["per_class"]["recall"][i]);
            check_close(r.per_class[i].f1, c["per_class"]["f1"][i]);
            CHECK(r.per_class[i].support == c["per_class"]["support"][i].get<std::size_t>());
        }
        const std::pair<const char*, const eval::class_scores*> avgs[] = {{"macro", &r.macro}, {"micro", &r.micro}, {"weighted", &r.weighted}};
        for (const auto& avg : avgs) {
            const char* name = avg.first;
            const eval::class_scores* s = avg.second;
            CAPTURE(std::string(name));
            check_close(s->precision, c[name]["precision"]);
            check_close(s->recall, c[name]["recall"]);
            check_close(s->f1, c[name]["f1"]);
        }
    }
}

TEST_CASE("classification metrics reject bad input") {
    const std::vector<std::int32_t> a{0, 1, 1}, b{0, 1}, bad{0, 2, 1}, neg{0, -1, 1}, none;
    CHECK_THROWS_AS(eval::classification_scores(a, b, 2), tessera::error);
    CHECK_THROWS_AS(eval::classification_scores(a, bad, 2), tessera::error);
    CHECK_THROWS_AS(eval::confusion_matrix(neg, a, 2), tessera::error);
    CHECK_THROWS_AS(eval::classification_scores(none, none, 2), tessera::error);
    CHECK_THROWS_AS(eval::accuracy(a, b), tessera::error);
    try {
        (void)eval::classification_scores(a, bad, 2);
    } catch (const tessera::error& e) {
        CHECK(e.kind() == error_kind::out_of_range);
    }
}

TEST_CASE("regression metrics") {
    // errors 0.5, 0, -1: MSE (0.25 + 0 + 1)/3 = 5/12, MAE 1.5/3 = 1/2
    const std::vector<double> t{1, 2, 3}, p{1.5, 2, 2};
    check_close(eval::mean_squared_error(t, p), 5.0 / 12);
    check_close(eval::mean_absolute_error(t, p), 0.5);
    const std::vector<float> tf{1, 2, 3}, pf{1.5f, 2, 2};
    check_close(eval::mean_squared_error(tf, pf), 5.0 / 12);
    CHECK_THROWS_AS(eval::mean_absolute_error(t, std::vector<double>{1, 2}), tessera::error);

    const auto g = golden()["regression"];
    const auto gt = g["y_true"].get<std::vector<double>>(), gp = g["y_pred"].get<std::vector<double>>();
    check_close(eval::mean_squared_error(gt, gp), g["mse"]);
    check_close(eval::mean_absolute_error(gt, gp), g["mae"]);
}

TEST_CASE("retrieval metrics by hand") {
    // ranked 5 3 9 1, relevant {3, 1, 7}: hits at ranks 2 and 4 (1-based)
    // recall@2 = 1/3, recall@4 = 2/3; MRR@1 = 0, MRR@2 = 1/2
    // NDCG@4 = (1/log2 3 + 1/log2 5) / (1 + 1/log2 3 + 1/log2 4)
    const std::vector<std::size_t> ranked{5, 3, 9, 1}, rel{3, 1, 7};
    check_close(eval::recall_at_k<std::size_t>(ranked, rel, 2), 1.0 / 3);
    check_close(eval::recall_at_k<std::size_t>(ranked, rel, 4), 2.0 / 3);
    check_close(eval::recall_at_k<std::size_t>(ranked, rel, 100), 2.0 / 3);  // a short list is fine
    check_close(eval::mrr_at_k<std::size_t>(ranked, rel, 1), 0.0);
    check_close(eval::mrr_at_k<std::size_t>(ranked, rel, 2), 0.5);
    const double want = (1 / std::log2(3.0) + 1 / std::log2(5.0)) / (1 + 1 / std::log2(3.0) + 0.5);
    check_close(eval::ndcg_at_k<std::size_t>(ranked, rel, 4), want);
    // graded: gains 3 -> 2, 1 -> 1, 7 -> 3; linear DCG@2 = 2/log2 3; IDCG@2 = 3 + 2/log2 3
    const std::vector<std::pair<std::size_t, double>> graded{{3, 2}, {1, 1}, {7, 3}};
    check_close(eval::ndcg_at_k<std::size_t>(ranked, graded, 2), (2 / std::log2(3.0)) / (3 + 2 / std::log2(3.0)));
    // exponential: gains 3, 1, 7 -> DCG@2 = 3/log2 3, IDCG@2 = 7 + 3/log2 3
    check_close(eval::ndcg_at_k<std::size_t>(ranked, graded, 2, eval::ndcg_gain::exponential),
                (3 / std::log2(3.0)) / (7 + 3 / std::log2(3.0)));
    // nothing relevant: 0 everywhere
    const std::vector<std::size_t> nothing;
    CHECK(eval::recall_at_k<std::size_t>(ranked, nothing, 3) == 0.0);
    CHECK(eval::ndcg_at_k<std::size_t>(ranked, nothing, 3) == 0.0);
    // ids need only operator<: strings work
    const std::vector<std::string> rs{"b", "a"}, rels{"a"};
    check_close(eval::mrr_at_k<std::string>(rs, rels, 5), 0.5);

    CHECK_THROWS_AS(eval::recall_at_k<std::size_t>(ranked, rel, 0), tessera::error);
    CHECK_THROWS_AS(eval::mrr_at_k<std::size_t>(std::vector<std::size_t>{1, 2, 1}, rel, 3), tessera::error);
    CHECK_THROWS_AS(eval::recall_at_k<std::size_t>(ranked, std::vector<std::size_t>{3, 3}, 3), tessera::error);
    const std::vector<std::pair<std::size_t, double>> twice{{3, 1}, {3, 2}}, negative{{3, -1}};
    CHECK_THROWS_AS(eval::ndcg_at_k<std::size_t>(ranked, twice, 3), tessera::error);
    CHECK_THROWS_AS(eval::ndcg_at_k<std::size_t>(ranked, negative, 3), tessera::error);
}

TEST_CASE("retrieval metrics match scikit-learn's ndcg_score") {
    const auto g = golden();
    std::size_t q = 0;
    for (const auto& query : g["retrieval"]) {
        CAPTURE(q);
        const auto rel = query["relevance"].get<std::vector<int>>();
        const auto ranked = query["ranked"].get<std::vector<std::size_t>>();
        std::vector<std::pair<std::size_t, double>> graded;
        std::vector<std::size_t> relevant;
        for (std::size_t d = 0; d < rel.size(); ++d) {
            graded.emplace_back(d, double(rel[d]));  // zero gains too: they must not change anything
            if (rel[d] > 0) relevant.push_back(d);
        }
        const auto ks = query["k"].get<std::vector<std::size_t>>();
        for (std::size_t i = 0; i < ks.size(); ++i) {
            const std::size_t k = ks[i];
            CAPTURE(k);
            check_close(eval::ndcg_at_k<std::size_t>(ranked, graded, k), query["ndcg_linear"][i]);
            check_close(eval::ndcg_at_k<std::size_t>(ranked, graded, k, eval::ndcg_gain::exponential), query["ndcg_exponential"][i]);
            check_close(eval::ndcg_at_k<std::size_t>(ranked, relevant, k), query["ndcg_binary"][i]);
            check_close(eval::recall_at_k<std::size_t>(ranked, relevant, k), query["recall"][i]);
            check_close(eval::mrr_at_k<std::size_t>(ranked, relevant, k), query["mrr"][i]);
        }
        ++q;
    }
    CHECK(q == 8);
}
