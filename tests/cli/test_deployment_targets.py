"""`sem create|get|edit|delete dt` against a real server. Credentials are
write-only (never in any output: reads show the server's fingerprints, and they reach a job
intact), rules are checked before any request, edits go in place (one PATCH by id), and
cordoning blocks jobs."""
import base64
import json
import os
import re
import sys
import time
import unittest

import yaml

sys.path.insert(0, os.path.dirname(__file__))
from clihelpers import RecordingProxy, Sem, SemTest, TripwireTest, call  # noqa: E402

PY = sys.executable
UUID = "31887bfb-fac5-4f5b-9a6a-059ecebcc851"
KEY_BYTES = b"\x00\x01binary-key-bytes\xff\n"
FINGERPRINT = re.compile(r"^[0-9a-f]{32}$")


class TargetTest(SemTest):
    """One project `web` per class; a target named after the test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ci = cls.server.user_token("ci", "Orchestrator")
        r = call(cls.server.url, "POST", "/api/v1alpha/projects", cls.token,
                 {"metadata": {"name": "web"}, "spec": {"repository": {"url": "git@x:web.git"}}})
        assert r.status == 200, r
        cls.pid = r.json["metadata"]["id"]

    def setUp(self):
        super().setUp()
        self.name = self._testMethodName.replace("test_", "")[:40].replace("_", "-")
        self.key = self.sem.write("key", KEY_BYTES)
        self.secret_values = ["aws-value-1", "deploy-env-1", "new-value-2", "replaced-value-3",
                              base64.b64encode(KEY_BYTES).decode()]

    def create(self, name=None, *extra, resource="dt"):
        # Rules fail closed (no subject rule admits nobody): give the ones a test does not.
        rules = () if ("-s" in extra or "-o" in extra) else ("-s", "ANY", "-o", "BRANCH,ALL")
        return self.ok("create", resource, name or self.name, "-p", "web",
                       "-e", "AWS_KEY=aws-value-1", "-e", "DEPLOY_ENV=deploy-env-1",
                       "-f", f"{self.key}:.ssh/id_rsa", *rules, *extra)

    def stored(self, name=None, secrets=False):
        return self.api_ok("GET", f"/api/v1alpha/deployment_targets/{name or self.name}"
                                  f"?project_id=web" + ("&include_secrets=true" if secrets else ""))

    def assertFingerprints(self, entries, key, names):
        """`entries` are (name, fingerprint) pairs: the names given, each value a fingerprint."""
        self.assertEqual([e[key] for e in entries], names)
        for e in entries:
            self.assertRegex(e["value" if key == "name" else "content"], FINGERPRINT)

    def open_job(self, target=None, ref="main", ref_type="BRANCH", trigger=None):
        body = {"project_id_or_name": "web", "secrets": [],
                "deployment_target": target or self.name,
                "git": {"ref_type": ref_type, "ref": ref, "fork": False},
                "triggered_by": trigger or {"type": "AUTO"}}
        return self.api("POST", "/api/v1alpha/jobs", body, token=self.ci)

    def checkout(self, target=None, ref="main"):
        r = self.open_job(target, ref=ref)
        self.assertEqual(r.status, 200, r)
        out = call(self.server.url, "GET", "/api/v1alpha/jobs/self/secrets", r.json["token"])
        self.assertEqual(out.status, 200, out)
        env = {e["name"]: e["value"] for e in out.json["env_vars"]}
        files = {f["path"]: base64.b64decode(f["content"]) for f in out.json["files"]}
        return env, files


class Targets(TargetTest):
    def test_create_with_every_flag(self):
        out = self.create(None, "-s", "AUTO", "-s", "user,u-123", "-s", "ROLE,Admin",
                          "-o", "BRANCH,REGEX,main|release-.*", "-o", "tag,exact,v1.0",
                          "-o", "PR,ALL", "-b", "region", "-d", "Production servers",
                          "-u", "https://prod.example.com")
        self.assertEqual(out, f"Deployment target '{self.name}' created.\n")
        dt = self.stored()
        self.assertEqual((dt["description"], dt["url"], dt["state"], dt["active"]),
                         ("Production servers", "https://prod.example.com", "USABLE", True))
        self.assertEqual(dt["bookmark_parameter1"], "region")
        self.assertEqual(dt["subject_rules"], [{"type": "AUTO", "subject_id": ""},
                                               {"type": "USER", "subject_id": "u-123"},
                                               {"type": "ROLE", "subject_id": "Admin"}])
        self.assertEqual(dt["object_rules"], [
            {"type": "BRANCH", "match_mode": "REGEX", "pattern": "main|release-.*"},
            {"type": "TAG", "match_mode": "EXACT", "pattern": "v1.0"},
            {"type": "PR", "match_mode": "ALL", "pattern": ""}])
        # Credentials only when asked for, and then as fingerprints, never values.
        self.assertNotIn("env_vars", dt)
        self.assertNotIn("files", dt)
        with_secrets = self.stored(secrets=True)
        self.assertFingerprints(with_secrets["env_vars"], "name", ["AWS_KEY", "DEPLOY_ENV"])
        self.assertFingerprints(with_secrets["files"], "path", [".ssh/id_rsa"])
        # The values reach a job run under the target, intact (binary file too).
        env, files = self.checkout()
        self.assertEqual(env, {"AWS_KEY": "aws-value-1", "DEPLOY_ENV": "deploy-env-1"})
        self.assertEqual(files, {".ssh/id_rsa": KEY_BYTES})
        # The rules hold: the regex is anchored, the tag rule exact.
        r = self.open_job(ref="maintenance")
        self.assertEqual(r.json["reasons"],
                         [f"Deployment target {self.name} does not allow branch maintenance"])
        self.assertEqual(self.open_job(ref="release-2").status, 200)
        self.assertEqual(self.open_job(ref="v1.0", ref_type="TAG").status, 200)
        self.assertEqual(self.open_job(ref="v1.01", ref_type="TAG").status, 403)

    def test_resource_names_and_a_target_without_credentials(self):
        for i, alias in enumerate(("dt", "deployment_target", "deployment-target",
                                   "deployment_targets", "dts")):
            r = self.sem.run("create", alias, f"{self.name}-{i}", "-p", "web")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout, f"Deployment target '{self.name}-{i}' created.\n")
            # Rules fail closed, and sem says so when a target is made without any.
            self.assertEqual(r.stderr,
                             "warning: no subject rules (-s): the target admits nobody; "
                             "add e.g. -s ANY\n"
                             "warning: no object rules (-o): the target admits no ref; "
                             "add e.g. -o 'BRANCH,EXACT,main'\n")
        self.assertEqual(self.stored(f"{self.name}-0", secrets=True)["env_vars"], [])
        self.assertEqual(self.stored(f"{self.name}-0")["subject_rules"], [])
        listed = self.ok("get", "deployment-targets", "-i", self.pid)
        for i in range(5):
            self.assertIn(f"   {self.name}-{i}   ", listed)
            self.ok("delete", "deployment_target", f"{self.name}-{i}", "-p", "web")

    def test_get_lists_semaphores_table_and_shows_yaml_without_values(self):
        self.create(None, "-s", "ANY", "-o", "BRANCH,EXACT,main", "-d", "Staging")
        lines = self.ok("get", "dt", "-p", "web").splitlines()
        self.assertEqual(re.split(r"\s{3,}", lines[0]),
                         ["DEPLOYMENT TARGET ID", "NAME", "CREATION TIME (UTC)", "STATE", "STATUS"])
        dt = self.stored()
        row = [line for line in lines if f" {self.name} " in line]
        self.assertEqual(len(row), 1, lines)
        cells = re.split(r"\s{3,}", row[0])
        self.assertEqual(cells[0], dt["id"])
        self.assertEqual(cells[1], self.name)
        self.assertRegex(cells[2], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
        self.assertEqual(cells[3:], ["USABLE", "active"])
        shown = self.ok("get", "dt", self.name, "-p", "web")
        self.assertTrue(shown.startswith(f"apiVersion: v1alpha\nkind: DeploymentTarget\n"
                                         f"metadata:\n  name: {self.name}\n"), shown)
        doc = yaml.safe_load(shown)
        self.assertEqual(doc["metadata"]["id"], dt["id"])
        self.assertEqual(doc["metadata"]["project_id"], self.pid)
        self.assertEqual(doc["metadata"]["description"], "Staging")
        self.assertEqual(doc["spec"]["state"], "USABLE")
        self.assertIs(doc["spec"]["active"], True)
        self.assertEqual(doc["spec"]["subject_rules"], [{"type": "ANY"}])
        self.assertEqual(doc["spec"]["object_rules"],
                         [{"type": "BRANCH", "match_mode": "EXACT", "pattern": "main"}])
        # The credentials as the server's fingerprints (the tripwire of tearDown checks that
        # no value is shown), the same ones the API gives.
        self.assertFingerprints(doc["spec"]["env_vars"], "name", ["AWS_KEY", "DEPLOY_ENV"])
        self.assertFingerprints(doc["spec"]["files"], "path", [".ssh/id_rsa"])
        self.assertEqual(doc["spec"]["env_vars"], self.stored(secrets=True)["env_vars"])
        self.assertEqual(doc["metadata"]["created_at"], dt["created_at"])
        self.assertRegex(dt["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        # By id, no project needed.
        self.assertEqual(self.ok("get", "dt", dt["id"]), shown)

    def test_delete(self):
        self.create()
        self.assertEqual(self.ok("delete", "dt", self.name, "-p", "web"),
                         f"Deployment target '{self.name}' deleted.\n")
        self.assertEqual(self.api("GET", f"/api/v1alpha/deployment_targets/{self.name}"
                                         f"?project_id=web").status, 404)
        self.fails("delete", "dt", self.name, "-p", "web",
                   contains=f"not found (deployment target '{self.name}', project 'web')")
        self.fails("get", "dt", self.name, "-p", "web", contains="not found")

    def test_server_refusals_are_clear(self):
        self.create()
        self.fails("create", "dt", self.name, "-p", "web", contains="already exists")
        self.fails("create", "dt", "x", "-p", "nope", contains="project 'nope'")
        self.fails("get", "dt", "-p", "nope", contains="project 'nope'")
        # A Member may see targets but not manage them.
        sem = Sem()
        try:
            member = self.server.user_token("member-dt", "Member")
            self.assertEqual(sem.run("connect", self.server.url, member).returncode, 0)
            r = sem.run("create", "dt", "m", "-p", "web")
            self.assertEqual(r.returncode, 1)
            self.assertTrue(r.stderr.startswith("error: "), r.stderr)
        finally:
            sem.cleanup()

    def test_cordon_with_edit_activate_and_deactivate(self):
        self.create()
        self.assertEqual(self.ok("edit", "dt", self.name, "-p", "web", "--deactivate"),
                         f"The deployment target '{self.name}' is inactive (cordoned: no job "
                         f"may use it).\n")
        self.assertEqual((self.stored()["state"], self.stored()["active"]), ("CORDONED", False))
        self.assertIn("   CORDONED   inactive\n", self.ok("get", "dt", "-p", "web"))
        r = self.open_job()
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.json["reasons"], [f"Deployment target {self.name} is cordoned"])
        self.assertEqual(self.ok("edit", "dt", self.name, "-p", "web", "-a"),
                         f"The deployment target '{self.name}' is active.\n")
        self.assertEqual(self.open_job().status, 200)
        self.fails("edit", "dt", self.name, "-p", "web", "-a", "-d", contains="not both")


class EditTargets(TargetTest):
    """The editor flow, through a recording proxy that shows every request."""

    def setUp(self):
        super().setUp()
        self.proxy = RecordingProxy(self.server.url)
        r = self.sem.run("connect", self.proxy.url, self.token)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.create(None, "-s", "AUTO", "-o", "BRANCH,EXACT,main")
        self.before = self.stored()
        self.proxy.requests.clear()

    def tearDown(self):
        self.proxy.close()
        leftovers = [f for f in os.listdir(self.sem.home) if f.startswith("sem-edit-")]
        self.assertEqual(leftovers, [], "the editor's temporary file was left behind")
        super().tearDown()

    def py_editor(self, code, name="ed.py"):
        p = os.path.join(self.sem.bin_dir, name)
        with open(p, "w") as f:
            f.write(f"#!{PY}\nimport sys, json, time, urllib.request\npath = sys.argv[1]\n"
                    f"text = open(path).read()\n{code}\n")
        os.chmod(p, 0o755)
        return p

    def edit(self, editor):
        return self.sem.run("edit", "dt", self.name, "-p", "web", env={"EDITOR": editor})

    def test_edit_updates_in_place(self):
        new_b64 = base64.b64encode(b"new-file-bytes").decode()
        self.secret_values.append(new_b64)
        shown = self.stored(secrets=True)
        ed = self.py_editor(
            "import re\n"
            # What is shown are fingerprints; the file's is left as it is (keep).
            f"assert {shown['files'][0]['content']!r} in text\n"
            "text = re.sub(r'  - name: DEPLOY_ENV\\n    value: \\S+\\n', '', text)\n"
            "text = re.sub(r'  - name: AWS_KEY\\n    value: \\S+\\n', '  - name: AWS_KEY\\n"
            "    value: replaced-value-3\\n  - name: ADDED\\n    value: new-value-2\\n', text)\n"
            f"text = re.sub(r'(  - path: .ssh/id_rsa\\n    content: \\S+\\n)', r'\\1"
            f"  - path: extra.txt\\n    content: {new_b64}\\n', text)\n"
            "text = text.replace('pattern: main', 'pattern: prod')\n"
            "text = text.replace('  description: \"\"', '  description: Edited')\n"
            "open(path, 'w').write(text)\n")
        r = self.edit(ed)
        self.assertEqual((r.returncode, r.stdout, r.stderr),
                         (0, f"Deployment target '{self.name}' updated.\n", ""))
        after = self.stored(secrets=True)
        self.assertEqual(after["id"], self.before["id"])
        self.assertEqual(after["description"], "Edited")
        self.assertEqual(after["object_rules"][0]["pattern"], "prod")
        self.assertEqual([e["name"] for e in after["env_vars"]], ["AWS_KEY", "ADDED"])
        self.assertEqual([f["path"] for f in after["files"]], [".ssh/id_rsa", "extra.txt"])
        tid = self.before["id"]
        self.assertEqual(self.proxy.methods(), [
            ("GET", f"/api/v1alpha/deployment_targets/{self.name}"),
            ("GET", f"/api/v1alpha/deployment_targets/{tid}"),  # changed meanwhile?
            ("PATCH", f"/api/v1alpha/deployment_targets/{tid}")])
        body = json.loads(self.proxy.requests[2][3])
        self.assertEqual(body["update_time"], self.before["update_time"])
        self.assertEqual(body["env_vars"], [{"name": "AWS_KEY", "value": "replaced-value-3"},
                                            {"name": "ADDED", "value": "new-value-2"}])
        # The fingerprint goes back as it was shown, and keeps the stored file.
        self.assertEqual(body["files"][0], shown["files"][0])
        self.assertNotIn("active", body)
        # Kept and replaced values reach the job (on the branch the edited rule allows).
        env, files = self.checkout(ref="prod")
        self.assertEqual(env, {"AWS_KEY": "replaced-value-3", "ADDED": "new-value-2"})
        self.assertEqual(files, {".ssh/id_rsa": KEY_BYTES, "extra.txt": b"new-file-bytes"})

    def test_an_unchanged_buffer_sends_nothing(self):
        comment = self.sem.script("comment", "sed -i 's/^# Credentials/# Read. Credentials/' \"$1\"\n")
        for ed in ("true", comment):
            self.proxy.requests.clear()
            r = self.edit(ed)
            self.assertEqual((r.returncode, r.stdout),
                             (0, f"Deployment target '{self.name}' not changed: nothing to save.\n"),
                             r.stderr)
            self.assertEqual([m for m, _ in self.proxy.methods()], ["GET"])
        self.assertEqual(self.stored(), self.before)

    def test_active_false_in_the_buffer_cordons(self):
        r = self.edit(self.sem.script("cordon", "sed -i 's/  active: true/  active: false/' \"$1\"\n"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.stored()["state"], "CORDONED")
        self.assertEqual(self.open_job().json["reasons"],
                         [f"Deployment target {self.name} is cordoned"])

    def test_invalid_edits_save_nothing(self):
        cases = [
            ("printf 'spec: [\\n' > \"$1\"\n", "not valid YAML: line"),
            ("sed -i 's/^  url:/  colour: red\\n  url:/' \"$1\"\n", "metadata.colour: unknown field"),
            ("sed -i 's/  state: USABLE/  state: CORDONED/' \"$1\"\n", "spec.state: cannot be changed"),
            ("sed -i 's/^  id: .*/  id: 00000000-0000-4000-8000-000000000000/' \"$1\"\n",
             "metadata.id: cannot be changed"),
            ("sed -i 's/^  project_id: .*/  project_id: other/' \"$1\"\n",
             "metadata.project_id: cannot be changed"),
            ("sed -i 's/match_mode: EXACT/match_mode: REGEX/; s/pattern: main/pattern: \"(\"/' \"$1\"\n",
             "spec.object_rules[0].pattern: not a valid regular expression"),
            ("sed -i 's/- type: AUTO/- type: GROUP/' \"$1\"\n", "spec.subject_rules[0].type"),
            ("sed -i 's/- type: AUTO/- type: USER/' \"$1\"\n",
             "spec.subject_rules[0].subject_id: required"),
            ("sed -i 's/  active: true/  active: yes please/' \"$1\"\n", "spec.active"),
            ("sed -i 's/- name: AWS_KEY/- name: 1AWS/' \"$1\"\n", "spec.env_vars[0].name"),
            ("sed -i 's/^kind: DeploymentTarget/kind: Secret/' \"$1\"\n",
             "unsupported resource kind 'Secret'"),
            (": > \"$1\"\n", "empty"),
        ]
        for i, (body, why) in enumerate(cases):
            self.proxy.requests.clear()
            r = self.edit(self.sem.script(f"bad{i}", body))
            self.assertEqual(r.returncode, 1, body)
            self.assertTrue(r.stderr.startswith("error: the edited deployment target is invalid: "),
                            r.stderr)
            self.assertIn(why, r.stderr)
            self.assertTrue(r.stderr.rstrip().endswith("nothing was saved"), r.stderr)
            self.assertEqual([m for m, _ in self.proxy.methods()], ["GET"], body)
        self.assertEqual(self.stored(), self.before)

    def test_a_rejected_update_says_why(self):
        self.ok("create", "dt", self.name + "-taken", "-p", "web", "-s", "ANY", "-o", "BRANCH,ALL")
        r = self.edit(self.sem.script("rename", f"sed -i 's/^  name: .*/  name: {self.name}-taken/' \"$1\"\n"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("already exists", r.stderr)
        self.assertIn("nothing was saved", r.stderr)
        self.assertEqual(self.stored(), self.before)

    def test_a_concurrent_change_is_a_conflict(self):
        # The editor plays the other user: it changes the target through the API while the
        # buffer is open (a second later: update_time counts seconds), then edits the buffer.
        other = json.dumps({"description": "someone else"})
        ed = self.py_editor(
            "time.sleep(1.1)\n"
            f"req = urllib.request.Request({self.server.url!r} + "
            f"'/api/v1alpha/deployment_targets/{self.before['id']}', data={other!r}.encode(), "
            f"method='PATCH', headers={{'Authorization': 'Token {self.token}', "
            f"'Content-Type': 'application/json'}})\n"
            "urllib.request.urlopen(req).read()\n"
            "import re\n"
            "open(path, 'w').write(re.sub(r'  - name: DEPLOY_ENV\\n    value: \\S+\\n', '', text))\n")
        r = self.edit(ed)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr, "error: the deployment target was changed by someone else "
                                   "since you opened it; nothing was saved\n")
        after = self.stored(secrets=True)
        self.assertEqual(after["description"], "someone else")
        self.assertEqual([e["name"] for e in after["env_vars"]], ["AWS_KEY", "DEPLOY_ENV"])

    def test_a_concurrent_delete_is_reported(self):
        ed = self.py_editor(
            f"req = urllib.request.Request({self.server.url!r} + "
            f"'/api/v1alpha/deployment_targets/{self.before['id']}', method='DELETE', "
            f"headers={{'Authorization': 'Token {self.token}'}})\n"
            "urllib.request.urlopen(req).read()\n"
            "import re\n"
            "open(path, 'w').write(re.sub(r'  - name: DEPLOY_ENV\\n    value: \\S+\\n', '', text))\n")
        r = self.edit(ed)
        self.assertEqual(r.returncode, 1)
        self.assertIn("deleted by someone else", r.stderr)


class BadTargetInput(TripwireTest):
    """Bad input is refused before any request: the context points at a tripwire."""

    def create(self, *flags, why):
        return self.refused("create", "dt", "prod", "-p", "web", *flags, why=why)

    def test_subject_rules(self):
        for arg, why in (("GROUP", "-s GROUP: unknown subject rule type GROUP (expected ANY, "
                                   "AUTO, USER or ROLE)"),
                         ("", "-s : expected TYPE[,ID]"),
                         ("USER", "-s USER: USER needs a user id"),
                         ("ROLE,", "-s ROLE,: ROLE needs a role name"),
                         ("ANY,bob", "-s ANY,bob: ANY takes no id"),
                         ("USER," + "u" * 256, "must be at most 255 characters")):
            self.create("-s", arg, why=why)

    def test_object_rules(self):
        for arg, why in (("BRANCH", "-o BRANCH: expected TYPE,MODE[,PATTERN]"),
                         ("COMMIT,ALL", "-o COMMIT,ALL: unknown object rule type COMMIT "
                                        "(expected BRANCH, TAG or PR)"),
                         ("BRANCH,GLOB,m*", "unknown match mode GLOB (expected ALL, EXACT or REGEX)"),
                         ("BRANCH,EXACT", "-o BRANCH,EXACT: EXACT needs a pattern"),
                         ("TAG,REGEX,", "-o TAG,REGEX,: REGEX needs a pattern"),
                         ("BRANCH,ALL,main", "ALL takes no pattern"),
                         ("BRANCH,REGEX,(", "not a valid regular expression"),
                         ("BRANCH,EXACT," + "m" * 256, "the pattern must be at most 255")):
            self.create("-o", arg, why=why)

    def test_env_and_file_flags_as_for_secrets(self):
        ok = self.sem.write("ok.txt", "hidden-value")
        empty = self.sem.write("empty.txt", "")
        for flags, why in ((["-e", "FOO"], "-e FOO: expected NAME=VALUE"),
                           (["-e", "hidden-value"], "-e: expected NAME=VALUE"),
                           (["-e", "1FOO=hidden-value"], "-e 1FOO=...: the name must match"),
                           (["-e", "FOO="], "-e FOO=: the value must not be empty"),
                           (["-e", "A=hidden-value", "-e", "A=hidden-value"], "A is given twice"),
                           (["-f", "nocolon"], "expected LOCAL_PATH:REMOTE_PATH"),
                           (["-f", f"{ok}:../x"], "'..' segment"),
                           (["-f", "/nonexistent/file:x"], "cannot read /nonexistent/file"),
                           (["-f", f"{empty}:x"], "is empty"),
                           (["-f", f"{ok}:x", "-f", f"{ok}:x"], "the remote path x is given twice")):
            self.create(*flags, why=why)
        err = self.refused("create", "dt", "prod", "-p", "web", "-e", "A=hidden", "hidden-value",
                           why="unexpected extra arguments")
        self.assertNotIn("hidden", err)

    def test_plain_flags_and_names(self):
        self.create("-d", "d" * 256, why="-d: must be at most 255 characters")
        self.create("-u", "u" * 2049, why="-u: must be at most 2048 characters")
        self.create("-b", "1", "-b", "2", "-b", "3", "-b", "4", why="-b: at most 3")
        self.refused("create", "dt", "bad name", "-p", "web",
                     why="deployment target name 'bad name'")
        self.refused("create", "dt", "-p", "web", why="name is required")
        self.refused("create", "dt", "prod", "-p", "bad name", why="(a project name)")
        self.refused("create", "dt", "prod", "-p", "web", "-i", UUID, why="not both")
        self.refused("create", "dt", "prod", "-i", "not-a-uuid", why="expected a project id")

    def test_a_project_is_needed_unless_the_target_is_an_id(self):
        why = "give the project with -p PROJECT_NAME or -i PROJECT_ID"
        self.refused("create", "dt", "prod", why=why)
        self.refused("get", "dt", why=why)
        self.refused("get", "dt", "prod", why=why)
        self.refused("edit", "dt", "prod", why=why)
        self.refused("edit", "dt", "prod", "--deactivate", why=why)
        self.refused("delete", "dt", "prod", why=why)
        self.refused("delete", "dt", "bad name", "-p", "web", why="deployment target name")
        self.refused("edit", "dt", "prod", "-p", "web", "-a", "-d", why="not both")


if __name__ == "__main__":
    unittest.main()
