import Foundation
import Lab
import Testing

@Suite struct SessionTests {
    @Test func overridesApplyForOneCallOnly() {
        let session = makeSession([probe])
        let outcome = session.execute(line: "probe 2 --temperature 0.25 --label 'a b' --loud")
        #expect(outcome.ok, "\(outcome.stderr)")
        #expect(outcome.stdout.hasPrefix("temperature=0.25 n=2 label=a b loud=true"))
        #expect(session.settings.double("temperature") == 1.0)
        #expect(session.execute(line: "probe --temperature=3").stdout.hasPrefix("temperature=3 "))
        #expect(session.settings.changed.isEmpty)
    }

    /// `--top-k 5` overrides top_k for one call, as `--top_k 5` does.
    @Test func anOverrideMayWriteDashes() {
        let session = makeSession([probe])
        #expect(session.execute(line: "probe --top-k 5 --grad-clip=0.5").ok)
        #expect(session.settings.changed.isEmpty)
        let unknown = session.execute(line: "probe --top-q 5")
        #expect(!unknown.ok && unknown.stderr.contains("unknown option '--top-q'") && unknown.stderr.contains("did you mean '--top_"))
    }

    /// Ctrl-C belongs to a session: a press in one (a notebook kernel's interrupt request) stops
    /// that session's training at its next step and leaves another session in the same process,
    /// and the process's own flag, alone.
    @Test func aPressStopsItsOwnSessionOnly() {
        let pressed = tinySession(), other = tinySession()
        let processPresses = InterruptFlag.process.totalPresses
        pressed.interrupt.request()
        let stopped = pressed.execute(line: "pretrain 3")
        let ran = other.execute(line: "pretrain 3")
        #expect(stopped.ok && ran.ok, "\(stopped.stderr)\(ran.stderr)")
        #expect(stopped.result?.fields["steps"] == .int(0) && stopped.result?.fields["interrupted"] == .bool(true))
        #expect(stopped.stdout.contains("stopped by Ctrl-C after 0 of 3 steps"), "\(stopped.stdout)")
        #expect(ran.result?.fields["steps"] == .int(3) && ran.result?.fields["interrupted"] == .bool(false))
        #expect(!pressed.interrupt.isRequested, "the command that stopped clears its flag")
        #expect(InterruptFlag.process.totalPresses == processPresses)
        // the next command runs in full
        #expect(pressed.execute(line: "pretrain 2").result?.fields["steps"] == .int(2))
    }

    @Test func seedOverrideDoesNotDisturbTheSessionStream() {
        let a = makeSession([probe]), b = makeSession([probe])
        _ = a.execute(line: "probe --seed 99")
        let fromA = a.execute(line: "probe").stdout
        let fromB = b.execute(line: "probe").stdout
        #expect(fromA == fromB)
    }

    @Test func badOverrideIsRefusedBeforeRunning() {
        let session = makeSession([probe])
        let outcome = session.execute(line: "probe --temperature -1")
        #expect(!outcome.ok)
        #expect(outcome.stderr == "error: probe: --temperature: -1 is negative\n  hint: allowed: 0 <= temperature <= 10\n  usage: probe [<n>]\n")
        let unknown = session.execute(line: "probe --temprature 1")
        #expect(unknown.stderr.contains("did you mean '--temperature'?"))
        let missing = session.execute(line: "probe --temperature")
        #expect(missing.stderr.contains("--temperature needs a value"))
        #expect(session.settings.changed.isEmpty)
    }

    @Test func sessionCommandsRefuseSettingOverrides() {
        let session = makeSession()
        let outcome = session.execute(line: ":show --temperature 2")
        #expect(!outcome.ok && outcome.stderr.contains("unknown option '--temperature'"))
    }

    @Test func failedCommandRestoresRandomNumbers() {
        let a = makeSession([probe, failing]), b = makeSession([probe, failing])
        #expect(!a.execute(line: "explode").ok)
        #expect(a.execute(line: "probe").stdout == b.execute(line: "probe").stdout)
        #expect(a.failureCount == 1)
    }

    @Test func argumentErrorsShowUsage() {
        let session = makeSession([probe])
        let outcome = session.execute(line: "probe 11")
        #expect(outcome.stderr == "error: probe: <n> is 11, out of range\n  hint: allowed: 1 <= n <= 10\n  usage: probe [<n>]\n")
        #expect(session.execute(line: ":seed").stderr.contains("missing <n>"))
        #expect(session.execute(line: ":quit now").stderr.contains("unexpected argument 'now'"))
    }

    @Test func seedRestartsTheStream() {
        let session = makeSession([probe])
        let first = session.execute(line: "probe").stdout
        #expect(session.execute(line: ":seed 0").stdout == "seed: 0 -> 0 (random numbers restarted)\n")
        #expect(session.execute(line: "probe").stdout == first)
        _ = session.execute(line: ":set seed 5")
        #expect(session.execute(line: "probe").stdout != first)
    }

