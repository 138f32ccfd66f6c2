import Foundation
import Testing
import Lab

/// `plot` and `compare` through `session.execute`, on a tiny random model.
@Suite(.serialized) struct PlotCommandTests {
    @Test func plotChartsEveryStepOfTheLastStage() throws {
        let session = tinySession()
        #expect(session.execute(line: "plot").stderr.contains("no training steps yet"))
        #expect(session.execute(line: "pretrain 12").ok)
        let outcome = session.execute(line: "plot")
        #expect(outcome.ok, "\(outcome.stderr)")
        let result = try #require(outcome.result)
        guard case .chart(let chart) = result.displays.first else { Issue.record("no chart"); return }
        #expect(chart.series.count == 1)
        #expect(chart.series[0].y.count == 12)
        #expect(chart.series[0].x == (1...12).map(Double.init))
        #expect(outcome.stdout.hasPrefix("pretrain loss: "))
        #expect(outcome.stdout.contains("step 1 … 12"))
        // the chart's values are the losses the steps reported
        let losses = session.pipeline.lossHistory.map(\.loss)
        #expect(chart.series[0].y == losses)
    }

    @Test func plotTakesAliasesAndSeveralMetrics() throws {
        let session = tinySession()
        #expect(session.execute(line: "pretrain 5").ok)
        let outcome = session.execute(line: "plot pretrain ppl grad")
        #expect(outcome.ok, "\(outcome.stderr)")
        #expect(outcome.result?.displays.count == 2)
        #expect(outcome.stdout.contains("pretrain perplexity: "))
        #expect(outcome.stdout.contains("pretrain grad_norm: "))
    }

    @Test func plotRefusesUnknownMetricsAndStagesWithoutSteps() {
        let session = tinySession()
        #expect(session.execute(line: "pretrain 3").ok)
        let unknown = session.execute(line: "plot klx")
        #expect(!unknown.ok)
        #expect(unknown.stderr.hasPrefix("error: plot: pretrain has no metric 'klx'"))
        #expect(unknown.stderr.contains("pretrain reports: loss, grad_norm, perplexity"))
        let noSteps = session.execute(line: "plot ppo")
        #expect(noSteps.stderr.contains("no ppo steps in this session yet"))
    }

    @Test func plotSFTShowsTrainBesideHeldOut() throws {
        let session = tinySession()
        #expect(session.execute(line: "sft 2").ok)
        #expect(session.execute(line: "sft 2").ok)
        let outcome = session.execute(line: "plot sft")
        #expect(outcome.ok, "\(outcome.stderr)")
        let charts = outcome.result?.displays.compactMap { display -> ChartDisplay? in
            if case .chart(let chart) = display { return chart } else { return nil }
        } ?? []
        #expect(charts.count == 2)
        #expect(charts.last?.series.map(\.name) == ["train", "held-out"])
        #expect(charts.last?.series[0].x == [2, 4])
        #expect(outcome.stdout.contains("* train   o held-out"))
    }

    @Test func compareShowsEachRoleSideBySideAndKeepsTheSessionOnErrors() throws {
        let session = tinySession()
        #expect(session.execute(line: ":copy policy reference").ok)
        let outcome = session.execute(line: "compare reference policy how do i make tea ?")
        #expect(outcome.ok, "\(outcome.stderr)")
        guard case .columns(let columns)? = outcome.result?.displays.last else { Issue.record("no columns"); return }
        #expect(columns.columns.map(\.heading) == ["reference", "policy"])
        #expect(columns.columns.allSatisfy { $0.details.first?.hasPrefix("labeler ") == true })
        #expect(outcome.stdout.hasPrefix("prompt: how do i make tea ?"))
        let draw = session.rng
        for (line, message) in [("compare reward tea ?", "the reward model scores answers"),
                                ("compare policy", "missing <prompt>"),
                                ("compare base tea ?", "no base model")] {
            let failed = session.execute(line: line)
            #expect(!failed.ok)
            #expect(failed.stderr.contains(message), "\(line): \(failed.stderr)")
        }
        #expect(session.rng.next() == { var copy = draw; return copy.next() }())
    }
}

/// `reward init --ensemble K` through `session.execute`.
@Suite(.serialized) struct RewardEnsembleCommandTests {
    @Test func anEnsembleTrainsEveryMemberAndScoresWithEach() throws {
        let session = tinySession()
        try #require(session.execute(line: "autolabel 8").ok)
        let before = session.execute(line: ":models").stdout
        for bad in ["reward init --ensemble 1", "reward init --ensemble 9", "reward init --ensemble x"] {
            let outcome = session.execute(line: bad)
            #expect(!outcome.ok && outcome.stderr.contains("an ensemble has 2 to 8 reward models"), "\(bad): \(outcome.stderr)")
        }
        #expect(session.execute(line: ":models").stdout == before)
        #expect(session.execute(line: "reward init --ensemble 3").ok)
        #expect(session.pipeline.rewardEnsemble.count == 3)
        let train = session.execute(line: "reward train 2")
        #expect(train.ok, "\(train.stderr)")
        #expect(train.stdout.contains("member 2: 2 steps") && train.stdout.contains("member 3: 2 steps"))
        let score = session.execute(line: "reward score tea ? | sure ! heat water .")
        #expect(score.ok, "\(score.stderr)")
        guard case .array(let rewards)? = score.result?.fields["rewards"] else { Issue.record("no rewards"); return }
        #expect(rewards.count == 3)
        // a plain `reward init` forgets the ensemble
        #expect(session.execute(line: "reward init").ok)
        #expect(session.pipeline.rewardEnsemble.isEmpty)
    }
}
