"""Every create, update and delete is audited; no value ever is."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
from harness import ServerTest  # noqa: E402


class Audit(ServerTest):
    def test_mutations_are_recorded_with_actor_medium_ip_and_request_id(self):
        r = self.create_secret("audited", env={"TOKEN": "planted-audit-value"},
                               user_agent="SemaphoreCLI/v0.32.0 (linux; amd64)")
        create_rid = r.headers["X-Request-Id"]
        self.ok("PATCH", "/api/v1beta/secrets/audited",
                {"data": {"env_vars": [{"name": "TOKEN", "value": "planted-audit-2"}]}})
        self.ok("DELETE", "/api/v1beta/secrets/audited",
                user_agent="Mozilla/5.0 (X11; Linux x86_64)")
        page = self.api("GET", "/api/v1alpha/audit")
        self.assertEqual(page.status, 200)
        self.assertNotIn(b"planted-audit", page.raw)
        events = [e for e in page.json["events"] if e["resource_name"] == "audited"]
        self.assertEqual([e["action"] for e in events],
                         ["secret.create", "secret.update", "secret.delete"])
        self.assertEqual([e["medium"] for e in events], ["CLI", "API", "UI"])
        self.assertEqual([e["version"] for e in events], ["1", "2", "2"])
        self.assertEqual(events[0]["request_id"], create_rid)
        for e in events:
            self.assertEqual(e["actor_name"], "admin")
            self.assertEqual(e["client_ip"], "127.0.0.1")
            self.assertEqual(e["scope"], "ORGANIZATION")

    def test_paging_and_permission(self):
        for i in range(5):
            self.create_secret(f"pg{i}", env={"A": "aaaa"})
        seen, token = [], ""
        while True:
            page = self.ok("GET", f"/api/v1alpha/audit?page_size=2&page_token={token}")
            seen += page["events"]
            token = page["next_page_token"]
            if not token:
                break
        self.assertEqual(len(seen), len({e["id"] for e in seen}))
        self.assertGreaterEqual(len(seen), 5)
        member = self.server.user_token("auditless", "Member")
        self.assertEqual(self.api("GET", "/api/v1alpha/audit", token=member).status, 403)
        self.assertEqual(self.api("GET", "/api/v1alpha/audit?page_token=x").status, 400)


if __name__ == "__main__":
    unittest.main()
