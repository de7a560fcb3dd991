#if canImport(Glibc)
import Glibc
#endif

/// The `Date` header line (RFC 9110 §6.6.1, IMF-fixdate), formatted at most once per second.
struct HTTPDate {
    /// The second `line` was formatted for.
    private var second: time_t = -1
    /// `Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n`.
    private(set) var line: [UInt8] = []

    /// Brings `line` up to the current second.
    mutating func update() {
        let now = time(nil)
        guard now != second else { return }
        second = now
        line = Array("Date: \(Self.format(now))\r\n".utf8)
    }

    /// IMF-fixdate for `seconds` since the epoch.
    static func format(_ seconds: time_t) -> String {
        var seconds = seconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
