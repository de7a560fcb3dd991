/// A Stripe event type such as `invoice.paid`: an open set, so any string is a valid value (Stripe rule §3).
public struct EventType: RawRepresentable, Hashable, Sendable, Comparable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    /// The type exactly as Stripe sends it in the event's `type` field.
    public let rawValue: String

    /// Wraps a type string.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Wraps a type string.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// A string literal names a type.
    public init(stringLiteral value: String) { self.rawValue = value }

    /// The type string.
    public var description: String { rawValue }

    /// The resource part before the last `.` (e.g. `customer.subscription` for `customer.subscription.deleted`).
    public var resource: Substring {
        guard let dot = rawValue.lastIndex(of: ".") else { return rawValue[...] }
        return rawValue[..<dot]
    }

    /// Orders types by their strings, for stable listings.
    public static func < (lhs: EventType, rhs: EventType) -> Bool { lhs.rawValue < rhs.rawValue }
}

// Types Stripe documents at docs.stripe.com/api/events/types; the 20 bundled samples are among them.
public extension EventType {
    /// `balance.available`.
    static let balanceAvailable = EventType("balance.available")

    /// `charge.captured`.
    static let chargeCaptured = EventType("charge.captured")
    /// `charge.dispute.closed`.
    static let chargeDisputeClosed = EventType("charge.dispute.closed")
    /// `charge.dispute.created`.
    static let chargeDisputeCreated = EventType("charge.dispute.created")
    /// `charge.dispute.funds_reinstated`.
    static let chargeDisputeFundsReinstated = EventType("charge.dispute.funds_reinstated")
    /// `charge.dispute.funds_withdrawn`.
    static let chargeDisputeFundsWithdrawn = EventType("charge.dispute.funds_withdrawn")
    /// `charge.dispute.updated`.
    static let chargeDisputeUpdated = EventType("charge.dispute.updated")
    /// `charge.expired`.
    static let chargeExpired = EventType("charge.expired")
    /// `charge.failed`.
    static let chargeFailed = EventType("charge.failed")
    /// `charge.pending`.
    static let chargePending = EventType("charge.pending")
    /// `charge.refund.updated`.
    static let chargeRefundUpdated = EventType("charge.refund.updated")
    /// `charge.refunded`.
    static let chargeRefunded = EventType("charge.refunded")
    /// `charge.succeeded`.
    static let chargeSucceeded = EventType("charge.succeeded")
    /// `charge.updated`.
    static let chargeUpdated = EventType("charge.updated")

    /// `checkout.session.async_payment_failed`.
    static let checkoutSessionAsyncPaymentFailed = EventType("checkout.session.async_payment_failed")
    /// `checkout.session.async_payment_succeeded`.
    static let checkoutSessionAsyncPaymentSucceeded = EventType("checkout.session.async_payment_succeeded")
    /// `checkout.session.completed`.
    static let checkoutSessionCompleted = EventType("checkout.session.completed")
    /// `checkout.session.expired`.
    static let checkoutSessionExpired = EventType("checkout.session.expired")

    /// `customer.created`.
    static let customerCreated = EventType("customer.created")
    /// `customer.deleted`.
    static let customerDeleted = EventType("customer.deleted")
    /// `customer.updated`.
    static let customerUpdated = EventType("customer.updated")
    /// `customer.subscription.created`.
    static let customerSubscriptionCreated = EventType("customer.subscription.created")
    /// `customer.subscription.deleted`.
    static let customerSubscriptionDeleted = EventType("customer.subscription.deleted")
    /// `customer.subscription.paused`.
    static let customerSubscriptionPaused = EventType("customer.subscription.paused")
    /// `customer.subscription.resumed`.
    static let customerSubscriptionResumed = EventType("customer.subscription.resumed")
    /// `customer.subscription.trial_will_end`.
    static let customerSubscriptionTrialWillEnd = EventType("customer.subscription.trial_will_end")
    /// `customer.subscription.updated`.
    static let customerSubscriptionUpdated = EventType("customer.subscription.updated")

