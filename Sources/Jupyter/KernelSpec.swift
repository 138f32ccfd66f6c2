import Foundation
import Lab

/// The kernelspec that tells Jupyter how to start this kernel (jupyter_client
/// `docs/kernels.rst`, "Kernel specs"): a folder `kernels/rlhf/` holding `kernel.json` and the
/// logos, in one of Jupyter's data folders:
///
///     {"argv": ["/abs/path/rlhf", "kernel", "--connection-file", "{connection_file}"],
///      "display_name": "RLHF Lab", "language": "rlhf", "interrupt_mode": "signal"}
///
/// `interrupt_mode: signal` makes the client send SIGINT (Ctrl-C) to interrupt; the kernel also
/// accepts `interrupt_request` on the control channel.
public enum KernelSpec {
    public static let name = "rlhf"
    public static let displayName = "RLHF Lab"
    public static let logos = ["logo-32x32.png", "logo-64x64.png"]

    /// Where to install: Jupyter's per-user data folder, `PREFIX/share/jupyter`, or the active
    /// virtual environment's (`sys.prefix`: $VIRTUAL_ENV or $CONDA_PREFIX).
    public enum Location: Equatable {
        case user
        case prefix(String)
        case sysPrefix
    }

    /// `.../jupyter/kernels/rlhf` for a location.
    public static func folder(_ location: Location, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        let data: URL
        switch location {
        case .user:
            if let dir = environment["JUPYTER_DATA_DIR"], !dir.isEmpty {
                data = URL(fileURLWithPath: dir)
            } else {
                let home = URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory())
                #if os(macOS)
                data = home.appendingPathComponent("Library/Jupyter")
                #else
                let xdg = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
                data = (xdg ?? home.appendingPathComponent(".local/share")).appendingPathComponent("jupyter")
                #endif
            }
        case .prefix(let prefix):
            data = URL(fileURLWithPath: prefix).appendingPathComponent("share/jupyter")
        case .sysPrefix:
            guard let prefix = environment["VIRTUAL_ENV"] ?? environment["CONDA_PREFIX"], !prefix.isEmpty else {
                throw LabError("--sys-prefix: no virtual environment is active ($VIRTUAL_ENV and $CONDA_PREFIX are unset)",
                               hint: "activate the environment Jupyter runs in, or use --user or --prefix DIR")
            }
            data = URL(fileURLWithPath: prefix).appendingPathComponent("share/jupyter")
        }
        return data.appendingPathComponent("kernels").appendingPathComponent(name)
    }

    /// The contents of kernel.json for the binary at `executable`.
    public static func kernelJSON(executable: String) -> JSONValue {
        ["argv": [.string(executable), "kernel", "--connection-file", "{connection_file}"],
         "display_name": .string(displayName), "language": "rlhf", "interrupt_mode": "signal",
         "metadata": ["debugger": false]]
    }

    /// Writes the kernelspec folder (replacing an earlier one) and returns it. The logos are
    /// copied when found beside the binary; without them Jupyter shows the language's initials.
    @discardableResult
    public static func install(_ location: Location, executable: String) throws -> (folder: URL, logos: Int) {
        let folder = try folder(location)
        let fileManager = FileManager.default
        do {
            try fileManager.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data((kernelJSON(executable: executable).encoded + "\n").utf8).write(to: folder.appendingPathComponent("kernel.json"))
        } catch {
            throw LabError("cannot write the kernelspec in \(folder.path): \(error.localizedDescription)",
                           hint: "choose a folder you can write with --user or --prefix DIR")
        }
        var copied = 0
        if let resources = resourceFolder(executable: executable) {
            for logo in logos {
                let target = folder.appendingPathComponent(logo)
                try? fileManager.removeItem(at: target)
                if (try? fileManager.copyItem(at: resources.appendingPathComponent(logo), to: target)) != nil { copied += 1 }
            }
        }
        return (folder, copied)
    }

    /// Removes the kernelspec folder; returns it, or nil when there was none.
    public static func uninstall(_ location: Location) throws -> URL? {
        let folder = try folder(location)
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("kernel.json").path) else { return nil }
        do { try FileManager.default.removeItem(at: folder) }
        catch { throw LabError("cannot remove \(folder.path): \(error.localizedDescription)") }
        return folder
    }

    /// The folder with the logos: the build's resource bundle beside the binary
    /// (`.build/release/RLHFLab_Jupyter.resources/Resources`), else `Sources/Jupyter/Resources`
    /// of the checkout the binary was built in.
    static func resourceFolder(executable: String) -> URL? {
        let binaryFolder = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        var candidates = [binaryFolder.appendingPathComponent("RLHFLab_Jupyter.resources/Resources"),
                          binaryFolder.appendingPathComponent("RLHFLab_Jupyter.resources")]
        var folder = binaryFolder
        for _ in 0..<4 {
            folder = folder.deletingLastPathComponent()
            candidates.append(folder.appendingPathComponent("Sources/Jupyter/Resources"))
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent(logos[0]).path) }
    }

    /// The absolute path of the running binary (/proc/self/exe on Linux).
    public static var currentExecutable: String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return Bundle.main.executablePath ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }
}
