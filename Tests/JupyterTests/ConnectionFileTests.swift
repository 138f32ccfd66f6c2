import Foundation
import Testing
import Lab
@testable import Jupyter

@Suite struct ConnectionFileTests {
    static let sample = """
        {"shell_port": 53794, "iopub_port": 53795, "stdin_port": 53796, "control_port": 53797, "hb_port": 53798,
         "ip": "127.0.0.1", "key": "a0436f6c-1916-498b-8eb9-e81ab9368e84", "transport": "tcp",
         "signature_scheme": "hmac-sha256", "kernel_name": "rlhf"}
        """

    @Test func readsJupyterClientsConnectionFile() throws {
        let connection = try ConnectionFile.parse(Data(ConnectionFileTests.sample.utf8))
        #expect(connection.shellPort == 53794 && connection.iopubPort == 53795 && connection.stdinPort == 53796)
        #expect(connection.controlPort == 53797 && connection.heartbeatPort == 53798)
        #expect(connection.key == "a0436f6c-1916-498b-8eb9-e81ab9368e84")
        #expect(connection.endpoint(port: connection.shellPort) == "tcp://127.0.0.1:53794")
        #expect(connection.endpoint(port: 0) == "tcp://127.0.0.1:*")
    }

    @Test func ipcEndpointsAreIPDashPort() throws {
        var connection = try ConnectionFile.parse(Data(ConnectionFileTests.sample.utf8))
        connection.transport = "ipc"
        connection.ip = "kernel-ipc"
        #expect(connection.endpoint(port: 7) == "ipc://kernel-ipc-7")
    }

    @Test(arguments: [
        ("[]", "not a JSON object"),
        ("{\"shell_port\": 1}", "\"iopub_port\" is missing"),
        (sample.replacingOccurrences(of: "53794", with: "70000"), "ports are 0...65535"),
        (sample.replacingOccurrences(of: "53794", with: "\"53794\""), "\"shell_port\" is missing or not a whole number"),
        (sample.replacingOccurrences(of: "hmac-sha256", with: "hmac-md5"), "not supported"),
        (sample.replacingOccurrences(of: "\"tcp\"", with: "\"udp\""), "transport"),
    ])
    func refusesBadFilesWithOneLine(_ text: String, _ expected: String) {
        do {
            _ = try ConnectionFile.parse(Data(text.utf8), file: "k.json")
            Issue.record("should be refused: \(text)")
        } catch let error as LabError {
            #expect(error.message.contains(expected), "\(error.message)")
            #expect(error.message.hasPrefix("k.json: "))
            #expect(!error.message.contains("\n"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
