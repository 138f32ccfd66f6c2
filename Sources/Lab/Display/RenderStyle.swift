/// What a renderer needs to know about where it draws: the terminal's width and whether it shows
/// Unicode (eighth blocks, box lines) or only ASCII. HTML and SVG ignore both.
public struct RenderStyle: Sendable {
    public var width: Int
    public var unicode: Bool

    public init(width: Int = 100, unicode: Bool = true) {
        self.width = width; self.unicode = unicode
    }
}

extension Session {
    /// The session's terminal width and Unicode setting.
    public var renderStyle: RenderStyle { RenderStyle(width: width, unicode: unicode) }
}
