import Foundation

extension FuzzHarness {
    /// `:set NAME VALUE` with random names and values. A value that is accepted must be inside
    /// the setting's declared range (settings are range-checked, never silently clamped).
    /// Input: "NAME VALUE" (the first space separates them).
    static let settings = FuzzHarness(
        name: "settings", summary: ":set NAME VALUE (Settings.set, then the range is checked)",
        dictionary: Settings.catalog.map(\.name) + ["on", "off", "yes", "no", "true", "text", "json", "auto", " ", "-", ".", "e", "E",
                                                    "+", "_", "\u{0}", "٣", "１", "ⅷ"],
        errorsAreOneLine: false,
        seeds: {
            Dictionary(uniqueKeysWithValues: Settings.catalog.map { spec in
                ("\(spec.name).txt", Data("\(spec.name) \(spec.defaultValue)".utf8))
            })
        },
        run: { data, _ in
            let text = String(decoding: data, as: UTF8.self)
            let space = text.firstIndex(of: " ") ?? text.endIndex
            let name = String(text[..<space]), value = space < text.endIndex ? String(text[text.index(after: space)...]) : ""
            let settings = Settings()
            do { _ = try settings.set(name, to: value) }
            catch { return .rejected("\(error)") }
            guard let spec = settings.spec(name) else { throw FuzzFinding("set accepted an unknown setting \(name.debugDescription)") }
            let stored = settings.value(spec.name)
            switch (spec.kind, stored) {
            case (.int(let range), .int(let x)) where range.contains(x): break
            case (.float(let range), .float(let x)) where x.isFinite && range.contains(x): break
            case (.bool, .bool): break
            case (.word(let words), .word(let w)) where words.contains(w): break
            case (.string, .string): break
            default: throw FuzzFinding(":set \(name) \(value.debugDescription) stored \(stored), outside \(spec.allowed)")
            }
            // the same through the REPL line, quoted so that the value stays one word
            // (not `threads`: that would change the thread count of the whole process)
            if name == "threads" { return .loaded }
            let session = Session(console: .capturing())
            let quoted = "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            let outcome = session.execute(line: ":set \(name) \(quoted)")
            if !outcome.ok && !value.contains(where: { $0.isNewline }) {
                throw FuzzFinding(":set \(name) \(quoted) failed in the REPL but Settings.set accepted it: \(outcome.error?.message ?? "")")
            }
            return .loaded
        })
}
