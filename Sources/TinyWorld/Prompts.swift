// The prompt sets (plain questions, without `<q>`/`<a>` markers).
//
// | set                 | topics                 | phrasings                          | count |
// |---------------------|------------------------|------------------------------------|-------|
// | training prompts    | 38 reinforcement       | all 16 training phrasings          |  608  |
// | held-out prompts    | 38 reinforcement       | 3 of the 8 held-out, rotating      |  114  |
// | unseen-topic prompts| 12 unseen              | 2 training + 2 held-out, rotating  |   48  |
// | SFT prompts         | 8 SFT                  | the prompts of `sftExamples`       |   32  |
//
// Comparisons, the reward model and policy optimisation use only the training prompts.
// Held-out prompts ask about the same topics in phrasings no training stage used; unseen-topic
// prompts ask about topics no stage trained on at all.

extension TinyWorld {
    /// Reinforcement topics x training phrasings: for comparisons and policy optimisation.
    public static let trainingPrompts: [String] = topics(in: .reinforcement).flatMap { topic in
        trainingTemplates.map { $0.question(about: topic) }
    }

    /// Reinforcement topics x held-out phrasings (3 per topic, rotating through the 8).
    public static let heldOutPrompts: [String] = {
        let templates = heldOutTemplates
        return topics(in: .reinforcement).enumerated().flatMap { index, topic in
            (0..<3).map { templates[(3 * index + $0) % templates.count].question(about: topic) }
        }
    }()

    /// Unseen topics x 2 training and 2 held-out phrasings, rotating.
    public static let unseenTopicPrompts: [String] = {
        let train = trainingTemplates, heldOut = heldOutTemplates
        var prompts: [String] = []
        for (index, topic) in topics(in: .unseen).enumerated() {
            let templates: [QuestionTemplate] = [
                train[(2 * index) % train.count], train[(2 * index + 1) % train.count],
                heldOut[(2 * index) % heldOut.count], heldOut[(2 * index + 1) % heldOut.count],
            ]
            prompts += templates.map { $0.question(about: topic) }
        }
        return prompts
    }()

    /// The questions of the SFT training examples.
    public static var sftPrompts: [String] { sftExamples.map(\.prompt) }
}
