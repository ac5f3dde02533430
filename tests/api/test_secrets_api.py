"""The secrets API, byte-compatible with Semaphore's."""
import base64
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
from harness import ServerTest  # noqa: E402


class OrgSecrets(ServerTest):
    def test_create_get_by_name_and_id_hides_values(self):
        r = self.create_secret("awskey", env={"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE123"},
                               files={".ssh/id_rsa": base64.b64encode(b"\x00key\xff").decode()})
        self.assertEqual(r.status, 200, r)
        s = r.json
        self.assertEqual(list(s.keys()), ["metadata", "data", "org_config"])
        meta = s["metadata"]
        self.assertEqual(list(meta.keys())[:6], ["name", "id", "create_time", "update_time",
                                                  "checkout_at", "content_included"])
        self.assertIs(meta["content_included"], False)
        self.assertIsInstance(meta["create_time"], str)
        self.assertEqual(s["data"], {"env_vars": [{"name": "AWS_ACCESS_KEY_ID", "value": ""}],
                                     "files": [{"path": ".ssh/id_rsa", "content": ""}]})
        self.assertEqual(s["org_config"], {"projects_access": "ALL", "project_ids": [],
                                           "debug_access": "JOB_DEBUG_YES",
                                           "attach_access": "JOB_ATTACH_YES"})
        by_name = self.ok("GET", "/api/v1beta/secrets/awskey")
        by_id = self.ok("GET", "/api/v1beta/secrets/" + meta["id"])
        self.assertEqual(by_name, s)
        self.assertEqual(by_id, s)
        self.assertNotIn(b"AKIAEXAMPLE123", self.api("GET", "/api/v1beta/secrets").raw)

    def test_list_pages_by_name_and_by_create_time(self):
        names = [f"page-{i:02d}" for i in range(7)]
        for n in reversed(names):
            self.assertEqual(self.create_secret(n, env={"V": "value-" + n}).status, 200)
        for order, expected in (("BY_NAME_ASC", names), ("BY_CREATE_TIME_ASC", None)):
            seen, token = [], ""
            while True:
                page = self.ok("GET", f"/api/v1beta/secrets?page_size=3&order={order}"
                                      f"&page_token={token}")
                self.assertLessEqual(len(page["secrets"]), 3)
                seen += [s["metadata"]["name"] for s in page["secrets"]
                         if s["metadata"]["name"].startswith("page-")]
                token = page["next_page_token"]
                if not token:
                    break
            self.assertEqual(sorted(seen), names)
            self.assertEqual(len(seen), len(set(seen)))
            if expected:
                self.assertEqual(seen, expected)
        self.assertEqual(self.api("GET", "/api/v1beta/secrets?page_size=101").status, 400)
        self.assertEqual(self.api("GET", "/api/v1beta/secrets?order=BY_COLOUR").status, 400)
        self.assertEqual(self.api("GET", "/api/v1beta/secrets?page_token=garbage!").status, 400)

    def test_patch_is_partial_and_makes_a_new_version(self):
        self.create_secret("patchme", env={"A": "a-value-1", "B": "b-value-1", "C": "c-value-1"},
                           files={"f1": base64.b64encode(b"one").decode(),
                                  "f2": base64.b64encode(b"two").decode()})
        r = self.api("PATCH", "/api/v1beta/secrets/patchme", {
            "metadata": {"name": "patchme"},
            "data": {"env_vars": [{"name": "A", "value": ""}, {"name": "C", "value": "c-new"},
                                  {"name": "D", "value": "d-new"}],
                     "files": [{"path": "f2", "content": ""}]}})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers.get("ETag"), '"2"')
        self.assertEqual([e["name"] for e in r.json["data"]["env_vars"]], ["A", "C", "D"])
        self.assertEqual([f["path"] for f in r.json["data"]["files"]], ["f2"])
        # A new env var with an empty value has nothing to keep: 400, nothing changes.
        bad = self.api("PATCH", "/api/v1beta/secrets/patchme",
                       {"data": {"env_vars": [{"name": "NEW", "value": ""}]}})
        self.assertEqual(bad.status, 400, bad)
        self.assertIn("data.env_vars[0].value", bad.json["message"])
        now = self.ok("GET", "/api/v1beta/secrets/patchme")
        self.assertEqual([e["name"] for e in now["data"]["env_vars"]], ["A", "C", "D"])

    def test_stale_update_time_or_version_is_409_and_changes_nothing(self):
        v1 = self.create_secret("stale", env={"A": "first-value"}).json
        v2 = self.ok("PATCH", "/api/v1beta/secrets/stale",
                     {"metadata": v1["metadata"], "data": {"env_vars": [{"name": "A", "value": "second"}]}})
        self.assertNotEqual(v2["metadata"]["update_time"], v1["metadata"]["update_time"])
        r = self.api("PATCH", "/api/v1beta/secrets/stale",
                     {"metadata": v1["metadata"], "data": {"env_vars": [{"name": "B", "value": "third"}]}})
        self.assertEqual(r.status, 409, r)
        r = self.api("PATCH", "/api/v1beta/secrets/stale",
                     {"data": {"env_vars": [{"name": "B", "value": "third"}]}},
                     headers={"If-Match": '"1"'})
        self.assertEqual(r.status, 409, r)
        got = self.api("GET", "/api/v1beta/secrets/stale")
        self.assertEqual(got.headers["ETag"], '"2"')
        now = got.json
        self.assertEqual(now["metadata"]["update_time"], v2["metadata"]["update_time"])
        self.assertEqual([e["name"] for e in now["data"]["env_vars"]], ["A"])
        r = self.api("PATCH", "/api/v1beta/secrets/stale",
                     {"data": {"env_vars": [{"name": "A", "value": ""}]}},
                     headers={"If-Match": '"2"'})
        self.assertEqual(r.status, 200, r)

    def test_concurrent_patches_without_a_version_all_apply(self):
        # No update_time and no If-Match: each PATCH applies to the newest version, however
        # many race (the store's compare-and-swap is retried); none is answered 409.
        self.assertEqual(self.create_secret("raced", env={"N0": "start"}).status, 200)
        threads, per_thread, failures = 8, 6, []

        def patch(t):
            for i in range(per_thread):
                r = self.api("PATCH", "/api/v1beta/secrets/raced",
                             {"data": {"env_vars": [{"name": "N0", "value": f"t{t}-{i}"}]}})
                if r.status != 200:
                    failures.append((t, i, r.status))

        workers = [threading.Thread(target=patch, args=(t,)) for t in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        self.assertEqual(failures, [])
        got = self.api("GET", "/api/v1beta/secrets/raced")
        self.assertEqual(got.headers["ETag"], f'"{1 + threads * per_thread}"')

    def test_rename_and_duplicate_names(self):
        self.create_secret("one", env={"A": "aaaa"})
        self.create_secret("two", env={"A": "aaaa"})
        dup = self.create_secret("one", env={"A": "bbbb"})
        self.assertEqual(dup.status, 409, dup)
        r = self.api("PATCH", "/api/v1beta/secrets/two", {"metadata": {"name": "one"}})
        self.assertEqual(r.status, 409, r)
        r = self.api("PATCH", "/api/v1beta/secrets/two", {"metadata": {"name": "three"}})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.api("GET", "/api/v1beta/secrets/two").status, 404)

    def test_delete_returns_empty_object(self):
        self.create_secret("gone", env={"A": "aaaa"})
        r = self.api("DELETE", "/api/v1beta/secrets/gone")
        self.assertEqual((r.status, r.json), (200, {}))
        self.assertEqual(self.api("GET", "/api/v1beta/secrets/gone").status, 404)
        self.assertEqual(self.api("DELETE", "/api/v1beta/secrets/gone").status, 404)


