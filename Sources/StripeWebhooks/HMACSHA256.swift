import CLibCrypto

/// HMAC-SHA256 (RFC 2104 over FIPS 180-4 SHA-256) computed by OpenSSL's libcrypto, with a constant-time compare.
public enum HMACSHA256 {
    /// Length in bytes of an HMAC-SHA256 authentication code.
    public static let byteCount = 32

    /// Computes HMAC-SHA256 of `message` under `key` in one call.
    public static func authenticationCode(
        key: some Collection<UInt8>,
        message: some Collection<UInt8>
    ) -> [UInt8] {
        withContiguousBytes(of: key) { keyBytes in
            withContiguousBytes(of: message) { messageBytes in
                authenticationCode(key: keyBytes, message: messageBytes)
            }
        }
    }

    /// Computes HMAC-SHA256 of `prefix` followed by `message` under `key`, without joining the two.
    ///
    /// Stripe signs `"<t>." + body` (Stripe rule §2.4); this avoids copying a large body to prepend a few bytes.
    public static func authenticationCode(
        key: some Collection<UInt8>,
        prefix: some Collection<UInt8>,
        message: some Collection<UInt8>
    ) -> [UInt8] {
        Key(key).authenticationCode(prefix: prefix, message: message)
    }

    /// Computes HMAC-SHA256 of `message` under `key` with OpenSSL's one-shot `HMAC()`.
    public static func authenticationCode(key: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer) -> [UInt8] {
        precondition(key.count <= Int(Int32.max), "HMAC key longer than 2 GiB")
        return [UInt8](unsafeUninitializedCapacity: byteCount) { output, initializedCount in
            withNonNullBase(key) { keyBase in
                withNonNullBase(message) { messageBase in
                    var length: UInt32 = 0
                    let result = HMAC(
                        EVP_sha256(), keyBase, Int32(key.count),
                        messageBase.assumingMemoryBound(to: UInt8.self), message.count,
                        output.baseAddress, &length
                    )
                    precondition(result != nil && length == UInt32(byteCount), "libcrypto HMAC() failed")
                }
            }
            initializedCount = byteCount
        }
    }

    /// Tells whether two byte strings are equal, taking time that depends only on their length (`CRYPTO_memcmp`).
    ///
    /// Lengths are not secret: strings of different lengths compare unequal at once.
    public static func constantTimeEquals(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Bool {
        guard lhs.count == rhs.count else { return false }
        guard let left = lhs.baseAddress, let right = rhs.baseAddress else { return true }
        return CRYPTO_memcmp(left, right, lhs.count) == 0
    }

    /// Tells whether two byte collections are equal, in time that depends only on their length.
    public static func constantTimeEquals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        withContiguousBytes(of: lhs) { left in
            withContiguousBytes(of: rhs) { right in
                constantTimeEquals(left, right)
            }
        }
    }
}

extension HMACSHA256 {
    /// Runs `body` over the bytes of `collection`, copying them only when they are not already contiguous.
    static func withContiguousBytes<Result>(
        of collection: some Collection<UInt8>,
        _ body: (UnsafeRawBufferPointer) -> Result
    ) -> Result {
        if let result = collection.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return Array(collection).withUnsafeBytes(body)
    }

    /// Runs `body` with a non-null base address for `buffer` (libcrypto rejects NULL even for zero lengths).
    static func withNonNullBase<Result>(
        _ buffer: UnsafeRawBufferPointer,
        _ body: (UnsafeRawPointer) -> Result
    ) -> Result {
        if let base = buffer.baseAddress {
            return body(base)
        }
        var placeholder: UInt8 = 0
        return withUnsafeBytes(of: &placeholder) { body($0.baseAddress!) }
    }
}
