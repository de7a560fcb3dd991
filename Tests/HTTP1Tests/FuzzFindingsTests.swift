import Testing
@testable import HTTP1

/// Inputs the libFuzzer targets in `Fuzz/` found misbehaving, kept as regressions. Each is decoded with
/// the fuzzers' small limits, all at once and one byte at a time: the outcome must not depend on how
/// TCP segments the stream.
@Suite struct FuzzFindingsTests {
    /// The limits the fuzz targets use (`Fuzz/Sources/HTTPFuzzSupport`).
    static var fuzzLimits: HTTPLimits {
        var limits = HTTPLimits()
        limits.maxRequestLineBytes = 256
        limits.maxHeaderBytes = 1024
        limits.maxHeaderCount = 12
        limits.maxBodyBytes = 512
        limits.maxChunkExtensionBytes = 64
        limits.maxTrailerBytes = 256
        return limits
    }

    /// The error decoding `bytes` ends in, fed in pieces of `pieceSize` bytes.
    static func error(decoding bytes: [UInt8], pieceSize: Int) -> HTTPProtocolError? {
        var decoder = HTTPRequestDecoder(limits: fuzzLimits)
        var offset = 0
        while offset < bytes.count {
            decoder.append(contentsOf: bytes[offset..<min(bytes.count, offset + pieceSize)])
            offset += pieceSize
            do {
                while try decoder.nextRequest() != nil {}
            } catch {
                return error
            }
        }
        return nil
    }

    /// request-decoder, first minute: a request line over the limit that ended in a bare LF got 400
    /// `invalid_line_ending` when it arrived whole but 414 when it arrived in pieces (the length was
    /// checked only after the line ending). Now it is 414 either way.
    @Test func overlongLineEndingInBareLF_isTooLongHoweverItArrives() {
        let line = "GET /" + String(repeating: "R", count: 300) + "\rb&\n\n"
        let bytes = Array(line.utf8)
        #expect(Self.error(decoding: bytes, pieceSize: bytes.count)?.reason == .requestLineTooLong)
        #expect(Self.error(decoding: bytes, pieceSize: 1)?.reason == .requestLineTooLong)
        #expect(Self.error(decoding: bytes, pieceSize: 7)?.reason == .requestLineTooLong)
    }

    /// The same for a header line and a trailer line over their section limits.
    @Test func overlongFieldAndTrailerLines_areTooLargeHoweverTheyArrive() {
        let header = Array(("GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "h", count: 1100) + "\n\r\n").utf8)
        let trailer = Array(("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: "
            + String(repeating: "t", count: 300) + "\n\r\n").utf8)
        for pieceSize in [1, 5, 4096] {
            #expect(Self.error(decoding: header, pieceSize: pieceSize)?.reason == .headerTooLarge)
            #expect(Self.error(decoding: trailer, pieceSize: pieceSize)?.reason == .trailerTooLarge)
        }
    }
}
