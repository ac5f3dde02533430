"""Deployment targets driven exactly as Semaphore's own `sem` drives them (semaphoreci/cli,
api/client/deployment_targets_v1_alpha.go; the request bodies and query strings of
../shared/reference/semaphore-compat.md): its Go structs have no omitempty on `active`,
so every create and update sends "active": false; it edits with include_secrets=true and
sends the hashes it was shown back; it pages the history with cursor_type/cursor_value and
reads cursor_before/cursor_after as int64. Our own `sem` is driven the same way through a
scripted editor. Values are checked where they end up: in a job's checkout."""
import base64
import hashlib
import json
import os
import re
import sys
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../cli"))
from harness import ServerTest, call  # noqa: E402
from clihelpers import Sem  # noqa: E402

FINGERPRINT = re.compile(r"^[0-9a-f]{32}$")  # hex, the length of an MD5
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$")
PASSWORD = "hunter2"  # low-entropy on purpose: an MD5 of it is a dictionary lookup
KEY = b"-----BEGIN KEY-----\n\x00\x01binary\xff\n"


def b64(data):
    return base64.b64encode(data).decode()


def go_target(**fields):
    """The JSON of Semaphore's DeploymentTargetCreateRequestV1Alpha as Go marshals it:
    every field without omitempty is present, zero-valued when not set."""
    body = {"id": "", "name": "", "project_id": "", "organization_id": "", "description": "",
            "url": "", "state": "", "state_message": "", "subject_rules": [],
            "object_rules": [], "active": False, "bookmark_parameter1": "",
            "bookmark_parameter2": "", "bookmark_parameter3": "",
            "unique_token": str(uuid.uuid4())}
    body.update(fields)
    return body


def go_update_from(described, **changes):
    """What `sem edit dt` / `sem apply -f` sends after reading the target with
    include_secrets=true: the whole struct back (its HashedContent strips " [md5]" from
    the YAML again, so the hashes go back as they came), with the user's changes."""
    keep = ("id", "name", "project_id", "organization_id", "created_by", "updated_by",
            "created_at", "updated_at", "description", "url", "state", "state_message",
            "subject_rules", "object_rules", "active", "bookmark_parameter1",
            "bookmark_parameter2", "bookmark_parameter3", "env_vars", "files")
    body = {k: described[k] for k in keep if k in described}
    body.setdefault("state_message", "")
    body["unique_token"] = str(uuid.uuid4())
    body.update(changes)
    return body


