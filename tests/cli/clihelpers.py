"""Helpers for the `sem` tests: run the real binary with a temporary HOME, scripted
editors, and a tripwire port that proves no request was made.

Every `sem` run is recorded, so a test can assert that no secret value ever reached
stdout or stderr.
"""
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
from harness import BUILD, Server, call  # noqa: E402,F401

SEM = os.path.abspath(os.path.join(BUILD, "sem"))
COFFER = os.path.abspath(os.path.join(BUILD, "coffer"))


class Tripwire:
    """A loopback port that accepts connections and counts them. Point a context at it to
    show that a command failed before making any request."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.hits = 0
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            if self._stop:
                conn.close()
                return
            self.hits += 1
            conn.close()

    def close(self):
        self._stop = True
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            pass
        self.sock.close()


class Sem:
    """`sem` with its own HOME. run() returns the CompletedProcess (text mode)."""

    def __init__(self, binary=SEM):
        self.binary = binary
        self.home = tempfile.mkdtemp(prefix="sem-home-")
        self.bin_dir = os.path.join(self.home, "bin")
        os.makedirs(self.bin_dir)
        self.outputs = []

    def env(self, **extra):
        env = {"HOME": self.home, "PATH": self.bin_dir + ":/usr/bin:/bin",
               "TMPDIR": self.home, "LANG": "C.UTF-8"}
        env.update({k: v for k, v in extra.items() if v is not None})
        return env

    def run(self, *args, env=None, input=None, binary=None):
        r = subprocess.run([binary or self.binary, *args], capture_output=True, text=True,
                           env=self.env(**(env or {})), input=input, timeout=120,
                           errors="replace")
        self.outputs.append(r.stdout + r.stderr)
        return r

    def path(self, name):
        return os.path.join(self.home, name)

    def write(self, name, data, mode=0o600):
        p = self.path(name)
        with open(p, "wb" if isinstance(data, bytes) else "w") as f:
            f.write(data)
        os.chmod(p, mode)
        return p

    def script(self, name, body):
        """An executable shell script in HOME/bin (on PATH); returns its path."""
        p = os.path.join(self.bin_dir, name)
        with open(p, "w") as f:
            f.write("#!/bin/sh\nset -e\n" + body)
        os.chmod(p, 0o755)
        return p

    def config(self):
        with open(self.path(".sem.yaml")) as f:
            return f.read()

    def config_mode(self):
        return stat.S_IMODE(os.stat(self.path(".sem.yaml")).st_mode)

    def point_at(self, url, token="cft_dummy"):
        """Writes ~/.sem.yaml by hand (for a host that cannot answer `sem connect`)."""
        name = url.split("://")[-1].replace(".", "_")
        self.write(".sem.yaml", f"active-context: {name}\ncontexts:\n  {name}:\n"
                                f"    auth:\n      token: {token}\n    host: {url}\n")

    def all_output(self):
        return "\n".join(self.outputs)

    def cleanup(self):
        shutil.rmtree(self.home, ignore_errors=True)


class TripwireTest(unittest.TestCase):
    """Each test's sem points at a tripwire: bad input must be refused before any request,
    and no test may print the value "hidden-value"."""

    @classmethod
    def setUpClass(cls):
        cls.trip = Tripwire()

    @classmethod
    def tearDownClass(cls):
        cls.trip.close()

    def setUp(self):
        self.sem = Sem()
        self.sem.point_at(self.trip.url)
        self.hits = self.trip.hits

    def tearDown(self):
        self.assertEqual(self.trip.hits, self.hits, "a request was made")
        self.assertNotIn("hidden-value", self.sem.all_output())
        self.sem.cleanup()

    def refused(self, *args, why):
        r = self.sem.run(*args)
        self.assertEqual(r.returncode, 1, (args, r.stdout))
        self.assertEqual(r.stdout, "", args)
        self.assertTrue(r.stderr.startswith("error: "), (args, r.stderr))
        self.assertIn(why, r.stderr, args)
        return r.stderr


class SemTest(unittest.TestCase):
    """One server per class; a fresh HOME, connected to it, per test. Values listed in
    self.secret_values must never appear in any sem output of the test."""

    server = None

    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.token = cls.server.token

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def setUp(self):
        self.sem = Sem()
        self.secret_values = []
        r = self.sem.run("connect", self.server.url, self.token)
        self.assertEqual(r.returncode, 0, r.stderr)

    def tearDown(self):
        out = self.sem.all_output()
        for v in self.secret_values:
            self.assertNotIn(v, out, "a secret value reached sem's output")
        self.sem.cleanup()

    def ok(self, *args, **kw):
        r = self.sem.run(*args, **kw)
        self.assertEqual(r.returncode, 0, f"sem {' '.join(args)}: {r.stderr}")
        self.assertEqual(r.stderr, "")
        return r.stdout

    def fails(self, *args, contains=(), **kw):
        r = self.sem.run(*args, **kw)
        self.assertEqual(r.returncode, 1, f"sem {' '.join(args)} should fail: {r.stdout}")
        self.assertTrue(r.stderr.startswith("error: "), r.stderr)
        self.assertEqual(r.stdout, "")
        for c in (contains if isinstance(contains, (list, tuple)) else [contains]):
            self.assertIn(c, r.stderr)
        return r.stderr

    def api(self, method, path, body=None, token=None, **kw):
        return call(self.server.url, method, path, token or self.token, body, **kw)

    def api_ok(self, method, path, body=None):
        r = self.api(method, path, body)
        self.assertEqual(r.status, 200, r)
        return r.json


class RecordingProxy:
    """A loopback HTTP proxy in front of a server that records every request (method,
    path, headers, body), so a test can see exactly what `sem` sent."""

    def __init__(self, upstream):
        import http.server
        import urllib.request

        self.requests = []
        proxy = self
        # Straight to the loopback server, whatever http_proxy the environment has.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _forward(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                proxy.requests.append((self.command, self.path, dict(self.headers), body))
                req = urllib.request.Request(upstream + self.path, data=body or None,
                                             method=self.command)
                for k, v in self.headers.items():
                    if k.lower() not in ("host", "content-length", "connection"):
                        req.add_header(k, v)
                try:
                    with opener.open(req, timeout=60) as r:
                        status, headers, data = r.status, r.headers, r.read()
                except urllib.error.HTTPError as e:
                    status, headers, data = e.code, e.headers, e.read()
                self.send_response(status)
                for k, v in headers.items():
                    if k.lower() not in ("content-length", "connection", "transfer-encoding",
                                         "date", "server"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _forward

        import urllib.error  # noqa: F401  (used in the handler)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def methods(self):
        return [(m, p.split("?")[0]) for m, p, _, _ in self.requests]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
