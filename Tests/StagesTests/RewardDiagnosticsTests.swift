import Testing
import Stages

/// `reward eval`'s diagnostics: accuracy by the labeler's gap, length correlation, worst pairs.
@Suite struct RewardDiagnosticsTests {
    func comparison(_ chosen: String, _ rejected: String, gap: Double) -> Comparison {
        Comparison(prompt: "tea ?", chosen: chosen, rejected: rejected, labeler: "rule", chosenScore: gap, rejectedScore: 0)
    }

    @Test func accuracyIsCountedPerGapBucket() {
        let comparisons = [comparison("a", "b", gap: 1), comparison("a", "b", gap: 0.5), comparison("a", "b", gap: 2),
                           comparison("a", "b", gap: 7), comparison("a", "b", gap: 7)]
        let rewards: [(chosen: Double, rejected: Double)] = [(1, 0), (0, 1), (0, 1), (2, 1), (3, 1)]
        let diagnostics = RewardDiagnostics(comparisons: comparisons, rewards: rewards)
        #expect(diagnostics.buckets.map(\.label) == ["0.5-1", "1.5-2", "6.5+"])
        #expect(diagnostics.buckets.map(\.pairs) == [2, 1, 2])
        #expect(diagnostics.buckets.map(\.accuracy) == [0.5, 0, 1])
        #expect(diagnostics.buckets[2].interval == wilsonInterval(successes: 2, total: 2))
        // the worst-ranked pairs come first, most negative margin first (ties in order)
        #expect(diagnostics.worst.map(\.margin) == [-1, -1])
        #expect(diagnostics.worst[0].comparison.chosenScore == 0.5)
    }

    @Test func lengthCorrelation() {
        #expect(abs(pearsonCorrelation([1, 2, 3, 4], [2, 4, 6, 8]) - 1) < 1e-12)
        #expect(abs(pearsonCorrelation([1, 2, 3, 4], [8, 6, 4, 2]) + 1) < 1e-12)
        #expect(pearsonCorrelation([1, 1, 1], [1, 2, 3]) == 0)
        // longer answers scored higher: positive correlation
        let comparisons = [comparison("a b c d e f", "a", gap: 3), comparison("a b c d", "a b", gap: 3)]
        let diagnostics = RewardDiagnostics(comparisons: comparisons, rewards: [(3, 0), (2, 1)])
        #expect(diagnostics.lengthCorrelation > 0.9)
    }
}
