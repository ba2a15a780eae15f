#!/usr/bin/env python3
"""Goldens for the WordPiece tokenizer: HF `tokenizers` on the parity corpus with the
all-MiniLM-L6-v2 tokenizer.json.

    pip install tokenizers
    python3 tools/reference/make_tokenizer_corpus.py      # if the corpus changed
    python3 tools/reference/make_wordpiece_goldens.py [--model-dir DIR]

Writes tests/golden/tokenizers/minilm_wordpiece.jsonl, one record per input:
  {"src": "text"|"bytes", "i": index in its corpus file,
   "ids": [...]            encode(x, add_special_tokens=False), no truncation/padding
   "offsets": [[b, e],...] character offsets of those tokens (HF Python offsets)
   "ids_special": [...]    encode(x) with [CLS]/[SEP], no truncation/padding
   "decoded": "..."        decode(ids_special) (skip_special_tokens=True)}
and minilm_wordpiece_config.jsonl: the tokenizer exactly as the file configures it
(truncation 128, padding Fixed 128) for the first 60 inputs, plus 200 pairs with the
file's truncation and no padding: {"a": [i, n], "b": [j, m], "ids", "type_ids",
"attention_mask"}, where a pair input is n (m) consecutive text inputs joined by " ".

Policy: tessera treats special-token text inside user input as literal text by default;
HF recognises it unless encode_special_tokens=True, so that is set here.
Byte inputs are decoded with errors="replace" (one U+FFFD per maximal invalid subpart).
"""
import argparse
import json
import os

from tokenizers import Tokenizer
import tokenizers

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def load_corpus():
    texts = []
    with open(os.path.join(ROOT, "tests", "data", "tokenizer_corpus.jsonl"), encoding="utf-8") as f:
        for line in f:
            texts.append(("text", len(texts), json.loads(line)))
    n = 0
    with open(os.path.join(ROOT, "tests", "data", "tokenizer_corpus_bytes.txt"), encoding="ascii") as f:
        for line in f:
            texts.append(("bytes", n, bytes.fromhex(line.strip()).decode("utf-8", errors="replace")))
            n += 1
    return texts


def main():
    ap = argparse.ArgumentParser()
    default_dir = os.path.join(os.environ.get("TESSERA_MODELS", os.path.expanduser("~/.cache/tessera/models")),
                               "all-MiniLM-L6-v2")
    ap.add_argument("--model-dir", default=default_dir)
    a = ap.parse_args()
    path = os.path.join(a.model_dir, "tokenizer.json")
    configured = Tokenizer.from_file(path)
    configured.encode_special_tokens = True
    plain = Tokenizer.from_file(path)
    plain.encode_special_tokens = True
    plain.no_truncation()
    plain.no_padding()
    corpus = load_corpus()
    out_dir = os.path.join(ROOT, "tests", "golden", "tokenizers")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "minilm_wordpiece.jsonl"), "w", encoding="utf-8") as f:
        f.write(json.dumps({"tokenizers_version": tokenizers.__version__, "tokenizer": "all-MiniLM-L6-v2"}) + "\n")
        for src, i, text in corpus:
            e = plain.encode(text, add_special_tokens=False)
            es = plain.encode(text)
            f.write(json.dumps({"src": src, "i": i, "ids": e.ids, "offsets": [list(o) for o in e.offsets],
                                "ids_special": es.ids, "decoded": plain.decode(es.ids)},
                               ensure_ascii=False, separators=(",", ":")) + "\n")
    configured_pairs = Tokenizer.from_file(path)
    configured_pairs.encode_special_tokens = True
    configured_pairs.no_padding()
    with open(os.path.join(out_dir, "minilm_wordpiece_config.jsonl"), "w", encoding="utf-8") as f:
        texts = [c for c in corpus if c[0] == "text"]
        for src, i, text in texts[:60]:
            e = configured.encode(text)
            f.write(json.dumps({"a": i, "ids": e.ids, "type_ids": e.type_ids,
                                "attention_mask": e.attention_mask}, separators=(",", ":")) + "\n")
        # Pairs: a long input with a short one and both long, to cover every truncation case.
        for k in range(200):
            # "a"/"b": [first index, count]: the inputs joined with one space.
            ia, na = (k * 7) % (len(texts) - 20), 1 + (k % 5) * 4
            ib, nb = (k * 13 + 5) % (len(texts) - 20), 1 + (k % 7) * 3
            ta = " ".join(t[2] for t in texts[ia:ia + na])
            tb = " ".join(t[2] for t in texts[ib:ib + nb])
            e = configured_pairs.encode(ta, tb)
            f.write(json.dumps({"a": [ia, na], "b": [ib, nb], "ids": e.ids, "type_ids": e.type_ids,
                                "attention_mask": e.attention_mask}, separators=(",", ":")) + "\n")
    print(f"wrote goldens for {len(corpus)} inputs (tokenizers {tokenizers.__version__})")


if __name__ == "__main__":
    main()
