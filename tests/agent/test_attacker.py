"""`coffer run` tried by an attacker on the same machine, against a real server.

The other user is `nobody` (runuser), since the tests run as root. Each test opens a job for
fresh secrets, runs a real `coffer run` and looks at what the attacker could get: the secret
files' bytes, the job token, the job's output.
"""
import base64
import http.server
import json
import os
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
from harness import COFFER, ServerTest  # noqa: E402

NOBODY = 65534
KEY = (b"-----BEGIN OPENSSH PRIVATE KEY-----\n"
       + b"".join(base64.b64encode(secrets.token_bytes(52)) + b"\n" for _ in range(6))
       + b"-----END OPENSSH PRIVATE KEY-----\n")  # lines of 70 characters


def as_nobody(*args, **kw):
    return subprocess.run(["runuser", "-u", "nobody", "--", *args], capture_output=True, **kw)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def shared_dir():
    """A directory like /tmp: root's, world-writable, sticky."""
    d = tempfile.mkdtemp(prefix="coffer-shared-")
    os.chmod(d, 0o1777)
    return d


def fragments(data, n=8):
    """Every n-byte piece of every line of data (what must not appear in masked output)."""
    out = set()
    for line in data.splitlines():
        out.update(line[i:i + n] for i in range(0, max(0, len(line) - n + 1)))
    return out


class Attacker(ServerTest):
    counter = 0

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ci = cls.server.user_token("ci", "Orchestrator")

    def setUp(self):
        self.cleanups = []
        if self.api("GET", "/api/v1alpha/projects/web").status == 404:
            self.assertEqual(self.create_project("web").status, 200)

    def tearDown(self):
        for path in self.cleanups:
            shutil.rmtree(path, ignore_errors=True)

    def tmp(self, d):
        self.cleanups.append(d)
        return d

    def job(self, env=None, files=None):
        Attacker.counter += 1
        name = f"s{Attacker.counter}"
        r = self.create_secret(name, env=env,
                               files={p: base64.b64encode(c).decode() for p, c in (files or {}).items()})
        self.assertEqual(r.status, 200, r)
        body = {"project_id_or_name": "web", "secrets": [name],
                "git": {"ref_type": "BRANCH", "ref": "main"}, "triggered_by": {"type": "AUTO"}}
        r = self.api("POST", "/api/v1alpha/jobs", body, token=self.ci)
        self.assertEqual(r.status, 200, r)
        return r.json

    def env(self, home=None):
        return {"PATH": os.environ["PATH"], "HOME": home or self.tmp(tempfile.mkdtemp(prefix="coffer-home-"))}

    def run_job(self, job, script, *extra, home=None, wrap=(), **kw):
        env = self.env(home)
        env["COFFER_JOB_TOKEN"] = job["token"]
        args = [*wrap, COFFER, "run", "--server", self.server.url, *extra, "--", "sh", "-c", script]
        if "stdout" not in kw:
            kw["capture_output"] = True
        return subprocess.run(args, env=env, timeout=60, **kw)

    def checkout_status(self, job):
        return self.api("GET", "/api/v1alpha/jobs/self/secrets", token=job["token"]).status


