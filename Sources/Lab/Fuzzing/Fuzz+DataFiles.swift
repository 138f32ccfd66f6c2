import Foundation
import Stages

extension FuzzHarness {
    static let preferenceKeys = ["\"prompt\"", "\"chosen\"", "\"rejected\"", "\"labeler\"", "\"time\"", "\"chosen_score\"",
                                 "\"rejected_score\"", "\"student\"", "\"2026-11-25T10:00:00Z\"", "\n", "\r\n", "\"completion\""]

    /// Preference JSONL (`PreferenceStore.load`). When only the last line is torn, opening the
    /// file as a store must cut that line off, after which it loads with no problems and the same labels.
    static let preferences = FuzzHarness(
        name: "preferences", summary: "preference JSONL (PreferenceStore.load, then the torn-line repair)",
        dictionary: jsonTokens + preferenceKeys,
        seeds: {
            let lines = [
                #"{"chosen":"put the tea in hot water .","labeler":"student","prompt":"how do i make tea ?","rejected":"tea tea tea","time":"2026-11-25T10:00:00Z"}"#,
                #"{"chosen":"yes .","chosen_score":5.5,"labeler":"rules","prompt":"is tea hot ?","rejected":"no","rejected_score":-1,"time":"2026-11-25T10:00:01Z"}"#,
                #"{"prompt": "plain trl", "chosen": "a", "rejected": "b"}"#,
            ]
            return ["labels.jsonl": Data((lines.joined(separator: "\n") + "\n").utf8),
                    "torn.jsonl": Data((lines[0] + "\n" + lines[1].prefix(40)).utf8),
                    "blank-lines.jsonl": Data(("\n" + lines[2] + "\n\n  \n").utf8)]
        },
        run: { data, context in
            let url = try context.file("prefs.jsonl", data)
            let loaded: PreferenceLoad
            do { loaded = try PreferenceStore.load(from: url) }
            catch { return .rejected("\(error)") }
            if !loaded.problems.isEmpty {
                let store = try PreferenceStore(url: url)   // cuts off the torn line
                let again = try PreferenceStore.load(from: url)
                guard again.problems.isEmpty, again.comparisons == loaded.comparisons, store.comparisons == loaded.comparisons else {
                    throw FuzzFinding("after cutting off a torn line the file has problems \(again.problems) or different labels")
                }
            }
            return .loaded
        })

    /// SFT prompt/completion JSONL (`loadPromptCompletions`).
    static let promptCompletions = FuzzHarness(
        name: "sft-jsonl", summary: "SFT prompt/completion JSONL (loadPromptCompletions)",
        dictionary: jsonTokens + preferenceKeys,
        seeds: {
            let lines = [#"{"prompt": "how do i make tea ?", "completion": "put the tea in hot water ."}"#,
                         #"{"prompt":"<q> is it hot ? <a>","completion":"yes","extra":[1,2,{"x":null}]}"#,
                         #"{"prompt": "\u00e9\n\"q\"", "completion": ""}"#]
            return ["pairs.jsonl": Data((lines.joined(separator: "\n") + "\n").utf8),
                    "crlf.jsonl": Data((lines.joined(separator: "\r\n") + "\r\n").utf8)]
        },
        run: { data, context in
            do { _ = try loadPromptCompletions(from: try context.file("sft.jsonl", data)) }
            catch let error as DataFileError { return .rejected("\(error)") }
            return .loaded
        })
}
