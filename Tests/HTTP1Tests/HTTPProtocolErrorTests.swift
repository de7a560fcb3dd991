import Testing
@testable import HTTP1

@Suite struct HTTPProtocolErrorTests {
    @Test(arguments: HTTPProtocolError.Reason.allCases)
    func everyReason_becomesAnErrorStatusWithItsJSONBody(reason: HTTPProtocolError.Reason) {
        let error = HTTPProtocolError(reason)
        #expect((400...599).contains(error.status.code))
        #expect(String(decoding: error.response.body, as: UTF8.self) == "{\"error\":\"\(reason.rawValue)\"}")
        #expect(error.response.status == error.status)
        #expect(error.response.headers["Content-Type"] == "application/json")
    }

    @Test func statuses_matchTheDocumentedPolicy() {
        #expect(HTTPProtocolError(.requestLineTooLong).status == .uriTooLong)
        #expect(HTTPProtocolError(.headerTooLarge).status == .requestHeaderFieldsTooLarge)
        #expect(HTTPProtocolError(.bodyTooLarge).status == .payloadTooLarge)
        #expect(HTTPProtocolError(.unsupportedTransferCoding).status == .notImplemented)
        #expect(HTTPProtocolError(.unsupportedVersion).status == .httpVersionNotSupported)
        #expect(HTTPProtocolError(.requestTimeout).status == .requestTimeout)
        #expect(HTTPProtocolError(.responseTimeout).status == .serviceUnavailable)
        #expect(HTTPProtocolError(.unsupportedExpectation).status == .expectationFailed)
    }
}