    /// `invoice.created`.
    static let invoiceCreated = EventType("invoice.created")
    /// `invoice.deleted`.
    static let invoiceDeleted = EventType("invoice.deleted")
    /// `invoice.finalization_failed`.
    static let invoiceFinalizationFailed = EventType("invoice.finalization_failed")
    /// `invoice.finalized`.
    static let invoiceFinalized = EventType("invoice.finalized")
    /// `invoice.marked_uncollectible`.
    static let invoiceMarkedUncollectible = EventType("invoice.marked_uncollectible")
    /// `invoice.overdue`.
    static let invoiceOverdue = EventType("invoice.overdue")
    /// `invoice.paid`.
    static let invoicePaid = EventType("invoice.paid")
    /// `invoice.payment_action_required`.
    static let invoicePaymentActionRequired = EventType("invoice.payment_action_required")
    /// `invoice.payment_failed`.
    static let invoicePaymentFailed = EventType("invoice.payment_failed")
    /// `invoice.payment_succeeded`.
    static let invoicePaymentSucceeded = EventType("invoice.payment_succeeded")
    /// `invoice.sent`.
    static let invoiceSent = EventType("invoice.sent")
    /// `invoice.upcoming`.
    static let invoiceUpcoming = EventType("invoice.upcoming")
    /// `invoice.updated`.
    static let invoiceUpdated = EventType("invoice.updated")
    /// `invoice.voided`.
    static let invoiceVoided = EventType("invoice.voided")
    /// `invoice.will_be_due`.
    static let invoiceWillBeDue = EventType("invoice.will_be_due")

    /// `invoiceitem.created`.
    static let invoiceitemCreated = EventType("invoiceitem.created")
    /// `invoiceitem.deleted`.
    static let invoiceitemDeleted = EventType("invoiceitem.deleted")

    /// `payment_intent.amount_capturable_updated`.
    static let paymentIntentAmountCapturableUpdated = EventType("payment_intent.amount_capturable_updated")
    /// `payment_intent.canceled`.
    static let paymentIntentCanceled = EventType("payment_intent.canceled")
    /// `payment_intent.created`.
    static let paymentIntentCreated = EventType("payment_intent.created")
    /// `payment_intent.partially_funded`.
    static let paymentIntentPartiallyFunded = EventType("payment_intent.partially_funded")
    /// `payment_intent.payment_failed`.
    static let paymentIntentPaymentFailed = EventType("payment_intent.payment_failed")
    /// `payment_intent.processing`.
    static let paymentIntentProcessing = EventType("payment_intent.processing")
    /// `payment_intent.requires_action`.
    static let paymentIntentRequiresAction = EventType("payment_intent.requires_action")
    /// `payment_intent.succeeded`.
    static let paymentIntentSucceeded = EventType("payment_intent.succeeded")

    /// `payment_method.attached`.
    static let paymentMethodAttached = EventType("payment_method.attached")
    /// `payment_method.automatically_updated`.
    static let paymentMethodAutomaticallyUpdated = EventType("payment_method.automatically_updated")
    /// `payment_method.detached`.
    static let paymentMethodDetached = EventType("payment_method.detached")
    /// `payment_method.updated`.
    static let paymentMethodUpdated = EventType("payment_method.updated")

    /// `payout.canceled`.
    static let payoutCanceled = EventType("payout.canceled")
    /// `payout.created`.
    static let payoutCreated = EventType("payout.created")
    /// `payout.failed`.
    static let payoutFailed = EventType("payout.failed")
    /// `payout.paid`.
    static let payoutPaid = EventType("payout.paid")

    /// `refund.created`.
    static let refundCreated = EventType("refund.created")
    /// `refund.failed`.
    static let refundFailed = EventType("refund.failed")
    /// `refund.updated`.
    static let refundUpdated = EventType("refund.updated")

    /// `setup_intent.canceled`.
    static let setupIntentCanceled = EventType("setup_intent.canceled")
    /// `setup_intent.created`.
    static let setupIntentCreated = EventType("setup_intent.created")
    /// `setup_intent.requires_action`.
    static let setupIntentRequiresAction = EventType("setup_intent.requires_action")
    /// `setup_intent.setup_failed`.
    static let setupIntentSetupFailed = EventType("setup_intent.setup_failed")
    /// `setup_intent.succeeded`.
    static let setupIntentSucceeded = EventType("setup_intent.succeeded")
}
