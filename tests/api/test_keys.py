"""Key rotation and master key sources, on real server processes (issue 12 points 3 and 4).

- a rotation through the admin API while 16 clients read and write: no failed request,
  every value the same before and after, read back through job checkouts;
- a rotation killed (SIGKILL) half-way, in the server and in `coffer keys rotate
  --data-dir`, resumes where it stopped, and then the old key wraps nothing;
- `coffer keys retire` refuses the current key and a key still in use;
- --master-key-command: a failure and a hang are one clear sentence and the server exits;
- `coffer keys rewrap-master`: then the old master key fails with a clear sentence and the
  new one opens the store.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import jsonschema

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
sys.path.insert(0, os.path.dirname(__file__))
from harness import COFFER, Server, call  # noqa: E402
from test_openapi import load_doc, resolve  # noqa: E402


def assert_documented(test, method, template, reply):
    """`reply` validates against docs/openapi.yaml's schema for `method template`."""
    doc = load_doc()
    op = doc["paths"][template][method.lower()]
    resp = resolve(doc, op["responses"].get(str(reply.status)) or op["responses"]["default"])
    schema = resp["content"]["application/json"]["schema"]
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in jsonschema.Draft7Validator(schema).iter_errors(reply.json)]
    test.assertEqual(errors, [], f"{method} {template}")


def keys(*args, token=None, check=True):
    env = dict(os.environ)
    if token is not None:
        env["COFFER_TOKEN"] = token
    r = subprocess.run([COFFER, "keys", *args], capture_output=True, text=True, env=env,
                       timeout=300)
    if check and r.returncode != 0:
        raise AssertionError(f"coffer keys {' '.join(args)} failed: {r.stdout}{r.stderr}")
    return r


def status_table(out):
    """`coffer keys status` output as {id: (state, data_keys)}."""
    lines = out.strip().splitlines()
    assert lines[0].split() == ["ID", "STATE", "CREATED", "RETIRED", "DATA", "KEYS"], lines[0]
    rows = {}
    for line in lines[1:]:
        cells = line.split()
        rows[int(cells[0])] = (cells[1], int(cells[4]))
    return rows


def new_dir():
    return tempfile.mkdtemp(prefix="coffer-keys-")


def restart(old, **kw):
    """A server on `old`'s data directory; `old`'s admin token still works there."""
    s = Server(data_dir=old.data_dir, expect_token=False, **kw)
    s.token = old.token
    return s


class Fixture:
    """Helpers over one server: secrets, and reading values the way a job does."""

    def __init__(self, server):
        self.s = server
        self.url = server.url
        self.token = server.token
        self.ci = server.user_token("ci", "Orchestrator")
        r = call(self.url, "POST", "/api/v1alpha/projects", server.token, body={
            "apiVersion": "v1alpha", "kind": "Project", "metadata": {"name": "rot"},
            "spec": {"repository": {"url": "git@example.com:acme/rot.git"}}})
        assert r.status == 200, r

    def on(self, server):
        self.s, self.url = server, server.url
        return self

    @staticmethod
    def env(name):
        return "V_" + name.upper()  # one env var per secret: none shadows another

    def create(self, name, value):
        r = call(self.url, "POST", "/api/v1beta/secrets", self.token, body={
            "metadata": {"name": name},
            "data": {"env_vars": [{"name": self.env(name), "value": value}], "files": []}})
        assert r.status == 200, r

    def update(self, name, value):
        return call(self.url, "PATCH", f"/api/v1beta/secrets/{name}", self.token,
                    body={"data": {"env_vars": [{"name": self.env(name), "value": value}]}})

    def checkout(self, names):
        """{name: value} of `names` as a job of project rot checks them out; None on a
        failed request."""
        r = call(self.url, "POST", "/api/v1alpha/jobs", self.ci, body={
            "project_id_or_name": "rot", "secrets": names,
            "git": {"ref_type": "BRANCH", "ref": "main", "fork": False},
            "triggered_by": {"type": "AUTO"}})
        if r.status != 200:
            return None, r
        job = r.json
        out = call(self.url, "GET", f"/api/v1alpha/jobs/{job['job_id']}/secrets", job["token"])
        call(self.url, "POST", f"/api/v1alpha/jobs/{job['job_id']}/finish", self.ci)
        if out.status != 200:
            return None, out
        return {e["secret"]: e["value"] for e in out.json["env_vars"]}, out


