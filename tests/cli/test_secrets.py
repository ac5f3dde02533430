"""`sem create/get/delete secret`, org and project scope, exactly as the secrets
page shows them, against a real server."""
import base64
import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from clihelpers import RecordingProxy, Sem, SemTest  # noqa: E402


def page_yaml(s, kind="Secret", api="v1beta", project=None):
    """The YAML of the docs page for a secret as the API returns it."""
    m = s["metadata"]
    out = [f"apiVersion: {api}", f"kind: {kind}", "metadata:", f"  name: {m['name']}",
           f"  id: {m['id']}", f"  create_time: {m['create_time']}",
           f"  update_time: {m['update_time']}"]
    if project:
        out.append(f"  project_id_or_name: {project}")
    out.append("data:")
    envs, files = s["data"]["env_vars"], s["data"]["files"]
    out.append("  env_vars:" if envs else "  env_vars: []")
    out += [f"  - name: {e['name']}" for e in envs]
    out.append("  files:" if files else "  files: []")
    out += [f"  - path: {f['path']}" for f in files]
    return "\n".join(out) + "\n"


class OrgSecrets(SemTest):
    def test_create_with_vars_and_files_then_get_and_delete(self):
        self.secret_values = ["your-access-value", "your-secret-value", "PRIVATE-KEY-BYTES"]
        key = self.sem.write("id_rsa", "-----PRIVATE-KEY-BYTES-----\n")
        pub = self.sem.write("id_rsa.pub", "ssh-ed25519 AAAA public\n")
        self.assertEqual(self.ok("create", "secret", "awskey",
                                 "-e", "AWS_ACCESS_KEY_ID=your-access-value",
                                 "-e", "AWS_SECRET_ACCESS_KEY=your-secret-value"),
                         "Secret 'awskey' created.\n")
        self.assertEqual(self.ok("create", "secret", "sshkeys",
                                 "-f", f"{key}:/home/semaphore/.ssh/id_rsa",
                                 "-f", f"{pub}:/home/semaphore/.ssh/id_rsa.pub"),
                         "Secret 'sshkeys' created.\n")
        table = self.ok("get", "secret")
        lines = table.splitlines()
        self.assertEqual(lines[0], "NAME      AGE")
        self.assertRegex(lines[1], r"^awskey    \d+[smhd]$")
        self.assertRegex(lines[2], r"^sshkeys   \d+[smhd]$")
        self.assertEqual([line.split()[0] for line in self.ok("get", "secrets").splitlines()],
                         ["NAME", "awskey", "sshkeys"])
        for name in ("awskey", "sshkeys"):
            s = self.api_ok("GET", f"/api/v1beta/secrets/{name}")
            self.assertEqual(self.ok("get", "secret", name), page_yaml(s))
            self.assertEqual(self.ok("get", "secret", s["metadata"]["id"]), page_yaml(s))
        self.assertEqual(self.ok("delete", "secret", "awskey"), "Secret 'awskey' deleted.\n")
        self.assertEqual(self.api("GET", "/api/v1beta/secrets/awskey").status, 404)
        self.fails("get", "secret", "awskey", contains="not found")
        self.fails("delete", "secret", "awskey", contains="not found")
        self.ok("delete", "secret", "sshkeys")

    def test_the_page_example_output_shape(self):
        self.ok("create", "secret", "pagekey", "-e", "AWS_ACCESS_KEY_ID=v1v1v1",
                "-e", "AWS_SECRET_ACCESS_KEY=v2v2v2")
        self.secret_values = ["v1v1v1", "v2v2v2"]
        out = self.ok("get", "secret", "pagekey")
        self.assertRegex(out, r"^apiVersion: v1beta\nkind: Secret\nmetadata:\n  name: pagekey\n"
                              r"  id: [0-9a-f-]{36}\n  create_time: \d+\n  update_time: \d+\n"
                              r"data:\n  env_vars:\n  - name: AWS_ACCESS_KEY_ID\n"
                              r"  - name: AWS_SECRET_ACCESS_KEY\n  files: \[\]\n$")
        self.ok("delete", "secret", "pagekey")

    def test_listing_follows_every_page(self):
        names = [f"paged-{i:03d}" for i in range(105)]
        for n in names:
            r = self.api("POST", "/api/v1beta/secrets",
                         {"metadata": {"name": n}, "data": {"env_vars": [{"name": "V", "value": "x"}]}})
            self.assertEqual(r.status, 200, r)
        lines = self.ok("get", "secrets").splitlines()
        listed = [line.split()[0] for line in lines[1:]]
        self.assertEqual([n for n in listed if n.startswith("paged-")], names)
        self.assertEqual(len(listed), len(set(listed)))
        width = max(len(n) for n in listed) + 3
        self.assertEqual(lines[0], "NAME".ljust(width) + "AGE")
        for line in lines[1:]:
            self.assertRegex(line[width:], r"^\d+[smhd]$")
        for n in names:
            self.api("DELETE", f"/api/v1beta/secrets/{n}")

    def test_binary_files_are_sent_as_base64_and_survive_a_later_update(self):
        data = bytes(range(256)) * 4 + b"\x00\xff"
        blob = self.sem.write("blob.bin", data)
        proxy = RecordingProxy(self.server.url)
        try:
            sem = Sem()
            self.assertEqual(sem.run("connect", proxy.url, self.token).returncode, 0)
            r = sem.run("create", "secret", "binary", "-f", f"{blob}:certs/blob.bin",
                        "-e", "NOTE=binary-note-value")
            self.assertEqual(r.returncode, 0, r.stderr)
            post = [q for q in proxy.requests if q[0] == "POST"]
            self.assertEqual(len(post), 1)
            body = json.loads(post[0][3])
            self.assertEqual(post[0][2].get("Content-Type"), "application/json")
            self.assertTrue(post[0][2].get("User-Agent").startswith("coffer-cli/"))
            self.assertEqual(base64.b64decode(body["data"]["files"][0]["content"]), data)
            self.assertEqual(body["data"]["files"][0]["path"], "certs/blob.bin")
            out = sem.run("get", "secret", "binary").stdout
            self.assertIn("  - path: certs/blob.bin\n", out)
            # A later update that keeps the file (empty content) still works and keeps it.
            before = self.api_ok("GET", "/api/v1beta/secrets/binary")
            ed = sem.script("ed", "sed -i 's/- name: NOTE/- name: NOTE\\n  - name: MORE\\n"
                                  "    value: more-value/' \"$1\"\n")
            r = sem.run("edit", "secret", "binary", env={"EDITOR": ed})
            self.assertEqual(r.returncode, 0, r.stderr)
            after = self.api_ok("GET", "/api/v1beta/secrets/binary")
            self.assertEqual(after["metadata"]["id"], before["metadata"]["id"])
            self.assertEqual(after["data"]["files"], [{"path": "certs/blob.bin", "content": ""}])
            self.assertEqual([e["name"] for e in after["data"]["env_vars"]], ["NOTE", "MORE"])
            patch = [q for q in proxy.requests if q[0] == "PATCH"]
            self.assertEqual(len(patch), 1)
            self.assertEqual(json.loads(patch[0][3])["data"]["files"],
                             [{"path": "certs/blob.bin", "content": ""}])
            b64 = base64.b64encode(data).decode()
            for out in sem.outputs + self.sem.outputs:
                self.assertNotIn(b64[:40], out)
                self.assertNotIn("binary-note-value", out)
            sem.cleanup()
        finally:
            proxy.close()
        self.ok("delete", "secret", "binary")

    def test_coffer_accepts_the_same_grammar(self):
        from clihelpers import COFFER
        r = self.sem.run("create", "secret", "viacoffer", "-e", "A=coffer-value", binary=COFFER)
        self.assertEqual((r.returncode, r.stdout), (0, "Secret 'viacoffer' created.\n"), r.stderr)
        r = self.sem.run("sem", "get", "secret", "viacoffer", binary=COFFER)
        self.assertIn("name: viacoffer", r.stdout)
        r = self.sem.run("delete", "secret", "viacoffer", binary=COFFER)
        self.assertEqual(r.stdout, "Secret 'viacoffer' deleted.\n")


