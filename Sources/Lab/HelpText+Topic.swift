extension Session {
    /// The text `:help TOPIC` prints (a command's card, a setting, a group), without running a
    /// line: the Jupyter kernel shows it for Shift-Tab. Throws when there is no help for it.
    public func helpText(for topic: String) throws -> String {
        try HelpText.run(self, topic: topic).text
    }
}
