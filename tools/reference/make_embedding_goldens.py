#!/usr/bin/env python3
"""Golden outputs for tessera's BERT encoder and sentence encoder (issue 5 item 4, issue 6).

Writes tests/golden/embed/:
  sentences.json   manifest: the texts, the reference versions, dim, and where each
                   embedding lies in sentences.bin (row i = texts[i])
  sentences.bin    float32 little-endian [n, 384]: sentence-transformers' encode() of
                   all-MiniLM-L6-v2 (Transformer -> mean Pooling -> Normalize, max_seq_length
                   256 from sentence_bert_config.json), one sentence at a time
  queries.json     for every query of data/queries.jsonl: the top-10 product ids over
                   data/catalog.jsonl and their scores, as examples/recommend ranks them
                   (each product embedded twice, English text and Chinese text; a product
                   scores max(cos(q, en), cos(q, zh)); the query's filter applied first)
  tiny_bert/       a random-weight transformers BertModel (fixed seed, 2 layers, hidden 32)
                   as config.json + model.safetensors, and io.json with padded inputs and
                   the reference last_hidden_state, so the BERT forward is checked without
                   the real model

Reference environment (CI does not need it; the goldens are committed):
    /usr/bin/python3 -m venv --system-site-packages /opt/tessera-ref   # Debian python3-torch 1.13
    /opt/tessera-ref/bin/pip install "transformers==4.47.0" "sentence-transformers==2.7.0" "numpy<2"
    /opt/tessera-ref/bin/python tools/reference/make_embedding_goldens.py [--model DIR]
sentence-transformers 2.7.0 runs on torch 1.13 with transformers 4.47, so the reference is
sentence-transformers itself, not a re-implementation of its pipeline.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, "tests", "golden", "embed")
sys.path.insert(0, os.path.join(ROOT, "tools", "data"))
from build_sample_data import matches  # noqa: E402  (the data's own filter semantics)


def default_model_dir():
    base = os.environ.get("TESSERA_MODELS") or os.path.expanduser("~/.cache/tessera/models")
    return os.path.join(base, "all-MiniLM-L6-v2")


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# The two texts examples/recommend embeds per product (embed/product_catalog.hpp).
def product_text_en(p):
    return p["title_en"] + ". " + p["description_en"]


def product_text_zh(p):
    return p["title_zh"] + "。" + p["description_zh"]


def pick_sentences():
    """>= 500 sentences: shop data (zh, en, mixed) and a spread of the tokenizer corpus."""
    data = os.path.join(ROOT, "data")
    out = []
    out += [q["query"] for q in read_jsonl(os.path.join(data, "queries.jsonl"))]
    out += [q["question"] for q in read_jsonl(os.path.join(data, "reply_questions.jsonl"))]
    out += [k["title"] + " " + k["text"] for k in read_jsonl(os.path.join(data, "shop_knowledge.jsonl"))]
    catalog = read_jsonl(os.path.join(data, "catalog.jsonl"))
    out += [product_text_en(p) for p in catalog[::2]]
    out += [product_text_zh(p) for p in catalog[1::2]]
    corpus = read_jsonl(os.path.join(ROOT, "tests", "data", "tokenizer_corpus.jsonl"))
    spread = corpus[::16]
    longest = sorted(corpus, key=len, reverse=True)[:12]  # past 256 tokens: truncation
    seen = set()
    result = []
    for s in out + spread + longest + ["", " ", "a", "中"]:
        if s not in seen:
            seen.add(s)
            result.append(s)
    return result


def sentence_goldens(model, sentences):
    # One sentence per call: the reference is free of any batching or padding effect.
    rows = [model.encode([s], convert_to_numpy=True)[0] for s in sentences]
    return np.stack(rows).astype("<f4")


def query_goldens(model):
    data = os.path.join(ROOT, "data")
    catalog = read_jsonl(os.path.join(data, "catalog.jsonl"))
    queries = read_jsonl(os.path.join(data, "queries.jsonl"))
    e_en = model.encode([product_text_en(p) for p in catalog], batch_size=1)
    e_zh = model.encode([product_text_zh(p) for p in catalog], batch_size=1)
    e_q = model.encode([q["query"] for q in queries], batch_size=1)
    scores = np.maximum(e_q @ e_en.T, e_q @ e_zh.T)
    out = []
    for qi, q in enumerate(queries):
        allowed = [j for j, p in enumerate(catalog) if not q.get("filter") or matches(q["filter"], p)]
        ranked = sorted(allowed, key=lambda j: (-float(scores[qi, j]), j))[:10]
        out.append({"query": q["query"], "filter": q.get("filter", ""),
                    "top10": [catalog[j]["id"] for j in ranked],
                    "scores": [round(float(scores[qi, j]), 7) for j in ranked]})
    return out


def tiny_bert():
    from safetensors.torch import save_file
    from transformers import BertConfig, BertModel

    torch.manual_seed(1234)
    cfg = BertConfig(vocab_size=64, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                     intermediate_size=64, max_position_embeddings=40, type_vocab_size=2,
                     layer_norm_eps=1e-12, hidden_act="gelu", hidden_dropout_prob=0.0,
                     attention_probs_dropout_prob=0.0, pad_token_id=0)
    model = BertModel(cfg, add_pooling_layer=True).eval()
    with torch.no_grad():  # larger than the default init so every layer matters
        for p in model.parameters():
            p.copy_(torch.randn_like(p) * 0.3)
    d = os.path.join(OUT, "tiny_bert")
    os.makedirs(d, exist_ok=True)
    config = cfg.to_dict()
    config["architectures"] = ["BertModel"]
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump({k: config[k] for k in sorted(config) if not k.startswith("_")}, f, indent=1)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, os.path.join(d, "model.safetensors"))

    g = torch.Generator().manual_seed(99)
    lengths = [7, 12, 3, 1]
    seq = max(lengths)
    ids = torch.randint(1, 64, (len(lengths), seq), generator=g)
    types = torch.randint(0, 2, (len(lengths), seq), generator=g)
    mask = torch.zeros(len(lengths), seq, dtype=torch.long)
    for b, n in enumerate(lengths):
        mask[b, :n] = 1
        ids[b, n:] = 0
        types[b, n:] = 0
    with torch.no_grad():
        hidden = model(input_ids=ids, attention_mask=mask, token_type_ids=types).last_hidden_state
    with open(os.path.join(d, "io.json"), "w") as f:
        json.dump({"torch": torch.__version__, "seed": 1234, "lengths": lengths,
                   "input_ids": ids.tolist(), "token_type_ids": types.tolist(), "attention_mask": mask.tolist(),
                   "last_hidden_state": [[[float(x) for x in r] for r in s] for s in hidden.tolist()]}, f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=default_model_dir())
    args = ap.parse_args()
    import sentence_transformers
    import transformers
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(2)
    os.makedirs(OUT, exist_ok=True)
    tiny_bert()
    model = SentenceTransformer(args.model, device="cpu")
    sentences = pick_sentences()
    emb = sentence_goldens(model, sentences)
    emb.tofile(os.path.join(OUT, "sentences.bin"))
    with open(os.path.join(OUT, "sentences.json"), "w", encoding="utf-8") as f:
        json.dump({"model": "all-MiniLM-L6-v2", "dim": int(emb.shape[1]), "count": len(sentences),
                   "dtype": "float32-le", "max_seq_length": model.max_seq_length,
                   "versions": {"sentence-transformers": sentence_transformers.__version__,
                                "transformers": transformers.__version__, "torch": torch.__version__},
                   "texts": sentences}, f, ensure_ascii=False, indent=0)
    with open(os.path.join(OUT, "queries.json"), "w", encoding="utf-8") as f:
        json.dump({"model": "all-MiniLM-L6-v2", "scheme": "max(cos(q, en text), cos(q, zh text)), filter first",
                   "queries": query_goldens(model)}, f, ensure_ascii=False, indent=0)
    print(f"wrote {len(sentences)} sentence embeddings and {OUT}/queries.json")


if __name__ == "__main__":
    main()
