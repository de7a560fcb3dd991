/// The request line, the field lines and the framing decision taken when the header section ends.
extension HTTPRequestDecoder {
    /// Parses `method SP request-target SP HTTP-version` (RFC 9112 §3) from `line` in `buffer`.
    mutating func parseRequestLine(_ line: Range<Int>) throws(HTTPProtocolError) {
        let parsed = try buffer.withUnsafeBufferPointer { bytes throws(HTTPProtocolError) -> PartialHead in
            let line = UnsafeBufferPointer(rebasing: bytes[line])
            var index = 0
            // §3.1: method = token.
            while index < line.count, HTTPSyntax.isTokenByte(line[index]) { index += 1 }
            guard index > 0, index < line.count, line[index] == HTTPSyntax.space else {
                throw Self.lineError(line, at: index, otherwise: .invalidRequestLine)
            }
            let methodEnd = index
            index += 1
            // §3.2: the target runs to the single SP before the version, in RFC 3986 characters only:
            // no fragment, no raw space, quote or brace, and every `%` starts a hex pair.
            let targetStart = index
            var queryMark: Int?
            while index < line.count, line[index] != HTTPSyntax.space {
                let byte = line[index]
                guard HTTPSyntax.isTargetByte(byte) else {
                    throw Self.lineError(line, at: index, otherwise: .invalidRequestTarget)
                }
                if byte == UInt8(ascii: "%") {
                    guard index + 2 < line.count, HTTPSyntax.hexValue(line[index + 1]) != nil, HTTPSyntax.hexValue(line[index + 2]) != nil else {
                        throw HTTPProtocolError(.invalidRequestTarget)
                    }
                    index += 3
                    continue
                }
                if byte == UInt8(ascii: "?") && queryMark == nil { queryMark = index }
                index += 1
            }
            // A missing version (HTTP/0.9's `GET /`) or an empty target is not a request line we know.
            guard index > targetStart, index < line.count else { throw HTTPProtocolError(.invalidRequestLine) }
            let targetEnd = index
            let version = try Self.parseVersion(UnsafeBufferPointer(rebasing: line[(index + 1)...]))

            var head = PartialHead()
            head.version = version
            head.method = String(decoding: UnsafeBufferPointer(rebasing: line[..<methodEnd]), as: UTF8.self)
            head.target = String(decoding: UnsafeBufferPointer(rebasing: line[targetStart..<targetEnd]), as: UTF8.self)
            let first = line[targetStart]
            if head.method == "CONNECT" {
                // §3.2.3: authority-form is for tunnels, which this server does not make.
                throw HTTPProtocolError(.unsupportedMethod)
            } else if first == UInt8(ascii: "/") {
                // §3.2.1 origin-form: path, then the query after the first `?`.
                if let queryMark {
                    head.path = String(decoding: UnsafeBufferPointer(rebasing: line[targetStart..<queryMark]), as: UTF8.self)
                    head.query = String(decoding: UnsafeBufferPointer(rebasing: line[(queryMark + 1)..<targetEnd]), as: UTF8.self)
                } else {
                    head.path = head.target
                }
            } else if first == UInt8(ascii: "*") && targetEnd - targetStart == 1 {
                // §3.2.4 asterisk-form: only for a server-wide OPTIONS.
                guard head.method == "OPTIONS" else { throw HTTPProtocolError(.invalidRequestTarget) }
                head.path = "*"
            } else if Self.isAbsoluteForm(UnsafeBufferPointer(rebasing: line[targetStart..<targetEnd])) {
                // §3.2.2: a server MUST accept the absolute-form; handlers get its path.
                (head.path, head.query) = HTTPRequest.splitTarget(head.target)
            } else {
                throw HTTPProtocolError(.invalidRequestTarget)
            }
            return head
        }
        head = parsed
        head.headers = HTTPHeaders(capacity: 16)
    }

    /// Parses `HTTP-version` (RFC 9112 §2.3): HTTP/1.0 and 1.1 are served; any other `HTTP/d.d` is
    /// well-formed but unsupported (505); anything else is malformed (400).
    static func parseVersion(_ text: UnsafeBufferPointer<UInt8>) throws(HTTPProtocolError) -> HTTPVersion {
        guard text.count == 8, text.starts(with: "HTTP/".utf8), text[6] == UInt8(ascii: "."),
              (0x30...0x39).contains(text[5]), (0x30...0x39).contains(text[7]) else {
            throw lineError(text, at: text.firstIndex(of: HTTPSyntax.cr) ?? 0, otherwise: .invalidRequestLine)
        }
        let version = HTTPVersion(major: Int(text[5] - 0x30), minor: Int(text[7] - 0x30))
        guard version == .http1_1 || version == .http1_0 else { throw HTTPProtocolError(.unsupportedVersion) }
        return version
    }

