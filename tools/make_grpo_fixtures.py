#!/usr/bin/env python3
# make_grpo_fixtures.py: one GRPO step on a fixed batch, computed with torch the way TRL's
# GRPOTrainer does (trl/trainer/grpo_trainer.py, `_generate_and_score_completions` and
# `_compute_loss`), for Tests/StagesTests/GRPOFixtureTests.swift.
#
# It reads the committed tiny models (Tests/GPT2Tests/Fixtures/tiny-lm, tiny-lm-ref, made by
# make_fixtures.py) and writes Tests/GPT2Tests/Fixtures/grpo-expected.json. It is separate from
# make_fixtures.py so that running it never rewrites the other fixtures.
#
#   python3 -m venv /path/to/venv
#   /path/to/venv/bin/pip install torch transformers safetensors
#   /path/to/venv/bin/python tools/make_grpo_fixtures.py
# Made with torch 2.15, transformers 5.x on CPU, float32, single-threaded, deterministic.

import json
import math
import os

import torch
import torch.nn.functional as F
from transformers import GPT2LMHeadModel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GPT2 = os.path.join(ROOT, "Tests", "GPT2Tests", "Fixtures")

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

EOS, PAD = 0, 1
# Three groups of G = 3 completions (each ending with EOS); the last group's rewards are equal.
GROUPS = [
    {"prompt": [2, 14, 27, 9], "completions": [[30, 8, 12, EOS], [22, 5, EOS], [7, 26, 11, 45, EOS]], "rewards": [1.0, 0.0, 0.5]},
    {"prompt": [3, 40, 18], "completions": [[33, 19, 4, EOS], [16, EOS], [20, 31, EOS]], "rewards": [0.3, 1.7, -0.4]},
    {"prompt": [6, 11], "completions": [[9, EOS], [9, 13, EOS], [44, EOS]], "rewards": [2.0, 2.0, 2.0]},
]
G = 3
NAMES = ("transformer.h.1.mlp.c_fc.weight", "transformer.wte.weight", "transformer.ln_f.bias")


def flat(t):
    return [float(x) for x in t.detach().to(torch.float32).reshape(-1).tolist()]


def load(name):
    model = GPT2LMHeadModel.from_pretrained(os.path.join(GPT2, name), attn_implementation="eager")
    model.eval()
    return model


def batch():
    seqs, prompt_lens = [], []
    for g in GROUPS:
        for c in g["completions"]:
            seqs.append(g["prompt"] + c)
            prompt_lens.append(len(g["prompt"]))
    longest = max(len(s) for s in seqs)
    ids = torch.tensor([s + [PAD] * (longest - len(s)) for s in seqs])
    mask = torch.zeros(len(seqs), longest - 1)       # completion_mask over prediction positions
    for b, s in enumerate(seqs):
        mask[b, prompt_lens[b] - 1:len(s) - 1] = 1
    return seqs, prompt_lens, ids, mask


def per_token_logps(model, ids):
    """log p(ids[t+1] | ids[..t]) at every position t: [B, T-1] (TRL's selective_log_softmax)."""
    logits = model(ids).logits[:, :-1, :]
    return torch.gather(F.log_softmax(logits, dim=-1), 2, ids[:, 1:].unsqueeze(-1)).squeeze(-1)


def advantages(rewards, scale):
    """TRL: A = (r - mean_group) / (std + 1e-4), std with Bessel's correction (torch.std)."""
    grouped = rewards.view(-1, G)
    mean = grouped.mean(dim=1).repeat_interleave(G)
    if scale == "batch":
        std = rewards.std().expand_as(rewards)
    else:
        std = grouped.std(dim=1).repeat_interleave(G)
    a = rewards - mean
    return a if scale == "none" else a / (std + 1e-4)


