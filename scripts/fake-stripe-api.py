#!/usr/bin/env python3
"""A fake of the few Stripe API calls stripe-webhookd makes, for tests and for trying the daemon offline.

Loopback only, Python 3 standard library only. Written from Stripe's published API reference; where
each shape comes from is cited beside it:

  [list]      docs.stripe.com/api/pagination: list object {object: "list", data, has_more, url};
              params limit (1-100, default 10), starting_after, ending_before.
  [events]    docs.stripe.com/api/events/list: GET /v1/events, newest first; filters created
              (created[gt|gte|lt|lte] or an integer), type (one type, `*` wildcard allowed) and
              types[] (up to 20 exact types); GET /v1/events/{id}. Events are kept 30 days.
  [endpoint]  docs.stripe.com/api/webhook_endpoints/object: {id: "we_…", object: "webhook_endpoint",
              api_version, application, created, description, enabled_events, livemode, metadata,
              status: "enabled"|"disabled", url}; GET /v1/webhook_endpoints/{id}.
  [errors]    docs.stripe.com/api/errors: {error: {type, message, code?, param?, doc_url?}} with 400,
              401, 402, 403, 404, 409, 429, 5xx; 401 for a bad key ("Invalid API Key provided: …"),
              403 for a restricted key without the permission (message as Stripe words it: "The
              provided key '…' does not have the required permissions for this endpoint on account
              '…'. Having the '…' permission would allow this request to continue."), 404 with code
              resource_missing ("No such event: '…'").
  [retries]   docs.stripe.com/rate-limits and the SDKs' retry logic: 429 answers, the
              `Stripe-Should-Retry` header (true/false) and `Retry-After` (seconds).
  [auth]      docs.stripe.com/api/authentication: `Authorization: Bearer <key>`.
  [v2events]  docs.stripe.com/api/v2/core/events/retrieve: GET /v2/core/events/{id} returns the
              v2.core.event {id, object: "v2.core.event", context, created (RFC 3339), livemode,
              reason, related_object {id, type, url}, type, data (the fetched attributes)}; objects
              of a connected account are found only with `Stripe-Context: <account>`
              (docs.stripe.com/context), else 404 like any missing object.
  [related]   a thin event's related_object.url (e.g. /v1/billing/meters/{id}, /v2/core/accounts/{id})
              returns the object's current state: served here from what the tests register.

Control endpoints (not Stripe's; the tests drive the fake with them):

  POST /_fake/events    {"sample": "invoice.paid", "id"?, "created"?, "object_id"?, "type"?}
                        or {"event": {...}}: adds an event made from a sample in --samples; returns it.
  POST /_fake/endpoint  {"id": "we_…", "status"?, "enabled_events"?, "livemode"?, "url"?}: creates or
                        changes a webhook endpoint.
  POST /_fake/keys      {"key": "rk_test_…", "permissions": ["rak_event_read", …]}: adds a restricted
                        key with only these permissions (the --key key has them all).
  POST /_fake/v2_events {"event": {...}}: a v2 event as GET /v2/core/events/{id} returns it (with
                        "data"); or {"sample": "v2.core.account.updated", "id"?, "data"?} from --samples/Thin.
  POST /_fake/objects   {"path": "/v1/billing/meters/mtr_…", "object": {...}, "context"?}: served at
                        GET path (only with that Stripe-Context when "context" is given).
  POST /_fake/faults    {"status": 429|500|…, "count": N, "retry_after"?, "should_retry"?, "delay"?,
                        "path_prefix"?}: the next N matching requests get that status (or, with
                        status 200 and a delay, a slow but normal answer).
  GET  /_fake/requests  every API request seen: method, path, query, Stripe-Version, whether it
                        carried the right key (never the key itself).

Usage: fake-stripe-api.py --key sk_test_… [--port 0] [--samples DIR] [--account acct_…]
It prints "listening on http://127.0.0.1:PORT" on its first line of standard output.
"""

