#ifndef STRIPE_WEBHOOKD_CSQLITE_SHIM_H
#define STRIPE_WEBHOOKD_CSQLITE_SHIM_H
// The only place SQLite's header is named (the embedded event store).
#include <sqlite3.h>

/// Turns SQLite's memory statistics off for the whole process (`SQLITE_CONFIG_MEMSTATUS`, 0): with
/// them on, every allocation and free SQLite makes (some 200 of each per stored and handled event, as
/// the system library has no lookaside) takes a process-wide mutex to count bytes nobody reads.
/// `sqlite3_config` is variadic, which Swift cannot call, hence this wrapper. It works only before
/// SQLite is initialized (the first open does that) and returns `SQLITE_MISUSE` afterwards.
static inline int webhookd_sqlite3_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
#endif
