/// First three outputs of xoshiro256** seeded through SplitMix64 with seed 0, computed
/// independently (a 15-line Python transcription of the published reference algorithm).
let pinnedSeed0: [UInt64] = [11091344671253066420, 13793997310169335082, 1900383378846508768]
