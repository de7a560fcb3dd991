import CSQLite

/// One SQLite connection with a cache of prepared statements. Not thread-safe: its owner uses it from
/// one thread at a time (the writer thread, or a reader under a lock).
final class SQLiteConnection {
    /// The `sqlite3 *` handle.
    let handle: OpaquePointer
    /// The database file.
    let path: String
    /// Prepared statements by SQL text, kept for the connection's life.
    private var statements: [String: SQLiteStatement] = [:]
    /// Prepared statements of `PreparedSQL` values, at their slots, kept for the connection's life.
    private var slots: [SQLiteStatement?] = []
    /// Whether `close()` ran.
    private var isClosed = false

    /// Opens `path`; creates the file only when `create` is set.
    /// - Parameters:
    ///   - path: the database file.
    ///   - readOnly: open with `SQLITE_OPEN_READONLY`: SQLite refuses every write.
    ///   - create: create the file if it does not exist.
    init(path: String, readOnly: Bool, create: Bool) throws(EventStoreError) {
        _ = Self.memoryStatisticsConfiguration
        // NOMUTEX: each connection is used by one thread at a time, so SQLite's own mutex is redundant.
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        flags |= readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
        if create, !readOnly { flags |= SQLITE_OPEN_CREATE }
        var opened: OpaquePointer?
        let code = sqlite3_open_v2(path, &opened, flags, nil)
        guard code == SQLITE_OK, let opened else {
            let reason = opened.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(opened)
            throw EventStoreError(.unavailable, "cannot open the event database \(path): \(reason)", sqliteCode: code)
        }
        handle = opened
        self.path = path
    }

    deinit { close() }

    /// What turning SQLite's memory statistics off returned (`SQLITE_OK`, or `SQLITE_MISUSE` when SQLite
    /// was already initialized in this process, e.g. by another library, which leaves them on): done
    /// once per process, before the first connection opens. Nothing here reads those statistics, and
    /// counting them took a process-wide mutex around each of SQLite's ~210 mallocs and as many frees
    /// per stored and handled event.
    static let memoryStatisticsConfiguration: Int32 = webhookd_sqlite3_disable_memory_statistics()

