import Lab
import Testing

@Suite struct TokenizerTests {
    @Test func splitsOnWhitespace() throws {
        #expect(try Tokenizer.words("  :set   temperature\t0.5 ") == [":set", "temperature", "0.5"])
        #expect(try Tokenizer.words("") == [])
    }

    @Test func quotes() throws {
        #expect(try Tokenizer.words(#"sample --prompt "hello world" 'it''s'"#) == ["sample", "--prompt", "hello world", "its"])
        #expect(try Tokenizer.words(#"say 'a \n b'"#) == ["say", #"a \n b"#])          // single quotes are literal
        #expect(try Tokenizer.words(#"say "a\nb \"q\" \\ \x""#) == ["say", "a\nb \"q\" \\ \\x"])
        #expect(try Tokenizer.words(#"--name="a b""#) == ["--name=a b"])
        #expect(try Tokenizer.words(#"x "" y"#) == ["x", "", "y"])
    }

    @Test func unterminatedQuoteIsAnError() {
        #expect(throws: LabError.self) { try Tokenizer.words(#"say "oops"#) }
        #expect(throws: LabError.self) { try Tokenizer.words("say 'oops") }
    }

    @Test func statements() throws {
        #expect(try Tokenizer.statementLines(#":set seed 1; :show "a;b" ;; :quit"#) == [":set seed 1", #":show "a;b""#, ":quit"])
        #expect(try Tokenizer.statements("a b; c") == [["a", "b"], ["c"]])
    }
}