def grpo_loss(logps, old, ref, adv, mask, loss_type, beta, eps=0.2):
    """TRL `_compute_loss`, token-level importance sampling, two-sided clip."""
    coef_1 = torch.exp(logps - old)
    coef_2 = torch.clamp(coef_1, 1 - eps, 1 + eps)
    per_token_loss = -torch.min(coef_1 * adv.unsqueeze(1), coef_2 * adv.unsqueeze(1))
    if beta != 0:
        per_token_kl = torch.exp(ref - logps) - (ref - logps) - 1
        per_token_loss = per_token_loss + beta * per_token_kl
    if loss_type == "grpo":
        return ((per_token_loss * mask).sum(-1) / mask.sum(-1).clamp(min=1.0)).mean()
    return (per_token_loss * mask).sum() / mask.sum().clamp(min=1.0)   # dapo, one process


def main():
    policy, reference = load("tiny-lm"), load("tiny-lm-ref")
    seqs, prompt_lens, ids, mask = batch()
    rewards = torch.tensor([r for g in GROUPS for r in g["rewards"]], dtype=torch.float32)
    with torch.no_grad():
        ref = per_token_logps(reference, ids)
        start = per_token_logps(policy, ids)
    # "old" log-probs of a later iteration: the policy's own shifted by +-0.3 at alternate tokens,
    # so ratios are exp(-+0.3) = 0.74 / 1.35 and some tokens clip
    t = torch.arange(start.shape[1], dtype=torch.float32)
    shifted = start + 0.3 * torch.where(t.remainder(2) == 0, 1.0, -1.0).expand_as(start)
    cases = []
    for name, scale, loss_type, beta, old_kind in [
        ("ratio 1, dapo, beta 0", "group", "dapo", 0.0, "same"),
        ("shifted old, grpo, beta 0.04", "group", "grpo", 0.04, "shifted"),
        ("shifted old, dapo, beta 0.04, scale none", "none", "dapo", 0.04, "shifted"),
        ("ratio 1, grpo, beta 0, scale batch", "batch", "grpo", 0.0, "same"),
    ]:
        policy.zero_grad()
        logps = per_token_logps(policy, ids)
        old = logps.detach() if old_kind == "same" else shifted
        adv = advantages(rewards, scale)
        loss = grpo_loss(logps, old, ref, adv, mask, loss_type, beta)
        loss.backward()
        p = dict(policy.named_parameters())
        m = mask.bool()
        cases.append({
            "name": name, "scale": scale, "loss_type": loss_type, "beta": beta, "epsilon": 0.2,
            "advantages": flat(adv), "loss": float(loss.detach()),
            "old_logps": flat(old[m]), "ref_logps": flat(ref[m]), "logps": flat(logps[m]),
            "grads": {k: {"shape": list(p[k].grad.shape), "data": flat(p[k].grad)} for k in NAMES},
        })
    note = ("GRPO as TRL computes it. Rows: group 0's three completions, then group 1's, group 2's "
            "(rewards equal: advantage 0). sequence = prompt + completion (EOS last). Logits at t "
            "predict token t+1; the response tokens of a row are its completion tokens (EOS included). "
            "logps / old_logps / ref_logps: flat over rows in order, response tokens only. "
            "A = (r - mean_group) / (std + 1e-4) (std: torch.std, Bessel; scale batch: std of all "
            "rewards; none: no division). loss_t = -min(ratio A, clamp(ratio, 0.8, 1.2) A) + beta k3, "
            "k3 = exp(ref - logp) - (ref - logp) - 1; grpo: mean over a row's tokens then over rows; "
            "dapo: sum over all tokens / their number. grads: d loss / d param of tiny-lm.")
    path = os.path.join(GPT2, "grpo-expected.json")
    with open(path, "w") as f:
        json.dump({"note": note, "eos_token_id": EOS, "pad_token_id": PAD, "group_size": G, "groups": GROUPS,
                   "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {os.path.relpath(path, ROOT)} ({os.path.getsize(path)} bytes)")
    for c in cases:
        print(f"  {c['name']}: loss {c['loss']:.6f}")


if __name__ == "__main__":
    main()
