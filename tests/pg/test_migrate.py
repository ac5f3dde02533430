"""`coffer migrate --from DATA_DIR --to postgres://...` (issue 13, point 4): a SQLite store
copied as it is into PostgreSQL — every checkout returns the same values before and after,
old tokens (user and job) still work, the audit log is the same, the database holds no
plaintext value, and a second run refuses to overwrite."""
import base64
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import COFFER, Postgres, Server, call  # noqa: E402

VALUES = ["org-value-7f3a", "project-value-91bc", "target-value-5d20", "file-value-c0de"]


class Migrate(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = Postgres()

    @classmethod
    def tearDownClass(cls):
        cls.pg.stop()

    def checkout(self, url, job):
        r = call(url, "GET", f"/api/v1alpha/jobs/{job['job_id']}/secrets", job["token"])
        self.assertEqual(r.status, 200, r)
        env = sorted((e["name"], e["value"], e["secret"]) for e in r.json["env_vars"])
        files = sorted((f["path"], f["content"]) for f in r.json["files"])
        return env, files

    def events_of(self, url, token, resource_id):
        """Every audit event of `resource_id`, page by page (ten a page)."""
        events, page = [], ""
        while True:
            r = call(url, "GET", f"/api/v1alpha/audit?resource_id={resource_id}&page_size=10"
                     f"&page_token={page}", token)
            self.assertEqual(r.status, 200, r)
            events += r.json["events"]
            page = r.json["next_page_token"]
            if not page:
                return events

    def open_job(self, url, ci):
        body = {"project_id_or_name": "p-migrate", "secrets": ["orgkey", "projkey"],
                "deployment_target": "prod",
                "git": {"ref_type": "BRANCH", "ref": "main", "fork": False},
                "triggered_by": {"type": "AUTO"}}
        r = call(url, "POST", "/api/v1alpha/jobs", ci, body)
        self.assertEqual(r.status, 200, r)
        return r.json

    def test_copy_then_same_checkouts_and_no_second_copy(self):
        data = tempfile.mkdtemp(prefix="coffer-migrate-")
        os.chmod(data, 0o700)
        try:
            with Server(data_dir=data) as s:
                t = s.token
                ci = s.user_token("ci", "Orchestrator")
                member = s.user_token("dev", "Member")
                r = call(s.url, "POST", "/api/v1alpha/projects", t, {
                    "apiVersion": "v1alpha", "kind": "Project", "metadata": {"name": "p-migrate"},
                    "spec": {"repository": {"url": "git@example.com:acme/m.git"}}})
                self.assertEqual(r.status, 200, r)
                pid = r.json["metadata"]["id"]
                secret = {"metadata": {"name": "orgkey"},
                          "data": {"env_vars": [{"name": "ORG", "value": "old-version"}],
                                   "files": [{"path": "key.pem",
                                              "content": base64.b64encode(VALUES[3].encode()).decode()}]}}
                self.assertEqual(call(s.url, "POST", "/api/v1beta/secrets", t, secret).status, 200)
                r = call(s.url, "PATCH", "/api/v1beta/secrets/orgkey", t,
                         {"data": {"env_vars": [{"name": "ORG", "value": VALUES[0]}]}})
                self.assertEqual(r.status, 200, r)
                proj = {"metadata": {"name": "projkey"},
                        "data": {"env_vars": [{"name": "PROJ", "value": VALUES[1]}], "files": []}}
                r = call(s.url, "POST", "/api/v1/projects/p-migrate/secrets", t, proj)
                self.assertEqual(r.status, 200, r)
                target = {"name": "prod", "project_id": pid, "subject_rules": [{"type": "ANY"}],
                          "object_rules": [{"type": "BRANCH", "match_mode": "ALL", "pattern": ""}],
                          "env_vars": [{"name": "TARGET", "value": VALUES[2]}], "files": []}
                r = call(s.url, "POST", "/api/v1alpha/deployment_targets", t, target)
                self.assertEqual(r.status, 200, r)
                job = self.open_job(s.url, ci)
                before = self.checkout(s.url, job)
                # Checkouts at once, so that commits hold several (one audit_uses run a
                # secret a commit on SQLite, one entry a use on PostgreSQL).
                with concurrent.futures.ThreadPoolExecutor(16) as pool:
                    for _ in pool.map(lambda _: self.checkout(s.url, job), range(64)):
                        pass
                org_id = call(s.url, "GET", "/api/v1beta/secrets/orgkey", t).json["metadata"]["id"]
                usage_before = call(s.url, "GET", "/api/v1beta/secrets/orgkey/usage", t).json
                used_before = self.events_of(s.url, t, org_id)
                self.assertEqual(len(usage_before["usage"]), 65)
                self.assertEqual(sum(e["action"] == "secret.checkout" for e in used_before), 65)
                audit_before = call(s.url, "GET", "/api/v1alpha/audit?page_size=100", t).json["events"]
                secrets_before = call(s.url, "GET", "/api/v1beta/secrets", t).json
            self.assertEqual({e[1] for e in before[0]}, set(VALUES[:3]))

            url = self.pg.create_database()
            r = subprocess.run([COFFER, "migrate", "--from", data, "--to", url],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            print(r.stdout)
            self.assertRegex(r.stdout, r"secret_versions\s+4 rows")
            self.assertRegex(r.stdout, r"keyring\s+1 rows")

            # Nothing was decrypted on the way: the database holds no value in plaintext.
            dump = subprocess.run([os.path.join(Postgres.BIN, "pg_dump"), "-d", url],
                                  capture_output=True, check=True).stdout
            self.assertIn(b"orgkey", dump)
            for v in VALUES + ["old-version"]:
                self.assertNotIn(v.encode(), dump)
                self.assertNotIn(base64.b64encode(v.encode()), dump)

            again = subprocess.run([COFFER, "migrate", "--from", data, "--to", url],
                                   capture_output=True, text=True)
            self.assertNotEqual(again.returncode, 0)
            self.assertIn("already holds a Coffer store", again.stderr)

            with Server(data_dir=data, database=url, expect_token=False) as s:
                # The same metadata and audit log (before any new checkout changes them)...
                self.assertEqual(call(s.url, "GET", "/api/v1beta/secrets", t).json, secrets_before)
                events = call(s.url, "GET", "/api/v1alpha/audit?page_size=100", t).json["events"]
                self.assertEqual(events[:len(audit_before)], audit_before)
                # A secret's usage and its events, run or not in the SQLite file.
                self.assertEqual(call(s.url, "GET", "/api/v1beta/secrets/orgkey/usage", t).json,
                                 usage_before)
                self.assertEqual(self.events_of(s.url, t, org_id), used_before)
                self.assertEqual(call(s.url, "GET", "/api/v1beta/secrets", member).status, 200)
                # ...and the same job token checks out the same values; so does a new job.
                self.assertEqual(self.checkout(s.url, job), before)
                self.assertEqual(self.checkout(s.url, self.open_job(s.url, ci)), before)
        finally:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
