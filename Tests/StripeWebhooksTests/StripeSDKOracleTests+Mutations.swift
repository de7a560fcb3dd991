import Foundation
@testable import StripeWebhooks

extension StripeSDKOracleTests {
    /// A named change to a signed delivery.
    struct Mutation: Sendable {
        /// Its name, reported on failure.
        let name: String
        /// Applies it.
        let apply: @Sendable (inout MutationCase, inout SeededGenerator) -> Void
    }

    /// `count` signed deliveries at times around `now`, each with zero to two random mutations (seeded).
    static func mutationCases(bodies: [[UInt8]], now: Int64, count: Int) -> [MutationCase] {
        var random = SeededGenerator(seed: 0x5EED_0F_57A1_9E)
        // Offsets keep 100 s from the ±300 s edges, so the SDK's own clock reading cannot flip a verdict.
        let offsets: [Int64] = [-3600, -400, -200, -30, 0, 30, 200, 400, 3600]
        return (0..<count).map { _ in
            let body = bodies.randomElement(using: &random)!
            let secret = "whsec_" + randomString(length: 24, alphabet: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", using: &random)
            let timestamp = now + offsets.randomElement(using: &random)!
            let header = SignatureHeader.generate(payload: body, secret: secret, timestamp: timestamp)
            var testCase = MutationCase(body: body, header: header, secret: secret)
            let mutationCount = [0, 1, 1, 1, 2, 2].randomElement(using: &random)!
            for _ in 0..<mutationCount {
                let mutation = mutations.randomElement(using: &random)!
                mutation.apply(&testCase, &random)
                testCase.mutations.append(mutation.name)
            }
            return testCase
        }
    }

    /// Every mutation the oracle test draws from.
    static let mutations: [Mutation] = [
        Mutation(name: "body: flip a byte") { testCase, random in
            guard !testCase.body.isEmpty else { return }
            let position = Int.random(in: 0..<testCase.body.count, using: &random)
            testCase.body[position] ^= UInt8.random(in: 1...255, using: &random)
        },
        Mutation(name: "body: insert a byte") { testCase, random in
            let position = Int.random(in: 0...testCase.body.count, using: &random)
            testCase.body.insert(UInt8.random(in: 0x20...0x7E, using: &random), at: position)
        },
        Mutation(name: "body: delete a byte") { testCase, random in
            guard !testCase.body.isEmpty else { return }
            testCase.body.remove(at: Int.random(in: 0..<testCase.body.count, using: &random))
        },
        Mutation(name: "body: append a newline") { testCase, _ in testCase.body.append(0x0A) },
        Mutation(name: "body: truncate") { testCase, random in
            testCase.body.removeLast(min(testCase.body.count, Int.random(in: 1...10, using: &random)))
        },
        Mutation(name: "body: re-serialise compactly") { testCase, _ in
            if let value = try? JSONParser().parse(testCase.body) { testCase.body = value.serialized() }
        },
        Mutation(name: "header: swap two digits of t") { testCase, random in
            mapValues(of: "t", in: &testCase) { value in
                var digits = Array(value)
                guard digits.count > 1 else { return value }
                let first = Int.random(in: 0..<digits.count, using: &random)
                let second = Int.random(in: 0..<digits.count, using: &random)
                digits.swapAt(first, second)
                return String(digits)
            }
        },
        Mutation(name: "header: change one v1 hex digit") { testCase, random in
            mapValues(of: "v1", in: &testCase) { value in
                guard !value.isEmpty else { return value }
                var characters = Array(value)
                let position = Int.random(in: 0..<characters.count, using: &random)
                let replacement = Array("0123456789abcdef").filter { $0 != characters[position] }.randomElement(using: &random)!
                characters[position] = replacement
                return String(characters)
            }
        },
        Mutation(name: "header: truncate v1") { testCase, random in
            mapValues(of: "v1", in: &testCase) { String($0.dropLast(Int.random(in: 1...63, using: &random))) }
        },
        Mutation(name: "header: uppercase v1") { testCase, _ in
            mapValues(of: "v1", in: &testCase) { $0.uppercased() }
        },
        Mutation(name: "header: duplicate the v1 item") { testCase, _ in
            mapItems(&testCase) { items in items + items.filter { $0.hasPrefix("v1=") } }
        },
        Mutation(name: "header: duplicate the t item") { testCase, _ in
            mapItems(&testCase) { items in items + items.filter { $0.hasPrefix("t=") } }
        },
        Mutation(name: "header: add a different t after") { testCase, random in
            let shifted = timestamp(of: testCase).map { $0 + Int64.random(in: 1...1000, using: &random) } ?? 1
            mapItems(&testCase) { $0 + ["t=\(shifted)"] }
        },
        Mutation(name: "header: add a different t before") { testCase, random in
            let shifted = timestamp(of: testCase).map { $0 - Int64.random(in: 1...1000, using: &random) } ?? 1
            mapItems(&testCase) { ["t=\(shifted)"] + $0 }
        },
        Mutation(name: "header: space after each comma") { testCase, _ in
            testCase.header = testCase.header?.replacingOccurrences(of: ",", with: ", ")
        },
        Mutation(name: "header: spaces and tabs around the value") { testCase, _ in
            testCase.header = testCase.header.map { " \t\($0) " }
        },
        Mutation(name: "header: rename the v1 scheme") { testCase, random in
            let scheme = ["v2", "V1", "v0", "v", "v11", "1"].randomElement(using: &random)!
            mapItems(&testCase) { $0.map { $0.hasPrefix("v1=") ? scheme + $0.dropFirst(2) : $0 } }
        },
        Mutation(name: "header: drop t") { testCase, _ in
            mapItems(&testCase) { $0.filter { !$0.hasPrefix("t=") } }
        },
        Mutation(name: "header: drop v1") { testCase, _ in
            mapItems(&testCase) { $0.filter { !$0.hasPrefix("v1=") } }
        },
        Mutation(name: "header: add a v0") { testCase, random in
            let fake = randomString(length: 64, alphabet: "0123456789abcdef", using: &random)
            mapItems(&testCase) { $0 + ["v0=\(fake)"] }
        },
        Mutation(name: "header: trailing comma") { testCase, _ in testCase.header = testCase.header.map { $0 + "," } },
        Mutation(name: "header: add an item without '='") { testCase, _ in
            mapItems(&testCase) { $0 + ["foo"] }
        },
        Mutation(name: "header: add a bare scheme item") { testCase, random in
            let bare = ["t", "v1"].randomElement(using: &random)!
            mapItems(&testCase) { items in
                var items = items
                items.insert(bare, at: Int.random(in: 0...items.count, using: &random))
                return items
            }
        },
        Mutation(name: "header: leading zeros in t") { testCase, _ in
            mapValues(of: "t", in: &testCase) { "00" + $0 }
        },
        Mutation(name: "header: plus sign in t") { testCase, _ in
            mapValues(of: "t", in: &testCase) { "+" + $0 }
        },
        Mutation(name: "header: underscore in t") { testCase, _ in
            mapValues(of: "t", in: &testCase) { value in
                guard value.count > 4 else { return value }
                return value.prefix(1) + "_" + value.dropFirst()
            }
        },
        Mutation(name: "header: space inside t's value") { testCase, _ in
            mapValues(of: "t", in: &testCase) { " " + $0 }
        },
        Mutation(name: "header: reverse the items") { testCase, _ in mapItems(&testCase) { $0.reversed() } },
        Mutation(name: "header: add a v1 for another secret") { testCase, _ in
            guard let timestamp = timestamp(of: testCase) else { return }
            let other = SignatureHeader.generate(payload: testCase.body, secret: "whsec_someone_else", timestamp: timestamp)
            mapItems(&testCase) { $0 + [String(other.split(separator: ",")[1])] }
        },
        Mutation(name: "header: v1 only for another secret") { testCase, _ in
            guard let timestamp = timestamp(of: testCase) else { return }
            testCase.header = SignatureHeader.generate(payload: testCase.body, secret: "whsec_someone_else", timestamp: timestamp)
        },
        Mutation(name: "header: '=' and text after v1") { testCase, _ in
            mapValues(of: "v1", in: &testCase) { $0 + "=x" }
        },
        Mutation(name: "header: empty") { testCase, _ in testCase.header = "" },
        Mutation(name: "header: absent") { testCase, _ in testCase.header = nil },
        Mutation(name: "header: random text") { testCase, random in
            let alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 ,=t1v"
            testCase.header = randomString(length: Int.random(in: 1...40, using: &random), alphabet: alphabet, using: &random)
        },
        Mutation(name: "secret: verify with another secret") { testCase, _ in testCase.secret = "whsec_not_the_signer" },
    ]

    /// Rewrites the header's items (split on `,`); no-op without a header.
    static func mapItems(_ testCase: inout MutationCase, _ transform: ([String]) -> [String]) {
        guard let header = testCase.header else { return }
        let items = header.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        testCase.header = transform(items).joined(separator: ",")
    }

    /// Rewrites the value of every item whose key is exactly `key`.
    static func mapValues(of key: String, in testCase: inout MutationCase, _ transform: (String) -> String) {
        mapItems(&testCase) { items in
            items.map { item in
                guard item.hasPrefix(key + "=") else { return item }
                return key + "=" + transform(String(item.dropFirst(key.count + 1)))
            }
        }
    }

    /// The first `t` in the header, if it is a plain integer.
    static func timestamp(of testCase: MutationCase) -> Int64? {
        testCase.header?.split(separator: ",").first { $0.hasPrefix("t=") }.flatMap { Int64($0.dropFirst(2)) }
    }

    /// `length` characters drawn from `alphabet`.
    static func randomString(length: Int, alphabet: String, using random: inout SeededGenerator) -> String {
        let characters = Array(alphabet)
        return String((0..<length).map { _ in characters.randomElement(using: &random)! })
    }
}
