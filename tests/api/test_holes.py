"""The holes a reviewer found (who gets credentials, partial policy updates, limits, failed
authentication), each as a regression test named after what broke, against a real server."""
import base64
import http.client
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
from harness import Server, ServerTest, call  # noqa: E402

ANY = [{"type": "ANY"}]
ALL_BRANCHES = [{"type": "BRANCH", "match_mode": "ALL"}]


def b64(data):
    return base64.b64encode(data).decode()


class Holes(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ci = cls.server.user_token("ci", "Orchestrator")
        cls.admin_token = cls.server.user_token("adm", "Admin")
        cls.member = cls.server.user_token("mem", "Member")

    def setUp(self):
        self.project = self._testMethodName.replace("test_", "h-").replace("_", "-")[:60]
        r = self.create_project(self.project)
        self.assertEqual(r.status, 200, r)
        self.pid = r.json["metadata"]["id"]

    def target(self, name="prod", **extra):
        body = {"name": name, "project_id": self.pid, "subject_rules": ANY,
                "object_rules": ALL_BRANCHES,
                "env_vars": [{"name": "DEPLOY_KEY", "value": "target-credential-value"}],
                "files": []}
        body.update(extra)
        r = self.api("POST", "/api/v1alpha/deployment_targets", body)
        self.assertEqual(r.status, 200, r)
        return r.json

    def open_job(self, **body):
        body.setdefault("project_id_or_name", self.project)
        body.setdefault("secrets", [])
        body.setdefault("git", {"ref_type": "BRANCH", "ref": "main", "fork": False})
        body.setdefault("triggered_by", {"type": "AUTO"})
        return self.api("POST", "/api/v1alpha/jobs", body, token=self.ci)

    def all_events(self):
        events, token = [], ""
        while True:
            page = self.ok("GET", f"/api/v1alpha/audit?page_size=100&page_token={token}")
            events += page["events"]
            token = page["next_page_token"]
            if not token:
                return events

    def checkout(self, job_token):
        return call(self.server.url, "GET", "/api/v1alpha/jobs/self/secrets", job_token)

    # 1. Forked pull requests never receive deployment target credentials.
    def test_fork_got_target_credentials(self):
        self.target("prod")
        r = self.open_job(deployment_target="prod",
                          git={"ref_type": "PR", "ref": "42", "fork": True})
        self.assertEqual(r.status, 403, r)
        self.assertIn("Deployment target prod does not accept forked pull requests",
                      r.json["reasons"])
        self.assertNotIn(b"target-credential-value", r.raw)
        self.assertNotIn("token", r.json)

    # 2. Semaphore's default rule [{"type": "ANY"}] refused every automatic promotion.
    def test_any_excluded_automatic_promotions(self):
        self.target("prod", subject_rules=ANY)
        r = self.open_job(deployment_target="prod", triggered_by={"type": "AUTO"})
        self.assertEqual(r.status, 200, r)
        job = self.checkout(r.json["token"])
        self.assertEqual(job.status, 200, job)
        self.assertIn(b"target-credential-value", job.raw)

    def test_auto_admits_automatic_promotions_only(self):
        self.target("prod", subject_rules=[{"type": "AUTO"}])
        self.assertEqual(self.open_job(deployment_target="prod").status, 200)
        r = self.open_job(deployment_target="prod",
                          triggered_by={"type": "USER", "user_id": "someone"})
        self.assertEqual(r.status, 403, r)

    def test_empty_rules_meant_no_restriction(self):
        self.target("nobody", subject_rules=[])
        r = self.open_job(deployment_target="nobody")
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.json["reasons"],
                         ["Deployment target nobody admits nobody: it has no subject rules"])
        self.target("noref", object_rules=[])
        r = self.open_job(deployment_target="noref")
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.json["reasons"],
                         ["Deployment target noref admits no ref: it has no object rules"])

    # 3. The pattern `main)|(?:x` was accepted and then admitted mainANYTHING.
    def test_regex_escaped_its_anchors(self):
        r = self.api("POST", "/api/v1alpha/deployment_targets", {
            "name": "rx", "project_id": self.pid, "subject_rules": ANY,
            "object_rules": [{"type": "BRANCH", "match_mode": "REGEX",
                              "pattern": "main)|(?:x"}]})
        self.assertEqual(r.status, 400, r)
        self.assertIn("object_rules[0].pattern", r.json["message"])
        self.target("rx", object_rules=[{"type": "BRANCH", "match_mode": "REGEX",
                                         "pattern": "main|release-.*"}])
        for ref, status in (("main", 200), ("release-1", 200), ("mainANYTHING", 403),
                            ("xmain", 403)):
            r = self.open_job(deployment_target="rx",
                              git={"ref_type": "BRANCH", "ref": ref, "fork": False})
            self.assertEqual(r.status, status, (ref, r))

    # 4. A PATCH with only projects_access reset debug and attach to YES; one that tightened
    #    debug re-opened the secret to every project.
    def test_partial_org_config_reset_other_fields(self):
        name = "policy-" + self.project
        r = self.create_secret(name, env={"K": "policy-value"}, org_config={
            "projects_access": "ALLOWED", "project_ids": [self.project],
            "debug_access": "JOB_DEBUG_NO", "attach_access": "JOB_ATTACH_NO"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["org_config"]["project_ids"], [self.pid])  # a name became an id
        r = self.api("PATCH", f"/api/v1beta/secrets/{name}",
                     {"org_config": {"attach_access": "JOB_ATTACH_YES"}})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["org_config"], {
            "projects_access": "ALLOWED", "project_ids": [self.pid],
            "debug_access": "JOB_DEBUG_NO", "attach_access": "JOB_ATTACH_YES"})
        r = self.api("PATCH", f"/api/v1beta/secrets/{name}",
                     {"org_config": {"projects_access": "NONE"}})
        self.assertEqual(r.json["org_config"], {
            "projects_access": "NONE", "project_ids": [],
            "debug_access": "JOB_DEBUG_NO", "attach_access": "JOB_ATTACH_YES"})
        r = self.api("PATCH", f"/api/v1beta/secrets/{name}", {"org_config": {
            "projects_access": "ALLOWED", "project_ids": ["no-such-project"]}})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json["message"], "org_config.project_ids[0]: no such project")

    # 5. An Admin deleted an Owner-restricted secret, to re-create it open to all.
    def test_admin_deleted_a_restricted_secret(self):
        name = "restricted-" + self.project
        self.assertEqual(self.create_secret(name, env={"K": "v-restricted"}, org_config={
            "projects_access": "NONE"}).status, 200)
        r = self.api("DELETE", f"/api/v1beta/secrets/{name}", token=self.admin_token)
        self.assertEqual(r.status, 403, r)
        self.assertIn("secrets_policy_settings.manage", r.json["message"])
        self.assertEqual(self.api("GET", f"/api/v1beta/secrets/{name}").status, 200)
        # A secret with the default policy: an Admin may delete it, as before.
        self.assertEqual(self.create_secret("open-" + self.project, env={"K": "v"}).status, 200)
        r = self.api("DELETE", f"/api/v1beta/secrets/open-{self.project}", token=self.admin_token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.api("DELETE", f"/api/v1beta/secrets/{name}").status, 200)

    # 6. A Member without a project role saw that project's ids in usage.
    def test_usage_disclosed_projects_to_members(self):
        name = "used-" + self.project
        self.assertEqual(self.create_secret(name, env={"K": "used-value"}).status, 200)
        job = self.open_job(secrets=[name], pipeline_id="pipe-1", workflow_id="wf-1")
        self.assertEqual(job.status, 200, job)
        self.assertEqual(self.checkout(job.json["token"]).status, 200)
        owner_view = self.ok("GET", f"/api/v1beta/secrets/{name}/usage")["usage"]
        self.assertEqual(owner_view[0]["project_id"], self.pid)
        r = self.api("GET", f"/api/v1beta/secrets/{name}/usage", token=self.member)
        self.assertEqual(r.status, 200, r)
        for forbidden in (self.pid.encode(), job.json["job_id"].encode(), b"pipe-1", b"wf-1"):
            self.assertNotIn(forbidden, r.raw)
        self.assertEqual(len(r.json["usage"]), 1)

    # Input the job side cannot honour.
    def test_nul_reached_the_job(self):
        r = self.create_secret("nul-" + self.project, env={"K": "a\u0000b"})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json["message"], "data.env_vars[0].value: must not contain a NUL byte")
        r = self.create_secret("nulpath-" + self.project, files={"a\u0000b": b64(b"x")})
        self.assertEqual(r.status, 400, r)
        self.assertIn("data.files[0].path", r.json["message"])

    def test_same_file_twice(self):
        r = self.create_secret("paths-" + self.project,
                               files={"a/b": b64(b"1"), "./a//b": b64(b"2")})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json["message"],
                         "data.files[1].path: names the same file as data.files[0].path")
        r = self.create_secret("norm-" + self.project, files={"./ssh//id": b64(b"k")})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["data"]["files"], [{"path": "ssh/id", "content": ""}])
        # A PATCH naming the file another way keeps its stored value.
        r = self.api("PATCH", f"/api/v1beta/secrets/norm-{self.project}",
                     {"data": {"files": [{"path": "ssh/./id", "content": ""}]}})
        self.assertEqual(r.status, 200, r)

    # Limits.
    def test_job_limits(self):
        names = [f"s{i}" for i in range(101)]
        r = self.open_job(secrets=names)
        self.assertEqual(r.status, 400, r)
        self.assertIn("at most 100 secrets", r.json["message"])
        self.assertEqual(self.create_secret("dup-" + self.project, env={"K": "dup"}).status, 200)
        r = self.open_job(secrets=["dup-" + self.project] * 5000)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json["secrets"]), 1)
        big = "version: v1.0\n#" + "x" * (1024 * 1024) + "\n"
        r = self.open_job(pipeline={"yaml": big, "block": "b"})
        self.assertEqual(r.status, 413, r)
        self.assertIn("1 MiB", r.json["message"])

    def test_finish_twice_wrote_two_events(self):
        job = self.open_job()
        self.assertEqual(job.status, 200, job)
        jid, token = job.json["job_id"], job.json["token"]
        for _ in range(2):
            r = call(self.server.url, "POST", f"/api/v1alpha/jobs/{jid}/finish", token, {})
            self.assertIn(r.status, (200, 401), r)
        r = self.api("POST", f"/api/v1alpha/jobs/{jid}/finish", {}, token=self.ci)
        self.assertEqual(r.status, 200, r)
        events = self.all_events()
        finishes = [e for e in events if e["action"] == "job.finish" and e["job_id"] == jid]
        self.assertEqual(len(finishes), 1)
        self.assertEqual(self.checkout(token).status, 401)

    def test_checkout_raced_finish(self):
        name = "race-" + self.project
        self.assertEqual(self.create_secret(name, env={"K": "race-value"}).status, 200)
        for _ in range(10):
            job = self.open_job(secrets=[name])
            jid, token = job.json["job_id"], job.json["token"]
            results = {}

            def do_checkout():
                results["checkout"] = self.checkout(token).status

            t = threading.Thread(target=do_checkout)
            t.start()
            fin = self.api("POST", f"/api/v1alpha/jobs/{jid}/finish", {}, token=self.ci)
            self.assertEqual(fin.status, 200)
            t.join()
            # After the finish is acknowledged, no checkout succeeds.
            self.assertEqual(self.checkout(token).status, 401)
            self.assertIn(results["checkout"], (200, 401))
            # Every successful checkout is in the audit log before the finish.
            events = self.all_events()
            mine = [e["action"] for e in events if e["job_id"] == jid]
            if results["checkout"] == 200:
                self.assertLess(mine.index("secret.checkout"), mine.index("job.finish"))
            else:
                self.assertNotIn("secret.checkout", mine)