    @Test func helpShortcutsAndCards() {
        let session = makeSession()
        let card = session.execute(line: ":help :set").stdout
        #expect(card.hasPrefix("usage: :set [<name> [<value>]]\n"))
        #expect(card.contains("example"))
        #expect(session.execute(line: "?:set").stdout == card)
        #expect(session.execute(line: ":set?").stdout == card)
        #expect(session.execute(line: "help :se").stderr.contains("ambiguous"))
        #expect(session.execute(line: ":help @session").stdout.hasPrefix("Session\n"))
        #expect(session.execute(line: ":help temperature").stdout.contains("allowed: 0 <= temperature <= 10"))
        // a setting's long doc wraps to the session's width, under its first line
        for line in [":help ppo.lr", ":set rl.reward"] {
            let lines = session.execute(line: line).stdout.split(separator: "\n")
            #expect(lines.count >= 2 && lines.allSatisfy { $0.count <= session.width }, "\(line): \(lines)")
        }
        #expect(session.execute(line: ":help transcript").stdout.contains(":record"))
        #expect(!session.execute(line: ":help @nothing").ok)
        #expect(session.execute(line: "?").stdout == session.execute(line: ":help").stdout)
    }

    @Test func quit() {
        let session = makeSession()
        session.execute(line: "quit")
        #expect(session.quitRequested)
    }

    @Test func blankLinesAndCommentsDoNothing() {
        let session = makeSession()
        for line in ["", "   ", "# a comment"] {
            let outcome = session.execute(line: line)
            #expect(outcome.ok && outcome.command == nil && outcome.stdout.isEmpty)
        }
        #expect(session.transcript.isEmpty)
    }

    @Test func unterminatedQuote() {
        let outcome = makeSession().execute(line: #":set temperature "0.5"#)
        #expect(outcome.stderr.hasPrefix("error: unterminated double quote"))
    }
}

@Suite struct ScriptTests {
    @Test func readRunsAScriptWithFileLineErrors() throws {
        let folder = temporaryDirectory()
        let script = folder.appendingPathComponent("setup.rlhf").path
        try "# setup\n\n:set temperature 0.5\n:set top_p 2\n:set top_k 5\n".write(toFile: script, atomically: true, encoding: .utf8)
        let session = makeSession()
        let outcome = session.execute(line: ":read \(script)")
        #expect(outcome.stdout == "temperature: 1 -> 0.5\ntop_k: 0 -> 5\n")
        #expect(outcome.stderr.hasPrefix("\(script):4: error: top_p: 2 is out of range\n"))
        #expect(session.failureCount == 1)
    }

    @Test func bailStopsAtTheFirstError() throws {
        let folder = temporaryDirectory()
        let script = folder.appendingPathComponent("bail.rlhf").path
        try ":set top_p 2\n:set top_k 5\n".write(toFile: script, atomically: true, encoding: .utf8)
        let session = makeSession()
        session.execute(line: ":set bail on")
        session.execute(line: ":read \(script)")
        #expect(session.settings.int("top_k") == 0)
    }

    @Test func nestingIsLimitedTo25() throws {
        let folder = temporaryDirectory()
        let script = folder.appendingPathComponent("self.rlhf").path
        try ":read \(script)\n".write(toFile: script, atomically: true, encoding: .utf8)
        let session = makeSession()
        let outcome = session.execute(line: ":read \(script)")
        #expect(outcome.stderr.contains("scripts nested more than 25 deep"))
        #expect(outcome.stderr.components(separatedBy: "error:").count == 2)   // reported once
        #expect(session.readDepth == 0)
    }

    @Test func missingFile() {
        let outcome = makeSession().execute(line: ":read /nonexistent/x.rlhf")
        #expect(outcome.stderr.hasPrefix("error: :read: cannot read '/nonexistent/x.rlhf'"))
    }