class ProjectSecrets(SemTest):
    def setUp(self):
        super().setUp()
        self.assertEqual(self.ok("create", "project", "myproject"), "Project 'myproject' created.\n")
        self.project_id = self.api_ok("GET", "/api/v1alpha/projects/myproject")["metadata"]["id"]

    def tearDown(self):
        self.sem.run("delete", "project", "myproject")
        super().tearDown()

    def test_create_get_delete_with_p_and_i(self):
        self.secret_values = ["proj-value-1", "proj-value-2"]
        key = self.sem.write("id_rsa", "KEYKEYKEY")
        self.assertEqual(self.ok("create", "secret", "-p", "myproject", "awskey",
                                 "-e", "AWS_ACCESS_KEY_ID=proj-value-1",
                                 "-e", "AWS_SECRET_KEYID=proj-value-2"),
                         "Project secret 'awskey' created.\n")
        self.assertEqual(self.ok("create", "secret", "-i", self.project_id, "sshkeys",
                                 "-f", f"{key}:.ssh/id_rsa"),
                         "Project secret 'sshkeys' created.\n")
        table = self.ok("get", "secret", "-p", "myproject").splitlines()
        self.assertEqual([line.split()[0] for line in table], ["NAME", "awskey", "sshkeys"])
        by_id = self.ok("get", "secret", "-i", self.project_id).splitlines()
        self.assertEqual([line.split()[0] for line in by_id], ["NAME", "awskey", "sshkeys"])
        s = self.api_ok("GET", "/api/v1/projects/myproject/secrets/awskey")
        self.assertEqual(self.ok("get", "secret", "-p", "myproject", "awskey"),
                         page_yaml(s, "ProjectSecret", "v1", "myproject"))
        # Org secrets and project secrets are separate.
        self.assertEqual(self.ok("get", "secret").splitlines(), ["NAME   AGE"])
        self.fails("get", "secret", "awskey", contains="not found")
        self.assertEqual(self.ok("delete", "secret", "-p", "myproject", "awskey"),
                         "Project secret 'awskey' deleted.\n")
        self.assertEqual(self.ok("delete", "secret", "sshkeys", "-i", self.project_id),
                         "Project secret 'sshkeys' deleted.\n")
        self.assertEqual(self.ok("get", "secret", "-p", "myproject"), "NAME   AGE\n")

    def test_unknown_project_is_a_clear_error(self):
        self.fails("create", "secret", "-p", "nosuchproject", "x", "-e", "A=b",
                   contains="not found")
        self.fails("get", "secret", "-p", "nosuchproject", contains="not found")


