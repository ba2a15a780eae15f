#!/usr/bin/env python3
"""Gemma 3 270M (Q4_K_M GGUF): `tessera generate` vs llama.cpp (llama-cpp-python), same file,
same thread count, run alternately.

Prompt: the long prompt of tests/golden/gemma3_logits.json (shop passages + a Chinese
question, 622 tokens with BOS: longer than the 512-token sliding window). Each round runs
  tessera:   build/bin/tessera generate --model FILE --prompt TEXT --max-new-tokens N
             --threads T --json   (prompt_tokens / prompt_ms, and (ids − 1) / gen_ms: the first
             id comes from the prompt's logits)
  llama.cpp: Llama(model_path, n_ctx=1024, n_threads=T, n_threads_batch=T): eval(prompt ids)
             timed, then N − 1 greedy tokens one eval each, timed
and prints every round and the medians (tokens per second) with the ratios tessera / llama.cpp.

Run: /opt/tessera-ref/bin/python tools/reference/bench_gemma_peers.py [--threads 1 2] [--rounds 5]
"""
import argparse
import json
import os
import statistics
import subprocess
import time

import numpy as np
import llama_cpp

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def default_model():
    base = os.environ.get("TESSERA_MODELS", os.path.expanduser("~/.cache/tessera/models"))
    return os.path.join(base, "gemma-3-270m", "gemma-3-270m-q4_k_m.gguf")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=default_model())
    ap.add_argument("--tessera", default=os.path.join(ROOT, "build", "bin", "tessera"))
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--new-tokens", type=int, default=128)
    args = ap.parse_args()
    text = json.load(open(os.path.join(ROOT, "tests", "golden", "gemma3_logits.json"), encoding="utf-8"))["prompts"][-1]["text"]
    for t in args.threads:
        llm = llama_cpp.Llama(model_path=args.model, n_ctx=1024, n_threads=t, n_threads_batch=t, seed=0, verbose=False)
        ids = llm.tokenize(text.encode("utf-8"), add_bos=True)
        res = {"tessera_pp": [], "tessera_tg": [], "llama_pp": [], "llama_tg": []}
        for r in range(args.rounds):
            out = subprocess.run([args.tessera, "generate", "--model", args.model, "--prompt", text, "--max-new-tokens",
                                  str(args.new_tokens), "--threads", str(t), "--json"],
                                 capture_output=True, text=True, check=True).stdout
            j = json.loads(out)
            res["tessera_pp"].append(j["prompt_tokens"] / j["prompt_ms"] * 1000)
            res["tessera_tg"].append((len(j["ids"]) - 1) / j["gen_ms"] * 1000)
            llm.reset()
            t0 = time.perf_counter()
            llm.eval(ids)
            t1 = time.perf_counter()
            logits = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),))
            t2 = time.perf_counter()
            for _ in range(args.new_tokens - 1):
                llm.eval([int(np.argmax(logits))])
                logits = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),))
            t3 = time.perf_counter()
            res["llama_pp"].append(len(ids) / (t1 - t0))
            res["llama_tg"].append((args.new_tokens - 1) / (t3 - t2))
            print(f"threads {t} round {r}: " + ", ".join(f"{k} {v[-1]:.1f}" for k, v in res.items()), flush=True)
        med = {k: statistics.median(v) for k, v in res.items()}
        print(f"threads {t}, prompt {len(ids)} tokens, {args.new_tokens} generated; medians tok/s: "
              + ", ".join(f"{k} {v:.1f}" for k, v in med.items())
              + f"; tessera/llama.cpp: prompt {med['tessera_pp'] / med['llama_pp']:.2f}x, "
                f"generation {med['tessera_tg'] / med['llama_tg']:.2f}x", flush=True)
        del llm


if __name__ == "__main__":
    main()
