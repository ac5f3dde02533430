"""The web UI's sessions and pages, at the HTTP level (tests/browser drives them in a real
browser): sign-in trades an API token for a cookie (HttpOnly, SameSite=Strict, Secure and
__Host- under TLS), sessions live in the store so servers on one database agree and
sign-out ends one everywhere, changes need the CSRF token and a same-origin Origin, job
routes never take the cookie, and pages for what the user may not see are 404."""
import os
import ssl
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
from harness import Server, ServerTest, call  # noqa: E402

SESSION = "/api/v1alpha/session"
NEW = {"metadata": {"name": "ui"}, "data": {"env_vars": [{"name": "A", "value": "aaaa"}]}}


def sign_in(url, token, **kw):
    r = call(url, "POST", SESSION, token, **kw)
    assert r.status == 200, r
    cookie = r.headers["Set-Cookie"]
    pair = cookie.split(";", 1)[0]
    return r, pair, r.json["csrf_token"]


def origin_of(url):
    return url


class Sessions(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.member = cls.server.user_token("mia", "Member")
        cls.ci = cls.server.user_token("ci", "Orchestrator")
        r = call(cls.server.url, "POST", "/api/v1alpha/projects", cls.token,
                 {"apiVersion": "v1alpha", "kind": "Project", "metadata": {"name": "web"},
                  "spec": {"repository": {"url": "git@example.com:acme/web.git"}}})
        assert r.status == 200, r

    def cookie_call(self, method, path, pair, csrf=None, origin=None, body=None, url=None):
        headers = {"Cookie": pair}
        if csrf is not None:
            headers["X-CSRF-Token"] = csrf
        if origin is not None:
            headers["Origin"] = origin
        return call(url or self.server.url, method, path, None, body, headers=headers)

    def test_sign_in_sets_a_strict_http_only_cookie_and_answers_the_user(self):
        r, pair, csrf = sign_in(self.server.url, self.token)
        cookie = r.headers["Set-Cookie"]
        self.assertTrue(pair.startswith("coffer_session=cfs_"), cookie)
        for attr in ("HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"):
            self.assertIn(attr, cookie)
        self.assertNotIn("Secure", cookie)  # plain HTTP: a Secure cookie would not come back
        self.assertNotIn(self.token, cookie)
        self.assertEqual(r.json["user"]["name"], "admin")
        self.assertEqual(r.json["user"]["org_role"], "Owner")
        got = self.cookie_call("GET", SESSION, pair)
        self.assertEqual(got.status, 200, got)
        self.assertEqual(got.json["csrf_token"], csrf)

    def test_a_bad_token_or_a_foreign_origin_starts_no_session(self):
        r = call(self.server.url, "POST", SESSION, "cft_" + "x" * 43)
        self.assertEqual(r.status, 401, r)
        self.assertNotIn("Set-Cookie", r.headers)
        r = call(self.server.url, "POST", SESSION, self.token,
                 headers={"Origin": "http://evil.example"})
        self.assertEqual(r.status, 403, r)
        self.assertNotIn("Set-Cookie", r.headers)
        # A session cannot start another one, and a route that takes only sessions refuses
        # a token.
        _, pair, csrf = sign_in(self.server.url, self.token)
        r = self.cookie_call("POST", SESSION, pair, csrf, self.server.url)
        self.assertEqual(r.status, 401, r)
        self.assertEqual(call(self.server.url, "GET", SESSION, self.token).status, 401)

    def test_revoking_the_token_ends_the_sessions_it_started(self):
        rex = self.server.user_token("rex", "Admin")
        _, pair, _ = sign_in(self.server.url, rex)
        self.assertEqual(self.cookie_call("GET", SESSION, pair).status, 200)
        tokens = call(self.server.url, "GET", "/api/v1alpha/tokens", self.token).json["tokens"]
        ids = [t["id"] for t in tokens if t.get("user_name") == "rex"]
        self.assertEqual(len(ids), 1, tokens)
        r = call(self.server.url, "DELETE", f"/api/v1alpha/tokens/{ids[0]}", self.token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.cookie_call("GET", SESSION, pair).status, 401)
        self.assertEqual(self.cookie_call("GET", "/api/v1beta/secrets", pair).status, 401)

    def test_a_session_ends_no_later_than_its_token(self):
        self.server.user_token("tia", "Admin")
        short = self.server.admin("create-token", "--org", "default", "--user", "tia",
                                  "--ttl", "120").split()[-1]
        r, pair, _ = sign_in(self.server.url, short)
        max_age = int(r.headers["Set-Cookie"].split("Max-Age=")[1].split(";")[0])
        self.assertGreater(max_age, 0)
        self.assertLessEqual(max_age, 120)
        self.assertEqual(self.cookie_call("GET", SESSION, pair).status, 200)

    def test_changes_need_the_csrf_token_and_a_same_origin(self):
        _, pair, csrf = sign_in(self.server.url, self.token)
        url = self.server.url
        body = {"metadata": {"name": "csrf1"}, "data": {"env_vars": [{"name": "A", "value": "a"}]}}
        https = "https://" + url.split("://", 1)[1]
        for headers, why in (((None, url), "missing"), ((csrf[:-1] + "x", url), "wrong"),
                             ((csrf, None), "Origin header is missing"),
                             ((csrf, "http://evil.example"), "not this server"),
                             ((csrf, "null"), "not this server"),
                             ((csrf, https), "not this server")):  # the scheme counts too
            r = self.cookie_call("POST", "/api/v1beta/secrets", pair, *headers, body=body)
            self.assertEqual(r.status, 403, (headers, r))
            self.assertIn("CSRF", r.json["message"])
            self.assertIn(why, r.json["message"])
        self.assertEqual(self.api("GET", "/api/v1beta/secrets/csrf1").status, 404)
        r = self.cookie_call("POST", "/api/v1beta/secrets", pair, csrf, url, body=body)
        self.assertEqual(r.status, 200, r)
        # Reads need no CSRF token.
        self.assertEqual(self.cookie_call("GET", "/api/v1beta/secrets/csrf1", pair).status, 200)
        # The change is audited as the user, from the UI.
        events = self.ok("GET", "/api/v1alpha/audit")["events"]
        create = [e for e in events if e["action"] == "secret.create" and e["resource_name"] == "csrf1"]
        self.assertEqual([(e["actor_name"], e["medium"]) for e in create], [("admin", "UI")])

    def test_the_session_is_authorised_exactly_like_its_user(self):
        _, pair, csrf = sign_in(self.server.url, self.member)
        url = self.server.url
        self.assertEqual(self.cookie_call("GET", "/api/v1beta/secrets", pair).status, 200)
        self.assertEqual(self.cookie_call("GET", "/api/v1alpha/projects/web", pair).status, 404)
        self.assertEqual(self.cookie_call("GET", "/api/v1alpha/audit", pair).status, 403)
        self.assertEqual(self.cookie_call("POST", "/api/v1beta/secrets", pair, csrf, url,
                                          body=NEW).status, 403)
        # Pages that name what the member may not see are 404; the owner gets 200.
        self.assertEqual(self.cookie_call("GET", "/projects/web", pair).status, 404)
        self.assertEqual(self.cookie_call("GET", "/projects/web/secrets/new", pair).status, 404)
        _, owner, _ = sign_in(self.server.url, self.token)
        self.assertEqual(self.cookie_call("GET", "/projects/web", owner).status, 200)
        self.assertEqual(self.cookie_call("GET", "/projects/nope", owner).status, 404)
        self.assertEqual(self.cookie_call("GET", "/secrets/nope", owner).status, 404)

    def test_a_target_page_is_404_unless_the_target_is_this_projects(self):
        self.assertEqual(self.create_project("api-tp").status, 200)
        ids = {}
        for project in ("web", "api-tp"):
            pid = self.ok("GET", f"/api/v1alpha/projects/{project}")["metadata"]["id"]
            t = self.ok("POST", "/api/v1alpha/deployment_targets",
                        {"name": f"{project}-prod", "project_id": pid,
                         "subject_rules": [{"type": "ANY"}],
                         "object_rules": [{"type": "BRANCH", "match_mode": "ALL"}]})
            ids[project] = t["id"]
        _, owner, _ = sign_in(self.server.url, self.token)
        page = lambda path: self.cookie_call("GET", path, owner).status  # noqa: E731
        self.assertEqual(page(f"/projects/web/targets/{ids['web']}"), 200)
        self.assertEqual(page("/projects/web/targets/web-prod"), 200)  # by name too
        self.assertEqual(page("/projects/web/targets/new"), 200)
        for path in ("/projects/web/targets/nope",
                     "/projects/web/targets/00000000-0000-4000-8000-000000000000",
                     f"/projects/web/targets/{ids['api-tp']}",  # another project's target
                     "/projects/web/targets/api-tp-prod",
                     f"/projects/nope/targets/{ids['web']}"):
            self.assertEqual(page(path), 404, path)
        # A member who may not see the project gets 404 for its real target too.
        _, member, _ = sign_in(self.server.url, self.member)
        self.assertEqual(self.cookie_call("GET", f"/projects/web/targets/{ids['web']}",
                                          member).status, 404)

    def test_job_routes_never_take_the_cookie(self):
        _, pair, csrf = sign_in(self.server.url, self.ci)
        body = {"project_id_or_name": "web", "secrets": [],
                "git": {"ref_type": "BRANCH", "ref": "main", "fork": False},
                "triggered_by": {"type": "AUTO"}}
        r = self.cookie_call("POST", "/api/v1alpha/jobs", pair, csrf, self.server.url, body=body)
        self.assertEqual(r.status, 401, r)
        # The same orchestrator's token opens it.
        self.assertEqual(self.api("POST", "/api/v1alpha/jobs", body, token=self.ci).status, 200)

    def test_sign_out_ends_the_session_and_is_audited(self):
        _, pair, csrf = sign_in(self.server.url, self.token)
        r = self.cookie_call("DELETE", SESSION, pair)
        self.assertEqual(r.status, 403, r)  # sign-out is a change: CSRF applies
        r = self.cookie_call("DELETE", SESSION, pair, csrf, self.server.url)
        self.assertEqual(r.status, 200, r)
        self.assertIn("Max-Age=0", r.headers["Set-Cookie"])
        self.assertEqual(self.cookie_call("GET", "/api/v1beta/secrets", pair).status, 401)
        actions = [e["action"] for e in self.ok("GET", "/api/v1alpha/audit")["events"]]
        self.assertIn("session.start", actions)
        self.assertIn("session.end", actions)

    def test_deleting_the_user_ends_its_sessions(self):
        token = self.server.user_token("gone", "Member")
        _, pair, _ = sign_in(self.server.url, token)
        self.assertEqual(self.cookie_call("GET", "/api/v1beta/secrets", pair).status, 200)
        self.server.admin("delete-user", "gone", "--org", "default")
        self.assertEqual(self.cookie_call("GET", "/api/v1beta/secrets", pair).status, 401)

    def test_malformed_or_unknown_cookies_are_401(self):
        for pair in ("coffer_session=", "coffer_session=cfs_short", "coffer_session=" + "cfs_" + "A" * 43,
                     "other=1; coffer_session=garbage"):
            self.assertEqual(self.cookie_call("GET", "/api/v1beta/secrets", pair).status, 401, pair)

    def test_a_plain_http_server_reads_only_the_cookie_name_it_sets(self):
        _, pair, _ = sign_in(self.server.url, self.token)
        value = pair.split("=", 1)[1]
        self.assertEqual(self.cookie_call("GET", "/api/v1beta/secrets", pair).status, 200)
        self.assertEqual(self.cookie_call("GET", "/api/v1beta/secrets",
                                          "__Host-coffer_session=" + value).status, 401)

    def test_pages_and_files_are_served_with_a_strict_policy(self):
        r = call(self.server.url, "GET", "/")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.headers["Content-Type"].startswith("text/html"), r.headers)
        csp = r.headers["Content-Security-Policy"]
        for d in ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                  "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'",
                  "form-action 'self'"):
            self.assertIn(d, csp)
        self.assertEqual(r.headers["X-Frame-Options"], "DENY")
        js = call(self.server.url, "GET", "/ui/app.js")
        self.assertEqual(js.status, 200)
        self.assertTrue(js.headers["Content-Type"].startswith("text/javascript"))
        self.assertEqual(call(self.server.url, "GET", "/ui/style.css").status, 200)
        self.assertEqual(call(self.server.url, "GET", "/ui/nothing.js").status, 404)
        self.assertEqual(call(self.server.url, "GET", "/no/such/page").status, 404)
        # Without a session a page that names an object is served, and signs in.
        self.assertEqual(call(self.server.url, "GET", "/projects/web").status, 200)
        # The API's 404 for unknown API paths is unchanged.
        self.assertEqual(call(self.server.url, "GET", "/api/v1beta/nothing", self.token).status, 404)


