import Foundation
import Testing
import Numerics
import Lab

/// `bestof`, `bestof curve` and `eval --bestof` through `session.execute`, on a tiny random model.
extension PipelineCommandTests {
    /// The session's next random number, without using it up.
    func peekRandom(_ session: Session) -> UInt64 {
        var copy = session.rng
        return copy.next()
    }

    /// expectFailure, and the session's random numbers are where they were.
    func expectFailureKeepingRandomNumbers(_ session: Session, _ line: String, contains message: String,
                                           sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let before = peekRandom(session)
        expectFailure(session, line, contains: message, sourceLocation: sourceLocation)
        #expect(peekRandom(session) == before, "\(line) drew random numbers", sourceLocation: sourceLocation)
    }

    @Test func bestOfNeedsSomethingToPickWithAndRefusesBadN() {
        let session = tinySession()
        expectFailureKeepingRandomNumbers(session, "bestof 4 tea ?", contains: "no reward model")
        #expect(run(session, "bestof 4 tea ?").stderr.contains("--rl.reward labeler"))
        expectFailureKeepingRandomNumbers(session, "eval --bestof 2", contains: "no reward model")
        expectFailureKeepingRandomNumbers(session, "bestof curve", contains: "no reward model")
        #expect(run(session, "reward init").ok)
        expectFailureKeepingRandomNumbers(session, "bestof 0 tea ?", contains: "out of range")
        expectFailureKeepingRandomNumbers(session, "bestof 257 tea ?", contains: "out of range")
        expectFailureKeepingRandomNumbers(session, "bestof two tea ?", contains: "must be a whole number")
        expectFailureKeepingRandomNumbers(session, "bestof", contains: "missing <n>")
        expectFailureKeepingRandomNumbers(session, "bestof 4 tea ? --temperature -1", contains: "temperature")
        expectFailureKeepingRandomNumbers(session, "bestof curve 6", contains: "not a power of two")
        expectFailureKeepingRandomNumbers(session, "bestof curve 512", contains: "out of range")
        expectFailureKeepingRandomNumbers(session, "bestof curve 4 --prompts 0", contains: "--prompts is 0")
        expectFailureKeepingRandomNumbers(session, "eval --bestof 0", contains: "--bestof is 0, out of range")
        expectFailureKeepingRandomNumbers(session, "eval --bestof many", contains: "--bestof is many")
        let long = Array(repeating: "tea", count: 40).joined(separator: " ")
        expectFailureKeepingRandomNumbers(session, "bestof 2 \(long)", contains: "context holds 32")
    }

    @Test func bestOfRanksSamplesAndMarksTheChosenOne() throws {
        let session = tinySession()
        #expect(run(session, "reward init").ok)
        let before = peekRandom(session)
        let outcome = run(session, "bestof 4 tea ?")
        #expect(outcome.ok, "\(outcome.stderr)")
        #expect(peekRandom(session) != before)      // like `sample`, it uses the session's random numbers
        let lines = outcome.stdout.split(separator: "\n")
        #expect(lines.first == "prompt: tea ?")
        #expect(lines.contains { $0.hasPrefix("rank  sample") })
        #expect(lines.filter { $0.hasPrefix(" * 1 ") }.count == 1, "\(outcome.stdout)")
        #expect(outcome.stdout.contains("best-of-4 KL to the policy = log 4 - 3/4 = 0.6363 nats"))
        // the same seed gives the same table; JSON has the numbers
        #expect(run(tinySessionWithReward(), "bestof 4 tea ?").stdout == outcome.stdout)
        let json = run(tinySessionWithReward(), "bestof 4 tea ? --json")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        let samples = object["samples"] as! [[String: Any]]
        #expect(samples.count == 4 && abs(object["kl"] as! Double - 0.6363) < 1e-4)
        // the chosen sample has the highest reward; ties go to the earliest
        let rewards = samples.map { $0["reward"] as! Double }
        #expect(object["chosen"] as! Int == rewards.firstIndex(of: rewards.max()!)! + 1)
        // a random training prompt when none is given; the labeler picks with --rl.reward labeler
        #expect(run(session, "bestof 3").stdout.contains("(a random training prompt)"))
        let gold = run(session, "bestof 2 tea ? --rl.reward labeler")
        #expect(gold.ok && gold.stdout.contains("the highest labeler score of 2 samples"))
    }