class Files(Attacker):
    def test_symlinked_parent_is_refused(self):
        shared = self.tmp(shared_dir())
        loot = self.tmp(tempfile.mkdtemp(prefix="coffer-loot-"))
        os.chmod(loot, 0o777)
        self.assertEqual(as_nobody("ln", "-s", loot, f"{shared}/ci").returncode, 0)
        job = self.job(files={f"{shared}/ci/id_rsa": KEY})
        r = self.run_job(job, "echo should-not-run")
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"refusing to write {shared}/ci/id_rsa: {shared}/ci is a symbolic link".encode(),
                      r.stderr)
        self.assertNotIn(b"should-not-run", r.stdout)
        self.assertEqual(os.listdir(loot), [])
        self.assertEqual(self.checkout_status(job), 401)  # the job was finished all the same

    def test_world_writable_parent_is_refused(self):
        shared = self.tmp(shared_dir())
        os.mkdir(f"{shared}/ci")
        os.chmod(f"{shared}/ci", 0o777)  # where nobody could swap ci/.ssh for a symlink
        job = self.job(files={f"{shared}/ci/.ssh/id_rsa": KEY})
        r = self.run_job(job, "echo should-not-run")
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"{shared}/ci is writable by group or others (mode 0777) without the "
                      f"sticky bit".encode(), r.stderr)
        self.assertFalse(os.path.exists(f"{shared}/ci/.ssh"))

    def test_parent_owned_by_another_user_is_refused(self):
        shared = self.tmp(shared_dir())
        self.assertEqual(as_nobody("mkdir", "-m", "0755", f"{shared}/ci").returncode, 0)
        job = self.job(files={f"{shared}/ci/id_rsa": KEY})
        r = self.run_job(job, "true")
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"{shared}/ci is owned by uid {NOBODY}".encode(), r.stderr)
        self.assertEqual(os.listdir(f"{shared}/ci"), [])

    def test_file_precreated_by_another_user_receives_nothing(self):
        shared = self.tmp(shared_dir())
        path = f"{shared}/id_rsa"
        self.assertEqual(as_nobody("sh", "-c", f"umask 0; : > {path}").returncode, 0)
        theirs = open(path, "rb")  # the inode nobody made, as nobody would keep it open
        job = self.job(files={path: KEY})
        r = self.run_job(job, f"cat {path} >/dev/null")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(theirs.read(), b"")
        theirs.close()
        st = os.lstat(path)
        self.assertEqual((stat.S_IMODE(st.st_mode), st.st_uid), (0o600, 0))
        self.assertEqual(read(path), KEY)
        self.assertNotEqual(as_nobody("cat", path).returncode, 0)

    def test_fifo_precreated_by_another_user_receives_nothing(self):
        shared = self.tmp(shared_dir())
        path = f"{shared}/id_rsa"
        self.assertEqual(as_nobody("mkfifo", "-m", "0666", path).returncode, 0)
        # Our own end keeps the FIFO open, so the thief's cat is not waiting for a writer.
        ours = os.open(path, os.O_RDWR | os.O_NONBLOCK)
        thief = subprocess.Popen(["runuser", "-u", "nobody", "--", "sh", "-c",
                                  f"cat {path} > {shared}/stolen"])
        try:
            job = self.job(files={path: KEY})
            r = self.run_job(job, "true")
            self.assertEqual(r.returncode, 0, r.stderr)
            st = os.lstat(path)
            self.assertTrue(stat.S_ISREG(st.st_mode))
            self.assertEqual((stat.S_IMODE(st.st_mode), st.st_uid), (0o600, 0))
        finally:
            os.close(ours)  # the thief's cat sees the end of the FIFO and exits
            thief.wait(timeout=30)
        self.assertEqual(read(f"{shared}/stolen"), b"")

    def test_ssh_key_under_home_is_private(self):
        job = self.job(files={".ssh/id_rsa": KEY})
        home = self.tmp(tempfile.mkdtemp(prefix="coffer-home-"))
        r = self.run_job(job, "ssh-keygen -l -f ~/.ssh/id_rsa >/dev/null 2>&1; stat -c %a:%u "
                              "~/.ssh/id_rsa ~/.ssh", home=home)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, b"600:0\n700:0\n")

    def namespaced(self, mount_script):
        """Runs coffer run in a private mount namespace set up by mount_script."""
        if subprocess.run(["unshare", "--mount", "true"], capture_output=True).returncode != 0:
            self.skipTest("needs unshare --mount (root)")
        return ("unshare", "--mount", "sh", "-c", mount_script + ' && exec "$@"', "sh")

    def test_absolute_path_under_home_semaphore_as_root(self):
        fake_home = self.tmp(tempfile.mkdtemp(prefix="coffer-fakehome-"))
        os.chmod(fake_home, 0o755)
        job = self.job(files={"/home/semaphore/.ssh/id_rsa": KEY})
        r = self.run_job(job, "stat -c %a:%u /home/semaphore/.ssh/id_rsa /home/semaphore/.ssh",
                         wrap=self.namespaced(f"mount --bind {fake_home} /home"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, b"600:0\n700:0\n")
        self.assertEqual(read(f"{fake_home}/semaphore/.ssh/id_rsa"), KEY)

    def test_etc_hosts_as_root(self):
        hosts = b"127.0.0.1 localhost\n10.0.0.7 db.internal\n"
        job = self.job(files={"/etc/hosts": hosts})
        # A plain /etc (an overlay over the real one, so the real file is untouched) ...
        d = self.tmp(tempfile.mkdtemp(prefix="coffer-etc-"))
        os.mkdir(f"{d}/upper")
        os.mkdir(f"{d}/work")
        r = self.run_job(job, "stat -c %a:%u /etc/hosts", "--keep-open", wrap=self.namespaced(
            f"mount -t overlay overlay -o lowerdir=/etc,upperdir={d}/upper,workdir={d}/work /etc"))
        self.assertEqual((r.returncode, r.stdout), (0, b"600:0\n"), r.stderr)
        self.assertEqual(read(f"{d}/upper/hosts"), hosts)
        # ... and a container's, where /etc/hosts is a bind mount that rename() cannot replace.
        bound = f"{d}/bound-hosts"
        shutil.copyfile("/etc/hosts", bound)
        r = self.run_job(job, "stat -c %a:%u /etc/hosts",
                         wrap=self.namespaced(f"mount --bind {bound} /etc/hosts"))
        self.assertEqual((r.returncode, r.stdout), (0, b"600:0\n"), r.stderr)
        self.assertEqual(read(bound), hosts)
        self.assertNotEqual(read("/etc/hosts"), hosts)


class Token(Attacker):
    def watch(self, job, how, user=None):
        """Starts coffer run (as `user`, or root) with the token given `how`, its command
        waiting; returns what others could read of coffer run's /proc entries meanwhile."""
        d = self.tmp(tempfile.mkdtemp(prefix="coffer-token-"))
        os.chmod(d, 0o777)
        env = self.env(home=d)
        args = [COFFER, "run", "--server", self.server.url]
        if how == "argv":
            args += ["--job-token", job["token"]]
        elif how == "file":
            with open(f"{d}/token", "w") as f:
                f.write(job["token"] + "\n")
            os.chmod(f"{d}/token", 0o644 if user else 0o600)
            args += ["--job-token-file", f"{d}/token"]
        else:
            env["COFFER_JOB_TOKEN"] = job["token"]
        # The job's command itself tries its parent's environment and memory.
        script = (f"cat /proc/$PPID/environ > {d}/job-read-environ 2>&1; "
                  f"head -c 1 /proc/$PPID/mem > {d}/job-read-mem 2>&1; "
                  f"tr '\\0' '\\n' < /proc/self/environ > {d}/job-env; echo $PPID > {d}/pid.new; mv {d}/pid.new {d}/pid; "
                  f"while [ ! -e {d}/go ]; do sleep 0.05; done")
        wrap = ["runuser", "-u", user, "--"] if user else []
        proc = subprocess.Popen(wrap + args + ["--", "sh", "-c", script], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.time() + 30
            while not os.path.exists(f"{d}/pid") and proc.poll() is None and time.time() < deadline:
                time.sleep(0.02)
            self.assertTrue(os.path.exists(f"{d}/pid"), proc.poll())
            pid = read(f"{d}/pid").decode().strip()
            seen = {
                "cmdline (root)": read(f"/proc/{pid}/cmdline"),
                "environ (root)": read(f"/proc/{pid}/environ"),
                "cmdline (nobody)": as_nobody("cat", f"/proc/{pid}/cmdline").stdout,
                "the job's environment": read(f"{d}/job-env"),
                "environ (the job)": read(f"{d}/job-read-environ"),
            }
            others = {"environ (nobody)": as_nobody("cat", f"/proc/{pid}/environ"),
                      "mem (nobody)": as_nobody("head", "-c", "1", f"/proc/{pid}/mem")}
            job_mem = read(f"{d}/job-read-mem")
        finally:
            open(f"{d}/go", "w").close()
            out, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, err)
        return seen, others, job_mem, err

    def test_token_is_in_no_proc_entry_of_coffer_run(self):
        for how, user in (("env", None), ("file", None), ("argv", None), ("env", "nobody")):
            with self.subTest(how=how, user=user):
                job = self.job(env={"SOME_VALUE": "some-value-1234"})
                seen, others, job_mem, err = self.watch(job, how, user)
                for where, data in seen.items():
                    self.assertNotIn(job["token"].encode(), data, f"{how}: token in {where}")
                    self.assertNotIn(job["token"][4:20].encode(), data, where)
                self.assertIn(b"SOME_VALUE=some-value-1234", seen["the job's environment"])
                self.assertNotIn(b"COFFER_JOB_TOKEN", seen["the job's environment"])
                for where, r in others.items():  # another user reads nothing at all
                    self.assertNotEqual(r.returncode, 0, where)
                    self.assertEqual(r.stdout, b"", where)
                if user:
                    # Non-dumpable: even the job, of the same user, cannot read coffer run.
                    self.assertIn(b"Permission denied", seen["environ (the job)"])
                    self.assertIn(b"Permission denied", job_mem)
                if how == "argv":
                    self.assertIn(b"warning: --job-token puts the token on the command line", err)
                    self.assertIn(b"--job-token", seen["cmdline (root)"])
                else:
                    self.assertNotIn(b"warning", err)

    def test_token_is_dead_after_coffer_run_exits(self):
        job = self.job(env={"A_VALUE": "a-value-1234"})
        self.assertEqual(self.checkout_status(job), 200)
        r = self.run_job(job, "exit 3")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertEqual(self.checkout_status(job), 401)
        r = self.run_job(job, "echo again")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"checkout refused", r.stderr)

    def test_keep_open_keeps_the_token_for_the_next_command(self):
        job = self.job(env={"A_VALUE": "a-value-1234"})
        self.assertEqual(self.run_job(job, "true", "--keep-open").returncode, 0)
        self.assertEqual(self.checkout_status(job), 200)
        self.assertEqual(self.run_job(job, "true").returncode, 0)
        self.assertEqual(self.checkout_status(job), 401)