    @Test func recordWritesALessonTranscript() throws {
        let folder = temporaryDirectory()
        let path = folder.appendingPathComponent("session.md").path
        let session = makeSession()
        session.execute(line: ":set temperature 0.5")
        session.execute(line: "# not recorded")
        session.execute(line: ":set top_p 0")
        let recorded = session.execute(line: ":record \(path)")
        #expect(recorded.stdout == "recorded 2 commands to \(path)\n")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == """
            ---
            title: Recorded session
            seed: 0
            ---
            # Recorded session

            Recorded with `:record` in RLHF Lab \(LabInfo.version).

            ```rlhf
            > :set temperature 0.5
            temperature: 1 -> 0.5
            ```

            ```rlhf,should-fail
            > :set top_p 0
            error: top_p: 0 is out of range
              hint: allowed: 0 < top_p <= 1
            ```

            """)
        let again = session.execute(line: ":record \(path)")
        #expect(!again.ok && again.stderr.contains("--force"))
        #expect(session.execute(line: ":record \(path) --force").ok)
        // a folder that is a file: one clear error, the transcript kept
        let blocked = session.execute(line: ":record \(path)/inside.md")
        #expect(!blocked.ok && blocked.stderr.hasPrefix("error: :record: cannot write"))
        #expect(session.execute(line: ":record \(folder.path)/new/session.md").ok)
    }
}

@Suite struct JSONTests {
    @Test func resultsAreOneObjectPerCommand() {
        let session = makeSession([probe])
        session.execute(line: ":set output json")
        #expect(session.execute(line: ":set temperature 0.5").stdout
                == #"{"command":":set","ok":true,"name":"temperature","new":0.5,"old":1.0}"# + "\n")
        #expect(session.execute(line: "probe 3").stdout.hasPrefix(#"{"command":"probe","ok":true,"n":3,"#))
    }

    @Test func errorsAreObjectsOnStdout() {
        let session = makeSession()
        let outcome = session.execute(line: ":set top_p 2 --json")
        #expect(outcome.stderr.isEmpty)
        #expect(outcome.stdout == #"{"command":":set","ok":false,"error":"top_p: 2 is out of range","hint":"allowed: 0 < top_p <= 1"}"# + "\n")
        let unknown = session.execute(line: "nope --json")
        #expect(unknown.stdout.hasPrefix(#"{"ok":false,"error":"unknown command 'nope'""#))
    }

    @Test func jsonFlagIsForOneCall() {
        let session = makeSession()
        #expect(session.execute(line: ":show seed --json").stdout.hasPrefix("{"))
        #expect(session.execute(line: ":show seed").stdout.hasPrefix("Session"))
    }

    @Test func encoding() {
        let value: JSONValue = ["b": 1, "a": [true, .null, 0.5], "command": "x", "s": "q\"\n"]
        #expect(value.encoded == #"{"command":"x","a":[true,null,0.5],"b":1,"s":"q\"\n"}"#)
        #expect(JSONValue.number(.nan).encoded == "null")
    }
}

@Suite struct CompletionTests {
    let session = makeSession([probe])

    @Test func commandNames() {
        let c = session.complete(":se")
        #expect(c.candidates == [":seed", ":set"])
        #expect(c.insertion == "")
        #expect(session.complete(":sh").insertion == "ow ")
    }

    @Test func settingNamesAndValues() {
        #expect(session.complete(":set tem").insertion == "perature ")
        #expect(session.complete(":set output ").candidates == ["json", "text"])
        #expect(session.complete(":set kl_estimator k").candidates == ["k1", "k3"])
        #expect(session.complete(":show pp").insertion == "o.")
        #expect(session.complete("probe --tem").insertion == "perature ")
        #expect(session.complete(":help @se").insertion == "ssion ")
        // a dash for an underscore, as :set accepts it
        #expect(session.complete(":set top-").candidates == ["top-k", "top-p"])
        #expect(session.complete("probe --grad-c").insertion == "lip ")
        #expect(session.complete(":set kl-estimator k").candidates == ["k1", "k3"])
        #expect(session.complete(":set top_").candidates == ["top_k", "top_p"])
    }

    @Test func usageWhenNothingFits() {
        let c = session.complete(":set temperature ")
        #expect(c.candidates.isEmpty)
        #expect(c.usage == ":set [<name> [<value>]]")
    }

    @Test func files() throws {
        let folder = temporaryDirectory()
        try "x".write(to: folder.appendingPathComponent("lesson-one.rlhf"), atomically: true, encoding: .utf8)
        let c = session.complete(":read \(folder.path)/less")
        #expect(c.candidates == ["\(folder.path)/lesson-one.rlhf"])
    }
}

@Suite struct HelpSnapshotTests {
    /// `:help` output against Tests/LabTests/Fixtures/help.txt. After changing a command on
    /// purpose, regenerate with:
    ///     swift build -c release && .build/release/rlhf -c ':help' > Tests/LabTests/Fixtures/help.txt
    /// (or run the tests with RLHF_UPDATE_FIXTURES=1) and review the diff.
    @Test func helpMatchesTheSnapshot() throws {
        let help = makeSession().execute(line: ":help").stdout
        let file = fixturesFolder.appendingPathComponent("help.txt")
        if ProcessInfo.processInfo.environment["RLHF_UPDATE_FIXTURES"] == "1" {
            try help.write(to: file, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        let got = help.split(separator: "\n", omittingEmptySubsequences: false)
        let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
        if let line = zip(got, want).enumerated().first(where: { $0.element.0 != $0.element.1 }) {
            Issue.record("help.txt line \(line.offset + 1) differs:\n  want: \(line.element.1)\n  got:  \(line.element.0)")
        }
        #expect(got.count == want.count, "help has \(got.count) lines, snapshot \(want.count)")
    }
}
