import Foundation
import Synchronization

/// Counters, gauges and histograms with labels, rendered in the Prometheus text exposition format
/// (version 0.0.4). Updating a metric is lock-free for counters and gauges; rendering takes a snapshot.
public final class MetricsRegistry: Sendable {
    /// A metric family's kind, as written on its `# TYPE` line.
    public enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    private struct Family: Sendable {
        let name: String
        let help: String
        let kind: Kind
        var series: [String: Series] = [:]
        var order: [String] = []
    }

    private enum Series: Sendable {
        case counter(Counter)
        case gauge(Gauge)
        case histogram(Histogram)
        case computed(@Sendable () -> Double)
    }

    private let families = Mutex<[String: Family]>([:])
    private let familyOrder = Mutex<[String]>([])

    /// An empty registry.
    public init() {}

    /// Declares the family `name` before any of its series exists, so that `render()` lists its HELP
    /// and TYPE from the start (labelled series then appear as they are first used).
    public func describe(_ name: String, help: String, kind: Kind) {
        families.withLock { all in
            guard all[name] == nil else { return }
            all[name] = Family(name: name, help: help, kind: kind)
            familyOrder.withLock { $0.append(name) }
        }
    }

    /// The counter `name` with `labels`, created on first use.
    public func counter(_ name: String, help: String, labels: [(String, String)] = []) -> Counter {
        series(name, help: help, kind: .counter, labels: labels, make: { .counter(Counter()) }) {
            if case .counter(let counter) = $0 { return counter }
            return nil
        }
    }

    /// The gauge `name` with `labels`, created on first use.
    public func gauge(_ name: String, help: String, labels: [(String, String)] = []) -> Gauge {
        series(name, help: help, kind: .gauge, labels: labels, make: { .gauge(Gauge()) }) {
            if case .gauge(let gauge) = $0 { return gauge }
            return nil
        }
    }

    /// The histogram `name` with `labels` and upper `buckets` (seconds, ascending), created on first use.
    public func histogram(_ name: String, help: String, labels: [(String, String)] = [], buckets: [Double] = Histogram.defaultBuckets) -> Histogram {
        series(name, help: help, kind: .histogram, labels: labels, make: { .histogram(Histogram(buckets: buckets)) }) {
            if case .histogram(let histogram) = $0 { return histogram }
            return nil
        }
    }

    /// A gauge whose value is read by `read` at each render (queue depth, open connections).
    public func computedGauge(_ name: String, help: String, labels: [(String, String)] = [], read: @escaping @Sendable () -> Double) {
        let key = Self.labelText(labels)
        families.withLock { all in
            var family = all[name] ?? Family(name: name, help: help, kind: .gauge)
            if family.series[key] == nil { family.order.append(key) }
            family.series[key] = .computed(read)
            if all[name] == nil { familyOrder.withLock { $0.append(name) } }
            all[name] = family
        }
    }

    private func series<T>(_ name: String, help: String, kind: Kind, labels: [(String, String)], make: () -> Series, extract: (Series) -> T?) -> T {
        let key = Self.labelText(labels)
        return families.withLock { all in
            var family = all[name] ?? Family(name: name, help: help, kind: kind)
            precondition(family.kind == kind, "metric \(name) registered as \(family.kind) and \(kind)")
            if let existing = family.series[key], let value = extract(existing) { return value }
            let created = make()
            family.series[key] = created
            family.order.append(key)
            if all[name] == nil { familyOrder.withLock { $0.append(name) } }
            all[name] = family
            return extract(created)!
        }
    }