TOKEN = "ghp_" + secrets.token_hex(18)


class Masking(Attacker):
    def masked(self, script, env=None, files=None, **kw):
        job = self.job(env=env if env is not None else {"GH_TOKEN": TOKEN}, files=files)
        r = self.run_job(job, script, **kw)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def assertClean(self, output, secret):
        for piece in fragments(secret if isinstance(secret, bytes) else secret.encode()):
            self.assertNotIn(piece, output)

    def test_head_c_of_a_key(self):
        r = self.masked("head -c 200 ~/.ssh/id_rsa; echo; head -c 100 ~/.ssh/id_rsa",
                        files={".ssh/id_rsa": KEY})
        self.assertClean(r.stdout, KEY)
        self.assertEqual(r.stdout, b"***\n***\n***\n***\n***\n***")

    def test_fold_and_base64_of_a_key_and_a_token(self):
        r = self.masked('fold -w 64 ~/.ssh/id_rsa; base64 ~/.ssh/id_rsa; '
                        'printf %s "$GH_TOKEN" | fold -w 10; echo; printf %s "$GH_TOKEN" | head -c 12',
                        files={".ssh/id_rsa": KEY})
        self.assertClean(r.stdout, KEY)
        self.assertClean(r.stdout, base64.encodebytes(KEY))
        self.assertClean(r.stdout, TOKEN)
        self.assertEqual(set(r.stdout.split(b"\n")), {b"***"})

    def test_value_written_in_two_halves_200ms_apart(self):
        r = self.masked('printf "token: "; printf %s "$GH_TOKEN" | head -c 10; sleep 0.2; '
                        'printf %s "$GH_TOKEN" | tail -c +11; echo " done"')
        self.assertEqual(r.stdout, b"token: *** done\n")

    def test_stderr_is_masked_like_stdout(self):
        r = self.masked('echo "out $GH_TOKEN"; echo "err $GH_TOKEN" >&2; '
                        'printf %s "$GH_TOKEN" | head -c 16 >&2')
        self.assertEqual(r.stdout, b"out ***\n")
        self.assertTrue(r.stderr.endswith(b"err ***\n***"), r.stderr)
        self.assertClean(r.stdout + r.stderr, TOKEN)

    def test_value_split_between_stdout_and_stderr_on_one_pipe(self):
        # A CI agent reads `coffer run ... 2>&1`: the two halves meet in one log.
        r = self.masked('printf %s "$GH_TOKEN" | head -c 10; printf %s "$GH_TOKEN" | tail -c +11 >&2; '
                        'echo', stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.assertTrue(r.stdout.endswith(b"files: none\n***\n"), r.stdout)
        self.assertClean(r.stdout, TOKEN)
        self.assertNotIn(TOKEN[10:].encode(), r.stdout)


class CheckoutServer(http.server.BaseHTTPRequestHandler):
    """A server whose checkout answer no real Coffer server gives: bad env vars."""
    answer = b""
    finished = []

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.answer)))
        self.end_headers()
        self.wfile.write(self.answer)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        CheckoutServer.finished.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


