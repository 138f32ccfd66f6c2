import Lab
import Testing

@Suite struct CommandTableTests {
    let table = CommandTable.standard

    @Test func namesAndAliasesAreUnique() {
        let names = table.allNames
        #expect(Set(names).count == names.count, "duplicates: \(names)")
    }

    @Test func everyCommandIsDocumented() {
        for command in table.commands {
            #expect(!command.summary.isEmpty, "\(command.name) has no summary")
            #expect(!command.help.isEmpty, "\(command.name) has no help text")
            #expect(!command.examples.isEmpty, "\(command.name) has no example")
            #expect(command.usage.hasPrefix(command.name), "\(command.name) usage")
            for example in command.examples {
                let first = example.split(separator: " ").first.map(String.init) ?? ""
                #expect(command.names.contains(first), "\(command.name) example '\(example)' uses another command")
            }
            // Synopsis notation: <required> [optional] [--flag <value>]; no sqlite-style ?X?.
            #expect(!command.arguments.contains("?"), "\(command.name) usage")
        }
    }

    @Test func everyCommandHasAnUnambiguousPrefix() {
        for command in table.commands {
            #expect(table.shortestUniquePrefix(of: command) != nil, "\(command.name) cannot be abbreviated")
            for other in table.commands where other.name != command.name {
                #expect(!other.name.hasPrefix(command.name), "\(command.name) is a prefix of \(other.name)")
            }
        }
    }

    @Test func plainHelpQuitAndQuestionMark() throws {
        #expect(try table.resolve("help").name == ":help")
        #expect(try table.resolve("?").name == ":help")
        #expect(try table.resolve("quit").name == ":quit")
    }

    @Test func uniquePrefixResolves() throws {
        #expect(try table.resolve(":q").name == ":quit")
        #expect(try table.resolve(":rec").name == ":record")
        #expect(try table.resolve(":sh").name == ":show")
        #expect(try table.resolve(":set").name == ":set")       // exact name beats the prefix of :seed? no: exact wins
    }

    @Test func ambiguousPrefixListsCandidates() {
        do { _ = try table.resolve(":s"); Issue.record("expected an error") }
        catch let error as LabError {
            #expect(error.message.contains("ambiguous"))
            for name in [":set", ":seed", ":show"] { #expect(error.message.contains(name)) }
        } catch { Issue.record("\(error)") }
    }

    @Test func didYouMean() {
        func hint(_ word: String) -> String? {
            do { _ = try table.resolve(word); return nil } catch { return (error as? LabError)?.hint }
        }
        #expect(hint(":sed")?.contains("':seed'") == true)
        #expect(hint(":shwo")?.contains("':show'") == true)
        #expect(hint("set")?.contains("':set'") == true)      // the other namespace
        #expect(hint("qiut")?.contains("'quit'") == true)
        #expect(hint("zzzzzzzz")?.contains("did you mean") == false)
        #expect(EditDistance.distance("kitten", "sitting") == 3)
    }
}
