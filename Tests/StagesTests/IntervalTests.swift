import Testing
import Stages

/// The 95% intervals `eval` prints beside every rate.
@Suite struct IntervalTests {
    @Test func wilsonMatchesPublishedValues() {
        // Newcombe (1998), Table I: 81 of 263 -> 0.2553 to 0.3662 (Wilson score, 95%).
        let interval = wilsonInterval(successes: 81, total: 263)
        #expect(abs(interval.low - 0.2553) < 5e-4 && abs(interval.high - 0.3662) < 5e-4, "\(interval)")
        // 0 of 10 is not the empty interval [0, 0]: it reaches up to 0.2775.
        let none = wilsonInterval(successes: 0, total: 10)
        #expect(none.low == 0 && abs(none.high - 0.2775) < 5e-4, "\(none)")
        let all = wilsonInterval(successes: 10, total: 10)
        #expect(abs(all.low - 0.7225) < 5e-4 && all.high == 1, "\(all)")
        #expect(wilsonInterval(successes: 0, total: 0) == RateInterval(low: 0, high: 1))
    }

    @Test func wilsonNarrowsWithMoreSamples() {
        let small = wilsonInterval(successes: 5, total: 10), large = wilsonInterval(successes: 500, total: 1000)
        #expect(small.contains(0.5) && large.contains(0.5))
        #expect(large.high - large.low < (small.high - small.low) / 5)
    }

    @Test func bootstrapIsSeededAndCoversTheMean() {
        let groups: [[Double]] = (0..<40).map { i in [i % 3 == 0 ? 1 : 0, i % 2 == 0 ? 0.5 : 1] }
        let mean = groups.flatMap { $0 }.reduce(0, +) / 80
        let a = bootstrapInterval(groups: groups, seed: 7), b = bootstrapInterval(groups: groups, seed: 7)
        #expect(a == b)
        #expect(a.contains(mean) && a.low < a.high, "\(a) around \(mean)")
        // Identical groups leave no doubt.
        let same = bootstrapInterval(groups: [[Double]](repeating: [1, 0], count: 20))
        #expect(same == RateInterval(low: 0.5, high: 0.5))
    }

    @Test func bootstrapOverGroupsIsWiderThanOverSamplesWhenGroupsDiffer() {
        // 20 prompts whose 4 samples all win, 20 whose 4 samples all lose: the prompts are the
        // independent draws, so the interval is that of 40 coin flips, not of 160.
        let groups: [[Double]] = (0..<40).map { [Double](repeating: $0 < 20 ? 1 : 0, count: 4) }
        let grouped = bootstrapInterval(groups: groups)
        let flat = wilsonInterval(successes: 80, total: 160)
        #expect(grouped.high - grouped.low > (flat.high - flat.low) * 1.5, "\(grouped) vs \(flat)")
    }
}
