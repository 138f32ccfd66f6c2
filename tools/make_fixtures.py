#!/usr/bin/env python3
# make_fixtures.py: reference numbers from PyTorch / transformers / tokenizers for the Swift tests.
#
# What it makes (all committed; tests and CI never run Python):
#   Tests/NumericsTests/Fixtures/adamw.json              AdamW steps (and one clip_grad_norm_ case)
#   Tests/GPT2Tests/Fixtures/tiny-lm/                    GPT2LMHeadModel (model.safetensors, config.json)
#   Tests/GPT2Tests/Fixtures/tiny-lm-ref/                the same model with every weight perturbed (DPO reference)
#   Tests/GPT2Tests/Fixtures/tiny-lm-expected.json       logits, log-probs, final hidden state
#   Tests/GPT2Tests/Fixtures/tiny-reward/                GPT2ForSequenceClassification, num_labels=1
#   Tests/GPT2Tests/Fixtures/tiny-reward-expected.json   rewards for a right-padded batch
#   Tests/GPT2Tests/Fixtures/sampling-expected.json      temperature / top-k / top-p distributions
#   Tests/GPT2Tests/Fixtures/word-tokenizer/             WordLevel tokenizer.json (+ -expected.json)
#   Tests/GPT2Tests/Fixtures/bpe-tokenizer/              byte-level BPE vocab.json, merges.txt, tokenizer.json (+ -expected.json)
#   Tests/GPT2Tests/Fixtures/stages-expected.json        reward-model loss and DPO loss, gradients, one SGD step
#   Tests/GPT2Tests/Fixtures/grpo-expected.json          (tools/make_grpo_fixtures.py, from tiny-lm and tiny-lm-ref) one GRPO loss and gradient
# The layouts and conventions are described in Tests/GPT2Tests/Fixtures/README.md.
#
# How to run it (once, by hand, from the repository root):
#   python3 -m venv /path/to/venv
#   /path/to/venv/bin/pip install torch transformers tokenizers safetensors
#   /path/to/venv/bin/python tools/make_fixtures.py
# Made with torch 2.15, transformers 5.24, tokenizers 0.23 on CPU. Everything is seeded, float32,
# single-threaded and deterministic: running it twice gives byte-identical files.

import copy
import json
import os
import shutil

import torch
import torch.nn.functional as F
from safetensors import safe_open
from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers
from tokenizers.implementations import ByteLevelBPETokenizer
from transformers import (GPT2Config, GPT2ForSequenceClassification, GPT2LMHeadModel,
                          GPT2TokenizerFast, TemperatureLogitsWarper, TopKLogitsWarper,
                          TopPLogitsWarper)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NUMERICS = os.path.join(ROOT, "Tests", "NumericsTests", "Fixtures")
GPT2 = os.path.join(ROOT, "Tests", "GPT2Tests", "Fixtures")

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
torch.set_default_dtype(torch.float32)


def flat(t):
    """A tensor as a flat list of Python floats (each float32 value exactly, row-major)."""
    return [float(x) for x in t.detach().to(torch.float32).reshape(-1).tolist()]


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.relpath(path, ROOT)} ({os.path.getsize(path)} bytes)")


# ---------------------------------------------------------------------------------------------
# 1. AdamW
# ---------------------------------------------------------------------------------------------

def adamw_case(name, seed, lr, betas, eps, weight_decay, clip_max_norm, steps=5):
    g = torch.Generator().manual_seed(seed)
    shapes = [[3, 4], [5], [2, 2, 3]]
    params = [torch.nn.Parameter(torch.randn(s, generator=g)) for s in shapes]
    initial = [{"shape": s, "data": flat(p)} for s, p in zip(shapes, params)]
    opt = torch.optim.AdamW(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                            foreach=False, fused=False)
    records = []
    for _ in range(steps):
        grads = [torch.randn(s, generator=g) for s in shapes]
        for p, gr in zip(params, grads):
            p.grad = gr.clone()
        rec = {"grads": [flat(gr) for gr in grads], "total_norm": None}
        if clip_max_norm is not None:
            total = torch.nn.utils.clip_grad_norm_(params, max_norm=clip_max_norm)
            rec["total_norm"] = float(total)
            rec["clipped_grads"] = [flat(p.grad) for p in params]
        opt.step()
        rec["params_after"] = [flat(p) for p in params]
        records.append(rec)
    return {"name": name, "lr": lr, "beta1": betas[0], "beta2": betas[1], "eps": eps,
            "weight_decay": weight_decay, "clip_max_norm": clip_max_norm,
            "initial": initial, "steps": records}


