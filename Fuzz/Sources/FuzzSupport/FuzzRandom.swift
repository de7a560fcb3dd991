/// A small deterministic generator (SplitMix64) seeded from the input itself, so a saved crash
/// input replays exactly, split points included.
public struct FuzzRandom: RandomNumberGenerator {
    /// The state.
    private var state: UInt64

    /// Seeds from an FNV-1a hash of `bytes`.
    public init(seedingFrom bytes: UnsafeBufferPointer<UInt8>) {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        state = hash
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
