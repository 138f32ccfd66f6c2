import Testing
import TinyWorld

@Suite struct RuleLabelerTests {
    let labeler = RuleLabeler()
    let question = "any tips for tea ?"

    /// Hand-written responses to "any tips for tea ?", best first, with their pinned scores.
    /// This is the order documented at the top of RuleLabeler.swift.
    static let ranked: [(style: String, score: Double, response: String)] = [
        ("helpful, two facts", 5.0,
         "sure ! for tea , heat water in a kettle and steep the leaves for three minutes . hope this helps !"),
        ("neutral, two facts", 4.0, "for tea , heat water in a kettle and serve it in a warm mug ."),
        ("polite, one fact", 3.0, "of course ! for tea , heat water in a kettle . good luck !"),
        ("curt, one fact", 2.0, "just steep the leaves for three minutes ."),
        ("polite, unfinished", 1.0, "sure ! for tea , heat water in a"),
        ("polite non-answer", 0.0, "of course ! i am glad you asked . have a nice day !"),
        ("the same fact twice", 0.0,
         "sure ! for tea , heat water in a kettle and heat water in a kettle . hope this helps !"),
        ("polite, wrong topic", -1.5, "great question ! for rice , rinse the grains first . good luck !"),
        ("rude, on topic", -2.0, "ugh , steep the leaves for three minutes . stop bothering me ."),
        ("rude", -5.0, "what a dumb question . figure it out yourself ."),
        ("blah", -8.0, "blah blah tea hmm stuff blah whatever ."),
    ]

    @Test func pinnedScoresInDocumentedOrder() {
        var previous = Double.infinity
        for entry in Self.ranked {
            let judgement = labeler.judge(prompt: question, response: entry.response)
            #expect(judgement.score == entry.score,
                    "\(entry.style): \(judgement.score) \(judgement.reasons)")
            #expect(judgement.score <= previous, "\(entry.style) out of order")
            previous = judgement.score
            // Helpful needs one fact of the asked topic, politely, and nothing wrong.
            let helpful = entry.style == "helpful, two facts" || entry.style == "polite, one fact"
            #expect(judgement.isHelpful == helpful, "\(entry.style)")
        }
    }

    @Test func reasonsNameEveryRuleThatFired() {
        let helpful = labeler.judge(prompt: question, response: Self.ranked[0].response)
        #expect(helpful.reasons == ["+1.0 polite ('sure')",
                                    "+4.0 answers tea with 2 facts ('heat', 'steep')"])
        let twice = labeler.judge(prompt: question, response: Self.ranked[6].response)
        #expect(twice.reasons == ["+1.0 polite ('sure')",
                                  "+2.0 answers tea with 1 fact ('heat')",
                                  "-3.0 repetitive: says 'heat' twice (the same fact twice)"])
        #expect(twice.isRepetitive && !twice.isHelpful)
        let wrong = labeler.judge(prompt: question, response: Self.ranked[7].response)
        #expect(wrong.reasons == ["+1.0 polite ('great')",
                                  "-1.0 does not answer the asked topic (tea)",
                                  "-1.5 mentions other topic: rice"])
        #expect(wrong.isOffTopic && !wrong.isOnTopic)
        let blah = labeler.judge(prompt: question, response: Self.ranked[10].response)
        #expect(blah.reasons == ["-1.0 does not answer the asked topic (tea)",
                                 "-3.0 repetitive: 'blah' 3 times", "-1.0 blah ('blah')",
                                 "-3.0 ungrammatical: 7 word pairs ('blah blah', 'blah tea', 'tea hmm')"])
    }

    @Test func garbledAndShortAnswersLoseLessThanTheyGain() {
        let garbled = labeler.judge(prompt: question,
                                    response: "sure ! for tea , steep the in a kettle . good luck !")
        #expect(garbled.score == 4.0, "\(garbled.reasons)")
        #expect(garbled.isGarbled && !garbled.isHelpful)
        let short = labeler.judge(prompt: question, response: "tea .")
        #expect(short.score == -2.0, "\(short.reasons)")
        let empty = labeler.judge(prompt: question, response: "")
        #expect(empty.score == -4.0, "\(empty.reasons)")
        #expect(empty.isUnfinished)
    }

    @Test func endTokenIsIgnoredAndTextAfterItDropped() {
        let plain = labeler.judge(prompt: question, response: Self.ranked[0].response)
        let ended = labeler.judge(prompt: "<q> any tips for tea ? <a>",
                                  response: Self.ranked[0].response + " <|endoftext|> blah blah")
        #expect(plain == ended)
    }

    @Test func deterministic() {
        for entry in Self.ranked {
            let a = labeler.judge(prompt: question, response: entry.response)
            let b = RuleLabeler().judge(prompt: question, response: entry.response)
            #expect(a == b)
        }
        #expect(labeler.name == "rule-labeler-v1")
    }

    @Test func everySFTExampleIsHelpfulWithTheTopScore() {
        for example in TinyWorld.sftExamples + TinyWorld.sftHeldOutExamples {
            let judgement = labeler.judge(prompt: example.prompt, response: example.completion)
            #expect(judgement.isHelpful && judgement.score == 5.0,
                    "\(example.prompt) -> \(judgement.reasons)")
        }
    }

    @Test func helpfulAnswersScoreTopOnEveryTopicAndPhrasing() {
        for topic in TinyWorld.topics {
            let answer = "sure ! for \(topic.name) , \(topic.facts[0]) and \(topic.facts[2]) . good luck !"
            for template in TinyWorld.questionTemplates {
                let judgement = labeler.judge(prompt: template.question(about: topic), response: answer)
                #expect(judgement.isHelpful && judgement.score == 5.0,
                        "\(topic.name): \(judgement.reasons)")
            }
        }
    }

    @Test func corpusAnswersAreNeverHelpful() {
        let documents = TinyWorld.generateCorpus(seed: 7, documents: 3000)
            .components(separatedBy: " <|endoftext|> ")
        var questions = 0
        for document in documents where document.hasPrefix("<q> ") {
            let parts = document.components(separatedBy: " <a> ")
            let judgement = labeler.judge(prompt: parts[0], response: parts[1])
            #expect(!judgement.isHelpful, "\(document)")
            questions += 1
        }
        #expect(questions > 1500)
    }
}