import argparse
import copy
import fnmatch
import json
import os
import random
import signal
import string
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# The permission a restricted key needs per call, named like Stripe's restricted-key permissions.
PERMISSIONS = {"/v1/events": "rak_event_read", "/v1/webhook_endpoints": "rak_webhook_read"}


def random_id(prefix, length=24):
    return prefix + "".join(random.choice(string.ascii_letters + string.digits) for _ in range(length))


def mask(key):
    """Stripe masks a key in its errors, showing the prefix and the last four characters."""
    prefix = key.split("_")[0] + "_" + key.split("_")[1] + "_" if key.count("_") >= 2 else ""
    tail = key[len(prefix):]
    return prefix + ("*" * (len(tail) - 4) + tail[-4:] if len(tail) > 8 else "****")


class FakeStripe:
    """The fake's state, shared by the request threads under one lock."""

    def __init__(self, key, samples, account):
        self.lock = threading.Lock()
        self.keys = {key: None}  # key -> allowed permissions, None meaning all
        self.samples = samples
        self.account = account
        self.events = []  # in creation order; listed newest first
        self.arrival = 0
        self.endpoints = {}
        self.faults = []
        self.requests = []
        self.v2_events = {}  # id -> event (with "data")
        self.objects = {}  # path -> (object, context or None)

    def sample(self, name):
        path = os.path.join(self.samples, name + ".json")
        with open(path, "rb") as f:
            return json.load(f)

    def add_event(self, spec):
        if "event" in spec:
            event = copy.deepcopy(spec["event"])
        else:
            event = self.sample(spec["sample"])
            event["id"] = spec.get("id") or random_id("evt_")
            event["created"] = int(spec.get("created", time.time()))
            if "type" in spec:
                event["type"] = spec["type"]
            if "object_id" in spec:
                event["data"]["object"]["id"] = spec["object_id"]
        event.setdefault("object", "event")
        with self.lock:
            self.arrival += 1
            self.events.append((self.arrival, event))
        return event

    def add_v2_event(self, spec):
        if "event" in spec:
            event = copy.deepcopy(spec["event"])
        else:
            event = self.sample(os.path.join("Thin", spec["sample"]))
            if "id" in spec:
                event["id"] = spec["id"]
            event["data"] = spec.get("data", {})
        with self.lock:
            self.v2_events[event["id"]] = event
        return event

    def newest_first(self):
        with self.lock:
            ordered = sorted(self.events, key=lambda pair: (pair[1]["created"], pair[0]), reverse=True)
        return [event for _, event in ordered]

    def take_fault(self, path):
        with self.lock:
            for fault in self.faults:
                if fault["count"] > 0 and path.startswith(fault.get("path_prefix", "/v1/")):
                    fault["count"] -= 1
                    return dict(fault)
            return None


def error_body(kind, message, code=None, param=None):
    """[errors] Stripe's error object."""
    error = {"type": kind, "message": message}
    if code:
        error["code"] = code
        error["doc_url"] = "https://stripe.com/docs/error-codes/" + code.replace("_", "-")
    if param:
        error["param"] = param
    return {"error": error}


