import FuzzSupport
import HTTP1
import HTTPFuzzSupport

/// The function libFuzzer calls with each input: the input is a byte stream as a client might send it on one connection. It is
/// decoded twice, all at once and in random pieces; both must agree request for request and error for
/// error, and every decoded request must satisfy the decoder's promises (`DecodingOutcome.check`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let limits = fuzzLimits()
    var whole: FuzzRandom? = nil
    var pieces: FuzzRandom? = FuzzRandom(seedingFrom: bytes)
    let atOnce = DecodingOutcome.decode(bytes, limits: limits, random: &whole)
    let inPieces = DecodingOutcome.decode(bytes, limits: limits, random: &pieces)
    fuzzCheck(atOnce == inPieces, "at once: \(atOnce); in pieces: \(inPieces)")
    return 0
}

/// The entry point SwiftPM links as `main` (`--defsym main=FuzzRequestDecoder_main`): starts libFuzzer's driver,
/// which reads its flags (`-max_total_time=N`, corpus directories) from the arguments.
@_cdecl("FuzzRequestDecoder_main")
public func fuzzRequestDecoderMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(fuzzRequestDecoder, argc: argc, argv: argv)
}
