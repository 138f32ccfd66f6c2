import Foundation
import GPT2

/// The figures of one configuration at one thread count.
public struct BenchmarkResult: Sendable {
    public let config: String
    public let threads: Int
    /// Timed repetitions behind each median.
    public let repetitions: Int
    public let blasVersion: String
    public let blasCore: String
    // Each figure is nil when it was not measured (`--only` left it out).
    /// Forward + backward + AdamW on next-token cross-entropy, tokens per second.
    public let trainTokensPerSecond: Double?
    /// The same steps in GFLOP/s: tokens per second x `BenchmarkConfig.trainingFlopsPerToken`
    /// (to compare with the machine's peak, or with sgemm_gflops).
    public let trainGflops: Double?
    /// KV-cached sampling, new tokens per second, one row and eight rows at once.
    public let sampleTokensPerSecondBatch1: Double?
    public let sampleTokensPerSecondBatch8: Double?
    /// Reward model forward + backward + AdamW, preference pairs per second.
    public let rewardPairsPerSecond: Double?
    /// Seconds per PPO iteration (measured on the tiny configuration only).
    public let ppoStepSeconds: Double?
    /// 512x512x512 product: raw cblas_sgemm on OpenBLAS's own threads, and through the tensor
    /// `matmul` on ours.
    public let sgemmGflops: Double?
    public let matmulGflops: Double?
    /// The process's peak resident memory after this configuration (nil without /proc).
    public let peakRSSMiB: Double?

    /// Every figure under its JSON key, in table order.
    public var figures: [(key: String, value: Double?)] {
        [("train_tokens_per_s", trainTokensPerSecond),
         ("train_gflops", trainGflops),
         ("sample_tokens_per_s_b1", sampleTokensPerSecondBatch1),
         ("sample_tokens_per_s_b8", sampleTokensPerSecondBatch8),
         ("rm_pairs_per_s", rewardPairsPerSecond),
         ("ppo_step_s", ppoStepSeconds),
         ("sgemm_gflops", sgemmGflops),
         ("matmul_gflops", matmulGflops),
         ("peak_rss_mib", peakRSSMiB)]
    }
}