class Env(unittest.TestCase):
    def test_nul_byte_or_bad_name_is_refused_by_name(self):
        httpd = http.server.HTTPServer(("127.0.0.1", 0), CheckoutServer)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        try:
            for env_var, message in (
                    ({"name": "DB_PASSWORD", "value": "abc\u0000def"},
                     b'env var "DB_PASSWORD" (secret db): its value holds a NUL byte'),
                    ({"name": "BAD-NAME", "value": "v"},
                     b'env var "BAD-NAME" (secret db): not a valid environment variable name')):
                CheckoutServer.answer = json.dumps({"job_id": "j1", "files": [], "env_vars": [
                    {**env_var, "secret": "db"}]}).encode()
                CheckoutServer.finished.clear()
                r = subprocess.run(
                    [COFFER, "run", "--server", f"http://127.0.0.1:{httpd.server_port}", "--",
                     "echo", "should-not-run"], capture_output=True, timeout=60,
                    env={"PATH": os.environ["PATH"], "HOME": "/tmp", "COFFER_JOB_TOKEN": "cjt_x"})
                self.assertEqual(r.returncode, 1)
                self.assertIn(message, r.stderr)
                self.assertNotIn(b"should-not-run", r.stdout)
                self.assertNotIn(b"abc", r.stderr)
                self.assertEqual(CheckoutServer.finished, ["/api/v1alpha/jobs/j1/finish"])
        finally:
            httpd.shutdown()
            httpd.server_close()


if __name__ == "__main__":
    unittest.main()
