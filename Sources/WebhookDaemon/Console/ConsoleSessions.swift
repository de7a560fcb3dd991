import CLibCrypto
import Foundation
import StripeWebhooks
import WebhookSupport

/// Signed-in console users: random session ids kept in memory (a restart signs everyone out), each
/// valid for `admin.auth.session_seconds`.
final class ConsoleSessions: Sendable {
    /// One sign-in.
    struct Session: Sendable, Equatable {
        /// The cookie value: 32 random bytes in hex.
        let id: String
        /// Who signed in (`token` for a token sign-in).
        let user: String
        /// When it lapses, Unix ms.
        let expiresAt: Int64
    }

    /// Most sessions held at once; the oldest goes when a sign-in would exceed it. Default 1,000.
    static let maxSessions = 1_000

    /// How long a session lasts, in ms.
    private let lifetimeMillis: Int64
    /// Live sessions by id.
    private let sessions = LockedValue<[String: Session]>([:])

    /// Sessions lasting `lifetimeSeconds`.
    init(lifetimeSeconds: Int) {
        lifetimeMillis = Int64(lifetimeSeconds) * 1000
    }

    /// Starts a session for `user`.
    func create(user: String, now: Int64) -> Session {
        let session = Session(id: Self.randomHex(bytes: 32), user: user, expiresAt: now + lifetimeMillis)
        sessions.withLock { sessions in
            sessions = sessions.filter { $0.value.expiresAt > now }
            if sessions.count >= Self.maxSessions, let oldest = sessions.values.min(by: { $0.expiresAt < $1.expiresAt }) {
                sessions[oldest.id] = nil
            }
            sessions[session.id] = session
        }
        return session
    }

    /// The live session with this id, if any.
    func session(id: String, now: Int64) -> Session? {
        sessions.withLock { sessions in
            guard let session = sessions[id] else { return nil }
            guard session.expiresAt > now else {
                sessions[id] = nil
                return nil
            }
            return session
        }
    }

    /// Ends a session.
    func remove(id: String) {
        sessions.withLock { $0[id] = nil }
    }

    /// `count` random bytes from libcrypto's generator, in hex.
    static func randomHex(bytes count: Int) -> String {
        var bytes = [UInt8](repeating: 0, count: count)
        precondition(RAND_bytes(&bytes, Int32(count)) == 1, "RAND_bytes failed")
        return HexEncoding.encode(bytes)
    }
}
