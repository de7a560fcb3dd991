import FuzzSupport
import HTTP1
import HTTPFuzzSupport

/// The head every input follows: the input is the chunked body stream.
let chunkedHead = Array("POST /webhook HTTP/1.1\r\nHost: fuzz\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)

/// The function libFuzzer calls with each input: the input is a chunked body (RFC 9112 §7.1) after a fixed head. It is decoded
/// all at once and in random pieces (the outcomes must agree), and whenever the decoder accepts a body,
/// a plain reference reading of the same bytes must give the same body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChunkedBody(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = UnsafeBufferPointer(start: data, count: size)
    let stream = chunkedHead + Array(input)
    stream.withUnsafeBufferPointer { bytes in
        let limits = fuzzLimits()
        var whole: FuzzRandom? = nil
        var pieces: FuzzRandom? = FuzzRandom(seedingFrom: input)
        let atOnce = DecodingOutcome.decode(bytes, limits: limits, random: &whole)
        let inPieces = DecodingOutcome.decode(bytes, limits: limits, random: &pieces)
        fuzzCheck(atOnce == inPieces, "at once: \(atOnce); in pieces: \(inPieces)")
        if let first = atOnce.requests.first {
            let expected = ReferenceChunkedReader.read(input)
            fuzzCheck(expected == first.body, "decoder body \(first.body.count) bytes, reference \(expected?.count ?? -1)")
        }
    }
    return 0
}

/// A deliberately simple reading of the chunked coding, written from the RFC's ABNF without any of the
/// decoder's machinery: sizes, data and CRLFs are taken at face value; extensions and trailer lines are
/// skipped up to their CRLF. It is more lenient than the decoder, so it must accept whatever the decoder
/// accepts, with the same bytes.
enum ReferenceChunkedReader {
    /// The body in `input`, or nil when `input` does not hold a complete chunked body.
    static func read(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var index = 0
        var body: [UInt8] = []
        func skipLine() -> Bool {
            while index + 1 < input.count {
                if input[index] == 0x0D && input[index + 1] == 0x0A {
                    index += 2
                    return true
                }
                index += 1
            }
            return false
        }
        while true {
            var size = 0
            let digitsStart = index
            while index < input.count, let digit = hex(input[index]) {
                if size > 1 << 40 { return nil }
                size = size * 16 + digit
                index += 1
            }
            guard index > digitsStart, skipLine() else { return nil }
            if size == 0 {
                // Trailer lines until the empty one.
                while true {
                    let lineStart = index
                    guard skipLine() else { return nil }
                    if index - lineStart == 2 { return body }
                }
            }
            guard input.count - index >= size + 2 else { return nil }
            body.append(contentsOf: input[index..<(index + size)])
            index += size
            guard input[index] == 0x0D, input[index + 1] == 0x0A else { return nil }
            index += 2
        }
    }

    /// A hex digit's value.
    static func hex(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: Int(byte - 0x30)
        case 0x41...0x46: Int(byte - 0x37)
        case 0x61...0x66: Int(byte - 0x57)
        default: nil
        }
    }
}

/// The entry point SwiftPM links as `main` (`--defsym main=FuzzChunkedBody_main`): starts libFuzzer's driver,
/// which reads its flags (`-max_total_time=N`, corpus directories) from the arguments.
@_cdecl("FuzzChunkedBody_main")
public func fuzzChunkedBodyMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(fuzzChunkedBody, argc: argc, argv: argv)
}
