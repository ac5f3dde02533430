"""A PostgreSQL outage under a running server (issue 13, point 5): /readyz says unready
while the database is unreachable and ready again once it is back, without a restart; a
request during the outage gets 503 with Retry-After, never a wrong answer; lost
connections are replaced."""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import Postgres, Server, call  # noqa: E402


class Outage(unittest.TestCase):
    def test_unready_and_503_while_down_then_ready_again(self):
        pg = Postgres()
        try:
            with Server(database=pg.create_database()) as s:
                t = s.token
                body = {"metadata": {"name": "before"},
                        "data": {"env_vars": [{"name": "K", "value": "kept-value"}], "files": []}}
                self.assertEqual(call(s.url, "POST", "/api/v1beta/secrets", t, body).status, 200)
                self.assertEqual(call(s.url, "GET", "/readyz").status, 200)

                pg.stop(keep=True)
                r = call(s.url, "GET", "/readyz")
                self.assertEqual((r.status, r.json), (503, {"status": "unavailable"}))
                for method, path, b in (("GET", "/api/v1beta/secrets/before", None),
                                        ("GET", "/api/v1beta/secrets", None),
                                        ("POST", "/api/v1beta/secrets",
                                         dict(body, metadata={"name": "during"}))):
                    r = call(s.url, method, path, t, b)
                    self.assertEqual(r.status, 503, (method, path, r))
                    self.assertIn("Retry-After", r.headers)
                    self.assertNotIn("kept-value", r.raw.decode())

                pg.start()
                deadline = time.time() + 30
                while call(s.url, "GET", "/readyz").status != 200:
                    self.assertLess(time.time(), deadline, "not ready again after the outage")
                    time.sleep(0.1)
                got = call(s.url, "GET", "/api/v1beta/secrets/before", t)
                self.assertEqual(got.status, 200, got)
                self.assertEqual(got.json["metadata"]["name"], "before")
                # The write refused during the outage did not happen; a new one does.
                self.assertEqual(call(s.url, "GET", "/api/v1beta/secrets/during", t).status, 404)
                after = dict(body, metadata={"name": "after"})
                self.assertEqual(call(s.url, "POST", "/api/v1beta/secrets", t, after).status, 200)
        finally:
            pg.stop()


if __name__ == "__main__":
    unittest.main()
