#pragma once
// Classification metrics, defined as scikit-learn defines them (sklearn.metrics with
// labels = 0..classes−1 and zero_division = 0), so figures compare one to one:
//   confusion[t, p]   rows are true labels, columns predicted (confusion_matrix)
//   accuracy          correct / n
//   precision_c       TP_c / (TP_c + FP_c)      recall_c = TP_c / (TP_c + FN_c)
//   f1_c              2·TP_c / (2·TP_c + FP_c + FN_c)   (= 2PR/(P+R)); any 0/0 is 0
//   macro             the unweighted mean of the per-class figures, over every class
//                     (macro F1 is the mean of per-class F1, not the F1 of macro P and R)
//   weighted          the mean weighted by support (true count) of each class
//   micro             from the summed TP, FP, FN; for single-label data all three equal accuracy
//
//   auto r = eval::classification_scores(y_true, y_pred, 2);
//   r.accuracy, r.macro.f1, r.per_class[1].recall, r.confusion_at(1, 0)
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tessera/core/error.hpp"

namespace tessera::eval {

struct class_scores {
    double precision = 0;
    double recall = 0;
    double f1 = 0;
    std::size_t support = 0;  // true examples of the class (for averages: all examples)
};

struct classification_report {
    std::size_t classes = 0;
    std::vector<std::size_t> confusion;  // [classes, classes] row-major: [true, predicted]
    double accuracy = 0;
    std::vector<class_scores> per_class;
    class_scores macro, weighted, micro;

    std::size_t confusion_at(std::size_t true_label, std::size_t predicted) const {
        require(true_label < classes && predicted < classes, error_kind::out_of_range, "confusion_at: label out of range");
        return confusion[true_label * classes + predicted];
    }
};

namespace detail {
inline double ratio(std::size_t num, std::size_t den) noexcept { return den == 0 ? 0.0 : double(num) / double(den); }

inline void check_labels(std::span<const std::int32_t> y_true, std::span<const std::int32_t> y_pred, std::size_t classes) {
    require(y_true.size() == y_pred.size(), error_kind::invalid_argument, [&] {
        return "classification metrics: " + std::to_string(y_true.size()) + " true labels but " +
               std::to_string(y_pred.size()) + " predictions";
    });
    require(!y_true.empty(), error_kind::invalid_argument, "classification metrics: no examples");
    require(classes > 0, error_kind::invalid_argument, "classification metrics: no classes");
    for (std::size_t i = 0; i < y_true.size(); ++i)
        require(y_true[i] >= 0 && std::size_t(y_true[i]) < classes && y_pred[i] >= 0 && std::size_t(y_pred[i]) < classes,
                error_kind::out_of_range, [&] {
                    return "classification metrics: example " + std::to_string(i) + " has label " + std::to_string(y_true[i]) +
                           " / prediction " + std::to_string(y_pred[i]) + ", not both in 0.." + std::to_string(classes - 1);
                });
}
}  // namespace detail

inline std::vector<std::size_t> confusion_matrix(std::span<const std::int32_t> y_true, std::span<const std::int32_t> y_pred,
                                                 std::size_t classes) {
    detail::check_labels(y_true, y_pred, classes);
    std::vector<std::size_t> m(classes * classes, 0);
    for (std::size_t i = 0; i < y_true.size(); ++i) ++m[std::size_t(y_true[i]) * classes + std::size_t(y_pred[i])];
    return m;
}

inline double accuracy(std::span<const std::int32_t> y_true, std::span<const std::int32_t> y_pred) {
    require(y_true.size() == y_pred.size() && !y_true.empty(), error_kind::invalid_argument,
            "accuracy: needs as many predictions as labels, and at least one");
    std::size_t correct = 0;
    for (std::size_t i = 0; i < y_true.size(); ++i) correct += y_true[i] == y_pred[i];
    return double(correct) / double(y_true.size());
}

inline classification_report classification_scores(std::span<const std::int32_t> y_true,
                                                    std::span<const std::int32_t> y_pred, std::size_t classes) {
    classification_report r;
    r.classes = classes;
    r.confusion = confusion_matrix(y_true, y_pred, classes);
    const std::size_t n = y_true.size();
    std::size_t tp_sum = 0, fp_sum = 0, fn_sum = 0;
    for (std::size_t c = 0; c < classes; ++c) {
        std::size_t tp = r.confusion[c * classes + c], predicted = 0, actual = 0;
        for (std::size_t j = 0; j < classes; ++j) {
            predicted += r.confusion[j * classes + c];
            actual += r.confusion[c * classes + j];
        }
        const std::size_t fp = predicted - tp, fn = actual - tp;
        r.per_class.push_back({detail::ratio(tp, predicted), detail::ratio(tp, actual), detail::ratio(2 * tp, 2 * tp + fp + fn), actual});
        tp_sum += tp;
        fp_sum += fp;
        fn_sum += fn;
    }
    r.accuracy = detail::ratio(tp_sum, n);
    for (const auto& s : r.per_class) {
        r.macro.precision += s.precision / double(classes);
        r.macro.recall += s.recall / double(classes);
        r.macro.f1 += s.f1 / double(classes);
        r.weighted.precision += s.precision * double(s.support) / double(n);
        r.weighted.recall += s.recall * double(s.support) / double(n);
        r.weighted.f1 += s.f1 * double(s.support) / double(n);
    }
    r.macro.support = r.weighted.support = r.micro.support = n;
    r.micro.precision = detail::ratio(tp_sum, tp_sum + fp_sum);
    r.micro.recall = detail::ratio(tp_sum, tp_sum + fn_sum);
    r.micro.f1 = detail::ratio(2 * tp_sum, 2 * tp_sum + fp_sum + fn_sum);
    return r;
}

}  // namespace tessera::eval
