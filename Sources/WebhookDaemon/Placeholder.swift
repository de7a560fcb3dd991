public let sampleCount = PackageResources.payment_intent_succeeded_json.count
