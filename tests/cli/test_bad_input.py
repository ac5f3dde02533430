"""Bad input is caught before any request, with a clear message on stderr and exit
code 1. The context points at a tripwire port that counts connections: it must see none."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from clihelpers import TripwireTest  # noqa: E402

UUID = "31887bfb-fac5-4f5b-9a6a-059ecebcc851"


class BadInput(TripwireTest):

    def test_env_flags(self):
        for arg, why in (("FOO", "-e FOO: expected NAME=VALUE"),
                         ("hidden-value", "-e: expected NAME=VALUE"),
                         ("=hidden-value", "the name is empty"),
                         ("1FOO=hidden-value", "-e 1FOO=...: the name must match"),
                         ("FOO-BAR=hidden-value", "the name must match"),
                         ("FOO=", "-e FOO=: the value must not be empty")):
            self.refused("create", "secret", "s", "-e", arg, why=why)
        self.refused("create", "secret", "s", "-e", "A=hidden-value", "-e", "A=hidden-value",
                     why="A is given twice")
        # An unquoted value with a space splits into an extra word: not echoed.
        err = self.refused("create", "secret", "s", "-e", "A=hidden", "hidden-value",
                           why="unexpected extra arguments")
        self.assertNotIn("hidden", err)
        r = self.sem.run("create", "secret", "s", "-e", b"A=\xff\xfe")
        self.assertEqual(r.returncode, 1)
        self.assertIn("must be UTF-8 text", r.stderr)

    def test_file_flags(self):
        ok = self.sem.write("ok.txt", "hidden-value")
        empty = self.sem.write("empty.txt", "")
        big = self.sem.path("big.bin")
        with open(big, "wb") as f:
            f.truncate(5 * 1024 * 1024)  # base64 of 5 MiB is over the 6 MiB limit
        for arg, why in (("nocolon", "-f nocolon: expected LOCAL_PATH:REMOTE_PATH"),
                         (":remote", "the local path (before ':') is empty"),
                         (f"{ok}:", "the remote path (after ':') is empty"),
                         (f"{ok}:../etc/passwd", "the remote path must not contain a '..' segment"),
                         (f"{self.sem.path('missing.txt')}:x",
                          f"cannot read {self.sem.path('missing.txt')}: No such file or directory"),
                         (f"{self.sem.home}:x", "is a directory"),
                         ("/proc/self/mem:x", "cannot read /proc/self/mem"),
                         (f"{empty}:x", "is empty"),
                         (f"{big}:x", "over the limit of 6291456 bytes")):
            self.refused("create", "secret", "s", "-f", arg, why=why)
        self.refused("create", "secret", "s", "-f", f"{ok}:same", "-f", f"{ok}:same",
                     why="the remote path same is given twice")

    @unittest.skipIf(os.geteuid() == 0, "root can read a mode 000 file")
    def test_unreadable_file(self):
        p = self.sem.write("secret.txt", "hidden-value", mode=0o000)
        self.refused("create", "secret", "s", "-f", f"{p}:x", why="Permission denied")

    def test_total_size_over_the_limit(self):
        paths = []
        for i in range(2):
            p = self.sem.path(f"part{i}.bin")
            with open(p, "wb") as f:
                f.truncate(3 * 1024 * 1024 + 512 * 1024)  # each fits; together they do not
            paths += ["-f", f"{p}:part{i}"]
        self.refused("create", "secret", "s", *paths, why="a secret holds at most 6291456")

    def test_names_the_server_would_reject(self):
        for name in ("has space", "bang!", "a" * 256, f"x-{UUID}", ""):
            self.refused("create", "secret", name, "-e", "A=hidden-value", why="secret name")
        for cmd in (["get", "secret"], ["edit", "secret"], ["delete", "secret"]):
            self.refused(*cmd, "has space", why="secret name 'has space'")
        self.refused("create", "project", "has space", why="project name 'has space'")
        self.refused("delete", "project", "bang!", why="project name 'bang!'")
        self.refused("get", "secret", "-p", "has space", why="-p has space")
        self.refused("get", "secret", "-i", "not-a-uuid", why="-i not-a-uuid: expected a project id")
        self.refused("get", "secret", "-p", "a", "-i", UUID, why="not both")
        # An id is fine where a name is expected (it reaches the tripwire, so not here).

    def test_usage_errors(self):
        self.refused("create", "secret", why="name is required")
        self.refused("create", "secret", "a", "b", why="not expected")
        self.refused("create", why="create what?")
        self.refused("get", why="subcommand is required")
        self.refused("connect", "onlyhost", why="token is required")
        self.refused("apply", why="--file is required")
        self.refused("get", "secret", "--ca", "/nonexistent.pem", why="--ca /nonexistent.pem")


if __name__ == "__main__":
    unittest.main()
