#ifndef STRIPE_WEBHOOKD_CLIBPQ_SHIM_H
#define STRIPE_WEBHOOKD_CLIBPQ_SHIM_H
// The only place libpq's header is named (the PostgreSQL event store shared by several daemons).
#include <libpq-fe.h>
#endif
