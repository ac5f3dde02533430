"""Test harness: a real `coffer server` process on a random loopback port.

Every test that needs a server starts one with a fresh temporary data directory, reads the
URL and the first admin token from its stdout, and stops it afterwards. Only 127.0.0.1 is
ever contacted.
"""
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

BUILD = os.environ.get("COFFER_BUILD", os.path.join(os.path.dirname(__file__), "../../build"))
COFFER = os.path.abspath(os.path.join(BUILD, "coffer"))


class Server:
    """A running coffer server. Use as a context manager or call stop()."""

    def __init__(self, data_dir=None, extra_args=(), env=None, expect_token=True,
                 preexec_fn=None, database=None):
        self.owns_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="coffer-test-")
        self.database = database  # a PostgreSQL URL (Postgres.create_database), or SQLite
        self.log_path = os.path.join(tempfile.mkdtemp(prefix="coffer-log-"), "server.log")
        self.out_path = self.log_path + ".out"
        db_args = ["--database", database] if database else []
        args = [COFFER, "server", "--data-dir", self.data_dir, "--listen", "127.0.0.1:0",
                *db_args, *extra_args]
        with open(self.out_path, "w") as out, open(self.log_path, "w") as err:
            self.proc = subprocess.Popen(args, stdout=out, stderr=err, env=env,
                                         preexec_fn=preexec_fn)
        self.url, self.token = None, None
        deadline = time.time() + 30
        while time.time() < deadline:
            out = self.stdout()
            m = re.search(r"listening on (https?://127\.0\.0\.1:\d+)", out)
            if m and (not expect_token or "Admin token:" in out or "Master key:" in out):
                self.url = m.group(1)
                t = re.search(r"^Admin token: (\S+)$", out, re.M)
                self.token = t.group(1) if t else None
                break
            if self.proc.poll() is not None:
                raise RuntimeError("server exited: " + self.stderr())
            time.sleep(0.02)
        if self.url is None:
            raise RuntimeError("server did not start: " + self.stderr())

    @property
    def port(self):
        return int(self.url.rsplit(":", 1)[1])

    def stdout(self):
        with open(self.out_path) as f:
            return f.read()

    def stderr(self):
        with open(self.log_path) as f:
            return f.read()

    def admin(self, *args):
        """Runs `coffer admin` on this server's data dir; returns stdout (stripped)."""
        db_args = ["--database", self.database] if self.database else []
        r = subprocess.run([COFFER, "admin", "--data-dir", self.data_dir, *db_args, *args],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("coffer admin failed: " + r.stderr)
        return r.stdout.strip()

    def user_token(self, name, role, org="default"):
        return self.admin("create-user", name, "--org", org, "--role", role, "--token")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def cleanup(self):
        self.stop()
        # A clean shutdown, and nothing from the sanitizers (make asan runs these tests too).
        err = self.stderr()
        problems = [l for l in err.splitlines() if "Sanitizer" in l or "runtime error:" in l]
        clean = self.proc.returncode == 0 and not problems
        if not clean:
            detail = "\n".join(problems[:5]) or err[-2000:]
        if self.owns_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        shutil.rmtree(os.path.dirname(self.log_path), ignore_errors=True)
        if not clean:
            raise AssertionError(
                f"coffer server exited with {self.proc.returncode}: {detail}")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()


class Postgres:
    """A throwaway PostgreSQL 15 server: Debian's initdb and pg_ctl in a fresh temporary
    directory, on a free loopback port, run as the unprivileged `postgres` user when the
    tests run as root (runuser; the directory is that user's). Start it once per test
    module (it takes a second or two), give each test class its own database
    (create_database), and stop() it at the end. No mock and no system service: without
    PostgreSQL 15 installed (scripts/install-deps.sh) the constructor raises, so the test
    fails rather than skips. fsync is off: durability is the store's business (commits with
    synchronous_commit on), not the test disk's.
    """

    BIN = "/usr/lib/postgresql/15/bin"

    def __init__(self):
        if not os.access(os.path.join(self.BIN, "initdb"), os.X_OK):
            raise RuntimeError("PostgreSQL 15 is not installed (no %s/initdb): run "
                               "scripts/install-deps.sh" % self.BIN)
        self.dir = tempfile.mkdtemp(prefix="coffer-pg-")
        self.as_root = os.geteuid() == 0
        if self.as_root:
            import pwd
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        os.chmod(self.dir, 0o700)
        self.data = os.path.join(self.dir, "data")
        self._run("initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--no-sync", "--no-instructions")
        self.port = None
        for _ in range(5):
            try:
                self.port = _free_port()
                self.start()
                break
            except RuntimeError:
                self.port = None
        if self.port is None:
            raise RuntimeError("PostgreSQL did not start: " + self.log())

    def _run(self, tool, *args):
        cmd = [os.path.join(self.BIN, tool), *args]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        r = subprocess.run(cmd, capture_output=True, text=True, cwd="/")
        if r.returncode != 0:
            raise RuntimeError(f"{tool} failed: {r.stdout}{r.stderr}")
        return r.stdout

    def log(self):
        try:
            with open(os.path.join(self.dir, "server.log")) as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def start(self):
        """Starts (or restarts after stop(keep=True)) the server on the same port."""
        self._run("pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "server.log"),
                  "-w", "-t", "60", "-o",
                  f"-h 127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off "
                  "-c max_connections=200", "start")

    def url(self, db="postgres"):
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"

    def sql(self, statement, db="postgres"):
        """Runs one SQL statement with psql; returns its unaligned output."""
        return subprocess.run([os.path.join(self.BIN, "psql"), "-X", "-q", "-A", "-t",
                               "-v", "ON_ERROR_STOP=1", "-d", self.url(db), "-c", statement],
                              capture_output=True, text=True, check=True).stdout.strip()

    def create_database(self, name=None):
        """A new empty database; returns its URL."""
        name = name or "t_" + next(tempfile._get_candidate_names()).lower().replace("_", "")
        self.sql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self, keep=False):
        """Stops the server (fast shutdown); with keep, the data stays for start()."""
        if self.port is not None:
            try:
                self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
            except RuntimeError:
                pass
        if not keep:
            shutil.rmtree(self.dir, ignore_errors=True)


