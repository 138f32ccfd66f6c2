import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one harness did in one run.
public struct FuzzReport: Sendable {
    public var harness: String
    public var inputs = 0
    public var loaded = 0
    public var rejected = 0
    /// Broken promises (FuzzFinding): each input was saved next to the crashes.
    public var findings: [String] = []
    /// Inputs that took longer than `FuzzRunner.slowSeconds` (each saved too).
    public var slowInputs = 0
    public var maximumSeconds = 0.0
    public var totalSeconds = 0.0

    /// `config  20000 inputs  1234 loaded  18766 rejected  0 findings  0 slow  max 1.2 ms  mean 0.05 ms  total 1.0 s`
    public var line: String {
        let mean = inputs > 0 ? totalSeconds / Double(inputs) : 0
        let name = harness.padding(toLength: max(15, harness.count), withPad: " ", startingAt: 0)
        return name + String(format: " %9d inputs %9d loaded %9d rejected %4d findings %4d slow   max %8.2f ms  mean %6.3f ms  total %6.1f s",
                      inputs, loaded, rejected, findings.count, slowInputs, maximumSeconds * 1000, mean * 1000, totalSeconds)
    }
}

/// Runs a harness on mutated inputs. A trap in a parser cannot be caught in-process, so before
/// each input is run its bytes are copied to a buffer that a signal handler writes to
/// `CRASH_DIR/<harness>/crash-current` on SIGILL/SIGTRAP/SIGSEGV/SIGBUS/SIGABRT/SIGFPE; the process
/// then dies with the signal (a failing exit status). A watchdog thread does the same for an
/// input still running after `hangSeconds` (then exits with status 3).
public final class FuzzRunner {
    public static let slowSeconds = 1.0
    public static let hangSeconds = 20.0

    public let harness: FuzzHarness
    public let crashDirectory: URL
    let scratch: URL

    public init(harness: FuzzHarness, crashDirectory: URL) throws {
        self.harness = harness
        self.crashDirectory = crashDirectory.appendingPathComponent(harness.name)
        // memory-backed when the machine has /dev/shm: the file harnesses write an input per run
        let temporary = FileManager.default.fileExists(atPath: "/dev/shm") ? URL(fileURLWithPath: "/dev/shm")
            : FileManager.default.temporaryDirectory
        scratch = temporary.appendingPathComponent("rlhf-fuzz-\(getpid())-\(harness.name)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: self.crashDirectory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: scratch) }

    /// The seeds: the harness's built-in ones plus every file in `corpus/<harness>/`.
    public func seeds(corpus: URL?) -> [[UInt8]] {
        var seeds = harness.seeds().sorted { $0.key < $1.key }.map { [UInt8]($0.value) }
        if let folder = corpus?.appendingPathComponent(harness.name),
           let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) {
            for name in names.sorted() where !name.hasPrefix(".") {
                if let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) { seeds.append([UInt8](data)) }
            }
        }
        return seeds.isEmpty ? [[]] : seeds
    }

    /// Runs one input and checks the harness's promises. Throws a `FuzzFinding` for a broken one.
    public func runOne(_ input: [UInt8]) throws -> FuzzHarness.Verdict {
        let verdict: FuzzHarness.Verdict
        do { verdict = try harness.run(Data(input), FuzzHarness.Context(scratch: scratch)) }
        catch let finding as FuzzFinding { throw finding }
        catch { throw FuzzFinding("the harness itself failed: \(error)") }
        if case .rejected(let message) = verdict, harness.errorsAreOneLine {
            guard !message.isEmpty, !message.contains(where: \.isNewline) else {
                throw FuzzFinding("the error is not one line: \(message.debugDescription.prefix(300))")
            }
            guard message.count <= 2000 else { throw FuzzFinding("the error is \(message.count) characters long") }
        }
        return verdict
    }

