import Foundation
import Numerics
import GPT2
import Stages

/// `grads`, `updates`, `weights`, `loss`, `last`: looking inside the numbers.
extension Command {
    static let inspectionCommands: [Command] = [.grads, .updates, .weights, .loss, .last]

    /// Finds a tensor by its full name, or by a unique part of it (`h.0.attn.c_attn.weight`, `wte`).
    static func findTensor(_ query: String, in tensors: [Tensor], _ args: Arguments) throws -> Tensor {
        if let exact = tensors.first(where: { $0.name == query }) { return exact }
        let matches = tensors.filter { $0.name.hasSuffix(query) || $0.name.contains(query) }
        if matches.count == 1 { return matches[0] }
        if matches.isEmpty {
            let nearest = tensors.map(\.name).min { EditDistance.distance($0, query) < EditDistance.distance($1, query) } ?? ""
            throw args.error("no tensor '\(query)'", hint: "did you mean \(nearest)? (`grads` lists them)")
        }
        throw args.error("'\(query)' matches \(matches.count) tensors", hint: matches.prefix(6).map(\.name).joined(separator: ", "))
    }

    /// Shape, norm, min/mean/max and the first values of an array.
    static func describeValues(_ name: String, shape: [Int], _ values: [Float]) -> (String, [String: JSONValue]) {
        let finite = values.filter(\.isFinite)
        let minimum = finite.min() ?? 0, maximum = finite.max() ?? 0
        let mean = finite.isEmpty ? 0 : finite.reduce(0, +) / Float(finite.count)
        let text = "\(name) \(shape): norm \(Format.number(l2Norm(values))), min \(Format.number(minimum)), mean \(Format.number(mean)), max \(Format.number(maximum))" +
            (finite.count < values.count ? ", \(values.count - finite.count) not finite" : "") +
            "\n  first values: " + values.prefix(8).map { Format.number($0) }.joined(separator: " ")
        return (text, ["name": .string(name), "shape": .array(shape.map { .int($0) }), "norm": .number(l2Norm(values)),
                       "min": .number(Double(minimum)), "mean": .number(Double(mean)), "max": .number(Double(maximum)),
                       "first": .array(values.prefix(8).map { .number(Double($0)) })])
    }

    static func lastStage(_ session: Session, _ args: Arguments) throws -> any TrainingStage {
        guard let stage = session.pipeline.lastStage else {
            throw args.error("no training step yet", hint: "run a training verb first, e.g. `pretrain 10`")
        }
        return stage
    }

    static let grads = Command(
        "grads", group: .inspection,
        arguments: "[<tensor>]",
        summary: "the gradients of the last training step",
        help: """
            Without a name: every trained tensor with its gradient norm, update norm and \
            update/weight ratio at the last step. With a tensor name (or a unique part of it, \
            like h.0.attn.c_attn.weight): its gradient's norm, min, mean, max and first values.
            """,
        examples: ["grads", "grads h.0.mlp.c_fc.weight", "grads score"],
        completion: .custom { session, _ in session.pipeline.lastStage?.trainedParameters.map(\.name) ?? [] }
    ) { session, args in
        try args.expect(atMost: 1)
        let stage = try lastStage(session, args)
        guard let query = args[0] else {
            guard let report = session.pipeline.lastReport else { throw args.error("no training step yet") }
            return CommandResult([.text("\(report.stage) step \(report.step):"), UpdateTable.display(report, session: session, everyTensor: true)],
                                 fields: ["report": UpdateTable.json(report)], style: session.renderStyle)
        }
        let tensor = try findTensor(query, in: stage.trainedParameters, args)
        guard let gradient = tensor.grad else { throw args.error("\(tensor.name) has no gradient yet") }
        let (text, fields) = describeValues("d loss / d \(tensor.name)", shape: tensor.shape, gradient)
        return CommandResult(text: text, fields: fields)
    }

    static let updates = Command(
        "updates", group: .inspection,
        arguments: "[<tensor>]",
        summary: "what the last step changed in the weights",
        help: """
            Without a name: the update norms of every trained tensor (as `grads`). With a tensor \
            name: the change w_new - w_old of that tensor at the last step. With AdamW each \
            element moves by about the learning rate, whatever the size of its gradient.
            """,
        examples: ["updates", "updates wte"],
        completion: .custom { session, _ in session.pipeline.lastStage?.trainedParameters.map(\.name) ?? [] }
    ) { session, args in
        try args.expect(atMost: 1)
        let stage = try lastStage(session, args)
        guard let query = args[0] else { return try Command.grads.run(session, args) }
        let tensor = try findTensor(query, in: stage.trainedParameters, args)
        guard let update = stage.update(of: tensor.name) else { throw args.error("\(tensor.name) has no update yet") }
        let (text, fields) = describeValues("update of \(tensor.name)", shape: tensor.shape, update)
        return CommandResult(text: text, fields: fields)
    }

