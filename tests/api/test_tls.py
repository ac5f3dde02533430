"""HTTPS with --tls-cert/--tls-key; every success is a 200."""
import os
import ssl
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
from harness import Server, call  # noqa: E402


class Tls(unittest.TestCase):
    def test_https_with_a_private_ca(self):
        d = tempfile.mkdtemp(prefix="coffer-tls-")
        cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", cert], check=True, capture_output=True)
        with Server(extra_args=["--tls-cert", cert, "--tls-key", key]) as s:
            self.assertTrue(s.url.startswith("https://127.0.0.1:"), s.url)
            ctx = ssl.create_default_context(cafile=cert)
            r = call(s.url, "POST", "/api/v1beta/secrets", s.token,
                     {"metadata": {"name": "tls"}, "data": {"env_vars": [{"name": "A", "value": "aaaa"}]}},
                     context=ctx, user_agent="SemaphoreCLI/v0.32.0")
            self.assertEqual(r.status, 200, r)
            for method, path in (("GET", "/api/v1beta/secrets"), ("GET", "/api/v1beta/secrets/tls"),
                                 ("DELETE", "/api/v1beta/secrets/tls"),
                                 ("GET", "/api/v1alpha/projects?page=1")):
                self.assertEqual(call(s.url, method, path, s.token, context=ctx).status, 200)
            # A client that does not trust the certificate is refused by TLS itself.
            with self.assertRaises(Exception):
                call(s.url, "GET", "/healthz", context=ssl.create_default_context())
        subprocess.run(["rm", "-rf", d])

    def test_bad_certificate_path_is_one_clear_error(self):
        from harness import COFFER
        with tempfile.TemporaryDirectory() as d:
            r = subprocess.run([COFFER, "server", "--data-dir", d, "--listen", "127.0.0.1:0",
                                "--tls-cert", "/nonexistent.pem", "--tls-key", "/nonexistent.key"],
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 1)
            self.assertIn("cannot load the TLS certificate", r.stderr)


if __name__ == "__main__":
    unittest.main()
