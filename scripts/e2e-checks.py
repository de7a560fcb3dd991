#!/usr/bin/env python3
"""Checks scripts/e2e-nginx.sh runs on what a daemon run left behind.

  e2e-checks.py client-ip LOG SENT IP       every "event stored" line names IP as client.ip
  e2e-checks.py metrics BEFORE AFTER SENT   /metrics parses with prometheus_client; counters moved
  e2e-checks.py leaks LOG SECRET SIGS DIR   the log holds no secret, signature or payload value
"""
import json
import os
import sys


def client_ip(log_path, sent, expected_ip):
    records = [json.loads(line) for line in open(log_path) if line.startswith("{")]
    stored = [r for r in records if r.get("message") == "event stored"]
    assert len(stored) == int(sent), f"{len(stored)} 'event stored' lines, expected {sent}"
    ips = {r.get("client.ip") for r in stored}
    assert ips == {expected_ip}, f"logged client.ip {ips}, expected only {expected_ip}"
    for record in stored:
        for key in ("request.id", "event.id", "event.type", "http.status", "duration_ms"):
            assert record.get(key), f"an 'event stored' line has no {key}: {record}"
    print(f"e2e-nginx: {len(stored)} events logged with client.ip {expected_ip} "
          "(from X-Forwarded-For of the trusted proxy, not the client's own claim)")


def load_metrics(path):
    from prometheus_client.parser import text_string_to_metric_families
    samples = {}
    for family in text_string_to_metric_families(open(path).read()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def metrics(before_path, after_path, sent):
    before, after, sent = load_metrics(before_path), load_metrics(after_path), int(sent)

    def moved(name, **labels):
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    def total(samples, name):
        return sum(value for (sample, _), value in samples.items() if sample == name)

    def grown(name):
        return total(after, name) - total(before, name)

    checks = {
        "events received": (grown("stripe_webhookd_events_received_total"), sent),
        "duplicates": (moved("stripe_webhookd_events_duplicate_total"), 1),
        "signature mismatches": (moved("stripe_webhookd_signature_failures_total", reason="signature_mismatch"), 1),
        "403 responses": (moved("stripe_webhookd_http_requests_total", status="403"), 1),
        "source refusals": (moved("stripe_webhookd_webhook_rejections_total", reason="source_ip_not_allowed"), 1),
        "stored and done": (after.get(("stripe_webhookd_stored_events", (("status", "done"),))), sent),
        "pending": (after.get(("stripe_webhookd_pending_events", ())), 0),
    }
    wrong = {name: got_wanted for name, got_wanted in checks.items() if got_wanted[0] != got_wanted[1]}
    assert not wrong, f"metrics did not move as expected (got, wanted): {wrong}"
    assert moved("stripe_webhookd_http_requests_total", status="200") >= sent + 1, "200s were not all counted"
    assert moved("stripe_webhookd_handler_runs_total", handler="builtin.payment_intent.succeeded", result="success") == 1, \
        "the PaymentIntent handler's run was not counted"
    assert moved("stripe_webhookd_store_commit_duration_seconds_count") > 0, "no store commit was timed"
    assert moved("stripe_webhookd_http_request_duration_seconds_count") >= sent, "request durations were not observed"
    print(f"e2e-nginx: /metrics parses with prometheus_client; {len(checks) + 4} counters moved as expected")


SENSITIVE_KEYS = {
    "email", "name", "phone", "line1", "line2", "postal_code", "last4", "fingerprint", "client_secret",
    "receipt_email", "customer_email", "customer_name", "customer_phone", "hosted_invoice_url", "invoice_pdf",
    "receipt_url", "description",
}


def payload_values(value, key=None):
    if isinstance(value, dict):
        for child_key, child in value.items():
            yield from payload_values(child, child_key)
    elif isinstance(value, list):
        for child in value:
            yield from payload_values(child, key)
    elif isinstance(value, str) and key in SENSITIVE_KEYS and len(value) >= 4:
        yield key, value


def leaks(log_path, secret, signatures_path, samples_dir):
    log = open(log_path).read()
    needles = {"the signing secret": secret}
    for line in open(signatures_path):
        for part in line.strip().split(","):
            if part.startswith("v1="):
                needles[f"signature {part[3:11]}…"] = part[3:]
    count = 0
    for name in sorted(os.listdir(samples_dir)):
        if name.endswith(".json"):
            for key, value in payload_values(json.load(open(os.path.join(samples_dir, name)))):
                needles[f"{name} {key}"] = value
                count += 1
    found = [what for what, value in needles.items() if value in log]
    assert not found, f"the log holds: {found}"
    assert count > 10, f"only {count} payload values to look for; did the samples change?"
    print(f"e2e-nginx: the log ({len(log)} bytes at debug level) holds no secret, none of "
          f"{len(needles) - count - 1} signatures and none of {count} customer and payment values")


if __name__ == "__main__":
    commands = {"client-ip": client_ip, "metrics": metrics, "leaks": leaks}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    try:
        commands[sys.argv[1]](*sys.argv[2:])
    except AssertionError as error:
        sys.exit(f"e2e-nginx: FAILED: {error}")
