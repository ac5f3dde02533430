"""Issue 16, point 3: coffer server's settings come from flags, COFFER_* environment variables
and a YAML file (--config or COFFER_CONFIG), in that order of precedence over the default;
--help lists every setting with its variable; an unknown key or a bad value in the file is an
error that names the key and the file; SIGHUP reads the file's log-level again.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
from harness import COFFER, Server, call  # noqa: E402


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("COFFER_")}
    env.update(extra)
    return env


class Settings(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="coffer-config-")
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)

    def write(self, text, name="coffer.yaml"):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def org_of(self, extra_args=(), env=None):
        with Server(extra_args=list(extra_args), env=env or clean_env()) as s:
            m = re.search(r"^Organization: (\S+),", s.stdout(), re.M)
            return m.group(1) if m else None

    def refused(self, args, env=None):
        data = tempfile.mkdtemp(dir=self.dir)
        r = subprocess.run([COFFER, "server", "--data-dir", data, "--listen", "127.0.0.1:0",
                            *args], capture_output=True, text=True, env=env or clean_env(),
                           timeout=30)
        self.assertEqual(r.returncode, 1, r)
        self.assertNotIn("listening", r.stdout)
        return r.stderr

    def test_flag_over_environment_over_file_over_default(self):
        conf = self.write("org: from-file\n")
        self.assertEqual(self.org_of(), "default")
        self.assertEqual(self.org_of(["--config", conf]), "from-file")
        self.assertEqual(self.org_of(["--config", conf], clean_env(COFFER_ORG="from-env")),
                         "from-env")
        self.assertEqual(self.org_of(["--config", conf, "--org", "from-flag"],
                                     clean_env(COFFER_ORG="from-env")), "from-flag")

    def test_config_file_named_by_the_environment(self):
        conf = self.write("org: via-variable\n")
        self.assertEqual(self.org_of(env=clean_env(COFFER_CONFIG=conf)), "via-variable")

    def test_a_list_setting_from_the_file(self):
        # metrics-allow as a YAML list: loopback is no longer allowed without a token.
        conf = self.write("metrics-allow:\n  - 192.0.2.1\n  - 192.0.2.2\nlog-format: json\n")
        with Server(extra_args=["--config", conf], env=clean_env()) as s:
            self.assertEqual(call(s.url, "GET", "/metrics").status, 401)
            self.assertEqual(call(s.url, "GET", "/metrics", s.token).status, 200)

    def test_admin_reads_the_data_directory_from_the_environment(self):
        with Server(env=clean_env()) as s:
            r = subprocess.run([COFFER, "admin", "create-user", "ops", "--org", "default",
                                "--role", "Member", "--token"], capture_output=True, text=True,
                               env=clean_env(COFFER_DATA_DIR=s.data_dir), cwd=self.dir)
            self.assertEqual(r.returncode, 0, r)
            self.assertEqual(call(s.url, "GET", "/api/v1beta/secrets", r.stdout.strip()).status,
                             200)

    def test_unknown_key_is_an_error_naming_it_and_the_file(self):
        conf = self.write("org: acme\nworkerz: 4\n")
        err = self.refused(["--config", conf])
        self.assertIn(conf, err)
        self.assertIn("line 2", err)
        self.assertIn("unknown key 'workerz'", err)
        # --help and --config are not settings of the file.
        err = self.refused(["--config", self.write("config: other.yaml\n", "c2.yaml")])
        self.assertIn("unknown key 'config'", err)

    def test_bad_value_names_key_and_file(self):
        conf = self.write("workers: 0\n")
        err = self.refused(["--config", conf])
        self.assertIn(conf, err)
        self.assertIn("workers", err)
        self.assertIn("line 1", err)
        err = self.refused(["--config", self.write("log-level: loud\n", "c2.yaml")])
        self.assertIn("log-level", err)
        self.assertIn("c2.yaml", err)
        err = self.refused(["--config", self.write("workers: {a: 1}\n", "c3.yaml")])
        self.assertIn("workers: expected a value or a list", err)

    def test_bad_environment_value_names_the_variable(self):
        err = self.refused([], clean_env(COFFER_WORKERS="many"))
        self.assertIn("COFFER_WORKERS", err)

    def test_unreadable_or_malformed_file(self):
        missing = os.path.join(self.dir, "missing.yaml")
        self.assertIn("cannot read the settings file " + missing,
                      self.refused(["--config", missing]))
        err = self.refused(["--config", self.write("org: [unclosed\n", "bad.yaml")])
        self.assertIn("bad.yaml", err)
        self.assertIn("not YAML", err)
        err = self.refused(["--config", self.write("- org\n", "list.yaml")])
        self.assertIn("expected a mapping", err)

    def test_an_empty_file_sets_nothing(self):
        self.assertEqual(self.org_of(["--config", self.write("")]), "default")

    def test_help_lists_every_setting_with_its_variable_and_default(self):
        r = subprocess.run([COFFER, "server", "--help"], capture_output=True, text=True,
                           env=clean_env())
        self.assertEqual(r.returncode, 0, r)
        # One entry per option: its line, and the description's line when CLI11 wraps it.
        entries = []
        for line in r.stdout.splitlines():
            if re.match(r"^\s*(-\w,)?--[a-z]", line):
                entries.append(line)
            elif entries and line.startswith("      ") and line.strip():
                entries[-1] += " " + line.strip()
        names = set()
        for entry in entries:
            name = re.match(r"\s*(?:-\w,)?--([a-z0-9-]+)", entry).group(1)
            if name == "help":
                continue
            names.add(name)
            var = "COFFER_" + name.upper().replace("-", "_")
            self.assertIn("[$" + var + "]", entry)
            if name != "config":
                self.assertRegex(entry, r"^\s*--[a-z0-9-]+ .*?=\S|default", "no default: " + entry)
        for expected in ("data-dir", "listen", "log-level", "log-format", "metrics-allow",
                         "workers", "config"):
            self.assertIn(expected, names)
        self.assertIn("--listen TEXT=127.0.0.1:8080", r.stdout)
        self.assertIn("the environment over the file", r.stdout)

    def test_sighup_reads_the_files_log_level_again(self):
        conf = self.write("log-level: info\nlog-format: json\n")
        with Server(extra_args=["--config", conf], env=clean_env()) as s:
            self.assertEqual(call(s.url, "GET", "/healthz").status, 200)
            self.write("log-level: warn\nlog-format: json\n")
            s.proc.send_signal(signal.SIGHUP)
            deadline = time.time() + 10
            while "log level warn" not in s.stderr() and time.time() < deadline:
                time.sleep(0.05)
            self.assertIn("log level warn", s.stderr())
            self.assertEqual(call(s.url, "GET", "/healthz").status, 200)
            s.stop()  # flushes the log
            lines = [json.loads(l) for l in s.stderr().splitlines()]
            at = next(i for i, l in enumerate(lines) if "log level warn" in l["msg"])
            self.assertTrue(any(l["msg"] == "request" for l in lines[:at]))
            self.assertFalse(any(l["msg"] == "request" for l in lines[at:]))

    def test_sighup_applies_a_level_added_to_the_file(self):
        conf = self.write("log-format: json\n")
        with Server(extra_args=["--config", conf], env=clean_env()) as s:
            self.write("log-format: json\nlog-level: warn\n")
            s.proc.send_signal(signal.SIGHUP)
            deadline = time.time() + 10
            while "log level warn" not in s.stderr() and time.time() < deadline:
                time.sleep(0.05)
            self.assertIn("log level warn", s.stderr())
            self.assertEqual(call(s.url, "GET", "/healthz").status, 200)
            s.stop()
            msgs = [json.loads(l)["msg"] for l in s.stderr().splitlines()]
            self.assertNotIn("request", msgs)

    def test_sighup_keeps_a_level_given_on_the_command_line(self):
        conf = self.write("log-format: json\nlog-level: error\n")
        with Server(extra_args=["--config", conf, "--log-level", "info"],
                    env=clean_env()) as s:
            s.proc.send_signal(signal.SIGHUP)
            self.assertEqual(call(s.url, "GET", "/healthz").status, 200)
            s.stop()
            msgs = [json.loads(l)["msg"] for l in s.stderr().splitlines()]
            self.assertIn("request", msgs)
            self.assertFalse(any("log level" in m for m in msgs))


if __name__ == "__main__":
    unittest.main()
