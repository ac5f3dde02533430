"""Issue 16, point 7: every page of docs/workflows runs as written. For each page, the `sh`
blocks of the set-up (docs/workflows/README.md) and then of the page run in one bash, in a
fresh HOME, with the built coffer and sem first on PATH; every line of the page's `text`
blocks must appear in the output, in order ('…' stands for any text), and no secret value the
page writes may appear in it.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
from harness import BUILD  # noqa: E402

DOCS = os.path.abspath(os.path.join(os.path.dirname(__file__), "../../docs/workflows"))
PAGES = ["organization-secrets.md", "project-secrets.md", "deployment-target-credentials.md",
         "access-policy.md", "ssh-keys.md"]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
# Values the pages store: none may be printed (coffer run masks them, sem never shows them).
VALUE = re.compile(r"(example-secret-5678|rotated-secret-9999|example-netrc-pw|AKIA-[a-z]+-\d+|"
                   r"prod-token-4242|db-pw-0001|BEGIN OPENSSH PRIVATE KEY)")


def blocks(page, kind):
    with open(os.path.join(DOCS, page)) as f:
        return [body for lang, body in FENCE.findall(f.read()) if lang == kind]


def expect_in_order(test, output, expected_lines):
    lines = output.splitlines()
    at = 0
    for want in expected_lines:
        if not want.strip():
            continue
        pattern = re.compile(".*?".join(re.escape(part) for part in want.split("…")))
        for i in range(at, len(lines)):
            if pattern.search(lines[i]):
                at = i + 1
                break
        else:
            test.fail(f"not printed (in order): {want!r}\n--- output ---\n{output}")


class WorkflowDocs(unittest.TestCase):
    def run_page(self, page):
        home = tempfile.mkdtemp(prefix="coffer-docs-home-")
        self.addCleanup(shutil.rmtree, home, ignore_errors=True)
        script = "\n".join(blocks("README.md", "sh") + blocks(page, "sh"))
        # The set-up's `cd "$WORK"`: removed at the end, with the server stopped.
        script = ("trap 'kill $(jobs -p) 2>/dev/null; wait; [ -n \"$WORK\" ] && rm -rf \"$WORK\"'"
                  " EXIT\n" + script)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COFFER_", "SEM_"))}
        env.update(HOME=home, PATH=os.path.abspath(BUILD) + ":" + env["PATH"], EDITOR="false")
        r = subprocess.run(["bash", "-c", script], cwd=home, env=env, capture_output=True,
                           text=True, timeout=240)
        output = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, output)
        self.assertNotIn("error:", output.replace("refused:", ""))
        expected = [l for b in blocks("README.md", "text") + blocks(page, "text")
                    for l in b.splitlines()]
        expect_in_order(self, r.stdout, expected)
        self.assertIsNone(VALUE.search(output), output)
        return output

    def test_organization_secrets(self):
        self.run_page("organization-secrets.md")

    def test_project_secrets(self):
        self.run_page("project-secrets.md")

    def test_deployment_target_credentials(self):
        self.run_page("deployment-target-credentials.md")

    def test_access_policy(self):
        self.run_page("access-policy.md")

    def test_ssh_keys(self):
        self.run_page("ssh-keys.md")

    def test_every_page_is_tested_and_listed(self):
        on_disk = sorted(p for p in os.listdir(DOCS) if p.endswith(".md") and p != "README.md")
        self.assertEqual(on_disk, sorted(PAGES))
        with open(os.path.join(DOCS, "README.md")) as f:
            index = f.read()
        for page in PAGES:
            self.assertIn(f"]({page})", index)


if __name__ == "__main__":
    unittest.main()
