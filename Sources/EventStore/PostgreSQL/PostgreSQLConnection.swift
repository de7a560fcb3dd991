import CLibPQ
import Foundation

/// One libpq connection, used by one thread at a time (the writer's, the locked reader's or the
/// listener's): every call blocks on the network, so none runs on Swift's cooperative pool.
///
/// Error messages name the server by its redacted location and carry PostgreSQL's message and
/// SQLSTATE; libpq never puts the password in them.
final class PostgreSQLConnection {
    /// The libpq handle; `nil` once closed.
    private(set) var handle: OpaquePointer?
    /// The server as errors name it (the store URL without its password).
    let label: String

    /// Connects with libpq's keyword/value pairs, `dbname` holding the store URL (libpq expands it, so
    /// every URL parameter and PG* environment variable works), then applies the session settings.
    /// - Parameters:
    ///   - parameters: keyword/value pairs in order (later ones override earlier ones).
    ///   - label: how errors name the server.
    ///   - setup: statements run once connected (session settings).
    init(parameters: [(String, String)], label: String, setup: String) throws(EventStoreError) {
        self.label = label
        let keywords = parameters.map { strdup($0.0) }
        let values = parameters.map { strdup($0.1) }
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        let keywordPointers = keywords.map { UnsafePointer<CChar>($0) } + [nil]
        let valuePointers = values.map { UnsafePointer<CChar>($0) } + [nil]
        handle = PQconnectdbParams(keywordPointers, valuePointers, 1)
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            let message = handle.map { Self.trimmed(PQerrorMessage($0)) } ?? "out of memory"
            if let handle { PQfinish(handle) }
            self.handle = nil
            throw EventStoreError(.unavailable, "cannot connect to PostgreSQL at \(label): \(message)")
        }
        try execute(setup)
    }

    deinit { close() }

    /// Closes the connection; idempotent.
    func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// Whether the connection is gone (closed, or lost: the server stopped or the network failed).
    var isBroken: Bool {
        guard let handle else { return true }
        return PQstatus(handle) != CONNECTION_OK
    }

    /// Whether a transaction is open (also when it failed and waits for ROLLBACK).
    var isInTransaction: Bool {
        guard let handle else { return false }
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    /// The socket's descriptor, for waiting on notifications.
    var socket: Int32 { handle.map { PQsocket($0) } ?? -1 }

    /// Runs one or more statements without parameters.
    func execute(_ sql: String) throws(EventStoreError) {
        guard let handle else { throw closedError() }
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        try check(result, sql: sql)
    }

    /// Runs a statement and returns its rows.
    func query(_ sql: String, _ parameters: [PostgreSQLValue] = []) throws(EventStoreError) -> [PostgreSQLRow] {
        try withResult(sql, parameters) { result in
            let rows = Int(PQntuples(result))
            let columns = Int(PQnfields(result))
            var decoded: [PostgreSQLRow] = []
            decoded.reserveCapacity(rows)
            for row in 0..<rows {
                var values: [String?] = []
                values.reserveCapacity(columns)
                for column in 0..<columns {
                    if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                        values.append(nil)
                    } else {
                        values.append(String(cString: PQgetvalue(result, Int32(row), Int32(column))))
                    }
                }
                decoded.append(PostgreSQLRow(columns: values))
            }
            return decoded
        }
    }

    /// Runs a statement and returns its first row, if any.
    func queryFirst(_ sql: String, _ parameters: [PostgreSQLValue] = []) throws(EventStoreError) -> PostgreSQLRow? {
        try query(sql, parameters).first
    }

    /// Runs a statement and returns how many rows it changed.
    @discardableResult
    func run(_ sql: String, _ parameters: [PostgreSQLValue] = []) throws(EventStoreError) -> Int {
        try withResult(sql, parameters) { result in Int(String(cString: PQcmdTuples(result))) ?? 0 }
    }

    /// Runs a statement with parameters (text format, bytes in binary) and hands its result to `body`.
    private func withResult<Value>(_ sql: String, _ parameters: [PostgreSQLValue], _ body: (OpaquePointer) -> Value) throws(EventStoreError) -> Value {
        guard let handle else { throw closedError() }
        let wires = parameters.map(\.wire)
        var buffers: [UnsafeMutablePointer<CChar>?] = []
        buffers.reserveCapacity(wires.count)
        defer { buffers.forEach { $0?.deallocate() } }
        for wire in wires {
            guard let wire else {
                buffers.append(nil)
                continue
            }
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, wire.bytes.count))
            wire.bytes.withUnsafeBytes { raw in
                if let base = raw.baseAddress { UnsafeMutableRawPointer(buffer).copyMemory(from: base, byteCount: raw.count) }
            }
            buffers.append(buffer)
        }
        let values = buffers.map { UnsafePointer<CChar>($0) }
        let lengths = wires.map { Int32($0?.bytes.count ?? 0) }
        let formats = wires.map { Int32(($0?.binary ?? false) ? 1 : 0) }
        let result = PQexecParams(handle, sql, Int32(parameters.count), nil, values, lengths, formats, 0)
        defer { PQclear(result) }
        try check(result, sql: sql)
        guard let result else { throw closedError() }
        return body(result)
    }

    /// Throws unless `result` is a success; the error names the statement's first words.
    private func check(_ result: OpaquePointer?, sql: String) throws(EventStoreError) {
        let status = result.map { PQresultStatus($0) } ?? PGRES_FATAL_ERROR
        guard status != PGRES_COMMAND_OK, status != PGRES_TUPLES_OK else { return }
        var message = result.map { Self.trimmed(PQresultErrorMessage($0)) } ?? ""
        if message.isEmpty, let handle { message = Self.trimmed(PQerrorMessage(handle)) }
        let state = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "C"))) }.map { String(cString: $0) }
        let statement = sql.split(whereSeparator: { $0 == " " || $0 == "\n" }).prefix(3).joined(separator: " ")
        let lost = isBroken ? " (connection lost)" : ""
        throw EventStoreError(
            state?.hasPrefix("3F") == true || state == "42P01" ? .schema : .unavailable,
            "PostgreSQL at \(label): \(statement)…: \(message)\(state.map { " [SQLSTATE \($0)]" } ?? "")\(lost)")
    }

    /// The error for a call on a closed connection.
    private func closedError() -> EventStoreError {
        EventStoreError(.unavailable, "PostgreSQL at \(label): the connection is closed")
    }

    /// A libpq message without its trailing newline.
    private static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "" }
        return String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
