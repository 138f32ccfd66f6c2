import ArgumentParser
import Foundation
import Jupyter
import Lab

/// `rlhf kernel --connection-file FILE`: the Jupyter kernel (Jupyter starts it through the
/// kernelspec that `rlhf kernel install` writes). One lab session lives as long as the kernel.
struct KernelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernel",
        abstract: "Run as a Jupyter kernel, or install its kernelspec (rlhf kernel install --user).",
        discussion: """
            Jupyter starts `rlhf kernel --connection-file FILE` itself once the kernelspec is \
            installed: run `rlhf kernel install --user`, then `jupyter lab` and choose "RLHF Lab". \
            A notebook cell holds lab commands, one per line, with # comments.
            """,
        subcommands: [KernelInstall.self, KernelUninstall.self])

    @Option(help: ArgumentHelp("The connection file Jupyter writes (ports, key).", valueName: "file"))
    var connectionFile: String?

    @OptionGroup var options: SessionOptions

    func run() throws {
        guard let connectionFile else {
            throw ValidationError("give --connection-file FILE (Jupyter passes it); to set Jupyter up, run `rlhf kernel install --user`")
        }
        let connection: ConnectionFile
        do { connection = try ConnectionFile.read(connectionFile) }
        catch let error as LabError { throw ValidationError(error.message + (error.hint.map { " (\($0))" } ?? "")) }
        // never a terminal: no colour codes, no progress bars drawn with \r; output goes to the notebook
        let session = try options.makeSession(console: Console(writesToTerminal: true, isTerminal: false))
        Interrupt.exitsOnThirdPress = false   // interrupting a notebook never ends its session
        Interrupt.installHandler(for: session)
        let kernel = try Kernel(connection: connection, session: session)
        kernel.run()
    }
}

/// Where `install` and `uninstall` look: --user (default), --prefix DIR or --sys-prefix.
struct KernelSpecLocation: ParsableArguments {
    @Flag(help: "Jupyter's folder for this user (~/.local/share/jupyter; the default).")
    var user = false

    @Option(help: ArgumentHelp("Under DIR/share/jupyter (e.g. a virtual environment).", valueName: "dir"))
    var prefix: String?

    @Flag(help: "Under the active virtual environment ($VIRTUAL_ENV or $CONDA_PREFIX).")
    var sysPrefix = false

    func location() throws -> KernelSpec.Location {
        let chosen = [user, prefix != nil, sysPrefix].filter { $0 }.count
        guard chosen <= 1 else { throw ValidationError("give one of --user, --prefix DIR, --sys-prefix") }
        if let prefix { return .prefix(prefix) }
        return sysPrefix ? .sysPrefix : .user
    }
}

struct KernelInstall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install", abstract: "Write the kernelspec so Jupyter offers \"RLHF Lab\".")

    @OptionGroup var location: KernelSpecLocation

    func run() throws {
        let executable = KernelSpec.currentExecutable
        do {
            let (folder, logos) = try KernelSpec.install(try location.location(), executable: executable)
            print("installed the RLHF Lab kernel in \(folder.path)")
            print("  it runs \(executable) kernel" + (logos == 0 ? " (no logos found beside it)" : ""))
            print("  start Jupyter with `jupyter lab` and choose \"RLHF Lab\"")
        } catch let error as LabError {
            throw ValidationError(error.message + (error.hint.map { " (\($0))" } ?? ""))
        }
    }
}

struct KernelUninstall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uninstall", abstract: "Remove the kernelspec that install wrote.")

    @OptionGroup var location: KernelSpecLocation

    func run() throws {
        do {
            if let folder = try KernelSpec.uninstall(try location.location()) {
                print("removed \(folder.path)")
            } else {
                print("no RLHF Lab kernelspec in \(try KernelSpec.folder(try location.location()).path)")
            }
        } catch let error as LabError {
            throw ValidationError(error.message + (error.hint.map { " (\($0))" } ?? ""))
        }
    }
}
