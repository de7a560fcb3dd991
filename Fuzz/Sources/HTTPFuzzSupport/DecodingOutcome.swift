import FuzzSupport
import HTTP1

/// Everything a decoder made of a byte stream: the requests, in order, and how it stopped. Two feeds of
/// the same bytes (all at once, or in random pieces) must produce equal outcomes; a difference would mean
/// a request's meaning depends on how TCP happened to segment it, which is how smuggling starts.
public struct DecodingOutcome: Equatable, CustomStringConvertible {
    /// One decoded request, reduced to comparable parts.
    public struct Request: Equatable {
        /// Method, target, path, query and version.
        public var line: [String?]
        /// Header fields in order.
        public var headers: [String]
        /// The decoded body.
        public var body: [UInt8]
    }

    /// Requests returned, in order.
    public var requests: [Request] = []
    /// The error that stopped decoding, if any.
    public var error: HTTPProtocolError?
    /// The phase the decoder ended in (it drives which timer the server runs).
    public var phase: HTTPRequestDecoder.Phase = .idle

    /// Decodes `bytes` under `limits`, appending them in pieces whose sizes `random` picks (all at once when
    /// `random` is nil), taking every request out after each piece.
    public static func decode(_ bytes: UnsafeBufferPointer<UInt8>, limits: HTTPLimits, random: inout FuzzRandom?) -> DecodingOutcome {
        var decoder = HTTPRequestDecoder(limits: limits)
        var outcome = DecodingOutcome()
        var offset = 0
        repeat {
            var size = bytes.count
            if var generator = random {
                size = 1 + Int(generator.next() % 24)
                random = generator
            }
            let end = min(bytes.count, offset + size)
            decoder.append(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[offset..<end])))
            offset = end
            do {
                while let request = try decoder.nextRequest() {
                    outcome.requests.append(Request(
                        line: [request.method, request.target, request.path, request.query, request.version.description],
                        headers: request.headers.map { "\($0.name): \($0.value)" },
                        body: request.body
                    ))
                    check(request, limits: limits)
                }
            } catch {
                outcome.error = error
                break
            }
        } while offset < bytes.count
        outcome.phase = decoder.phase
        return outcome
    }

    /// The invariants every decoded request must satisfy, whatever the input.
    static func check(_ request: HTTPRequest, limits: HTTPLimits) {
        fuzzCheck(request.body.count <= limits.maxBodyBytes, "body of \(request.body.count) bytes passed a limit of \(limits.maxBodyBytes)")
        fuzzCheck(request.headers.count <= limits.maxHeaderCount, "\(request.headers.count) header lines passed a limit of \(limits.maxHeaderCount)")
        fuzzCheck(request.target.utf8.count <= limits.maxRequestLineBytes, "target longer than the request-line limit")
        fuzzCheck(request.version == .http1_1 || request.version == .http1_0, "served version \(request.version)")
        fuzzCheck(request.method != "CONNECT", "CONNECT was decoded")
        let hosts = request.headers.values(for: "Host").count
        fuzzCheck(hosts <= 1 && (hosts == 1 || request.version == .http1_0), "request with \(hosts) Host lines")
        let framed = request.headers.contains(name: "Content-Length") && request.headers.contains(name: "Transfer-Encoding")
        fuzzCheck(!framed, "request with both Content-Length and Transfer-Encoding")
        for field in request.headers {
            fuzzCheck(!field.name.isEmpty && !field.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }),
                      "a field kept CR, LF or NUL: \(field.name)")
        }
    }

    /// The outcome for a failure message.
    public var description: String {
        "\(requests.count) request(s) \(requests.map { $0.line.compactMap { $0 }.joined(separator: " ") }), "
            + "error \(error.map(String.init(describing:)) ?? "none"), phase \(phase)"
    }
}

/// Small limits, so that inputs of a few hundred bytes reach every limit check.
public func fuzzLimits() -> HTTPLimits {
    var limits = HTTPLimits()
    limits.maxRequestLineBytes = 256
    limits.maxHeaderBytes = 1024
    limits.maxHeaderCount = 12
    limits.maxBodyBytes = 512
    limits.maxChunkExtensionBytes = 64
    limits.maxTrailerBytes = 256
    return limits
}
