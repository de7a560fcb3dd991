import CLibCrypto

extension HMACSHA256 {
    /// An HMAC-SHA256 key prepared once and then used for any number of messages, from any thread.
    ///
    /// libcrypto's `EVP_MAC` context keeps the key's inner and outer pad state. Contexts are kept for
    /// reuse: a computation takes one (duplicating the keyed template only when none is free), resets
    /// it to the keyed state with `EVP_MAC_init` and no key, and gives it back, so no request pays for
    /// fetching the algorithm, keying, or allocating and freeing a context.
    public final class Key: @unchecked Sendable {
        // Safety: `template` is set in `init` and freed in `deinit`, never mutated in between; it is only
        // read through `EVP_MAC_CTX_dup`, which copies the source state without writing to it. `spare` is
        // accessed only with `lock` held; a context taken out of it is used by one thread until given back.
        /// The keyed `EVP_MAC_CTX` every context starts from.
        private let template: OpaquePointer
        /// Guards `spare`.
        private let lock = ThreadLock()
        /// Keyed contexts not in use.
        private var spare: [OpaquePointer] = []
        /// Most contexts kept for reuse (about one per thread computing at the same time).
        static let spareLimit = 16

        /// Prepares `bytes` as an HMAC-SHA256 key.
        public init(_ bytes: some Collection<UInt8>) {
            guard let algorithm = EVP_MAC_fetch(nil, "HMAC", nil) else {
                preconditionFailure("libcrypto has no HMAC implementation (EVP_MAC_fetch failed)")
            }
            defer { EVP_MAC_free(algorithm) }
            guard let context = EVP_MAC_CTX_new(algorithm) else {
                preconditionFailure("libcrypto could not allocate an HMAC context")
            }
            let initialized = HMACSHA256.withContiguousBytes(of: bytes) { key in
                Key.initialize(context, key: key)
            }
            precondition(initialized, "libcrypto refused the HMAC-SHA256 key (EVP_MAC_init failed)")
            template = context
        }

        /// Frees the template and the spare contexts.
        deinit {
            // EVP_MAC_CTX_free cleanses the key material it holds.
            for context in spare { EVP_MAC_CTX_free(context) }
            EVP_MAC_CTX_free(template)
        }

        /// Computes the MAC of `prefix` followed by `message` into `output`, which must hold 32 bytes.
        public func authenticationCode(
            prefix: UnsafeRawBufferPointer,
            message: UnsafeRawBufferPointer,
            into output: UnsafeMutableRawBufferPointer
        ) {
            precondition(output.count >= HMACSHA256.byteCount, "HMAC-SHA256 output buffer shorter than 32 bytes")
            let context = takeContext()
            defer { giveBack(context) }
            Key.update(context, with: prefix)
            Key.update(context, with: message)
            var length = 0
            let finished = EVP_MAC_final(
                context, output.baseAddress!.assumingMemoryBound(to: UInt8.self), &length, output.count
            )
            precondition(finished == 1 && length == HMACSHA256.byteCount, "libcrypto EVP_MAC_final failed")
        }

        /// Computes the MAC of `prefix` followed by `message` and returns its 32 bytes.
        public func authenticationCode(prefix: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
            HMACSHA256.withContiguousBytes(of: prefix) { prefixBytes in
                HMACSHA256.withContiguousBytes(of: message) { messageBytes in
                    [UInt8](unsafeUninitializedCapacity: HMACSHA256.byteCount) { output, initializedCount in
                        authenticationCode(
                            prefix: prefixBytes, message: messageBytes, into: UnsafeMutableRawBufferPointer(output)
                        )
                        initializedCount = HMACSHA256.byteCount
                    }
                }
            }
        }

        /// Computes the MAC of `message` and returns its 32 bytes.
        public func authenticationCode(for message: some Collection<UInt8>) -> [UInt8] {
            authenticationCode(prefix: EmptyCollection(), message: message)
        }

        /// A context in the keyed starting state, from the spares or a new copy of the template.
        private func takeContext() -> OpaquePointer {
            if let context = lock.withLock({ spare.popLast() }) {
                // No key: libcrypto restarts from the key it holds (the inner and outer pads).
                guard EVP_MAC_init(context, nil, 0, nil) == 1 else {
                    preconditionFailure("libcrypto could not reset an HMAC context (EVP_MAC_init failed)")
                }
                return context
            }
            guard let context = EVP_MAC_CTX_dup(template) else {
                preconditionFailure("libcrypto could not duplicate an HMAC context")
            }
            return context
        }

        /// Keeps `context` for the next computation, or frees it when enough are kept.
        private func giveBack(_ context: OpaquePointer) {
            let kept = lock.withLock {
                guard spare.count < Self.spareLimit else { return false }
                spare.append(context)
                return true
            }
            if !kept { EVP_MAC_CTX_free(context) }
        }

        /// Keys `context` for HMAC with SHA-256; returns whether libcrypto accepted it.
        private static func initialize(_ context: OpaquePointer, key: UnsafeRawBufferPointer) -> Bool {
            // OSSL_PARAM array { "digest": "SHA256" }, end marker; built by hand because params.h is not in
            // the shim. OSSL_PARAM_UTF8_STRING comes from core.h; return_size -1 is OSSL_PARAM_UNMODIFIED.
            let parameterName: StaticString = "digest"
            let digestName: StaticString = "SHA256"
            return parameterName.withUTF8Buffer { name in
                digestName.withUTF8Buffer { digest in
                    var parameters = [
                        OSSL_PARAM(
                            key: UnsafeRawPointer(name.baseAddress!).assumingMemoryBound(to: CChar.self),
                            data_type: UInt32(OSSL_PARAM_UTF8_STRING),
                            data: UnsafeMutableRawPointer(mutating: digest.baseAddress!),
                            data_size: digest.count,
                            return_size: -1
                        ),
                        OSSL_PARAM(key: nil, data_type: 0, data: nil, data_size: 0, return_size: 0),
                    ]
                    return HMACSHA256.withNonNullBase(key) { keyBase in
                        EVP_MAC_init(
                            context, keyBase.assumingMemoryBound(to: UInt8.self), key.count, &parameters
                        ) == 1
                    }
                }
            }
        }

        /// Feeds `bytes` to `context`, skipping empty input.
        private static func update(_ context: OpaquePointer, with bytes: UnsafeRawBufferPointer) {
            guard let base = bytes.baseAddress, bytes.count > 0 else { return }
            let updated = EVP_MAC_update(context, base.assumingMemoryBound(to: UInt8.self), bytes.count)
            precondition(updated == 1, "libcrypto EVP_MAC_update failed")
        }
    }
}
