"""Projects, roles, permissions, and 404 for what a caller may not see."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
from harness import ServerTest  # noqa: E402


class Projects(ServerTest):
    def test_project_shape_paging_and_unique_names(self):
        r = self.create_project("alpha", allowed_secrets=["awskey"])
        self.assertEqual(r.status, 200, r)
        p = r.json
        self.assertEqual(p["apiVersion"], "v1alpha")
        self.assertEqual(p["kind"], "Project")
        self.assertEqual(p["spec"]["repository"]["forked_pull_requests"]["allowed_secrets"],
                         ["awskey"])
        self.assertEqual(self.create_project("alpha").status, 409)
        for n in ("beta", "gamma"):
            self.create_project(n)
        first = self.api("GET", "/api/v1alpha/projects?page=1&page_size=2")
        self.assertEqual(first.status, 200)
        self.assertIsInstance(first.json, list)
        self.assertEqual(first.headers["x-has-more"], "true")
        second = self.api("GET", "/api/v1alpha/projects?page=2&page_size=2")
        self.assertEqual(second.headers["x-has-more"], "false")
        names = [x["metadata"]["name"] for x in first.json + second.json]
        self.assertEqual(names, ["alpha", "beta", "gamma"])
        self.assertEqual(self.ok("GET", "/api/v1alpha/projects/" + p["metadata"]["id"]), p)
        self.assertEqual(self.ok("GET", "/api/v1alpha/projects/alpha"), p)
        p["spec"]["repository"]["forked_pull_requests"]["allowed_secrets"] = ["a", "b"]
        upd = self.ok("PUT", "/api/v1alpha/projects/alpha", p)
        self.assertEqual(upd["spec"]["repository"]["forked_pull_requests"]["allowed_secrets"],
                         ["a", "b"])
        # A page number whose offset would overflow is refused, not wrapped around.
        self.assertEqual(self.api("GET", "/api/v1alpha/projects?page=999999999").status, 400)
        self.assertEqual(self.api("GET", "/api/v1alpha/projects?page=0").status, 400)
        self.assertEqual(self.ok("DELETE", "/api/v1alpha/projects/gamma"), {})
        self.assertEqual(self.api("GET", "/api/v1alpha/projects/gamma").status, 404)


class Permissions(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.admin_token = s.user_token("ada", "Admin")
        cls.member_token = s.user_token("mel", "Member")
        s.admin("create-org", "evilcorp")
        cls.stranger_token = s.user_token("eve", "Owner", org="evilcorp")

    def test_policy_change_without_policy_permission_is_403_with_message(self):
        r = self.create_secret("pol", env={"A": "aaaa"}, token=self.admin_token,
                               org_config={"projects_access": "NONE"})
        self.assertEqual(r.status, 403, r)
        self.assertIn("organization.secrets_policy_settings.manage", r.json["message"])
        self.assertEqual(self.api("GET", "/api/v1beta/secrets/pol").status, 404)
        self.assertEqual(self.create_secret("pol", env={"A": "aaaa"}, token=self.admin_token).status, 200)
        r = self.api("PATCH", "/api/v1beta/secrets/pol", token=self.admin_token,
                     body={"org_config": {"projects_access": "ALL", "project_ids": [],
                                          "debug_access": "JOB_DEBUG_NO",
                                          "attach_access": "JOB_ATTACH_YES"}})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.ok("GET", "/api/v1beta/secrets/pol")["org_config"]["debug_access"],
                         "JOB_DEBUG_YES")
        # Sending the unchanged policy back (as `sem edit` does) is fine.
        r = self.api("PATCH", "/api/v1beta/secrets/pol", token=self.admin_token,
                     body={"org_config": {"projects_access": "ALL", "project_ids": [],
                                          "debug_access": "JOB_DEBUG_YES",
                                          "attach_access": "JOB_ATTACH_YES"}})
        self.assertEqual(r.status, 200, r)
        # The owner may change it; ALLOWED lists must name real projects.
        pid = self.create_project("allowed-one").json["metadata"]["id"]
        r = self.api("PATCH", "/api/v1beta/secrets/pol",
                     body={"org_config": {"projects_access": "ALLOWED", "project_ids": [pid]}})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["org_config"]["project_ids"], [pid])
        r = self.api("PATCH", "/api/v1beta/secrets/pol",
                     body={"org_config": {"projects_access": "ALLOWED",
                                          "project_ids": ["00000000-0000-4000-8000-000000000000"]}})
        self.assertEqual(r.status, 400, r)
        self.assertIn("org_config.project_ids[0]", r.json["message"])

    def test_other_organization_sees_404(self):
        s = self.create_secret("ours", env={"A": "aaaa"}).json
        sid = s["metadata"]["id"]
        for path in ("/api/v1beta/secrets/ours", "/api/v1beta/secrets/" + sid):
            self.assertEqual(self.api("GET", path, token=self.stranger_token).status, 404)
            self.assertEqual(self.api("PATCH", path, token=self.stranger_token,
                                      body={"metadata": {"name": "x"}}).status, 404)
            self.assertEqual(self.api("DELETE", path, token=self.stranger_token).status, 404)
        names = [x["metadata"]["name"] for x in
                 self.api("GET", "/api/v1beta/secrets", token=self.stranger_token).json["secrets"]]
        self.assertNotIn("ours", names)
        self.create_project("private")
        self.assertEqual(self.api("GET", "/api/v1alpha/projects/private",
                                  token=self.stranger_token).status, 404)
        self.assertEqual(self.api("GET", "/api/v1/projects/private/secrets",
                                  token=self.stranger_token).status, 404)

    def test_member_roles(self):
        self.create_secret("orgwide", env={"A": "aaaa"})
        # Members see org secret names but may not change them: update/delete are 404.
        self.assertEqual(self.api("GET", "/api/v1beta/secrets/orgwide", token=self.member_token).status, 200)
        self.assertEqual(self.api("DELETE", "/api/v1beta/secrets/orgwide", token=self.member_token).status, 404)
        self.assertEqual(self.create_secret("m", env={"A": "aaaa"}, token=self.member_token).status, 403)
        self.create_project("team")
        self.create_project("hidden")
        self.create_secret("teamsecret", env={"A": "aaaa"}, project="team")
        self.assertEqual(self.api("GET", "/api/v1/projects/team/secrets", token=self.member_token).status, 404)
        self.server.admin("set-project-role", "--org", "default", "--user", "mel",
                          "--project", "team", "--role", "Contributor")
        self.assertEqual(self.api("GET", "/api/v1/projects/team/secrets/teamsecret",
                                  token=self.member_token).status, 200)
        self.assertEqual(self.api("DELETE", "/api/v1/projects/team/secrets/teamsecret",
                                  token=self.member_token).status, 404)
        listed = self.api("GET", "/api/v1alpha/projects", token=self.member_token).json
        self.assertEqual([p["metadata"]["name"] for p in listed], ["team"])
        self.server.admin("set-project-role", "--org", "default", "--user", "mel",
                          "--project", "team", "--role", "Admin")
        self.assertEqual(self.create_secret("mine", env={"A": "aaaa"}, project="team",
                                            token=self.member_token).status, 200)
        self.assertEqual(self.api("DELETE", "/api/v1/projects/team/secrets/mine",
                                  token=self.member_token).status, 200)
        self.assertEqual(self.create_project("nope", token=self.member_token).status, 403)


if __name__ == "__main__":
    unittest.main()
