"""`sem create -f FILE` and `sem apply -f FILE` with Secret (v1beta) and
ProjectSecret (v1) YAML; apply creates or updates in place; the YAML is parsed strictly."""
import base64
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from clihelpers import SemTest, Tripwire  # noqa: E402

KEY_B64 = base64.b64encode(b"\x00\xffbinary key\n").decode()

SECRET = f"""apiVersion: v1beta
kind: Secret
metadata:
  name: fromfile
data:
  env_vars:
  - name: AWS_ACCESS_KEY_ID
    value: file-value-1
  files:
  - path: .ssh/id_rsa
    content: {KEY_B64}
"""

PROJECT_SECRET = """apiVersion: v1
kind: ProjectSecret
metadata:
  name: projfile
  project_id_or_name: applyproj
data:
  env_vars:
  - name: DB_PASSWORD
    value: file-value-2
  files: []
"""


class Apply(SemTest):
    def setUp(self):
        super().setUp()
        self.secret_values = ["file-value-1", "file-value-2", "file-value-3", KEY_B64]

    def test_create_from_file_org_and_project(self):
        self.assertEqual(self.ok("create", "-f", self.sem.write("s.yml", SECRET)),
                         "Secret 'fromfile' created.\n")
        out = self.ok("get", "secret", "fromfile")
        self.assertIn("  - name: AWS_ACCESS_KEY_ID\n", out)
        self.assertIn("  - path: .ssh/id_rsa\n", out)
        self.fails("create", "-f", self.sem.path("s.yml"), contains="already exists")
        self.ok("create", "project", "applyproj")
        self.assertEqual(self.ok("create", "-f", self.sem.write("p.yml", PROJECT_SECRET)),
                         "Project secret 'projfile' created.\n")
        self.assertIn("kind: ProjectSecret", self.ok("get", "secret", "-p", "applyproj", "projfile"))
        self.ok("delete", "secret", "fromfile")
        self.ok("delete", "project", "applyproj")

    def test_apply_creates_then_updates_in_place(self):
        path = self.sem.write("s.yml", SECRET)
        self.assertEqual(self.ok("apply", "-f", path), "Secret 'fromfile' created.\n")
        first = self.api_ok("GET", "/api/v1beta/secrets/fromfile")
        # The output of `sem get secret` plus one new value: applied, the rest is kept.
        shown = self.ok("get", "secret", "fromfile")
        edited = shown.replace("  files:\n", "  - name: ADDED\n    value: file-value-3\n  files:\n")
        self.assertEqual(self.ok("apply", "-f", self.sem.write("shown.yml", edited)),
                         "Secret 'fromfile' updated.\n")
        second = self.api_ok("GET", "/api/v1beta/secrets/fromfile")
        self.assertEqual(second["metadata"]["id"], first["metadata"]["id"])
        self.assertEqual([e["name"] for e in second["data"]["env_vars"]],
                         ["AWS_ACCESS_KEY_ID", "ADDED"])
        self.assertEqual(second["data"]["files"], [{"path": ".ssh/id_rsa", "content": ""}])
        # The same file again is stale: its update_time guards against lost updates.
        self.fails("apply", "-f", self.sem.path("shown.yml"), contains="changed")
        # A file without update_time (and with every value) just updates.
        self.assertEqual(self.ok("apply", "-f", path), "Secret 'fromfile' updated.\n")
        self.assertEqual([e["name"] for e in self.api_ok("GET", "/api/v1beta/secrets/fromfile")
                          ["data"]["env_vars"]], ["AWS_ACCESS_KEY_ID"])
        self.ok("delete", "secret", "fromfile")

    def test_apply_a_project_secret(self):
        self.ok("create", "project", "applyproj")
        path = self.sem.write("p.yml", PROJECT_SECRET)
        self.assertEqual(self.ok("apply", "-f", path), "Project secret 'projfile' created.\n")
        self.assertEqual(self.ok("apply", "-f", path), "Project secret 'projfile' updated.\n")
        self.ok("delete", "project", "applyproj")

    def test_apply_of_a_missing_secret_needs_every_value(self):
        no_value = SECRET.replace("    value: file-value-1\n", "")
        self.fails("apply", "-f", self.sem.write("s.yml", no_value),
                   contains=["data.env_vars[0].value", "does not exist yet"])
        self.assertEqual(self.api("GET", "/api/v1beta/secrets/fromfile").status, 404)


class StrictFiles(SemTest):
    """Every bad file is refused before any request: the context points at a tripwire."""

    CASES = [
        (SECRET.replace("  name: fromfile\n", "  name: fromfile\n  colour: red\n"),
         "metadata.colour: unknown field"),
        (SECRET + "spec: {}\n", "spec: unknown field"),
        (SECRET.replace("    value: file-value-1\n", "    value: file-value-1\n    secret: x\n"),
         "data.env_vars[0].secret: unknown field"),
        (PROJECT_SECRET + "org_config: {}\n", "org_config: unknown field"),
        (SECRET.replace("kind: Secret", "kind: Project"), "unsupported resource kind 'Project'"),
        (SECRET.replace("kind: Secret\n", ""), "kind: missing"),
        (SECRET.replace("v1beta", "v1"), "apiVersion: must be v1beta"),
        (PROJECT_SECRET.replace("  project_id_or_name: applyproj\n", ""),
         "metadata.project_id_or_name"),
        (SECRET.replace("name: fromfile", "name: bad name"), "metadata.name"),
        (SECRET.replace(KEY_B64, "not base64!"), "data.files[0].content: must be base64"),
        ("kind: Secret\nmetadata: {name: a}\ndata:\n  env_vars: {}\n",
         "data.env_vars: must be a list"),
        (SECRET + "metadata: {}\n", "duplicate key"),
        ("kind: Secret\nmetadata: [\n", "not valid YAML"),
        (SECRET + "---\n" + SECRET, "one YAML document"),
    ]

    def test_bad_files_name_the_problem_and_send_nothing(self):
        trip = Tripwire()
        try:
            self.sem.point_at(trip.url)
            for i, (text, why) in enumerate(self.CASES):
                path = self.sem.write(f"bad{i}.yml", text)
                for cmd in ("create", "apply"):
                    err = self.fails(cmd, "-f", path, contains=why)
                    self.assertIn(path, err)
            # Creating needs every value; applying may leave one out (it keeps the stored one).
            empty = self.sem.write("empty.yml", SECRET.replace("value: file-value-1", "value: ''"))
            self.fails("create", "-f", empty, contains="data.env_vars[0].value: must not be empty")
            self.fails("apply", "-f", self.sem.path("missing.yml"), contains="cannot read")
            self.fails("create", "-f", self.sem.home, contains="directory")
            self.assertEqual(trip.hits, 0)
        finally:
            trip.close()


if __name__ == "__main__":
    unittest.main()
