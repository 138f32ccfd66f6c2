import Testing
import Numerics
import TinyWorld

@Suite struct TinyWorldTests {
    @Test func sizes() {
        #expect(TinyWorld.topics.count == 58)
        #expect(TinyWorld.topics(in: .sft).count == 8)
        #expect(TinyWorld.topics(in: .reinforcement).count == 38)
        #expect(TinyWorld.topics(in: .unseen).count == 12)
        #expect(TinyWorld.trainingTemplates.count == 16)
        #expect(TinyWorld.heldOutTemplates.count == 8)
        #expect((350...600).contains(TinyWorld.vocabulary.count), "\(TinyWorld.vocabulary.count)")
        #expect(TinyWorld.sftExamples.count == 32)
        #expect(TinyWorld.sftHeldOutExamples.count == 16)
        #expect(TinyWorld.trainingPrompts.count == 608)
        #expect(TinyWorld.heldOutPrompts.count == 114)
        #expect(TinyWorld.unseenTopicPrompts.count == 48)
    }

    @Test func topicNounsAreSingleUniqueWords() {
        let names = TinyWorld.topics.map(\.name)
        #expect(Set(names).count == names.count)
        for name in names { #expect(!name.contains(" ")) }
    }

    /// Every fact has its own content word, so the labeler can tell which facts were said.
    @Test func everyFactHasItsOwnContentWords() {
        for topic in TinyWorld.topics {
            var seen = Set<String>()
            for fact in topic.facts {
                let words = TinyWorld.contentWords(ofFact: fact)
                #expect(!words.isEmpty, "\(topic.name): '\(fact)' has no content word")
                for word in words {
                    #expect(seen.insert(word).inserted, "\(topic.name): '\(word)' in two facts")
                }
            }
        }
    }

    @Test func splitsAreDisjoint() {
        let sftTopics = Set(TinyWorld.topics(in: .sft).map(\.name))
        let reinforcementTopics = Set(TinyWorld.topics(in: .reinforcement).map(\.name))
        let unseenTopics = Set(TinyWorld.topics(in: .unseen).map(\.name))
        func topicNames(_ prompts: [String]) -> Set<String> {
            Set(prompts.map { TinyWorld.topic(ofQuestion: $0)!.name })
        }
        #expect(topicNames(TinyWorld.sftPrompts) == sftTopics)
        #expect(topicNames(TinyWorld.sftHeldOutExamples.map(\.prompt)) == sftTopics)
        #expect(topicNames(TinyWorld.trainingPrompts) == reinforcementTopics)
        #expect(topicNames(TinyWorld.heldOutPrompts) == reinforcementTopics)
        #expect(topicNames(TinyWorld.unseenTopicPrompts) == unseenTopics)
        #expect(sftTopics.isDisjoint(with: reinforcementTopics))
        #expect(sftTopics.isDisjoint(with: unseenTopics))
        #expect(reinforcementTopics.isDisjoint(with: unseenTopics))
        // No held-out phrasing is trained on, and no prompt is in two sets.
        #expect(Set(TinyWorld.heldOutPrompts).isDisjoint(with: TinyWorld.trainingPrompts))
        #expect(Set(TinyWorld.sftHeldOutExamples.map(\.prompt)).isDisjoint(with: TinyWorld.sftPrompts))
        let heldOutPhrasings = TinyWorld.heldOutTemplates
        for topic in TinyWorld.topics(in: .reinforcement) {
            for template in heldOutPhrasings {
                #expect(!TinyWorld.trainingPrompts.contains(template.question(about: topic)))
                #expect(!TinyWorld.sftPrompts.contains(template.question(about: topic)))
            }
        }
    }

    @Test func everyWordIsInTheVocabulary() {
        let vocabulary = Set(TinyWorld.vocabulary)
        #expect(vocabulary.count == TinyWorld.vocabulary.count)
        #expect(TinyWorld.vocabulary == TinyWorld.vocabulary.sorted())
        #expect(vocabulary.isDisjoint(with: TinyWorld.specialTokens))
        var texts = TinyWorld.sftExamples.flatMap { [$0.prompt, $0.completion] }
        texts += TinyWorld.sftHeldOutExamples.flatMap { [$0.prompt, $0.completion] }
        texts += TinyWorld.trainingPrompts + TinyWorld.heldOutPrompts + TinyWorld.unseenTopicPrompts
        texts.append(TinyWorld.generateCorpus(seed: 99, documents: 5000))
        let allowed = vocabulary.union(TinyWorld.specialTokens)
        for text in texts {
            for word in text.split(separator: " ") {
                #expect(allowed.contains(String(word)), "'\(word)' in '\(text.prefix(80))'")
            }
        }
    }

    /// Every response fits in 40 words, and prompt + response + end token in 64 tokens.
    @Test func promptsAndResponsesFitTheContext() {
        var longestPrompt = 0, longestResponse = 0, longestDocument = 0
        for document in TinyWorld.generateCorpus(seed: 3, documents: 5000)
            .components(separatedBy: " <|endoftext|> ") {
            let words = document.split(separator: " ")
            longestDocument = max(longestDocument, words.count + 1)
            if let answer = words.firstIndex(of: "<a>") {
                longestPrompt = max(longestPrompt, answer + 1)
                longestResponse = max(longestResponse, words.count - answer - 1)
            }
        }
        for example in TinyWorld.sftExamples + TinyWorld.sftHeldOutExamples {
            longestPrompt = max(longestPrompt, TinyWorld.formatPrompt(example.prompt).split(separator: " ").count)
            longestResponse = max(longestResponse, example.completion.split(separator: " ").count)
        }
        for prompt in TinyWorld.trainingPrompts + TinyWorld.heldOutPrompts + TinyWorld.unseenTopicPrompts {
            longestPrompt = max(longestPrompt, TinyWorld.formatPrompt(prompt).split(separator: " ").count)
        }
        #expect(longestResponse <= TinyWorld.maxResponseWords, "\(longestResponse)")
        #expect(longestPrompt + longestResponse + 1 <= TinyWorld.contextLength)
        #expect(longestDocument <= TinyWorld.contextLength, "\(longestDocument)")
    }

    @Test func promptFormatRoundTrips() {
        let prompt = TinyWorld.formatPrompt("how do i make tea ?")
        #expect(prompt == "<q> how do i make tea ? <a>")
        #expect(TinyWorld.question(fromPrompt: prompt) == "how do i make tea ?")
        #expect(TinyWorld.question(fromPrompt: "how do i make tea ?") == "how do i make tea ?")
    }

    @Test func freeTypedQuestionsFindTheirTopic() {
        let cases: [(String, String?)] = [
            ("how do i make tea ?", "tea"), ("How do I make tea?", "tea"),
            ("any tips for my dog?", "dogs"), ("what about a tomato plant", "tomatoes"),
            ("i caught a cold , what now ?", "colds"), ("how do i steep leaves ?", "tea"),
            ("tea ?", "tea"), ("<q> tell me about chess . <a>", "chess"),
            ("my cat scratches everything", "cats"), ("hello there", nil),
            ("can i wash dishes in cold water ?", "dishes"),
        ]
        for (question, expected) in cases {
            #expect(TinyWorld.topic(ofQuestion: question)?.name == expected, "\(question)")
        }
        for topic in TinyWorld.topics {
            for template in TinyWorld.questionTemplates {
                #expect(TinyWorld.topic(ofQuestion: template.question(about: topic)) == topic)
            }
        }
    }

    @Test func corpusIsDeterministicAndFollowsTheMix() {
        let a = TinyWorld.generateCorpus(seed: 11, documents: 2000)
        #expect(a == TinyWorld.generateCorpus(seed: 11, documents: 2000))
        #expect(a != TinyWorld.generateCorpus(seed: 12, documents: 2000))
        let documents = a.components(separatedBy: " <|endoftext|> ")
        #expect(documents.count == 2000)
        let questions = documents.filter { $0.hasPrefix("<q> ") }.count
        #expect(abs(Double(questions) / 2000 - 0.67) < 0.04, "\(questions)")
        // Every topic, including the unseen ones, has its facts in the corpus.
        let corpus = TinyWorld.generateCorpus()
        for topic in TinyWorld.topics {
            for fact in topic.facts { #expect(corpus.contains(fact), "\(fact)") }
        }
    }
}
