"""What `sem` stores is what a job gets. Secrets made and edited with `sem` (binary
files, kept values, replaced values, apply -f) are checked out by a job: the only place a
value leaves the server."""
import base64
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from clihelpers import SemTest, call  # noqa: E402


class Checkout(SemTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ci = cls.server.user_token("ci", "Orchestrator")

    def setUp(self):
        super().setUp()
        self.project = self._testMethodName.replace("test_", "p-").replace("_", "-")[:60]
        self.assertEqual(self.sem.run("create", "project", self.project).returncode, 0)

    def tearDown(self):
        self.sem.run("delete", "project", self.project)
        super().tearDown()

    def checkout(self, *names):
        r = self.api("POST", "/api/v1alpha/jobs",
                     {"project_id_or_name": self.project, "secrets": list(names),
                      "git": {"ref_type": "BRANCH", "ref": "main", "fork": False},
                      "triggered_by": {"type": "AUTO"}}, token=self.ci)
        self.assertEqual(r.status, 200, r)
        job = r.json
        out = call(self.server.url, "GET", f"/api/v1alpha/jobs/{job['job_id']}/secrets",
                   job["token"])
        self.assertEqual(out.status, 200, out)
        env = {e["name"]: e["value"] for e in out.json["env_vars"]}
        files = {f["path"]: base64.b64decode(f["content"]) for f in out.json["files"]}
        return env, files

    def test_binary_files_and_edits_reach_the_job_intact(self):
        data = bytes(range(256)) * 16 + b"\x00\r\n\xff"
        blob = self.sem.write("blob.bin", data)
        self.secret_values = ["keep-me-1", "change-me-1", "changed-2"]
        self.ok("create", "secret", "bin", "-f", f"{blob}:certs/blob.bin",
                "-e", "KEEP=keep-me-1", "-e", "CHANGE=change-me-1")
        env, files = self.checkout("bin")
        self.assertEqual(files, {"certs/blob.bin": data})
        self.assertEqual(env, {"KEEP": "keep-me-1", "CHANGE": "change-me-1"})
        # Edit: replace one value, keep the other and the binary file as stored.
        ed = self.sem.script("ed", "sed -i 's/  - name: CHANGE/  - name: CHANGE\\n"
                                   "    value: changed-2/' \"$1\"\n")
        r = self.sem.run("edit", "secret", "bin", env={"EDITOR": ed})
        self.assertEqual(r.returncode, 0, r.stderr)
        env, files = self.checkout("bin")
        self.assertEqual(files, {"certs/blob.bin": data})
        self.assertEqual(env, {"KEEP": "keep-me-1", "CHANGE": "changed-2"})
        self.ok("delete", "secret", "bin")

    def test_project_secret_from_flags_and_from_apply(self):
        self.secret_values = ["flag-value", "yaml-value", "multi\nline"]
        self.ok("create", "secret", "-p", self.project, "fromflags", "-e", "A=flag-value")
        x_b64 = base64.b64encode(b"\x00x").decode()
        y = ("apiVersion: v1\nkind: ProjectSecret\nmetadata:\n  name: fromyaml\n"
             f"  project_id_or_name: {self.project}\ndata:\n  env_vars:\n"
             "  - name: B\n    value: yaml-value\n  - name: ML\n    value: |-\n      multi\n      line\n"
             f"  files:\n  - path: /etc/x.bin\n    content: {x_b64}\n")
        self.ok("apply", "-f", self.sem.write("p.yml", y))
        env, files = self.checkout("fromflags", "fromyaml")
        self.assertEqual(env, {"A": "flag-value", "B": "yaml-value", "ML": "multi\nline"})
        self.assertEqual(files, {"/etc/x.bin": b"\x00x"})


if __name__ == "__main__":
    unittest.main()