    static let weights = Command(
        "weights", group: .inspection,
        arguments: "<tensor> [--role <role>]",
        summary: "look at one weight tensor of a model",
        help: "Shows a tensor of the policy (or --role reward, reference, base): shape, norm, min, mean, max, first values.",
        examples: ["weights wte", "weights score --role reward"],
        completion: .custom { session, _ in session.pipeline.models[.policy]?.parameters.map(\.name) ?? [] },
        options: [OptionSpec("role", value: "role", "which model (default policy)")]
    ) { session, args in
        try args.expect(atMost: 1)
        let query = try args.string(0, name: "tensor")
        let roleName = args.options["role"] ?? "policy"
        guard let role = Role(rawValue: roleName) else { throw args.error("unknown role '\(roleName)'", hint: "policy, reference, reward or base") }
        let model = try session.pipeline.model(role, for: "weights")
        let tensor = try findTensor(query, in: model.parameters, args)
        let (text, fields) = describeValues(tensor.name, shape: tensor.shape, tensor.data)
        return CommandResult(text: text, fields: fields)
    }

    static let loss = Command(
        "loss", group: .inspection,
        arguments: "[<stage>]",
        summary: "a chart of the loss of every step so far",
        help: "Charts the loss history of each stage that ran (or of one stage), with its first and last value. SFT also shows the train and held-out losses measured after each `sft` command.",
        examples: ["loss", "loss sft"],
        completion: .words(["pretrain", "sft", "reward", "reinforce", "ppo", "grpo", "dpo"])
    ) { session, args in
        try args.expect(atMost: 1)
        let pipeline = session.pipeline
        let history = pipeline.lossHistory.filter { args[0] == nil || $0.stage == args[0] }
        guard !history.isEmpty else { throw args.error("no losses yet\(args[0].map { " for \($0)" } ?? "")", hint: "train first, e.g. `pretrain 50`") }
        var stages: [String] = []
        for entry in history where !stages.contains(entry.stage) { stages.append(entry.stage) }
        var lines: [Display] = []
        var fields: [String: JSONValue] = [:]
        for stage in stages {
            let values = history.filter { $0.stage == stage }.map(\.loss)
            lines.append(.text("\(stage): \(values.count) steps, loss \(Format.number(values.first!)) -> \(Format.number(values.last!))"))
            lines.append(.chart(ChartDisplay(title: "\(stage) loss", xLabel: "step", yLabel: "loss", series: [ChartSeries(name: "loss", values: values)],
                                             height: 6, width: min(60, session.width - 12), titleInTerminal: false)))
            fields[stage] = .array(values.map { .number($0) })
        }
        if (args[0] == nil || args[0] == "sft") && !pipeline.sftCurves.isEmpty {
            lines.append(.text("SFT train vs held-out loss:\n" + pipeline.sftCurves.map {
                "  after \($0.step) steps: train \(Format.number($0.train)), held-out \(Format.number($0.heldOut))"
            }.joined(separator: "\n")))
        }
        return CommandResult(lines, fields: fields, style: session.renderStyle)
    }

    static let last = Command(
        "last", group: .inspection,
        arguments: "",
        summary: "the full report of the last training step",
        help: "Every number of the last step: stage, step, seed, learning rate, loss, metrics, the per-example rows and every tensor's gradient and update.",
        examples: ["last"]
    ) { session, args in
        try args.expect(atMost: 0)
        guard let report = session.pipeline.lastReport else { throw args.error("no training step yet", hint: "run a training verb first") }
        var lines = ["\(report.stage) step \(report.step): loss \(Format.number(report.loss)), learning rate \(Format.plain(Double(report.learningRate))), seed \(report.seed), gradient norm \(Format.number(report.gradientNorm))"]
        for metric in report.metrics { lines.append("  \(metric.name) \(Format.number(metric.value))") }
        var displays: [Display] = [.text(lines.joined(separator: "\n"))]
        if !report.examples.isEmpty {
            let rows = report.examples.prefix(16).enumerated().map { ["\($0.offset + 1)"] + $0.element.map { Format.number($0) } }
            displays.append(.table(TableDisplay(headers: ["#"] + report.exampleColumns, rows: rows,
                                                alignments: [.left] + report.exampleColumns.map { _ in .right }, maxWidth: session.width,
                                                footnote: report.examples.count > 16 ? "... \(report.examples.count - 16) more rows (--json has them all)" : nil)))
        }
        displays.append(UpdateTable.display(report, session: session, everyTensor: true))
        return CommandResult(displays, fields: ["report": UpdateTable.json(report)], style: session.renderStyle)
    }
}
