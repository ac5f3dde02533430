"""Issue 16, points 1 and 2: /metrics, and structured logs. JSON lines by default when stderr is not a terminal
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


def metric(text, name_and_labels):
    for line in text.splitlines():
        if line.startswith(name_and_labels + " "):
            return float(line.split()[-1])
    return None


class MetricsEndpoint(unittest.TestCase):
    def test_loopback_scrapes_without_a_token(self):
        with Server() as s:
            call(s.url, "GET", "/api/v1beta/secrets/metric-secret-name", s.token)
            call(s.url, "GET", "/api/v1beta/secrets", "cft_wrong-token")
            call(s.url, "GET", "/no/such/route/metric-path")
            r = call(s.url, "GET", "/metrics")
            self.assertEqual(r.status, 200, r)
            self.assertTrue(r.headers["Content-Type"].startswith("text/plain"), r.headers)
            text = r.raw.decode()
            route = 'method="GET",route="/api/v1beta/secrets/{secret}"'
            self.assertEqual(metric(text, f'coffer_http_requests_total{{{route},code="4xx"}}'), 1)
            self.assertEqual(metric(text, f"coffer_http_request_duration_seconds_count{{{route}}}"),
                             1)
            self.assertEqual(
                metric(text, 'coffer_http_requests_total{method="other",route="unmatched",code="4xx"}'),
                1)
            self.assertGreaterEqual(metric(text, "coffer_auth_failures_total"), 1)
            self.assertGreaterEqual(metric(text, "coffer_open_connections"), 1)
            for name in ("coffer_checkouts_total", "coffer_jobs_opened_total",
                         "coffer_jobs_refused_total", "coffer_auth_lockouts_total",
                         "coffer_connections_refused_total"):
                self.assertEqual(metric(text, name), 0, name)
            for leak in ("metric-secret-name", "metric-path", "cft_", s.token, "admin"):
                self.assertNotIn(leak, text)

    def test_elsewhere_an_owner_token_is_needed(self):
        with Server(extra_args=["--metrics-allow", "192.0.2.1"]) as s:
            self.assertEqual(call(s.url, "GET", "/metrics").status, 401)
            member = s.user_token("watcher", "Member")
            self.assertEqual(call(s.url, "GET", "/metrics", member).status, 403)
            r = call(s.url, "GET", "/metrics", s.token)
            self.assertEqual(r.status, 200, r)
            self.assertIn("coffer_http_requests_total", r.raw.decode())


class StoreAndJobMetrics(unittest.TestCase):
    """Group-commit batches and their sync time, store errors by kind, refused jobs by reason
    kind, key ids and data keys per key: labels are fixed words or numbers, never a secret's or
    a project's name."""

    def test_batches_sync_latency_errors_and_refusals_by_kind(self):
        with Server() as s:
            def job(body):
                body = dict({"git": {"ref_type": "BRANCH", "ref": "main"},
                             "triggered_by": {"type": "AUTO"}}, **body)
                return call(s.url, "POST", "/api/v1alpha/jobs", ci, body)
            ci = s.user_token("ci", "Orchestrator")
            secret = {"metadata": {"name": "metric-org-secret"},
                      "data": {"env_vars": [{"name": "K", "value": "metric-value-1"}]}}
            self.assertEqual(call(s.url, "POST", "/api/v1beta/secrets", s.token, secret).status,
                             200)
            project = {"apiVersion": "v1alpha", "kind": "Project",
                       "metadata": {"name": "metric-project"},
                       "spec": {"repository": {"url": "git@example.com:a/b.git"}}}
            self.assertEqual(call(s.url, "POST", "/api/v1alpha/projects", s.token,
                                  project).status, 200)
            before = call(s.url, "GET", "/metrics").raw.decode()
            self.assertEqual(job({"project_id_or_name": "metric-project",
                                  "secrets": ["metric-org-secret"]}).status, 200)
            # Refused: an unknown name; a fork without the project's leave (two kinds of
            # refusal in one job: an unknown target too); the policy of an org secret.
            self.assertEqual(job({"project_id_or_name": "metric-project",
                                  "secrets": ["metric-missing"]}).status, 403)
            self.assertEqual(job({"project_id_or_name": "metric-project",
                                  "secrets": ["metric-org-secret"],
                                  "deployment_target": "metric-target",
                                  "git": {"ref_type": "PR", "ref": "7", "fork": True}}).status,
                             403)
            policy = {"org_config": {"projects_access": "NONE"}}
            self.assertEqual(call(s.url, "PATCH", "/api/v1beta/secrets/metric-org-secret",
                                  s.token, policy).status, 200)
            self.assertEqual(job({"project_id_or_name": "metric-project",
                                  "secrets": ["metric-org-secret"]}).status, 403)
            text = call(s.url, "GET", "/metrics").raw.decode()

            by_reason = "coffer_jobs_refused_by_reason_total{reason=\"%s\"}"
            self.assertEqual(metric(text, by_reason % "secret_not_found"), 1)
            self.assertEqual(metric(text, by_reason % "secret_fork"), 1)
            self.assertEqual(metric(text, by_reason % "target_not_found"), 1)
            self.assertEqual(metric(text, by_reason % "secret_policy"), 1)
            self.assertEqual(metric(text, by_reason % "target_rules"), 0)
            self.assertEqual(metric(text, "coffer_jobs_refused_total"), 3)
            self.assertEqual(metric(text, "coffer_jobs_opened_total"), 1)

            # Every write since `before` went through a committed batch: one job, three
            # refusal audit events, one policy update, at least five writes in all.
            writes = (metric(text, "coffer_store_batch_writes_sum")
                      - metric(before, "coffer_store_batch_writes_sum"))
            self.assertGreaterEqual(writes, 5)
            batches = metric(text, "coffer_store_batch_writes_count")
            self.assertEqual(metric(text, 'coffer_store_batch_writes_bucket{le="+Inf"}'), batches)
            self.assertEqual(metric(text, "coffer_store_commit_seconds_count"), batches)
            self.assertLessEqual(metric(text, 'coffer_store_batch_writes_bucket{le="1"}'), batches)
            self.assertGreater(metric(text, "coffer_store_commit_seconds_sum"), 0)
            # The keyring: key 1 wraps the data key of each secret version written.
            self.assertGreaterEqual(metric(text, 'coffer_key_data_keys{key_id="1",state="live"}'),
                                    2)
            self.assertEqual(metric(text, "coffer_keys_live"), 1)
            self.assertEqual(metric(text, "coffer_key_current_id"), 1)
            for kind in ("unavailable", "corruption", "internal"):
                self.assertEqual(metric(text, f'coffer_store_errors_total{{kind="{kind}"}}'), 0)
            for leak in ("metric-org-secret", "metric-missing", "metric-project",
                         "metric-target", "metric-value-1", ci):
                self.assertNotIn(leak, text)
            # Every label value is a fixed word, a route template or a number.
            for line in text.splitlines():
                if line.startswith("#"):
                    continue
                for value in re.findall(r'="([^"]*)"', line):
                    self.assertRegex(value, r"^(/[a-z0-9_/{}.-]*|[A-Za-z0-9_.+]+)$", line)


if __name__ == "__main__":
    unittest.main()
