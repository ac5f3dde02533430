"""The organization's users (GET /api/v1alpha/users): for an Owner or an Admin only, the
users of the caller's organization alone, and never anything of their tokens."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
from harness import ServerTest  # noqa: E402


class Users(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin_token = cls.server.user_token("zed-admin", "Admin")
        cls.member = cls.server.user_token("bea-member", "Member")
        cls.ci = cls.server.user_token("ci", "Orchestrator")
        cls.server.admin("create-org", "elsewhere")
        cls.stranger = cls.server.user_token("eve", "Owner", org="elsewhere")

    def test_owner_and_admin_list_the_orgs_users_by_name_without_token_material(self):
        for token in (self.token, self.admin_token):
            r = self.api("GET", "/api/v1alpha/users", token=token)
            self.assertEqual(r.status, 200, r)
            users = r.json["users"]
            self.assertEqual([u["name"] for u in users], ["admin", "bea-member", "ci", "zed-admin"])
            self.assertEqual({u["name"]: u["org_role"] for u in users},
                             {"admin": "Owner", "bea-member": "Member", "ci": "Orchestrator",
                              "zed-admin": "Admin"})
            for u in users:
                self.assertEqual(set(u), {"id", "name", "org_role", "create_time"})
                self.assertTrue(u["id"])
                self.assertGreater(int(u["create_time"]), 0)
            for secret in (self.token, self.admin_token, self.member, self.ci, self.stranger):
                self.assertNotIn(secret.encode(), r.raw)
            self.assertNotIn(b"cft_", r.raw)
            self.assertNotIn(b"hash", r.raw)

    def test_the_ids_are_the_ones_the_audit_log_and_targets_name(self):
        users = {u["name"]: u["id"] for u in self.ok("GET", "/api/v1alpha/users")["users"]}
        self.create_secret("users-probe", env={"A": "a"})
        events = self.ok("GET", "/api/v1alpha/audit?action=secret.create")["events"]
        mine = [e for e in events if e["resource_name"] == "users-probe"]
        self.assertEqual(mine[0]["actor_id"], users["admin"])
        only = self.ok("GET", f"/api/v1alpha/audit?actor_id={users['admin']}&action=secret.create")
        self.assertIn("users-probe", [e["resource_name"] for e in only["events"]])

    def test_others_are_refused_and_no_org_sees_another(self):
        for token in (self.member, self.ci):
            r = self.api("GET", "/api/v1alpha/users", token=token)
            self.assertEqual(r.status, 403, r)
            self.assertNotIn(b"zed-admin", r.raw)
        self.assertEqual(self.api("GET", "/api/v1alpha/users", token="cft_" + "x" * 43).status, 401)
        theirs = self.ok("GET", "/api/v1alpha/users", token=self.stranger)["users"]
        self.assertEqual([u["name"] for u in theirs], ["eve"])


if __name__ == "__main__":
    unittest.main()
