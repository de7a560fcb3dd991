import EventStore
import WebhookSupport

/// How `events show` and `events list` say which event holds a pending one back: events about one
/// Stripe object run one at a time in the order received, so a failing event holds back the later
/// events about its object until it succeeds or becomes a dead letter.
struct BlockingNote {
    /// Longest excerpt of the blocker's last error shown in a text line.
    static let maxErrorCharacters = 160

    /// The event holding the other back.
    let blocker: StoredEvent
    /// The current time, Unix ms.
    let now: Int64

    /// `waiting behind evt_… (attempt N, next retry in 4m 10s, last error …)`.
    var text: String {
        var parts = ["attempt \(blocker.attempts)"]
        if blocker.isClaimed {
            parts.append("being handled now")
        } else if let next = blocker.nextAttemptAt, next > now {
            parts.append("next retry in \(Self.spoken(milliseconds: next - now))")
        } else {
            parts.append("due now")
        }
        if let error = blocker.lastError {
            parts.append("last error \(Self.excerpt(error))")
        }
        return "waiting behind \(blocker.record.id) (\(parts.joined(separator: ", ")))"
    }

    /// The `blocked_by` object of `--json`: the blocker's id, attempts, next retry, last error and
    /// whether a worker holds it now.
    var json: String {
        let next = blocker.nextAttemptAt.map { LogSink.jsonString(TimeExpression.iso($0)) } ?? "null"
        return "{\"id\":\(LogSink.jsonString(blocker.record.id)),\"type\":\(LogSink.jsonString(blocker.record.type)),"
            + "\"attempts\":\(blocker.attempts),\"next_attempt_at\":\(next),\"being_handled\":\(blocker.isClaimed),"
            + "\"last_error\":\(blocker.lastError.map(LogSink.jsonString) ?? "null")}"
    }

    /// A duration as `45s`, `4m 10s`, `2h 5m` or `3d 4h`.
    static func spoken(milliseconds: Int64) -> String {
        let seconds = (milliseconds + 999) / 1000
        switch seconds {
        case ..<60: return "\(seconds)s"
        case ..<3_600: return "\(seconds / 60)m \(seconds % 60)s"
        case ..<86_400: return "\(seconds / 3_600)h \(seconds % 3_600 / 60)m"
        default: return "\(seconds / 86_400)d \(seconds % 86_400 / 3_600)h"
        }
    }

    /// One line of `error`, at most `maxErrorCharacters`, quoted.
    static func excerpt(_ error: String) -> String {
        let line = error.split(whereSeparator: \.isNewline).joined(separator: " ")
        let cut = line.count > maxErrorCharacters ? String(line.prefix(maxErrorCharacters)) + "…" : line
        return "\"\(cut)\""
    }
}