class SemaphoreSemTargets(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ci = cls.server.user_token("ci", "Orchestrator")
        r = call(cls.server.url, "POST", "/api/v1alpha/projects", cls.token,
                 {"metadata": {"name": "web"}})
        assert r.status == 200, r
        cls.pid = r.json["metadata"]["id"]

    def setUp(self):
        self.name = self._testMethodName.replace("test_", "")[:40].replace("_", "-")

    def create(self, name=None, **fields):
        body = go_target(
            name=name or self.name, project_id=self.pid,
            subject_rules=[{"type": "ANY"}],
            object_rules=[{"type": "BRANCH", "match_mode": "REGEX", "pattern": "main|release-.*"}],
            env_vars=[{"name": "DB_PASSWORD", "value": PASSWORD}],
            files=[{"path": ".ssh/deploy_key", "content": b64(KEY)}])
        body.update(fields)
        return self.ok("POST", "/api/v1alpha/deployment_targets", body)

    def describe(self, target_id, include_secrets=True):
        q = "?include_secrets=true" if include_secrets else ""
        return self.ok("GET", f"/api/v1alpha/deployment_targets/{target_id}{q}")

    def open_job(self, ref="main", pipeline_id="", user=None):
        trig = {"type": "USER", "user_id": user} if user else {"type": "AUTO"}
        return self.api("POST", "/api/v1alpha/jobs",
                        {"project_id_or_name": "web", "secrets": [],
                         "deployment_target": self.name, "pipeline_id": pipeline_id,
                         "git": {"ref_type": "BRANCH", "ref": ref, "fork": False},
                         "triggered_by": trig}, token=self.ci)

    def checkout(self):
        r = self.open_job()
        self.assertEqual(r.status, 200, r)
        out = call(self.server.url, "GET", "/api/v1alpha/jobs/self/secrets", r.json["token"])
        self.assertEqual(out.status, 200, out)
        call(self.server.url, "POST", "/api/v1alpha/jobs/self/finish", r.json["token"])
        return ({e["name"]: e["value"] for e in out.json["env_vars"]},
                {f["path"]: base64.b64decode(f["content"]) for f in out.json["files"]})

    def test_create_with_active_false_leaves_the_target_active(self):
        dt = self.create()
        self.assertEqual((dt["active"], dt["state"]), (True, "USABLE"))
        self.assertEqual(self.open_job().status, 200)
        # An update sending "active": false (every one does) does not cordon either...
        up = self.ok("PATCH", f"/api/v1alpha/deployment_targets/{dt['id']}",
                     go_update_from(self.describe(dt["id"]), description="updated"))
        self.assertEqual((up["active"], up["description"]), (True, "updated"))
        # ...only .../deactivate does, answering what that client checks; and an update
        # with "active": true does not lift the cordon.
        r = self.ok("PATCH", f"/api/v1alpha/deployment_targets/{dt['id']}/deactivate")
        self.assertEqual(r, {"target_id": dt["id"], "cordoned": True})
        up = self.ok("PATCH", f"/api/v1alpha/deployment_targets/{dt['id']}",
                     go_update_from(self.describe(dt["id"]), active=True))
        self.assertEqual((up["active"], up["state"]), (False, "CORDONED"))
        self.assertEqual(self.open_job().status, 403)
        r = self.ok("PATCH", f"/api/v1alpha/deployment_targets/{dt['id']}/activate")
        self.assertEqual(r, {"target_id": dt["id"], "cordoned": False})

    def test_metadata_that_client_reads(self):
        dt = self.create()
        admin = dt["created_by"]
        self.assertTrue(admin)
        self.assertEqual(dt["updated_by"], admin)
        self.assertRegex(dt["created_at"], RFC3339)
        self.assertRegex(dt["updated_at"], RFC3339)
        other = self.server.user_token("editor-" + self.name, "Admin")
        up = self.ok("PATCH", f"/api/v1alpha/deployment_targets/{dt['id']}",
                     {"description": "by another admin"}, token=other)
        self.assertEqual(up["created_by"], admin)
        self.assertNotEqual(up["updated_by"], admin)
        # The name lookup that client does: a list filtered by target_name.
        listed = self.ok("GET", f"/api/v1alpha/deployment_targets?project_id={self.pid}"
                                f"&target_name={self.name}")
        self.assertEqual([t["id"] for t in listed], [dt["id"]])
        self.assertEqual(listed[0]["created_at"], dt["created_at"])

    def test_credentials_are_left_out_unless_asked_for_and_then_fingerprinted(self):
        dt = self.create()
        for got in (dt, self.describe(dt["id"], include_secrets=False),
                    self.ok("GET", f"/api/v1alpha/deployment_targets?project_id={self.pid}")[0]):
            self.assertNotIn("env_vars", got)
            self.assertNotIn("files", got)
        shown = self.describe(dt["id"])
        self.assertEqual([e["name"] for e in shown["env_vars"]], ["DB_PASSWORD"])
        self.assertEqual([f["path"] for f in shown["files"]], [".ssh/deploy_key"])
        for v in (shown["env_vars"][0]["value"], shown["files"][0]["content"]):
            self.assertRegex(v, FINGERPRINT)  # non-empty: that client never reads a source ""
        listed = self.ok("GET", f"/api/v1alpha/deployment_targets?project_id={self.pid}"
                                f"&target_name={self.name}&include_secrets=true")
        self.assertEqual(listed[0]["env_vars"], shown["env_vars"])
        self.assertNotIn(PASSWORD, json.dumps(shown))
        self.assertEqual(self.api("GET", f"/api/v1alpha/deployment_targets/{dt['id']}"
                                         "?include_secrets=yes").status, 400)

    def test_two_targets_with_the_same_password_have_different_fingerprints(self):
        a = self.describe(self.create(self.name + "-a")["id"])
        b = self.describe(self.create(self.name + "-b")["id"])
        fa, fb = a["env_vars"][0]["value"], b["env_vars"][0]["value"]
        self.assertRegex(fa, FINGERPRINT)
        self.assertNotEqual(fa, fb)
        self.assertNotEqual(a["files"][0]["content"], b["files"][0]["content"])
        # Not the MD5 Semaphore sends (of the value, or of the file's bytes or base64).
        for md5 in (hashlib.md5(PASSWORD.encode()).hexdigest(), hashlib.md5(KEY).hexdigest(),
                    hashlib.md5(b64(KEY).encode()).hexdigest()):
            self.assertNotIn(md5, (fa, fb, a["files"][0]["content"], b["files"][0]["content"]))
        # Stable while the value is: a second read shows the same one.
        self.assertEqual(self.describe(a["id"])["env_vars"][0]["value"], fa)

    def test_apply_of_a_yaml_taken_from_get_keeps_the_values(self):
        dt = self.create()
        # `sem get dt NAME` then `sem apply -f`: name lookup, describe with secrets, PATCH
        # of the whole struct with the hashes as they came and a changed description.
        found = self.ok("GET", f"/api/v1alpha/deployment_targets?project_id={self.pid}"
                               f"&target_name={self.name}")[0]
        shown = self.describe(found["id"])
        body = go_update_from(shown, description="applied",
                              object_rules=[{"type": "BRANCH", "match_mode": "EXACT",
                                             "pattern": "main"}])
        self.assertEqual(body["active"], True)
        body["active"] = False  # what a Go zero value would send; it must not matter
        up = self.ok("PATCH", f"/api/v1alpha/deployment_targets/{dt['id']}", body)
        self.assertEqual((up["description"], up["active"]), ("applied", True))
        env, files = self.checkout()
        self.assertEqual(env, {"DB_PASSWORD": PASSWORD})
        self.assertEqual(files, {".ssh/deploy_key": KEY})
        # A value replaced next to a hash sent back: one changes, the other stays.
        shown = self.describe(dt["id"])
        body = go_update_from(shown, env_vars=[shown["env_vars"][0],
                                               {"name": "REGION", "value": "eu-west-1"}])
        self.ok("PATCH", f"/api/v1alpha/deployment_targets/{dt['id']}", body)
        env, files = self.checkout()
        self.assertEqual(env, {"DB_PASSWORD": PASSWORD, "REGION": "eu-west-1"})
        self.assertEqual(files, {".ssh/deploy_key": KEY})
        # Another target's hash is no key to this one's value: it is taken as a new value.
        other = self.describe(self.create(self.name + "-other")["id"])
        body = go_update_from(self.describe(dt["id"]), env_vars=other["env_vars"])
        self.ok("PATCH", f"/api/v1alpha/deployment_targets/{dt['id']}", body)
        env, _ = self.checkout()
        self.assertEqual(env, {"DB_PASSWORD": other["env_vars"][0]["value"]})

    def test_edit_a_target_with_files_through_our_sem(self):
        dt = self.create()
        sem = Sem()
        try:
            self.assertEqual(sem.run("connect", self.server.url, self.token).returncode, 0)
            # The editor keeps the file's fingerprint, replaces the password, and adds a
            # second file (base64 content).
            extra = b64(b"second file\n")
            ed = sem.script("ed", (
                "cp \"$1\" \"$HOME/shown.yml\"\n"
                "grep -q 'content: [0-9a-f]\\{32\\}$' \"$1\"\n"
                "sed -i 's/^    value: [0-9a-f]*$/    value: s3cret-new/' \"$1\"\n"
                f"printf '  - path: notes.txt\\n    content: {extra}\\n' >> \"$1\"\n"
                "sed -i 's/^  description: .*/  description: edited/' \"$1\"\n"))
            r = sem.run("edit", "dt", self.name, "-p", "web", env={"EDITOR": ed})
            shown = sem.path("shown.yml")
            self.assertEqual((r.returncode, r.stdout, r.stderr),
                             (0, f"Deployment target '{self.name}' updated.\n", ""),
                             open(shown).read() if os.path.exists(shown) else "no file shown")
            self.assertNotIn(PASSWORD, sem.all_output())
            # get -> apply -f with our sem round-trips too: the file's fingerprints go back.
            r = sem.run("get", "dt", self.name, "-p", "web")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertNotIn("s3cret-new", r.stdout)
            path = sem.write("dt.yml", r.stdout.replace("description: edited",
                                                        "description: applied"))
            r = sem.run("apply", "-f", path)
            self.assertEqual((r.returncode, r.stdout, r.stderr),
                             (0, f"Deployment target '{self.name}' updated.\n", ""))
        finally:
            sem.cleanup()
        self.assertEqual(self.describe(dt["id"])["description"], "applied")
        env, files = self.checkout()
        self.assertEqual(env, {"DB_PASSWORD": "s3cret-new"})
        self.assertEqual(files, {".ssh/deploy_key": KEY, "notes.txt": b"second file\n"})

    def test_history_newest_first_with_refusals_and_cursors(self):
        dt = self.create()
        user = self.ok("GET", f"/api/v1alpha/deployment_targets/{dt['id']}")["created_by"]
        self.assertEqual(self.open_job(pipeline_id="ppl-1").status, 200)
        self.assertEqual(self.open_job(ref="dev", pipeline_id="ppl-2", user=user).status, 403)
        self.assertEqual(self.open_job(ref="release-1", pipeline_id="ppl-3").status, 200)
        # That client: GET .../{id}/history?cursor_type=FIRST (no project_id).
        h = self.ok("GET", f"/api/v1alpha/deployment_targets/{dt['id']}/history"
                           "?cursor_type=FIRST")
        ds = h["deployments"]
        self.assertEqual([d["pipeline_id"] for d in ds], ["ppl-3", "ppl-2", "ppl-1"])
        refused = ds[1]
        self.assertEqual((refused["state"], refused["refused"], refused["triggered_by"]),
                         ("FAILED", True, user))
        self.assertEqual(refused["refusals"],
                         [f"Deployment target {self.name} does not allow branch dev"])
        self.assertEqual(refused["state_message"], refused["refusals"][0])
        self.assertEqual((refused["git_ref_type"], refused["git_ref_label"]), ("BRANCH", "dev"))
        self.assertEqual(refused["job_id"], "")
        self.assertEqual((ds[0]["state"], ds[0]["refused"], ds[0]["triggered_by"]),
                         ("STARTED", False, "AUTO"))
        self.assertTrue(ds[0]["job_id"])
        for d in ds:
            self.assertRegex(d["triggered_at"], RFC3339)
            self.assertEqual((d["target_id"], d["target_name"]), (dt["id"], self.name))
        self.assertEqual((h["cursor_before"], h["cursor_after"]), (0, 0))
        # Paging, two at a time: the cursors are numbers (Go's int64), 0 when no page.
        p1 = self.ok("GET", f"/api/v1alpha/deployment_targets/{dt['id']}/history"
                            "?cursor_type=FIRST&page_size=2")
        self.assertEqual([d["pipeline_id"] for d in p1["deployments"]], ["ppl-3", "ppl-2"])
        self.assertIsInstance(p1["cursor_after"], int)
        self.assertEqual(p1["cursor_before"], 0)
        p2 = self.ok("GET", f"/api/v1alpha/deployment_targets/{dt['id']}/history"
                            f"?cursor_type=AFTER&cursor_value={p1['cursor_after']}&page_size=2")
        self.assertEqual([d["pipeline_id"] for d in p2["deployments"]], ["ppl-1"])
        self.assertEqual(p2["cursor_after"], 0)
        back = self.ok("GET", f"/api/v1alpha/deployment_targets/{dt['id']}/history"
                              f"?cursor_type=BEFORE&cursor_value={p2['cursor_before']}&page_size=2")
        self.assertEqual(back["deployments"], p1["deployments"])
        # Filters as that client sends them (git_ref_type lower-cased).
        f = self.ok("GET", f"/api/v1alpha/deployment_targets/{dt['id']}/history"
                           "?cursor_type=FIRST&git_ref_type=branch&git_ref_label=dev")
        self.assertEqual([d["pipeline_id"] for d in f["deployments"]], ["ppl-2"])
        f = self.ok("GET", f"/api/v1alpha/deployment_targets/{dt['id']}/history"
                           f"?cursor_type=FIRST&triggered_by={user}")
        self.assertEqual([d["pipeline_id"] for d in f["deployments"]], ["ppl-2"])
        for bad in ("cursor_type=NEXT", "cursor_type=AFTER", "cursor_value=x",
                    "git_ref_type=commit", "parameter1=x", "page_size=0"):
            r = self.api("GET", f"/api/v1alpha/deployment_targets/{dt['id']}/history?{bad}")
            self.assertEqual(r.status, 400, bad)
        # A caller who may not see the project (the orchestrator) does not learn it exists.
        self.assertEqual(self.api("GET", f"/api/v1alpha/deployment_targets/{dt['id']}/history",
                                  token=self.ci).status, 404)
        # Our sem: the same history as a table, the next page's flag on stderr.
        sem = Sem()
        try:
            self.assertEqual(sem.run("connect", self.server.url, self.token).returncode, 0)
            r = sem.run("get", "dt", self.name, "-p", "web", "--history")
            self.assertEqual(r.returncode, 0, r.stderr)
            lines = r.stdout.splitlines()
            self.assertEqual(re.split(r"\s{3,}", lines[0]),
                             ["TRIGGERED AT (UTC)", "TRIGGERED BY", "GIT REF", "STATE",
                              "PIPELINE ID", "MESSAGE"])
            self.assertEqual([re.split(r"\s{3,}", l)[4] for l in lines[1:]],
                             ["ppl-3", "ppl-2", "ppl-1"])
            self.assertIn("does not allow branch dev", lines[2])
            r = sem.run("get", "dt", self.name, "-p", "web", "--history", "--after",
                        str(p1["cursor_after"]))
            self.assertEqual([re.split(r"\s{3,}", l)[4] for l in r.stdout.splitlines()[1:]],
                             ["ppl-1"])
            self.assertIn("newer: --history --before", r.stderr)
        finally:
            sem.cleanup()


if __name__ == "__main__":
    unittest.main()
