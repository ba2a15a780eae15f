#!/usr/bin/env python3
"""tessera vs llama.cpp on the same GGUF, same thread count, run alternately.

For each thread count (1 and 2 by default) and each of --rounds rounds it runs
  tessera:   build/bin/tessera_bench --benchmark_filter=decode/(prompt_512|generate_128)/threads:T
  llama.cpp: llama-cpp-python (built from source, GGML_NATIVE) on the same file:
             prompt processing of 512 tokens in one batch, and 128 greedy tokens one at a
             time after a 16-token prompt
and prints the medians and the ratios tessera / llama.cpp (tokens per second), plus the
generation rate as GB/s of weights streamed (the bytes tessera's bench reports per token) and
tessera's membw/read figure as the ceiling. The ceiling is measured in every round, next to
the generation it is compared with (this shared machine's bandwidth drifts by 20 % over
minutes); the share printed is the median of the per-round shares.

Install the peer with:  CMAKE_ARGS="-DGGML_NATIVE=ON" pip install llama-cpp-python
Usage: bench_decode_peers.py [--model FILE] [--bench build/bin/tessera_bench] [--threads 1 2] [--rounds 3]
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time


def default_model():
    base = os.environ.get("TESSERA_MODELS", os.path.expanduser("~/.cache/tessera/models"))
    return os.path.join(base, "SmolLM2-135M-Instruct", "SmolLM2-135M-Instruct.Q4_1.gguf")


def run_tessera(bench, threads, extra_filter=""):
    flt = f"decode/(prompt_512|generate_128){extra_filter}/threads:{threads}/"
    out = subprocess.run([bench, f"--benchmark_filter={flt}", "--benchmark_format=json"],
                         check=True, capture_output=True, text=True).stdout
    data = json.loads(out[out.index("{"):])
    res = {}
    for b in data["benchmarks"]:
        if "prompt_512" in b["name"]:
            res["pp"] = b["tok_per_s"]
        elif "generate_128" in b["name"]:
            res["tg"] = b["tok_per_s"]
            res["tg_GBps"] = b["weights_GBps"]
    return res


def run_membw(bench, threads):
    out = subprocess.run([bench, f"--benchmark_filter=membw/read/threads:{threads}", "--benchmark_format=json"],
                         check=True, capture_output=True, text=True).stdout
    data = json.loads(out[out.index("{"):])
    return data["benchmarks"][0]["bytes_per_second"] / 1e9


def run_llama_cpp(llm, threads, vocab):
    import numpy as np
    rng = random.Random(1234)
    prompt = [rng.randrange(100, 40000) for _ in range(512)]
    llm.reset()
    t0 = time.perf_counter()
    llm.eval(prompt)
    pp = len(prompt) / (time.perf_counter() - t0)

    llm.reset()
    llm.eval(prompt[:16])
    n_gen = 128
    t0 = time.perf_counter()
    for _ in range(n_gen):
        nxt = int(np.argmax(llm.scores[llm.n_tokens - 1, :vocab]))
        llm.eval([nxt])
    tg = n_gen / (time.perf_counter() - t0)
    return {"pp": pp, "tg": tg}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=default_model())
    ap.add_argument("--bench", default=os.path.join(os.path.dirname(__file__), "..", "..", "build", "bin", "tessera_bench"))
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--tessera-variant", default="", help='"" (default precision, q8_fine) or "/q8"')
    args = ap.parse_args()

    from llama_cpp import Llama
    os.environ.setdefault("TESSERA_MODELS", os.path.dirname(os.path.dirname(os.path.abspath(args.model))))
    for t in args.threads:
        llm = Llama(model_path=args.model, n_ctx=1024, n_batch=512, n_ubatch=512, n_threads=t, n_threads_batch=t,
                    logits_all=True, verbose=False)
        vocab = llm.n_vocab()
        ours, theirs, bws = [], [], []
        for r in range(args.rounds):
            ours.append(run_tessera(args.bench, t, args.tessera_variant))
            bws.append(run_membw(args.bench, t))
            theirs.append(run_llama_cpp(llm, t, vocab))
            print(f"threads {t} round {r + 1}: tessera pp {ours[-1]['pp']:.0f} tg {ours[-1]['tg']:.1f} tok/s "
                  f"({ours[-1]['tg_GBps']:.2f} GB/s, read bandwidth {bws[-1]:.2f} GB/s) | "
                  f"llama.cpp pp {theirs[-1]['pp']:.0f} tg {theirs[-1]['tg']:.1f} tok/s", file=sys.stderr)
        med = lambda rows, k: statistics.median(x[k] for x in rows)
        bw = statistics.median(bws)
        share = statistics.median(o["tg_GBps"] / b for o, b in zip(ours, bws))
        print(f"threads {t}: prompt_512  tessera {med(ours, 'pp'):8.1f} tok/s  llama.cpp {med(theirs, 'pp'):8.1f} tok/s  "
              f"ratio {med(ours, 'pp') / med(theirs, 'pp'):.2f}")
        print(f"threads {t}: generate_128 tessera {med(ours, 'tg'):8.1f} tok/s  llama.cpp {med(theirs, 'tg'):8.1f} tok/s  "
              f"ratio {med(ours, 'tg') / med(theirs, 'tg'):.2f}")
        print(f"threads {t}: generation streams {med(ours, 'tg_GBps'):.2f} GB/s of weights; measured read bandwidth "
              f"{bw:.2f} GB/s (median of the rounds) -> {100 * share:.0f}% of the ceiling (median of per-round shares)")
        del llm


if __name__ == "__main__":
    main()
