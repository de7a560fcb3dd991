#ifndef STRIPE_WEBHOOKD_CLIBCRYPTO_SHIM_H
#define STRIPE_WEBHOOKD_CLIBCRYPTO_SHIM_H
// The only place OpenSSL's libcrypto headers are named (HMAC-SHA256, constant-time compare).
#include <openssl/hmac.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#endif
