import Foundation

/// Times and durations as operators type them: `90s`, `15m`, `2h`, `7d`; Unix seconds; or an ISO 8601
/// date (`2026-11-20` or `2026-11-20T10:00:00Z`).
enum TimeExpression {
    /// A duration in milliseconds from `30s`, `15m`, `2h` or `7d`.
    static func duration(_ text: String) -> Int64? {
        guard let unit = text.last, let amount = Int64(text.dropLast()), amount >= 0 else { return nil }
        let seconds: Int64
        switch unit {
        case "s": seconds = 1
        case "m": seconds = 60
        case "h": seconds = 3_600
        case "d": seconds = 86_400
        case "w": seconds = 604_800
        default: return nil
        }
        let (product, overflow) = amount.multipliedReportingOverflow(by: seconds * 1000)
        return overflow ? nil : product
    }

    /// A point in time (Unix ms): a duration ago, Unix seconds, or an ISO 8601 date or date-time.
    static func instant(_ text: String, now: Int64) -> Int64? {
        if let ago = duration(text) { return now - ago }
        if let seconds = Int64(text), seconds >= 0 { return seconds * 1000 }
        let full = ISO8601DateFormatter()
        if let date = full.date(from: text) { return Int64(date.timeIntervalSince1970 * 1000) }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        if let date = day.date(from: text) { return Int64(date.timeIntervalSince1970 * 1000) }
        return nil
    }

    /// Unix ms as an ISO 8601 UTC date-time with milliseconds.
    static func iso(_ millis: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }
}
