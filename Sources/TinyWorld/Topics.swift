// The topics of the tiny world: everyday things a person might ask about.
//
// Each topic has a one-word noun (how questions name it), a verb phrase for questions such as
// "how do i make tea ?", three short fact phrases, and a split that says which stage may train
// on it. A fact is an imperative phrase, so it fits every answer frame:
// "for tea , heat water in a kettle ." / "people who love tea heat water in a kettle ."
//
// A word that occurs in the facts of exactly one topic, and nowhere in the question templates,
// answer styles or stop words, is a *content word* of that topic (tea: kettle, steep, leaves,
// minutes, serve, mug). The rule labeler decides "does this answer the asked topic?" by looking
// for content words, so every fact has at least one, and no two facts of one topic share one.

/// Which stage of the pipeline may see a topic.
public enum TopicSplit: String, Sendable, CaseIterable {
    /// Supervised fine-tuning examples are written about these topics (and nothing else is).
    case sft
    /// Comparisons, the reward model and policy optimisation use prompts about these topics.
    case reinforcement
    /// No stage trains on these; only the pre-training corpus mentions them.
    case unseen
}

/// One topic of the tiny world.
public struct Topic: Sendable, Hashable {
    /// A single lowercase word, e.g. "tea".
    public let name: String
    /// What one does with it, for "how do i {verb} {name} ?", e.g. "make" or "care for".
    public let verb: String
    /// Three fact phrases, e.g. "heat water in a kettle".
    public let facts: [String]
    public let split: TopicSplit

    public init(_ name: String, _ verb: String, _ facts: [String], _ split: TopicSplit) {
        self.name = name
        self.verb = verb
        self.facts = facts
        self.split = split
    }
}