/// One JSON object per line and result:
/// {"config":"tiny","threads":2,"blas_version":"0.3.21","blas_core":"Cooperlake","repetitions":5,"train_tokens_per_s":...}
public func benchmarkJSONLines(_ results: [BenchmarkResult]) -> String {
    results.map { result in
        var fields = [("config", jsonStringLiteral(result.config)), ("threads", String(result.threads)),
                      ("blas_version", jsonStringLiteral(result.blasVersion)), ("blas_core", jsonStringLiteral(result.blasCore)),
                      ("repetitions", String(result.repetitions))]
        fields += result.figures.map { ($0.key, $0.value.map(jsonNumber) ?? "null") }
        return "{" + fields.map { "\(jsonStringLiteral($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }.joined(separator: "\n") + "\n"
}

/// The table: one row per configuration and thread count, then the ratio to PyTorch where a
/// reference figure exists (PyTorch was measured with 2 threads: compare the 2-thread rows).
public func benchmarkTable(_ results: [BenchmarkResult]) -> String {
    guard let first = results.first else { return "no benchmark results\n" }
    let headers = ["config", "threads", "train tok/s", "train GFLOP/s", "sample b1 tok/s", "sample b8 tok/s",
                   "rm pairs/s", "ppo step s", "sgemm GFLOP/s", "matmul GFLOP/s", "peak RSS MiB"]
    let decimals = [0, 1, 0, 0, 1, 3, 1, 1, 1]   // for each figure, in `figures` order
    let rows = results.map { result in
        [result.config, String(result.threads)] + zip(result.figures, decimals).map { figure, places in
            figure.value.map { formatFigure($0, decimals: places) } ?? "-"
        }
    }
    var text = "OpenBLAS \(first.blasVersion) (\(first.blasCore)); median of \(first.repetitions) timed repetition"
        + (first.repetitions == 1 ? "" : "s") + " after a warm-up\n"
    text += alignedTable(headers: headers, rows: rows)
    let compared = results.filter { pytorchReference[$0.config] != nil && $0.threads == 2 }
    if !compared.isEmpty {
        let keys = ["train_tokens_per_s", "sample_tokens_per_s_b1", "sample_tokens_per_s_b8", "rm_pairs_per_s"]
        var ratioRows: [[String]] = []
        for result in compared {
            let reference = pytorchReference[result.config]!
            let values = Dictionary(uniqueKeysWithValues: result.figures.map { ($0.key, $0.value) })
            let ratios = keys.map { key -> String? in
                guard let ours = values[key] ?? nil, let theirs = reference[key] else { return nil }
                return formatFigure(ours / theirs, decimals: 2) + "x"
            }
            if ratios.contains(where: { $0 != nil }) { ratioRows.append([result.config] + ratios.map { $0 ?? "-" }) }
        }
        if !ratioRows.isEmpty {
            text += "\nratio to PyTorch on this machine (2 threads; above 1 is faster):\n"
            text += alignedTable(headers: ["config", "train", "sample b1", "sample b8", "rm pairs"], rows: ratioRows)
        }
    }
    return text
}

/// The result of the memory check: resident memory early in a long run and at its end.
public struct MemoryCheckResult: Sendable {
    public let config: String
    public let threads: Int
    public let steps: Int
    /// VmRSS after `earlyStep` steps and after all steps, in MiB.
    public let earlyStep: Int
    public let earlyRSSMiB: Double?
    public let finalRSSMiB: Double?
    public let peakRSSMiB: Double?
    public let finalLoss: Float
}

/// {"config":"tiny","threads":2,"steps":10000,"rss_mib_after_100":...,"rss_mib_after_10000":...,"peak_rss_mib":...}
public func memoryCheckJSON(_ result: MemoryCheckResult) -> String {
    let fields = [("config", jsonStringLiteral(result.config)), ("threads", String(result.threads)),
                  ("steps", String(result.steps)),
                  ("rss_mib_after_\(result.earlyStep)", result.earlyRSSMiB.map(jsonNumber) ?? "null"),
                  ("rss_mib_after_\(result.steps)", result.finalRSSMiB.map(jsonNumber) ?? "null"),
                  ("peak_rss_mib", result.peakRSSMiB.map(jsonNumber) ?? "null"),
                  ("final_loss", jsonNumber(Double(result.finalLoss)))]
    return "{" + fields.map { "\(jsonStringLiteral($0.0)):\($0.1)" }.joined(separator: ",") + "}\n"
}

public func memoryCheckText(_ result: MemoryCheckResult) -> String {
    func mib(_ value: Double?) -> String { value.map { formatFigure($0, decimals: 1) + " MiB" } ?? "unknown" }
    var change = ""
    if let early = result.earlyRSSMiB, let final = result.finalRSSMiB {
        change = " (change " + formatFigure(final - early, decimals: 1) + " MiB)"
    }
    return """
        memory check: \(result.steps) training steps of the \(result.config) config, \(result.threads) thread\(result.threads == 1 ? "" : "s")
        resident after \(result.earlyStep) steps: \(mib(result.earlyRSSMiB))
        resident after \(result.steps) steps: \(mib(result.finalRSSMiB))\(change)
        peak resident: \(mib(result.peakRSSMiB)); final loss \(String(format: "%.4f", Double(result.finalLoss)))

        """
}

// MARK: Formatting

/// A figure with thousands separators: 65700 -> "65,700", 0.0712 with 2 decimals -> "0.07".
func formatFigure(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return String(value) }
    let text = String(format: "%.\(decimals)f", value)
    let parts = text.split(separator: ".", maxSplits: 1)
    var whole = String(parts[0])
    let negative = whole.hasPrefix("-")
    if negative { whole.removeFirst() }
    var grouped = ""
    for (index, digit) in whole.reversed().enumerated() {
        if index > 0 && index % 3 == 0 { grouped.append(",") }
        grouped.append(digit)
    }
    return (negative ? "-" : "") + String(grouped.reversed()) + (parts.count > 1 ? "." + parts[1] : "")
}

/// Left-aligned first column, right-aligned numbers, two spaces between columns.
func alignedTable(headers: [String], rows: [[String]]) -> String {
    var widths = headers.map(\.count)
    for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, cell in
            let padding = String(repeating: " ", count: widths[i] - cell.count)
            return i == 0 ? cell + padding : padding + cell
        }.joined(separator: "  ")
    }
    return ([line(headers)] + rows.map(line)).joined(separator: "\n") + "\n"
}

/// A finite number with up to 4 decimals (JSON has no NaN or infinity: those become null).
func jsonNumber(_ value: Double) -> String {
    guard value.isFinite else { return "null" }
    let text = String(format: "%.4f", value)
    var trimmed = Substring(text)
    while trimmed.hasSuffix("0") { trimmed = trimmed.dropLast() }
    if trimmed.hasSuffix(".") { trimmed = trimmed.dropLast() }
    return String(trimmed)
}
