#!/usr/bin/env python3
"""Turns a tessera_bench JSON (--benchmark_out=FILE --benchmark_out_format=json, with
--benchmark_repetitions) into the GEMM table of docs/benchmarks.md: median GFLOP/s per
implementation and the ratios tessera/peer, for every shape and thread count; plus the
read-bandwidth rows and GEMV as a share of them.

    python3 tools/bench/gemm_table.py /tmp/gemm_bench.json
"""
import json
import re
import sys
from collections import defaultdict


def main(path):
    data = json.load(open(path))
    gflops = defaultdict(dict)  # (shape, threads) -> impl -> median gflops
    membw = {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        name = b["run_name"]
        m = re.match(r"gemm/([a-z_]+)/(\d+x\d+x\d+)/threads:(\d+)", name)
        if m:
            gflops[(m.group(2), int(m.group(3)))][m.group(1)] = b["gflops"] / 1e9 if b["gflops"] > 1e6 else b["gflops"]
            continue
        m = re.match(r"membw/read/threads:(\d+)", name)
        if m:
            membw[int(m.group(1))] = b["bytes_per_second"] / 1e9
    impls = ["tessera", "tessera_prepacked", "openblas", "eigen"]
    print("| M×N×K | threads | " + " | ".join(f"{i} GFLOP/s" for i in impls) +
          " | tessera/openblas | tessera/eigen | prepacked/openblas |")
    print("|---|---|" + "---|" * (len(impls) + 3))
    def order(key):
        m, n, k = map(int, key[0].split("x"))
        return (-m * n * k if m > 4 else 1, m, n, k, key[1])
    for key in sorted(gflops, key=order):
        row = gflops[key]
        vals = " | ".join(f"{row[i]:.1f}" if i in row else "–" for i in impls)
        def ratio(a, b):
            return f"{row[a] / row[b]:.2f}×" if a in row and b in row else "–"
        print(f"| {key[0]} | {key[1]} | {vals} | {ratio('tessera', 'openblas')} | {ratio('tessera', 'eigen')} | "
              f"{ratio('tessera_prepacked', 'openblas')} |")
    print()
    for t, bw in sorted(membw.items()):
        print(f"- membw/read/threads:{t}: {bw:.1f} GB/s")
    for (shape, t), row in sorted(gflops.items()):
        m, n, k = map(int, shape.split("x"))
        if m == 1 and t in membw:
            for impl in ("tessera", "tessera_prepacked", "openblas"):
                if impl in row:
                    gbs = row[impl] / 2 * 4  # 2 flops and 4 bytes of B per weight
                    print(f"- GEMV {shape} threads:{t} {impl}: {gbs:.1f} GB/s of weights = "
                          f"{100 * gbs / membw[t]:.0f}% of read bandwidth")
    # scaling
    print()
    for (shape, t), row in sorted(gflops.items()):
        if t == 2 and (shape, 1) in gflops and "tessera" in row and "tessera" in gflops[(shape, 1)]:
            print(f"- {shape}: tessera 2 threads / 1 thread = {row['tessera'] / gflops[(shape, 1)]['tessera']:.2f}×")


if __name__ == "__main__":
    main(sys.argv[1])