extension TinyWorld {
    /// All 58 topics: 8 for SFT, 38 for reinforcement, 12 unseen.
    public static let topics: [Topic] = [
        // Food and drink
        Topic("tea", "make", ["heat water in a kettle", "steep the leaves for three minutes",
                              "serve it in a warm mug"], .sft),
        Topic("coffee", "brew", ["grind the beans fresh", "use a paper filter",
                                 "add a splash of milk"], .unseen),
        Topic("bread", "bake", ["knead the dough well", "let the yeast rise",
                                "bake it in a hot oven"], .sft),
        Topic("rice", "cook", ["rinse the grains first", "simmer it in a covered pot",
                               "fluff it with a fork"], .reinforcement),
        Topic("pasta", "cook", ["boil salted water", "stir the noodles often",
                                "drain it in a colander"], .reinforcement),
        Topic("soup", "make", ["chop onions and carrots", "pour in some broth",
                               "stir it with a ladle"], .unseen),
        Topic("salad", "make", ["wash the lettuce", "slice a cucumber",
                                "toss it with dressing"], .reinforcement),
        Topic("eggs", "cook", ["crack them into a bowl", "whisk them well",
                               "fry them in butter"], .reinforcement),
        Topic("pancakes", "make", ["mix a smooth batter", "flip them with a spatula",
                                   "top them with syrup"], .unseen),
        Topic("cookies", "bake", ["cream the sugar and butter", "add chocolate chips",
                                  "cool them on a rack"], .reinforcement),
        Topic("pizza", "make", ["stretch the crust thin", "spread the sauce evenly",
                                "sprinkle cheese on top"], .reinforcement),
        Topic("smoothies", "make", ["blend frozen berries", "add a ripe banana",
                                    "pour in some yogurt"], .reinforcement),
        // Pets and animals
        Topic("dogs", "train", ["walk them twice a day", "reward them with treats",
                                "teach them to sit"], .sft),
        Topic("cats", "care for", ["give them a scratching post", "clean the litter box",
                                   "brush their fur weekly"], .unseen),
        Topic("fish", "feed", ["feed them small flakes", "keep the tank clean",
                               "check the water temperature"], .reinforcement),
        Topic("birds", "feed", ["hang a feeder outside", "fill it with seeds",
                                "put out a shallow bath"], .reinforcement),
        Topic("rabbits", "care for", ["give them fresh hay", "build a roomy hutch",
                                      "let them hop around"], .reinforcement),
        Topic("horses", "ride", ["groom the mane", "clean the hooves", "check the saddle"],
              .reinforcement),
        Topic("hamsters", "care for", ["give them a wheel", "line the cage with bedding",
                                       "offer sunflower seeds"], .unseen),
        Topic("chickens", "raise", ["build a sturdy coop", "scatter grain in the yard",
                                    "lock the door at night"], .reinforcement),
        // Garden
        Topic("roses", "grow", ["water the roots deeply", "prune the stems in spring",
                                "pick a sunny spot"], .sft),
        Topic("tomatoes", "grow", ["tie the vines to a stake", "pinch off the suckers",
                                   "harvest them when red"], .unseen),
        Topic("cactus", "grow", ["water it rarely", "use sandy soil", "give it bright light"],
              .reinforcement),
        Topic("lawns", "mow", ["mow the grass weekly", "rake the clippings",
                               "water in the early morning"], .reinforcement),
        Topic("herbs", "grow", ["snip the basil often", "grow mint in a pot", "dry the sprigs"],
              .reinforcement),
        Topic("trees", "plant", ["dig a wide hole", "spread mulch around the trunk",
                                 "stake the young sapling"], .reinforcement),
        Topic("compost", "make", ["layer the kitchen scraps", "turn the pile weekly",
                                  "keep it damp"], .reinforcement),
        Topic("orchids", "grow", ["mist the aerial roots", "use a bark mix", "avoid chilly drafts"],
              .reinforcement),
        // Music, games and hobbies
        Topic("guitar", "play", ["tune the strings", "practice a few chords",
                                 "strum slowly at first"], .sft),
        Topic("piano", "play", ["learn the scales", "keep your wrists relaxed",
                                "use the pedal gently"], .reinforcement),
        Topic("drums", "play", ["keep a steady beat", "hold the sticks loosely",
                                "count along out loud"], .reinforcement),
        Topic("violin", "play", ["rosin the bow", "rest it under your chin",
                                 "listen for the pitch"], .unseen),
        Topic("chess", "play", ["control the center", "develop the knights early",
                                "protect your king"], .sft),
        Topic("painting", "learn", ["use a flat brush", "mix colors on a palette",
                                    "let each coat dry"], .reinforcement),
        Topic("photography", "learn", ["watch the light", "hold the camera steady",
                                       "frame the subject"], .reinforcement),
        Topic("knitting", "learn", ["choose soft yarn", "cast on loosely", "count your stitches"],
              .reinforcement),
        Topic("puzzles", "solve", ["start with the corners", "sort the edge pieces",
                                   "group shapes by color"], .reinforcement),
        Topic("poetry", "write", ["read lots of poems", "use vivid images",
                                  "count the syllables"], .reinforcement),
        Topic("dancing", "learn", ["follow the rhythm", "practice the steps in a mirror",
                                   "wear comfy shoes"], .reinforcement),
        // Chores and home
        Topic("laundry", "do", ["sort lights and darks", "use a gentle detergent", "hang shirts to dry"],
              .sft),
        Topic("dishes", "wash", ["use hot soapy water", "scrub the pans",
                                 "rinse and dry the plates"], .unseen),
        Topic("floors", "clean", ["sweep up the dust", "mop with warm water",
                                  "wipe spills right away"], .reinforcement),
        Topic("windows", "clean", ["spray the glass", "wipe with newspaper",
                                   "clean on a cloudy day"], .unseen),
        Topic("ironing", "do", ["check the fabric label", "use a little steam",
                                "press collars first"], .reinforcement),
        Topic("recycling", "do", ["rinse the cans", "flatten the boxes",
                                  "check the local rules"], .reinforcement),
        Topic("moving", "plan", ["label each carton", "wrap glasses in paper",
                                 "book the truck early"], .reinforcement),
        // Sport and health
        Topic("running", "start", ["jog at an easy pace", "wear proper sneakers",
                                   "build your distance slowly"], .reinforcement),
        Topic("swimming", "learn", ["breathe out underwater", "kick from the hips",
                                    "practice your stroke"], .unseen),
        Topic("cycling", "start", ["wear a helmet", "pump up the tires", "shift gears on hills"],
              .reinforcement),
        Topic("yoga", "start", ["breathe through your nose", "roll out a mat", "hold each pose"],
              .reinforcement),
        Topic("hiking", "start", ["pack plenty of snacks", "wear sturdy boots",
                                  "check the trail map"], .reinforcement),
        Topic("camping", "plan", ["pitch the tent early", "bring a warm sleeping bag",
                                  "keep food in a cooler"], .unseen),
        Topic("sleep", "get better", ["keep a regular bedtime", "dim the lights",
                                      "avoid screens at night"], .sft),
        Topic("colds", "treat", ["drink hot fluids", "rest in bed", "gargle salt water"],
              .reinforcement),
        Topic("stress", "handle", ["take deep breaths", "take a brisk stroll",
                                   "write your worries down"], .reinforcement),
        // Money, study and work
        Topic("budgets", "plan", ["track every expense", "set a monthly limit",
                                  "save a little each week"], .unseen),
        Topic("studying", "improve", ["make flashcards", "review your notes daily",
                                      "take short breaks"], .reinforcement),
        Topic("interviews", "prepare for", ["research the company", "practice common answers",
                                            "dress neatly"], .reinforcement),
    ]

    /// The topics of one split, in the order of `topics`.
    public static func topics(in split: TopicSplit) -> [Topic] {
        topics.filter { $0.split == split }
    }
}