class SharedDatabase(unittest.TestCase):
    def test_servers_on_one_data_dir_share_sessions_and_sign_out_ends_it_everywhere(self):
        with Server() as a:
            with Server(data_dir=a.data_dir, expect_token=False) as b:
                _, pair, csrf = sign_in(a.url, a.token)
                h = {"Cookie": pair}
                self.assertEqual(call(b.url, "GET", "/api/v1beta/secrets", headers=h).status, 200)
                r = call(b.url, "DELETE", SESSION, headers={**h, "X-CSRF-Token": csrf,
                                                            "Origin": b.url})
                self.assertEqual(r.status, 200, r)
                self.assertEqual(call(a.url, "GET", "/api/v1beta/secrets", headers=h).status, 401)
                self.assertEqual(call(b.url, "GET", "/api/v1beta/secrets", headers=h).status, 401)


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("COFFER_")}
    env.update(extra)
    return env


class SecureCookies(unittest.TestCase):
    """--secure-cookies: a plain-HTTP server behind a TLS-terminating proxy, which the
    browser reaches over https://."""

    def test_the_cookie_is_secure_host_prefixed_and_only_that_name_is_read(self):
        with Server(extra_args=["--secure-cookies"], env=clean_env()) as s:
            r, pair, csrf = sign_in(s.url, s.token)
            cookie = r.headers["Set-Cookie"]
            self.assertTrue(pair.startswith("__Host-coffer_session=cfs_"), cookie)
            for attr in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/"):
                self.assertIn(attr, cookie)
            self.assertNotIn("Domain", cookie)
            value = pair.split("=", 1)[1]
            get = lambda c: call(s.url, "GET", "/api/v1beta/secrets",  # noqa: E731
                                 headers={"Cookie": c}).status
            self.assertEqual(get(pair), 200)
            # The plain name (which a plain-HTTP page of a sibling host could plant) is not
            # read, alone or beside another cookie.
            self.assertEqual(get("coffer_session=" + value), 401)
            self.assertEqual(get("other=1; coffer_session=" + value), 401)
            self.assertEqual(call(s.url, "GET", SESSION,
                                  headers={"Cookie": "coffer_session=" + value}).status, 401)
            # The browser's origin is https://host (the proxy's): http:// is another origin.
            host = s.url.split("://", 1)[1]
            h = {"Cookie": pair, "X-CSRF-Token": csrf}
            r = call(s.url, "POST", "/api/v1beta/secrets", None, NEW,
                     headers={**h, "Origin": "http://" + host})
            self.assertEqual(r.status, 403, r)
            self.assertIn("not this server", r.json["message"])
            r = call(s.url, "POST", "/api/v1beta/secrets", None, NEW,
                     headers={**h, "Origin": "https://" + host})
            self.assertEqual(r.status, 200, r)
            # Sign-in from an http:// page is refused too; sign-out names the secure cookie.
            r = call(s.url, "POST", SESSION, s.token, headers={"Origin": "http://" + host})
            self.assertEqual(r.status, 403, r)
            r = call(s.url, "DELETE", SESSION, headers={**h, "Origin": "https://" + host})
            self.assertEqual(r.status, 200, r)
            self.assertTrue(r.headers["Set-Cookie"].startswith("__Host-coffer_session=;"))
            self.assertIn("Secure", r.headers["Set-Cookie"])
            self.assertEqual(get(pair), 401)

    def test_set_by_the_environment_or_the_file_and_the_flag_wins(self):
        d = tempfile.mkdtemp(prefix="coffer-ui-conf-")
        self.addCleanup(subprocess.run, ["rm", "-rf", d])
        on, off = os.path.join(d, "on.yaml"), os.path.join(d, "off.yaml")
        with open(on, "w") as f:
            f.write("secure-cookies: true\n")
        with open(off, "w") as f:
            f.write("secure-cookies: false\n")

        def secure(args, env):
            with Server(extra_args=args, env=env) as s:
                cookie = sign_in(s.url, s.token)[0].headers["Set-Cookie"]
                return cookie.startswith("__Host-coffer_session=") and "; Secure" in cookie

        self.assertFalse(secure([], clean_env()))
        self.assertTrue(secure([], clean_env(COFFER_SECURE_COOKIES="true")))
        self.assertTrue(secure(["--config", on], clean_env()))
        self.assertFalse(secure(["--config", on], clean_env(COFFER_SECURE_COOKIES="false")))
        self.assertTrue(secure(["--config", off], clean_env(COFFER_SECURE_COOKIES="1")))
        self.assertFalse(secure(["--secure-cookies=false"],
                                clean_env(COFFER_SECURE_COOKIES="true")))
        self.assertTrue(secure(["--config", off, "--secure-cookies"], clean_env()))


