#!/usr/bin/env python3
"""Retrieval for the reply app (include/tessera/apps/knowledge.hpp), measured with the
reference encoder: which passage views find the passages that answer data/reply_questions.jsonl,
and which hand-off threshold separates answerable from unanswerable questions.

    /opt/tessera-ref/bin/python tools/reference/eval_reply_retrieval.py [MODEL_DIR]

Prints hit@1 / hit@3 (a top passage is one of the expected ones) over the answerable
questions, and the threshold with the best balanced accuracy (answerable kept, unanswerable
handed off) for each way of embedding a passage.
"""
import collections
import json
import math
import os
import re
import sys

import numpy as np
from sentence_transformers import SentenceTransformer

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
model_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.environ.get("TESSERA_MODELS", os.path.expanduser("~/.cache/tessera/models")), "all-MiniLM-L6-v2")
m = SentenceTransformer(model_dir, device="cpu")
kb = [json.loads(l) for l in open(os.path.join(root, "data/shop_knowledge.jsonl"), encoding="utf-8")]
qs = [json.loads(l) for l in open(os.path.join(root, "data/reply_questions.jsonl"), encoding="utf-8")]
Q = m.encode([q["question"] for q in qs], normalize_embeddings=True)


def enc(texts):
    return m.encode(texts, normalize_embeddings=True)


def split_sentences(s):
    # The same rule as apps::split_sentences: after 。！？!? and after '.' before a space or the end.
    return [x.strip() for x in re.split(r"(?<=[。！？\n])|(?<=[.!?])(?= |$)", s) if x and x.strip()]


def max_over_views(views):
    texts, owner = [], []
    for j, vs in enumerate(views):
        texts += vs
        owner += [j] * len(vs)
    S = Q @ enc(texts).T
    out = np.full((len(qs), len(kb)), -1.0)
    for c, j in enumerate(owner):
        out[:, j] = np.maximum(out[:, j], S[:, c])
    return out


def report(name, S):
    ins, outs, h1, h3, n = [], [], 0, 0, 0
    for i, q in enumerate(qs):
        order = np.argsort(-S[i], kind="stable")
        top = [kb[j]["id"] for j in order[:3]]
        if q["expected_kb"]:
            n += 1
            ins.append(S[i, order[0]])
            h1 += top[0] in q["expected_kb"]
            h3 += any(t in q["expected_kb"] for t in top)
        else:
            outs.append(S[i, order[0]])
    ins, outs = np.array(ins), np.array(outs)
    acc, thr = max(((np.mean(ins >= t) + np.mean(outs < t)) / 2, t) for t in np.arange(0.30, 0.80, 0.01))
    print(f"{name:24s} hit@1 {h1 / n:.3f} hit@3 {h3 / n:.3f}  threshold {thr:.2f}: answerable kept "
          f"{np.mean(ins >= thr):.2f}, unanswerable handed off {np.mean(outs < thr):.2f}")


STOP = set("a an and are at be by can do does for from has have how i if in is it me my no not of on or our "
           "the this that to we what when will with you your".split())


STOP_ZH = {"可以", "你们", "我们", "什么", "怎么", "如何", "是否", "请问", "一下", "这个", "那个", "还能", "能不", "不能"}


def terms(s):
    # The same rule as search::lexical_terms: ASCII words minus STOP, CJK runs as bigrams.
    out = []
    for run in re.findall(r"[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]+|[A-Za-z0-9]+", s):
        if run[0].isascii():
            if run.lower() not in STOP:
                out.append(run.lower())
        else:
            out += [b for b in (run[i:i + 2] for i in range(len(run) - 1)) if b not in STOP_ZH] if len(run) > 1 else [run]
    return out


def bm25_matrix():
    docs = [terms(k["title"] + " " + k["text"]) for k in kb]
    n, avg = len(docs), sum(map(len, docs)) / len(docs)
    df = collections.Counter(t for d in docs for t in set(d))
    out = np.zeros((len(qs), n))
    for i, q in enumerate(qs):
        for t in dict.fromkeys(terms(q["question"])):
            if t not in df:
                continue
            idf = math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5))
            for j, d in enumerate(docs):
                tf = d.count(t)
                if tf:
                    out[i, j] += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * len(d) / avg))
    return out


report("text", Q @ enc([k["text"] for k in kb]).T)
report("title. text", Q @ enc([k["title"] + ". " + k["text"] for k in kb]).T)
views = max_over_views([[k["title"] + ". " + k["text"]] + (
    split_sentences(k["text"]) if len(split_sentences(k["text"])) > 1 else []) for k in kb])
report("views", views)
B = bm25_matrix()
report("BM25", B)
report("views + 0.05 BM25 (tessera)", views + 0.05 * B)