    /// Finalizes every statement and closes the connection; idempotent.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        statements.removeAll()
        slots.removeAll()
        sqlite3_close_v2(handle)
    }

    /// The error SQLite reported for the last failed call, as an `.unavailable` store error whose
    /// message starts with `context`.
    func error(_ context: String, code: Int32? = nil) -> EventStoreError {
        let reported = code ?? sqlite3_extended_errcode(handle)
        let message = String(cString: sqlite3_errmsg(handle))
        return EventStoreError(.unavailable, "\(context): \(message)", sqliteCode: reported)
    }

    /// Runs one or more statements that take no parameters and return no rows.
    func execute(_ sql: String) throws(EventStoreError) {
        let code = sqlite3_exec(handle, sql, nil, nil, nil)
        guard code == SQLITE_OK else { throw error(sql, code: code) }
    }

    /// The cached prepared statement for `sql`, preparing it on first use.
    func statement(_ sql: String) throws(EventStoreError) -> SQLiteStatement {
        if let cached = statements[sql] { return cached }
        let statement = try prepare(sql)
        statements[sql] = statement
        return statement
    }

    /// The prepared statement at `sql`'s slot, preparing it on first use.
    func statement(_ sql: PreparedSQL) throws(EventStoreError) -> SQLiteStatement {
        if sql.slot < slots.count, let cached = slots[sql.slot] { return cached }
        let statement = try prepare(sql.text)
        if sql.slot >= slots.count { slots.append(contentsOf: repeatElement(nil, count: sql.slot + 1 - slots.count)) }
        slots[sql.slot] = statement
        return statement
    }

    /// Prepares `sql` to be kept (`SQLITE_PREPARE_PERSISTENT`).
    private func prepare(_ sql: String) throws(EventStoreError) -> SQLiteStatement {
        var prepared: OpaquePointer?
        let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil)
        guard code == SQLITE_OK, let prepared else { throw error("prepare \(sql)", code: code) }
        return SQLiteStatement(handle: prepared, connection: self)
    }

    /// Runs a statement that returns no rows and returns how many rows it changed.
    @discardableResult
    func run(_ sql: String, _ arguments: [SQLiteValue] = []) throws(EventStoreError) -> Int {
        try run(statement(sql), arguments)
    }

    /// Runs a kept statement that returns no rows and returns how many rows it changed.
    @discardableResult
    func run(_ sql: PreparedSQL, _ arguments: [SQLiteValue] = []) throws(EventStoreError) -> Int {
        try run(statement(sql), arguments)
    }

    /// Binds `arguments`, steps `statement` to its end and resets it; returns the rows changed.
    private func run(_ statement: SQLiteStatement, _ arguments: [SQLiteValue]) throws(EventStoreError) -> Int {
        defer { statement.reset() }
        try statement.bind(arguments)
        while try statement.step() {}
        return Int(sqlite3_changes(handle))
    }

    /// Runs a query and maps every row with `transform`.
    func query<Row>(_ sql: String, _ arguments: [SQLiteValue] = [], _ transform: (SQLiteRow) throws(EventStoreError) -> Row) throws(EventStoreError) -> [Row] {
        try query(statement(sql), arguments, transform)
    }

    /// Runs a kept query and maps every row with `transform`.
    func query<Row>(_ sql: PreparedSQL, _ arguments: [SQLiteValue] = [], _ transform: (SQLiteRow) throws(EventStoreError) -> Row) throws(EventStoreError) -> [Row] {
        try query(statement(sql), arguments, transform)
    }

    /// Binds `arguments`, maps every row of `statement` and resets it.
    private func query<Row>(_ statement: SQLiteStatement, _ arguments: [SQLiteValue], _ transform: (SQLiteRow) throws(EventStoreError) -> Row) throws(EventStoreError) -> [Row] {
        defer { statement.reset() }
        try statement.bind(arguments)
        var rows: [Row] = []
        while try statement.step() {
            rows.append(try transform(SQLiteRow(handle: statement.handle)))
        }
        return rows
    }

    /// Runs a query and maps its first row, if any.
    func queryFirst<Row>(_ sql: String, _ arguments: [SQLiteValue] = [], _ transform: (SQLiteRow) throws(EventStoreError) -> Row) throws(EventStoreError) -> Row? {
        try queryFirst(statement(sql), arguments, transform)
    }

    /// Runs a kept query and maps its first row, if any.
    func queryFirst<Row>(_ sql: PreparedSQL, _ arguments: [SQLiteValue] = [], _ transform: (SQLiteRow) throws(EventStoreError) -> Row) throws(EventStoreError) -> Row? {
        try queryFirst(statement(sql), arguments, transform)
    }

    /// Binds `arguments`, maps the first row of `statement`, if any, and resets it.
    private func queryFirst<Row>(_ statement: SQLiteStatement, _ arguments: [SQLiteValue], _ transform: (SQLiteRow) throws(EventStoreError) -> Row) throws(EventStoreError) -> Row? {
        defer { statement.reset() }
        try statement.bind(arguments)
        guard try statement.step() else { return nil }
        return try transform(SQLiteRow(handle: statement.handle))
    }

    // MARK: Transaction control, kept prepared (`execute` parses its SQL on every call)

    /// `BEGIN IMMEDIATE`: takes the write lock at once.
    static let beginImmediateSQL = PreparedSQL("BEGIN IMMEDIATE")
    /// `COMMIT`.
    static let commitSQL = PreparedSQL("COMMIT")
    /// Opens the savepoint each writer operation runs in.
    static let savepointSQL = PreparedSQL("SAVEPOINT operation")
    /// Releases (keeps) the operation's savepoint.
    static let releaseSQL = PreparedSQL("RELEASE operation")

    /// Whether a transaction is open (SQLite rolls some back by itself after I/O and full-disk errors).
    var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Runs `body` in a deferred read transaction, so that its queries see one snapshot.
    func readTransaction<Result>(_ body: () throws(EventStoreError) -> Result) throws(EventStoreError) -> Result {
        try execute("BEGIN DEFERRED")
        do throws(EventStoreError) {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            if isInTransaction { try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Reads one integer pragma, e.g. `user_version`.
    func pragmaInteger(_ name: String) throws(EventStoreError) -> Int64 {
        try queryFirst("PRAGMA \(name)") { $0.int64(0) } ?? 0
    }

    /// Reads one text pragma, e.g. `journal_mode`.
    func pragmaText(_ name: String) throws(EventStoreError) -> String {
        try queryFirst("PRAGMA \(name)") { $0.text(0) } ?? ""
    }

    /// Sets how long SQLite waits for another connection's lock before failing with `SQLITE_BUSY`.
    func setBusyTimeout(milliseconds: Int) {
        sqlite3_busy_timeout(handle, Int32(clamping: milliseconds))
    }
}