class RotationUnderLoad(unittest.TestCase):
    def test_rotation_while_16_clients_read_and_write(self):
        d = new_dir()
        with Server(data_dir=d) as s:
            f = Fixture(s)
            static = {f"static{i}": f"static-value-{i}" for i in range(40)}
            for name, value in static.items():
                f.create(name, value)
            # Each client owns one secret it rewrites; several versions each before the start.
            owned = {f"owned{t}": f"owned-{t}-v0" for t in range(16)}
            for name, value in owned.items():
                f.create(name, value)
                for v in range(1, 3):
                    owned[name] = f"owned-{name}-v{v}"
                    self.assertEqual(f.update(name, owned[name]).status, 200)
            before = status_table(keys("status", "--data-dir", s.data_dir).stdout)
            self.assertEqual(before, {1: ("current", 40 + 16 * 3)})

            failures, checks = [], [0]
            lock = threading.Lock()
            done = threading.Event()

            def client(t):
                mine = f"owned{t}"
                names = [mine] + [f"static{(t * 5 + k) % 40}" for k in range(5)]
                n = 0
                while not done.is_set() or n < 3:
                    n += 1
                    if n % 2 == 0:
                        value = f"owned-{mine}-w{n}"
                        r = f.update(mine, value)
                        if r.status != 200:
                            with lock:
                                failures.append(("update", r))
                            continue
                        owned[mine] = value
                    got, r = f.checkout(names)
                    with lock:
                        checks[0] += 1
                        if got is None:
                            failures.append(("checkout", r))
                            continue
                        want = {k: static.get(k, owned.get(k)) for k in names}
                        if got != want:
                            failures.append(("value", got, want))

            threads = [threading.Thread(target=client, args=(t,)) for t in range(16)]
            for th in threads:
                th.start()
            # Small batches with a pause, so the rotation overlaps the clients' requests.
            r = keys("rotate", "--server", s.url, "--batch-size", "4", "--pause", "50",
                     token=s.token)
            done.set()
            for th in threads:
                th.join()
            self.assertEqual(failures, [])
            self.assertGreater(checks[0], 16)
            self.assertIn("Rotated to key 2:", r.stdout)
            self.assertIn("0 failed", r.stdout)

            after = status_table(keys("status", "--server", s.url, token=s.token).stdout)
            self.assertEqual(after[1], ("live", 0))
            self.assertEqual(after[2][0], "current")
            # Every value the same after, as a job reads it.
            got, _ = f.checkout(list(static))
            self.assertEqual(got, static)
            got, _ = f.checkout(list(owned))
            self.assertEqual(got, owned)
            # Key 1 wraps nothing now: it may go, and values still open after a restart.
            keys("retire", "1", "--server", s.url, token=s.token)
            # Both are in the audit log, by the Owner, naming key ids only.
            done, page_token = set(), ""
            while True:
                page = call(s.url, "GET", f"/api/v1alpha/audit?page_token={page_token}",
                            s.token).json
                done |= {(e["action"], e["resource_id"], e["actor_name"])
                         for e in page["events"] if e["resource_type"] == "key"}
                page_token = page["next_page_token"]
                if not page_token:
                    break
            self.assertEqual(done, {("key.rotate", "2", "admin"), ("key.retire", "1", "admin")})
            s.stop()
            # The log (flushed at exit) has the counts.
            # (skipped: old versions the clients' writes destroyed meanwhile, max_versions)
            self.assertTrue(re.search(r"key rotation to key 2: finished (\d+)/\1 data keys "
                                      r"\(rewrapped \d+, resealed from format v1 0, skipped \d+, "
                                      r"failed 0\)", s.stderr()),
                            [l for l in s.stderr().splitlines() if "key rotation" in l][-2:])
        with restart(s) as again:
            got, _ = f.on(again).checkout(list(static))
            self.assertEqual(got, static)
        shutil.rmtree(d, ignore_errors=True)


