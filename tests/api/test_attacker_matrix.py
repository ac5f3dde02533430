"""Issue 8, last paragraph: an attacker's matrix, generated from the router's own table.

`coffer routes` prints every route the server has ({"method", "pattern", "auth"}, one per
line). Every route is sent by every caller below, against one server whose org A holds a
project, an org secret, a project secret, a deployment target with credentials and open jobs,
all with distinctive values. Each answer must have a status from EXPECTED (keyed by
"METHOD pattern", then by caller), and must disclose nothing: no planted value or token to
anyone, and to a caller other than org A's Owner no id or name of org A's objects that the
caller did not send itself and may not know (ENTITLED).

A route in the table without an EXPECTED entry fails with its name, and so does an entry whose
route is gone or whose authentication changed: a new route cannot be forgotten.

Where a caller is refused, the same request with made-up ids must get the same status and
body: a refusal that depends on whether the object exists would disclose it (docs/api.md:
"404 (absent, or not visible to the caller)", "403 ... only where existence is already known").

Routes that destroy (DELETE, finish, cordon) run against a fresh object made for that case
("fresh"), so the fixtures the other cases need stay as they are.
"""
import base64
import json
import os
import re
import secrets as rnd
import subprocess
import sys
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
from harness import COFFER, Server, call  # noqa: E402

# Callers whose authentication must fail on every route that needs one.
UNAUTHENTICATED = ("anonymous", "garbage", "bad_api_token", "no_prefix", "finished_job")
CALLERS = UNAUTHENTICATED + ("other_job", "other_org_owner", "member", "orchestrator", "owner")

# What each caller may know of org A (groups of identifiers, see setUpClass). Members may
# view org secrets' metadata (organization.secrets.view); an orchestrator opens jobs by project
# and secret name and is answered with the pinned secrets' ids; a job knows its own id.
ENTITLED = {
    "member": {"org", "org_secret_ref", "org_secret_meta"},
    "orchestrator": {"org", "project", "org_secret_ref", "job1"},
    "other_job": {"job2"},
    "finished_job": {"job3"},
}


def statuses(owner, other_org_owner, member, orchestrator, other_job=401):
    """One route's expectations for an API-token route: every caller that fails to
    authenticate gets 401 (a job token on an API route is 401 before anything is looked up)."""
    out = {c: {401} for c in UNAUTHENTICATED}
    for caller, want in (("owner", owner), ("other_org_owner", other_org_owner),
                         ("member", member), ("orchestrator", orchestrator),
                         ("other_job", other_job)):
        out[caller] = set(want) if isinstance(want, (set, tuple)) else {want}
    return out


class Entry:
    """How to call one route and what each caller must get."""

    def __init__(self, auth, expect, body=None, query="", fresh=None, issues_token=False):
        self.auth, self.expect, self.body, self.query = auth, expect, body, query
        self.fresh = fresh  # kind of throw-away object the captures name, made per case
        self.issues_token = issues_token  # a 200 answer carries a new job token


A = "api_token"
NEW_SECRET = {"metadata": {"name": "mx-new-{n}"},
              "data": {"env_vars": [{"name": "HARMLESS", "value": "harmless"}], "files": []}}
DESCRIBE = {"metadata": {"description": "matrix"}}
NEW_TARGET = {"name": "mx-dt-{n}", "project_id": "{project}",
              "subject_rules": [{"type": "ANY"}],
              "object_rules": [{"type": "BRANCH", "match_mode": "ALL"}],
              "env_vars": [], "files": []}
NEW_PROJECT = {"metadata": {"name": "mx-proj-{n}"},
               "spec": {"repository": {"url": "git@example.com:acme/mx-{n}.git"}}}
SAME_PROJECT = {"metadata": {"name": "web"},
                "spec": {"repository": {"url": "git@example.com:acme/web.git"}}}
OPEN_JOB = {"project_id_or_name": "{project}", "secrets": ["{org_secret_name}"],
            "git": {"ref_type": "BRANCH", "ref": "main", "fork": False},
            "triggered_by": {"type": "AUTO"}}

