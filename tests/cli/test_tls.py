"""A host without a scheme means HTTPS (as in Semaphore); `--ca FILE` and
SSL_CERT_FILE trust a private CA."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from clihelpers import Sem, Server  # noqa: E402


class Tls(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="sem-tls-")
        cls.cert = os.path.join(cls.dir, "cert.pem")
        key = os.path.join(cls.dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", cls.cert], check=True, capture_output=True)
        cls.server = Server(extra_args=["--tls-cert", cls.cert, "--tls-key", key])
        assert cls.server.url.startswith("https://"), cls.server.url
        cls.hostport = cls.server.url[len("https://"):]

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.sem = Sem()

    def tearDown(self):
        self.assertNotIn(self.server.token, self.sem.all_output())
        self.sem.cleanup()

    def test_a_host_without_scheme_is_https_and_the_certificate_is_checked(self):
        r = self.sem.run("connect", self.hostport, self.server.token)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"error: cannot reach {self.hostport}", r.stderr)
        self.assertIn("certificate", r.stderr)
        self.assertIn("--ca FILE", r.stderr)
        self.assertFalse(os.path.exists(self.sem.path(".sem.yaml")))

    def test_ca_flag_is_saved_with_the_context(self):
        r = self.sem.run("connect", self.hostport, self.server.token, "--ca", self.cert)
        self.assertEqual((r.returncode, r.stdout), (0, f"connected to {self.hostport}\n"), r.stderr)
        cfg = self.sem.config()
        self.assertIn(f"host: {self.hostport}\n", cfg)
        self.assertIn(f"ca: {self.cert}\n", cfg)
        self.assertIn(f"active-context: {self.hostport.replace('.', '_')}", cfg)
        r = self.sem.run("create", "secret", "over-tls", "-e", "TLS_VALUE=tls-secret-value")
        self.assertEqual((r.returncode, r.stdout), (0, "Secret 'over-tls' created.\n"), r.stderr)
        self.assertIn("over-tls", self.sem.run("get", "secret").stdout)
        self.assertEqual(self.sem.run("delete", "secret", "over-tls").returncode, 0)
        self.assertNotIn("tls-secret-value", self.sem.all_output())

    def test_ssl_cert_file_trusts_a_private_ca(self):
        env = {"SSL_CERT_FILE": self.cert}
        r = self.sem.run("connect", self.hostport, self.server.token, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("ca:", self.sem.config())
        r = self.sem.run("get", "secret", env=env)
        self.assertEqual((r.returncode, r.stdout.splitlines()[0]), (0, "NAME   AGE"), r.stderr)
        # Without it (and no --ca), the same context is refused by TLS.
        r = self.sem.run("get", "secret")
        self.assertEqual(r.returncode, 1)
        self.assertIn("certificate", r.stderr)
        # --ca also works per command, before or after the subcommand.
        self.assertEqual(self.sem.run("--ca", self.cert, "get", "secret").returncode, 0)
        self.assertEqual(self.sem.run("get", "secret", "--ca", self.cert).returncode, 0)

    def test_an_explicit_https_url_and_a_missing_ca_file(self):
        r = self.sem.run("connect", self.server.url, self.server.token, "--ca", self.cert)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.sem.run("get", "secret", "--ca", "/nonexistent/ca.pem")
        self.assertEqual(r.returncode, 1)
        self.assertIn("--ca /nonexistent/ca.pem: cannot read", r.stderr)


if __name__ == "__main__":
    unittest.main()
