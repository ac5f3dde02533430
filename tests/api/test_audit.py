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

    def all_pages(self, query, page_size=2):
        """Every event the filtered query lists, page by page, and the page sizes."""
        seen, sizes, token = [], [], ""
        while True:
            page = self.ok("GET", f"/api/v1alpha/audit?page_size={page_size}&{query}"
                                  f"&page_token={token}")
            seen += page["events"]
            sizes.append(len(page["events"]))
            token = page["next_page_token"]
            if not token:
                return seen, sizes

    def test_filters_by_resource_actor_and_action_on_the_server_with_paging(self):
        ann = self.server.user_token("ann-filter", "Admin")
        for i in range(3):
            self.create_secret(f"flt{i}", env={"A": "planted-filter-value"})
        for i in range(4):
            self.ok("PATCH", "/api/v1beta/secrets/flt1",
                    {"metadata": {"description": f"by ann {i}"}}, token=ann)
        self.ok("PATCH", "/api/v1beta/secrets/flt1", {"metadata": {"description": "by admin"}})
        everything, _ = self.all_pages("", page_size=100)
        by_name = {e["resource_name"]: e["resource_id"] for e in everything
                   if e["resource_name"].startswith("flt")}
        flt1 = by_name["flt1"]
        admin_id = next(e["actor_id"] for e in everything if e["actor_name"] == "admin")
        ann_id = next(e["actor_id"] for e in everything if e["actor_name"] == "ann-filter")

        events, sizes = self.all_pages(f"resource_id={flt1}")
        self.assertEqual([e["action"] for e in events], ["secret.create"] + ["secret.update"] * 5)
        self.assertEqual(sizes, [2, 2, 2])  # full pages: filtered by the server, not after
        self.assertEqual(len({e["id"] for e in events}), 6)

        events, _ = self.all_pages(f"resource_id={flt1}&actor_id={ann_id}")
        self.assertEqual(len(events), 4)
        self.assertTrue(all(e["actor_name"] == "ann-filter" for e in events))
        events, _ = self.all_pages(f"resource_id={flt1}&actor_id={admin_id}&action=secret.update")
        self.assertEqual(len(events), 1)
        events, _ = self.all_pages(f"actor_id={admin_id}&action=secret.create")
        self.assertTrue({e["resource_name"] for e in events} >= {"flt0", "flt1", "flt2"})
        self.assertTrue(all(e["action"] == "secret.create" and e["actor_id"] == admin_id
                            for e in events))
        events, _ = self.all_pages("action=secret.update", page_size=100)
        self.assertTrue(events and all(e["action"] == "secret.update" for e in events))
        # Exact matches only; an unknown value lists nothing (200, not an error).
        for q in (f"resource_id={flt1[:-1]}", "action=secret", "action=SECRET.UPDATE",
                  "actor_id=nobody", "action=secret.%25"):
            page = self.ok("GET", f"/api/v1alpha/audit?{q}")
            self.assertEqual(page, {"events": [], "next_page_token": ""}, q)
        # The filter does not open the log to someone who may not read it.
        member = self.server.user_token("filterless", "Member")
        self.assertEqual(self.api("GET", f"/api/v1alpha/audit?resource_id={flt1}",
                                  token=member).status, 403)


if __name__ == "__main__":
    unittest.main()