# Org secrets: members may view them (list, get, usage with other projects' ids blanked);
# an orchestrator may not (its refusal of the list is by role, about its own org: 403). Who
# may not manage a secret gets 404 for it (semaphore-compat: "existence is not disclosed").
# Creating is an org-level right: 403 by role, no object named.
ORG_SECRET_READ = statuses(owner=200, other_org_owner=404, member=200, orchestrator=404)
ORG_SECRET_WRITE = statuses(owner=200, other_org_owner=404, member=404, orchestrator=404)
# Anything inside project web (its secrets, targets, the project itself): only who may view
# the project knows it exists; everyone else, members without a role included, gets 404.
IN_PROJECT = statuses(owner=200, other_org_owner=404, member=404, orchestrator=404)
# Org-level creation: another org's Owner creates in its own org; others lack the right.
ORG_CREATE = statuses(owner=200, other_org_owner=200, member=403, orchestrator=403)
# Opening and inspecting jobs is the orchestrator's alone (organization.jobs.open), refused by
# role before any job is looked up, so a 403 says nothing about the job.
JOB_ORCHESTRATION = statuses(owner=403, other_org_owner=403, member=403, orchestrator=200)
# Owner-only views of one's own org (audit also Admins): others of org A get 403 by role.
OWN_ORG_OWNER_VIEW = statuses(owner=200, other_org_owner=200, member=403, orchestrator=403)

# The keyring's admin routes: an Owner of the server's --org only.
KEY_ADMIN = statuses(owner=200, other_org_owner=404, member=404, orchestrator=404)