    /// Whether `target` is `http://` or `https://` (case-insensitive) followed by a non-empty authority.
    static func isAbsoluteForm(_ target: UnsafeBufferPointer<UInt8>) -> Bool {
        for scheme: StaticString in ["http://", "https://"] {
            let length = scheme.utf8CodeUnitCount
            guard target.count > length else { continue }
            let authorityStart = target[length]
            if HTTPSyntax.equalsIgnoringCase(UnsafeBufferPointer(rebasing: target[..<length]), scheme) {
                return authorityStart != UInt8(ascii: "/") && authorityStart != UInt8(ascii: "?")
            }
        }
        return false
    }

    /// The error for an unexpected byte at `index`: a CR there is a bare CR (§2.2), else `otherwise`.
    static func lineError(_ line: UnsafeBufferPointer<UInt8>, at index: Int, otherwise: HTTPProtocolError.Reason) -> HTTPProtocolError {
        index < line.count && line[index] == HTTPSyntax.cr ? HTTPProtocolError(.invalidLineEnding) : HTTPProtocolError(otherwise)
    }

    /// Parses one `field-name ":" OWS field-value OWS` line (RFC 9112 §5); keeps it in `head` when
    /// `keep` (header section), only checks it otherwise (trailer section).
    mutating func parseFieldLine(_ line: Range<Int>, keep: Bool) throws(HTTPProtocolError) {
        let field = try buffer.withUnsafeBufferPointer { bytes throws(HTTPProtocolError) -> (name: Range<Int>, value: Range<Int>) in
            let base = line.lowerBound
            let line = UnsafeBufferPointer(rebasing: bytes[line])
            // §5.2: obs-fold (and §2.2: whitespace before the first field) is rejected.
            guard !HTTPSyntax.isWhitespace(line[0]) else { throw HTTPProtocolError(.obsoleteLineFolding) }
            var index = 0
            while index < line.count, HTTPSyntax.isTokenByte(line[index]) { index += 1 }
            // §5.1: no whitespace between the field name and the colon; the name is a token.
            guard index > 0, index < line.count, line[index] == HTTPSyntax.colon else {
                throw Self.lineError(line, at: index, otherwise: .badHeader)
            }
            let nameEnd = index
            index += 1
            while index < line.count, HTTPSyntax.isWhitespace(line[index]) { index += 1 }
            let valueStart = index
            var valueEnd = index
            while index < line.count {
                let byte = line[index]
                guard HTTPSyntax.isFieldValueByte(byte) else {
                    throw Self.lineError(line, at: index, otherwise: .badHeaderValue)
                }
                index += 1
                if !HTTPSyntax.isWhitespace(byte) { valueEnd = index }
            }
            return (base..<(base + nameEnd), (base + valueStart)..<(base + valueEnd))
        }
        guard keep else { return }
        try noteFramingField(name: field.name, value: field.value)
        head.headers.add(name: string(field.name), value: string(field.value))
    }

    /// Records the fields that decide framing and routing: `Host`, `Content-Length`,
    /// `Transfer-Encoding`, `Expect`.
    mutating func noteFramingField(name: Range<Int>, value: Range<Int>) throws(HTTPProtocolError) {
        let kind = buffer.withUnsafeBufferPointer { bytes -> FramingField? in
            let name = UnsafeBufferPointer(rebasing: bytes[name])
            switch name.count {
            case 4 where HTTPSyntax.equalsIgnoringCase(name, "host"): return .host
            case 6 where HTTPSyntax.equalsIgnoringCase(name, "expect"): return .expect
            case 14 where HTTPSyntax.equalsIgnoringCase(name, "content-length"): return .contentLength
            case 17 where HTTPSyntax.equalsIgnoringCase(name, "transfer-encoding"): return .transferEncoding
            default: return nil
            }
        }
        switch kind {
        case .host:
            head.hostCount += 1
            // §3.2: a Host with an invalid value is a 400, like a missing or repeated one.
            let valid = buffer.withUnsafeBufferPointer { bytes in bytes[value].allSatisfy(HTTPSyntax.isHostByte) }
            if !valid { throw HTTPProtocolError(.invalidHost) }
        case .expect:
            head.expectations.append(string(value))
        case .transferEncoding:
            head.transferEncodings.append(string(value))
        case .contentLength:
            let length = try buffer.withUnsafeBufferPointer { bytes throws(HTTPProtocolError) in
                try Self.parseContentLength(UnsafeBufferPointer(rebasing: bytes[value]))
            }
            // §6.3: differing values make the length unknowable; identical repeats are harmless.
            if let known = head.contentLength, known != length { throw HTTPProtocolError(.conflictingContentLength) }
            head.contentLength = length
        case nil:
            break
        }
    }