def make_adamw():
    cases = [
        adamw_case("betas-0.9-0.95-wd-0.1", 1, 1e-2, (0.9, 0.95), 1e-8, 0.1, None),
        adamw_case("default-betas-wd-0.01", 2, 3e-3, (0.9, 0.999), 1e-8, 0.01, None),
        adamw_case("clip-0.5-then-betas-0.9-0.95-wd-0.1", 3, 1e-2, (0.9, 0.95), 1e-8, 0.1, 0.5),
    ]
    note = ("torch.optim.AdamW (foreach=False), float32. Per step t (1-based): "
            "p <- p * (1 - lr*weight_decay); m <- beta1*m + (1-beta1)*g; v <- beta2*v + (1-beta2)*g^2; "
            "mhat = m/(1-beta1^t); vhat = v/(1-beta2^t); p <- p - lr*mhat/(sqrt(vhat)+eps). "
            "m and v start at 0. Tensors are flat row-major lists. 'grads' are the gradients given at "
            "that step. When clip_max_norm is set, torch.nn.utils.clip_grad_norm_(params, max_norm) runs "
            "before the step: total_norm = sqrt(sum over all tensors of sum g^2) (the norm before "
            "clipping, which it returns); every grad is multiplied by min(1, max_norm/(total_norm+1e-6)); "
            "'clipped_grads' are the grads after that and are what AdamW used.")
    write_json(os.path.join(NUMERICS, "adamw.json"), {"note": note, "cases": cases})


# ---------------------------------------------------------------------------------------------
# 2. Tiny GPT-2 models
# ---------------------------------------------------------------------------------------------

def tiny_config(**extra):
    return GPT2Config(vocab_size=50, n_positions=16, n_embd=32, n_layer=2, n_head=4,
                      layer_norm_epsilon=1e-5, activation_function="gelu_new",
                      # 10x GPT-2's 0.02, so logits and attention are far from uniform in a model
                      # this small (otherwise every distribution is nearly flat).
                      initializer_range=0.2,
                      resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, summary_first_dropout=0.0,
                      bos_token_id=0, eos_token_id=0, pad_token_id=1, **extra)