EXPECTED = {
    "GET /healthz": Entry("none", {c: {200} for c in CALLERS}),
    "GET /readyz": Entry("none", {c: {200} for c in CALLERS}),
    "GET /api/openapi.json": Entry("none", {c: {200} for c in CALLERS}),
    # From loopback (--metrics-allow's default) no token is needed; test_operations covers
    # the token path.
    "GET /metrics": Entry("none", {c: {200} for c in CALLERS}),

    "GET /api/v1beta/secrets": Entry(A, statuses(owner=200, other_org_owner=200, member=200,
                                                 orchestrator=403)),
    "POST /api/v1beta/secrets": Entry(A, ORG_CREATE, body=NEW_SECRET),
    "GET /api/v1beta/secrets/{secret}": Entry(A, ORG_SECRET_READ),
    "PATCH /api/v1beta/secrets/{secret}": Entry(A, ORG_SECRET_WRITE, body=DESCRIBE),
    "DELETE /api/v1beta/secrets/{secret}": Entry(A, ORG_SECRET_WRITE, fresh="org_secret"),
    "GET /api/v1beta/secrets/{secret}/usage": Entry(A, ORG_SECRET_READ),
    # History: versions, rollback, destroy and restore need manage permission (404 else).
    "GET /api/v1beta/secrets/{secret}/versions": Entry(A, ORG_SECRET_WRITE),
    "POST /api/v1beta/secrets/{secret}/versions/{version}/rollback": Entry(
        A, ORG_SECRET_WRITE, fresh="versioned_org_secret"),
    "DELETE /api/v1beta/secrets/{secret}/versions/{version}": Entry(
        A, ORG_SECRET_WRITE, fresh="versioned_org_secret"),
    "POST /api/v1beta/secrets/{secret}/restore": Entry(A, ORG_SECRET_WRITE,
                                                        fresh="deleted_org_secret"),
    # The org's history settings: Owners and Admins read them, Owners change them.
    "GET /api/v1beta/org/settings": Entry(A, OWN_ORG_OWNER_VIEW),
    "PATCH /api/v1beta/org/settings": Entry(A, OWN_ORG_OWNER_VIEW, body={"max_versions": 10}),

    "GET /api/v1/projects/{project}/secrets": Entry(A, IN_PROJECT),
    "POST /api/v1/projects/{project}/secrets": Entry(A, IN_PROJECT, body=NEW_SECRET),
    "GET /api/v1/projects/{project}/secrets/{secret}": Entry(A, IN_PROJECT),
    "PATCH /api/v1/projects/{project}/secrets/{secret}": Entry(A, IN_PROJECT, body=DESCRIBE),
    "DELETE /api/v1/projects/{project}/secrets/{secret}": Entry(A, IN_PROJECT,
                                                                fresh="project_secret"),
    "GET /api/v1/projects/{project}/secrets/{secret}/usage": Entry(A, IN_PROJECT),
    "GET /api/v1/projects/{project}/secrets/{secret}/versions": Entry(A, IN_PROJECT),
    "POST /api/v1/projects/{project}/secrets/{secret}/versions/{version}/rollback": Entry(
        A, IN_PROJECT, fresh="versioned_project_secret"),
    "DELETE /api/v1/projects/{project}/secrets/{secret}/versions/{version}": Entry(
        A, IN_PROJECT, fresh="versioned_project_secret"),
    "POST /api/v1/projects/{project}/secrets/{secret}/restore": Entry(
        A, IN_PROJECT, fresh="deleted_project_secret"),

    "GET /api/v1alpha/deployment_targets": Entry(A, IN_PROJECT, query="?project_id={project}"),
    "POST /api/v1alpha/deployment_targets": Entry(A, IN_PROJECT, body=NEW_TARGET),
    "GET /api/v1alpha/deployment_targets/{target}": Entry(A, IN_PROJECT),
    "GET /api/v1alpha/deployment_targets/{target}/history": Entry(A, IN_PROJECT),
    "GET /api/v1alpha/deployment_targets/{target}/versions": Entry(A, IN_PROJECT),
    "POST /api/v1alpha/deployment_targets/{target}/versions/{version}/rollback": Entry(
        A, IN_PROJECT, fresh="versioned_target"),
    "DELETE /api/v1alpha/deployment_targets/{target}/versions/{version}": Entry(
        A, IN_PROJECT, fresh="versioned_target"),
    "PATCH /api/v1alpha/deployment_targets/{target}": Entry(A, IN_PROJECT,
                                                            body={"description": "matrix"}),
    "PUT /api/v1alpha/deployment_targets/{target}": Entry(A, IN_PROJECT,
                                                          body={"description": "matrix"}),
    "DELETE /api/v1alpha/deployment_targets/{target}": Entry(A, IN_PROJECT, fresh="target"),
    "POST /api/v1alpha/deployment_targets/{target}/activate": Entry(A, IN_PROJECT),
    "PATCH /api/v1alpha/deployment_targets/{target}/activate": Entry(A, IN_PROJECT),
    "POST /api/v1alpha/deployment_targets/{target}/deactivate": Entry(A, IN_PROJECT,
                                                                      fresh="target"),
    "PATCH /api/v1alpha/deployment_targets/{target}/deactivate": Entry(A, IN_PROJECT,
                                                                       fresh="target"),

    "POST /api/v1alpha/jobs": Entry(A, JOB_ORCHESTRATION, body=OPEN_JOB, issues_token=True),
    # Checkout takes only the job's own token: any API token is 401 before a lookup; another
    # job's valid token is 404 for this job (threat model: "another job's id 404").
    "GET /api/v1alpha/jobs/{job}/secrets": Entry("job_token", {
        **{c: {401} for c in UNAUTHENTICATED},
        "other_job": {404}, "other_org_owner": {401}, "member": {401}, "orchestrator": {401},
        "owner": {401}}),
    "POST /api/v1alpha/jobs/{job}/debug": Entry(A, JOB_ORCHESTRATION),
    "POST /api/v1alpha/jobs/{job}/attach": Entry(A, JOB_ORCHESTRATION),
    "POST /api/v1alpha/jobs/{job}/finish": Entry("api_or_job_token", {
        **JOB_ORCHESTRATION, "other_job": {404}}, fresh="job"),

    # Lists answer each caller with what it may see (members without roles: nothing).
    "GET /api/v1alpha/projects": Entry(A, statuses(owner=200, other_org_owner=200, member=200,
                                                   orchestrator=200)),
    "POST /api/v1alpha/projects": Entry(A, ORG_CREATE, body=NEW_PROJECT),
    "GET /api/v1alpha/projects/{project}": Entry(A, IN_PROJECT),
    "PUT /api/v1alpha/projects/{project}": Entry(A, IN_PROJECT, body=SAME_PROJECT),
    "PATCH /api/v1alpha/projects/{project}": Entry(A, IN_PROJECT, body=SAME_PROJECT),
    "DELETE /api/v1alpha/projects/{project}": Entry(A, IN_PROJECT, fresh="project"),

    # Web UI sign-in: any valid API token starts a session for its holder; reading and
    # ending one takes the session cookie, which no caller here has.
    "POST /api/v1alpha/session": Entry(A, statuses(owner=200, other_org_owner=200, member=200,
                                                   orchestrator=200)),
    "GET /api/v1alpha/session": Entry("session", {c: {401} for c in CALLERS}),
    "DELETE /api/v1alpha/session": Entry("session", {c: {401} for c in CALLERS}),

    # The keyring is the data directory's, shared by every org: only an Owner of the server's
    # --org (org A here) sees these routes; everyone else gets 404. The owner's rotation runs
    # on the matrix's few records; "{id}" is no key id: 404.
    "GET /api/v1alpha/keys": Entry(A, KEY_ADMIN),
    "POST /api/v1alpha/keys/rotate": Entry(A, statuses(owner=(202, 412), other_org_owner=404,
                                                       member=404, orchestrator=404)),
    "GET /api/v1alpha/keys/rotation": Entry(A, KEY_ADMIN),
    "POST /api/v1alpha/keys/{id}/retire": Entry(A, statuses(owner=404, other_org_owner=404,
                                                            member=404, orchestrator=404)),

    "GET /api/v1alpha/audit": Entry(A, OWN_ORG_OWNER_VIEW),
    "GET /api/v1alpha/tokens": Entry(A, OWN_ORG_OWNER_VIEW),
    # docs/api.md: the org's users, for Owners and Admins; others 403 like the lists above.
    "GET /api/v1alpha/users": Entry(A, OWN_ORG_OWNER_VIEW),
    # docs/api.md: "Others get 403; an id of another organization is 404."
    "DELETE /api/v1alpha/tokens/{token}": Entry(A, statuses(
        owner=200, other_org_owner=404, member=403, orchestrator=403), fresh="token"),
}

