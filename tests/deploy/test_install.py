"""Issue 16, point 6: `make install PREFIX=... DESTDIR=...` (here without its build step)
installs coffer, the sem link, the man pages (generated from --help), the systemd unit and
the example settings; the installed binary runs; the unit is hardened as documented and
passes systemd-analyze verify where that exists; the example settings start a server;
deploy/Dockerfile is multi-stage and non-root.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
from harness import BUILD, Server, call  # noqa: E402

SOURCE = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))


def make_install(destdir, prefix, **env):
    # -o install-build: install what the build made; rebuilding here would relink the binary
    # other tests are running.
    r = subprocess.run(["make", "--no-print-directory", "-C", SOURCE, "-o", "install-build",
                        "install",
                        "BUILD=" + os.path.abspath(BUILD), "PREFIX=" + prefix,
                        "DESTDIR=" + destdir],
                       capture_output=True, text=True, env=dict(os.environ, **env), timeout=600)
    if r.returncode != 0:
        raise AssertionError("make install failed:\n" + r.stdout[-3000:] + r.stderr[-3000:])
    return r.stdout


def tree(root):
    out = set()
    for d, dirs, files in os.walk(root):
        for name in dirs + files:
            out.add(os.path.relpath(os.path.join(d, name), root))
    return out


class MakeInstall(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dest = tempfile.mkdtemp(prefix="coffer-install-")
        cls.out = make_install(cls.dest, "/usr")
        cls.root = os.path.join(cls.dest, "usr")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dest, ignore_errors=True)

    def test_the_tree(self):
        self.assertEqual(tree(self.dest), {
            "usr", "usr/bin", "usr/bin/coffer", "usr/bin/sem",
            "usr/share", "usr/share/man", "usr/share/man/man1",
            "usr/share/man/man1/coffer.1", "usr/share/man/man1/sem.1",
            "usr/lib", "usr/lib/systemd", "usr/lib/systemd/system",
            "usr/lib/systemd/system/coffer.service",
            "etc", "etc/coffer", "etc/coffer/coffer.yaml"})
        self.assertEqual(os.readlink(os.path.join(self.root, "bin/sem")), "coffer")
        self.assertTrue(os.access(os.path.join(self.root, "bin/coffer"), os.X_OK))

    def test_the_installed_binary_runs(self):
        r = subprocess.run([os.path.join(self.root, "bin/coffer"), "version"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r)
        self.assertRegex(r.stdout, r"^coffer \d+\.\d+\.\d+\ncommit \S+\nbuilt \S+\n$")
        r = subprocess.run([os.path.join(self.root, "bin/sem"), "--help"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r)
        self.assertIn("sem", r.stdout)

    def test_man_pages_are_the_help_texts(self):
        with open(os.path.join(self.root, "share/man/man1/coffer.1")) as f:
            coffer = f.read()
        self.assertRegex(coffer, r'(?m)^\.TH COFFER 1 "\d{4}-\d\d-\d\d" "coffer \d')
        for section in ("COFFER SERVER", "COFFER ADMIN", "COFFER RUN", "COFFER MASK"):
            self.assertIn(f'.SH "{section}"', coffer)
        self.assertIn("COFFER_DATA_DIR", coffer)  # the settings' variables, from --help
        with open(os.path.join(self.root, "share/man/man1/sem.1")) as f:
            sem = f.read()
        self.assertIn('.SH "SEM CREATE"', sem)
        self.assertIn('.SH "SEM GET"', sem)
        for page in (coffer, sem):  # no line a roff reader would take for a request
            for line in page.splitlines():
                if line.startswith((".", "'")):
                    self.assertRegex(line, r"^\.(TH|SH|nf|fi|TP|\\\")( |$)", line)
        if shutil.which("man"):
            r = subprocess.run(["man", "-l", os.path.join(self.root, "share/man/man1/coffer.1")],
                               capture_output=True, text=True, env=dict(os.environ,
                                                                        MANPAGER="cat"))
            if r.returncode == 0:
                self.assertIn("--data-dir", r.stdout.replace("\u2010", "-"))

    def test_the_unit_file(self):
        with open(os.path.join(self.root, "lib/systemd/system/coffer.service")) as f:
            unit = f.read()
        self.assertIn("ExecStart=/usr/bin/coffer server --config /etc/coffer/coffer.yaml", unit)
        self.assertRegex(unit, r"(?m)^(DynamicUser=yes|User=coffer)$")
        for line in ("StateDirectory=coffer", "ProtectSystem=strict", "NoNewPrivileges=yes",
                     "MemoryDenyWriteExecute=yes", "LimitCORE=0",
                     "ExecReload=/bin/kill -HUP $MAINPID"):
            self.assertRegex(unit, "(?m)^" + re.escape(line) + "$")
        analyze = shutil.which("systemd-analyze")
        if analyze:  # on a copy whose ExecStart is the binary installed here
            check = os.path.join(self.dest, "check")
            os.makedirs(check, exist_ok=True)
            with open(os.path.join(check, "coffer.service"), "w") as f:
                f.write(unit.replace("/usr/bin/coffer", os.path.join(self.root, "bin/coffer")))
            r = subprocess.run([analyze, "verify", "--man=no",
                                os.path.join(check, "coffer.service")],
                               capture_output=True, text=True)
            problems = [l for l in (r.stdout + r.stderr).splitlines() if "coffer.service" in l]
            self.assertEqual(problems, [], r.stdout + r.stderr)
            shutil.rmtree(check)

    def test_the_example_settings_start_a_server(self):
        conf = os.path.join(self.dest, "etc/coffer/coffer.yaml")
        with Server(extra_args=["--config", conf]) as s:  # --listen 127.0.0.1:0 wins
            self.assertEqual(call(s.url, "GET", "/healthz").status, 200)

    def test_another_prefix_and_settings_kept(self):
        dest = tempfile.mkdtemp(prefix="coffer-install-")
        self.addCleanup(shutil.rmtree, dest, ignore_errors=True)
        make_install(dest, "/opt/coffer")
        with open(os.path.join(dest, "opt/coffer/lib/systemd/system/coffer.service")) as f:
            unit = f.read()
        self.assertIn("ExecStart=/opt/coffer/bin/coffer server --config "
                      "/opt/coffer/etc/coffer/coffer.yaml", unit)
        conf = os.path.join(dest, "opt/coffer/etc/coffer/coffer.yaml")
        with open(conf, "w") as f:
            f.write("org: mine\n")
        out = make_install(dest, "/opt/coffer")
        self.assertIn("kept", out)
        with open(conf) as f:
            self.assertEqual(f.read(), "org: mine\n")


class Dockerfile(unittest.TestCase):
    """It cannot be built here; its shape is checked."""

    def test_multi_stage_debian_12_non_root_with_a_volume(self):
        with open(os.path.join(SOURCE, "deploy/Dockerfile")) as f:
            lines = [l.strip() for l in f if l.strip() and not l.startswith("#")]
        froms = [l for l in lines if l.startswith("FROM ")]
        self.assertEqual(len(froms), 2)
        self.assertTrue(all(re.match(r"FROM debian:12(-slim)?( |$)", l) for l in froms))
        self.assertTrue(any(l.startswith("COPY --from=build ") for l in lines))
        user = [l for l in lines if l.startswith("USER ")]
        self.assertEqual(len(user), 1)
        self.assertNotRegex(user[0], r"USER (root|0)\b")
        self.assertIn('VOLUME ["/var/lib/coffer"]', lines)
        self.assertTrue(any("COFFER_DATA_DIR=/var/lib/coffer" in l for l in lines))


if __name__ == "__main__":
    unittest.main()
