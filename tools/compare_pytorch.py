#!/usr/bin/env python3
# compare_pytorch.py: rlhf bench and tools/bench_pytorch.py, taking turns, several rounds, on the
# same thread count; prints each figure's median over the rounds and the ratio of the medians, and
# the range of the per-round ratios (the machine is shared: one round's ratio can be far off).
#
#   /path/to/venv/bin/python tools/compare_pytorch.py --config tiny --config small --rounds 3 --threads 2
#
# Needs the release build (swift build -c release) and a Python with torch and transformers (see
# bench_pytorch.py). Never run by tests or CI.

import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIGURES = ["train_tokens_per_s", "sample_tokens_per_s_b1", "sample_tokens_per_s_b8", "rm_pairs_per_s"]
ONLY = {"train_tokens_per_s": "train", "sample_tokens_per_s_b1": "sample",
        "sample_tokens_per_s_b8": "sample", "rm_pairs_per_s": "rm"}


def ours(config, threads, figures):
    parts = sorted({ONLY[f] for f in figures})
    command = [os.path.join(ROOT, ".build", "release", "rlhf"), "bench", "--config", config,
               "--threads", str(threads), "--json"] + [a for p in parts for a in ("--only", p)]
    line = subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip().splitlines()[0]
    return json.loads(line)


def theirs(config, threads):
    command = [sys.executable, os.path.join(ROOT, "tools", "bench_pytorch.py"), "--config", config,
               "--threads", str(threads), "--json"]
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])["best"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", action="append", choices=["tiny", "small", "medium"])
    parser.add_argument("--figure", action="append", choices=FIGURES)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    figures = args.figure or FIGURES
    for config in args.config or ["tiny", "small"]:
        rounds = []
        for round_index in range(args.rounds):
            a = ours(config, args.threads, figures)
            b = theirs(config, args.threads)
            rounds.append((a, b))
            print(f"{config} round {round_index + 1}: " + ", ".join(
                f"{f} {a[f]:,.0f} vs {b[f]:,.0f} ({a[f] / b[f]:.2f}x)" for f in figures), flush=True)
        for f in figures:
            mine = statistics.median(r[0][f] for r in rounds)
            torch_figure = statistics.median(r[1][f] for r in rounds)
            ratios = [r[0][f] / r[1][f] for r in rounds]
            print(f"{config:7} {f:24} rlhf {mine:>10,.1f}  pytorch {torch_figure:>10,.1f}  "
                  f"ratio of medians {mine / torch_figure:.2f}x  (rounds {min(ratios):.2f}x to {max(ratios):.2f}x)")


if __name__ == "__main__":
    main()