def perturb_norms_and_biases(model, g):
    """Add N(0, 0.1) to every LayerNorm weight and bias and every bias, so none is trivially 1 or 0."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith(".bias") or ".ln_" in name:
                p.add_(0.1 * torch.randn(p.shape, generator=g))


def make_lm(seed=1234):
    torch.manual_seed(seed)
    config = tiny_config()
    config._attn_implementation = "eager"
    model = GPT2LMHeadModel(config)
    perturb_norms_and_biases(model, torch.Generator().manual_seed(seed + 1))
    model.eval()
    assert model.lm_head.weight.data_ptr() == model.transformer.wte.weight.data_ptr(), "lm_head not tied"
    return model


def make_reward(seed=4321):
    torch.manual_seed(seed)
    config = tiny_config(num_labels=1)
    config._attn_implementation = "eager"
    model = GPT2ForSequenceClassification(config)
    g = torch.Generator().manual_seed(seed + 1)
    perturb_norms_and_biases(model, g)
    with torch.no_grad():
        model.score.weight.copy_(0.1 * torch.randn(model.score.weight.shape, generator=g))
    model.eval()
    return model


def make_reference(policy, seed=777):
    ref = copy.deepcopy(policy)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for _, p in ref.named_parameters():  # wte is listed once (lm_head is the same tensor)
            p.add_(0.01 * torch.randn(p.shape, generator=g))
    ref.eval()
    return ref


def save_model(model, name):
    path = os.path.join(GPT2, name)
    shutil.rmtree(path, ignore_errors=True)
    model.save_pretrained(path)  # transformers 5 always writes safetensors (model.safetensors)
    with safe_open(os.path.join(path, "model.safetensors"), framework="pt") as f:
        names = {k: list(f.get_tensor(k).shape) for k in sorted(f.keys())}
        metadata = f.metadata()
    print(f"wrote {name}/model.safetensors: {len(names)} tensors, metadata {metadata}")
    return names


SEQ1 = [0, 12, 7, 33, 2, 45, 19, 8, 26, 3]   # length 10
SEQ2 = [5, 41, 17, 0, 29, 11, 38]            # length 7


def lm_logits(model, ids):
    with torch.no_grad():
        return model(torch.tensor([ids])).logits[0]  # [T, V]


def token_logprobs(logits, ids):
    """log p(ids[t+1] | ids[..t]) for t < T-1: logits at position t predict token t+1."""
    logp = F.log_softmax(logits, dim=-1)
    return torch.stack([logp[t, ids[t + 1]] for t in range(len(ids) - 1)])


def make_lm_expected(model):
    seqs = []
    for ids in (SEQ1, SEQ2):
        logits = lm_logits(model, ids)
        seqs.append({"ids": ids, "length": len(ids), "logits_shape": list(logits.shape),
                     "logits": flat(logits), "token_logprobs": flat(token_logprobs(logits, ids))})
    with torch.no_grad():
        hidden = model.transformer(torch.tensor([SEQ1])).last_hidden_state[0]  # [T, C], after ln_f
        assert torch.allclose(model.lm_head(hidden), lm_logits(model, SEQ1), atol=1e-5)
    note = ("tiny-lm in eval mode, each sequence run alone (batch 1, no padding, no attention mask, "
            "positions 0..T-1). logits: [T, V] row-major, V = 50. token_logprobs[t] = "
            "log_softmax(logits[t])[ids[t+1]] for t = 0..T-2 (logits at position t predict token t+1). "
            "ln_f_hidden_seq1: the output of the final LayerNorm ln_f for sequence 1, [T, C] row-major, "
            "C = 32; logits = ln_f_hidden @ wte^T (no bias).")
    write_json(os.path.join(GPT2, "tiny-lm-expected.json"),
               {"note": note, "vocab_size": 50, "n_embd": 32, "sequences": seqs,
                "ln_f_hidden_seq1_shape": list(hidden.shape), "ln_f_hidden_seq1": flat(hidden)})


def pad_right(seqs, pad=1, length=None):
    length = length or max(len(s) for s in seqs)
    return [s + [pad] * (length - len(s)) for s in seqs]


REWARD_SEQS = [[0, 12, 7, 33, 2, 45, 19, 8, 26], [4, 9, 22, 0, 31, 14], [17, 3, 40, 6]]


def make_reward_expected(model):
    ids = pad_right(REWARD_SEQS, length=9)
    with torch.no_grad():
        rewards = model(torch.tensor(ids)).logits[:, 0]
        for s, r in zip(REWARD_SEQS, rewards):  # same as each sequence alone, unpadded
            alone = model(torch.tensor([s])).logits[0, 0]
            assert abs(float(alone) - float(r)) < 1e-5
    note = ("tiny-reward (GPT2ForSequenceClassification, num_labels=1) in eval mode on the padded batch "
            "[3, 9], no attention mask. transformers finds, per row, the rightmost position whose token "
            "!= pad_token_id (1) and returns score(ln_f hidden state at that position); score is a "
            "Linear(32 -> 1) with no bias. Here that position is lengths[i]-1. Because attention is "
            "causal and padding is on the right, the pads change nothing: each reward equals running "
            "the unpadded sequence alone and reading the last position.")
    write_json(os.path.join(GPT2, "tiny-reward-expected.json"),
               {"note": note, "pad_token_id": 1, "input_ids": ids,
                "lengths": [len(s) for s in REWARD_SEQS], "rewards": flat(rewards)})


def make_sampling_expected(model):
    prompt = SEQ1[:5]
    logits = lm_logits(model, prompt)[-1:]  # [1, V]
    input_ids = torch.tensor([prompt])
    cases = []

    def run(name, temperature, top_k, top_p, note):
        scores = logits.clone()
        order = []
        scores = TemperatureLogitsWarper(temperature)(input_ids, scores); order.append(f"temperature {temperature}")
        if top_k is not None:
            scores = TopKLogitsWarper(top_k=top_k, min_tokens_to_keep=1)(input_ids, scores); order.append(f"top_k {top_k}")
        if top_p is not None:
            scores = TopPLogitsWarper(top_p=top_p, min_tokens_to_keep=1)(input_ids, scores); order.append(f"top_p {top_p}")
        probs = F.softmax(scores, dim=-1)[0]
        kept = [i for i in range(probs.numel()) if probs[i] > 0]
        cases.append({"name": name, "temperature": temperature, "top_k": top_k, "top_p": top_p,
                      "order": order, "kept_token_ids": kept, "probs": flat(probs), "note": note})

    run("plain", 1.0, None, None, "softmax(logits / 1.0); nothing removed.")
    run("temp0.7-topk10", 0.7, 10, None,
        "scores = logits / 0.7; top-k: every score strictly less than the 10th largest score is set "
        "to -inf (ties with the 10th are kept); probs = softmax(scores), removed tokens get exactly 0.")
    run("temp0.7-topp0.9", 0.7, None, 0.9,
        "scores = logits / 0.7; top-p as TopPLogitsWarper: p = softmax(scores); sort ascending; "
        "c_i = cumulative sum of the ascending probs; remove token i if c_i <= 1 - top_p; the "
        "min_tokens_to_keep=1 most probable tokens are never removed. Equivalently, in descending "
        "order, keep the shortest prefix whose mass is >= top_p: the token that crosses the threshold "
        "is KEPT (a token is removed only if the mass of itself plus all less probable tokens is <= "
        "1 - top_p). Then probs = softmax(scores) over the kept tokens (renormalised), removed get 0.")
    run("temp1.0-topk5-topp0.8", 1.0, 5, 0.8,
        "Order as transformers' generate applies them: temperature (1.0), then top-k 5 (scores below "
        "the 5th largest -> -inf), then top-p 0.8 computed on the softmax of the ALREADY top-k-filtered "
        "scores (so the cumulative mass is over the 5 survivors, renormalised), keeping the crossing "
        "token as above; then softmax.")
    note = ("Prompt = tiny-lm-expected sequence 1's first 5 tokens; logits = tiny-lm logits at the last "
            "prompt position (index 4), i.e. the next-token distribution. Warpers from "
            "transformers.generation.logits_process applied in the order temperature, top-k, top-p "
            "(the order of GenerationMixin._get_logits_processor), each removed token set to -inf, then "
            "softmax. probs: [V] with exact zeros for removed tokens.")
    write_json(os.path.join(GPT2, "sampling-expected.json"),
               {"note": note, "prompt_ids": prompt, "last_logits": flat(logits[0]), "cases": cases})


# ---------------------------------------------------------------------------------------------
# 2e. Word-level tokenizer
# ---------------------------------------------------------------------------------------------

WORDS = ["<|endoftext|>", "<pad>", "<q>", "<a>", "<unk>",
         "how", "do", "i", "make", "tea", "coffee", "?", "!", ",", ".", "sure", "heat", "water",
         "then", "add", "the", "leaves", "and", "wait", "a", "cup", "of", "hot", "good", "no",
         "yes", "'"]
SPECIALS = ["<|endoftext|>", "<pad>", "<q>", "<a>"]


def make_word_tokenizer():
    vocab = {w: i for i, w in enumerate(WORDS)}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation(behavior="isolated")])
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in SPECIALS])
    # No decoder: the tokenizers library has no WordLevel/whitespace decoder, so decode() joins tokens
    # with single spaces.
    path = os.path.join(GPT2, "word-tokenizer")
    os.makedirs(path, exist_ok=True)
    tok.save(os.path.join(path, "tokenizer.json"))
    print("wrote word-tokenizer/tokenizer.json")
    texts = ["how do i make tea?",
             "<q> how do i make tea ? <a>",
             "<q>how do i make tea?<a> sure, heat water.<|endoftext|>",
             "  sure ,   heat   water  !  ",
             "how do i make chai?",
             "How do I make tea?",
             "tea?!... yes",
             "add the leaves, then wait<pad><pad>",
             "i don't know",
             ""]
    rows = []
    for t in texts:
        enc = tok.encode(t)
        rows.append({"text": t, "ids": enc.ids, "tokens": enc.tokens,
                     "decoded": tok.decode(enc.ids, skip_special_tokens=False),
                     "decoded_skip_special": tok.decode(enc.ids, skip_special_tokens=True)})
    note = ("tokenizers WordLevel model, vocab = the 'vocab' list here (id = index), unk_token '<unk>' "
            "(id 4); no normalizer (case-sensitive: 'How' -> <unk>). Special AddedTokens "
            "<|endoftext|>, <pad>, <q>, <a> are matched first, anywhere in the raw text, even glued to "
            "words ('<q>how' -> <q>, how); the text between them is then pre-tokenized by "
            "Sequence([WhitespaceSplit(), Punctuation(behavior='isolated')]): split on runs of whitespace "
            "(dropped), then every punctuation character (all 32 ASCII punctuation/symbol characters !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ plus Unicode categories P*) becomes its own piece ('tea?!' -> tea, ?, "
            "!; '...' -> ., ., .; \"don't\" -> don, ', t). Each piece is looked up whole; missing -> <unk>. "
            "No post-processor (nothing added). No decoder: decode(ids) maps ids to tokens and joins them "
            "with a single space (skip_special_tokens=False keeps the special tokens; "
            "decoded_skip_special drops them). ids = tokenizer.encode(text).ids.")
    write_json(os.path.join(GPT2, "word-tokenizer-expected.json"),
               {"note": note, "vocab": WORDS, "unk_token": "<unk>", "special_tokens": SPECIALS,
                "cases": rows})


# ---------------------------------------------------------------------------------------------
# 2f. Byte-level BPE tokenizer (GPT-2 format)
# ---------------------------------------------------------------------------------------------

CORPUS = """\
The kettle sang on the stove while the rain tapped against the kitchen window. She poured the hot
water over the leaves and waited three minutes, then four, because the first cup is always the
strongest. Tea, she thought, is mostly patience: you can't hurry the leaves and you don't need to.