    /// Parses `Content-Length = 1*DIGIT` (RFC 9112 §6.2): no sign, no spaces, no list; a value that does
    /// not fit in `Int` is invalid rather than silently wrapped.
    static func parseContentLength(_ digits: UnsafeBufferPointer<UInt8>) throws(HTTPProtocolError) -> Int {
        guard !digits.isEmpty else { throw HTTPProtocolError(.invalidContentLength) }
        var length = 0
        for byte in digits {
            guard (0x30...0x39).contains(byte) else { throw HTTPProtocolError(.invalidContentLength) }
            let (shifted, overflowA) = length.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = shifted.addingReportingOverflow(Int(byte - 0x30))
            guard !overflowA, !overflowB else { throw HTTPProtocolError(.invalidContentLength) }
            length = sum
        }
        return length
    }

    /// Decides the body's framing once the header section is complete (RFC 9112 §6.3) and returns the
    /// request when it has no body.
    mutating func finishHead() throws(HTTPProtocolError) -> HTTPRequest? {
        // §3.2: exactly one Host in HTTP/1.1, never more than one.
        if head.hostCount > 1 { throw HTTPProtocolError(.duplicateHost) }
        if head.hostCount == 0 && head.version == .http1_1 { throw HTTPProtocolError(.missingHost) }
        var chunked = false
        if !head.transferEncodings.isEmpty {
            // §6.1: Transfer-Encoding in HTTP/1.0 means faulty framing.
            if head.version == .http1_0 { throw HTTPProtocolError(.invalidTransferEncoding) }
            // §6.1, §11.2: both headers is how requests are smuggled; reject rather than pick one.
            if head.contentLength != nil { throw HTTPProtocolError(.contentLengthWithTransferEncoding) }
            let codings = head.transferEncodings.flatMap { HTTPSyntax.listElements($0) }
            // §6.3: if chunked is not the final coding the length cannot be known: 400.
            guard let last = codings.last, HTTPSyntax.equalsIgnoringCase(String(last), "chunked") else {
                throw HTTPProtocolError(.invalidTransferEncoding)
            }
            let others = codings.dropLast()
            // §6.1: chunked must not be applied twice; any other coding is one we do not implement (501).
            if others.contains(where: { HTTPSyntax.equalsIgnoringCase(String($0), "chunked") }) {
                throw HTTPProtocolError(.invalidTransferEncoding)
            }
            if !others.isEmpty { throw HTTPProtocolError(.unsupportedTransferCoding) }
            chunked = true
        }
        let length = head.contentLength ?? 0
        // Refuse an oversized body before reading it, and before any 100 Continue invites it.
        if length > limits.maxBodyBytes { throw HTTPProtocolError(.bodyTooLarge) }
        if !head.expectations.isEmpty && head.version == .http1_1 {
            // RFC 9110 §10.1.1: 100-continue is the only expectation defined; others get 417.
            // An HTTP/1.0 request's Expect is ignored, as that section requires.
            let expectations = head.expectations.flatMap { HTTPSyntax.listElements($0) }
            guard expectations.allSatisfy({ HTTPSyntax.equalsIgnoringCase(String($0), "100-continue") }) else {
                throw HTTPProtocolError(.unsupportedExpectation)
            }
            continueExpected = chunked || length > 0
        }
        sectionBytes = 0
        sectionLines = 0
        if chunked {
            state = .chunkSize
        } else if length > 0 {
            state = .fixedBody(length: length)
        } else {
            return finishRequest()
        }
        return nil
    }

    /// The header fields the decoder acts on.
    enum FramingField {
        /// `Host` (RFC 9112 §3.2).
        case host
        /// `Expect` (RFC 9110 §10.1.1).
        case expect
        /// `Content-Length` (RFC 9112 §6.2).
        case contentLength
        /// `Transfer-Encoding` (RFC 9112 §6.1).
        case transferEncoding
    }

    /// The bytes of `range` as a string (invalid UTF-8 repaired; HTTP fields are ASCII in practice).
    func string(_ range: Range<Int>) -> String {
        buffer.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }
}
