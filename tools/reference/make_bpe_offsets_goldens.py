#!/usr/bin/env python3
"""Golden token offsets for tessera's BPE tokenizers (text/bpe_offsets.hpp, tests/test_bpe.cpp).

Reference: HF `tokenizers` (Rust, via Python). Needs `pip install tokenizers gguf`.
Writes tests/golden/tokenizers/bpe_offsets.jsonl, one row per (tokenizer, input):

  {"tokenizer": "smollm2" | "small_gpt2" | "small_llama3" | "small_smollm",
   "text": ... or "hex": ... (invalid UTF-8 inputs, as raw bytes),
   "ids": [...], "offsets": [b0, e0, b1, e1, ...],                     # special-token text literal
   "ids_special": [...], "offsets_special": [...]}                     # parsed; only where different

Both modes add the tokenizer's special tokens (add_special_tokens=True). Offsets are BYTE
offsets into the input as tessera's caller passes it: HF's Python binding reports character
offsets into the (for invalid UTF-8: U+FFFD-replaced) string; they are converted here, each
character to its UTF-8 bytes and each U+FFFD that replaced an invalid subpart to that subpart's
bytes. (HF's Rust core holds these byte offsets; the binding converts them to characters.)

Tokenizers: SmolLM2-135M-Instruct as make_bpe_goldens.py builds it from the GGUF, on its BPE
inputs, every third line of the parity corpus (a smaller file; the ids of every line are
checked against smollm2_ids.jsonl) and the invalid-UTF-8 inputs; the three small committed tokenizer.json files (tests/golden/tokenizers/
bpe_small_*.json, trained by make_bpe_goldens.py) on its BPE inputs and the invalid-UTF-8 ones.

Usage: python3 tools/reference/make_bpe_offsets_goldens.py [--gguf PATH]
"""
import argparse
import codecs
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_bpe_goldens as bpe  # noqa: E402

_spans = []


def _record(e):
    _spans.append((e.start, e.end))
    return ("\ufffd", e.end)


codecs.register_error("tessera_record", _record)


def decode_with_map(raw):
    """The U+FFFD-replaced text of `raw` and the byte position of each character boundary."""
    _spans.clear()
    text = raw.decode("utf-8", errors="tessera_record")
    starts = dict(_spans)
    pos = [0]
    for ch in text:
        b = pos[-1]
        pos.append(starts[b] if (ch == "\ufffd" and b in starts) else b + len(ch.encode("utf-8")))
    assert pos[-1] == len(raw)
    return text, pos


def encode(tok, text, pos, literal):
    tok.encode_special_tokens = literal
    e = tok.encode(text, add_special_tokens=True)
    tok.encode_special_tokens = False
    flat = []
    for (b, end) in e.offsets:
        flat += [pos[b], pos[end]]
    return e.ids, flat


def row(name, tok, key, value, raw):
    text, pos = decode_with_map(raw)
    ids, offs = encode(tok, text, pos, True)
    r = {"tokenizer": name, key: value, "ids": ids, "offsets": offs}
    ids_s, offs_s = encode(tok, text, pos, False)
    if ids_s != ids:
        r["ids_special"], r["offsets_special"] = ids_s, offs_s
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gguf", default=bpe.DEFAULT_GGUF)
    args = ap.parse_args()
    from tokenizers import Tokenizer

    corpus, raw = bpe.read_corpus()
    inputs = list(dict.fromkeys(bpe.EXTRA_INPUTS + corpus[::3]))
    rows = []
    smol, _ = bpe.smollm2_tokenizer(args.gguf)
    for text in inputs:
        rows.append(row("smollm2", smol, "text", text, text.encode("utf-8")))
    for b in raw:
        rows.append(row("smollm2", smol, "hex", b.hex(), b))
    for name in ("gpt2", "llama3", "smollm"):
        tok = Tokenizer.from_file(os.path.join(bpe.OUT, f"bpe_small_{name}.json"))
        for text in dict.fromkeys(bpe.EXTRA_INPUTS):
            rows.append(row("small_" + name, tok, "text", text, text.encode("utf-8")))
        for b in raw:
            rows.append(row("small_" + name, tok, "hex", b.hex(), b))
    out = os.path.join(bpe.OUT, "bpe_offsets.jsonl")
    with open(out, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"wrote {out}: {len(rows)} rows", file=sys.stderr)


if __name__ == "__main__":
    main()