A good answer is short and kind. When someone asks how to make tea, tell them to heat the water,
add the leaves, wait, and pour. Don't lecture them about the history of tea unless they ask. If
they ask twice, they really want to know; answer them the second time with more care.

The model reads one token at a time. It doesn't know words, only pieces of words that appeared
together often enough in the text it was trained on. Common words like "the" and "and" become single
tokens, while rare words are split into smaller parts. Numbers such as 2024, 42 and 3.14 are split
into digits and short runs of digits.

We trained it, we tested it, and we'll train it again tomorrow. It's small, it's fast, and it's
ours. The reward model prefers answers that are helpful, honest and harmless; the policy learns to
write them, one token after another, until it writes the end of text token.
"""


def make_bpe_tokenizer():
    path = os.path.join(GPT2, "bpe-tokenizer")
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    bpe = ByteLevelBPETokenizer(add_prefix_space=False)  # ByteLevel pre-tokenizer, use_regex=True
    bpe.train_from_iterator([CORPUS], vocab_size=400, min_frequency=2,
                            special_tokens=["<|endoftext|>"], show_progress=False)
    bpe.save_model(path)  # vocab.json, merges.txt
    bpe.save(os.path.join(path, "tokenizer.json"))
    print("wrote bpe-tokenizer/{vocab.json,merges.txt,tokenizer.json}")

    with open(os.path.join(path, "vocab.json")) as f:
        vocab = json.load(f)
    with open(os.path.join(path, "merges.txt")) as f:
        merges = [line.rstrip("\n") for line in f if line.strip() and not line.startswith("#version")]
    gpt2 = GPT2TokenizerFast(vocab=vocab, merges=[tuple(m.split(" ")) for m in merges])
    texts = ["The kettle sang on the stove.",
             "hello world",
             " leading space",
             "two  spaces and   three",
             "line one\nline two\n\nend",
             "tabs\tand\ttrailing   ",
             "Numbers: 2024, 42 and 3.14159!",
             "don't won't it's we'll they're I'm",
             "(brackets) [and] {braces}; \"quotes\" -- dashes...",
             "café naïve",
             "tea 🍵 time",
             "first<|endoftext|>second",
             "<|endoftext|>"]
    rows = []
    for t in texts:
        ids = gpt2.encode(t, add_special_tokens=False)
        assert ids == bpe.encode(t).ids, t  # tokenizer.json agrees with vocab.json + merges.txt
        decoded = gpt2.decode(ids, skip_special_tokens=False, clean_up_tokenization_spaces=False)
        assert decoded == t, (t, decoded)
        rows.append({"text": t, "ids": ids, "tokens": gpt2.convert_ids_to_tokens(ids),
                     "decoded": decoded})
    note = ("GPT-2 style byte-level BPE trained with tokenizers.ByteLevelBPETokenizer(add_prefix_space="
            "False) on a few paragraphs, vocab_size 400, min_frequency 2. vocab.json: token string -> id, "
            "where token strings use GPT-2's bytes_to_unicode mapping (space = 'Ġ', newline = 'Ċ'); "
            "'<|endoftext|>' is id 0, then the 256 single-byte tokens (ids 1..256, in bytes_to_unicode "
            "character order), then one token per merge in merges.txt order. merges.txt: '#version' "
            "header line then one merge 'a b' per line, highest priority first. Encoding: split out "
            "'<|endoftext|>' (special added token) first; pre-tokenize the rest with GPT-2's regex "
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+ (no prefix "
            "space added); map each piece's UTF-8 bytes through bytes_to_unicode; apply merges by rank; "
            "look up ids. ids = GPT2TokenizerFast(vocab, merges).encode(text, add_special_tokens=False), "
            "identical to tokenizer.json's encode(text).ids (no BOS/EOS added). decoded = decode(ids, "
            "skip_special_tokens=False, clean_up_tokenization_spaces=False), equal to the text.")
    write_json(os.path.join(GPT2, "bpe-tokenizer-expected.json"),
               {"note": note, "vocab_size": len(vocab), "num_merges": len(merges), "cases": rows})


# ---------------------------------------------------------------------------------------------
# 3. Stages: reward-model loss and DPO loss
# ---------------------------------------------------------------------------------------------

EOS, PAD = 0, 1
PAIRS = [
    {"prompt": [2, 14, 27, 9], "chosen": [30, 8, 12, 45], "rejected": [22, 5]},
    {"prompt": [3, 40, 18], "chosen": [7, 26, 11], "rejected": [33, 19, 4, 16, 20]},
]


def pair_batch():
    """Rows: chosen of pair 0, chosen of pair 1, rejected of pair 0, rejected of pair 1."""
    seqs, prompt_lens = [], []
    for kind in ("chosen", "rejected"):
        for p in PAIRS:
            seqs.append(p["prompt"] + p[kind] + [EOS])
            prompt_lens.append(len(p["prompt"]))
    return seqs, prompt_lens


def sgd_step(params, lr=0.1):
    torch.optim.SGD(params, lr=lr).step()


def make_stages(lm, reward_model, ref):
    seqs, prompt_lens = pair_batch()
    lengths = [len(s) for s in seqs]
    ids = torch.tensor(pad_right(seqs, pad=PAD))
    n = len(PAIRS)

    # Reward model: loss = mean -log sigmoid(r_chosen - r_rejected).
    rm = copy.deepcopy(reward_model)
    rm.train()  # dropout is 0, so train() changes nothing; grads on
    rm.zero_grad()
    rewards = rm(ids).logits[:, 0]
    r_chosen, r_rejected = rewards[:n], rewards[n:]
    loss = (-F.logsigmoid(r_chosen - r_rejected)).mean()
    loss.backward()
    p = dict(rm.named_parameters())
    grads = {k: p[k].grad.clone() for k in ("score.weight", "transformer.h.0.attn.c_attn.weight",
                                             "transformer.wte.weight", "transformer.ln_f.bias")}
    sgd_step(rm.parameters())
    reward_stage = {
        "r_chosen": flat(r_chosen), "r_rejected": flat(r_rejected), "loss": float(loss.detach()),
        "grads": {k: {"shape": list(v.shape), "data": flat(v)} for k, v in grads.items()},
        "params_after_sgd": {k: {"shape": list(p[k].shape), "data": flat(p[k])}
                             for k in ("score.weight", "transformer.ln_f.bias")},
    }

    # DPO: completion log-probs (response tokens + EOS), beta = 0.1.
    beta = 0.1
    policy = copy.deepcopy(lm)
    policy.train()
    policy.zero_grad()

    def completion_logprobs(model):
        logp = F.log_softmax(model(ids).logits, dim=-1)  # [B, T, V]
        out = []
        for b in range(ids.shape[0]):
            total = 0
            for j in range(prompt_lens[b], lengths[b]):  # response positions and the EOS
                total = total + logp[b, j - 1, ids[b, j]]
            out.append(total)
        return torch.stack(out)

    pol = completion_logprobs(policy)
    with torch.no_grad():
        refl = completion_logprobs(ref)
    pc, pr, rc, rr = pol[:n], pol[n:], refl[:n], refl[n:]
    logits_dpo = beta * ((pc - rc) - (pr - rr))
    dpo_loss = (-F.logsigmoid(logits_dpo)).mean()
    dpo_loss.backward()
    q = dict(policy.named_parameters())
    dnames = ("transformer.h.1.mlp.c_fc.weight", "transformer.wte.weight")
    dgrads = {k: q[k].grad.clone() for k in dnames}
    sgd_step(policy.parameters())
    dpo_stage = {
        "beta": beta,
        "policy_chosen_logp": flat(pc), "policy_rejected_logp": flat(pr),
        "reference_chosen_logp": flat(rc), "reference_rejected_logp": flat(rr),
        "chosen_rewards": flat(beta * (pc - rc)), "rejected_rewards": flat(beta * (pr - rr)),
        "loss": float(dpo_loss.detach()),
        "grads": {k: {"shape": list(v.shape), "data": flat(v)} for k, v in dgrads.items()},
        "params_after_sgd": {k: {"shape": list(q[k].shape), "data": flat(q[k])} for k in dnames},
    }

    note = (
        "Pairs: sequence = prompt + response + [EOS=0]; rows of input_ids are [chosen pair 0, chosen "
        "pair 1, rejected pair 0, rejected pair 1], right-padded with PAD=1 to the longest; no attention "
        "mask (causal attention + right padding make pads irrelevant). Weights are [in, out] (HF Conv1D) "
        "for c_attn/c_fc; tensors flat row-major. "
        "REWARD: model tiny-reward; r = score(ln_f hidden at the last non-pad position = the EOS); "
        "loss = mean over pairs of -log sigmoid(r_chosen - r_rejected). grads are d loss / d param on "
        "the whole batch; params_after_sgd = param - 0.1 * grad (torch.optim.SGD lr=0.1, no momentum, "
        "no weight decay). "
        "DPO: policy = tiny-lm, reference = tiny-lm-ref (frozen). Logits at position t predict token "
        "t+1. Completion log-prob of a row = sum over j = prompt_length .. length-1 (the response "
        "positions and the EOS; prompt tokens and pads excluded) of log_softmax(logits[j-1])[ids[j]], "
        "i.e. log p(token_j | tokens_<j). loss = mean over pairs of -log sigmoid(beta * ((pc - rc) - "
        "(pr - rr))) with pc/pr policy chosen/rejected and rc/rr reference chosen/rejected; "
        "chosen_rewards = beta*(pc - rc), rejected_rewards = beta*(pr - rr). The wte gradient includes "
        "both uses of the tied matrix (token embedding and lm_head). params_after_sgd as above.")
    write_json(os.path.join(GPT2, "stages-expected.json"), {
        "note": note, "eos_token_id": EOS, "pad_token_id": PAD, "pairs": PAIRS,
        "input_ids": ids.tolist(), "lengths": lengths, "prompt_lengths": prompt_lens,
        "reward": reward_stage, "dpo": dpo_stage})


# ---------------------------------------------------------------------------------------------

def main():
    make_adamw()
    lm = make_lm()
    reward_model = make_reward()
    ref = make_reference(lm)
    names = {"tiny-lm": save_model(lm, "tiny-lm"),
             "tiny-lm-ref": save_model(ref, "tiny-lm-ref"),
             "tiny-reward": save_model(reward_model, "tiny-reward")}
    for model_name, tensors in names.items():
        print(f"{model_name}:")
        for k, s in tensors.items():
            print(f"  {k} {s}")
    # Reload the saved files and check they reproduce the in-memory models.
    re_lm = GPT2LMHeadModel.from_pretrained(os.path.join(GPT2, "tiny-lm"), attn_implementation="eager").eval()
    assert torch.allclose(lm_logits(re_lm, SEQ1), lm_logits(lm, SEQ1), rtol=1e-6, atol=1e-6)
    re_rm = GPT2ForSequenceClassification.from_pretrained(os.path.join(GPT2, "tiny-reward"),
                                                          attn_implementation="eager").eval()
    with torch.no_grad():
        assert torch.allclose(re_rm(torch.tensor([SEQ1])).logits, reward_model(torch.tensor([SEQ1])).logits,
                              rtol=1e-6, atol=1e-6)
    make_lm_expected(lm)
    make_reward_expected(reward_model)
    make_sampling_expected(lm)
    make_word_tokenizer()
    make_bpe_tokenizer()
    make_stages(lm, reward_model, ref)


if __name__ == "__main__":
    main()