class AuthFailureLimit(unittest.TestCase):
    """8. Failed authentication is bounded per client address."""

    def test_flood_of_bad_tokens_was_unbounded(self):
        with Server(extra_args=["--auth-failure-limit", "5"]) as s:
            for _ in range(5):
                self.assertEqual(call(s.url, "GET", "/api/v1beta/secrets", "cft_wrong").status,
                                 401)
            r = call(s.url, "GET", "/api/v1beta/secrets", "cft_wrong")
            self.assertEqual(r.status, 429, r)
            self.assertEqual(r.headers.get("Retry-After"), "60")
            # Every route, even with a good token, for a minute.
            self.assertEqual(call(s.url, "GET", "/api/v1beta/secrets", s.token).status, 429)
            self.assertEqual(call(s.url, "GET", "/healthz").status, 429)
            # Other addresses are never slowed.
            host, port = s.url.rsplit("/", 1)[1].split(":")
            conn = http.client.HTTPConnection(host, int(port), timeout=10,
                                              source_address=("127.0.0.2", 0))
            conn.request("GET", "/api/v1beta/secrets", headers={"Authorization": "Token " + s.token})
            self.assertEqual(conn.getresponse().status, 200)
            conn.close()
            log = s.stderr()
            self.assertEqual(log.count("locked out"), 1)
            self.assertEqual(log.count("authentication failed from 127.0.0.1"), 6)
            self.assertNotIn("cft_wrong", log)

    def test_limit_zero_turns_it_off(self):
        with Server(extra_args=["--auth-failure-limit", "0"]) as s:
            for _ in range(30):
                self.assertEqual(call(s.url, "GET", "/api/v1beta/secrets", "cft_x").status, 401)
            self.assertEqual(call(s.url, "GET", "/api/v1beta/secrets", s.token).status, 200)


if __name__ == "__main__":
    unittest.main()
