#!/usr/bin/env python3
# bench_pytorch.py: PyTorch's figures for the measurements `rlhf bench` makes, on the same configs,
# so that the two can be compared in one run on one machine (issue 8). Never run by tests or CI.
#
# Two implementations are measured and the faster one counts for each figure:
#   hf       transformers' GPT2LMHeadModel / GPT2ForSequenceClassification (attn sdpa)
#   compact  a short hand-written GPT-2 module (F.scaled_dot_product_attention, is_causal=True)
# The figures (same definitions as Sources/Lab/Benchmark/Benchmark.swift):
#   train_tokens_per_s      forward + backward + AdamW of next-token cross-entropy, B x n_ctx tokens
#   sample_tokens_per_s_b1  KV-cached sampling at temperature 1, n_ctx - 8 new tokens after 8
#   sample_tokens_per_s_b8  the same for 8 prompts at once
#   rm_pairs_per_s          rewards of 16 chosen and 16 rejected rows of n_ctx / 2 tokens,
#                           -log sigmoid(r_c - r_r), backward, AdamW
# Each figure is the median of 5 timed repetitions after a warm-up; a repetition repeats the
# work until it lasts at least 0.25 s, as rlhf bench does.
#
# How to run it (by hand, from the repository root):
#   python3 -m venv /path/to/venv
#   /path/to/venv/bin/pip install torch transformers
#   /path/to/venv/bin/python tools/bench_pytorch.py --config tiny --config small --threads 2 [--json]
# Measured with torch 2.15 and transformers 5.24 on CPU.

import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIGS = {
    #          V     n_ctx  d    layers heads batch
    "tiny": (256, 64, 64, 2, 4, 16),
    "small": (1024, 128, 128, 4, 4, 16),
    "medium": (4096, 256, 256, 6, 8, 8),
}


def median_rate(work, warm_ups=1, repetitions=5, minimum_seconds=0.25):
    """Items per second: `work()` returns the items it processed; median of timed repetitions."""
    warm = 0.0
    for _ in range(warm_ups):
        start = time.perf_counter()
        work()
        warm = time.perf_counter() - start
    iterations = max(1, math.ceil(minimum_seconds / warm)) if warm > 0 else 1
    rates = []
    for _ in range(repetitions):
        items = 0.0
        start = time.perf_counter()
        for _ in range(iterations):
            items += work()
        rates.append(items / (time.perf_counter() - start))
    return statistics.median(rates)


# --- the compact module ------------------------------------------------------------------------

