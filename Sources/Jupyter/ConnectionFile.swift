import Foundation
import Lab

/// The connection file a Jupyter client writes before it starts a kernel (jupyter_client
/// `docs/kernels.rst`, "Connection files"):
///
///     {"transport": "tcp", "ip": "127.0.0.1", "shell_port": 53794, "iopub_port": 53795,
///      "stdin_port": 53796, "control_port": 53797, "hb_port": 53798,
///      "signature_scheme": "hmac-sha256", "key": "a0436f6c-1916-498b-8eb9-e81ab9368e84"}
///
/// The kernel binds one socket per port; a port of 0 means "any free port" (the in-process
/// tests use it, and `Kernel.connection` says which ones were chosen).
public struct ConnectionFile: Equatable, Sendable {
    /// "tcp" or "ipc" (then the endpoint is `ipc://IP-PORT`, as jupyter_client writes it).
    public var transport: String
    public var ip: String
    public var shellPort: Int
    public var iopubPort: Int
    public var stdinPort: Int
    public var controlPort: Int
    public var heartbeatPort: Int
    /// Only "hmac-sha256" is supported (the scheme every client uses).
    public var signatureScheme: String
    /// The HMAC key; empty means messages are not signed.
    public var key: String

    public init(transport: String = "tcp", ip: String = "127.0.0.1", shellPort: Int = 0, iopubPort: Int = 0,
                stdinPort: Int = 0, controlPort: Int = 0, heartbeatPort: Int = 0,
                signatureScheme: String = "hmac-sha256", key: String = "") {
        self.transport = transport; self.ip = ip
        self.shellPort = shellPort; self.iopubPort = iopubPort; self.stdinPort = stdinPort
        self.controlPort = controlPort; self.heartbeatPort = heartbeatPort
        self.signatureScheme = signatureScheme; self.key = key
    }

    /// Reads and checks a connection file; errors name the file and the field.
    public static func read(_ path: String) throws -> ConnectionFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LabError("cannot read the connection file \(path)", hint: "Jupyter writes it and passes it as --connection-file {connection_file}")
        }
        return try parse(data, file: path)
    }

    /// Parses the JSON text of a connection file.
    public static func parse(_ data: Data, file: String = "connection file") throws -> ConnectionFile {
        guard data.count <= 1 << 20 else { throw LabError("\(file): \(data.count) bytes, more than a connection file holds") }
        guard case .object(let fields)? = try? JSONText.parse(data) else {
            throw LabError("\(file): not a JSON object")
        }
        func text(_ name: String, default fallback: String? = nil) throws -> String {
            switch fields[name] {
            case .string(let value)?: return value
            case nil where fallback != nil: return fallback!
            default: throw LabError("\(file): \"\(name)\" is missing or not a string")
            }
        }
        func port(_ name: String) throws -> Int {
            guard case .int(let value)? = fields[name] else { throw LabError("\(file): \"\(name)\" is missing or not a whole number") }
            guard (0...65535).contains(value) else { throw LabError("\(file): \"\(name)\" is \(value); ports are 0...65535") }
            return value
        }
        let connection = ConnectionFile(
            transport: try text("transport", default: "tcp"), ip: try text("ip", default: "127.0.0.1"),
            shellPort: try port("shell_port"), iopubPort: try port("iopub_port"), stdinPort: try port("stdin_port"),
            controlPort: try port("control_port"), heartbeatPort: try port("hb_port"),
            signatureScheme: try text("signature_scheme", default: "hmac-sha256"), key: try text("key", default: ""))
        guard ["tcp", "ipc"].contains(connection.transport) else {
            throw LabError("\(file): transport \"\(connection.transport)\" is not supported", hint: "use tcp or ipc")
        }
        guard connection.signatureScheme == "hmac-sha256" else {
            throw LabError("\(file): signature_scheme \"\(connection.signatureScheme)\" is not supported", hint: "use hmac-sha256")
        }
        return connection
    }

    /// The ZeroMQ endpoint for a port: `tcp://127.0.0.1:53794` (port 0: `tcp://127.0.0.1:*`)
    /// or `ipc://kernel-ipc-53794`.
    public func endpoint(port: Int) -> String {
        if transport == "ipc" { return "ipc://\(ip)-\(port)" }
        let host = ip.contains(":") ? "[\(ip)]" : ip
        return "tcp://\(host):" + (port == 0 ? "*" : String(port))
    }
}
