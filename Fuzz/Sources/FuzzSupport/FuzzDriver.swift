import CFuzzer

/// The function libFuzzer calls with each input.
public typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32

/// Runs libFuzzer's driver on `callback` with the process's arguments and returns its exit status.
/// SwiftPM links each executable's `main` to `<Target>_main`, which no `-parse-as-library` build
/// defines, so each target defines that symbol and starts libFuzzer here.
public func runFuzzer(_ callback: FuzzCallback, argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, callback)
}
