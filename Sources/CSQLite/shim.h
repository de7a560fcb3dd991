#ifndef STRIPE_WEBHOOKD_CSQLITE_SHIM_H
#define STRIPE_WEBHOOKD_CSQLITE_SHIM_H
// The only place SQLite's header is named (the embedded event store).
#include <sqlite3.h>
#endif
