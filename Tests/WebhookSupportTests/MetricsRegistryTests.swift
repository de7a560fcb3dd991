import Foundation
import Testing
@testable import WebhookSupport

/// The Prometheus exposition, checked by Prometheus's own Python parser.
struct MetricsRegistryTests {
    /// Parses `text` with `prometheus_client`'s parser and returns "name{labels} value" lines, sorted.
    static func parsedByPrometheus(_ text: String) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [PythonInterpreter.command, "-c", """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            out = []
            for family in text_string_to_metric_families(sys.stdin.read()):
                for s in family.samples:
                    labels = ",".join(f"{k}={v}".replace("\\n", "\\\\n") for k, v in sorted(s.labels.items()))
                    out.append(f"{family.type} {s.name}{{{labels}}} {s.value:g}")
            print("\\n".join(sorted(out)))
            """]
        let input = Pipe(), output = Pipe(), error = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problem = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "prometheus_client could not parse the exposition (pip install prometheus_client): \(problem)")
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test func exposition_parsesWithPrometheusAndCountersMove() throws {
        let registry = MetricsRegistry()
        let ok = registry.counter("webhookd_http_requests_total", help: "HTTP requests by status.", labels: [("status", "200")])
        let bad = registry.counter("webhookd_http_requests_total", help: "HTTP requests by status.", labels: [("status", "400")])
        ok.increment()
        ok.increment(by: 2)
        bad.increment()
        #expect(registry.counter("webhookd_http_requests_total", help: "", labels: [("status", "200")]) === ok)
        let open = registry.gauge("webhookd_open_connections", help: "Open connections.")
        open.add(5)
        open.add(-2)
        registry.computedGauge("webhookd_queue_pending", help: "Pending events.") { 42 }
        let latency = registry.histogram("webhookd_request_duration_seconds", help: "Request time.", buckets: [0.001, 0.01, 0.1])
        for value in [0.0005, 0.005, 0.005, 0.5] { latency.observe(value) }
        registry.counter("webhookd_odd_total", help: "Label escaping: \\ and \"quotes\".", labels: [("reason", "a \"quoted\" \\ value\nnext")]).increment()

        let samples = try Self.parsedByPrometheus(registry.render())
        #expect(samples.contains("counter webhookd_http_requests_total{status=200} 3"))
        #expect(samples.contains("counter webhookd_http_requests_total{status=400} 1"))
        #expect(samples.contains("gauge webhookd_open_connections{} 3"))
        #expect(samples.contains("gauge webhookd_queue_pending{} 42"))
        #expect(samples.contains("histogram webhookd_request_duration_seconds_bucket{le=0.001} 1"))
        #expect(samples.contains("histogram webhookd_request_duration_seconds_bucket{le=0.01} 3"))
        #expect(samples.contains("histogram webhookd_request_duration_seconds_bucket{le=0.1} 3"))
        #expect(samples.contains("histogram webhookd_request_duration_seconds_bucket{le=+Inf} 4"))
        #expect(samples.contains("histogram webhookd_request_duration_seconds_count{} 4"))
        // The parser decoded the escapes back: quotes, a backslash and a newline (shown here as \n).
        #expect(samples.contains("counter webhookd_odd_total{reason=a \"quoted\" \\ value\\nnext} 1"))
    }

    @Test func concurrentIncrements_areAllCounted() {
        let registry = MetricsRegistry()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let counter = registry.counter("c_total", help: "c", labels: [("k", "v")])
            let histogram = registry.histogram("h_seconds", help: "h")
            for _ in 0..<10_000 {
                counter.increment()
                histogram.observe(0.002)
            }
        }
        let text = registry.render()
        #expect(text.contains("c_total{k=\"v\"} 80000\n"))
        #expect(text.contains("h_seconds_count 80000\n"))
    }

    @Test func labeledSeries_givesOneSeriesPerKeyUnderConcurrentUse() {
        let registry = MetricsRegistry()
        let series = LabeledSeries<Int, Counter> { registry.counter("k_total", help: "h", labels: [("status", String($0))]) }
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for index in 0..<4_000 { series[(index + worker) % 4].increment() }
        }
        let text = registry.render()
        for key in 0..<4 {
            #expect(text.contains("k_total{status=\"\(key)\"} 8000\n"), "every increment of key \(key) counted once")
            #expect(series[key] === registry.counter("k_total", help: "h", labels: [("status", String(key))]))
        }
    }
}
