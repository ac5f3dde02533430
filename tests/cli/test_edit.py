"""`sem edit secret NAME` with a scripted $EDITOR. The secret is updated in place
(same id, one PATCH, never delete-and-recreate); an unchanged buffer sends nothing; invalid
YAML, a rejected update and a concurrent change save nothing and say why."""
import base64
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from clihelpers import RecordingProxy, Sem, SemTest  # noqa: E402

PY = sys.executable


class Edit(SemTest):
    def setUp(self):
        super().setUp()
        # The same HOME, connected through a recording proxy: every request is visible.
        self.proxy = RecordingProxy(self.server.url)
        r = self.sem.run("connect", self.proxy.url, self.token)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.key = self.sem.write("key", b"\x01\x02old-key-bytes")
        self.assertEqual(self.sem.run("create", "secret", "editme", "-e", "KEEP=keep-value-1",
                                      "-e", "CHANGE=change-value-1", "-e", "DROP=drop-value-1",
                                      "-f", f"{self.key}:.ssh/id_rsa").returncode, 0)
        self.secret_values = ["keep-value-1", "change-value-1", "drop-value-1", "new-value-2",
                              "changed-value-2", base64.b64encode(b"new-file-bytes").decode()]
        self.before = self.api_ok("GET", "/api/v1beta/secrets/editme")
        self.proxy.requests.clear()

    def tearDown(self):
        self.api("DELETE", "/api/v1beta/secrets/editme")
        self.proxy.close()
        leftovers = [f for f in os.listdir(self.sem.home) if f.startswith("sem-edit-")]
        self.assertEqual(leftovers, [], "the editor's temporary file was left behind")
        super().tearDown()

    def editor(self, body, name="ed"):
        return self.sem.script(name, body)

    def py_editor(self, code, name="ed.py"):
        p = os.path.join(self.sem.bin_dir, name)
        with open(p, "w") as f:
            f.write(f"#!{PY}\nimport sys, json, urllib.request\npath = sys.argv[1]\n"
                    f"text = open(path).read()\n{code}\n")
        os.chmod(p, 0o755)
        return p

    def edit(self, editor, *extra, env=None):
        e = {"EDITOR": editor}
        e.update(env or {})
        return self.sem.run("edit", "secret", "editme", *extra, env=e)

    def stored(self):
        return self.api_ok("GET", "/api/v1beta/secrets/editme")

    def test_edit_updates_in_place_keeping_the_id(self):
        new_b64 = base64.b64encode(b"new-file-bytes").decode()
        ed = self.py_editor(
            "text = text.replace('  - name: DROP\\n', '')\n"
            "text = text.replace('  - name: CHANGE\\n', '  - name: CHANGE\\n    value: changed-value-2\\n')\n"
            "text = text.replace('  files:\\n', '  - name: ADDED\\n    value: new-value-2\\n  files:\\n')\n"
            f"text = text.replace('  - path: .ssh/id_rsa\\n', '  - path: .ssh/id_rsa\\n    content: {new_b64}\\n"
            f"  - path: extra.txt\\n    content: {new_b64}\\n')\n"
            "open(path, 'w').write(text)\n")
        r = self.edit(ed)
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, "Secret 'editme' updated.\n", ""))
        after = self.stored()
        self.assertEqual(after["metadata"]["id"], self.before["metadata"]["id"])
        self.assertEqual(after["metadata"]["create_time"], self.before["metadata"]["create_time"])
        self.assertGreater(int(after["metadata"]["update_time"]),
                           int(self.before["metadata"]["update_time"]))
        self.assertEqual([e["name"] for e in after["data"]["env_vars"]], ["KEEP", "CHANGE", "ADDED"])
        self.assertEqual([f["path"] for f in after["data"]["files"]], [".ssh/id_rsa", "extra.txt"])
        # Exactly one GET and one PATCH of the secret's id, with the guard; no DELETE, no POST.
        sid = self.before["metadata"]["id"]
        self.assertEqual(self.proxy.methods(), [("GET", "/api/v1beta/secrets/editme"),
                                                ("PATCH", f"/api/v1beta/secrets/{sid}")])
        body = json.loads(self.proxy.requests[1][3])
        self.assertEqual(body["metadata"]["update_time"], self.before["metadata"]["update_time"])
        self.assertEqual(body["data"]["env_vars"], [{"name": "KEEP", "value": ""},
                                                    {"name": "CHANGE", "value": "changed-value-2"},
                                                    {"name": "ADDED", "value": "new-value-2"}])
        self.assertEqual(body["data"]["files"][0], {"path": ".ssh/id_rsa", "content": new_b64})

    def test_the_buffer_hides_values_and_says_how_to_keep_them(self):
        copy = self.sem.path("seen.yaml")
        r = self.edit(self.editor(f'cp "$1" {copy}\n'))
        self.assertEqual(r.returncode, 0, r.stderr)
        seen = open(copy).read()
        self.assertIn("# Values are hidden", seen)
        self.assertIn("empty or missing keeps what is stored", seen.replace("\n# ", " "))
        self.assertIn("kind: Secret\n", seen)
        self.assertIn("  - name: KEEP\n", seen)
        self.assertNotIn("value:", seen)
        self.assertNotIn("content:", seen)

    def test_an_unchanged_buffer_sends_nothing(self):
        for ed in ("true", self.editor("# touch only\n", "noop"),
                   self.editor("sed -i 's/^# Values/# I read this. Values/' \"$1\"\n", "comment")):
            self.proxy.requests.clear()
            r = self.edit(ed)
            self.assertEqual((r.returncode, r.stdout), (0, "Secret 'editme' not changed: nothing to save.\n"),
                             r.stderr)
            self.assertEqual([m for m, _ in self.proxy.methods()], ["GET"])
        self.assertEqual(self.stored(), self.before)

    def test_invalid_yaml_saves_nothing(self):
        cases = [
            ("printf 'metadata: [\\n' > \"$1\"\n", "not valid YAML: line"),
            ("sed -i 's/  name: editme/  name: editme\\n  colour: red/' \"$1\"\n",
             "metadata.colour: unknown field"),
            ("sed -i 's/- name: KEEP/- name: 1KEEP/' \"$1\"\n", "data.env_vars[0].name"),
            ("sed -i 's/- path: .ssh\\/id_rsa/- path: ..\\/id_rsa/' \"$1\"\n", "data.files[0].path"),
            ("sed -i 's/^kind: Secret/kind: ProjectSecret/; s/^apiVersion: v1beta/apiVersion: v1/' \"$1\"\n",
             "kind: must stay Secret"),
            ("sed -i 's/^  id: .*/  id: 00000000-0000-4000-8000-000000000000/' \"$1\"\n",
             "metadata.id: cannot be changed"),
            ("sed -i 's/^  update_time: .*/  update_time: 5/' \"$1\"\n", "metadata.update_time"),
            ("sed -i 's/- path: .ssh\\/id_rsa/- path: .ssh\\/id_rsa\\n    content: not-base64!/' \"$1\"\n",
             "data.files[0].content: must be base64"),
            (": > \"$1\"\n", "empty"),
        ]
        for i, (body, why) in enumerate(cases):
            self.proxy.requests.clear()
            r = self.edit(self.editor(body, f"bad{i}"))
            self.assertEqual(r.returncode, 1, body)
            self.assertTrue(r.stderr.startswith("error: the edited secret is invalid: "), r.stderr)
            self.assertIn(why, r.stderr)
            self.assertTrue(r.stderr.rstrip().endswith("nothing was saved"), r.stderr)
            self.assertEqual([m for m, _ in self.proxy.methods()], ["GET"], body)
        self.assertEqual(self.stored(), self.before)

    def test_a_rejected_update_says_why_and_saves_nothing(self):
        self.assertEqual(self.sem.run("create", "secret", "taken", "-e", "A=aaaa").returncode, 0)
        r = self.edit(self.editor("sed -i 's/^  name: editme/  name: taken/' \"$1\"\n"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("already exists", r.stderr)
        self.assertIn("nothing was saved", r.stderr)
        self.assertNotIn("someone else", r.stderr)
        r = self.edit(self.editor(
            "sed -i 's/^data:/org_config:\\n  projects_access: ALLOWED\\n  project_ids:\\n"
            "  - 00000000-0000-4000-8000-000000000000\\ndata:/' \"$1\"\n", "policy"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("org_config.project_ids", r.stderr)
        self.assertEqual(self.stored(), self.before)
        self.api("DELETE", "/api/v1beta/secrets/taken")

    def test_a_concurrent_change_is_a_conflict(self):
        # The editor script plays the other user: it changes the secret through the API
        # while the buffer is open, then edits the buffer.
        other = json.dumps({"data": {"env_vars": [{"name": "KEEP", "value": ""},
                                                  {"name": "OTHER", "value": "other-value"}],
                                     "files": [{"path": ".ssh/id_rsa", "content": ""}]}})
        ed = self.py_editor(
            f"req = urllib.request.Request({self.server.url!r} + '/api/v1beta/secrets/editme', "
            f"data={other!r}.encode(), method='PATCH', headers={{'Authorization': "
            f"'Token {self.token}', 'Content-Type': 'application/json'}})\n"
            "urllib.request.urlopen(req).read()\n"
            "open(path, 'w').write(text.replace('  - name: DROP\\n', ''))\n")
        self.secret_values.append("other-value")
        r = self.edit(ed)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr, "error: the secret was changed by someone else since you "
                                   "opened it; nothing was saved\n")
        after = self.stored()
        self.assertEqual([e["name"] for e in after["data"]["env_vars"]], ["KEEP", "OTHER"])

    def test_a_concurrent_delete_is_reported(self):
        ed = self.py_editor(
            f"req = urllib.request.Request({self.server.url!r} + '/api/v1beta/secrets/editme', "
            f"method='DELETE', headers={{'Authorization': 'Token {self.token}'}})\n"
            "urllib.request.urlopen(req).read()\n"
            "open(path, 'w').write(text.replace('  - name: DROP\\n', ''))\n")
        r = self.edit(ed)
        self.assertEqual(r.returncode, 1)
        self.assertIn("deleted by someone else", r.stderr)

    def test_a_failing_editor_saves_nothing(self):
        r = self.edit(self.editor("sed -i 's/- name: DROP//' \"$1\"\nexit 3\n"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("exited with status 3", r.stderr)
        self.assertIn("nothing was saved", r.stderr)
        r = self.edit("/nonexistent/editor")
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot run the editor", r.stderr)
        self.assertEqual(self.stored(), self.before)

    def test_editor_choice_editor_then_visual_then_vi(self):
        drop = "sed -i 's/  - name: DROP//' \"$1\"\n"
        self.editor(drop, "vi")  # on PATH: used when neither EDITOR nor VISUAL is set
        self.editor("exit 9\n", "visual-ed")
        self.editor("exit 8\n", "editor-ed")
        r = self.sem.run("edit", "secret", "editme", env={"EDITOR": "editor-ed", "VISUAL": "visual-ed"})
        self.assertIn("status 8", r.stderr)
        r = self.sem.run("edit", "secret", "editme", env={"VISUAL": "visual-ed"})
        self.assertIn("status 9", r.stderr)
        r = self.sem.run("edit", "secret", "editme")
        self.assertEqual((r.returncode, r.stdout), (0, "Secret 'editme' updated.\n"), r.stderr)
        self.assertNotIn("DROP", [e["name"] for e in self.stored()["data"]["env_vars"]])

    def test_an_editor_with_arguments(self):
        self.editor('[ "$1" = "--wait" ] || exit 4\nsed -i "s/  - name: DROP//" "$2"\n', "code")
        r = self.edit("code --wait")
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_description_and_policy_are_shown_and_kept(self):
        self.api_ok("PATCH", "/api/v1beta/secrets/editme",
                    {"metadata": {"description": "deploy keys"},
                     "org_config": {"projects_access": "NONE", "debug_access": "JOB_DEBUG_NO"}})
        shown = self.sem.run("get", "secret", "editme").stdout
        self.assertIn("  description: \"deploy keys\"\n", shown)
        self.assertIn("org_config:\n  projects_access: NONE\n  project_ids: []\n"
                      "  debug_access: JOB_DEBUG_NO\n  attach_access: JOB_ATTACH_YES\n", shown)
        r = self.edit(self.editor("sed -i 's/  - name: DROP//' \"$1\"\n"))
        self.assertEqual(r.returncode, 0, r.stderr)
        after = self.stored()
        self.assertEqual(after["metadata"]["description"], "deploy keys")
        self.assertEqual(after["org_config"]["projects_access"], "NONE")
        self.assertEqual(after["org_config"]["debug_access"], "JOB_DEBUG_NO")
        r = self.edit(self.editor("sed -i 's/projects_access: NONE/projects_access: ALL/' \"$1\"\n",
                                  "open"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.stored()["org_config"]["projects_access"], "ALL")

    def test_edit_a_project_secret(self):
        self.assertEqual(self.sem.run("create", "project", "edp").returncode, 0)
        self.assertEqual(self.sem.run("create", "secret", "-p", "edp", "ps", "-e", "A=pa-value",
                                      "-e", "B=pb-value").returncode, 0)
        self.secret_values.append("pa-value")
        before = self.api_ok("GET", "/api/v1/projects/edp/secrets/ps")
        ed = self.editor("grep -q '^kind: ProjectSecret' \"$1\"\nsed -i 's/  - name: B//' \"$1\"\n")
        r = self.sem.run("edit", "secret", "ps", "-p", "edp", env={"EDITOR": ed})
        self.assertEqual((r.returncode, r.stdout), (0, "Project secret 'ps' updated.\n"), r.stderr)
        after = self.api_ok("GET", "/api/v1/projects/edp/secrets/ps")
        self.assertEqual(after["metadata"]["id"], before["metadata"]["id"])
        self.assertEqual([e["name"] for e in after["data"]["env_vars"]], ["A"])
        self.assertEqual(self.sem.run("delete", "project", "edp").returncode, 0)


if __name__ == "__main__":
    unittest.main()