    /// Runs the seeds unchanged, then `iterations` mutated inputs (the seeds count towards the total).
    /// Mutated inputs are cut to `maximumLength` bytes: pooled inputs keep growing in long runs, and a
    /// smaller cap keeps the time per input flat.
    public func run(iterations: Int, seed: UInt64, corpus: URL?, maximumLength: Int = 1 << 20,
                    progress: ((FuzzReport) -> Void)? = nil) -> FuzzReport {
        var report = FuzzReport(harness: harness.name)
        var pool = seeds(corpus: corpus)
        let fixedSeeds = pool.count
        var mutator = FuzzMutator(seed: seed, dictionary: harness.dictionary, maximumLength: maximumLength)
        FuzzCrashCapture.arm(path: crashDirectory.appendingPathComponent("crash-current").path)
        defer { FuzzCrashCapture.disarm() }
        for index in 0..<iterations {
            let input = index < fixedSeeds ? pool[index] : mutator.mutate(pool)
            FuzzCrashCapture.remember(input)
            let started = DispatchTime.now().uptimeNanoseconds
            var verdict: FuzzHarness.Verdict = .loaded
            do { verdict = try runOne(input) }
            catch {
                report.findings.append("\(error)")
                save(input, as: "finding-\(report.findings.count)")
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            FuzzCrashCapture.finished()
            report.inputs += 1
            report.totalSeconds += seconds
            report.maximumSeconds = max(report.maximumSeconds, seconds)
            if seconds > FuzzRunner.slowSeconds {
                report.slowInputs += 1
                save(input, as: "slow-\(report.slowInputs)")
            }
            switch verdict {
            case .loaded:
                report.loaded += 1
                // inputs that parse are good parents: keep some (at most 256 besides the seeds)
                if index >= fixedSeeds {
                    if pool.count < fixedSeeds + 256 { pool.append(input) }
                    else { pool[fixedSeeds + mutator.rng.nextInt(below: 256)] = input }
                }
            case .rejected: report.rejected += 1
            }
            if let progress, (index + 1) % 10_000 == 0 { progress(report) }
        }
        return report
    }

    func save(_ input: [UInt8], as name: String) {
        try? Data(input).write(to: crashDirectory.appendingPathComponent(name))
    }
}

/// The input being run, kept where a signal handler can write it out.
enum FuzzCrashCapture {
    nonisolated(unsafe) static var buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 21, alignment: 8)
    nonisolated(unsafe) static var count = 0
    nonisolated(unsafe) static var path: UnsafeMutablePointer<CChar>? = nil
    nonisolated(unsafe) static var installed = false
    /// When the current input started (nanoseconds since boot), 0 when none is running.
    static let startedAt = Atomic<UInt64>(0)

    static func arm(path newPath: String) {
        free(path)
        path = strdup(newPath)
        if !installed {
            installed = true
            installHandlers()
            startWatchdog()
        }
    }

    static func disarm() { startedAt.store(0, ordering: .relaxed) }

    static func remember(_ input: [UInt8]) {
        count = min(input.count, 1 << 21)
        input.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: count) }
        startedAt.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed)
    }

    static func finished() { startedAt.store(0, ordering: .relaxed) }

    /// Writes the current input to the crash file (async-signal-safe: open, write, close only).
    static func writeOut() {
        guard let path else { return }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { return }
        _ = write(descriptor, buffer, count)
        close(descriptor)
    }

    static func installHandlers() {
        // an alternate stack, so that a stack overflow can still be reported
        let stackSize = 1 << 16
        var alternate = stack_t()
        alternate.ss_sp = UnsafeMutableRawPointer.allocate(byteCount: stackSize, alignment: 16)
        alternate.ss_size = stackSize
        alternate.ss_flags = 0
        sigaltstack(&alternate, nil)
        for signalNumber in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE] {
            var action = sigaction()
            #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = fuzzCrashHandler
            #else
            action.__sigaction_u.__sa_handler = fuzzCrashHandler
            #endif
            action.sa_flags = Int32(SA_ONSTACK) | Int32(bitPattern: UInt32(SA_RESETHAND))
            sigaction(signalNumber, &action, nil)
        }
    }

    static func startWatchdog() {
        let thread = Thread {
            while true {
                sleep(1)
                let started = startedAt.load(ordering: .relaxed)
                guard started > 0 else { continue }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds &- started) / 1e9
                if seconds > FuzzRunner.hangSeconds {
                    writeOut()
                    let message = "\nrlhf fuzz: an input ran for more than \(Int(FuzzRunner.hangSeconds)) s (a hang); saved as crash-current\n"
                    fputs(message, stderr)
                    _exit(3)
                }
            }
        }
        thread.start()
    }
}

private func fuzzCrashHandler(_ signalNumber: Int32) {
    FuzzCrashCapture.writeOut()
    let message: StaticString = "\nrlhf fuzz: the parser crashed (signal); the input is saved as crash-current in the crash folder\n"
    message.withUTF8Buffer { _ = write(2, $0.baseAddress, $0.count) }
    raise(signalNumber)   // SA_RESETHAND restored the default action: die with the signal
}
