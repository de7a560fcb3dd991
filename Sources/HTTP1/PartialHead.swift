/// The request line and header fields of a request still being decoded, with what the decoder has
/// learned from them about framing.
struct PartialHead: Sendable {
    /// The method token.
    var method = ""
    /// The request-target as received.
    var target = ""
    /// The target's path.
    var path = ""
    /// The target's query, if any.
    var query: String?
    /// The version from the request line.
    var version = HTTPVersion.http1_1
    /// The header fields kept so far.
    var headers = HTTPHeaders()
    /// How many `Host` lines were seen.
    var hostCount = 0
    /// The `Content-Length`, once one was seen.
    var contentLength: Int?
    /// Every `Transfer-Encoding` value, judged together once the section is complete.
    var transferEncodings: [String] = []
    /// Every `Expect` value.
    var expectations: [String] = []
}