class Tls(unittest.TestCase):
    def test_under_tls_the_cookie_is_secure_and_host_prefixed(self):
        d = tempfile.mkdtemp(prefix="coffer-ui-tls-")
        cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", cert], check=True, capture_output=True)
        try:
            with Server(extra_args=["--tls-cert", cert, "--tls-key", key]) as s:
                ctx = ssl.create_default_context(cafile=cert)
                r, pair, csrf = sign_in(s.url, s.token, context=ctx)
                cookie = r.headers["Set-Cookie"]
                self.assertTrue(pair.startswith("__Host-coffer_session=cfs_"), cookie)
                for attr in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/"):
                    self.assertIn(attr, cookie)
                self.assertNotIn("Domain", cookie)
                plain = "http://" + s.url.split("://", 1)[1]
                h = {"Cookie": pair, "X-CSRF-Token": csrf, "Origin": plain}
                r = call(s.url, "POST", "/api/v1beta/secrets", None, NEW, headers=h, context=ctx)
                self.assertEqual(r.status, 403, r)  # http://host is not https://host
                h = {"Cookie": pair, "X-CSRF-Token": csrf, "Origin": s.url}
                r = call(s.url, "POST", "/api/v1beta/secrets", None, NEW, headers=h, context=ctx)
                self.assertEqual(r.status, 200, r)
                page = call(s.url, "GET", "/", context=ctx)
                self.assertEqual(page.status, 200)
                self.assertIn("Content-Security-Policy", page.headers)
        finally:
            subprocess.run(["rm", "-rf", d])


if __name__ == "__main__":
    unittest.main()
