import Foundation
import Numerics
import Stages

/// Runs a stage for some steps, the way every training verb does: a line per step (or every
/// tenth of the run), a progress bar on a terminal, Ctrl-C between steps, the divergence guard,
/// then a summary with the loss sparkline and the gradient/update table of the last step.
struct TrainingRun {
    let session: Session
    let stageName: String

    /// Extra numbers for a step line, e.g. "ppl 3.41" or "acc 0.75".
    var describeStep: (StepReport) -> String = { _ in "" }

    func run(_ stage: any TrainingStage, steps: Int) throws -> (reports: [StepReport], displays: [Display], fields: [String: JSONValue]) {
        let pipeline = session.pipeline
        let every = steps <= 20 ? 1 : Int((Double(steps) / 10).rounded(.up))
        let progress = ProgressBar(stageName, total: steps, session: session)
        let started = Date()
        var reports: [StepReport] = []
        var stoppedByInterrupt = false
        var divergence: DivergenceError? = nil
        for index in 0..<steps {
            if session.interrupt.isRequested { stoppedByInterrupt = true; break }
            let report: StepReport
            do { report = try stage.step() } catch let error as DivergenceError { divergence = error; break }
            reports.append(report)
            pipeline.lossHistory.append((stageName, report.step, report.loss))
            pipeline.stepHistory.append(report)
            pipeline.lastReport = report
            pipeline.lastStage = stage
            session.status = "\(stageName) \(report.step)"
            if (index + 1) % every == 0 || index == steps - 1 || index == 0 {
                progress.clearLine()
                session.log(Format.wrapFields(stepLine(report), separator: "  ", width: session.width))
            }
            progress.update(index + 1, note: "loss \(Format.number(report.loss))") { reports.map(\.loss) }
        }
        progress.finish(reports.count, note: reports.last.map { "loss \(Format.number($0.loss))" } ?? "", losses: reports.map(\.loss))
        var lines: [Display] = []
        if let first = reports.first, let last = reports.last {
            var summary = "\(stageName): \(reports.count) step\(reports.count == 1 ? "" : "s") (\(first.step)-\(last.step)), " +
                "loss \(Format.number(first.loss)) -> \(Format.number(last.loss))"
            if session.console.isTerminal { summary += String(format: " in %.1f s", Date().timeIntervalSince(started)) }
            lines.append(.text(summary))
            if reports.count > 2 {
                lines.append(.sparkline(SparklineDisplay(label: "loss", values: reports.map(\.loss), width: min(40, session.width - 30))))
            }
            if session.settings.int("verbose") >= 1 { lines.append(UpdateTable.display(last, session: session)) }
        }
        if stoppedByInterrupt {
            session.interrupt.clear()
            lines.append(.text(Format.wrapHanging("stopped by Ctrl-C after \(reports.count) of \(steps) steps; the model has the weights after step \(reports.last?.step ?? stage.stepsDone)",
                                                  width: session.width)))
        }
        let fields: [String: JSONValue] = [
            "stage": .string(stageName), "steps": .int(reports.count), "interrupted": .bool(stoppedByInterrupt),
            "reports": .array(reports.map(UpdateTable.json)),
        ]
        if let divergence {
            if !lines.isEmpty && !session.printsJSON { session.console.out(TerminalRenderer.render(lines, style: session.renderStyle)) }
            throw LabError("\(divergence)", hint: "lower it with e.g. `:set \(stageName == "reinforce" ? "pg" : stageName).lr 1e-3`, then run \(stageName) again")
        }
        return (reports, lines, fields)
    }

    func stepLine(_ report: StepReport) -> String {
        var line = "\(stageName) step \(report.step)  loss \(Format.number(report.loss))"
        let extra = describeStep(report)
        if !extra.isEmpty { line += "  " + extra }
        line += "  |g| \(Format.number(report.gradientNorm))  lr \(Format.plain(Double(report.learningRate)))"
        return line
    }
}

