import Foundation
import Testing
@testable import HTTP1

/// curl as an independent, real-world client.
extension HTTPServerTests {
    /// Runs curl with `arguments` and returns its exit status and standard output.
    static func curl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["--silent", "--show-error", "--max-time", "10"] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A temporary file holding `bytes`, removed by the caller.
    static func temporaryFile(_ bytes: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("http1-curl-\(UUID().uuidString)")
        try Data(bytes).write(to: url)
        return url
    }

    /// A body with every byte value and some JSON, about 20 KiB.
    static let curlBody: [UInt8] = Array(#"{"id":"evt_1","object":"event"}"#.utf8) + (0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")))
    func curl_postWithDataBinary_isEchoed() throws {
        let live = try LiveServer()
        let input = try Self.temporaryFile(Self.curlBody)
        let echoed = FileManager.default.temporaryDirectory.appendingPathComponent("http1-curl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: input); try? FileManager.default.removeItem(at: echoed) }
        let result = try Self.curl([
            "--data-binary", "@\(input.path)", "-H", "Content-Type: application/json",
            "-o", echoed.path, "-w", "%{http_code} %{size_download}", "http://127.0.0.1:\(live.port)/echo",
        ])
        #expect(result.status == 0)
        #expect(result.output == "200 \(Self.curlBody.count)")
        #expect(Array(try Data(contentsOf: echoed)) == Self.curlBody)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")))
    func curl_chunkedUpload_isEchoed() throws {
        let live = try LiveServer()
        let input = try Self.temporaryFile(Self.curlBody)
        let echoed = FileManager.default.temporaryDirectory.appendingPathComponent("http1-curl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: input); try? FileManager.default.removeItem(at: echoed) }
        let result = try Self.curl([
            "-H", "Transfer-Encoding: chunked", "--data-binary", "@\(input.path)",
            "-o", echoed.path, "-w", "%{http_code}", "http://127.0.0.1:\(live.port)/echo",
        ])
        #expect(result.status == 0)
        #expect(result.output == "200")
        #expect(Array(try Data(contentsOf: echoed)) == Self.curlBody)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")))
    func curl_expectContinueAndKeepAlive_work() throws {
        let live = try LiveServer()
        let url = "http://127.0.0.1:\(live.port)/echo"
        // Two URLs in one invocation reuse the connection; the explicit Expect makes curl wait for 100.
        let result = try Self.curl([
            "-H", "Expect: 100-continue", "--data-binary", "hello", "-w", " %{http_code} %{num_connects}\\n", url, url,
        ])
        #expect(result.status == 0)
        #expect(result.output == "hello 200 1\nhello 200 0\n")
    }
}
