import Foundation

/// The 20 bundled snapshot event payloads (Samples/) and 3 thin ones (Samples/Thin/), with their
/// provenance in Samples/README.md,
/// compiled into the binary so `trigger` works offline from any directory.
public enum SampleEvents {
    /// Every sample, by event type, as the exact bytes Stripe would post.
    public static let all: [String: [UInt8]] = [
        "balance.available": PackageResources.balance_available_json,
        "charge.dispute.closed": PackageResources.charge_dispute_closed_json,
        "charge.dispute.created": PackageResources.charge_dispute_created_json,
        "charge.refunded": PackageResources.charge_refunded_json,
        "charge.succeeded": PackageResources.charge_succeeded_json,
        "checkout.session.completed": PackageResources.checkout_session_completed_json,
        "customer.created": PackageResources.customer_created_json,
        "customer.subscription.updated": PackageResources.customer_subscription_updated_json,
        "invoice.created": PackageResources.invoice_created_json,
        "invoice.finalized": PackageResources.invoice_finalized_json,
        "invoice.overdue": PackageResources.invoice_overdue_json,
        "invoice.paid": PackageResources.invoice_paid_json,
        "invoice.payment_failed": PackageResources.invoice_payment_failed_json,
        "invoice.payment_succeeded": PackageResources.invoice_payment_succeeded_json,
        "invoice.upcoming": PackageResources.invoice_upcoming_json,
        "payment_intent.created": PackageResources.payment_intent_created_json,
        "payment_intent.payment_failed": PackageResources.payment_intent_payment_failed_json,
        "payment_intent.succeeded": PackageResources.payment_intent_succeeded_json,
        "payment_method.attached": PackageResources.payment_method_attached_json,
        "setup_intent.succeeded": PackageResources.setup_intent_succeeded_json,
    ]

    /// The bundled thin events (Samples/Thin/), by event type: for endpoints with `"payload": "thin"`.
    public static let thin: [String: [UInt8]] = [
        "v1.billing.meter.error_report_triggered": PackageResources.v1_billing_meter_error_report_triggered_json,
        "v2.core.account.updated": PackageResources.v2_core_account_updated_json,
        "v2.core.event_destination.ping": PackageResources.v2_core_event_destination_ping_json,
    ]

    /// The snapshot event types there are samples for, sorted.
    public static var types: [String] { all.keys.sorted() }

    /// The thin event types there are samples for, sorted.
    public static var thinTypes: [String] { thin.keys.sorted() }

    /// The sample for `type` with its top-level event id replaced by `newID`; every other byte is kept.
    /// (The event id appears once in a sample: as the envelope's first key.) Thin samples too.
    public static func payload(for type: String, eventID newID: String) -> [UInt8]? {
        guard let sample = all[type] ?? thin[type] else { return nil }
        let marker = Array("\"id\": \"evt_".utf8)
        guard let start = sample.firstRange(of: marker) else { return sample }
        let valueStart = start.lowerBound + 7  // after `"id": "`
        guard let valueEnd = sample[valueStart...].firstIndex(of: UInt8(ascii: "\"")) else { return sample }
        return Array(sample[..<valueStart]) + Array(newID.utf8) + Array(sample[valueEnd...])
    }

    /// A fresh event id in Stripe's shape: `evt_` and 24 random alphanumerics.
    public static func freshEventID() -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var generator = SystemRandomNumberGenerator()
        return "evt_" + String((0..<24).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
