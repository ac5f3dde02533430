"""Issue 12 points 1-2 and issue 11 point 5: the history of secrets over the API.

Versions (list, rollback, destroy, max_versions), soft delete (hidden everywhere, listed
with ?deleted=true, restored with its id, versions and usage, ?as= when the name is taken,
?destroy=true, the retention period), Semaphore's sem editing by DELETE then a failing POST,
and who may do any of it (404 for what a caller may not manage). Values are checked the only
way they leave the server: a job's checkout.
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
from harness import Server, ServerTest, call  # noqa: E402

ORG = "/api/v1beta/secrets"


class HistoryTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ci = cls.server.user_token("ci", "Orchestrator")
        cls.member = cls.server.user_token("hist-member", "Member")
        cls.admin = cls.server.user_token("hist-admin", "Admin")
        cls.server.admin("create-org", "elsewhere")
        cls.stranger = cls.server.user_token("mallory", "Owner", org="elsewhere")

    def setUp(self):
        self.project = self._testMethodName.replace("test_", "h-").replace("_", "-")[:60]
        r = self.create_project(self.project)
        self.assertEqual(r.status, 200, r)
        self.pid = r.json["metadata"]["id"]

    # --- helpers -------------------------------------------------------------------

    def put(self, name, env, project=None):
        """Creates the secret, or PATCHes it to exactly `env` (a new version)."""
        base = f"/api/v1/projects/{project}/secrets" if project else ORG
        body = {"metadata": {"name": name},
                "data": {"env_vars": [{"name": k, "value": v} for k, v in env.items()],
                         "files": []}}
        if self.api("GET", f"{base}/{name}").status == 404:
            return self.ok("POST", base, body)
        return self.ok("PATCH", f"{base}/{name}", body)

    def open_job(self, *names, token=None):
        return self.api("POST", "/api/v1alpha/jobs", {
            "project_id_or_name": self.project, "secrets": list(names),
            "git": {"ref_type": "BRANCH", "ref": "main", "fork": False},
            "triggered_by": {"type": "AUTO"}}, token=token or self.ci)

    def checkout_env(self, *names):
        """The env vars a fresh job for `names` checks out."""
        job = self.open_job(*names)
        self.assertEqual(job.status, 200, job)
        out = call(self.server.url, "GET", f"/api/v1alpha/jobs/{job.json['job_id']}/secrets",
                   job.json["token"])
        self.assertEqual(out.status, 200, out)
        return {e["name"]: e["value"] for e in out.json["env_vars"]}

    def versions(self, path, token=None):
        r = self.api("GET", path + "/versions", token=token)
        self.assertEqual(r.status, 200, r)
        return r.json["versions"]

    # --- versions --------------------------------------------------------------------

    def test_versions_list_metadata_and_never_a_value(self):
        name = "hist-list"
        self.put(name, {"TOKEN": "value-one-7f3a"})
        self.put(name, {"TOKEN": "value-two-7f3a", "EXTRA": "value-extra-7f3a"})
        r = self.api("GET", f"{ORG}/{name}/versions")
        self.assertEqual(r.status, 200, r)
        self.assertNotIn(b"7f3a", r.raw)
        v = r.json["versions"]
        self.assertEqual([x["version"] for x in v], [1, 2])
        self.assertEqual(v[0]["env_var_names"], ["TOKEN"])
        self.assertEqual(v[1]["env_var_names"], ["TOKEN", "EXTRA"])
        self.assertEqual(v[1]["created_by_name"], "admin")
        self.assertTrue(v[1]["created_by"])
        self.assertEqual([x["current"] for x in v], [False, True])
        self.assertEqual([x["destroyed"] for x in v], [False, False])
        self.assertTrue(int(v[0]["create_time"]) > 0)

    def test_rollback_makes_an_old_version_current_as_a_new_one(self):
        name = "hist-rollback"
        self.put(name, {"TOKEN": "first"})
        self.put(name, {"TOKEN": "second", "MORE": "more"})
        r = self.api("POST", f"{ORG}/{name}/versions/1/rollback")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["metadata"]["name"], name)
        self.assertEqual(r.headers.get("ETag"), '"3"')
        v = self.versions(f"{ORG}/{name}")
        self.assertEqual(v[-1]["version"], 3)
        self.assertEqual(v[-1]["rollback_of"], 1)
        self.assertEqual(v[-1]["env_var_names"], ["TOKEN"])
        self.assertEqual(self.checkout_env(name), {"TOKEN": "first"})
        # Audited.
        events = self.ok("GET", "/api/v1alpha/audit")["events"]
        self.assertIn("secret.rollback", [e["action"] for e in events])
        # Rolling back to the current version, or to one that does not exist, is refused.
        self.assertEqual(self.api("POST", f"{ORG}/{name}/versions/3/rollback").status, 412)
        self.assertEqual(self.api("POST", f"{ORG}/{name}/versions/9/rollback").status, 404)
        self.assertEqual(self.api("POST", f"{ORG}/{name}/versions/x/rollback").status, 400)

    def test_destroyed_version_refuses_the_job_pinned_to_it(self):
        name = "hist-destroy"
        self.put(name, {"TOKEN": "old-value"})
        pinned = self.open_job(name)
        self.assertEqual(pinned.status, 200, pinned)
        self.put(name, {"TOKEN": "new-value"})
        self.assertEqual(self.api("DELETE", f"{ORG}/{name}/versions/2").status, 412)  # current
        r = self.api("DELETE", f"{ORG}/{name}/versions/1")
        self.assertEqual(r.status, 200, r)
        v = self.versions(f"{ORG}/{name}")
        self.assertEqual(v[0]["destroyed"], True)
        self.assertTrue(int(v[0]["destroy_time"]) > 0)
        self.assertEqual(v[0]["env_var_names"], ["TOKEN"])  # metadata stays
        out = call(self.server.url, "GET", f"/api/v1alpha/jobs/{pinned.json['job_id']}/secrets",
                   pinned.json["token"])
        self.assertEqual(out.status, 412, out)
        self.assertIn(f"Secret {name} version 1", out.json["message"])
        self.assertIn("destroyed", out.json["message"])
        self.assertNotIn(b"old-value", out.raw)
        # Gone for good: no rollback to it, no second destroy.
        r = self.api("POST", f"{ORG}/{name}/versions/1/rollback")
        self.assertEqual(r.status, 412, r)
        self.assertIn("destroyed", r.json["message"])
        self.assertEqual(self.api("DELETE", f"{ORG}/{name}/versions/1").status, 412)
        self.assertEqual(self.checkout_env(name), {"TOKEN": "new-value"})
        events = self.ok("GET", "/api/v1alpha/audit")["events"]
        self.assertIn("secret.version.destroy", [e["action"] for e in events])

    def test_project_secret_and_target_credentials_have_versions_too(self):
        base = f"/api/v1/projects/{self.project}/secrets"
        self.put("hist-proj", {"P": "p1"}, project=self.project)
        self.put("hist-proj", {"P": "p2"}, project=self.project)
        self.assertEqual(len(self.versions(f"{base}/hist-proj")), 2)
        r = self.api("POST", f"{base}/hist-proj/versions/1/rollback")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["metadata"]["project_id_or_name"], self.project)
        self.assertEqual(self.checkout_env("hist-proj"), {"P": "p1"})

        dt = self.ok("POST", "/api/v1alpha/deployment_targets", {
            "name": "hist-prod", "project_id": self.pid, "subject_rules": [{"type": "ANY"}],
            "object_rules": [{"type": "BRANCH", "match_mode": "ALL"}],
            "env_vars": [{"name": "DT", "value": "dt-1"}], "files": []})
        self.ok("PATCH", f"/api/v1alpha/deployment_targets/{dt['id']}",
                {"env_vars": [{"name": "DT", "value": "dt-2"}, {"name": "DT2", "value": "x"}]})
        tpath = f"/api/v1alpha/deployment_targets/{dt['id']}"
        v = self.versions(tpath)
        self.assertEqual([x["env_var_names"] for x in v], [["DT"], ["DT", "DT2"]])
        r = self.api("POST", f"{tpath}/versions/1/rollback")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["id"], dt["id"])
        self.assertEqual(r.headers.get("ETag"), '"3"')
        job = self.api("POST", "/api/v1alpha/jobs", {
            "project_id_or_name": self.project, "secrets": [], "deployment_target": "hist-prod",
            "git": {"ref_type": "BRANCH", "ref": "main", "fork": False},
            "triggered_by": {"type": "AUTO"}}, token=self.ci)
        self.assertEqual(job.status, 200, job)
        out = call(self.server.url, "GET", f"/api/v1alpha/jobs/{job.json['job_id']}/secrets",
                   job.json["token"])
        self.assertEqual({e["name"]: e["value"] for e in out.json["env_vars"]}, {"DT": "dt-1"})
        self.assertEqual(self.api("DELETE", f"{tpath}/versions/2").status, 200)
        r = self.api("GET", f"/api/v1alpha/deployment_targets/hist-prod/versions"
                            f"?project_id={self.pid}")
        self.assertEqual(r.status, 200, r)
        self.assertEqual([x["destroyed"] for x in r.json["versions"]], [False, True, False])

    # --- soft delete and restore -----------------------------------------------------

    def test_deleted_secret_is_hidden_then_restored_with_its_id_and_a_job_checks_it_out(self):
        name = "hist-restore"
        made = self.put(name, {"TOKEN": "keep-me"})
        sid = made["metadata"]["id"]
        self.put(name, {"TOKEN": "keep-me", "V2": "two"})
        self.assertEqual(self.checkout_env(name)["TOKEN"], "keep-me")  # a usage row
        self.assertEqual(self.ok("DELETE", f"{ORG}/{name}"), {})
        # Hidden from every interface and from new jobs.
        self.assertEqual(self.api("GET", f"{ORG}/{name}").status, 404)
        self.assertEqual(self.api("GET", f"{ORG}/{sid}").status, 404)
        self.assertNotIn(name, [s["metadata"]["name"] for s in self.ok("GET", ORG)["secrets"]])
        self.assertEqual(self.api("GET", f"{ORG}/{name}/versions").status, 404)
        job = self.open_job(name)
        self.assertEqual(job.status, 403, job)
        self.assertIn(f"Secret {name} not found", job.json["reasons"])
        # Listed as deleted, without values.
        r = self.api("GET", ORG + "?deleted=true")
        self.assertEqual(r.status, 200, r)
        self.assertNotIn(b"keep-me", r.raw)
        gone = [s for s in r.json["secrets"] if s["metadata"]["id"] == sid]
        self.assertEqual(len(gone), 1)
        d = gone[0]["deletion"]
        self.assertEqual(d["deleted_by_name"], "admin")
        self.assertEqual(int(d["purge_time"]) - int(d["delete_time"]), 7 * 24 * 3600)
        # Restored: same id, versions, usage; a job checks it out.
        r = self.api("POST", f"{ORG}/{sid}/restore")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["metadata"]["id"], sid)
        self.assertEqual(len(self.versions(f"{ORG}/{name}")), 2)
        self.assertEqual(len(self.ok("GET", f"{ORG}/{name}/usage")["usage"]), 1)
        self.assertEqual(self.checkout_env(name), {"TOKEN": "keep-me", "V2": "two"})
        self.assertEqual(self.api("GET", ORG + "?deleted=true").json["secrets"], [])
        self.assertEqual(self.api("POST", f"{ORG}/{sid}/restore").status, 404)
        actions = [e["action"] for e in self.ok("GET", "/api/v1alpha/audit")["events"]]
        self.assertIn("secret.delete", actions)
        self.assertIn("secret.restore", actions)

    def test_deleted_secret_keeps_its_policy(self):
        name = "hist-policy"
        r = self.create_secret(name, env={"K": "v"}, org_config={
            "projects_access": "ALLOWED", "project_ids": [self.pid],
            "debug_access": "JOB_DEBUG_NO", "attach_access": "JOB_ATTACH_YES"})
        self.assertEqual(r.status, 200, r)
        self.ok("DELETE", f"{ORG}/{name}")
        back = self.ok("POST", f"{ORG}/{name}/restore")
        self.assertEqual(back["org_config"]["projects_access"], "ALLOWED")
        self.assertEqual(back["org_config"]["project_ids"], [self.pid])
        self.assertEqual(back["org_config"]["debug_access"], "JOB_DEBUG_NO")

    def test_a_new_secret_may_take_a_deleted_ones_name_then_restore_needs_as(self):
        name = "hist-reuse"
        old = self.put(name, {"TOKEN": "old"})["metadata"]["id"]
        self.ok("DELETE", f"{ORG}/{name}")
        new = self.put(name, {"TOKEN": "new"})["metadata"]["id"]
        self.assertNotEqual(old, new)
        r = self.api("POST", f"{ORG}/{name}/restore")  # by name: the deleted one
        self.assertEqual(r.status, 409, r)
        self.assertIn("?as=NAME", r.json["message"])
        self.assertIn(f"sem restore secret {name} --as", r.json["message"])
        self.assertEqual(self.api("POST", f"{ORG}/{old}/restore?as=bad%20name").status, 400)
        r = self.api("POST", f"{ORG}/{old}/restore?as={name}-old")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["metadata"]["name"], f"{name}-old")
        self.assertEqual(self.checkout_env(name), {"TOKEN": "new"})
        self.assertEqual(self.checkout_env(f"{name}-old"), {"TOKEN": "old"})

    def test_project_secrets_are_deleted_and_restored_the_same_way(self):
        base = f"/api/v1/projects/{self.project}/secrets"
        self.put("hist-ps", {"P": "pv"}, project=self.project)
        self.ok("DELETE", f"{base}/hist-ps")
        self.assertEqual(self.api("GET", f"{base}/hist-ps").status, 404)
        deleted = self.ok("GET", base + "?deleted=true")["secrets"]
        self.assertEqual([s["metadata"]["name"] for s in deleted], ["hist-ps"])
        self.assertEqual(self.ok("GET", ORG + "?deleted=true")["secrets"], [])
        self.ok("POST", f"{base}/hist-ps/restore")
        self.assertEqual(self.checkout_env("hist-ps"), {"P": "pv"})

    def test_destroy_true_removes_a_live_or_a_deleted_secret_for_good(self):
        self.put("hist-gone", {"K": "v"})
        self.ok("DELETE", f"{ORG}/hist-gone?destroy=true")
        self.assertEqual(self.ok("GET", ORG + "?deleted=true")["secrets"], [])
        self.assertEqual(self.api("POST", f"{ORG}/hist-gone/restore").status, 404)
        self.put("hist-gone2", {"K": "v"})
        self.ok("DELETE", f"{ORG}/hist-gone2")
        self.ok("DELETE", f"{ORG}/hist-gone2?destroy=true")  # finishes off a deleted one
        self.assertEqual(self.ok("GET", ORG + "?deleted=true")["secrets"], [])
        self.assertEqual(self.api("DELETE", f"{ORG}/hist-gone2?destroy=true").status, 404)
        self.assertEqual(self.api("DELETE", f"{ORG}/x?destroy=maybe").status, 400)
        actions = [e["action"] for e in self.ok("GET", "/api/v1alpha/audit")["events"]]
        self.assertIn("secret.destroy", actions)

    # --- Semaphore's sem: DELETE then POST ---------------------------------------------

    def test_semaphore_sem_edit_with_a_failing_post_names_the_restore_command(self):
        # Its edit of a secret with hidden values: DELETE, then POST of the edited YAML
        # (here with an empty value, which a create refuses).
        name = "hist-semedit"
        self.put(name, {"AWS_KEY": "precious"})
        semaphore = {"User-Agent": "SemaphoreCLI/v0.32.0"}
        r = self.api("DELETE", f"{ORG}/{name}", headers=semaphore)
        self.assertEqual(r.status, 200, r)
        r = self.api("POST", ORG, {
            "metadata": {"name": name, "id": "", "create_time": "0", "update_time": "0",
                         "checkout_at": "0", "content_included": False},
            "data": {"env_vars": [{"name": "AWS_KEY", "value": ""}], "files": []}},
            headers=semaphore)
        self.assertEqual(r.status, 400, r)
        msg = r.json["message"]
        self.assertIn(f"the secret {name} you deleted just before is kept", msg)
        self.assertIn(f"'sem restore secret {name}'", msg)
        self.assertNotIn("precious", msg)
        # A bad name in the edited YAML: the hint names the secret that was deleted.
        r = self.api("POST", ORG, {"metadata": {"name": "bad name!"},
                                   "data": {"env_vars": [], "files": []}})
        self.assertEqual(r.status, 400, r)
        self.assertIn(f"'sem restore secret {name}'", r.json["message"])
        # Another caller's failing POST gets no hint about our deletion.
        other = self.server.user_token("hist-other-admin", "Admin")
        r = self.api("POST", ORG, {"metadata": {"name": name},
                                   "data": {"env_vars": [{"name": "AWS_KEY", "value": ""}],
                                            "files": []}}, token=other)
        self.assertEqual(r.status, 400, r)
        self.assertNotIn("restore", r.json["message"])
        # Nothing is lost.
        self.ok("POST", f"{ORG}/{name}/restore")
        self.assertEqual(self.checkout_env(name), {"AWS_KEY": "precious"})
        # No deletion, no hint.
        r = self.api("POST", ORG, {"metadata": {"name": "hist-never"},
                                   "data": {"env_vars": [{"name": "A", "value": ""}],
                                            "files": []}})
        self.assertEqual(r.status, 400, r)
        self.assertNotIn("restore", r.json["message"])

    def test_project_secret_hint_names_the_project(self):
        base = f"/api/v1/projects/{self.project}/secrets"
        self.put("hist-pse", {"P": "pv"}, project=self.project)
        self.ok("DELETE", f"{base}/hist-pse")
        r = self.api("POST", base, {"metadata": {"name": "hist-pse"},
                                    "data": {"env_vars": [{"name": "P", "value": ""}],
                                             "files": []}})
        self.assertEqual(r.status, 400, r)
        self.assertIn(f"'sem restore secret hist-pse -p {self.project}'", r.json["message"])
        # Semaphore's sem names the project by id in the path: the hint then says -i.
        r = self.api("POST", f"/api/v1/projects/{self.pid}/secrets", {
            "metadata": {"name": "hist-pse"},
            "data": {"env_vars": [{"name": "P", "value": ""}], "files": []}})
        self.assertIn(f"'sem restore secret hist-pse -i {self.pid}'", r.json["message"])

    # --- who may ---------------------------------------------------------------------

    def test_member_and_other_org_get_404_for_history(self):
        name = "hist-authz"
        sid = self.put(name, {"K": "v"})["metadata"]["id"]
        self.put(name, {"K": "v2"})
        for token in (self.member, self.stranger):
            for method, path in (("GET", f"{ORG}/{sid}/versions"),
                                 ("POST", f"{ORG}/{sid}/versions/1/rollback"),
                                 ("DELETE", f"{ORG}/{sid}/versions/1"),
                                 ("POST", f"{ORG}/{sid}/restore")):
                r = self.api(method, path, token=token)
                self.assertEqual(r.status, 404, (method, path, r))
        self.ok("DELETE", f"{ORG}/{sid}")
        for token in (self.member, self.stranger):
            r = self.api("POST", f"{ORG}/{sid}/restore", token=token)
            self.assertEqual(r.status, 404, r)
        self.assertEqual(self.api("GET", ORG + "?deleted=true", token=self.member).status, 403)
        others = self.api("GET", ORG + "?deleted=true", token=self.stranger)
        self.assertEqual(others.status, 200, others)
        self.assertEqual(others.json["secrets"], [])
        self.ok("POST", f"{ORG}/{sid}/restore", token=self.admin)  # Admins manage secrets

    def test_org_settings_are_the_owners(self):
        r = self.api("GET", "/api/v1beta/org/settings")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, {"max_versions": 10, "retention_seconds": 604800})
        self.assertEqual(self.api("GET", "/api/v1beta/org/settings", token=self.admin).status, 200)
        self.assertEqual(self.api("GET", "/api/v1beta/org/settings", token=self.member).status,
                         403)
        for token in (self.admin, self.member):
            r = self.api("PATCH", "/api/v1beta/org/settings", {"max_versions": 5}, token=token)
            self.assertEqual(r.status, 403, r)
        for bad in ({"max_versions": 0}, {"max_versions": 101}, {"retention_seconds": -1},
                    {"retention_seconds": 366 * 86400}, {"nope": 1}, {"max_versions": "5"}):
            r = self.api("PATCH", "/api/v1beta/org/settings", bad)
            self.assertEqual(r.status, 400, (bad, r))
        # Another org's settings are its own.
        r = self.api("PATCH", "/api/v1beta/org/settings", {"max_versions": 4},
                     token=self.stranger)
        self.assertEqual(r.json, {"max_versions": 4, "retention_seconds": 604800})
        self.assertEqual(self.ok("GET", "/api/v1beta/org/settings")["max_versions"], 10)


class Settings(ServerTest):
    """Tests that change the default org's settings get a server of their own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ci = cls.server.user_token("ci", "Orchestrator")
        r = call(cls.server.url, "POST", "/api/v1alpha/projects", cls.token, body={
            "metadata": {"name": "settings"},
            "spec": {"repository": {"url": "git@example.com:acme/settings.git"}}})
        assert r.status == 200, r

    def checkout_env(self, name):
        job = self.api("POST", "/api/v1alpha/jobs", {
            "project_id_or_name": "settings", "secrets": [name],
            "git": {"ref_type": "BRANCH", "ref": "main", "fork": False},
            "triggered_by": {"type": "AUTO"}}, token=self.ci)
        self.assertEqual(job.status, 200, job)
        out = call(self.server.url, "GET", f"/api/v1alpha/jobs/{job.json['job_id']}/secrets",
                   job.json["token"])
        return {e["name"]: e["value"] for e in out.json["env_vars"]}

    def test_max_versions_destroys_the_oldest_when_a_new_one_is_written(self):
        r = self.api("PATCH", "/api/v1beta/org/settings", {"max_versions": 3})
        self.assertEqual(r.json["max_versions"], 3)
        self.create_secret("capped", env={"K": "v1"})
        for i in range(2, 6):
            self.ok("PATCH", f"{ORG}/capped",
                    {"data": {"env_vars": [{"name": "K", "value": f"v{i}"}], "files": []}})
        v = self.ok("GET", f"{ORG}/capped/versions")["versions"]
        self.assertEqual([(x["version"], x["destroyed"]) for x in v],
                         [(1, True), (2, True), (3, False), (4, False), (5, False)])
        self.assertEqual(self.api("POST", f"{ORG}/capped/versions/2/rollback").status, 412)
        self.ok("POST", f"{ORG}/capped/versions/3/rollback")
        self.assertEqual(self.checkout_env("capped"), {"K": "v3"})
        v = self.ok("GET", f"{ORG}/capped/versions")["versions"]
        self.assertEqual([x["version"] for x in v if not x["destroyed"]], [4, 5, 6])
        self.api("PATCH", "/api/v1beta/org/settings", {"max_versions": 10})

    def test_retention_zero_destroys_on_delete(self):
        self.ok("PATCH", "/api/v1beta/org/settings", {"retention_seconds": 0})
        try:
            self.create_secret("fleeting", env={"K": "v"})
            self.ok("DELETE", f"{ORG}/fleeting")
            self.assertEqual(self.ok("GET", ORG + "?deleted=true")["secrets"], [])
            self.assertEqual(self.api("POST", f"{ORG}/fleeting/restore").status, 404)
        finally:
            self.ok("PATCH", "/api/v1beta/org/settings", {"retention_seconds": 604800})

    def test_a_deleted_secret_is_purged_when_its_retention_period_ends(self):
        self.ok("PATCH", "/api/v1beta/org/settings", {"retention_seconds": 1})
        try:
            self.create_secret("ephemeral", env={"K": "v"})
            self.ok("DELETE", f"{ORG}/ephemeral")
            listed = self.ok("GET", ORG + "?deleted=true")["secrets"]
            # Waits for the period to pass (the behaviour, not how long it takes).
            deadline = time.time() + 30
            while listed and time.time() < deadline:
                time.sleep(0.2)
                listed = self.ok("GET", ORG + "?deleted=true")["secrets"]
            self.assertEqual(listed, [])
            self.assertEqual(self.api("POST", f"{ORG}/ephemeral/restore").status, 404)
            actions = [e["action"] for e in self.ok("GET", "/api/v1alpha/audit")["events"]]
            self.assertIn("secret.purge", actions)
        finally:
            self.ok("PATCH", "/api/v1beta/org/settings", {"retention_seconds": 604800})


if __name__ == "__main__":
    unittest.main()
