#!/usr/bin/env python3
"""Golden figures for tessera's eval/ metrics (issue 9), computed with scikit-learn.

Writes tests/golden/eval/metrics.json: seeded random inputs and what sklearn.metrics says
about them, which tests/test_eval.cpp recomputes with eval/classification.hpp,
eval/regression.hpp and eval/retrieval.hpp.

  classification  accuracy_score, confusion_matrix, precision_recall_fscore_support
                  (average=None / "macro" / "micro" / "weighted", labels=0..C-1,
                  zero_division=0). One case leaves a class never predicted and one class
                  absent from the truth, so the 0/0 rules are exercised.
  regression      mean_squared_error, mean_absolute_error
  retrieval       per query and k: ndcg_score (linear gain) on graded relevance 0..3, on
                  2^rel - 1 (the exponential gain), and on binary relevance (rel > 0);
                  Recall@k and MRR@k written out here in numpy (sklearn has no such
                  per-query metrics). Scores are continuous, so the ranking has no ties.

Environment: python3 with numpy and scikit-learn (python3 -m pip install --user scikit-learn).
    python3 tools/reference/make_eval_goldens.py
"""
import json
import os

import numpy as np
import sklearn
from sklearn import metrics

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, "tests", "golden", "eval", "metrics.json")


def classification_case(name, y_true, y_pred, classes):
    labels = list(range(classes))
    p, r, f, s = metrics.precision_recall_fscore_support(y_true, y_pred, labels=labels, average=None, zero_division=0)
    case = {
        "name": name,
        "classes": classes,
        "y_true": [int(v) for v in y_true],
        "y_pred": [int(v) for v in y_pred],
        "accuracy": metrics.accuracy_score(y_true, y_pred),
        "confusion": metrics.confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        "per_class": {"precision": p.tolist(), "recall": r.tolist(), "f1": f.tolist(), "support": s.tolist()},
    }
    for avg in ("macro", "micro", "weighted"):
        ap, ar, af, _ = metrics.precision_recall_fscore_support(y_true, y_pred, labels=labels, average=avg, zero_division=0)
        case[avg] = {"precision": ap, "recall": ar, "f1": af}
    return case


def main():
    rng = np.random.default_rng(20261129)
    cls = []
    y_true = rng.integers(0, 4, 60)
    y_pred = np.where(rng.random(60) < 0.6, y_true, rng.integers(0, 4, 60))
    cls.append(classification_case("four_classes", y_true, y_pred, 4))
    y_true = rng.integers(0, 2, 40)
    y_pred = np.where(rng.random(40) < 0.75, y_true, 1 - y_true)
    cls.append(classification_case("binary", y_true, y_pred, 2))
    # class 2 never predicted, class 3 never true: zero-division rules
    y_true = rng.integers(0, 3, 30)
    y_pred = rng.choice([0, 1, 3], 30)
    cls.append(classification_case("zero_division", y_true, y_pred, 4))

    t = np.round(rng.normal(size=30) * 3, 4)
    p = np.round(t + rng.normal(size=30), 4)
    reg = {"y_true": t.tolist(), "y_pred": p.tolist(),
           "mse": metrics.mean_squared_error(t, p), "mae": metrics.mean_absolute_error(t, p)}

    n_docs, ks = 20, [1, 3, 5, 10, 20]
    queries = []
    for q in range(8):
        rel = rng.choice([0, 0, 0, 1, 2, 3], n_docs)
        if q == 0:
            rel[:] = 0  # nothing relevant: every metric is 0
        scores = rng.random(n_docs)
        ranked = [int(i) for i in np.argsort(-scores, kind="stable")]
        entry = {"relevance": rel.tolist(), "ranked": ranked, "k": ks,
                 "ndcg_linear": [], "ndcg_exponential": [], "ndcg_binary": [], "recall": [], "mrr": []}
        binary = (rel > 0).astype(float)
        relevant = set(np.flatnonzero(binary).tolist())
        for k in ks:
            entry["ndcg_linear"].append(metrics.ndcg_score([rel], [scores], k=k))
            entry["ndcg_exponential"].append(metrics.ndcg_score([np.exp2(rel) - 1], [scores], k=k))
            entry["ndcg_binary"].append(metrics.ndcg_score([binary], [scores], k=k))
            hits = [d for d in ranked[:k] if d in relevant]
            entry["recall"].append(len(hits) / len(relevant) if relevant else 0.0)
            first = next((i for i, d in enumerate(ranked[:k]) if d in relevant), None)
            entry["mrr"].append(0.0 if first is None else 1.0 / (first + 1))
        queries.append(entry)

    out = {"generator": "tools/reference/make_eval_goldens.py", "sklearn": sklearn.__version__, "numpy": np.__version__,
           "classification": cls, "regression": reg, "retrieval": queries}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
