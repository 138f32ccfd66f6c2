import Lab
import Testing

@Suite struct CommandLineWordsTests {
    @Test func splitsOnWhitespace() throws {
        #expect(try CommandLineWords.words("  :set   temperature\t0.5 ") == [":set", "temperature", "0.5"])
        #expect(try CommandLineWords.words("") == [])
    }

    @Test func quotes() throws {
        #expect(try CommandLineWords.words(#"sample --prompt "hello world" 'it''s'"#) == ["sample", "--prompt", "hello world", "its"])
        #expect(try CommandLineWords.words(#"say 'a \n b'"#) == ["say", #"a \n b"#])          // single quotes are literal
        #expect(try CommandLineWords.words(#"say "a\nb \"q\" \\ \x""#) == ["say", "a\nb \"q\" \\ \\x"])
        #expect(try CommandLineWords.words(#"--name="a b""#) == ["--name=a b"])
        #expect(try CommandLineWords.words(#"x "" y"#) == ["x", "", "y"])
    }

    @Test func unterminatedQuoteIsAnError() {
        #expect(throws: LabError.self) { try CommandLineWords.words(#"say "oops"#) }
        #expect(throws: LabError.self) { try CommandLineWords.words("say 'oops") }
    }

    @Test func statements() throws {
        #expect(try CommandLineWords.statementLines(#":set seed 1; :show "a;b" ;; :quit"#) == [":set seed 1", #":show "a;b""#, ":quit"])
        #expect(try CommandLineWords.statements("a b; c") == [["a", "b"], ["c"]])
    }
}
