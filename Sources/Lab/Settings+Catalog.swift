/// Every setting the lab knows, with its default and range: the hyperparameters of each stage
/// in one flat, commented list (nanoGPT style). Stages read them by name, e.g.
/// `session.settings.float("ppo.clip")`. A stage that needs a new knob adds one line here.
extension Settings {
    public static let catalog: [SettingSpec] = {
        func learningRate(_ name: String, _ group: SettingGroup, _ value: Double, _ doc: String) -> SettingSpec {
            SettingSpec(name, group, .float(FloatRange(0, 1, lowerInclusive: false)), default: .float(value), doc)
        }
        func batch(_ name: String, _ group: SettingGroup, _ value: Int, _ doc: String) -> SettingSpec {
            SettingSpec(name, group, .int(1...1024), default: .int(value), doc)
        }
        return [
            // Session
            SettingSpec("seed", .session, .int(0...2_147_483_648), default: .int(0),
                        "seed of the session's random numbers (init, shuffles, sampling)"),
            SettingSpec("threads", .session, .int(1...64), default: .int(1),
                        "OpenBLAS threads; 1 and 2 threads can differ in the last bits"),
            SettingSpec("verbose", .session, .int(0...3), default: .int(1),
                        "0 loss only, 1 + top-k probabilities, 2 + gradient norms, 3 + raw tensors"),
            SettingSpec("output", .session, .word(["text", "json"]), default: .word("text"),
                        "text for people, json for programs (one object per command)"),
            SettingSpec("color", .session, .word(["auto", "on", "off"]), default: .word("auto"),
                        "auto = colour when stdout is a terminal and NO_COLOR is unset"),
            SettingSpec("unicode", .session, .bool, default: .bool(true),
                        "eighth-block bars and sparklines; off = ASCII '#'"),
            SettingSpec("width", .session, .int(40...300), default: .int(100),
                        "columns used by tables, bars and charts"),
            SettingSpec("bail", .session, .bool, default: .bool(false),
                        "stop a script (:read) at its first error"),

            // Training (all stages)
            SettingSpec("grad_clip", .training, .float(FloatRange(0, 100)), default: .float(1.0),
                        "clip the global gradient norm to this (0 = off)"),
            SettingSpec("weight_decay", .training, .float(FloatRange(0, 1)), default: .float(0.0),
                        "AdamW decoupled weight decay"),

            // Pre-training
            learningRate("pretrain.lr", .pretraining, 3e-3, "AdamW learning rate for next-token pre-training"),
            batch("pretrain.batch", .pretraining, 16, "sequences per pre-training step"),

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
            SettingSpec("pg.baseline", .policy, .word(["none", "mean", "rloo"]), default: .word("mean"),
                        "subtracted from rewards: none, batch mean, or leave-one-out mean"),
            SettingSpec("beta", .policy, .float(FloatRange(0, 100)), default: .float(0.1),
                        "KL penalty weight: reward - beta * KL(policy || reference)"),
            SettingSpec("kl_estimator", .policy, .word(["k1", "k3"]), default: .word("k1"),
                        "k1 = log ratio, k3 = (ratio - 1) - log ratio (always >= 0)"),
            learningRate("ppo.lr", .policy, 3e-4, "AdamW learning rate for PPO"),
            SettingSpec("ppo.epochs", .policy, .int(1...100), default: .int(4),
                        "passes over each batch of rollouts"),
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
            SettingSpec("ppo.target_kl", .policy, .float(FloatRange(0, 10)), default: .float(0),
                        "stop the epochs early when KL to the old policy exceeds this (0 = off)"),

            // DPO
            learningRate("dpo.lr", .dpo, 3e-4, "AdamW learning rate for DPO"),
            SettingSpec("dpo.beta", .dpo, .float(FloatRange(0, 100, lowerInclusive: false)), default: .float(0.1),
                        "beta in loss = -log sigmoid(beta * (log-ratio chosen - log-ratio rejected))"),
            batch("dpo.batch", .dpo, 16, "preference pairs per DPO step"),
        ]
    }()
}