/// The gradient/update table of a step: per tensor (or per block, compactly) the gradient norm,
/// the update norm and the update/weight ratio.
enum UpdateTable {
    /// Compact (verbose 1): one row per group of tensors (wte, wpe, h.0, h.1, ..., ln_f, heads),
    /// each norm being sqrt(sum of the squared norms in the group). Verbose 2: every tensor.
    /// `everyTensor` forces the full table (as `grads` and `last` do) whatever `verbose` says.
    static func render(_ report: StepReport, session: Session, everyTensor: Bool = false) -> String {
        TerminalRenderer.render(display(report, session: session, everyTensor: everyTensor), style: session.renderStyle)
    }

    static func display(_ report: StepReport, session: Session, everyTensor: Bool = false) -> Display {
        let full = everyTensor || session.settings.int("verbose") >= 2
        var groups: [(name: String, grad: Double, update: Double, weight: Double)] = []
        for update in report.updates {
            let name = full ? update.name : group(of: update.name)
            if let index = groups.firstIndex(where: { $0.name == name }) {
                groups[index].grad += update.gradientNorm * update.gradientNorm
                groups[index].update += update.updateNorm * update.updateNorm
                groups[index].weight += update.weightNorm * update.weightNorm
            } else {
                groups.append((name, update.gradientNorm * update.gradientNorm, update.updateNorm * update.updateNorm,
                               update.weightNorm * update.weightNorm))
            }
        }
        let rows = groups.map { g -> [String] in
            let ratio = g.weight > 0 ? (g.update / g.weight).squareRoot() : 0
            return [g.name, Format.number(g.grad.squareRoot()), Format.number(g.update.squareRoot()), Format.number(ratio)]
        }
        return .table(TableDisplay(headers: ["tensor", "grad norm", "update norm", "update/weight"], rows: rows,
                                   alignments: [.left, .right, .right, .right], maxWidth: session.width))
    }

    /// transformer.h.0.attn.c_attn.weight -> h.0; transformer.wte.weight -> wte.
    static func group(of name: String) -> String {
        let parts = name.split(separator: ".")
        if parts.count >= 3 && parts[0] == "transformer" && parts[1] == "h" { return "h.\(parts[2])" }
        if parts.count >= 2 && parts[0] == "transformer" { return String(parts[1]) }
        return String(parts.first ?? "")
    }

    static func json(_ report: StepReport) -> JSONValue {
        var object: [String: JSONValue] = [
            "stage": .string(report.stage), "step": .int(report.step), "loss": .number(report.loss),
            "learning_rate": .number(Double(report.learningRate)), "seed": .string(String(report.seed)),
            "grad_norm": .number(report.gradientNorm),
        ]
        for metric in report.metrics { object[metric.name] = .number(metric.value) }
        if !report.examples.isEmpty {
            object["examples"] = .array(report.examples.map { row in
                .object(Dictionary(uniqueKeysWithValues: zip(report.exampleColumns, row.map { JSONValue.number($0) })))
            })
        }
        object["tensors"] = .array(report.updates.map {
            .object(["name": .string($0.name), "grad_norm": .number($0.gradientNorm), "update_norm": .number($0.updateNorm),
                     "update_to_weight": .number($0.updateToWeightRatio)])
        })
        return .object(object)
    }
}

/// The stage a training verb steps: the one in progress when it still trains the same models
/// (so the optimiser's state and the data order carry on) with the session's current settings,
/// otherwise a new one whose seed comes from the session's random numbers.
func continueOrStart<Stage: ConfigurableStage>(_ existing: Stage?, sameModels: (Stage) -> Bool, settings: Stage.Settings,
                                               session: Session, start: (Stage.Settings) throws -> Stage) throws -> Stage {
    var settings = settings
    if let existing, sameModels(existing) {
        try settings.validate()
        settings.seed = existing.settings.seed
        existing.settings = settings
        return existing
    }
    settings.seed = session.rng.next()
    return try start(settings)
}