class Projects(SemTest):
    def test_create_list_delete(self):
        self.assertEqual(self.ok("create", "project", "alpha", "--repo-url",
                                 "git@example.com:acme/alpha.git"), "Project 'alpha' created.\n")
        self.assertEqual(self.ok("create", "project", "b"), "Project 'b' created.\n")
        out = self.ok("get", "projects")
        self.assertEqual(out, "NAME    REPOSITORY\n"
                              "alpha   git@example.com:acme/alpha.git\n"
                              "b       \n")
        self.assertIn("name: alpha\n", self.ok("get", "project", "alpha"))
        self.fails("create", "project", "alpha", contains="alpha")
        self.assertEqual(self.ok("delete", "project", "alpha"), "Project 'alpha' deleted.\n")
        self.assertEqual(self.ok("delete", "project", "b"), "Project 'b' deleted.\n")
        self.assertEqual(self.ok("get", "projects"), "NAME   REPOSITORY\n")
        self.fails("delete", "project", "alpha", contains="not found")

    def test_project_listing_follows_x_has_more(self):
        for i in range(105):
            r = self.api("POST", "/api/v1alpha/projects",
                         {"metadata": {"name": f"prj-{i:03d}"}, "spec": {"repository": {"url": ""}}})
            self.assertEqual(r.status, 200, r)
        first = self.api("GET", "/api/v1alpha/projects?page=1")
        self.assertEqual(first.headers.get("x-has-more"), "true")
        names = [line.split()[0] for line in self.ok("get", "projects").splitlines()[1:]]
        self.assertEqual(sorted(n for n in names if n.startswith("prj-")),
                         [f"prj-{i:03d}" for i in range(105)])
        for i in range(105):
            self.api("DELETE", f"/api/v1alpha/projects/prj-{i:03d}")


class Help(unittest.TestCase):
    COMMANDS = [[], ["connect"], ["context"], ["create"], ["create", "secret"],
                ["create", "project"], ["get"], ["get", "secret"], ["get", "secrets"],
                ["get", "projects"], ["edit"], ["edit", "secret"], ["delete"],
                ["delete", "secret"], ["delete", "project"], ["apply"]]

    def test_every_command_has_help(self):
        sem = Sem()
        try:
            for cmd in self.COMMANDS:
                r = sem.run(*cmd, "--help")
                self.assertEqual(r.returncode, 0, (cmd, r.stderr))
                self.assertIn("Usage: sem", r.stdout, cmd)
                self.assertEqual(r.stderr, "")
            self.assertIn("-e,--env", sem.run("create", "secret", "--help").stdout)
            self.assertIn("-p,--project-name", sem.run("get", "secret", "--help").stdout)
        finally:
            sem.cleanup()

    def test_usage_errors_go_to_stderr_with_exit_code_1(self):
        sem = Sem()
        try:
            for cmd in (["frobnicate"], ["get"], ["create", "secret"], ["connect", "onlyhost"],
                        ["get", "secret", "a", "b"], ["create"], ["apply"]):
                r = sem.run(*cmd)
                self.assertEqual(r.returncode, 1, cmd)
                self.assertTrue(r.stderr.startswith("error: "), (cmd, r.stderr))
                self.assertEqual(r.stdout, "", cmd)
        finally:
            sem.cleanup()


if __name__ == "__main__":
    unittest.main()