    func tinySessionWithReward() -> Session {
        let session = tinySession()
        precondition(run(session, "reward init").ok)
        return session
    }

    @Test func evalOfTheBestOfNPolicyAddsARow() throws {
        let session = tinySessionWithReward()
        #expect(run(session, ":copy policy reference").ok)
        expectFailureKeepingRandomNumbers(session, "eval plot", contains: "needs two rows")
        let plain = run(session, "eval --eval.samples 1 --as plain")
        #expect(plain.ok && !plain.stdout.contains("best-of-n rows"))
        let outcome = run(session, "eval --bestof 2 --eval.samples 1")
        #expect(outcome.ok, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("best-of-n rows: KL is log n - (n - 1)/n"))
        let row = try #require(outcome.stdout.split(separator: "\n").first { $0.hasPrefix("best-of-2 ") })
        #expect(row.contains(" 0.19 "), "\(row)")                 // log 2 - 1/2 = 0.1931
        #expect(run(session, "eval --bestof 2 --eval.samples 1 --rl.reward labeler").stdout.contains("best-of-2 gold"))
        #expect(run(session, "eval --bestof 4 --eval.samples 1 --as bo").stdout.contains("bo "))
        let table = run(session, "eval table").stdout
        let plot = run(session, "eval plot")
        #expect(plot.ok && plot.stdout.contains("proxy (RM score)") && plot.stdout.contains("the gold is highest at"), "\(plot.stderr)")
        #expect(table.contains("plain") && table.contains("best-of-2 gold") && table.contains("bo "))
        // best-of-1 is the model itself: the same samples as a plain eval
        let one = run(session, "eval --bestof 1 --eval.samples 1 --as one --json")
        let plainJSON = run(session, "eval --eval.samples 1 --as plain --json")
        func heldOut(_ text: String) throws -> [String: Any] {
            let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
            return (object["rows"] as! [[String: Any]])[0]["heldout"] as! [String: Any]
        }
        #expect(try heldOut(one.stdout)["labeler_score"] as! Double == heldOut(plainJSON.stdout)["labeler_score"] as! Double)
        #expect(try heldOut(one.stdout)["kl"] as! Double == 0)
    }

    @Test func theCurveHasARowPerDoublingAndTwoSeries() throws {
        let session = tinySessionWithReward()
        let before = peekRandom(session)
        let outcome = run(session, "bestof curve 4 --prompts 3")
        #expect(outcome.ok, "\(outcome.stderr)")
        #expect(peekRandom(session) == before)      // its own seeded random numbers, like eval
        #expect(outcome.stdout.contains("best-of-n on 3 held-out prompts (4 samples each"))
        #expect(outcome.stdout.contains("2  0.1931   0.4395"))
        #expect(outcome.stdout.contains("4  0.6363   0.7977"))
        #expect(outcome.stdout.contains("gold peaks at n = "))
        #expect(outcome.stdout.contains("proxy (reward model)") && outcome.stdout.contains("gold (labeler)"))
        #expect(run(tinySessionWithReward(), "bestof curve 4 --prompts 3").stdout == outcome.stdout)
        let json = run(session, "bestof curve 4 --prompts 3 --json")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        let points = object["points"] as! [[String: Any]]
        #expect(points.map { $0["n"] as! Int } == [1, 2, 4])
        // The proxy of best-of-n never falls as n grows: the first n samples are among the first 2n.
        let proxy = points.map { $0["proxy"] as! Double }
        #expect(proxy[0] <= proxy[1] && proxy[1] <= proxy[2], "\(proxy)")
        // Nor does the gold when the labeler picks.
        let ceiling = points.map { $0["gold_if_labeler_picks"] as! Double }
        #expect(ceiling[0] <= ceiling[1] && ceiling[1] <= ceiling[2], "\(ceiling)")
    }
}