class ProjectSecrets(ServerTest):
    def test_project_secret_crud_by_project_name_and_id(self):
        p = self.create_project("web").json
        pid = p["metadata"]["id"]
        r = self.create_secret("dbpass", env={"DB_PASSWORD": "hunter2hunter2"}, project="web")
        self.assertEqual(r.status, 200, r)
        s = r.json
        self.assertEqual(list(s.keys()), ["metadata", "data"])
        self.assertEqual(s["metadata"]["project_id_or_name"], "web")
        got = self.ok("GET", f"/api/v1/projects/{pid}/secrets/dbpass")
        self.assertEqual(got["metadata"]["id"], s["metadata"]["id"])
        self.assertEqual(len(self.ok("GET", "/api/v1/projects/web/secrets")["secrets"]), 1)
        # Same name at org level is a different secret.
        self.assertEqual(self.create_secret("dbpass", env={"X": "yyyy"}).status, 200)
        self.ok("PATCH", "/api/v1/projects/web/secrets/dbpass",
                {"apiVersion": "v1", "kind": "ProjectSecret",
                 "data": {"env_vars": [{"name": "DB_PASSWORD", "value": ""}]}})
        r = self.api("POST", "/api/v1/projects/web/secrets",
                     {"metadata": {"name": "x"}, "org_config": {}})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(self.api("GET", "/api/v1/projects/nope/secrets").status, 404)
        self.ok("DELETE", "/api/v1/projects/web/secrets/dbpass")
        self.assertEqual(self.api("GET", "/api/v1/projects/web/secrets/dbpass").status, 404)
        self.assertEqual(self.api("GET", "/api/v1beta/secrets/dbpass").status, 200)


if __name__ == "__main__":
    unittest.main()
