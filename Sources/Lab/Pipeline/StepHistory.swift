import Stages

/// The numbers of every step of each stage's current run, for `plot`: loss, gradient norm and
/// the stage's metrics (reward, KL, accuracy, clipfrac, ...). A stage that starts again from
/// step 1 (new models, `:load`) starts a new history.
public struct StepHistory {
    public struct Step {
        public let step: Int
        public let loss: Double
        public let gradientNorm: Double
        public let metrics: [(name: String, value: Double)]
    }
    /// stage name -> steps in order
    public private(set) var runs: [String: [Step]] = [:]
    /// Stage names in the order they last ran (the last one is what `plot` shows by default).
    public private(set) var order: [String] = []

    mutating func append(_ report: StepReport) {
        if let last = runs[report.stage]?.last, report.step <= last.step { runs[report.stage] = [] }
        runs[report.stage, default: []].append(Step(step: report.step, loss: report.loss,
                                                    gradientNorm: report.gradientNorm, metrics: report.metrics))
        if order.last != report.stage {
            order.removeAll { $0 == report.stage }
            order.append(report.stage)
        }
    }

    /// The names `plot` accepts for a stage: loss, grad_norm and the stage's own metric names.
    func metricNames(of stage: String) -> [String] {
        ["loss", "grad_norm"] + (runs[stage]?.last?.metrics.map(\.name) ?? [])
    }

    /// One number per step, or nil when the stage does not report it.
    func series(_ metric: String, of stage: String) -> (steps: [Double], values: [Double])? {
        guard let steps = runs[stage], !steps.isEmpty else { return nil }
        let x = steps.map { Double($0.step) }
        switch metric {
        case "loss": return (x, steps.map(\.loss))
        case "grad_norm": return (x, steps.map(\.gradientNorm))
        default:
            guard steps.last!.metrics.contains(where: { $0.name == metric }) else { return nil }
            let pairs = steps.compactMap { step in step.metrics.first { $0.name == metric }.map { (Double(step.step), $0.value) } }
            return (pairs.map(\.0), pairs.map(\.1))
        }
    }
}
