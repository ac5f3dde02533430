"""`sem connect HOST TOKEN` writes ~/.sem.yaml (mode 0600, Semaphore's format) after
checking the token; `sem context` lists and switches; connection errors name the host."""
import os
import socket
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from clihelpers import COFFER, Sem, Server  # noqa: E402


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def context_name(url):
    return url.split("://")[1].replace(".", "_")


class Connect(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a = Server()
        cls.b = Server()

    @classmethod
    def tearDownClass(cls):
        cls.a.cleanup()
        cls.b.cleanup()

    def setUp(self):
        self.sem = Sem()

    def tearDown(self):
        out = self.sem.all_output()
        self.assertNotIn(self.a.token, out, "a token reached sem's output")
        self.assertNotIn(self.b.token, out)
        self.sem.cleanup()

    def test_connect_writes_a_private_config_in_semaphores_format(self):
        r = self.sem.run("connect", self.a.url, self.a.token)
        self.assertEqual((r.returncode, r.stdout, r.stderr),
                         (0, f"connected to {self.a.url}\n", ""))
        self.assertEqual(self.sem.config_mode(), 0o600)
        name = context_name(self.a.url)
        cfg = self.sem.config()
        self.assertIn(f"active-context: {name}\n", cfg)
        self.assertIn(f"contexts:\n  {name}:\n    auth:\n      token: {self.a.token}\n"
                      f"    host: {self.a.url}\n", cfg)
        # Reconnecting replaces the context; the file stays private.
        r = self.sem.run("connect", self.a.url, self.a.token)
        self.assertEqual(r.returncode, 0)
        self.assertEqual(self.sem.config().count("token:"), 1)
        self.assertEqual(self.sem.config_mode(), 0o600)
        self.assertEqual([f for f in os.listdir(self.sem.home) if ".tmp" in f], [])

    def test_a_refused_token_saves_nothing(self):
        r = self.sem.run("connect", self.a.url, "cft_not_a_real_token")
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stderr.startswith("error: "), r.stderr)
        self.assertIn("refused the token", r.stderr)
        self.assertFalse(os.path.exists(self.sem.path(".sem.yaml")))

    def test_connection_errors_name_the_host(self):
        port = closed_port()
        r = self.sem.run("connect", f"http://127.0.0.1:{port}", self.a.token)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"error: cannot reach 127.0.0.1:{port}", r.stderr)
        self.assertFalse(os.path.exists(self.sem.path(".sem.yaml")))
        self.sem.point_at(f"http://127.0.0.1:{port}")
        for cmd in (["get", "secret"], ["get", "secret", "x"], ["create", "secret", "x", "-e", "A=b"],
                    ["delete", "secret", "x"], ["get", "projects"]):
            r = self.sem.run(*cmd)
            self.assertEqual(r.returncode, 1, cmd)
            self.assertIn(f"error: cannot reach 127.0.0.1:{port}", r.stderr)

    def test_bad_hosts_and_tokens_are_refused_before_any_request(self):
        for host, why in (("ftp://127.0.0.1:1", "scheme"), ("127.0.0.1:1/path", "HOST[:PORT]"),
                          ("", "empty")):
            r = self.sem.run("connect", host, "tok")
            self.assertEqual(r.returncode, 1)
            self.assertIn(why, r.stderr)
        r = self.sem.run("connect", self.a.url, "tok with space")
        self.assertEqual(r.returncode, 1)
        self.assertIn("TOKEN", r.stderr)
        self.assertNotIn("tok with space", r.stderr)

    def test_no_context_yet(self):
        r = self.sem.run("get", "secret")
        self.assertEqual(r.returncode, 1)
        self.assertIn("sem connect HOST TOKEN", r.stderr)
        self.assertEqual(self.sem.run("context").stdout, "")

    def test_contexts_list_and_switch(self):
        self.assertEqual(self.sem.run("connect", self.a.url, self.a.token).returncode, 0)
        self.assertEqual(self.sem.run("create", "secret", "only-on-a", "-e", "A=aaaa").returncode, 0)
        self.assertEqual(self.sem.run("connect", self.b.url, self.b.token).returncode, 0)
        na, nb = context_name(self.a.url), context_name(self.b.url)
        listing = self.sem.run("context").stdout
        self.assertEqual(sorted(listing.splitlines()), sorted([f"  {na}", f"* {nb}"]))
        self.assertNotIn("only-on-a", self.sem.run("get", "secret").stdout)
        r = self.sem.run("context", na)
        self.assertEqual((r.returncode, r.stdout), (0, f'switched to context "{na}"\n'))
        self.assertEqual(sorted(self.sem.run("context").stdout.splitlines()),
                         sorted([f"* {na}", f"  {nb}"]))
        self.assertIn("only-on-a", self.sem.run("get", "secret").stdout)
        self.assertEqual(self.sem.config_mode(), 0o600)
        r = self.sem.run("context", "nope")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr, 'error: context "nope" does not exist\n')
        self.assertIn(f"active-context: {na}", self.sem.config())
        self.assertEqual(self.sem.run("delete", "secret", "only-on-a").returncode, 0)

    def test_unknown_keys_in_the_config_are_kept(self):
        self.sem.write(".sem.yaml", "editor: nano\n", mode=0o644)
        self.assertEqual(self.sem.run("connect", self.a.url, self.a.token).returncode, 0)
        self.assertIn("editor: nano", self.sem.config())
        self.assertEqual(self.sem.config_mode(), 0o600)

    def test_coffer_connect_and_coffer_sem_connect(self):
        r = self.sem.run("connect", self.a.url, self.a.token, binary=COFFER)
        self.assertEqual((r.returncode, r.stdout), (0, f"connected to {self.a.url}\n"), r.stderr)
        r = self.sem.run("sem", "context", binary=COFFER)
        self.assertEqual(r.stdout, f"* {context_name(self.a.url)}\n")


if __name__ == "__main__":
    unittest.main()