    /// The whole registry in the Prometheus text format.
    public func render() -> String {
        let names = familyOrder.withLock { $0 }
        let snapshot = families.withLock { $0 }
        var out = ""
        for name in names {
            guard let family = snapshot[name] else { continue }
            out += "# HELP \(name) \(Self.escapeHelp(family.help))\n# TYPE \(name) \(family.kind.rawValue)\n"
            for key in family.order {
                switch family.series[key]! {
                case .counter(let counter): out += "\(name)\(key) \(counter.value)\n"
                case .gauge(let gauge): out += "\(name)\(key) \(Self.number(gauge.value))\n"
                case .computed(let read): out += "\(name)\(key) \(Self.number(read()))\n"
                case .histogram(let histogram):
                    let state = histogram.snapshot()
                    var cumulative: Int64 = 0
                    for (bound, count) in zip(histogram.buckets, state.counts) {
                        cumulative += count
                        out += "\(name)_bucket\(Self.adding("le", Self.number(bound), to: key)) \(cumulative)\n"
                    }
                    out += "\(name)_bucket\(Self.adding("le", "+Inf", to: key)) \(state.total)\n"
                    out += "\(name)_sum\(key) \(Self.number(state.sum))\n"
                    out += "\(name)_count\(key) \(state.total)\n"
                }
            }
        }
        return out
    }

    /// `{a="1",b="2"}`, or empty without labels; values escaped as the format requires.
    static func labelText(_ labels: [(String, String)]) -> String {
        guard !labels.isEmpty else { return "" }
        return "{" + labels.map { "\($0.0)=\"\(escapeLabel($0.1))\"" }.joined(separator: ",") + "}"
    }

    static func adding(_ name: String, _ value: String, to key: String) -> String {
        key.isEmpty ? "{\(name)=\"\(value)\"}" : String(key.dropLast()) + ",\(name)=\"\(value)\"}"
    }

    static func escapeLabel(_ value: String) -> String {
        escape(value, quotes: true)
    }

    static func escapeHelp(_ value: String) -> String {
        escape(value, quotes: false)
    }

    /// Backslash, newline (and `"` in label values) escaped as the format requires; most values have
    /// none of them and come back as they are, without a copy.
    private static func escape(_ value: String, quotes: Bool) -> String {
        let needs = value.utf8.contains { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\n") || (quotes && $0 == UInt8(ascii: "\"")) }
        guard needs else { return value }
        var out = ""
        out.reserveCapacity(value.utf8.count + 8)
        for character in value.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\"" where quotes: out += "\\\""
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

/// A monotonically increasing count.
public final class Counter: Sendable {
    private let storage = Atomic<Int64>(0)
    /// Adds `amount` (default 1).
    public func increment(by amount: Int64 = 1) { storage.wrappingAdd(amount, ordering: .relaxed) }
    /// The current count.
    public var value: Int64 { storage.load(ordering: .relaxed) }
}

/// A value that goes up and down.
public final class Gauge: Sendable {
    /// The value's bit pattern, so that it can be a fraction (an age in seconds) and still atomic.
    private let storage = Atomic<UInt64>(0.0.bitPattern)
    /// Sets the value.
    public func set(_ value: Double) { storage.store(value.bitPattern, ordering: .relaxed) }
    /// Adds `amount`, which may be negative.
    public func add(_ amount: Double) {
        var current = storage.load(ordering: .relaxed)
        while true {
            let (exchanged, original) = storage.compareExchange(
                expected: current, desired: (Double(bitPattern: current) + amount).bitPattern, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }
    /// The current value.
    public var value: Double { Double(bitPattern: storage.load(ordering: .relaxed)) }
}

/// Observations counted into buckets by upper bound, with their sum (Prometheus histogram).
public final class Histogram: Sendable {
    /// Latency buckets in seconds, from 0.5 ms to 10 s.
    public static let defaultBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// Upper bounds, ascending.
    public let buckets: [Double]
    private let state: Mutex<State>

    struct State: Sendable {
        var counts: [Int64]
        var sum: Double = 0
        var total: Int64 = 0
    }

    init(buckets: [Double]) {
        self.buckets = buckets.sorted()
        self.state = Mutex(State(counts: [Int64](repeating: 0, count: buckets.count)))
    }

    /// Records one observation (seconds, for durations).
    public func observe(_ value: Double) {
        let index = buckets.firstIndex { value <= $0 }
        state.withLock { state in
            if let index { state.counts[index] += 1 }
            state.sum += value
            state.total += 1
        }
    }

    func snapshot() -> State { state.withLock { $0 } }
}
