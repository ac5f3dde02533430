"""Bad input gets a 4xx naming the field, and changes nothing."""
import base64
import os
import socket
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
from harness import ServerTest, call  # noqa: E402

B64 = base64.b64encode(b"data").decode()

# (body, field named in the message)
BAD_SECRETS = [
    ({"metadata": {"name": "has space"}}, "metadata.name"),
    ({"metadata": {"name": "bang!"}}, "metadata.name"),
    ({"metadata": {"name": "a" * 256}}, "metadata.name"),
    ({"metadata": {"name": ""}}, "metadata.name"),
    ({"metadata": {"name": "x-31887bfb-fac5-4f5b-9a6a-059ecebcc851"}}, "metadata.name"),
    ({"metadata": {"name": "ok", "description": "d" * 256}}, "metadata.description"),
    ({"metadata": {"name": "ok"}, "data": {"env_vars": [{"name": "1BAD", "value": "v"}]}},
     "data.env_vars[0].name"),
    ({"metadata": {"name": "ok"}, "data": {"env_vars": [{"name": "A-B", "value": "v"}]}},
     "data.env_vars[0].name"),
    ({"metadata": {"name": "ok"}, "data": {"env_vars": [{"name": "A", "value": ""}]}},
     "data.env_vars[0].value"),
    ({"metadata": {"name": "ok"}, "data": {"env_vars": [{"name": "A", "value": "1"},
                                                          {"name": "A", "value": "2"}]}},
     "data.env_vars[1].name"),
    ({"metadata": {"name": "ok"}, "data": {"files": [{"path": "../etc/passwd", "content": B64}]}},
     "data.files[0].path"),
    ({"metadata": {"name": "ok"}, "data": {"files": [{"path": "", "content": B64}]}},
     "data.files[0].path"),
    ({"metadata": {"name": "ok"}, "data": {"files": [{"path": "a\u0000b", "content": B64}]}},
     "data.files[0].path"),
    ({"metadata": {"name": "ok"}, "data": {"files": [{"path": "p", "content": "%%%"}]}},
     "data.files[0].content"),
    ({"metadata": {"name": "ok"}, "data": {"files": [{"path": "p", "content": B64},
                                                       {"path": "p", "content": B64}]}},
     "data.files[1].path"),
    ({"metadata": {"name": "ok"}, "data": {"env_vars": [{"name": "BIG", "value": "x" * (6 * 1024 * 1024 + 1)}]}},
     "data"),
    ({"metadata": {"name": "ok", "colour": "red"}}, "metadata.colour"),
    ({"metadata": {"name": "ok"}, "org_config": {"projects_access": "SOME"}},
     "org_config.projects_access"),
    ({"metadata": {"name": "ok"}, "org_config": {"projects_access": "ALL", "project_ids": ["x"]}},
     "org_config.project_ids"),
]


class BadInput(ServerTest):
    def test_each_validation_rule_names_the_field_and_changes_nothing(self):
        for body, field in BAD_SECRETS:
            with self.subTest(field=field, body=str(body)[:80]):
                r = self.api("POST", "/api/v1beta/secrets", body)
                self.assertEqual(r.status, 400, r)
                self.assertTrue(r.json["message"].startswith(field), r.json["message"])
        self.assertEqual(self.ok("GET", "/api/v1beta/secrets")["secrets"], [])
        self.assertEqual(self.ok("GET", "/api/v1alpha/audit")["events"], [])

    def test_protocol_errors(self):
        url = self.server.url
        r = call(url, "POST", "/api/v1beta/secrets", self.token, raw=b"{not json")
        self.assertEqual(r.status, 400)
        self.assertTrue(r.json["message"].startswith("malformed JSON"), r)
        r = call(url, "POST", "/api/v1beta/secrets", self.token, raw=b"x" * (8 * 1024 * 1024 + 10))
        self.assertEqual(r.status, 413, r)
        self.assertEqual(call(url, "GET", "/api/v1beta/nothing", self.token).status, 404)
        # (/ is the web UI's first page.)
        self.assertEqual(call(url, "GET", "/no/such/path", self.token).status, 404)
        r = call(url, "PUT", "/api/v1beta/secrets", self.token, body={})
        self.assertEqual(r.status, 405)
        self.assertEqual(r.headers["Allow"], "GET, POST")
        self.assertEqual(call(url, "GET", "/api/v1beta/secrets").status, 401)
        self.assertEqual(call(url, "GET", "/api/v1beta/secrets", "cft_" + "A" * 43).status, 401)
        r = call(url, "GET", "/api/v1beta/secrets", headers={"Authorization": "Basic eDp5"})
        self.assertEqual(r.status, 401)
        self.assertEqual(call(url, "GET", "/api/v1beta/secrets/%zz", self.token).status, 400)
        # The server is still healthy after all of that.
        self.assertEqual(call(url, "GET", "/healthz").status, 200)

    def test_garbage_on_the_socket_is_a_400_not_a_crash(self):
        host, port = self.server.url.split("//")[1].split(":")
        with socket.create_connection((host, int(port)), timeout=10) as s:
            s.sendall(b"\x16\x03\x01 this is not http\r\n\r\n")
            self.assertIn(b"400", s.recv(4096))
        self.assertEqual(call(self.server.url, "GET", "/healthz").status, 200)


if __name__ == "__main__":
    unittest.main()
