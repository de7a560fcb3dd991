import WebhookDaemon
print(sampleCount)
