import FuzzSupport
import StripeWebhooks

/// The function libFuzzer calls with each input: the input is a request body that passed signature verification. Decoding
/// must never crash; when it succeeds the event must be what the envelope rules promise, decoding the
/// same bytes again must give the same event, `data.object`'s raw bytes must parse to `data.object`,
/// and its serialization must parse back to it. The typed views must cope with whatever the object holds.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEventEnvelope(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    fuzzThinEvent(body)
    let event: StripeEvent
    do {
        event = try StripeEvent.decode(from: body)
    } catch {
        fuzzCheck(!error.description.isEmpty, "an error without a message")
        return 0
    }
    fuzzCheck(event.object == "event", "decoded object \(event.object)")
    fuzzCheck((try? StripeEvent.decode(from: body)) == event, "decoding twice differs")
    let parser = JSONParser()
    fuzzCheck((try? parser.parse(event.data.objectRawJSON)) == event.data.object, "data.object's raw bytes parse differently")
    fuzzCheck((try? parser.parse(event.data.object.serialized())) == event.data.object, "data.object does not survive serialization")
    _ = event.objectID
    _ = event.objectType
    _ = event.object(as: PaymentIntent.self)
    _ = event.object(as: PaymentMethod.self)
    _ = event.object(as: Dispute.self)
    _ = event.object(as: Balance.self)
    _ = event.object(as: Invoice.self)
    return 0
}

/// The same body on a thin endpoint: decoding never crashes, a decoded thin event decodes the same way
/// twice, the body is a thin event by its style, and the stored-body decoding finds the same event.
func fuzzThinEvent(_ body: [UInt8]) {
    let thin: ThinEvent
    do {
        thin = try ThinEvent.decode(from: body)
    } catch {
        fuzzCheck(!error.description.isEmpty, "a thin decoding error without a message")
        return
    }
    fuzzCheck((try? ThinEvent.decode(from: body)) == thin, "thin decoding twice differs")
    fuzzCheck(PayloadStyle.of(body) == .thin, "a decoded thin event is not thin by its object")
    fuzzCheck((try? StripeEvent.decode(from: body, style: nil))?.thin == thin, "the stored-body decoding differs")
}

/// The entry point SwiftPM links as `main` (`--defsym main=FuzzEventEnvelope_main`): starts libFuzzer's driver,
/// which reads its flags (`-max_total_time=N`, corpus directories) from the arguments.
@_cdecl("FuzzEventEnvelope_main")
public func fuzzEventEnvelopeMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(fuzzEventEnvelope, argc: argc, argv: argv)
}