class Handler(BaseHTTPRequestHandler):
    server_version = "fake-stripe-api"
    protocol_version = "HTTP/1.1"
    fake = None  # set in main

    def log_message(self, format, *args):  # keep test output quiet
        pass

    def send_json(self, status, body, headers=None):
        data = json.dumps(body, indent=2).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", random_id("req_", 14))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def read_json(self):
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}")

    # Control endpoints

    def do_POST(self):
        fake = self.fake
        path = urllib.parse.urlsplit(self.path).path
        try:
            body = self.read_json()
        except ValueError:
            return self.send_json(400, {"error": "body is not JSON"})
        if path == "/_fake/events":
            specs = body if isinstance(body, list) else [body]
            return self.send_json(200, [fake.add_event(spec) for spec in specs])
        if path == "/_fake/endpoint":
            with fake.lock:
                endpoint = fake.endpoints.get(body["id"]) or {
                    # [endpoint] the webhook_endpoint object's fields
                    "id": body["id"], "object": "webhook_endpoint", "api_version": None, "application": None,
                    "created": int(time.time()), "description": None, "enabled_events": ["*"],
                    "livemode": False, "metadata": {}, "status": "enabled",
                    "url": "https://example.com/webhook",
                }
                for field in ("status", "enabled_events", "livemode", "url", "description"):
                    if field in body:
                        endpoint[field] = body[field]
                fake.endpoints[body["id"]] = endpoint
                return self.send_json(200, endpoint)
        if path == "/_fake/v2_events":
            specs = body if isinstance(body, list) else [body]
            return self.send_json(200, [fake.add_v2_event(spec) for spec in specs])
        if path == "/_fake/objects":
            with fake.lock:
                fake.objects[body["path"]] = (body["object"], body.get("context"))
            return self.send_json(200, {"ok": True})
        if path == "/_fake/keys":
            with fake.lock:
                fake.keys[body["key"]] = set(body.get("permissions", []))
            return self.send_json(200, {"ok": True})
        if path == "/_fake/faults":
            with fake.lock:
                fake.faults.append(body)
            return self.send_json(200, {"ok": True})
        return self.send_json(404, error_body("invalid_request_error", "Unrecognized request URL (POST: %s)." % path))

    # The API

    def do_GET(self):
        fake = self.fake
        parts = urllib.parse.urlsplit(self.path)
        path = parts.path
        query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        if path == "/_fake/requests":
            with fake.lock:
                return self.send_json(200, list(fake.requests))
        key = self.bearer_key()
        with fake.lock:
            fake.requests.append({
                "method": "GET", "path": path, "query": parts.query,
                "stripe_version": self.headers.get("Stripe-Version"),
                "stripe_context": self.headers.get("Stripe-Context"),
                "authorized": key in fake.keys,
            })
        # [auth] a missing or unknown key is 401.
        if key is None:
            return self.send_json(401, error_body(
                "invalid_request_error",
                "You did not provide an API key. You need to provide your API key in the Authorization header, "
                "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY')."))
        if key not in fake.keys:
            return self.send_json(401, error_body("invalid_request_error", "Invalid API Key provided: " + mask(key)))
        fault = fake.take_fault(path)
        if fault:
            time.sleep(float(fault.get("delay", 0)))
            status = int(fault.get("status", 200))
            if status != 200:
                headers = {}
                if "retry_after" in fault:
                    headers["Retry-After"] = str(fault["retry_after"])
                if "should_retry" in fault:
                    headers["Stripe-Should-Retry"] = "true" if fault["should_retry"] else "false"
                if status == 429:
                    # [retries] the rate limit error
                    body = error_body("invalid_request_error", "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.", code="rate_limit")
                else:
                    body = error_body("api_error", "An unknown error occurred")
                return self.send_json(status, body, headers)
        for prefix, permission in PERMISSIONS.items():
            allowed = fake.keys[key]
            if path.startswith(prefix) and allowed is not None and permission not in allowed:
                return self.send_json(403, error_body(
                    "invalid_request_error",
                    "The provided key '%s' does not have the required permissions for this endpoint on account '%s'. "
                    "Having the '%s' permission would allow this request to continue." % (mask(key), fake.account, permission)))
        if path == "/v1/events":
            return self.list_events(query)
        if path.startswith("/v1/events/"):
            wanted = urllib.parse.unquote(path[len("/v1/events/"):])
            for event in fake.newest_first():
                if event["id"] == wanted:
                    return self.send_json(200, event)
            return self.send_json(404, error_body("invalid_request_error", "No such event: '%s'" % wanted, code="resource_missing", param="id"))
        context = self.headers.get("Stripe-Context")
        if path.startswith("/v2/core/events/"):
            wanted = urllib.parse.unquote(path[len("/v2/core/events/"):])
            with fake.lock:
                event = copy.deepcopy(fake.v2_events.get(wanted))
            # [v2events] a connected account's event is there only in its context.
            if event is None or (event.get("context") or None) != (context or None):
                return self.send_json(404, error_body("invalid_request_error", "No such event: '%s'" % wanted, code="resource_missing", param="id"))
            return self.send_json(200, event)
        with fake.lock:
            registered = fake.objects.get(path)
        if registered is not None:
            obj, owner = registered
            # [related] as for events: another account's object is not found without its context.
            if (owner or None) != (context or None):
                return self.send_json(404, error_body("invalid_request_error", "No such object: '%s'" % path.rsplit("/", 1)[-1], code="resource_missing", param="id"))
            return self.send_json(200, obj)
        if path.startswith("/v1/webhook_endpoints/"):
            wanted = urllib.parse.unquote(path[len("/v1/webhook_endpoints/"):])
            with fake.lock:
                endpoint = copy.deepcopy(fake.endpoints.get(wanted))
            if endpoint is None:
                return self.send_json(404, error_body("invalid_request_error", "No such webhook endpoint: '%s'" % wanted, code="resource_missing", param="id"))
            return self.send_json(200, endpoint)
        return self.send_json(404, error_body("invalid_request_error", "Unrecognized request URL (GET: %s)." % path))

    def bearer_key(self):
        header = self.headers.get("Authorization") or ""
        if header.startswith("Bearer "):
            return header[len("Bearer "):].strip() or None
        return None

    def list_events(self, query):
        """[events] + [list]"""
        def bad(message, param):
            return self.send_json(400, error_body("invalid_request_error", message, code="parameter_invalid_integer" if param == "limit" else None, param=param))

        try:
            limit = int(query.get("limit", ["10"])[0])
        except ValueError:
            return bad("Invalid integer: %s" % query["limit"][0], "limit")
        if not 1 <= limit <= 100:
            return bad("This value must be greater than or equal to 1 and less than or equal to 100.", "limit")
        events = self.fake.newest_first()
        bounds = {"created[gt]": lambda c, v: c > v, "created[gte]": lambda c, v: c >= v,
                  "created[lt]": lambda c, v: c < v, "created[lte]": lambda c, v: c <= v,
                  "created": lambda c, v: c == v}
        for name, test in bounds.items():
            if name in query:
                value = int(query[name][0])
                events = [e for e in events if test(e["created"], value)]
        if "type" in query:
            pattern = query["type"][0]
            events = [e for e in events if fnmatch.fnmatchcase(e["type"], pattern)]
        types = query.get("types[]")
        if types:
            events = [e for e in events if e["type"] in types]
        ids = [e["id"] for e in events]
        if "starting_after" in query:
            cursor = query["starting_after"][0]
            if cursor not in ids:
                return self.send_json(400, error_body("invalid_request_error", "No such event: '%s'" % cursor, code="resource_missing", param="starting_after"))
            events = events[ids.index(cursor) + 1:]
            page = events[:limit]
        elif "ending_before" in query:
            cursor = query["ending_before"][0]
            if cursor not in ids:
                return self.send_json(400, error_body("invalid_request_error", "No such event: '%s'" % cursor, code="resource_missing", param="ending_before"))
            events = events[:ids.index(cursor)]
            # The page nearest the cursor; has_more: are there still newer ones beyond it?
            page = events[-limit:]
        else:
            page = events[:limit]
        return self.send_json(200, {"object": "list", "data": page, "has_more": len(events) > len(page), "url": "/v1/events"})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--key", required=True, help="the secret key the fake accepts with every permission")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--samples", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "WebhookDaemon", "Samples"))
    parser.add_argument("--account", default="acct_1FakeStripeAccount")
    args = parser.parse_args()
    # A parent may start us with SIGTERM blocked (Foundation's Process inherits the spawning thread's
    # mask); stop on SIGTERM whatever the mask.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    Handler.fake = FakeStripe(args.key, args.samples, args.account)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print("listening on http://127.0.0.1:%d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass


if __name__ == "__main__":
    sys.exit(main())
