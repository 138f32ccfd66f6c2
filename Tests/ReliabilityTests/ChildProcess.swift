import Foundation

/// The release `rlhf` binary next to these sources (`make test` builds it first), or nil.
let rlhfBinary: URL? = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return ["release", "debug"].map { root.appendingPathComponent(".build/\($0)/rlhf") }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }
}()
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let missingBinary = "the rlhf binary is missing: run `swift build -c release` first (`make test` does)"

/// `rlhf` running as a child process with piped stdin, its output collected as it arrives.
final class Child {
    let process = Process()
    private let output = LockedText()
    private let stdinPipe = Pipe(), stdoutPipe = Pipe()

    init(arguments: [String] = [], script: String, workingDirectory: URL? = nil) throws {
        process.executableURL = rlhfBinary!
        process.arguments = arguments
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = stdoutPipe
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        let handle = stdoutPipe.fileHandleForReading
        try process.run()
        let output = self.output
        Thread {
            while true {
                let data = handle.availableData
                if data.isEmpty { output.finish(); break }
                output.append(String(decoding: data, as: UTF8.self))
            }
        }.start()
        stdinPipe.fileHandleForWriting.write(Data(script.utf8))
        try? stdinPipe.fileHandleForWriting.close()
    }

    var text: String { output.value }

    /// How many times `needle` occurs in the output so far.
    func count(_ needle: String) -> Int { text.components(separatedBy: needle).count - 1 }

    /// Waits until `needle` has appeared `times` times (true), or the process ended or time ran out (false).
    func wait(for needle: String, times: Int = 1, seconds: Double = 30) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if count(needle) >= times { return true }
            if output.isFinished { return count(needle) >= times }   // end of output: the process ended
            usleep(500)
        }
        return false
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the process to end (killing it after `seconds`); returns its status.
    @discardableResult
    func finish(seconds: Double = 60) -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(1000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let readDeadline = Date().addingTimeInterval(5)
        while !output.isFinished && Date() < readDeadline { usleep(500) }  // the reader takes the last bytes
        return process.terminationStatus
    }
}

/// A fresh temporary folder.
func temporaryFolder(_ name: String) -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-reliability-\(name)-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Lines that make a tiny, quick model.
let tinyModelLines = ":set model.width 16\n:set model.context 32\n:set max_tokens 8\n:set verbose 0\n:new policy\n"

/// Text appended by one thread and read by another.
final class LockedText: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""
    func append(_ more: String) { lock.lock(); text += more; lock.unlock() }
    private var finished = false
    var value: String { lock.lock(); defer { lock.unlock() }; return text }
    func finish() { lock.lock(); finished = true; lock.unlock() }
    var isFinished: Bool { lock.lock(); defer { lock.unlock() }; return finished }
}
