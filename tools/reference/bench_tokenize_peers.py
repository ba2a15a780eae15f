#!/usr/bin/env python3
"""Tokenizer throughput beside HF `tokenizers`, in one session, alternating.

Each round runs tessera's bench (build/bin/tessera_bench, tokenize/*/corpus_10MB) and then HF
`tokenizers` on the same texts (the parity corpus repeated to ~10 MB), single thread
(RAYON_NUM_THREADS=1, encode_batch), with the same tokenizer definitions: all-MiniLM-L6-v2's
tokenizer.json (its own truncation and padding included, as tessera applies them) and
SmolLM2's BPE built from its GGUF exactly as tools/reference/make_bpe_goldens.py does.
Prints the median MB/s of each and the ratio tessera / HF.

    pip install tokenizers gguf
    python3 tools/reference/bench_tokenize_peers.py [--rounds 3]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

os.environ["RAYON_NUM_THREADS"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tools", "reference"))
MODELS = os.environ.get("TESSERA_MODELS", os.path.expanduser("~/.cache/tessera/models"))


def corpus_10mb():
    base = [json.loads(l) for l in open(os.path.join(REPO, "tests/data/tokenizer_corpus.jsonl"), encoding="utf-8")
            if l.strip()]
    out, total = [], 0
    while total < (10 << 20):
        for t in base:
            out.append(t)
            total += len(t.encode("utf-8"))
    return out, total


def tessera_round(binary):
    res = subprocess.run([binary, "--benchmark_filter=tokenize/.*/corpus_10MB", "--benchmark_format=json",
                          "--benchmark_min_time=1"], capture_output=True, text=True, check=True)
    data = json.loads(res.stdout[res.stdout.index("{"):])
    return {b["name"].split("/")[1]: b["bytes_per_second"] / 1e6 for b in data["benchmarks"]}


def hf_round(toks, texts, nbytes):
    out = {}
    for name, tok in toks.items():
        t0 = time.perf_counter()
        tok.encode_batch(texts, add_special_tokens=True)
        out[name] = nbytes / (time.perf_counter() - t0) / 1e6
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--binary", default=os.path.join(REPO, "build/bin/tessera_bench"))
    args = ap.parse_args()
    from tokenizers import Tokenizer
    from make_bpe_goldens import smollm2_tokenizer

    wp = Tokenizer.from_file(os.path.join(MODELS, "all-MiniLM-L6-v2/tokenizer.json"))
    bpe, _ = smollm2_tokenizer(os.path.join(MODELS, "SmolLM2-135M-Instruct/SmolLM2-135M-Instruct.Q4_1.gguf"))
    # tessera treats special-token text in user input as literal; so must the peer here.
    bpe.encode_special_tokens = True
    toks = {"wordpiece": wp, "bpe": bpe}
    texts, nbytes = corpus_10mb()
    ours, theirs = {k: [] for k in toks}, {k: [] for k in toks}
    for r in range(args.rounds):
        for k, v in tessera_round(args.binary).items():
            ours[k].append(v)
        for k, v in hf_round(toks, texts, nbytes).items():
            theirs[k].append(v)
        print(f"round {r + 1}: tessera {ours} | HF {theirs}", file=sys.stderr)
    print(f"corpus: {len(texts)} texts, {nbytes / 1e6:.1f} MB, single thread, {args.rounds} rounds (medians)")
    for k in toks:
        a, b = statistics.median(ours[k]), statistics.median(theirs[k])
        print(f"{k:10s} tessera {a:7.1f} MB/s   HF tokenizers {b:7.1f} MB/s   ratio {a / b:.2f}x")


if __name__ == "__main__":
    main()
