"""What is on disk is ciphertext, bound to its row."""
import base64
import glob
import os
import sqlite3
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
from harness import Server, call  # noqa: E402

PLANTED_ENV = "PLANTED-env-value-7f3a9c"
PLANTED_FILE = b"PLANTED-file-bytes-b81e44\n-----BEGIN KEY-----\n"


class Storage(unittest.TestCase):
    def setUp(self):
        self.server = Server()
        self.url, self.token = self.server.url, self.server.token
        self.db = os.path.join(self.server.data_dir, "coffer.db")

    def tearDown(self):
        self.server.cleanup()

    def create(self, name, env_value, file_bytes=None):
        body = {"metadata": {"name": name},
                "data": {"env_vars": [{"name": "V", "value": env_value}],
                         "files": [{"path": "f", "content": base64.b64encode(file_bytes).decode()}]
                         if file_bytes else []}}
        r = call(self.url, "POST", "/api/v1beta/secrets", self.token, body)
        self.assertEqual(r.status, 200, r)
        return r.json["metadata"]["id"]

    def files_on_disk(self):
        return glob.glob(self.server.data_dir + "/*") + [self.server.log_path,
                                                          self.server.out_path]

    def assert_no_plaintext(self):
        needles = [PLANTED_ENV.encode(), PLANTED_FILE, b"PLANTED",
                   base64.b64encode(PLANTED_FILE), base64.b64encode(PLANTED_ENV.encode())]
        checked = 0
        for path in self.files_on_disk():
            with open(path, "rb") as f:
                content = f.read()
            checked += 1
            for n in needles:
                self.assertNotIn(n, content, f"{n!r} found in {path}")
        self.assertGreaterEqual(checked, 4)

    def test_no_plaintext_in_database_wal_or_logs(self):
        sid = self.create("planted", PLANTED_ENV, PLANTED_FILE)
        call(self.url, "PATCH", "/api/v1beta/secrets/planted", self.token,
             {"data": {"env_vars": [{"name": "V", "value": PLANTED_ENV + "-v2"}],
                       "files": [{"path": "f", "content": ""}]}})
        self.assertTrue(os.path.exists(self.db + "-wal"))
        self.assert_no_plaintext()  # while running: the WAL holds the fresh pages
        self.server.stop()
        self.assert_no_plaintext()  # after a checkpoint into the main file
        con = sqlite3.connect(self.db)
        versions = con.execute("SELECT version FROM secret_versions WHERE secret_id = ?",
                               (sid,)).fetchall()
        self.assertEqual(sorted(v for (v,) in versions), [1, 2])

    def test_tampered_or_moved_ciphertext_fails_to_open(self):
        a = self.create("alpha", "alpha-value-1")
        b = self.create("beta", "beta-value-2")
        con = sqlite3.connect(self.db, timeout=10)
        (sealed,) = con.execute("SELECT sealed FROM secret_versions WHERE secret_id = ?",
                                (a,)).fetchone()
        # Offsets: format version, KEK id, wrapped DEK, payload nonce, ciphertext, tag.
        for offset in (0, 3, 20, 70, 80, len(sealed) - 1):
            bad = bytearray(sealed)
            bad[offset] ^= 0x01
            con.execute("UPDATE secret_versions SET sealed = ? WHERE secret_id = ?",
                        (bytes(bad), a))
            con.commit()
            r = call(self.url, "PATCH", "/api/v1beta/secrets/alpha", self.token,
                     {"data": {"env_vars": [{"name": "V", "value": ""}]}})
            self.assertEqual(r.status, 500, f"offset {offset}: {r}")
            self.assertEqual(r.json["message"], "decryption failed")
        # beta's (valid) ciphertext copied into alpha's row does not open there either.
        (other,) = con.execute("SELECT sealed FROM secret_versions WHERE secret_id = ?",
                               (b,)).fetchone()
        con.execute("UPDATE secret_versions SET sealed = ? WHERE secret_id = ?", (other, a))
        con.commit()
        r = call(self.url, "PATCH", "/api/v1beta/secrets/alpha", self.token,
                 {"data": {"env_vars": [{"name": "V", "value": ""}]}})
        self.assertEqual(r.status, 500, r)
        # Nothing leaked, nothing else broken: beta still opens, the server is up.
        self.assertNotIn("value", r.json["message"])
        r = call(self.url, "PATCH", "/api/v1beta/secrets/beta", self.token,
                 {"data": {"env_vars": [{"name": "V", "value": ""}]}})
        self.assertEqual(r.status, 200, r)
        con.close()


if __name__ == "__main__":
    unittest.main()
