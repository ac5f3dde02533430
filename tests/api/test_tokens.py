"""Issue 8, point 7: API tokens can be listed and revoked, not only created.

`coffer admin list-tokens/revoke-token/delete-user` and, for an org Owner, the API
(`GET /api/v1alpha/tokens`, `DELETE /api/v1alpha/tokens/{id}`). Every revoke and delete is
audited, each takes effect on the very next request of a running server, and no listing
ever shows a token.
"""
import os
import subprocess
import sys
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
from harness import COFFER, ServerTest  # noqa: E402

TOKEN_FIELDS = {"id", "user_id", "user_name", "description", "create_time", "last_used",
                "expires_at"}
HEADER = ["ID", "USER", "DESCRIPTION", "CREATED", "LAST USED", "EXPIRES"]


class Tokens(ServerTest):
    # --- helpers ---------------------------------------------------------------------

    def admin_run(self, *args):
        return subprocess.run([COFFER, "admin", "--data-dir", self.server.data_dir, *args],
                              capture_output=True, text=True)

    def cli_tokens(self, org="default"):
        """`coffer admin list-tokens` as (raw stdout, rows as dicts keyed by the header)."""
        out = self.server.admin("list-tokens", "--org", org)
        lines = out.splitlines()
        self.assertEqual(lines[0].split("   ")[0], "ID")
        # Columns are padded to the widest cell plus 3 spaces: cut at the header's offsets.
        starts = [lines[0].index(h) for h in HEADER]
        rows = []
        for line in lines[1:]:
            cells = [line[a:b].strip() for a, b in zip(starts, starts[1:] + [None])]
            rows.append(dict(zip(HEADER, cells)))
        return out, rows

    def token_id(self, description, org="default"):
        _, rows = self.cli_tokens(org)
        ids = [r["ID"] for r in rows if r["DESCRIPTION"] == description]
        self.assertEqual(len(ids), 1, rows)
        return ids[0]

    def new_user(self, name, role="Admin", org="default", description=None):
        """Creates a user with one token described `description` (default: the name)."""
        self.server.admin("create-user", name, "--org", org, "--role", role)
        return self.server.admin("create-token", "--org", org, "--user", name,
                                 "--description", description or name)

    def works(self, token):
        return self.api("GET", "/api/v1beta/secrets", token=token).status

    def audit_events(self, action):
        page = self.ok("GET", "/api/v1alpha/audit")
        return [e for e in page["events"] if e["action"] == action]

    # --- coffer admin (works against a running server; no API route needed) ----------

    def test_admin_list_tokens_shows_metadata_and_never_a_token(self):
        token = self.new_user("lister", description="lister laptop")
        self.server.admin("create-token", "--org", "default", "--user", "lister",
                          "--description", "lister ci", "--ttl", "3600")
        self.assertEqual(self.works(token), 200)
        out, rows = self.cli_tokens()
        self.assertNotIn(token, out)
        self.assertNotIn(self.token, out)
        self.assertNotIn("cft_", out)
        by_desc = {r["DESCRIPTION"]: r for r in rows}
        laptop, ci = by_desc["lister laptop"], by_desc["lister ci"]
        self.assertEqual(laptop["USER"], "lister")
        uuid.UUID(laptop["ID"])
        self.assertRegex(laptop["CREATED"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertRegex(laptop["LAST USED"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(laptop["EXPIRES"], "never")
        self.assertEqual(ci["LAST USED"], "never")
        self.assertRegex(ci["EXPIRES"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertNotEqual(laptop["ID"], ci["ID"])

    def test_admin_revoke_token_takes_effect_on_the_next_request(self):
        token = self.new_user("revokee")
        self.assertEqual(self.works(token), 200)
        tid = self.token_id("revokee")
        r = self.admin_run("revoke-token", tid)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.works(token), 401)
        self.assertNotIn(tid, self.cli_tokens()[0])
        again = self.admin_run("revoke-token", tid)
        self.assertEqual((again.returncode, again.stderr), (1, "error: token not found\n"))
        events = [e for e in self.audit_events("token.revoke") if e["resource_id"] == tid]
        self.assertEqual(len(events), 1)
        self.assertEqual((events[0]["actor_name"], events[0]["medium"]), ("coffer admin", "CLI"))
        self.assertEqual(events[0]["resource_type"], "token")

    def test_admin_revoke_token_given_the_token_itself_does_not_echo_it(self):
        token = self.new_user("confused")
        r = self.admin_run("revoke-token", token)
        self.assertEqual(r.returncode, 1)
        self.assertNotIn(token, r.stdout + r.stderr)
        self.assertIn("the token's id", r.stderr)
        self.assertEqual(self.works(token), 200)

    def test_admin_delete_user_takes_effect_on_the_next_request(self):
        first = self.new_user("leaver")
        second = self.server.admin("create-token", "--org", "default", "--user", "leaver")
        self.assertEqual((self.works(first), self.works(second)), (200, 200))
        r = self.admin_run("delete-user", "leaver", "--org", "default")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual((self.works(first), self.works(second)), (401, 401))
        self.assertNotIn("leaver", [row["USER"] for row in self.cli_tokens()[1]])
        events = [e for e in self.audit_events("user.delete") if e["resource_name"] == "leaver"]
        self.assertEqual(len(events), 1)
        self.assertEqual((events[0]["actor_name"], events[0]["medium"]), ("coffer admin", "CLI"))
        again = self.admin_run("delete-user", "leaver", "--org", "default")
        self.assertEqual((again.returncode, again.stderr), (1, "error: user not found\n"))

    # --- the API (waits on the routes GET/DELETE /api/v1alpha/tokens) -----------------

    def test_api_owner_lists_tokens_without_any_token_text(self):
        member = self.new_user("listed", role="Member")
        r = self.api("GET", "/api/v1alpha/tokens")
        self.assertEqual(r.status, 200, r)
        self.assertNotIn(self.token.encode(), r.raw)
        self.assertNotIn(member.encode(), r.raw)
        self.assertNotIn(b"cft_", r.raw)
        tokens = r.json["tokens"]
        for t in tokens:
            self.assertEqual(set(t), TOKEN_FIELDS)
            uuid.UUID(t["id"])
            for k in ("create_time", "last_used", "expires_at"):
                self.assertIsInstance(t[k], str)
                int(t[k])
        mine = [t for t in tokens if t["user_name"] == "listed"]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]["id"], self.token_id("listed"))
        self.assertEqual(mine[0]["description"], "listed")
        self.assertEqual(mine[0]["expires_at"], "0")
        self.assertIn("admin", [t["user_name"] for t in tokens])

    def test_api_admin_and_member_may_not_list_or_revoke(self):
        admin = self.new_user("not-owner", role="Admin")
        member = self.new_user("not-owner-either", role="Member")
        tid = self.token_id("not-owner")
        for token in (admin, member):
            self.assertEqual(self.api("GET", "/api/v1alpha/tokens", token=token).status, 403)
            self.assertEqual(
                self.api("DELETE", f"/api/v1alpha/tokens/{tid}", token=token).status, 403)
        self.assertEqual(self.works(admin), 200)

    def test_api_revoke_then_the_token_is_refused_on_the_next_request(self):
        token = self.new_user("api-revokee")
        tid = self.token_id("api-revokee")
        self.assertEqual(self.works(token), 200)
        r = self.api("DELETE", f"/api/v1alpha/tokens/{tid}")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, {})
        self.assertEqual(self.works(token), 401)
        self.assertEqual(self.api("DELETE", f"/api/v1alpha/tokens/{tid}").status, 404)
        listed = self.ok("GET", "/api/v1alpha/tokens")["tokens"]
        self.assertNotIn(tid, [t["id"] for t in listed])
        page = self.api("GET", "/api/v1alpha/audit")
        self.assertNotIn(token.encode(), page.raw)
        events = [e for e in page.json["events"]
                  if e["action"] == "token.revoke" and e["resource_id"] == tid]
        self.assertEqual(len(events), 1)
        self.assertEqual(events[0]["actor_name"], "admin")
        self.assertEqual(events[0]["medium"], "API")
        self.assertEqual(events[0]["resource_type"], "token")
        self.assertEqual(events[0]["request_id"], r.headers["X-Request-Id"])

    def test_api_revoke_of_an_unknown_id_is_not_found(self):
        for tid in (str(uuid.uuid4()), "not-a-uuid"):
            r = self.api("DELETE", f"/api/v1alpha/tokens/{tid}")
            self.assertEqual(r.status, 404, r)

    def test_api_another_orgs_token_is_not_found_and_keeps_working(self):
        self.server.admin("create-org", "elsewhere")
        theirs = self.new_user("their-owner", role="Owner", org="elsewhere")
        tid = self.token_id("their-owner", org="elsewhere")
        self.assertEqual(self.api("DELETE", f"/api/v1alpha/tokens/{tid}").status, 404)
        self.assertEqual(self.works(theirs), 200)
        ours = [t["id"] for t in self.ok("GET", "/api/v1alpha/tokens")["tokens"]]
        self.assertNotIn(tid, ours)
        their_list = self.ok("GET", "/api/v1alpha/tokens", token=theirs)["tokens"]
        self.assertEqual([t["user_name"] for t in their_list], ["their-owner"])
        events = [e for e in self.audit_events("token.revoke") if e["resource_id"] == tid]
        self.assertEqual(events, [])


if __name__ == "__main__":
    unittest.main()
