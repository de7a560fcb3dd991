import CSQLite

/// A prepared statement owned by one connection; reset after every use so that it holds no lock.
final class SQLiteStatement {
    /// The `sqlite3_stmt *` handle.
    let handle: OpaquePointer
    /// The connection that prepared it, for error messages.
    private unowned let connection: SQLiteConnection

    /// Wraps a prepared statement of `connection`.
    init(handle: OpaquePointer, connection: SQLiteConnection) {
        self.handle = handle
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    /// SQLite copies bound bytes before the bind call returns, so Swift buffers may move afterwards.
    private static var transient: sqlite3_destructor_type { unsafeBitCast(-1 as Int, to: sqlite3_destructor_type.self) }

    /// Binds `values` to parameters 1, 2, … after clearing earlier bindings.
    func bind(_ values: [SQLiteValue]) throws(EventStoreError) {
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null:
                code = sqlite3_bind_null(handle, index)
            case .integer(let integer):
                code = sqlite3_bind_int64(handle, index, integer)
            case .text(let text):
                var text = text
                code = text.withUTF8 { utf8 in
                    // A nil base address would bind NULL; an empty string must stay an empty string.
                    guard let base = utf8.baseAddress, !utf8.isEmpty else { return sqlite3_bind_text(handle, index, "", 0, Self.transient) }
                    return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                        sqlite3_bind_text(handle, index, $0, Int32(utf8.count), Self.transient)
                    }
                }
            case .blob(let bytes):
                code = bytes.withUnsafeBytes { raw in
                    // Likewise: an empty body is a zero-length blob, not NULL.
                    guard let base = raw.baseAddress, !raw.isEmpty else { return sqlite3_bind_zeroblob(handle, index, 0) }
                    return sqlite3_bind_blob(handle, index, base, Int32(raw.count), Self.transient)
                }
            }
            guard code == SQLITE_OK else { throw connection.error("bind parameter \(index)", code: code) }
        }
    }

    /// Binds `text` (NULL when nil) to parameter `index`; SQLite copies it.
    func bind(_ index: Int32, text: String?) throws(EventStoreError) {
        guard var text else {
            try check(sqlite3_bind_null(handle, index), index)
            return
        }
        let code = text.withUTF8 { utf8 in
            // A nil base address would bind NULL; an empty string must stay an empty string.
            guard let base = utf8.baseAddress, !utf8.isEmpty else { return sqlite3_bind_text(handle, index, "", 0, Self.transient) }
            return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                sqlite3_bind_text(handle, index, $0, Int32(utf8.count), Self.transient)
            }
        }
        try check(code, index)
    }

    /// Binds `integer` to parameter `index`.
    func bind(_ index: Int32, integer: Int64) throws(EventStoreError) {
        try check(sqlite3_bind_int64(handle, index, integer), index)
    }

    /// Binds `integer` (NULL when nil) to parameter `index`.
    func bind(_ index: Int32, integer: Int64?) throws(EventStoreError) {
        guard let integer else {
            try check(sqlite3_bind_null(handle, index), index)
            return
        }
        try check(sqlite3_bind_int64(handle, index, integer), index)
    }

    /// Binds `bytes` to parameter `index` without copying them while `body` runs (step the statement
    /// there), then unbinds them, so the statement never holds a pointer past the buffer's life.
    func withBoundBlob(_ index: Int32, _ bytes: [UInt8], _ body: () throws(EventStoreError) -> Void) throws(EventStoreError) {
        let result: Result<Void, EventStoreError> = bytes.withUnsafeBytes { raw in
            // SQLITE_STATIC (nil): SQLite reads the bytes in place. An empty body is a zero-length blob, not NULL.
            let code = raw.baseAddress.map { sqlite3_bind_blob(handle, index, $0, Int32(raw.count), nil) }
                ?? sqlite3_bind_zeroblob(handle, index, 0)
            defer { sqlite3_bind_null(handle, index) }
            return Result { () throws(EventStoreError) in
                try check(code, index)
                try body()
            }
        }
        try result.get()
    }

    /// Throws the connection's error for a failed bind.
    private func check(_ code: Int32, _ index: Int32) throws(EventStoreError) {
        guard code == SQLITE_OK else { throw connection.error("bind parameter \(index)", code: code) }
    }

    /// Advances to the next row: `true` when a row is ready, `false` when the statement is done.
    func step() throws(EventStoreError) -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw connection.error(summary, code: code)
        }
    }

    /// The statement's first words, to say which one failed without quoting all of it.
    private var summary: String {
        let sql = sqlite3_sql(handle).map { String(cString: $0) } ?? "statement"
        let words = sql.split(whereSeparator: { $0 == " " || $0 == "\n" }).prefix(4).joined(separator: " ")
        return words.count < sql.count ? words + " …" : words
    }

    /// Resets the statement so that it releases its read snapshot and can run again.
    func reset() {
        sqlite3_reset(handle)
    }
}
