/// A response status: a three-digit code and its reason phrase (RFC 9110 §15). An open set, so the
/// usual ones are `static let` members and others can be made with `init(_:phrase:)`.
public struct HTTPStatus: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The three-digit code.
    public var code: Int
    /// The reason phrase written after the code.
    public var phrase: String

    /// Creates a status with `code` and `phrase`.
    public init(_ code: Int, phrase: String) {
        self.code = code
        self.phrase = phrase
    }

    /// `200 OK`.
    public static let ok = HTTPStatus(200, phrase: "OK")
    /// `201 Created`.
    public static let created = HTTPStatus(201, phrase: "Created")
    /// `202 Accepted`.
    public static let accepted = HTTPStatus(202, phrase: "Accepted")
    /// `204 No Content`: sent without a body and without `Content-Length` (RFC 9110 §8.6).
    public static let noContent = HTTPStatus(204, phrase: "No Content")
    /// `400 Bad Request`.
    public static let badRequest = HTTPStatus(400, phrase: "Bad Request")
    /// `401 Unauthorized`.
    public static let unauthorized = HTTPStatus(401, phrase: "Unauthorized")
    /// `403 Forbidden`.
    public static let forbidden = HTTPStatus(403, phrase: "Forbidden")
    /// `404 Not Found`.
    public static let notFound = HTTPStatus(404, phrase: "Not Found")
    /// `405 Method Not Allowed`.
    public static let methodNotAllowed = HTTPStatus(405, phrase: "Method Not Allowed")
    /// `408 Request Timeout`.
    public static let requestTimeout = HTTPStatus(408, phrase: "Request Timeout")
    /// `409 Conflict`.
    public static let conflict = HTTPStatus(409, phrase: "Conflict")
    /// `411 Length Required`.
    public static let lengthRequired = HTTPStatus(411, phrase: "Length Required")
    /// `413 Content Too Large` (RFC 9110 §15.5.14; "Payload Too Large" before it).
    public static let payloadTooLarge = HTTPStatus(413, phrase: "Content Too Large")
    /// `414 URI Too Long`.
    public static let uriTooLong = HTTPStatus(414, phrase: "URI Too Long")
    /// `415 Unsupported Media Type`.
    public static let unsupportedMediaType = HTTPStatus(415, phrase: "Unsupported Media Type")
    /// `417 Expectation Failed`.
    public static let expectationFailed = HTTPStatus(417, phrase: "Expectation Failed")
    /// `422 Unprocessable Content`.
    public static let unprocessableContent = HTTPStatus(422, phrase: "Unprocessable Content")
    /// `429 Too Many Requests`.
    public static let tooManyRequests = HTTPStatus(429, phrase: "Too Many Requests")
    /// `431 Request Header Fields Too Large`.
    public static let requestHeaderFieldsTooLarge = HTTPStatus(431, phrase: "Request Header Fields Too Large")
    /// `500 Internal Server Error`.
    public static let internalServerError = HTTPStatus(500, phrase: "Internal Server Error")
    /// `501 Not Implemented`.
    public static let notImplemented = HTTPStatus(501, phrase: "Not Implemented")
    /// `503 Service Unavailable`.
    public static let serviceUnavailable = HTTPStatus(503, phrase: "Service Unavailable")
    /// `505 HTTP Version Not Supported`.
    public static let httpVersionNotSupported = HTTPStatus(505, phrase: "HTTP Version Not Supported")

    /// `200 OK`.
    public var description: String { "\(code) \(phrase)" }
}
