// swift-tools-version:6.0
// libFuzzer targets for stripe-webhookd's parsers. Not part of the main build: fuzz targets must be
// compiled with `-sanitize=fuzzer,address` and `-parse-as-library` (libFuzzer supplies `main`), so this
// package compiles the modules under test from the main package's own sources (the symlinks in
// Sources/) with that instrumentation. Build and run through `scripts/fuzz.sh TARGET [SECONDS]`.
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "stripe-webhookd-fuzz",
    targets: [
        .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "WebhookSupport", swiftSettings: strict),
        .target(name: "HTTP1", dependencies: ["WebhookSupport"], swiftSettings: strict),
        .target(name: "StripeWebhooks", dependencies: ["CLibCrypto"], swiftSettings: strict),
        .systemLibrary(name: "CFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzer"], swiftSettings: strict),
        .target(name: "HTTPFuzzSupport", dependencies: ["HTTP1", "FuzzSupport"], swiftSettings: strict),
        .executableTarget(name: "FuzzRequestDecoder", dependencies: ["HTTP1", "HTTPFuzzSupport", "FuzzSupport"], swiftSettings: strict),
        .executableTarget(name: "FuzzChunkedBody", dependencies: ["HTTP1", "HTTPFuzzSupport", "FuzzSupport"], swiftSettings: strict),
        .executableTarget(name: "FuzzSignatureHeader", dependencies: ["StripeWebhooks", "FuzzSupport"], swiftSettings: strict),
        .executableTarget(name: "FuzzEventEnvelope", dependencies: ["StripeWebhooks", "FuzzSupport"], swiftSettings: strict),
    ]
)
