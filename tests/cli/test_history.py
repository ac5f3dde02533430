"""`sem get secret NAME --versions`, `sem rollback secret`, `sem destroy secret`,
`sem get secret --deleted`, `sem restore secret [--as]`, `sem delete secret --destroy`,
for org and project secrets, against a real server. No value reaches sem's output."""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from clihelpers import SemTest  # noqa: E402


def table(text):
    """The rows of sem's table output, split on runs of 3+ spaces."""
    return [re.split(r" {3,}", line.rstrip()) for line in text.splitlines()]


class History(SemTest):
    def test_versions_rollback_destroy_for_an_org_secret(self):
        self.secret_values = ["hist-one-value", "hist-two-value"]
        self.ok("create", "secret", "clihist", "-e", "TOKEN=hist-one-value")
        self.ok("apply", "-f", self.sem.write("v2.yml", (
            "apiVersion: v1beta\nkind: Secret\nmetadata:\n  name: clihist\n"
            "data:\n  env_vars:\n  - name: TOKEN\n    value: hist-two-value\n"
            "  - name: EXTRA\n    value: hist-two-value\n")))
        rows = table(self.ok("get", "secret", "clihist", "--versions"))
        self.assertEqual(rows[0], ["VERSION", "AGE", "BY", "ENV VARS", "FILES", "STATE"])
        self.assertEqual([r[0] for r in rows[1:]], ["1", "2"])
        self.assertEqual(rows[1][2:], ["admin", "TOKEN", "-", "-"])
        self.assertEqual(rows[2][2:], ["admin", "TOKEN,EXTRA", "-", "current"])
        self.assertEqual(
            self.ok("rollback", "secret", "clihist", "1"),
            "Secret 'clihist' rolled back: the content of version 1 is current, "
            "as a new version.\n")
        rows = table(self.ok("get", "secret", "clihist", "--versions"))
        self.assertEqual(rows[3][0], "3")
        self.assertEqual(rows[3][3:], ["TOKEN", "-", "current, rollback of 1"])
        self.assertEqual(self.ok("destroy", "secret", "clihist", "2"),
                         "Secret 'clihist' version 2 destroyed.\n")
        rows = table(self.ok("get", "secret", "clihist", "--versions"))
        self.assertEqual(rows[2][-1], "destroyed")
        self.fails("destroy", "secret", "clihist", "3", contains="current version")
        self.fails("rollback", "secret", "clihist", "2", contains="destroyed")
        self.fails("rollback", "secret", "clihist", "two", contains="version number")
        self.fails("get", "secret", "--versions", contains="Give NAME")

    def test_delete_list_deleted_restore_and_restore_as(self):
        self.secret_values = ["restore-me-value", "newer-value"]
        self.ok("create", "secret", "cligone", "-e", "TOKEN=restore-me-value")
        self.assertEqual(self.ok("delete", "secret", "cligone"), "Secret 'cligone' deleted.\n")
        self.fails("get", "secret", "cligone", contains="not found")
        rows = table(self.ok("get", "secret", "--deleted"))
        self.assertEqual(rows[0], ["NAME", "ID", "DELETED", "BY", "PURGED IN"])
        self.assertEqual([r[0] for r in rows[1:]], ["cligone"])
        self.assertEqual(rows[1][3], "admin")
        self.assertIn(rows[1][4], ("6d", "7d"))  # the default retention, 7 days
        self.assertEqual(self.ok("restore", "secret", "cligone"), "Secret 'cligone' restored.\n")
        self.ok("get", "secret", "cligone")
        # A new secret takes the name of a deleted one: restore needs --as.
        self.ok("delete", "secret", "cligone")
        self.ok("create", "secret", "cligone", "-e", "TOKEN=newer-value")
        self.fails("restore", "secret", "cligone", contains="--as NEW_NAME")
        self.assertEqual(self.ok("restore", "secret", "cligone", "--as", "cligone-old"),
                         "Secret 'cligone' restored as 'cligone-old'.\n")
        names = [r[0] for r in table(self.ok("get", "secrets"))[1:]]
        self.assertIn("cligone", names)
        self.assertIn("cligone-old", names)
        self.assertEqual(self.ok("delete", "secret", "cligone-old", "--destroy"),
                         "Secret 'cligone-old' destroyed.\n")
        self.fails("restore", "secret", "cligone-old", contains="not found")

    def test_project_secrets_take_p(self):
        self.secret_values = ["proj-hist-1", "proj-hist-2"]
        self.api_ok("POST", "/api/v1alpha/projects", {
            "metadata": {"name": "histproj"},
            "spec": {"repository": {"url": "git@example.com:acme/histproj.git"}}})
        self.ok("create", "secret", "-p", "histproj", "ph", "-e", "K=proj-hist-1")
        self.api_ok("PATCH", "/api/v1/projects/histproj/secrets/ph",
                    {"data": {"env_vars": [{"name": "K", "value": "proj-hist-2"}], "files": []}})
        rows = table(self.ok("get", "secret", "ph", "-p", "histproj", "--versions"))
        self.assertEqual(len(rows), 3)
        self.assertEqual(self.ok("rollback", "secret", "ph", "1", "-p", "histproj"),
                         "Project secret 'ph' rolled back: the content of version 1 is "
                         "current, as a new version.\n")
        self.ok("destroy", "secret", "ph", "2", "-p", "histproj")
        self.ok("delete", "secret", "ph", "-p", "histproj")
        self.assertEqual([r[0] for r in table(self.ok("get", "secret", "--deleted",
                                                      "-p", "histproj"))[1:]], ["ph"])
        self.assertNotIn("ph", [r[0] for r in table(self.ok("get", "secret", "--deleted"))[1:]])
        self.assertEqual(self.ok("restore", "secret", "ph", "-p", "histproj"),
                         "Project secret 'ph' restored.\n")

    def test_a_member_is_told_the_secret_does_not_exist(self):
        self.ok("create", "secret", "cliguarded", "-e", "K=v")
        member = self.server.user_token("cli-member", "Member")
        self.ok("connect", self.server.url, member)
        self.fails("get", "secret", "cliguarded", "--versions", contains="not found")
        self.fails("rollback", "secret", "cliguarded", "1", contains="not found")
        self.fails("restore", "secret", "cliguarded", contains="not found")


if __name__ == "__main__":
    unittest.main()
