import Foundation
import Testing
import Numerics
import GPT2
import Stages
import Lab

/// Every pipeline verb through the same entry point the REPL uses (`session.execute`),
/// on a very small model so the suite stays fast; and each verb's bad inputs.
@Suite(.serialized) struct PipelineCommandTests {
    func run(_ session: Session, _ line: String) -> CommandOutcome {
        session.execute(line: line)
    }

    /// The line fails with a one-line error that contains `message`, and changes nothing the
    /// session shows in :models or :set.
    func expectFailure(_ session: Session, _ line: String, contains message: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let models = session.execute(line: ":models").stdout
        let settings = session.execute(line: ":set").stdout
        let outcome = session.execute(line: line)
        #expect(!outcome.ok, "\(line) should fail", sourceLocation: sourceLocation)
        #expect(outcome.stderr.contains(message), "\(line): \(outcome.stderr)", sourceLocation: sourceLocation)
        #expect(outcome.stderr.split(separator: "\n").first?.hasPrefix("error: ") == true, sourceLocation: sourceLocation)
        #expect(session.execute(line: ":models").stdout == models, sourceLocation: sourceLocation)
        #expect(session.execute(line: ":set").stdout == settings, sourceLocation: sourceLocation)
    }

    @Test func verbsWithoutAModelSayHowToGetOne() {
        let session = makeSession()
        for line in ["pretrain 1", "sft 1", "softmax tea ?", "sample tea ? 2", "pair", "autolabel 2", "reward init",
                     "reinforce 1", "ppo 1", "grpo 1", "dpo 1", "eval", "weights wte"] {
            expectFailure(session, line, contains: "no policy model")
        }
        expectFailure(session, "grads", contains: "no training step yet")
        expectFailure(session, "last", contains: "no training step yet")
        expectFailure(session, "loss", contains: "no losses yet")
        expectFailure(session, "prefer 1", contains: "no pair to label")
    }

    /// `:models` shows a model loaded from a folder inside the current one by its relative path
    /// (an absolute path did not fit a 100-column table and was cut), its JSON the whole path.
    @Test func modelsShowsFoldersRelativeToTheCurrentOne() throws {
        let session = Session(console: .capturing())
        #expect(run(session, ":load policy sft").ok)
        let table = run(session, ":models").stdout
        let policy = try #require(table.split(separator: "\n").first { $0.hasPrefix("policy") })
        #expect(policy.hasSuffix(" lessons/models/sft") || policy.hasSuffix("/lessons/models/sft"), "\(policy)")
        #expect(!policy.contains(FileManager.default.currentDirectoryPath + "/"), "\(policy)")
        let json = run(session, ":models --json").stdout
        #expect(json.contains("lessons/models/sft\""))
    }

