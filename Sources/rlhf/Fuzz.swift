import ArgumentParser
import Foundation
import Lab

/// `rlhf fuzz [HARNESS|all] [--iterations N] [--seed S]`: throws random damage at every parser
/// that reads what a person or a file gives us, and reports per harness how many inputs ran,
/// loaded and were rejected, and the slowest input. Exits non-zero on any finding or slow input;
/// a crash kills the process (its input is saved first as CRASH_DIR/HARNESS/crash-current).
struct Fuzz: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fuzz the lab's parsers with seeded random mutations (for developers).",
        discussion: """
            Harnesses: \(FuzzHarness.all.map(\.name).joined(separator: ", ")). Seeds are built in, plus the \
            files in CORPUS/HARNESS/ (default Tests/Fuzz/corpus when it exists). Inputs that crash, \
            break a promise or take over 1 s are saved in CRASHES/HARNESS/. Runs in a scratch folder, \
            so commands that write relative paths write there.
            """,
        shouldDisplay: false)

    @Argument(help: "A harness name, or all.")
    var harness = "all"

    @Option(help: "Inputs per harness (the seeds first, then mutations).")
    var iterations = 20_000

    /// `--seed S` is the shared session option (the root command declares it): the seed of the mutations here.
    @OptionGroup var options: SessionOptions
    var seed: UInt64 { UInt64(max(0, options.seed ?? 1)) }

    @Option(help: "Mutated inputs are cut to this many bytes (long runs stay fast with 65536).")
    var maxBytes = 1 << 20

    @Option(help: "Folder with one subfolder of seed files per harness.")
    var corpus: String?

    @Option(help: "Where crashing, broken or slow inputs are saved.")
    var crashes: String?

    @Flag(help: "List the harnesses and exit.")
    var list = false

    @Option(help: "Write the built-in seeds to this folder (one subfolder per harness) and exit.")
    var writeCorpus: String?

    func run() throws {
        if list {
            for harness in FuzzHarness.all { print("\(harness.name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(harness.summary)") }
            return
        }
        let fileManager = FileManager.default
        let here = URL(fileURLWithPath: fileManager.currentDirectoryPath)
        if let writeCorpus {
            let folder = URL(fileURLWithPath: writeCorpus, relativeTo: here)
            for harness in FuzzHarness.all {
                let sub = folder.appendingPathComponent(harness.name)
                try fileManager.createDirectory(at: sub, withIntermediateDirectories: true)
                for (name, data) in harness.seeds() { try data.write(to: sub.appendingPathComponent(name)) }
            }
            print("wrote the seeds of \(FuzzHarness.all.count) harnesses to \(folder.path)")
            return
        }
        let chosen: [FuzzHarness]
        if harness == "all" { chosen = FuzzHarness.all }
        else if let one = FuzzHarness.named(harness) { chosen = [one] }
        else { throw ValidationError("unknown harness '\(harness)'; harnesses: \(FuzzHarness.all.map(\.name).joined(separator: ", ")), all") }
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1") }
        guard maxBytes >= 16 else { throw ValidationError("--max-bytes must be at least 16") }

        let defaultCorpus = here.appendingPathComponent("Tests/Fuzz/corpus")
        let corpusURL = corpus.map { URL(fileURLWithPath: $0, relativeTo: here).standardizedFileURL }
            ?? (fileManager.fileExists(atPath: defaultCorpus.path) ? defaultCorpus : nil)
        let crashURL = URL(fileURLWithPath: crashes ?? "fuzz-crashes", relativeTo: here).standardizedFileURL
        // a scratch working folder: lines like `:read x` or `prefs import x` look there
        let sandbox = fileManager.temporaryDirectory.appendingPathComponent("rlhf-fuzz-sandbox-\(getpid())")
        try fileManager.createDirectory(at: sandbox, withIntermediateDirectories: true)
        _ = fileManager.changeCurrentDirectoryPath(sandbox.path)
        defer { try? fileManager.removeItem(at: sandbox) }

        print("rlhf fuzz: \(chosen.count) harness\(chosen.count == 1 ? "" : "es"), \(iterations) inputs each, seed \(seed), corpus \(corpusURL?.path ?? "(built-in seeds only)")")
        var failed = false
        let started = Date()
        for harness in chosen {
            let runner = try FuzzRunner(harness: harness, crashDirectory: crashURL)
            let report = runner.run(iterations: iterations, seed: seed, corpus: corpusURL, maximumLength: maxBytes)
            print(report.line)
            for finding in report.findings.prefix(5) { print("  finding: \(finding)") }
            if !report.findings.isEmpty || report.slowInputs > 0 {
                failed = true
                print("  inputs saved in \(crashURL.appendingPathComponent(harness.name).path)")
            }
            fflush(stdout)
        }
        print(String(format: "total %.1f s", Date().timeIntervalSince(started)))
        if failed { throw ExitCode(1) }
    }
}
