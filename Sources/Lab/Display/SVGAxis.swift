import Foundation

/// An axis of a picture: the range it shows, rounded out to "nice" ticks (1, 2 or 5 × 10^k apart),
/// and each tick's label written compactly (0.5, 0.0014, 1.5e-4, 2.5k).
///
///     0...1           -> 0, 0.2, 0.4, 0.6, 0.8, 1
///     0.0013...0.0021 -> 0.0012, 0.0014, ..., 0.0022
///     -3...7          -> -4, -2, 0, 2, 4, 6, 8
///     1...1           -> 0.9, 0.95, 1, 1.05, 1.1   (a flat line sits in the middle)
public struct SVGAxis: Equatable {
    /// The range drawn, from the first tick to the last.
    public var low: Double
    public var high: Double
    /// Distance between ticks: 1, 2 or 5 × 10^k.
    public var step: Double
    public var ticks: [Double]

    /// Ticks covering `low...high`, about `count` + 1 of them (the step is the nice number nearest
    /// to the range / count).
    public init(low: Double, high: Double, count: Int = 5) {
        var low = low.isFinite ? low : 0, high = high.isFinite ? high : 1
        if low > high { swap(&low, &high) }
        if low == high {
            // A single value: a window of ±10 % of it (±1 around zero), so the value is the middle tick.
            let pad = low == 0 ? 1 : abs(low) * 0.1
            low -= pad; high += pad
        }
        let step = SVGAxis.niceStep((high - low) / Double(max(1, count)))
        // Ticks are whole multiples of step: k × step, k from floor(low / step) to ceil(high / step),
        // where a quotient within 1e-6 of a whole number is that number (1.1 / 0.05 = 22.000000000000004).
        func snapped(_ k: Double) -> Double { abs(k - k.rounded()) < 1e-6 ? k.rounded() : k }
        let first = snapped(low / step).rounded(.down), last = snapped(high / step).rounded(.up)
        guard last - first <= 50, first + 1 != first else {
            // A range too wide for a Double's span (±1e308) or too narrow for its precision (1e20 + 1):
            // just its two ends.
            self.step = high - low; self.ticks = [low, high]; self.low = low; self.high = high
            return
        }
        self.step = step
        self.ticks = stride(from: first, through: last, by: 1).map { SVGAxis.clean($0 * step, step: step) }
        self.low = ticks.first ?? low
        self.high = ticks.last ?? high
    }

    /// The one of 1, 2, 5 × 10^k nearest to `rough` (1.0 for a zero or non-finite span): fractions
    /// below 1.5 round to 1, below 3 to 2, below 7 to 5, else to 10.
    static func niceStep(_ rough: Double) -> Double {
        guard rough.isFinite, rough > 0 else { return 1 }
        let power = pow(10, (log10(rough)).rounded(.down))
        let fraction = rough / power   // 1 ≤ fraction < 10
        let nice: Double = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        return nice * power
    }

    /// k × step without the binary noise of the product (3 × 0.1 is 0.30000000000000004).
    static func clean(_ value: Double, step: Double) -> Double {
        guard step.isNormal else { return value }
        let digits = max(0, -Int((log10(step)).rounded(.down))) + 1
        guard digits < 17 else { return value }
        let scale = pow(10, Double(digits))
        let cleaned = (value * scale).rounded() / scale
        return cleaned == 0 ? 0 : cleaned   // never -0
    }

    /// Where `value` falls between `from` (at low) and `to` (at high), in picture units.
    public func position(_ value: Double, from: Double, to: Double) -> Double {
        from + (value - low) / (high - low) * (to - from)
    }

    /// Every tick's label, written with as few digits as tell the ticks apart.
    public var labels: [String] { ticks.map(label) }

    /// One tick's label: plain decimals for everyday magnitudes (0.25, 12, 1500), k/M/G above 10 000
    /// (25k, 2.5M), and a power of ten below 0.001 (1.5e-4).
    public func label(_ value: Double) -> String {
        if value == 0 { return "0" }
        guard step.isNormal, value.isFinite else { return Format.plain(value) }
        let largest = max(abs(low), abs(high))
        if largest >= 1e4 && largest < 1e15 {
            let (divisor, suffix): (Double, String) =
                largest >= 1e12 ? (1e12, "T") : largest >= 1e9 ? (1e9, "G") : largest >= 1e6 ? (1e6, "M") : (1e3, "k")
            return SVGAxis.decimal(value / divisor, step: step / divisor) + suffix
        }
        if largest < 1e-3 || largest >= 1e15 {
            // mantissa × 10^exponent, the mantissa with the digits the step needs.
            let exponent = Int(log10(largest).rounded(.down))
            let mantissa = value / pow(10, Double(exponent))
            return SVGAxis.decimal(mantissa, step: step / pow(10, Double(exponent))) + "e\(exponent)"
        }
        return SVGAxis.decimal(value, step: step)
    }

    /// `value` with the decimals that `step` needs: step 0.2 -> one decimal, step 5 -> none.
    static func decimal(_ value: Double, step: Double) -> String {
        let decimals = max(0, -Int((log10(step) + 1e-9).rounded(.down)))
        let text = String(format: "%.\(min(decimals, 12))f", value)
        return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
    }
}
