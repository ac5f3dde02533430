"""Deployment targets, opening jobs, checkout, precedence, debug/attach, and an
attacker's view of job tokens."""
import base64
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
from harness import ServerTest, call  # noqa: E402

PIPELINE = """
version: v1.0
name: Deploy
agent:
  machine: {type: e1-standard-2}
global_job_config:
  secrets:
    - name: awskey
blocks:
  - name: Deploy
    task:
      secrets:
        - name: sshkeys
        - name: prod
      jobs:
        - name: deploy
          commands: [make deploy]
  - name: Test
    task:
      jobs:
        - name: test
          commands: [make test]
after_pipeline:
  task:
    secrets:
      - name: notify
promotions:
  - name: Production
    pipeline_file: deploy.yml
    deployment_target: prod
"""


def b64(data):
    return base64.b64encode(data).decode()


class Jobs(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ci = cls.server.user_token("ci", "Orchestrator")
        cls.dev = cls.server.user_token("dev", "Member")

    def setUp(self):
        # A fresh project per test keeps the tests independent.
        self.project = self._testMethodName.replace("test_", "p-").replace("_", "-")[:60]
        r = self.create_project(self.project, allowed_secrets=["forkable"])
        self.assertEqual(r.status, 200, r)
        self.pid = r.json["metadata"]["id"]

    def open_job(self, token=None, **body):
        body.setdefault("project_id_or_name", self.project)
        body.setdefault("git", {"ref_type": "BRANCH", "ref": "main", "fork": False})
        body.setdefault("triggered_by", {"type": "AUTO"})
        return self.api("POST", "/api/v1alpha/jobs", body, token=token or self.ci)

    def checkout(self, job_token, job_id="self"):
        return call(self.server.url, "GET", f"/api/v1alpha/jobs/{job_id}/secrets", job_token)

    def make_target(self, name="prod", **extra):
        body = {"name": name, "project_id": self.pid,
                "subject_rules": [{"type": "AUTO"}, {"type": "ANY"}],
                "object_rules": [{"type": "BRANCH", "match_mode": "REGEX", "pattern": "main|release-.*"}],
                "env_vars": [{"name": "AWS_KEY", "value": "from-target"},
                             {"name": "DEPLOY_ENV", "value": "production"}],
                "files": []}
        body.update(extra)
        r = self.api("POST", "/api/v1alpha/deployment_targets", body)
        self.assertEqual(r.status, 200, r)
        return r.json

    def test_precedence_target_beats_project_beats_org(self):
        self.create_secret("awskey", env={"AWS_KEY": "from-org", "ORG_ONLY": "org-only-value"})
        self.create_secret("awskey", env={"AWS_KEY": "from-project", "REGION": "eu-west-1"},
                           project=self.project)
        self.create_secret("sshkeys", env={"AWS_KEY": "from-sshkeys"},
                           files={".ssh/id_rsa": b64(b"-----BEGIN KEY-----\nabc\n")})
        dt = self.make_target()
        # Credentials are left out unless asked for (include_secrets=true, as fingerprints).
        self.assertNotIn("env_vars", dt)
        self.assertNotIn("files", dt)
        self.assertEqual(dt["state"], "USABLE")
        r = self.open_job(pipeline={"yaml": PIPELINE, "block": "Deploy", "promotion": "Production"},
                          pipeline_id="ppl-1", workflow_id="wf-1")
        self.assertEqual(r.status, 200, r)
        job = r.json
        self.assertTrue(job["token"].startswith("cjt_"))
        self.assertEqual(set(job), {"job_id", "token", "expires_at", "deployment_target_id",
                                    "secrets"})
        self.assertTrue(job["expires_at"].isdigit())
        self.assertEqual(job["deployment_target_id"], dt["id"])
        for s in job["secrets"]:
            self.assertEqual(set(s), {"name", "scope", "id", "version"})
            self.assertIsInstance(s["version"], int)
        self.assertEqual([(s["name"], s["scope"]) for s in job["secrets"]],
                         [("awskey", "PROJECT"), ("sshkeys", "ORGANIZATION"),
                          ("prod", "DEPLOYMENT_TARGET")])
        out = self.checkout(job["token"], job["job_id"])
        self.assertEqual(out.status, 200, out)
        env = {e["name"]: (e["value"], e["secret"]) for e in out.json["env_vars"]}
        self.assertEqual(env["AWS_KEY"], ("from-target", "prod"))
        self.assertEqual(env["REGION"], ("eu-west-1", "awskey"))
        self.assertEqual(env["DEPLOY_ENV"], ("production", "prod"))
        self.assertNotIn("ORG_ONLY", env)  # the project secret shadows the org one whole
        self.assertEqual(out.json["files"][0]["path"], ".ssh/id_rsa")
        self.assertEqual(base64.b64decode(out.json["files"][0]["content"]),
                         b"-----BEGIN KEY-----\nabc\n")
        # One checkout shape: only what `coffer run` reads (it always writes files 0600).
        self.assertEqual(sorted(out.json["files"][0]), ["content", "path", "secret"])
        # The checkout is audited and shows up as usage with checkout_at set.
        events = [e for e in self.ok("GET", "/api/v1alpha/audit?page_size=100")["events"]
                  if e["action"] == "secret.checkout" and e["job_id"] == job["job_id"]]
        self.assertEqual(sorted(e["resource_name"] for e in events), ["awskey", "prod", "sshkeys"])
        self.assertEqual({e["pipeline_id"] for e in events}, {"ppl-1"})
        usage = self.ok("GET", "/api/v1beta/secrets/sshkeys/usage")["usage"]
        self.assertEqual(usage[0]["job_id"], job["job_id"])
        self.assertEqual(usage[0]["project_id"], self.pid)
        self.assertNotEqual(self.ok("GET", "/api/v1beta/secrets/sshkeys")["metadata"]["checkout_at"], "0")

    def test_a_checkouts_events_page_one_at_a_time(self):
        for name in ("pagea", "pageb", "pagec"):
            self.create_secret(name, env={name.upper(): f"planted-{name}-value"})
        r = self.open_job(secrets=["pagea", "pageb", "pagec"])
        self.assertEqual(r.status, 200, r)
        job = r.json
        self.assertEqual(self.checkout(job["token"], job["job_id"]).status, 200)
        seen, tokens, token = [], [], ""
        while True:
            page = self.ok("GET", f"/api/v1alpha/audit?page_size=1&action=secret.checkout"
                                  f"&actor_id={job['job_id']}&page_token={token}")
            seen += page["events"]
            token = page["next_page_token"]
            if not token:
                break
            tokens.append(token)
        self.assertEqual([e["resource_name"] for e in seen], ["pagea", "pageb", "pagec"])
        self.assertEqual(len({e["id"] for e in seen}), 3)
        self.assertEqual({e["request_id"] for e in seen}, {seen[0]["request_id"]})
        self.assertTrue(all("." in t for t in tokens), tokens)  # pages ended inside the row
        self.assertNotIn(b"planted-page", self.api("GET", "/api/v1alpha/audit").raw)
        for bad in (tokens[0].split(".")[0] + ".", tokens[0].split(".")[0] + ".x",
                    tokens[0].split(".")[0] + ".101", ".1", "1.2.3", "-1.0"):
            self.assertEqual(self.api("GET", f"/api/v1alpha/audit?page_token={bad}").status, 400,
                             bad)

    def test_refusal_lists_every_reason_at_once(self):
        self.create_secret("bar", env={"B": "bbbb"}, org_config={"projects_access": "NONE"})
        self.make_target(name="prod")
        r = self.open_job(secrets=["foo", "bar"], deployment_target="prod",
                          git={"ref_type": "BRANCH", "ref": "maintenance", "fork": False})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.json["reasons"], [
            "Deployment target prod does not allow branch maintenance",
            "Secret foo not found",
            f"Secret bar is not available to project {self.project}",
        ])
        self.api("POST", f"/api/v1alpha/deployment_targets/prod/deactivate?project_id={self.pid}")
        r = self.open_job(secrets=[], deployment_target="prod")
        self.assertEqual(r.json["reasons"], ["Deployment target prod is cordoned"])
        refused = [e for e in self.ok("GET", "/api/v1alpha/audit?page_size=100")["events"]
                   if e["action"] == "job.refuse" and e["resource_name"] == self.project]
        self.assertEqual(len(refused), 2)

    def test_fork_pull_requests_get_only_allowed_secrets(self):
        self.create_secret("forkable", env={"F": "ffff"})
        self.create_secret("private", env={"P": "pppp"})
        fork = {"ref_type": "PR", "ref": "42", "fork": True}
        r = self.open_job(secrets=["forkable", "private"], git=fork)
        self.assertEqual(r.json["reasons"],
                         [f"Secret private is not allowed for forked pull requests in project {self.project}"])
        self.assertEqual(self.open_job(secrets=["forkable"], git=fork).status, 200)

    def test_debug_and_attach_follow_the_secrets_policy(self):
        self.create_secret("nodebug", env={"A": "aaaa"},
                           org_config={"debug_access": "JOB_DEBUG_NO", "attach_access": "JOB_ATTACH_YES"})
        self.create_secret("open", env={"B": "bbbb"})
        job = self.open_job(secrets=["nodebug", "open"]).json
        r = self.api("POST", f"/api/v1alpha/jobs/{job['job_id']}/debug", token=self.ci)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.json["message"], "Some secrets used in this job are blocking this operation")
        self.assertEqual(r.json["blocking_secrets"], ["nodebug"])
        r = self.api("POST", f"/api/v1alpha/jobs/{job['job_id']}/attach", token=self.ci)
        self.assertEqual((r.status, r.json), (200, {"allowed": True}))

    def test_only_orchestrators_open_jobs(self):
        self.create_secret("x1", env={"A": "aaaa"})
        for token in (self.token, self.dev):
            r = self.open_job(secrets=["x1"], token=token)
            self.assertEqual(r.status, 403, r)
        r = self.open_job(secrets=["x1"], git={"ref_type": "TRUNK", "ref": "main"})
        self.assertEqual(r.status, 400)
        self.assertIn("git.ref_type", r.json["message"])

    def test_attackers_view_of_job_tokens(self):
        self.create_secret("mine", env={"MINE": "mine-value"})
        self.create_secret("theirs", env={"THEIRS": "their-value"})
        a = self.open_job(secrets=["mine"]).json
        b = self.open_job(secrets=["theirs"]).json
        # Another job's secrets: not with this token.
        self.assertEqual(self.checkout(a["token"], b["job_id"]).status, 404)
        # Nothing else accepts a job token.
        for method, path in (("GET", "/api/v1beta/secrets"), ("GET", "/api/v1beta/secrets/mine"),
                             ("GET", "/api/v1alpha/projects"), ("GET", "/api/v1alpha/audit"),
                             ("POST", "/api/v1alpha/jobs"),
                             ("POST", f"/api/v1alpha/jobs/{a['job_id']}/debug")):
            r = call(self.server.url, method, path, a["token"], body={} if method == "POST" else None)
            self.assertEqual(r.status, 401, f"{method} {path}: {r}")
        # An API token cannot check out.
        self.assertEqual(self.checkout(self.ci, a["job_id"]).status, 401)
        self.assertEqual(self.checkout(self.token, a["job_id"]).status, 401)
        # A forged token of the right shape.
        self.assertEqual(self.checkout("cjt_" + "A" * 43).status, 401)
        self.assertEqual(self.checkout("cjt_" + "A" * 51).status, 401)  # with a stamp
        self.assertEqual(self.checkout("cjt_AAAAAAAA" + a["token"][12:]).status, 401)  # restamped
        # After finish, the token is dead.
        self.assertEqual(self.checkout(a["token"]).status, 200)
        self.assertEqual(self.api("POST", f"/api/v1alpha/jobs/{a['job_id']}/finish", token=self.ci).status, 200)
        self.assertEqual(self.checkout(a["token"]).status, 401)
        # A token its job's orchestrator revoked cannot finish the job again, even before
        # anything else tried it.
        c = self.open_job(secrets=["mine"]).json
        self.assertEqual(self.checkout(c["token"]).status, 200)
        self.assertEqual(self.api("POST", f"/api/v1alpha/jobs/{c['job_id']}/finish", token=self.ci).status, 200)
        r = call(self.server.url, "POST", f"/api/v1alpha/jobs/{c['job_id']}/finish", c["token"])
        self.assertEqual(r.status, 401, r)
        self.assertEqual(self.checkout(c["token"]).status, 401)
        # The job itself may finish its own token too, once.
        r = call(self.server.url, "POST", f"/api/v1alpha/jobs/{b['job_id']}/finish", b["token"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.checkout(b["token"]).status, 401)
        r = call(self.server.url, "POST", "/api/v1alpha/jobs/self/finish", b["token"])
        self.assertEqual(r.status, 401, r)
        # After expiry, too.
        short = self.open_job(secrets=["mine"], ttl_seconds=1).json
        self.assertEqual(self.checkout(short["token"]).status, 200)
        time.sleep(2.1)
        self.assertEqual(self.checkout(short["token"]).status, 401)
        r = call(self.server.url, "POST", "/api/v1alpha/jobs/self/finish", short["token"])
        self.assertEqual(r.status, 401, r)

    def test_target_credentials_need_a_job_opened_for_the_target(self):
        self.make_target(name="prod")
        r = self.open_job(secrets=["prod"])
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.json["reasons"], ["Secret prod not found"])
        other = self.open_job(secrets=[]).json
        out = self.checkout(other["token"]).json
        self.assertEqual(out["env_vars"], [])

    def test_allow_list_outside_project_gets_nothing(self):
        pid_other = self.create_project(self.project + "-other").json["metadata"]["id"]
        self.create_secret("restricted", env={"R": "restricted-value"},
                           org_config={"projects_access": "ALLOWED", "project_ids": [pid_other]})
        r = self.open_job(secrets=["restricted"])
        self.assertEqual(r.status, 403)
        self.assertNotIn(b"restricted-value", r.raw)
        r = self.open_job(secrets=["restricted"], project_id_or_name=self.project + "-other")
        self.assertEqual(r.status, 200, r)

    def test_job_pinned_to_versions_at_open(self):
        self.create_secret("pinned", env={"V": "version-one"})
        job = self.open_job(secrets=["pinned"]).json
        self.ok("PATCH", "/api/v1beta/secrets/pinned", {"data": {"env_vars": [{"name": "V", "value": "version-two"}]}})
        out = self.checkout(job["token"]).json
        self.assertEqual(out["env_vars"][0]["value"], "version-one")

    def test_a_target_id_with_another_projects_id_finds_nothing(self):
        dt = self.make_target(name="own")
        other_name = self.project[:50] + "-x"
        other = self.create_project(other_name)
        self.assertEqual(other.status, 200, other)
        path = f"/api/v1alpha/deployment_targets/{dt['id']}"
        for project in (self.pid, self.project):  # its own project, by id and by name
            self.assertEqual(self.api("GET", f"{path}?project_id={project}").status, 200)
        for project in (other.json["metadata"]["id"], other_name, "no-such-project"):
            self.assertEqual(self.api("GET", f"{path}?project_id={project}").status, 404, project)
            r = self.api("PATCH", f"{path}?project_id={project}", {"description": "moved?"})
            self.assertEqual(r.status, 404, r)
        self.assertEqual(self.api("GET", path).json["description"], dt["description"])

    def test_deployment_target_crud_and_partial_update(self):
        dt = self.make_target(name="staging")
        r = self.api("PATCH", f"/api/v1alpha/deployment_targets/{dt['id']}",
                     {"env_vars": [{"name": "AWS_KEY", "value": ""}, {"name": "NEW", "value": "new-v"}],
                      "object_rules": [{"type": "TAG", "match_mode": "ALL"}]})
        self.assertEqual(r.status, 200, r)
        got = self.api("GET", f"/api/v1alpha/deployment_targets/{dt['id']}?include_secrets=true")
        self.assertEqual([e["name"] for e in got.json["env_vars"]], ["AWS_KEY", "NEW"])
        self.assertEqual(r.json["object_rules"], [{"type": "TAG", "match_mode": "ALL", "pattern": ""}])
        listed = self.api("GET", f"/api/v1alpha/deployment_targets?project_id={self.project}")
        self.assertEqual([d["name"] for d in listed.json], ["staging"])
        r = self.api("POST", "/api/v1alpha/deployment_targets",
                     {"name": "bad", "project_id": self.pid,
                      "object_rules": [{"type": "BRANCH", "match_mode": "REGEX", "pattern": "("}]})
        self.assertEqual(r.status, 400)
        self.assertIn("object_rules[0].pattern", r.json["message"])
        self.assertEqual(self.api("POST", "/api/v1alpha/deployment_targets",
                                  {"name": "staging", "project_id": self.pid}).status, 409)
        # Optimistic concurrency, as for secrets: a stale update_time or If-Match is a 409.
        got = self.api("GET", f"/api/v1alpha/deployment_targets/{dt['id']}")
        self.assertEqual(got.headers["ETag"], '"2"')
        stale = dict(dt, description="stale", env_vars=None, files=None)
        r = self.api("PATCH", f"/api/v1alpha/deployment_targets/{dt['id']}", stale)
        self.assertEqual(r.status, 409, r)
        r = self.api("PATCH", f"/api/v1alpha/deployment_targets/{dt['id']}",
                     {"description": "x"}, headers={"If-Match": '"1"'})
        self.assertEqual(r.status, 409, r)
        fresh = dict(got.json, description="fresh", env_vars=None, files=None)
        r = self.api("PATCH", f"/api/v1alpha/deployment_targets/{dt['id']}", fresh)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers["ETag"], '"3"')
        # What Semaphore's own sem sends and expects.
        r = self.api("POST", "/api/v1alpha/deployment_targets",
                     {"name": "other", "project_id": self.pid, "unique_token": "u-1",
                      "subject_rules": [{"type": "USER", "subject_id": "u", "git_login": "octo"}]})
        self.assertEqual(r.status, 200, r)
        named = self.api("GET", f"/api/v1alpha/deployment_targets?project_id={self.pid}&target_name=other")
        self.assertEqual([d["name"] for d in named.json], ["other"])
        r = self.api("PATCH", f"/api/v1alpha/deployment_targets/{r.json['id']}/deactivate")
        self.assertEqual(r.json["cordoned"], True, r)
        self.assertEqual(self.ok("DELETE", f"/api/v1alpha/deployment_targets/{dt['id']}"), {})
        self.assertEqual(self.api("GET", f"/api/v1alpha/deployment_targets/{dt['id']}").status, 404)


if __name__ == "__main__":
    unittest.main()
