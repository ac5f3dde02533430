"""`coffer run` against a real server."""
import base64
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
from harness import COFFER, ServerTest  # noqa: E402

SSH_KEY = b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\nAAAAAAAAAAEAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIA\n-----END OPENSSH PRIVATE KEY-----\n"


class Run(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ci = cls.server.user_token("ci", "Orchestrator")

    def setUp(self):
        if self.api("GET", "/api/v1alpha/projects/web").status == 404:
            self.assertEqual(self.create_project("web").status, 200)

    def open_job(self, names, **extra):
        body = {"project_id_or_name": "web", "secrets": names,
                "git": {"ref_type": "BRANCH", "ref": "main"}, "triggered_by": {"type": "AUTO"}}
        body.update(extra)
        r = self.api("POST", "/api/v1alpha/jobs", body, token=self.ci)
        self.assertEqual(r.status, 200, r)
        return r.json

    def run_job(self, job, script, *extra, home=None, env_token=False):
        if home is None:
            home = tempfile.mkdtemp(prefix="coffer-home-")
            self.addCleanup(shutil.rmtree, home, True)
        env = {"PATH": os.environ["PATH"], "HOME": home}
        args = [COFFER, "run", "--server", self.server.url, *extra]
        if env_token:
            env["COFFER_JOB_TOKEN"] = job["token"]
        else:
            args += ["--job-token", job["token"]]
        args += ["--", "sh", "-c", script]
        r = subprocess.run(args, capture_output=True, env=env, timeout=60)
        return r, home

    def test_env_files_masking_and_exit_code(self):
        self.create_secret("db", env={"DB_PASSWORD": "s3cr3t-db-password", "DB_USER": "app"})
        self.create_secret("deploykey", files={".ssh/id_rsa": base64.b64encode(SSH_KEY).decode(),
                                               "/tmp/coffer-run-abs-test.conf": base64.b64encode(b"abs=1\n").decode()})
        job = self.open_job(["db", "deploykey"])
        script = ('test "$DB_PASSWORD" = s3cr3t-db-password || exit 11; '
                  'test "$(stat -c %a ~/.ssh/id_rsa)" = 600 || exit 12; '
                  'test "$(stat -c %a ~/.ssh)" = 700 || exit 13; '
                  'grep -qx abs=1 /tmp/coffer-run-abs-test.conf || exit 15; '
                  'cat /tmp/coffer-run-abs-test.conf; '
                  'echo "password is $DB_PASSWORD"; echo "err $DB_PASSWORD" >&2; '
                  'printf %s "$DB_PASSWORD" | base64; cat ~/.ssh/id_rsa; '
                  'test -z "$COFFER_JOB_TOKEN" || exit 14; exit 7')
        r, home = self.run_job(job, script, env_token=True)
        out, err = r.stdout.decode(), r.stderr.decode()
        self.assertEqual(r.returncode, 7, err)
        self.assertIn("password is ***", out)
        self.assertIn("err ***", err)
        # File contents are secrets too: the absolute-path file prints masked.
        self.assertEqual(out.splitlines()[0], "***")
        self.assertNotIn("abs=1", out)
        self.assertNotIn("s3cr3t-db-password", out + err)
        self.assertNotIn(base64.b64encode(b"s3cr3t-db-password").decode()[:20], out)
        self.assertNotIn("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ", out)
        # It says which names it injected, never the values; DB_USER is too short to mask.
        self.assertIn("DB_PASSWORD (db)", err)
        self.assertIn(".ssh/id_rsa (deploykey)", err)
        self.assertIn("warning: DB_USER is shorter than 4 bytes", err)
        self.assertEqual(open(os.path.join(home, ".ssh/id_rsa"), "rb").read(), SSH_KEY)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(home, ".ssh/id_rsa")).st_mode), 0o600)
        os.remove("/tmp/coffer-run-abs-test.conf")

    def test_cleanup_removes_written_files(self):
        self.create_secret("cfg", files={"app/config.json": base64.b64encode(b'{"k": "v"}').decode()})
        job = self.open_job(["cfg"])
        r, home = self.run_job(job, "test -f ~/app/config.json", "--cleanup")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(os.path.join(home, "app/config.json")))

    def test_refusals_are_clear_errors(self):
        self.create_secret("one", env={"ONE": "value-one"})
        job = self.open_job(["one"])
        self.api("POST", f"/api/v1alpha/jobs/{job['job_id']}/finish", token=self.ci)
        r, _ = self.run_job(job, "echo should-not-run")
        self.assertEqual(r.returncode, 1)
        self.assertNotIn(b"should-not-run", r.stdout)
        self.assertIn(b"coffer run: error: checkout refused", r.stderr)
        r = subprocess.run([COFFER, "run", "--server", self.server.url, "--", "true"],
                           capture_output=True, env={"PATH": os.environ["PATH"], "HOME": "/tmp"})
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"no job token", r.stderr)
        r = subprocess.run([COFFER, "run", "--server", "http://127.0.0.1:9", "--job-token",
                            "cjt_" + "A" * 43, "--", "true"], capture_output=True)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"127.0.0.1", r.stderr)


if __name__ == "__main__":
    unittest.main()
