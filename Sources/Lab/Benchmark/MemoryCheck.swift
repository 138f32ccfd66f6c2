import Numerics
import GPT2

/// `rlhf bench --memory`: memory must stay flat over a long run. Trains the given configuration
/// (same step as train_tokens_per_s) for `steps` steps and reads the resident memory after
/// `earlyStep` steps and at the end; a leak (say a graph kept alive by a reference cycle) shows
/// as growth between the two.
public func runMemoryCheck(config name: String = "tiny", steps: Int = 10_000, threads: Int, json: Bool,
                           onProgress: (Int) -> Void = { _ in }) throws -> String {
    let result = try measureMemory(config: name, steps: steps, threads: threads, onProgress: onProgress)
    return json ? memoryCheckJSON(result) : memoryCheckText(result)
}

public func measureMemory(config name: String, steps: Int, threads: Int, earlyStep: Int = 100,
                          onProgress: (Int) -> Void = { _ in }) throws -> MemoryCheckResult {
    let configs = try BenchmarkConfig.named(name)
    guard configs.count == 1, let config = configs.first else {
        throw BenchmarkError("the memory check runs one config; choose tiny, small or medium, not '\(name)'")
    }
    guard steps > earlyStep else {
        throw BenchmarkError("the memory check needs more than \(earlyStep) steps to compare, got \(steps)")
    }
    guard (1...256).contains(threads) else { throw BenchmarkError("--threads \(threads) is out of range; use 1 to 256") }
    let savedThreads = ComputeThreads.count
    defer { ComputeThreads.count = savedThreads }
    ComputeThreads.count = threads
    let model = GPT2Model(config: config.gpt2Config, seed: 1)
    let optimizer = AdamW(parameters: model.parameters, learningRate: 1e-4)
    var rng = RandomGenerator(seed: 11)
    let (batch, targets) = randomTrainingBatch(config, rng: &rng)
    var early: Double? = nil, loss: Float = 0
    for step in 1...steps {
        loss = trainingStep(model, optimizer, batch, targets)
        if step == earlyStep { early = residentMiB() }
        if step % 1000 == 0 { onProgress(step) }
    }
    return MemoryCheckResult(config: config.name, threads: threads, steps: steps, earlyStep: earlyStep,
                             earlyRSSMiB: early, finalRSSMiB: residentMiB(), peakRSSMiB: peakResidentMiB(),
                             finalLoss: loss)
}
