// swift-tools-version:6.0
// stripe-webhookd: a Stripe webhook receiver. No package dependencies by design: only the toolchain
// and system C libraries (libcrypto, SQLite, libpq) through system-library targets.
import PackageDescription

let samples = [
    "balance.available", "charge.dispute.closed", "charge.dispute.created", "charge.refunded",
    "charge.succeeded", "checkout.session.completed", "customer.created", "customer.subscription.updated",
    "invoice.created", "invoice.finalized", "invoice.overdue", "invoice.paid", "invoice.payment_failed",
    "invoice.payment_succeeded", "invoice.upcoming", "payment_intent.created",
    "payment_intent.payment_failed", "payment_intent.succeeded", "payment_method.attached",
    "setup_intent.succeeded",
]

// Thin events (`"object": "v2.core.event"`) for thin-payload endpoints, in Samples/Thin/.
let thinSamples = ["v1.billing.meter.error_report_triggered", "v2.core.account.updated", "v2.core.event_destination.ping"]

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "stripe-webhookd",
    products: [
        .library(name: "StripeWebhooks", targets: ["StripeWebhooks"]),
        .executable(name: "stripe-webhookd", targets: ["stripe-webhookd"]),
    ],
    targets: [
        .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // The PostgreSQL event store that several daemons share.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // Linux calls Swift cannot make safely (vfork/exec with PR_SET_PDEATHSIG); the C library only.
        .systemLibrary(name: "CLinux"),
        .target(name: "WebhookSupport", swiftSettings: strict),
        .target(name: "HTTP1", dependencies: ["WebhookSupport"], swiftSettings: strict),
        .target(name: "StripeWebhooks", dependencies: ["CLibCrypto"], swiftSettings: strict),
        // The Stripe REST API client (Foundation networking), beside StripeWebhooks, which stays embeddable with libcrypto alone.
        .target(name: "StripeAPI", dependencies: ["StripeWebhooks"], swiftSettings: strict),
        .target(name: "EventStore", dependencies: ["CSQLite", "CLibPQ", "StripeWebhooks", "WebhookSupport"], swiftSettings: strict),
        .target(
            name: "WebhookDaemon",
            dependencies: ["WebhookSupport", "HTTP1", "StripeWebhooks", "StripeAPI", "EventStore", "CLinux", "CLibCrypto"],
            exclude: ["Samples/README.md"],
            resources: samples.map { .embedInCode("Samples/\($0).json") } + thinSamples.map { .embedInCode("Samples/Thin/\($0).json") },
            swiftSettings: strict
        ),
        .executableTarget(name: "stripe-webhookd", dependencies: ["WebhookDaemon"], swiftSettings: strict),
        .testTarget(name: "WebhookSupportTests", dependencies: ["WebhookSupport"], swiftSettings: strict),
        .testTarget(name: "HTTP1Tests", dependencies: ["HTTP1"], swiftSettings: strict),
        .testTarget(name: "StripeWebhooksTests", dependencies: ["StripeWebhooks"], swiftSettings: strict),
        // Test helpers shared by several test targets (the fake Stripe API); never part of a product.
        .target(name: "StripeTestSupport", path: "Tests/StripeTestSupport", swiftSettings: strict),
        .testTarget(name: "StripeAPITests", dependencies: ["StripeAPI", "StripeWebhooks", "StripeTestSupport"], swiftSettings: strict),
        .testTarget(name: "EventStoreTests", dependencies: ["EventStore"], swiftSettings: strict),
        .testTarget(name: "WebhookDaemonTests", dependencies: ["WebhookDaemon", "EventStore", "StripeWebhooks", "StripeAPI", "StripeTestSupport"], swiftSettings: strict),
    ]
)
