/// Decoding that goes on after a mistake: with a `ConfigurationIssues` in the decoder's `userInfo`,
/// a key whose value does not fit is recorded there and treated as absent, and a list keeps its good
/// entries, so one load reports every mistake in the file. Without one, errors are thrown as usual.
extension KeyedDecodingContainer {
    /// `decodeIfPresent`, recording a mismatch instead of throwing it when the decoder collects.
    func lenient<T: Decodable>(_ type: T.Type, forKey key: Key, in decoder: any Decoder) throws -> T? {
        do {
            return try decodeIfPresent(type, forKey: key)
        } catch {
            guard let issues = ConfigurationIssues.of(decoder) else { throw error }
            issues.record(error)
            return nil
        }
    }

    /// A list decoded entry by entry: an entry that does not decode is recorded and skipped.
    func lenientList<T: Decodable>(_ type: T.Type, forKey key: Key, in decoder: any Decoder) throws -> [T]? {
        guard let issues = ConfigurationIssues.of(decoder) else { return try decodeIfPresent([T].self, forKey: key) }
        guard contains(key), (try? decodeNil(forKey: key)) != true else { return nil }
        var list: any UnkeyedDecodingContainer
        do {
            list = try nestedUnkeyedContainer(forKey: key)
        } catch {
            issues.record(error)
            return nil
        }
        var items: [T] = []
        while !list.isAtEnd {
            do {
                items.append(try list.decode(T.self))
            } catch {
                issues.record(error)
                // Step over the entry; should even that fail, stop rather than loop.
                guard (try? list.decode(SkippedValue.self)) != nil else { break }
            }
        }
        return items
    }

    /// Records (or throws, without a collector) that required `key` is missing; `place` is its parent.
    func requireKey(_ key: Key, place: String, in decoder: any Decoder) throws {
        guard !contains(key) else { return }
        let message = "\(place.isEmpty ? "" : place + ".")\(key.stringValue): missing required key \"\(key.stringValue)\""
        guard let issues = ConfigurationIssues.of(decoder) else { throw ConfigurationError(message) }
        issues.error(message)
    }
}

/// Any JSON value, read and dropped: steps an unkeyed container over an entry that did not decode.
struct SkippedValue: Decodable {
    /// Reads nothing.
    init(from decoder: any Decoder) throws {}
}

extension Decoder {
    /// Records (with a collector) or throws a configuration error; see `ConfigurationIssues.error`.
    func report(_ message: String, hidesWithin: Bool = true) throws {
        guard let issues = ConfigurationIssues.of(self) else { throw ConfigurationError(message) }
        issues.error(message, hidesWithin: hidesWithin)
    }
}
