import Testing
import Stages

/// The ensemble's reward: mean - k * std of its members' rewards.
@Suite struct RewardEnsembleTests {
    @Test func meanMinusKStandardDeviations() {
        #expect(ensembleReward([1, 2, 3], penalty: 0) == 2)
        // population std of {1, 2, 3} = sqrt(2/3) = 0.8165
        #expect(abs(ensembleReward([1, 2, 3], penalty: 1) - (2 - 0.816_496_6)) < 1e-6)
        #expect(abs(ensembleReward([1, 2, 3], penalty: 2) - (2 - 2 * 0.816_496_6)) < 1e-6)
        // members that agree lose nothing to the penalty
        #expect(ensembleReward([0.5, 0.5, 0.5], penalty: 3) == 0.5)
        #expect(ensembleReward([], penalty: 1) == 0)
    }
}