class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.ln_1 = nn.LayerNorm(d)
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d)
        self.c_fc = nn.Linear(d, 4 * d)
        self.mlp_proj = nn.Linear(4 * d, d)

    def attention(self, x, cache):
        b, t, d = x.shape
        q, k, v = self.c_attn(x).split(d, dim=2)
        q, k, v = (z.view(b, t, self.heads, d // self.heads).transpose(1, 2) for z in (q, k, v))
        if cache is not None:
            if cache[0] is not None:
                k = torch.cat([cache[0], k], dim=2)
                v = torch.cat([cache[1], v], dim=2)
            cache[0], cache[1] = k, v
        causal = cache is None or q.shape[2] > 1
        y = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
        return self.c_proj(y.transpose(1, 2).reshape(b, t, d))

    def forward(self, x, cache=None):
        x = x + self.attention(self.ln_1(x), cache)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class CompactGPT(nn.Module):
    def __init__(self, vocab, n_ctx, d, layers, heads):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(n_ctx, d)
        self.blocks = nn.ModuleList(Block(d, heads) for _ in range(layers))
        self.ln_f = nn.LayerNorm(d)
        self.score = None

    def hidden(self, idx, caches=None, start=0):
        positions = torch.arange(start, start + idx.shape[1])
        x = self.wte(idx) + self.wpe(positions)
        for i, block in enumerate(self.blocks):
            x = block(x, None if caches is None else caches[i])
        return self.ln_f(x)

    def forward(self, idx, caches=None, start=0):
        return self.hidden(idx, caches, start) @ self.wte.weight.t()   # tied LM head

    def rewards(self, idx):
        return self.score(self.hidden(idx)[:, -1, :]).squeeze(-1)


# --- the figures -------------------------------------------------------------------------------

def train_rate(model, logits_of, vocab, n_ctx, batch):
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    tokens = torch.randint(0, vocab, (batch, n_ctx + 1))
    x, y = tokens[:, :-1], tokens[:, 1:]

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(logits_of(x).reshape(-1, vocab), y.reshape(-1))
        loss.backward()
        optimizer.step()
        return batch * n_ctx
    return median_rate(step)


def sample_rate(next_logits, vocab, n_ctx, rows):
    """next_logits(tokens, state) -> (logits of the last position [rows, V], state)."""
    prompt = torch.randint(0, vocab, (rows, 8))

    @torch.inference_mode()
    def run():
        logits, state = next_logits(prompt, None)
        new = 0
        for _ in range(n_ctx - 8):
            token = torch.multinomial(torch.softmax(logits, dim=-1), 1)
            new += rows
            if new >= rows * (n_ctx - 8):
                break
            logits, state = next_logits(token, state)
        return new
    return median_rate(run)


def reward_rate(model, rewards_of, vocab, n_ctx):
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    pairs, length = 16, n_ctx // 2
    tokens = torch.randint(0, vocab, (2 * pairs, length))

    def step():
        optimizer.zero_grad(set_to_none=True)
        r = rewards_of(tokens)
        loss = -F.logsigmoid(r[:pairs] - r[pairs:]).mean()
        loss.backward()
        optimizer.step()
        return pairs
    return median_rate(step)


def measure_hf(name):
    from transformers import GPT2Config, GPT2ForSequenceClassification, GPT2LMHeadModel
    vocab, n_ctx, d, layers, heads, batch = CONFIGS[name]
    config = GPT2Config(vocab_size=vocab, n_positions=n_ctx, n_embd=d, n_layer=layers, n_head=heads,
                        resid_pdrop=0, embd_pdrop=0, attn_pdrop=0, activation_function="gelu_new",
                        pad_token_id=vocab, bos_token_id=0, eos_token_id=0)
    config._attn_implementation = "sdpa"
    lm = GPT2LMHeadModel(config)
    lm.train()
    figures = {"train_tokens_per_s": train_rate(lm, lambda x: lm(x).logits, vocab, n_ctx, batch)}
    lm.eval()

    def next_logits(tokens, past):
        out = lm(tokens, past_key_values=past, use_cache=True)
        return out.logits[:, -1, :], out.past_key_values
    figures["sample_tokens_per_s_b1"] = sample_rate(next_logits, vocab, n_ctx, 1)
    figures["sample_tokens_per_s_b8"] = sample_rate(next_logits, vocab, n_ctx, 8)
    config.num_labels = 1
    rm = GPT2ForSequenceClassification(config)
    rm.train()
    figures["rm_pairs_per_s"] = reward_rate(rm, lambda x: rm(x).logits.squeeze(-1), vocab, n_ctx)
    return figures


def measure_compact(name):
    vocab, n_ctx, d, layers, heads, batch = CONFIGS[name]
    lm = CompactGPT(vocab, n_ctx, d, layers, heads)
    figures = {"train_tokens_per_s": train_rate(lm, lm, vocab, n_ctx, batch)}

    def next_logits(tokens, state):
        caches, start = state if state is not None else ([[None, None] for _ in lm.blocks], 0)
        logits = lm(tokens, caches, start)[:, -1, :]
        return logits, (caches, start + tokens.shape[1])
    figures["sample_tokens_per_s_b1"] = sample_rate(next_logits, vocab, n_ctx, 1)
    figures["sample_tokens_per_s_b8"] = sample_rate(next_logits, vocab, n_ctx, 8)
    rm = CompactGPT(vocab, n_ctx, d, layers, heads)
    rm.score = nn.Linear(d, 1, bias=False)
    figures["rm_pairs_per_s"] = reward_rate(rm, rm.rewards, vocab, n_ctx)
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", action="append", choices=sorted(CONFIGS))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    for name in args.config or ["tiny", "small"]:
        hf, compact = measure_hf(name), measure_compact(name)
        best = {key: max(hf[key], compact[key]) for key in hf}
        if args.json:
            print(json.dumps({"config": name, "threads": args.threads, "torch": torch.__version__,
                              "hf": hf, "compact": compact, "best": best}))
        else:
            for key in hf:
                print(f"{name:7} {key:24} hf {hf[key]:>10,.1f}  compact {compact[key]:>10,.1f}  best {best[key]:>10,.1f}")


if __name__ == "__main__":
    main()
