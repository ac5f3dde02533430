"""Issue 16, point 2: structured logs. JSON lines by default when stderr is not a terminal
(here: a file), --log-format text, --log-level; one line per request with its time (RFC 3339,
UTC), request id, method, route template, status, latency, actor id, client address and user
agent; a well-formed incoming X-Request-Id is kept and echoed; X-Forwarded-For is believed
only from --trusted-proxies. No token and no raw path (it may name a secret) in the log.
"""
import json
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
from harness import Server, call  # noqa: E402

RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
FIELDS = {"time", "level", "msg", "request_id", "method", "route", "status", "latency_ms",
          "actor_id", "client", "user_agent"}


def wait_for_log(server, predicate):
    """The log's lines once `predicate(lines)` holds (request lines are flushed within 1 s)."""
    deadline = time.time() + 10
    while True:
        lines = server.stderr().splitlines()
        if predicate(lines) or time.time() > deadline:
            return lines
        time.sleep(0.05)


def request_lines(lines):
    out = []
    for line in lines:
        obj = json.loads(line)  # every line is JSON
        if obj.get("msg") == "request":
            out.append(obj)
    return out


class JsonLogs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_one_json_line_per_request_with_its_fields(self):
        s = self.server
        r = call(s.url, "GET", "/api/v1beta/secrets/logged-secret-name", s.token,
                 headers={"X-Request-Id": "req-json-1"}, user_agent="ops-test/1")
        self.assertEqual(r.status, 404, r)
        self.assertEqual(r.headers["X-Request-Id"], "req-json-1")
        lines = wait_for_log(s, lambda ls: "req-json-1" in "".join(ls))
        [line] = [l for l in request_lines(lines) if l["request_id"] == "req-json-1"]
        self.assertEqual(set(line), FIELDS)
        self.assertRegex(line["time"], RFC3339_UTC)
        self.assertEqual((line["level"], line["method"], line["route"], line["status"]),
                         ("info", "GET", "/api/v1beta/secrets/{secret}", 404))
        self.assertEqual((line["client"], line["user_agent"]), ("127.0.0.1", "ops-test/1"))
        self.assertIsInstance(line["latency_ms"], float)
        self.assertRegex(line["actor_id"], r"^[0-9a-f-]{36}$")
        log = "\n".join(lines)
        self.assertNotIn("logged-secret-name", log)
        self.assertNotIn(s.token, log)

    def test_a_malformed_request_id_is_replaced(self):
        s = self.server
        r = call(s.url, "GET", "/healthz", headers={"X-Request-Id": "bad id\"}"})
        rid = r.headers["X-Request-Id"]
        self.assertRegex(rid, r"^[0-9a-f]{16}$")
        lines = wait_for_log(s, lambda ls: rid in "".join(ls))
        [line] = [l for l in request_lines(lines) if l["request_id"] == rid]
        self.assertEqual((line["route"], line["actor_id"]), ("/healthz", ""))

    def test_forwarded_for_is_not_believed_from_an_untrusted_peer(self):
        s = self.server
        call(s.url, "GET", "/healthz",
             headers={"X-Request-Id": "req-xff-untrusted", "X-Forwarded-For": "10.9.9.9"})
        lines = wait_for_log(s, lambda ls: "req-xff-untrusted" in "".join(ls))
        [line] = [l for l in request_lines(lines) if l["request_id"] == "req-xff-untrusted"]
        self.assertEqual(line["client"], "127.0.0.1")

    def test_existing_messages_stay_verbatim_inside_the_json(self):
        s = self.server
        call(s.url, "GET", "/api/v1beta/secrets", "cft_not-a-real-token")
        lines = wait_for_log(s, lambda ls: "authentication failed from" in "".join(ls))
        msgs = [json.loads(l)["msg"] for l in lines]
        self.assertTrue(any(m.startswith("authentication failed from 127.0.0.1") for m in msgs))
        self.assertNotIn("cft_not-a-real-token", "\n".join(lines))


class LogSettings(unittest.TestCase):
    def test_trusted_proxy_forwarded_for_names_the_client(self):
        with Server(extra_args=["--trusted-proxies", "127.0.0.1,10.0.0.1"]) as s:
            call(s.url, "GET", "/healthz",
                 headers={"X-Request-Id": "req-xff", "X-Forwarded-For": "203.0.113.7, 10.0.0.1"})
            lines = wait_for_log(s, lambda ls: "req-xff" in "".join(ls))
            [line] = [l for l in request_lines(lines) if l["request_id"] == "req-xff"]
            self.assertEqual(line["client"], "203.0.113.7")

    def test_text_format_and_level(self):
        with Server(extra_args=["--log-format", "text"]) as s:
            call(s.url, "GET", "/healthz", headers={"X-Request-Id": "req-text"})
            lines = wait_for_log(s, lambda ls: "req-text" in "".join(ls))
            [line] = [l for l in lines if "req-text" in l]
            self.assertRegex(line, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info request req-text "
                                   r"GET /healthz 200 [0-9.]+ms actor=- client=127\.0\.0\.1 ")
        with Server(extra_args=["--log-level", "warn"]) as s:
            call(s.url, "GET", "/healthz", headers={"X-Request-Id": "req-quiet"})
            call(s.url, "GET", "/api/v1beta/secrets", "cft_wrong")
            s.stop()
            self.assertNotIn("req-quiet", s.stderr())
            self.assertNotIn("authentication failed", s.stderr())


if __name__ == "__main__":
    unittest.main()
