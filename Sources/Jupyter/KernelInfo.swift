import Foundation
import Lab

/// What `kernel_info_reply` says about the kernel and its language (jupyter_client
/// `docs/messaging.rst`, "Kernel info"). JupyterLab waits for this reply (and the idle status
/// after it) before it uses a kernel.
public enum KernelInfo {
    /// The messaging protocol version the kernel speaks (in every header and in kernel_info).
    public static let protocolVersion = "5.4"

    static func content(session: Session) -> [String: JSONValue] {
        var links: [JSONValue] = []
        if let readme = LabPaths.lessons?.deletingLastPathComponent().appendingPathComponent("README.md"),
           FileManager.default.fileExists(atPath: readme.path) {
            links.append(["text": "RLHF Lab README", "url": .string(readme.absoluteString)])
        }
        return [
            "status": "ok",
            "protocol_version": .string(protocolVersion),
            "implementation": "rlhf",
            "implementation_version": .string(LabInfo.version),
            "language_info": [
                "name": "rlhf",
                "version": .string(LabInfo.version),
                "mimetype": "text/x-rlhf",
                "file_extension": ".rlhf",
                "pygments_lexer": "text",
                "codemirror_mode": "shell",
            ],
            "banner": .string(REPL.banner(session) + "\nOne command per line; # starts a comment. Tab completes, Shift-Tab shows a command's help."),
            "help_links": .array(links),
            "debugger": false,
        ]
    }
}
