import Numerics

/// Every setting the lab knows, with its default and range: the hyperparameters of each stage
/// in one flat, commented list (nanoGPT style). Stages read them by name, e.g.
/// `session.settings.float("ppo.clip")`. A stage that needs a new knob adds one line here.
extension Settings {
    public static let catalog: [SettingSpec] = {
        func learningRate(_ name: String, _ group: SettingGroup, _ value: Double, _ doc: String) -> SettingSpec {
            // up to 1e6: a student may push the learning rate until training diverges (the guard catches it)
            SettingSpec(name, group, .float(FloatRange(0, 1e6, lowerInclusive: false)), default: .float(value), doc)
        }
        func batch(_ name: String, _ group: SettingGroup, _ value: Int, _ doc: String) -> SettingSpec {
            SettingSpec(name, group, .int(1...1024), default: .int(value), doc)
        }
        return [
            // Session
            SettingSpec("seed", .session, .int(0...2_147_483_648), default: .int(0),
                        "seed of the session's random numbers (init, shuffles, sampling)"),
            SettingSpec("threads", .session, .int(1...64), default: .int(ComputeThreads.machineDefault),
                        "worker threads for the math (one per core by default); they change the speed, never a number"),
            SettingSpec("verbose", .session, .int(0...3), default: .int(1),
                        "0 loss only, 1 + top-k probabilities, 2 + gradient norms, 3 + raw tensors"),
            SettingSpec("output", .session, .word(["text", "json"]), default: .word("text"),
                        "text for people, json for programs (one object per command)"),
            SettingSpec("color", .session, .word(["auto", "on", "off"]), default: .word("auto"),
                        "auto = colour when stdout is a terminal and NO_COLOR is unset"),
            SettingSpec("unicode", .session, .bool, default: .bool(true),
                        "eighth-block bars and sparklines; off = ASCII '#'"),
            SettingSpec("width", .session, .int(40...300), default: .int(100),
                        "columns used by tables, bars and charts (at a terminal: the window's, until set)"),
            SettingSpec("bail", .session, .bool, default: .bool(false),
                        "stop a script (:read) at its first error"),

            // Training (all stages)
            SettingSpec("grad_clip", .training, .float(FloatRange(0, 100)), default: .float(1.0),
                        "clip the global gradient norm to this (0 = off)"),
            SettingSpec("weight_decay", .training, .float(FloatRange(0, 1)), default: .float(0.0),
                        "AdamW decoupled weight decay"),

            // A new model (:new)
            SettingSpec("model.layers", .pretraining, .int(1...12), default: .int(1),
                        "transformer blocks of a model made by :new"),
            SettingSpec("model.width", .pretraining, .int(8...1024), default: .int(64),
                        "embedding size (n_embd) of a model made by :new; a multiple of model.heads"),
            SettingSpec("model.heads", .pretraining, .int(1...64), default: .int(4),
                        "attention heads of a model made by :new"),
            SettingSpec("model.context", .pretraining, .int(8...1024), default: .int(64),
                        "context length (n_positions) of a model made by :new"),

            // Pre-training
            learningRate("pretrain.lr", .pretraining, 1e-2, "AdamW learning rate for next-token pre-training"),
            batch("pretrain.batch", .pretraining, 16, "sequences per pre-training step"),
            SettingSpec("pretrain.warmup", .pretraining, .int(0...1_000_000), default: .int(100),
                        "steps of linear learning-rate warm-up at the start of pre-training"),

            // SFT
            learningRate("sft.lr", .sft, 1e-3, "AdamW learning rate for supervised fine-tuning"),
            batch("sft.batch", .sft, 16, "prompt/response pairs per SFT step"),

            // Sampling
            SettingSpec("temperature", .sampling, .float(FloatRange(0, 10)), default: .float(1.0),
                        "divide logits by this before softmax; 0 = greedy (always the most likely token)"),
            SettingSpec("top_k", .sampling, .int(0...100_000), default: .int(0),
                        "keep the k most likely tokens (0 = off; must not exceed the vocabulary)"),
            SettingSpec("top_p", .sampling, .float(FloatRange(0, 1, lowerInclusive: false)), default: .float(1.0),
                        "keep the smallest set of tokens whose probability reaches p (1 = off)"),
            SettingSpec("max_tokens", .sampling, .int(1...1024), default: .int(40),
                        "longest response, in tokens"),
            SettingSpec("samples", .sampling, .int(1...64), default: .int(4),
                        "responses per prompt (K)"),

            // Reward model
            learningRate("reward.lr", .reward, 1e-3, "AdamW learning rate for the reward model"),
            batch("reward.batch", .reward, 16, "preference pairs per reward-model step"),
            SettingSpec("reward.margin", .reward, .float(FloatRange(0, 10)), default: .float(0),
                        "m in loss = -log sigmoid(r_chosen - r_rejected - m)"),
            SettingSpec("reward.center", .reward, .float(FloatRange(0, 10)), default: .float(0),
                        "weight of (r_chosen + r_rejected)^2, which keeps rewards near 0"),

            // Policy optimisation: REINFORCE-style policy gradient and PPO
            learningRate("pg.lr", .policy, 5e-4, "learning rate for the policy-gradient (REINFORCE) stage"),
            batch("pg.batch", .policy, 64, "responses per policy-gradient step"),
            SettingSpec("pg.baseline", .policy, .word(["none", "moving", "rloo", "batch"]), default: .word("batch"),
                        "none; moving average; leave-one-out over the K samples; batch = (R - mean) / std"),
            SettingSpec("pg.samples", .policy, .int(1...64), default: .int(1),
                        "samples per prompt in a policy-gradient step (K; rloo needs 2 or more)"),
            SettingSpec("beta", .policy, .float(FloatRange(0, 100)), default: .float(0.1),
                        "KL penalty weight: reward - beta * KL(policy || reference)"),
            SettingSpec("kl_estimator", .policy, .word(["k1", "k3"]), default: .word("k1"),
                        "k1 = log ratio, k3 = (ratio - 1) - log ratio (always >= 0)"),
            SettingSpec("rl.reward", .policy, .word(["model", "labeler"]), default: .word("model"),
                        "what scores reinforce, ppo and grpo responses: the reward model, or the rule labeler itself (a perfect reward model)"),
            SettingSpec("rl.ensemble_k", .policy, .float(FloatRange(0, 10)), default: .float(0),
                        "with a reward-model ensemble (reward init --ensemble K): the reward is mean - k * std of the members' rewards (Coste et al. 2023); 0 = the mean"),
            learningRate("ppo.lr", .policy, 1e-4, "AdamW learning rate for PPO (lower than REINFORCE: each batch is used for several epochs)"),
            SettingSpec("ppo.epochs", .policy, .int(1...100), default: .int(4),
                        "passes over each batch of rollouts"),
            batch("ppo.batch", .policy, 64, "rollouts (prompts) per PPO iteration"),
            batch("ppo.minibatch", .policy, 32, "rollouts per PPO gradient step"),
            SettingSpec("ppo.clip", .policy, .float(FloatRange(0, 1, lowerInclusive: false)), default: .float(0.2),
                        "epsilon in clip(ratio, 1 - epsilon, 1 + epsilon)"),
            SettingSpec("ppo.vf_coef", .policy, .float(FloatRange(0, 10)), default: .float(0.1),
                        "weight of the value loss"),
            SettingSpec("ppo.vf_clip", .policy, .float(FloatRange(0, 10)), default: .float(0.2),
                        "clip range of value predictions (0 = off)"),
            SettingSpec("gamma", .policy, .float(FloatRange(0, 1)), default: .float(1.0),
                        "discount per token in returns and GAE"),
            SettingSpec("lambda", .policy, .float(FloatRange(0, 1)), default: .float(0.95),
                        "GAE lambda: 0 = one-step TD, 1 = Monte Carlo"),
            SettingSpec("ppo.target_kl", .policy, .float(FloatRange(0, 100)), default: .float(0),
                        "adaptive KL controller: beta moves so the KL approaches this (0 = fixed beta)"),
            SettingSpec("ppo.kl_horizon", .policy, .float(FloatRange(1, 1e9)), default: .float(10000),
                        "adaptive KL controller horizon: larger = slower beta changes"),

            // GRPO (TRL's GRPOConfig names in the docs)
            learningRate("grpo.lr", .policy, 5e-4, "AdamW learning rate for GRPO"),
            batch("grpo.batch", .policy, 8, "prompts per GRPO step (each gets a group of grpo.group samples)"),
            SettingSpec("grpo.group", .policy, .int(2...64), default: .int(8),
                        "samples per prompt, the group its advantages are relative to (TRL num_generations)"),
            SettingSpec("grpo.clip", .policy, .float(FloatRange(0, 1, lowerInclusive: false)), default: .float(0.2),
                        "epsilon in clip(ratio, 1 - epsilon, 1 + epsilon) (TRL epsilon)"),
            SettingSpec("grpo.iterations", .policy, .int(1...16), default: .int(1),
                        "updates per batch of samples; with 1 the ratio is exactly 1 and nothing clips (TRL num_iterations)"),
            SettingSpec("grpo.beta", .policy, .float(FloatRange(0, 100)), default: .float(0),
                        "weight of the k3 KL to the reference inside the GRPO loss (TRL default 0, DeepSeekMath 0.04)"),
            SettingSpec("grpo.scale", .policy, .word(["group", "batch", "none"]), default: .word("group"),
                        "advantage (r - group mean) / (std + 1e-4) with the group's std, the batch's std, or none (Dr. GRPO)"),
            SettingSpec("grpo.loss", .policy, .word(["grpo", "dapo"]), default: .word("dapo"),
                        "grpo = mean per response, then over responses; dapo = mean over all tokens (TRL default)"),

            // DPO
            learningRate("dpo.lr", .dpo, 3e-4, "AdamW learning rate for DPO"),
            SettingSpec("dpo.beta", .dpo, .float(FloatRange(0, 100, lowerInclusive: false)), default: .float(0.1),
                        "beta in loss = -log sigmoid(beta * (log-ratio chosen - log-ratio rejected))"),
            batch("dpo.batch", .dpo, 16, "preference pairs per DPO step"),

            // Feedback and evaluation
            SettingSpec("pair.contrast", .feedback, .float(FloatRange(0, 1)), default: .float(0.5),
                        "fraction of autolabel pairs whose 2nd response comes from the base model (if loaded)"),
            SettingSpec("eval.samples", .feedback, .int(1...64), default: .int(2),
                        "samples per prompt in eval"),
            SettingSpec("eval.prompts", .feedback, .word(["heldout", "unseen", "train", "sft"]), default: .word("heldout"),
                        "which prompt set eval uses"),
        ]
    }()
}
