"""The seed walkthrough end to end, with real processes only: `coffer server`, `sem`, `coffer run`,
`ssh-keygen`.

With `sem`: an organization secret and a project secret of the same name, an SSH key file
secret at .ssh/id_rsa, and a deployment target with credentials and a branch rule. An
orchestrator opens a job from a pipeline YAML (global secrets, the block's secrets, a
promotion to the target); `coffer run` runs a script that checks the winner of every env
var, the key file's mode and that ssh-keygen reads it; no value reaches the output. Then
the audit log and the usage records show the checkout, and a job on a branch the target's
rule does not allow is refused with the reason.
"""
import base64
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../cli"))
from clihelpers import COFFER, Sem, SemTest, call  # noqa: E402

PIPELINE = """
version: v1.0
name: Build and deploy
agent:
  machine: {type: e1-standard-2}
global_job_config:
  secrets:
    - name: awskey
blocks:
  - name: Deploy
    task:
      secrets:
        - name: sshkeys
      jobs:
        - name: deploy
          commands: [make deploy]
promotions:
  - name: Production
    pipeline_file: production.yml
    deployment_target: prod
"""

# Every value a job receives; none may appear in any output.
ORG_AKID = "org-akid-0000000001"
ORG_ONLY = "org-only-value-02"
PROJECT_AKID = "project-akid-0000000003"
REGION = "eu-west-1"
SSH_DEPLOY_ENV = "deploy-env-from-sshkeys-04"
SSH_USER = "deployer-05"
TARGET_DEPLOY_ENV = "production-from-target-06"
TARGET_TOKEN = "prod-token-value-07"

# Who wins (deployment target > project > organization on a name; the later import on an
# env var: global awskey, then the block's sshkeys, then the target's credentials).
WINNERS = {
    "AWS_ACCESS_KEY_ID": PROJECT_AKID,  # project awskey shadows org awskey whole
    "REGION": REGION,
    "SSH_USER": SSH_USER,
    "DEPLOY_ENV": TARGET_DEPLOY_ENV,  # sshkeys set it, the target's credentials win
    "PROD_TOKEN": TARGET_TOKEN,
}