class Interrupted(unittest.TestCase):
    def make_secrets(self, f, n=60):
        values = {f"k{i}": f"value-{i}" for i in range(n)}
        for name, value in values.items():
            f.create(name, value)
        return values

    def wait_for_progress(self, s, at_least):
        deadline = time.time() + 60
        while time.time() < deadline:
            r = call(s.url, "GET", "/api/v1alpha/keys/rotation", s.token)
            self.assertEqual(r.status, 200, r)
            if r.json["done"] >= at_least:
                return r.json
            time.sleep(0.01)
        self.fail("the rotation made no progress")

    def test_server_killed_mid_rotation_resumes(self):
        s = Server(data_dir=new_dir())
        try:
            f = Fixture(s)
            values = self.make_secrets(f)
            r = call(s.url, "POST", "/api/v1alpha/keys/rotate?batch_size=1&pause_ms=30", s.token)
            self.assertEqual(r.status, 202, r)
            self.assertEqual((r.json["to_key"], r.json["total"], r.json["resumed"]), (2, 60, False))
            p = self.wait_for_progress(s, 5)
            self.assertEqual(p["state"], "running")
            s.proc.send_signal(signal.SIGKILL)
            s.proc.wait()
            mid = status_table(keys("status", "--data-dir", s.data_dir).stdout)
            self.assertEqual(mid[2][0], "current")
            self.assertGreater(mid[1][1], 0)  # really interrupted
            self.assertGreater(mid[2][1], 0)
            self.assertEqual(mid[1][1] + mid[2][1], 60)
        finally:
            if s.proc.poll() is None:
                s.proc.kill()
                s.proc.wait()
        with restart(s) as again:
            got, _ = f.on(again).checkout(list(values))  # what is under key 1 or 2 opens
            self.assertEqual(got, values)
            r = keys("rotate", "--server", again.url, "--batch-size", "7", token=s.token)
            self.assertIn("Resuming the rotation to key 2", r.stderr)
            after = status_table(keys("status", "--server", again.url, token=s.token).stdout)
            self.assertEqual(after, {1: ("live", 0), 2: ("current", 60)})  # no key 3
            got, _ = f.checkout(list(values))
            self.assertEqual(got, values)
        shutil.rmtree(s.data_dir, ignore_errors=True)

    def test_offline_rotate_killed_mid_way_resumes(self):
        with Server(data_dir=new_dir()) as s:
            f = Fixture(s)
            values = self.make_secrets(f, 40)
            s.stop()
        proc = subprocess.Popen([COFFER, "keys", "rotate", "--data-dir", s.data_dir,
                                 "--batch-size", "1", "--pause", "30"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        mid = None
        while time.time() < deadline:
            mid = status_table(keys("status", "--data-dir", s.data_dir).stdout)
            if 2 in mid and mid[2][1] >= 5:
                break
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        mid = status_table(keys("status", "--data-dir", s.data_dir).stdout)
        self.assertGreater(mid[1][1], 0)
        self.assertGreater(mid[2][1], 0)
        r = keys("rotate", "--data-dir", s.data_dir, "--batch-size", "10")
        self.assertIn("Resuming the rotation to key 2", r.stderr)
        self.assertIn("re-wrapped", r.stdout)
        self.assertEqual(status_table(keys("status", "--data-dir", s.data_dir).stdout),
                         {1: ("live", 0), 2: ("current", 40)})
        with restart(s) as again:
            got, _ = f.on(again).checkout(list(values))
            self.assertEqual(got, values)
        shutil.rmtree(s.data_dir, ignore_errors=True)


class Retire(unittest.TestCase):
    def test_retire_refusals(self):
        with Server() as s:
            f = Fixture(s)
            f.create("one", "one-value")
            f.create("two", "two-value")
            r = keys("retire", "1", "--server", s.url, token=s.token, check=False)
            self.assertEqual(r.returncode, 1)
            self.assertEqual(r.stderr.strip(),
                             "error: key 1 is the current key; rotate to a new key first")
            # A new current key; the rotation pauses (a minute) after its first batch of one.
            key = call(s.url, "POST", "/api/v1alpha/keys/rotate?batch_size=1&pause_ms=60000",
                       s.token)
            self.assertEqual(key.status, 202, key)
            assert_documented(self, "POST", "/api/v1alpha/keys/rotate", key)
            again = call(s.url, "POST", "/api/v1alpha/keys/rotate", s.token)
            self.assertEqual(again.status, 412, again)
            self.assertEqual(again.json["message"], "a key rotation is running already")
            assert_documented(self, "GET", "/api/v1alpha/keys/rotation",
                              call(s.url, "GET", "/api/v1alpha/keys/rotation", s.token))
            r = keys("retire", "1", "--server", s.url, token=s.token, check=False)
            self.assertEqual(r.returncode, 1)
            self.assertIn("key 1 still wraps", r.stderr)
            self.assertIn("run coffer keys rotate first", r.stderr)
            r = keys("retire", "9", "--data-dir", s.data_dir, check=False)
            self.assertEqual(r.stderr.strip(), "error: there is no key 9")
            # Only an Owner of the first organization sees the keyring.
            member = s.user_token("member", "Member")
            self.assertEqual(call(s.url, "GET", "/api/v1alpha/keys", member).status, 404)
            s.admin("create-org", "other")
            other = s.user_token("boss", "Owner", org="other")
            self.assertEqual(call(s.url, "GET", "/api/v1alpha/keys", other).status, 404)
            self.assertEqual(
                call(s.url, "POST", "/api/v1alpha/keys/2/retire", other).status, 404)
            listed = call(s.url, "GET", "/api/v1alpha/keys", s.token)
            self.assertEqual(listed.status, 200)
            assert_documented(self, "GET", "/api/v1alpha/keys", listed)
            self.assertEqual([(k["id"], k["state"]) for k in listed.json["keys"]],
                             [(1, "live"), (2, "current")])
            refused = call(s.url, "POST", "/api/v1alpha/keys/2/retire", s.token)
            self.assertEqual(refused.status, 412, refused)
            assert_documented(self, "POST", "/api/v1alpha/keys/{id}/retire", refused)
            body = json.dumps(listed.json)
            self.assertNotIn("one-value", body)
            self.assertNotIn('"wrapped"', body)


def hex_key():
    return os.urandom(32).hex()


class MasterKeySources(unittest.TestCase):
    def start_fails(self, *args):
        d = tempfile.mkdtemp(prefix="coffer-mk-")
        try:
            r = subprocess.run([COFFER, "server", "--data-dir", d, "--listen", "127.0.0.1:0",
                                *args], capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 1, r)
            lines = [l for l in r.stderr.splitlines() if l.startswith("coffer:")]
            self.assertEqual(len(lines), 1, r.stderr)
            return lines[0]
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def test_command_failure_is_one_sentence(self):
        line = self.start_fails("--master-key-command", "echo nope >&2; exit 3")
        self.assertEqual(line, "coffer: the master key command 'echo nope >&2; exit 3' "
                               "failed (exit status 3)")
        line = self.start_fails("--master-key-command", "echo not-a-key")
        self.assertEqual(line, "coffer: the master key from command 'echo not-a-key' is not "
                               "64 hexadecimal digits")

    def test_hanging_command_is_killed_at_the_timeout(self):
        started = time.time()
        line = self.start_fails("--master-key-command", "sleep 300", "--master-key-timeout", "1")
        self.assertEqual(line, "coffer: the master key command 'sleep 300' did not finish "
                               "within 1 seconds and was stopped")
        self.assertLess(time.time() - started, 60)  # it did not wait for the sleep

    def test_env_and_command_sources_open_the_same_store(self):
        key = hex_key()
        env = dict(os.environ, COFFER_MK=key)
        d = new_dir()
        with Server(data_dir=d, extra_args=("--master-key-env", "COFFER_MK"), env=env) as s:
            f = Fixture(s)
            f.create("x", "x-value")
            s.stop()
        with restart(s, extra_args=("--master-key-command", f"echo {key}")) as again:
            got, _ = f.on(again).checkout(["x"])
            self.assertEqual(got, {"x": "x-value"})
        shutil.rmtree(d, ignore_errors=True)

    def test_rewrap_master_then_only_the_new_key_opens(self):
        with Server(data_dir=new_dir()) as s:
            f = Fixture(s)
            f.create("kept", "kept-value")
            s.stop()
        new_key = os.path.join(tempfile.mkdtemp(prefix="coffer-newkey-"), "new.key")
        r = keys("rewrap-master", "--data-dir", s.data_dir, "--new-master-key-file", new_key)
        self.assertIn("no longer opens it", r.stdout)
        self.assertEqual(os.stat(new_key).st_mode & 0o777, 0o600)
        # The old key: one clear sentence, and the server exits.
        r = subprocess.run([COFFER, "server", "--data-dir", s.data_dir, "--listen", "127.0.0.1:0"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn("coffer: the master key does not unlock this data directory's keyring "
                      "(wrong master key?)", r.stderr)
        # The new one opens it, and the values.
        with restart(s, extra_args=("--master-key-file", new_key)) as again:
            got, _ = f.on(again).checkout(["kept"])
            self.assertEqual(got, {"kept": "kept-value"})
            # And rotation keeps working under the new master key.
            r = keys("rotate", "--server", again.url, token=s.token)
            self.assertIn("Rotated to key 2", r.stdout)
        shutil.rmtree(s.data_dir, ignore_errors=True)
        shutil.rmtree(os.path.dirname(new_key), ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
