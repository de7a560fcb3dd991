/// The chunked transfer coding (RFC 9112 §7.1): size lines, extensions, data, trailers.
extension HTTPRequestDecoder {
    /// Hex digits a chunk size may have, leading zeros included; more cannot be a sane size.
    static let maxChunkSizeDigits = 64

    /// Decodes one `chunk-size [ chunk-ext ] CRLF` line; false when it is not all buffered yet.
    mutating func decodeChunkSizeLine() throws(HTTPProtocolError) -> Bool {
        let budget = Self.maxChunkSizeDigits + 2 + limits.maxChunkExtensionBytes - extensionBytes
        guard let line = try nextLine(budget: budget, tooLong: .chunkExtensionsTooLarge) else { return false }
        let (size, extensionLength) = try buffer.withUnsafeBufferPointer { bytes throws(HTTPProtocolError) in
            try Self.parseChunkSizeLine(UnsafeBufferPointer(rebasing: bytes[line]))
        }
        extensionBytes += extensionLength
        if extensionBytes > limits.maxChunkExtensionBytes { throw HTTPProtocolError(.chunkExtensionsTooLarge) }
        if size == 0 {
            // §7.1: last-chunk, then the trailer section and the final CRLF.
            sectionBytes = 0
            sectionLines = 0
            state = .trailers
            return true
        }
        // Refuse as soon as the declared size would overflow the limit, before reading the data.
        if size > limits.maxBodyBytes - body.count { throw HTTPProtocolError(.bodyTooLarge) }
        state = .chunkData(remaining: size)
        return true
    }

    /// Checks the CRLF that ends chunk data (RFC 9112 §7.1); false when it is not all buffered yet.
    mutating func decodeChunkDataEnd() throws(HTTPProtocolError) -> Bool {
        let available = buffer.count - start
        guard available > 0 else { return false }
        guard buffer[start] == HTTPSyntax.cr else { throw HTTPProtocolError(.invalidChunk) }
        guard available > 1 else { return false }
        guard buffer[start + 1] == HTTPSyntax.lf else { throw HTTPProtocolError(.invalidChunk) }
        start += 2
        state = .chunkSize
        return true
    }

    /// Parses `chunk-size = 1*HEXDIG` and validates the chunk extensions after it; returns the size and
    /// the extensions' length. Sizes that do not fit in 63 bits are refused, never wrapped.
    static func parseChunkSizeLine(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPProtocolError) -> (size: Int, extensionLength: Int) {
        var size = 0
        var index = 0
        while index < line.count, let digit = HTTPSyntax.hexValue(line[index]) {
            guard size <= (Int.max - digit) >> 4, index < maxChunkSizeDigits else {
                throw HTTPProtocolError(.invalidChunkSize)
            }
            size = size << 4 | digit
            index += 1
        }
        guard index > 0 else { throw lineError(line, at: index, otherwise: .invalidChunkSize) }
        let extensions = UnsafeBufferPointer(rebasing: line[index...])
        try validateChunkExtensions(extensions)
        return (size, extensions.count)
    }

    /// Validates `*( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )` (RFC 9112 §7.1.1);
    /// their meaning is ignored, as the RFC lets a recipient do.
    static func validateChunkExtensions(_ text: UnsafeBufferPointer<UInt8>) throws(HTTPProtocolError) {
        var index = 0
        func skipWhitespace() {
            while index < text.count, HTTPSyntax.isWhitespace(text[index]) { index += 1 }
        }
        func token() throws(HTTPProtocolError) {
            let tokenStart = index
            while index < text.count, HTTPSyntax.isTokenByte(text[index]) { index += 1 }
            guard index > tokenStart else { throw lineError(text, at: index, otherwise: .invalidChunkExtension) }
        }
        while index < text.count {
            skipWhitespace()
            guard index < text.count, text[index] == UInt8(ascii: ";") else {
                throw lineError(text, at: index, otherwise: .invalidChunkExtension)
            }
            index += 1
            skipWhitespace()
            try token()
            // BWS is only allowed before "=": trailing whitespace must not be taken as part of the value.
            let afterName = index
            skipWhitespace()
            guard index < text.count, text[index] == UInt8(ascii: "=") else {
                index = afterName
                continue
            }
            index += 1
            skipWhitespace()
            if index < text.count, text[index] == UInt8(ascii: "\"") {
                try skipQuotedString(text, from: &index)
            } else {
                try token()
            }
        }
    }

    /// Skips `quoted-string` (RFC 9110 §5.6.4) starting at the opening quote at `index`.
    static func skipQuotedString(_ text: UnsafeBufferPointer<UInt8>, from index: inout Int) throws(HTTPProtocolError) {
        index += 1
        while index < text.count {
            let byte = text[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return
            case UInt8(ascii: "\\"):
                // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
                guard index + 1 < text.count, HTTPSyntax.isFieldValueByte(text[index + 1]) else {
                    throw lineError(text, at: index + 1, otherwise: .invalidChunkExtension)
                }
                index += 2
            default:
                // qdtext = HTAB / SP / VCHAR except DQUOTE and backslash / obs-text
                guard HTTPSyntax.isFieldValueByte(byte) else { throw lineError(text, at: index, otherwise: .invalidChunkExtension) }
                index += 1
            }
        }
        throw HTTPProtocolError(.invalidChunkExtension)
    }
}