def _free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Reply:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.raw = status, headers, body

    @property
    def json(self):
        return json.loads(self.raw)

    def __repr__(self):
        return f"Reply({self.status}, {self.raw[:300]!r})"


def call(url, method="GET", path="/", token=None, body=None, headers=None, raw=None,
         context=None, user_agent="coffer-tests/1"):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url + path, data=data, method=method)
    if token is not None:
        req.add_header("Authorization", "Token " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    req.add_header("User-Agent", user_agent)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30, context=context) as r:
            return Reply(r.status, dict(r.headers), r.read())
    except urllib.error.HTTPError as e:
        return Reply(e.code, dict(e.headers), e.read())


class ServerTest(unittest.TestCase):
    """A test case with one fresh server per test class, and helpers bound to it."""

    server = None

    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.token = cls.server.token

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def api(self, method, path, body=None, token=None, **kw):
        return call(self.server.url, method, path, token=token or self.token, body=body, **kw)

    def ok(self, method, path, body=None, **kw):
        r = self.api(method, path, body, **kw)
        self.assertEqual(r.status, 200, r)
        return r.json

    def create_secret(self, name, env=None, files=None, org_config=None, project=None, **kw):
        body = {"metadata": {"name": name},
                "data": {"env_vars": [{"name": k, "value": v} for k, v in (env or {}).items()],
                         "files": [{"path": p, "content": c} for p, c in (files or {}).items()]}}
        if org_config is not None:
            body["org_config"] = org_config
        path = f"/api/v1/projects/{project}/secrets" if project else "/api/v1beta/secrets"
        return self.api("POST", path, body, **kw)

    def create_project(self, name, allowed_secrets=(), **kw):
        body = {"apiVersion": "v1alpha", "kind": "Project",
                "metadata": {"name": name},
                "spec": {"repository": {"url": f"git@example.com:acme/{name}.git",
                                        "forked_pull_requests": {
                                            "allowed_secrets": list(allowed_secrets)}}}}
        return self.api("POST", "/api/v1alpha/projects", body, **kw)
