#!/usr/bin/env python3
"""Peak memory and time of tokenizing one huge line (issue 4: "nothing allocates more than a
small multiple of the input"), through the CLI a user runs:

    build/bin/tessera tokenize --tokenizer PATH < FILE

for one repeated character ('a': a single pre-token of the whole input for the BPE splitter;
'你': three bytes a character), 50 and 100 MB, with SmolLM2's byte-level BPE (from its GGUF)
and all-MiniLM-L6-v2's WordPiece (without its 512-token truncation, which would stop early).
Peak RSS is the whole process's (input line, tokenizer, merge state, output), from wait4().

With --hf, the same 'a' and '你' lines through HF `tokenizers` (SmolLM2's BPE built as
tools/reference/make_bpe_goldens.py builds it; needs `pip install tokenizers gguf`), at
10 and 20 MB: its merge state takes tens of bytes a symbol, so 100 MB would need gigabytes.

    python3 tools/bench/tokenize_memory.py [--hf] [--python /opt/tessera-ref/bin/python]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODELS = os.environ.get("TESSERA_MODELS", os.path.expanduser("~/.cache/tessera/models"))
SMOLLM2 = os.path.join(MODELS, "SmolLM2-135M-Instruct/SmolLM2-135M-Instruct.Q4_1.gguf")
MINILM = os.path.join(MODELS, "all-MiniLM-L6-v2")

HF_CHILD = r"""
import os, resource, sys, time
sys.path.insert(0, os.path.join(sys.argv[1], "tools", "reference"))
from make_bpe_goldens import smollm2_tokenizer
tok, _ = smollm2_tokenizer(sys.argv[2])
text = open(sys.argv[3], encoding="utf-8").read().rstrip("\n")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
n = len(tok.encode(text, add_special_tokens=False).ids)
print(n, time.perf_counter() - t, before * 1024)
"""


def write_line(path, unit, mb):
    count = (mb << 20) // len(unit.encode("utf-8"))
    with open(path, "w", encoding="utf-8") as f:
        f.write(unit * count + "\n")
    return count * len(unit.encode("utf-8"))


def run_measured(cmd, stdin_path):
    """Runs cmd with stdin from a file, stdout discarded; returns (seconds, peak RSS bytes)."""
    with open(stdin_path, "rb") as fin, open(os.devnull, "wb") as fout:
        t = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=fin, stdout=fout)
        _, status, usage = os.wait4(p.pid, 0)
        seconds = time.perf_counter() - t
    if status != 0:
        sys.exit(f"{cmd[0]} failed ({status})")
    return seconds, usage.ru_maxrss * 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(REPO, "build/bin/tessera"))
    ap.add_argument("--hf", action="store_true", help="also HF tokenizers at 10 and 20 MB")
    ap.add_argument("--python", default=sys.executable, help="interpreter with tokenizers and gguf (for --hf)")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="tessera-tokmem-")
    print("| tokenizer | input | MB | time | peak RSS | peak / input |")
    print("|---|---|---|---|---|---|")
    for name, path, extra in [("BPE (SmolLM2)", SMOLLM2, []), ("WordPiece (MiniLM)", MINILM, ["--no-truncation"])]:
        for unit in ["a", "你"]:
            for mb in [50, 100]:
                f = os.path.join(tmp, "line.txt")
                nbytes = write_line(f, unit, mb)
                secs, rss = run_measured([args.binary, "tokenize", "--tokenizer", path] + extra, f)
                print(f"| {name} | '{unit}' | {mb} | {secs:.2f} s | {rss / 2**20:.0f} MB | {rss / nbytes:.2f}x |")
    if args.hf:
        print()
        print("| HF tokenizers BPE (SmolLM2) | input | MB | time | peak RSS growth in encode | growth / input |")
        print("|---|---|---|---|---|---|")
        for unit in ["a", "你"]:
            for mb in [10, 20]:
                f = os.path.join(tmp, "line.txt")
                nbytes = write_line(f, unit, mb)
                with open(os.devnull, "rb") as devnull:
                    p = subprocess.Popen([args.python, "-c", HF_CHILD, REPO, SMOLLM2, f], stdin=devnull,
                                         stdout=subprocess.PIPE, env=dict(os.environ, RAYON_NUM_THREADS="1"))
                    out = p.stdout.read().decode()
                    _, status, usage = os.wait4(p.pid, 0)
                if status != 0:
                    sys.exit("HF run failed")
                _, secs, before = out.split()
                growth = usage.ru_maxrss * 1024 - int(before)
                print(f"| HF | '{unit}' | {mb} | {float(secs):.2f} s | {growth / 2**20:.0f} MB | {growth / nbytes:.1f}x |")
    os.remove(os.path.join(tmp, "line.txt"))
    os.rmdir(tmp)


if __name__ == "__main__":
    main()
