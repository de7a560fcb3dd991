/// Stops the fuzzer with `message` when an invariant does not hold: the trap is what libFuzzer records
/// as a crash and saves the input for.
public func fuzzCheck(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("fuzz invariant broken: \(message())") }
}