# Placeholders that name an object of org A (project_secret fills {secret} on project routes).
ID_PLACEHOLDERS = ("project", "secret", "project_secret", "target", "job", "token",
                   "org_secret_name")
TOKEN_RE = re.compile(r"c[fj]t_[A-Za-z0-9_-]{16,}")


def route_table():
    out = subprocess.run([COFFER, "routes"], capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def b64(data):
    return base64.b64encode(data).decode()


class AttackerMatrix(unittest.TestCase):
    cases = 0
    probes = 0

    # --- the fixtures ----------------------------------------------------------------

    @classmethod
    def setUpClass(cls):
        # Every malformed token is a failed authentication: the limit would turn them to 429.
        cls.server = Server(extra_args=("--auth-failure-limit", "0"))
        try:
            cls.build_fixtures()
        except BaseException:
            cls.server.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        print(f"attacker matrix: {cls.cases} cases, {cls.probes} existence probes",
              file=sys.stderr)
        cls.server.cleanup()

    @classmethod
    def owner_call(cls, method, path, body=None, token=None):
        r = call(cls.server.url, method, path, token=token or cls.owner, body=body)
        if r.status != 200:
            raise AssertionError(f"fixture {method} {path}: {r.status} {cls.redact(r.raw)}")
        return r.json

    @classmethod
    def build_fixtures(cls):
        s = cls.server
        cls.owner = s.token
        cls.n = 0
        tag = rnd.token_hex(6)
        # Values that must never leave except through their job's own checkout.
        cls.values = {
            "org secret value": f"orgval-{tag}-{rnd.token_hex(8)}",
            "org secret file": f"orgfile-{tag}-{rnd.token_hex(8)}",
            "project secret value": f"projval-{tag}-{rnd.token_hex(8)}",
            "target credential": f"dtval-{tag}-{rnd.token_hex(8)}",
            "fresh object value": f"freshval-{tag}-{rnd.token_hex(8)}",
        }
        v = cls.values
        cls.member = s.user_token("mx-member", "Member")
        cls.orch = s.user_token("mx-ci", "Orchestrator")
        s.admin("create-org", "mx-other")
        cls.other_owner = s.user_token("mx-mallory", "Owner", org="mx-other")

        project = cls.owner_call("POST", "/api/v1alpha/projects", SAME_PROJECT)
        org_secret = cls.owner_call("POST", "/api/v1beta/secrets", {
            "metadata": {"name": "mx-orgsecret", "description": "mx-orgsecret-description"},
            "data": {"env_vars": [{"name": "MX_ORG_KEY", "value": v["org secret value"]}],
                     "files": [{"path": "mx/org.pem",
                                "content": b64(v["org secret file"].encode())}]}})
        project_secret = cls.owner_call("POST", "/api/v1/projects/web/secrets", {
            "metadata": {"name": "mx-projsecret"},
            "data": {"env_vars": [{"name": "MX_PROJ_KEY", "value": v["project secret value"]}],
                     "files": []}})
        target = cls.owner_call("POST", "/api/v1alpha/deployment_targets", {
            "name": "mx-prod", "project_id": project["metadata"]["id"],
            "subject_rules": [{"type": "ANY"}],
            "object_rules": [{"type": "BRANCH", "match_mode": "ALL"}],
            "env_vars": [{"name": "MX_DT_KEY", "value": v["target credential"]}],
            "files": []})
        job_body = dict(OPEN_JOB, project_id_or_name="web")
        job1 = cls.owner_call("POST", "/api/v1alpha/jobs", token=cls.orch, body=dict(
            job_body, secrets=["mx-orgsecret", "mx-projsecret"], deployment_target="mx-prod"))
        job2 = cls.owner_call("POST", "/api/v1alpha/jobs", token=cls.orch,
                              body=dict(job_body, secrets=["mx-orgsecret"]))
        job3 = cls.owner_call("POST", "/api/v1alpha/jobs", token=cls.orch,
                              body=dict(job_body, secrets=["mx-orgsecret"]))
        cls.owner_call("POST", f"/api/v1alpha/jobs/{job3['job_id']}/finish", token=job3["token"])
        # A checkout, so that usage has rows naming project web and job 1; it also proves
        # the planted values are real.
        out = call(s.url, "GET", f"/api/v1alpha/jobs/{job1['job_id']}/secrets", job1["token"])
        if out.status != 200 or v["target credential"].encode() not in out.raw:
            raise AssertionError(f"fixture checkout: {out.status}")
        tokens = cls.owner_call("GET", "/api/v1alpha/tokens")["tokens"]

        cls.ids = {
            "project": project["metadata"]["id"],
            "secret": org_secret["metadata"]["id"],  # project secret routes: see fill()
            "target": target["id"],
            "job": job1["job_id"],
            "token": tokens[0]["id"],
            "org_secret_name": "mx-orgsecret",
        }
        cls.project_secret_id = project_secret["metadata"]["id"]
        cls.tokens = {"owner token": cls.owner, "member token": cls.member,
                      "orchestrator token": cls.orch, "other org token": cls.other_owner,
                      "job 1 token": job1["token"], "job 2 token": job2["token"],
                      "job 3 token": job3["token"]}
        # Org A's identifiers by group (ENTITLED says who may know which group).
        cls.identifiers = [
            ("org", "org A id", target["organization_id"]),
            ("org_secret_ref", "org secret id", org_secret["metadata"]["id"]),
            ("org_secret_ref", "org secret name", "mx-orgsecret"),
            ("org_secret_meta", "org secret env name", "MX_ORG_KEY"),
            ("org_secret_meta", "org secret file path", "mx/org.pem"),
            ("org_secret_meta", "org secret description", "mx-orgsecret-description"),
            ("project", "project id", project["metadata"]["id"]),
            ("project", "project name", "web"),
            ("project_secret", "project secret id", project_secret["metadata"]["id"]),
            ("project_secret", "project secret name", "mx-projsecret"),
            ("project_secret", "project secret env name", "MX_PROJ_KEY"),
            ("target", "target id", target["id"]),
            ("target", "target name", "mx-prod"),
            ("target", "target env name", "MX_DT_KEY"),
            ("job1", "job 1 id", job1["job_id"]),
            ("job2", "job 2 id", job2["job_id"]),
            ("job3", "job 3 id", job3["job_id"]),
        ]
        for t in tokens:
            cls.identifiers.append(("tokens", f"token id of {t['user_name']}", t["id"]))
            cls.identifiers.append(("tokens", f"user id of {t['user_name']}", t["user_id"]))
        cls.auth = {
            "anonymous": None,
            "garbage": "Token garbage",
            "bad_api_token": "Token cft_" + base64.urlsafe_b64encode(
                rnd.token_bytes(32)).decode().rstrip("="),
            "no_prefix": cls.owner,  # a valid token, but not in the Token scheme
            "finished_job": "Token " + job3["token"],
            "other_job": "Token " + job2["token"],
            "other_org_owner": "Token " + cls.other_owner,
            "member": "Token " + cls.member,
            "orchestrator": "Token " + cls.orch,
            "owner": "Token " + cls.owner,
        }

    @classmethod
    def redact(cls, raw, limit=400):
        """A body or header dump fit for a failure message: no value, no token."""
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        for label, secret in list(cls.values.items()) + list(cls.tokens.items()):
            text = text.replace(secret, f"<{label}>")
        return TOKEN_RE.sub("<a token>", text)[:limit]

    def fresh(self, kind):
        """A throw-away object of org A for a destructive route: (placeholder values, its
        identifiers)."""
        self.__class__.n += 1
        n, v = self.n, self.values["fresh object value"]
        data = {"env_vars": [{"name": "MX_FRESH", "value": v}], "files": []}
        if kind.startswith("versioned_") or kind.startswith("deleted_"):
            # A secret (or target) with versions 1 and 2 ({version} is 1), or a deleted one.
            base = kind.split("_", 1)[1]
            ids, names = self.fresh(base)
            key = {"org_secret": "secret", "project_secret": "project_secret",
                   "target": "target"}[base]
            path = {"org_secret": "/api/v1beta/secrets/",
                    "project_secret": "/api/v1/projects/web/secrets/",
                    "target": "/api/v1alpha/deployment_targets/"}[base] + ids[key]
            if kind.startswith("deleted_"):
                self.owner_call("DELETE", path)
            elif base == "target":
                self.owner_call("PATCH", path, {"env_vars": [{"name": "MX_FRESH2", "value": v}]})
            else:
                self.owner_call("PATCH", path, {"data": {
                    "env_vars": [{"name": "MX_FRESH2", "value": v}], "files": []}})
            return ids, names
        if kind == "org_secret":
            m = self.owner_call("POST", "/api/v1beta/secrets",
                                {"metadata": {"name": f"mx-fresh-{n}"}, "data": data})
            return {"secret": m["metadata"]["id"]}, [m["metadata"]["id"], f"mx-fresh-{n}"]
        if kind == "project_secret":
            m = self.owner_call("POST", "/api/v1/projects/web/secrets",
                                {"metadata": {"name": f"mx-fresh-{n}"}, "data": data})
            return {"project_secret": m["metadata"]["id"]}, [m["metadata"]["id"], f"mx-fresh-{n}"]
        if kind == "target":
            t = self.owner_call("POST", "/api/v1alpha/deployment_targets", dict(
                NEW_TARGET, name=f"mx-fresh-{n}", project_id=self.ids["project"], **data))
            return {"target": t["id"]}, [t["id"], f"mx-fresh-{n}"]
        if kind == "project":
            p = self.owner_call("POST", "/api/v1alpha/projects", {
                "metadata": {"name": f"mx-fresh-{n}"},
                "spec": {"repository": {"url": f"git@example.com:acme/mx-fresh-{n}.git"}}})
            return {"project": p["metadata"]["id"]}, [p["metadata"]["id"], f"mx-fresh-{n}"]
        if kind == "job":
            j = self.owner_call("POST", "/api/v1alpha/jobs", token=self.orch,
                                body=dict(OPEN_JOB, project_id_or_name="web",
                                          secrets=["mx-orgsecret"]))
            self.tokens[f"fresh job {n} token"] = j["token"]
            return {"job": j["job_id"]}, [j["job_id"]]
        if kind == "token":
            desc = f"mx-fresh-{n}"
            t = self.server.admin("create-token", "--org", "default", "--user", "admin",
                                  "--description", desc)
            self.tokens[f"fresh API token {n}"] = t
            tid = [x["id"] for x in self.owner_call("GET", "/api/v1alpha/tokens")["tokens"]
                   if x["description"] == desc][0]
            return {"token": tid}, [tid]
        raise AssertionError(f"no fresh object of kind {kind}")

    # --- one request -----------------------------------------------------------------

    def fill(self, route, entry, ids):
        """(method, path, body) with the captures and placeholders filled from ids."""
        pattern = route["pattern"]
        if "{project}/secrets/{secret}" in pattern:  # {secret} is the project's secret
            ids = dict(ids, secret=ids["project_secret"])
        path = pattern + entry.query
        body = json.dumps(entry.body) if entry.body is not None else None
        ids = dict(ids, n=str(self.n))
        for key, value in ids.items():
            path = path.replace("{" + key + "}", value)
            if body is not None:
                body = body.replace("{" + key + "}", value)
        return route["method"], path, body

    def send(self, caller, method, path, body):
        headers = {}
        if self.auth[caller] is not None:
            headers["Authorization"] = self.auth[caller]
        return call(self.server.url, method, path, raw=body.encode() if body else None,
                    headers=headers)

    def assert_discloses_nothing(self, caller, entry, sent, reply, extra_ids):
        text = reply.raw.decode("utf-8", "replace")
        if entry.issues_token and reply.status == 200:
            issued = reply.json.get("token", "")
            self.assertTrue(issued.startswith("cjt_"), "a job is answered with its token")
            text = text.replace(issued, "")
        text += "\n" + "\n".join(f"{k}: {v}" for k, v in reply.headers.items())
        # assertFalse, not assertNotIn: a failure message must not print what it found.
        for label, value in self.values.items():
            self.assertFalse(value in text, f"the answer carries the {label}")
        for label, token in self.tokens.items():
            self.assertFalse(token in text, f"the answer carries the {label}")
        self.assertFalse(TOKEN_RE.search(text), "the answer carries a token")
        if caller == "owner":
            return
        allowed = ENTITLED.get(caller, set())
        found = [(g, label, s) for g, label, s in self.identifiers] + \
            [("fresh", "the fresh object's id or name", s) for s in extra_ids]
        for group, label, s in found:
            if group in allowed or s in sent:
                continue
            hit = re.search(r"(?<![\w-])" + re.escape(s) + r"(?![\w-])", text)
            self.assertFalse(hit, f"the answer discloses {label}: {self.redact(text)}")

    # --- the tests -------------------------------------------------------------------

    def test_every_route_has_an_expectation_and_every_expectation_a_route(self):
        table = {f"{r['method']} {r['pattern']}": r["auth"] for r in route_table()}
        missing = sorted(set(table) - set(EXPECTED))
        self.assertEqual(missing, [], "routes with no entry in EXPECTED: add them")
        gone = sorted(set(EXPECTED) - set(table))
        self.assertEqual(gone, [], "EXPECTED entries for routes that no longer exist")
        changed = sorted(k for k in table if k in EXPECTED and EXPECTED[k].auth != table[k])
        self.assertEqual(changed, [], "routes whose authentication changed: review them")
        for key, entry in EXPECTED.items():
            self.assertEqual(set(entry.expect), set(CALLERS), f"{key}: a caller is missing")

    def test_every_route_by_every_caller(self):
        for route in route_table():
            key = f"{route['method']} {route['pattern']}"
            entry = EXPECTED.get(key)
            with self.subTest(route=key):
                self.assertIsNotNone(entry, f"route {key} has no entry in EXPECTED")
            if entry is None:
                continue
            for caller in CALLERS:
                with self.subTest(route=key, caller=caller):
                    self.run_case(route, entry, caller)

    def run_case(self, route, entry, caller):
        self.__class__.cases += 1
        self.__class__.n += 1
        ids = dict(self.ids, project_secret=self.project_secret_id, version="1")
        extra = []
        if entry.fresh:
            fresh_ids, extra = self.fresh(entry.fresh)
            ids.update(fresh_ids)
        method, path, body = self.fill(route, entry, ids)
        reply = self.send(caller, method, path, body)
        want = entry.expect[caller]
        self.assertIn(reply.status, want, f"{method} {path} as {caller}: {reply.status} "
                      f"{self.redact(reply.raw)}")
        self.assert_discloses_nothing(caller, entry, path + (body or ""), reply, extra)
        # A refusal must not depend on whether the object exists: the same request with
        # made-up ids gets the same answer.
        named = [k for k in ID_PLACEHOLDERS if ids[k] in path + (body or "")]
        if caller == "owner" or not named or any(200 <= s < 300 for s in want):
            return
        self.__class__.probes += 1
        fake = dict(ids)
        for k in named:
            fake[k] = "mx-nosuch-" + rnd.token_hex(4) if k == "org_secret_name" \
                else str(uuid.uuid4())
        _, fake_path, fake_body = self.fill(route, entry, fake)
        probe = self.send(caller, method, fake_path, fake_body)
        self.assert_discloses_nothing(caller, entry, fake_path + (fake_body or ""), probe, extra)

        def norm(raw, mapping):
            text = raw.decode("utf-8", "replace")
            for k in named:
                text = text.replace(mapping[k], "{" + k + "}")
            return self.redact(text, limit=None)

        self.assertEqual(
            (probe.status, norm(probe.raw, fake)), (reply.status, norm(reply.raw, ids)),
            f"{method} {route['pattern']} as {caller}: the answer differs for an id that "
            f"does not exist, so it discloses that this one does")


if __name__ == "__main__":
    unittest.main()