class SeedWalkthrough(SemTest):
    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="coffer-e2e-")
        self.home = os.path.join(self.tmp, "job-home")
        os.mkdir(self.home)
        self.key = os.path.join(self.tmp, "id_rsa")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "e2e@coffer",
                        "-f", self.key], check=True, capture_output=True)
        with open(self.key) as f:
            key_text = f.read()
        with open(self.key + ".pub") as f:
            self.pub = " ".join(f.read().split()[:2])
        body_lines = [line for line in key_text.splitlines() if not line.startswith("-----")]
        self.secret_values = [ORG_AKID, ORG_ONLY, PROJECT_AKID, SSH_DEPLOY_ENV, SSH_USER,
                              TARGET_DEPLOY_ENV, TARGET_TOKEN] + body_lines
        self.ci = self.server.user_token("ci", "Orchestrator")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)
        super().tearDown()

    def set_up_with_sem(self):
        self.ok("create", "project", "web", "--repo-url", "git@example.com:acme/web.git")
        self.assertEqual(
            self.ok("create", "secret", "awskey", "-e", f"AWS_ACCESS_KEY_ID={ORG_AKID}",
                    "-e", f"ORG_ONLY={ORG_ONLY}"),
            "Secret 'awskey' created.\n")
        self.assertEqual(
            self.ok("create", "secret", "awskey", "-p", "web",
                    "-e", f"AWS_ACCESS_KEY_ID={PROJECT_AKID}", "-e", f"REGION={REGION}"),
            "Project secret 'awskey' created.\n")
        self.assertEqual(
            self.ok("create", "secret", "sshkeys", "-f", f"{self.key}:.ssh/id_rsa",
                    "-e", f"DEPLOY_ENV={SSH_DEPLOY_ENV}", "-e", f"SSH_USER={SSH_USER}"),
            "Secret 'sshkeys' created.\n")
        self.assertEqual(
            self.ok("create", "dt", "prod", "-p", "web",
                    "-e", f"DEPLOY_ENV={TARGET_DEPLOY_ENV}", "-e", f"PROD_TOKEN={TARGET_TOKEN}",
                    "-s", "AUTO", "-s", "ANY", "-o", "BRANCH,REGEX,main|release-.*",
                    "-d", "Production", "-u", "https://prod.example.com"),
            "Deployment target 'prod' created.\n")
        listed = self.ok("get", "dt", "-p", "web")
        self.assertIn("   prod   ", listed)
        self.assertIn("   USABLE   active\n", listed)
        print("\n$ sem get dt -p web\n" + listed, end="")

    def open_job(self, ref):
        return call(self.server.url, "POST", "/api/v1alpha/jobs", self.ci, {
            "project_id_or_name": "web",
            "pipeline": {"yaml": PIPELINE, "block": "Deploy", "promotion": "Production"},
            "git": {"ref_type": "BRANCH", "ref": ref, "fork": False},
            "triggered_by": {"type": "AUTO"},
            "pipeline_id": "ppl-e2e-1", "workflow_id": "wf-e2e-1"})

    def run_job(self, token):
        checks = [f'test "${name}" = "{value}" || {{ echo "wrong {name}"; exit 11; }}'
                  for name, value in WINNERS.items()]
        script = "; ".join(checks + [
            'test -z "${ORG_ONLY+set}" || { echo "ORG_ONLY leaked from the shadowed org secret"; '
            'exit 12; }',
            'test "$(stat -c %a ~/.ssh/id_rsa)" = 600 || { echo "bad mode"; exit 13; }',
            f'test "$(ssh-keygen -y -f ~/.ssh/id_rsa | cut -d" " -f1,2)" = "{self.pub}" || '
            '{ echo "ssh-keygen cannot read the key"; exit 14; }',
            'echo "token is $PROD_TOKEN"',  # masked by coffer run
            "echo all checks passed"])
        env = {"PATH": os.environ["PATH"], "HOME": self.home}
        return subprocess.run([COFFER, "run", "--server", self.server.url, "--job-token", token,
                               "--", "sh", "-c", script],
                              capture_output=True, text=True, env=env, timeout=120)

    def all_events(self):
        events, token = [], ""
        while True:
            page = self.api_ok("GET", "/api/v1alpha/audit?page_size=100"
                                      + (f"&page_token={token}" if token else ""))
            events += page["events"]
            token = page["next_page_token"]
            if not token:
                return events

    def test_secrets_made_with_sem_reach_a_pipeline_job_and_only_it(self):
        self.set_up_with_sem()

        # The orchestrator opens the job of the promotion to prod, on main.
        r = self.open_job("main")
        self.assertEqual(r.status, 200, r)
        job = r.json
        self.assertEqual([(s["name"], s["scope"]) for s in job["secrets"]],
                         [("awskey", "PROJECT"), ("sshkeys", "ORGANIZATION"),
                          ("prod", "DEPLOYMENT_TARGET")])
        self.assertNotEqual(job["deployment_target_id"], "")

        # coffer run: every winner right, the key 0600 and readable by ssh-keygen.
        run = self.run_job(job["token"])
        print("\n$ coffer run ... -- sh -c '<checks>'\n" + run.stdout + run.stderr, end="")
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertIn("all checks passed", run.stdout)
        self.assertIn("token is ***", run.stdout)
        for value in self.secret_values:
            self.assertNotIn(value, run.stdout + run.stderr)
        self.assertIn(".ssh/id_rsa (sshkeys)", run.stderr)
        with open(os.path.join(self.home, ".ssh/id_rsa"), "rb") as f, open(self.key, "rb") as g:
            self.assertEqual(f.read(), g.read())

        # Audit: the sem commands (medium CLI) and one checkout per secret version.
        events = self.all_events()
        created = [(e["action"], e["resource_name"], e["scope"], e["medium"]) for e in events
                   if e["action"] in ("secret.create", "deployment_target.create")]
        self.assertEqual(created, [
            ("secret.create", "awskey", "ORGANIZATION", "CLI"),
            ("secret.create", "awskey", "PROJECT", "CLI"),
            ("secret.create", "sshkeys", "ORGANIZATION", "CLI"),
            ("deployment_target.create", "prod", "DEPLOYMENT_TARGET", "CLI")])
        checkouts = [e for e in events
                     if e["action"] == "secret.checkout" and e["job_id"] == job["job_id"]]
        self.assertEqual(sorted((e["resource_name"], e["scope"]) for e in checkouts),
                         [("awskey", "PROJECT"), ("prod", "DEPLOYMENT_TARGET"),
                          ("sshkeys", "ORGANIZATION")])
        self.assertEqual({(e["medium"], e["pipeline_id"], e["workflow_id"]) for e in checkouts},
                         {("JOB", "ppl-e2e-1", "wf-e2e-1")})
        print("\naudit:")
        for e in events:
            print(f"  {e['action']:26} {e['resource_type']:18} {e['resource_name']:8} "
                  f"{e['scope']:18} {e['medium']:4} job={e['job_id'] or '-'}")

        # Usage: the org sshkeys and the project awskey were used by this job; the org
        # awskey, shadowed by the project's, was not.
        ssh_usage = self.api_ok("GET", "/api/v1beta/secrets/sshkeys/usage")["usage"]
        self.assertEqual([(u["job_id"], u["pipeline_id"]) for u in ssh_usage],
                         [(job["job_id"], "ppl-e2e-1")])
        project_usage = self.api_ok("GET", "/api/v1/projects/web/secrets/awskey/usage")["usage"]
        self.assertEqual([u["job_id"] for u in project_usage], [job["job_id"]])
        self.assertEqual(self.api_ok("GET", "/api/v1beta/secrets/awskey/usage")["usage"], [])
        self.assertNotEqual(self.api_ok("GET", "/api/v1beta/secrets/sshkeys")
                            ["metadata"]["checkout_at"], "0")
        print(f"usage sshkeys: {ssh_usage}\nusage web/awskey: {project_usage}")

        # A branch the target's rule does not allow: refused, with the reason; no token.
        r = self.open_job("feature-x")
        self.assertEqual(r.status, 403, r)
        self.assertNotIn("token", r.json)
        self.assertEqual(r.json["reasons"], ["Deployment target prod does not allow branch feature-x"])
        print(f"refused: {r.json['reasons']}")

        # Cordoned with sem: refused too; the finished job's token is dead.
        self.ok("edit", "dt", "prod", "-p", "web", "--deactivate")
        self.assertEqual(self.open_job("main").json["reasons"],
                         ["Deployment target prod is cordoned"])
        fin = call(self.server.url, "POST", f"/api/v1alpha/jobs/{job['job_id']}/finish", self.ci)
        self.assertEqual(fin.status, 200, fin)
        again = self.run_job(job["token"])
        self.assertEqual(again.returncode, 1)
        self.assertIn("checkout refused", again.stderr)


if __name__ == "__main__":
    unittest.main()
