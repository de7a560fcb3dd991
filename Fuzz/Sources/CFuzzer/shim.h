#ifndef STRIPE_WEBHOOKD_CFUZZER_SHIM_H
#define STRIPE_WEBHOOKD_CFUZZER_SHIM_H
// libFuzzer's driver, linked in by `-sanitize=fuzzer` (LLVM 11 and later): a program with its own `main`
// hands it the arguments and the function to fuzz.
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
#endif
