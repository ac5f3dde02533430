"""First start, second start, master key handling."""
import os
import stat
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
from harness import COFFER, Server, call  # noqa: E402


class FirstAndSecondStart(unittest.TestCase):
    def test_first_start_prints_token_once_and_second_start_reuses_everything(self):
        data = tempfile.mkdtemp(prefix="coffer-setup-")
        with Server(data_dir=data) as first:
            out = first.stdout()
            self.assertIn("Coffer is listening on http://127.0.0.1:", out)
            self.assertIn("Master key: key file " + data + "/master.key (generated now", out)
            token_lines = [l for l in out.splitlines() if l.startswith("Admin token: ")]
            self.assertEqual(len(token_lines), 1, out)
            token = token_lines[0].split(": ", 1)[1]
            mode = stat.S_IMODE(os.stat(os.path.join(data, "master.key")).st_mode)
            self.assertEqual(mode, 0o600)
            r = call(first.url, "POST", "/api/v1beta/secrets", token,
                     {"metadata": {"name": "kept"},
                      "data": {"env_vars": [{"name": "A", "value": "x1x2x3"}]}})
            self.assertEqual(r.status, 200, r)
            key = open(os.path.join(data, "master.key")).read()
        with Server(data_dir=data) as second:
            out = second.stdout()
            self.assertNotIn("Admin token:", out)
            self.assertNotIn("generated now", out)
            self.assertEqual(open(os.path.join(data, "master.key")).read(), key)
            r = call(second.url, "GET", "/api/v1beta/secrets/kept", token)
            self.assertEqual(r.status, 200, r)
            # The secret still opens: an update decrypts the stored version.
            r = call(second.url, "PATCH", "/api/v1beta/secrets/kept", token,
                     {"data": {"env_vars": [{"name": "A", "value": ""}]}})
            self.assertEqual(r.status, 200, r)
        subprocess.run(["rm", "-rf", data])

    def test_wrong_master_key_refuses_to_start_with_one_sentence(self):
        data = tempfile.mkdtemp(prefix="coffer-setup-")
        with Server(data_dir=data):
            pass
        with open(os.path.join(data, "master.key"), "w") as f:
            f.write("ab" * 32 + "\n")
        os.chmod(os.path.join(data, "master.key"), 0o600)
        r = subprocess.run([COFFER, "server", "--data-dir", data, "--listen", "127.0.0.1:0"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")
        lines = r.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertIn("master key does not unlock", lines[0])
        os.remove(os.path.join(data, "master.key"))
        r = subprocess.run([COFFER, "server", "--data-dir", data, "--listen", "127.0.0.1:0"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertIn("is missing", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(data, "master.key")),
                         "a second start must never generate a new key")
        subprocess.run(["rm", "-rf", data])

    def test_master_key_from_environment(self):
        env = dict(os.environ, COFFER_TEST_KEY="0f" * 32)
        with Server(extra_args=["--master-key-env", "COFFER_TEST_KEY"], env=env) as s:
            self.assertIn("Master key: environment variable COFFER_TEST_KEY", s.stdout())
            self.assertFalse(os.path.exists(os.path.join(s.data_dir, "master.key")))

    def test_health_endpoints(self):
        with Server() as s:
            self.assertEqual(call(s.url, "GET", "/healthz").json, {"status": "ok"})
            self.assertEqual(call(s.url, "GET", "/readyz").json, {"status": "ok"})

    def test_admin_prints_token_alone_on_stdout(self):
        with Server() as s:
            token = s.admin("create-user", "ci", "--org", "default", "--role", "Member", "--token")
            self.assertRegex(token, r"^cft_[A-Za-z0-9_-]{43}$")
            self.assertEqual(call(s.url, "GET", "/api/v1beta/secrets", token).status, 200)
            again = s.admin("create-token", "--org", "default", "--user", "ci")
            self.assertNotEqual(again, token)
            r = subprocess.run([COFFER, "admin", "--data-dir", s.data_dir, "create-user", "x",
                                "--org", "nope", "--role", "Member"], capture_output=True, text=True)
            self.assertEqual(r.returncode, 1)
            self.assertTrue(r.stderr.startswith("error: "), r.stderr)


if __name__ == "__main__":
    unittest.main()