    @Test func modelCommands() throws {
        let session = tinySession()
        let before = run(session, ":models").stdout
        let lines = before.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(lines.first == ["role", "layers", "d", "heads", "context", "vocabulary", "head", "parameters", "from"], "\(before)")
        #expect(lines.contains { $0.prefix(5) == ["policy", "1", "16", "2", "32"] && $0[6] == "LM" }, "\(before)")
        expectFailure(session, ":new reward", contains: "unknown role 'reward'")
        expectFailure(session, ":new policy --model.width 15", contains: "not a multiple of model.heads")
        expectFailure(session, ":load policy /nonexistent/model", contains: "no model folder")
        expectFailure(session, ":load wizard base", contains: "unknown role 'wizard'")
        expectFailure(session, ":copy policy policy", contains: "already")
        expectFailure(session, ":copy policy reward", contains: "not a reward model")
        expectFailure(session, ":save reward /tmp/x", contains: "no reward model")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-lab-save-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(run(session, ":save policy \(folder)").ok)
        #expect(run(session, ":load reference \(folder)").ok)
        #expect(run(session, ":copy policy base").ok)
        let models = run(session, ":models").stdout
        #expect(models.contains("reference") && models.contains(folder) && models.contains("copy of policy"))
        // the saved model is the same model: identical weights after loading
        let pipeline = session.pipeline
        #expect(pipeline.models[.policy]!.namedParameters["transformer.wte.weight"]!.data
                == pipeline.models[.reference]!.namedParameters["transformer.wte.weight"]!.data)
    }

    @Test func trainingVerbsReportStepsAndRefuseBadValues() {
        let session = tinySession()
        let pretrain = run(session, "pretrain 3")
        #expect(pretrain.ok)
        #expect(pretrain.stdout.contains("pretrain step 3  loss"))
        #expect(pretrain.stdout.contains("grad norm"))
        #expect(session.prompt == "rlhf[pretrain 3]> ")
        #expect(run(session, "pretrain 2").stdout.contains("(4-5)"))      // continues, same optimiser
        expectFailure(session, "pretrain 0", contains: "out of range")
        expectFailure(session, "pretrain two", contains: "must be a whole number")
        expectFailure(session, "pretrain 1 --pretrain.lr nan", contains: "nan is not a number")
        expectFailure(session, "pretrain 1 --pretrain.lr -1", contains: "pretrain.lr")
        expectFailure(session, "sft 1 --data /nonexistent.jsonl", contains: "does not exist")
        let sft = run(session, "sft 2")
        #expect(sft.ok && sft.stdout.contains("train loss") && sft.stdout.contains("held-out loss"))
        #expect(run(session, "sft eval").stdout.contains("after 2 SFT steps"))
        #expect(run(session, "loss").stdout.contains("pretrain: 5 steps"))
        #expect(run(session, "last").stdout.contains("sft step 2"))
        #expect(run(session, "grads").stdout.contains("transformer.h.0.attn.c_attn.weight"))
        #expect(run(session, "grads h.0.mlp.c_fc.weight").stdout.contains("d loss / d transformer.h.0.mlp.c_fc.weight [16, 64]"))
        #expect(run(session, "updates wte").stdout.contains("update of transformer.wte.weight"))
        expectFailure(session, "grads c_attn", contains: "matches 2 tensors")
        expectFailure(session, "grads nonsense", contains: "no tensor 'nonsense'")
        #expect(run(session, "weights wpe").stdout.contains("transformer.wpe.weight [32, 16]"))
    }

    @Test func samplingVerbs() {
        let session = tinySession()
        #expect(run(session, "tokens how do i make tea?").stdout.contains("tea(") )
        let softmax = run(session, "softmax how do i make tea ? --temperature 0.5 --top_k 3")
        #expect(softmax.ok && softmax.stdout.contains("entropy") && softmax.stdout.contains("3 tokens kept"))
        let sample = run(session, "sample tea ? 3 --verbose")
        #expect(sample.ok && sample.stdout.contains("3: ") && sample.stdout.contains("labeler"))
        // the same seed gives the same samples
        let again = tinySession()
        #expect(run(again, "sample tea ? 3 --verbose").stdout == sample.stdout)
        expectFailure(session, "sample tea ? 0", contains: "out of range")
        // words the tokenizer does not know are named (`sample 2` samples the prompt "2")
        let unknown = run(session, "sample 2")
        #expect(unknown.ok && unknown.stdout.hasPrefix("note: not in the vocabulary, read as <unk>: 2\n"), "\(unknown.stdout)")
        #expect(run(session, "softmax xyzzy tea ? xyzzy").stdout.hasPrefix("note: not in the vocabulary, read as <unk>: xyzzy\n"))
        #expect(!sample.stdout.contains("note:"))
        expectFailure(session, "softmax", contains: "missing <prompt>")
        expectFailure(session, "sample tea ? 2 --top_k 100000", contains: "vocabulary has only")
        expectFailure(session, "sample tea ? 2 --temperature -1", contains: "temperature")
        let long = Array(repeating: "tea", count: 40).joined(separator: " ")
        expectFailure(session, "sample \(long)", contains: "context holds 32")
    }

    @Test func feedbackRewardAndPolicyVerbs() throws {
        let session = tinySession()
        #expect(run(session, "pair tea ?").stdout.contains("prefer 1 or prefer 2"))
        expectFailure(session, "prefer 3", contains: "out of range")
        #expect(run(session, "prefer 2").stdout.contains("recorded: response 2 preferred"))
        expectFailure(session, "prefer 1", contains: "no pair to label")
        let auto = run(session, "autolabel 6")
        #expect(auto.ok && auto.stdout.contains("labelled 6 pairs"))
        #expect(run(session, "prefs").stdout.contains("7 comparisons"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-prefs-\(getpid()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(run(session, "prefs export \(file)").ok)
        #expect(try PreferenceStore.load(from: URL(fileURLWithPath: file)).comparisons.count == 7)
        expectFailure(session, "prefs import /nonexistent.jsonl", contains: "does not exist")
        expectFailure(session, "prefs frobnicate", contains: "unknown subcommand")

        expectFailure(session, "reward train 1", contains: "no reward model")
        let initialized = run(session, "reward init")
        #expect(initialized.ok && initialized.stdout.contains("score [1, 16]"))
        let train = run(session, "reward train 2")
        #expect(train.ok && train.stdout.contains("dloss/ddelta") && train.stdout.contains("accuracy"))
        #expect(run(session, "reward score tea ? | sure ! heat water .").stdout.contains("reward "))
        expectFailure(session, "reward score tea ?", contains: "separated by |")
        expectFailure(session, "reward fly", contains: "unknown subcommand")

        expectFailure(session, "reinforce 1", contains: "no reference model")
        #expect(run(session, ":copy policy reference").ok)
        #expect(run(session, "reinforce 1 --pg.batch 4").stdout.contains("reinforce step 1"))
        expectFailure(session, "reinforce 1 --pg.baseline rloo --pg.samples 1", contains: "samples")
        #expect(run(session, "ppo 1 --ppo.batch 4 --ppo.minibatch 2").stdout.contains("clipfrac"))
        let table = run(session, "ppo table 1")
        #expect(table.ok && table.stdout.contains("adv(w)") && table.stdout.contains("<|endoftext|>") || table.stdout.contains("ratio"))
        expectFailure(session, "ppo table 99", contains: "out of range")
        #expect(run(session, "dpo 1 --dpo.batch 4").stdout.contains("dpo step 1"))
        // the rule labeler as the reward needs no reward model
        let noReward = tinySession()
        #expect(run(noReward, ":copy policy reference").ok)
        expectFailure(noReward, "reinforce 1 --pg.batch 4", contains: "no reward model")
        #expect(run(noReward, "reinforce 1 --pg.batch 4 --rl.reward labeler").stdout.contains("reinforce step 1"))
        #expect(run(noReward, "ppo 1 --ppo.batch 4 --ppo.minibatch 2 --rl.reward labeler").stdout.contains("clipfrac"))
        expectFailure(noReward, "reinforce 1 --rl.reward oracle", contains: "rl.reward")
        let eval = run(session, "eval --eval.samples 1 --as tiny")
        #expect(eval.ok && eval.stdout.contains("win vs ref"))
        #expect(run(session, "eval table").stdout.contains("tiny"))
        expectFailure(session, "eval reward", contains: "unknown role")
    }

    @Test func grpoStepsAndGroupTable() throws {
        let session = tinySession()
        expectFailure(session, "grpo table", contains: "no GRPO step yet")
        expectFailure(session, "grpo 1", contains: "no reference model")
        #expect(run(session, ":copy policy reference").ok)
        expectFailure(session, "grpo 1", contains: "no reward model")
        let labeler = "--rl.reward labeler --grpo.batch 2 --grpo.group 4"
        expectFailure(session, "grpo 0 \(labeler)", contains: "out of range")
        expectFailure(session, "grpo 1 \(labeler) --grpo.group 1", contains: "grpo.group")
        expectFailure(session, "grpo 1 \(labeler) --grpo.scale median", contains: "grpo.scale")
        expectFailure(session, "grpo 1 \(labeler) --grpo.loss mean", contains: "grpo.loss")
        expectFailure(session, "grpo 1 \(labeler) --grpo.clip 0", contains: "grpo.clip")
        expectFailure(session, "grpo 1 \(labeler) --grpo.iterations 0", contains: "grpo.iterations")
        expectFailure(session, "grpo 1 2", contains: "unexpected argument")
        let first = run(session, "grpo 2 \(labeler)")
        #expect(first.ok, "\(first.stderr)")
        for name in ["grpo step 2", "reward_std", "frac_reward_zero_std", "clip_ratio/region_mean", "entropy",
                     "completions/mean_length", "ratio = 1 exactly and nothing clips", "rule-labeler"] {
            // long lines wrap at the session's width with a hanging indent of 4
            #expect(first.stdout.replacingOccurrences(of: "\n    ", with: " ").contains(name), "\(name): \(first.stdout)")
        }
        #expect(run(session, "grpo 1 \(labeler)").stdout.contains("(3-3)"))      // continues, same optimiser
        let table = run(session, "grpo table 2")
        #expect(table.ok && table.stdout.contains("group 2 of 2, step 3") && table.stdout.contains("Bessel: divides by n - 1 = 3"))
        #expect(table.stdout.contains("advantage") && table.stdout.contains("tokens"))
        expectFailure(session, "grpo table 3", contains: "out of range")
        expectFailure(session, "grpo table one", contains: "whole number")
        // a group whose rewards are all equal says so, with the count of such groups
        let stage = try #require(session.pipeline.lastReport)
        #expect(stage.stage == "grpo")
        for group in 1...2 {
            let text = run(session, "grpo table \(group)").stdout
            let rewards = stage.examples.filter { $0[0] == Double(group) }.map { $0[1] }
            #expect(text.contains("every advantage is 0") == (Set(rewards).count == 1), "\(text)")
        }
        // two iterations: the ratio moves after the first update, and the note about ratio 1 goes
        let twice = run(session, "grpo 1 \(labeler) --grpo.iterations 2 --grpo.beta 0.04 --grpo.scale none --grpo.loss grpo")
        #expect(twice.ok && !twice.stdout.contains("ratio = 1 exactly"))
        let json = try JSONSerialization.jsonObject(with: Data(run(session, "grpo table 1 --json").stdout.utf8)) as! [String: Any]
        #expect((json["responses"] as! [Any]).count == 4)
    }

    @Test func jsonModeGivesTheSameNumbers() throws {
        let session = tinySession()
        let outcome = run(session, "pretrain 2 --json")
        let object = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as! [String: Any]
        #expect(object["ok"] as? Bool == true && object["command"] as? String == "pretrain")
        let reports = object["reports"] as! [[String: Any]]
        #expect(reports.count == 2)
        let last = session.pipeline.lastReport!
        #expect(reports[1]["loss"] as! Double == last.loss)
    }

    @Test func anEnormousLearningRateDoesNotEndTheSession() {
        let session = tinySession()
        var diverged = false
        for _ in 0..<10 {
            let outcome = run(session, "sft 3 --sft.lr 1e6 --grad_clip 0")
            if !outcome.ok {
                #expect(outcome.stderr.contains("the step was not applied") && outcome.stderr.contains("lower learning rate"))
                diverged = true
            }
        }
        // the session carries on, with finite weights
        #expect(run(session, "sft 1").ok || diverged)
        #expect(session.pipeline.models[.policy]!.parameters.allSatisfy { $0.data.allSatisfy(\.isFinite) })
        #expect(run(session, ":models").ok)
    }
}
