import Foundation

/// What Tab does for the text before the cursor: the word being completed, the candidates,
/// the text to insert (their common continuation), and the command's usage for when nothing
/// can be inserted.
public struct Completion: Equatable {
    public var word: String
    public var candidates: [String]
    public var insertion: String
    public var usage: String?
}

extension Session {
    /// Tab completion, independent of libedit so it can be tested. First word: command names
    /// and aliases; later words: the command's completer; `--` words: its options and settings.
    public func complete(_ textBeforeCursor: String) -> Completion {
        var words = textBeforeCursor.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let endsWithSpace = textBeforeCursor.last.map { $0 == " " || $0 == "\t" } ?? true
        let current = endsWithSpace || words.isEmpty ? "" : words.removeLast()
        var candidates: [String]
        var usage: String? = nil
        var addSpace = true
        if words.isEmpty {
            candidates = table.names(startingWith: current)
        } else if let command = try? table.resolve(words[0]) {
            usage = command.usage
            let argumentWords = Array(words.dropFirst())
            if current.hasPrefix("--") {
                var names = command.options.map(\.name) + ["json"]
                if command.acceptsSettingOverrides { names += settingNames(spelledLike: String(current.dropFirst(2))) }
                candidates = names.map { "--" + $0 }
            } else if let last = argumentWords.last, last.hasPrefix("--"), last != "--json",
                      let spec = settings.spec(String(last.dropFirst(2))) {
                candidates = Session.values(of: spec)        // --temperature <Tab> ... (words only)
            } else {
                let index = argumentWords.filter { !$0.hasPrefix("--") }.count
                (candidates, addSpace) = argumentCandidates(command, index: index, previous: argumentWords, current: current)
            }
        } else {
            candidates = []
        }
        candidates = Array(Set(candidates.filter { $0.hasPrefix(current) })).sorted()
        var insertion = String(Session.commonPrefix(candidates).dropFirst(current.count))
        if candidates.count == 1 && addSpace && !candidates[0].hasSuffix("/") { insertion += " " }
        return Completion(word: current, candidates: candidates, insertion: insertion, usage: usage)
    }

    private func argumentCandidates(_ command: Command, index: Int, previous: [String], current: String) -> ([String], Bool) {
        switch command.completion {
        case .none: return ([], true)
        case .commands:
            guard index == 0 else { return ([], true) }
            if current.hasPrefix("@") { return (CommandGroup.allCases.map { "@" + $0.key }, true) }
            return (table.allNames.filter { $0 != "?" } + settings.names, true)
        case .settingNames:
            guard index == 0 else { return ([], true) }
            return (settingNames(spelledLike: current) + SettingGroup.allCases.map(\.key) + ["all"], true)
        case .settingThenValue:
            if index == 0 { return (settingNames(spelledLike: current), true) }
            if index == 1, let name = previous.first(where: { !$0.hasPrefix("--") }), let spec = settings.spec(name) {
                return (Session.values(of: spec), true)
            }
            return ([], true)
        case .roleNames: return (roleNames, true)
        case .modelNames: return (modelNames(), true)
        case .lessonNumbers: return (lessonNumbers(), true)
        case .words(let words): return (words, true)
        case .custom(let f): return (f(self, index), true)
        case .files: return (Session.files(matching: current), false)
        }
    }

    /// The settings' names, written with dashes for underscores when the word being completed
    /// has a dash (`:set top-<Tab>` offers top-k and top-p, which `:set` accepts).
    private func settingNames(spelledLike word: String) -> [String] {
        word.contains("-") ? settings.names.map { $0.replacingOccurrences(of: "_", with: "-") } : settings.names
    }

    static func values(of spec: SettingSpec) -> [String] {
        switch spec.kind {
        case .word(let words): words
        case .bool: ["on", "off"]
        default: []
        }
    }

    /// Paths starting with `prefix`, relative to the working directory; folders end with `/`.
    static func files(matching prefix: String) -> [String] {
        let folder: String, stem: String
        if let slash = prefix.lastIndex(of: "/") {
            folder = String(prefix[...slash]); stem = String(prefix[prefix.index(after: slash)...])
        } else {
            folder = ""; stem = prefix
        }
        let fm = FileManager.default
        let expanded = folder.hasPrefix("~/") ? NSString(string: folder).expandingTildeInPath + "/" : folder
        guard let names = try? fm.contentsOfDirectory(atPath: expanded.isEmpty ? "." : expanded) else { return [] }
        return names.filter { $0.hasPrefix(stem) && (stem.hasPrefix(".") || !$0.hasPrefix(".")) }.map { name in
            var isDirectory: ObjCBool = false
            _ = fm.fileExists(atPath: expanded + name, isDirectory: &isDirectory)
            return folder + name + (isDirectory.boolValue ? "/" : "")
        }
    }

    static func commonPrefix(_ words: [String]) -> String {
        guard var prefix = words.first else { return "" }
        for word in words.dropFirst() {
            while !word.hasPrefix(prefix) { prefix.removeLast() }
        }
        return prefix
    }
}
