"""Issue 16, point 5: the API described. docs/openapi.yaml is served as JSON at
GET /api/openapi.json (no token), every route the router has (`coffer routes`) is in it with
its methods and nothing else is, and the answers of a small walk through the API validate
against the document's response schemas, in which every object forbids additional
properties.
"""
import copy
import json
import os
import subprocess
import sys
import unittest

import jsonschema
import yaml

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
from harness import COFFER, ServerTest, call  # noqa: E402

DOC_PATH = os.path.join(os.path.dirname(__file__), "../../docs/openapi.yaml")
METHODS = {"get", "put", "post", "patch", "delete"}


def load_doc():
    with open(DOC_PATH, encoding="utf-8") as f:
        return yaml.safe_load(f)


def resolve(doc, node):
    """`node` with every local $ref replaced by what it names (the document has no cycles)."""
    if isinstance(node, dict):
        if "$ref" in node:
            target = doc
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return resolve(doc, target)
        return {k: resolve(doc, v) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(doc, v) for v in node]
    return node


def object_schemas(node, where="#"):
    """(where, schema) for every schema of type object with properties in `node`."""
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            yield where, node
        for k, v in node.items():
            yield from object_schemas(v, f"{where}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from object_schemas(v, f"{where}/{i}")


class OpenApi(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.doc = load_doc()
        cls.ci = cls.server.user_token("ci", "Orchestrator")

    # --- the document ------------------------------------------------------------------

    def test_served_without_a_token_as_the_yaml_says(self):
        r = call(self.server.url, "GET", "/api/openapi.json")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.headers["Content-Type"].startswith("application/json"), r.headers)
        self.assertEqual(r.json, self.doc)
        self.assertTrue(self.doc["openapi"].startswith("3."))

    def test_every_route_of_the_router_is_documented_with_its_methods(self):
        out = subprocess.run([COFFER, "routes"], capture_output=True, text=True, check=True)
        routes = {(json.loads(l)["method"].lower(), json.loads(l)["pattern"]): json.loads(l)
                  for l in out.stdout.splitlines()}
        documented = {(m, p) for p, item in self.doc["paths"].items() for m in item
                      if m in METHODS}
        self.assertEqual(sorted(set(routes) - documented), [], "routes missing from the document")
        self.assertEqual(sorted(documented - set(routes)), [], "documented but not routed")
        for (m, p), r in routes.items():
            op = self.doc["paths"][p][m]
            no_auth = op.get("security", self.doc["security"]) == []
            self.assertEqual(no_auth, r["auth"] == "none", (m, p, r["auth"]))

    def test_every_object_schema_forbids_additional_properties(self):
        loose = [w for w, s in object_schemas(self.doc)
                 if s.get("additionalProperties") is not False]
        self.assertEqual(loose, [])

    # --- answers against the schemas -----------------------------------------------------

    def schema_for(self, method, template, status):
        op = self.doc["paths"][template][method.lower()]
        resp = op["responses"].get(str(status)) or op["responses"].get("default")
        self.assertIsNotNone(resp, (method, template, status))
        resp = resolve(self.doc, resp)
        return resp.get("content", {}).get("application/json", {}).get("schema")

    def check(self, method, template, reply, status=200):
        """Validates a reply to `method template` against the document; returns its JSON."""
        self.assertEqual(reply.status, status, (method, template, reply))
        schema = self.schema_for(method, template, reply.status)
        self.assertIsNotNone(schema, f"{method} {template} {status}: no schema in the document")
        body = reply.json
        errors = list(jsonschema.Draft7Validator(copy.deepcopy(schema)).iter_errors(body))
        # Field paths only: an answer may not be quoted (values are write-only, but be safe).
        self.assertEqual([f"{'/'.join(map(str, e.absolute_path))}: {e.validator}" for e in errors],
                         [], f"{method} {template}")
        return body

    def test_answers_of_an_api_walk_validate(self):
        c, a = self.check, self.api
        c("GET", "/healthz", a("GET", "/healthz"))
        c("GET", "/readyz", a("GET", "/readyz"))
        proj = c("POST", "/api/v1alpha/projects", self.create_project("walk"))
        pid = proj["metadata"]["id"]
        c("GET", "/api/v1alpha/projects", a("GET", "/api/v1alpha/projects"))
        c("GET", "/api/v1alpha/projects/{project}", a("GET", "/api/v1alpha/projects/walk"))
        c("POST", "/api/v1beta/secrets",
          self.create_secret("orgkey", env={"A": "walk-value-1"}, files={"/f": "d2Fsaw=="}))
        c("GET", "/api/v1beta/secrets", a("GET", "/api/v1beta/secrets"))
        got = c("GET", "/api/v1beta/secrets/{secret}", a("GET", "/api/v1beta/secrets/orgkey"))
        c("PATCH", "/api/v1beta/secrets/{secret}",
          a("PATCH", "/api/v1beta/secrets/orgkey",
                   {"metadata": {"description": "d", "update_time": got["metadata"]["update_time"]}}))
        c("POST", "/api/v1/projects/{project}/secrets",
          self.create_secret("projkey", env={"B": "walk-value-2"}, project="walk"))
        c("GET", "/api/v1/projects/{project}/secrets", a("GET", "/api/v1/projects/walk/secrets"))
        c("GET", "/api/v1/projects/{project}/secrets/{secret}",
          a("GET", "/api/v1/projects/walk/secrets/projkey"))
        target = {"name": "prod", "project_id": pid,
                  "subject_rules": [{"type": "AUTO"}],
                  "object_rules": [{"type": "BRANCH", "match_mode": "EXACT", "pattern": "main"}],
                  "env_vars": [{"name": "T", "value": "walk-value-3"}]}
        c("POST", "/api/v1alpha/deployment_targets",
          a("POST", "/api/v1alpha/deployment_targets", target))
        c("GET", "/api/v1alpha/deployment_targets",
          a("GET", f"/api/v1alpha/deployment_targets?project_id={pid}"))
        c("GET", "/api/v1alpha/deployment_targets/{target}",
          a("GET", f"/api/v1alpha/deployment_targets/prod?project_id={pid}&include_secrets=true"))
        job_body = {"project_id_or_name": "walk", "secrets": ["orgkey", "projkey"],
                    "deployment_target": "prod",
                    "git": {"ref_type": "BRANCH", "ref": "main", "fork": False},
                    "triggered_by": {"type": "AUTO"}}
        job = c("POST", "/api/v1alpha/jobs", a("POST", "/api/v1alpha/jobs", job_body, token=self.ci))
        c("GET", "/api/v1alpha/jobs/{job}/secrets",
          call(self.server.url, "GET", f"/api/v1alpha/jobs/{job['job_id']}/secrets", job["token"]))
        refused = dict(job_body, git={"ref_type": "BRANCH", "ref": "other", "fork": False})
        c("POST", "/api/v1alpha/jobs", a("POST", "/api/v1alpha/jobs", refused, token=self.ci), 403)
        c("GET", "/api/v1alpha/deployment_targets/{target}/history",
          a("GET", f"/api/v1alpha/deployment_targets/prod/history?project_id={pid}"))
        c("GET", "/api/v1beta/secrets/{secret}/usage", a("GET", "/api/v1beta/secrets/orgkey/usage"))
        c("GET", "/api/v1alpha/audit", a("GET", "/api/v1alpha/audit"))
        c("GET", "/api/v1alpha/audit",
          a("GET", f"/api/v1alpha/audit?resource_id={pid}&action=project.create&page_size=1"))
        c("GET", "/api/v1alpha/tokens", a("GET", "/api/v1alpha/tokens"))
        c("GET", "/api/v1alpha/users", a("GET", "/api/v1alpha/users"))
        c("GET", "/api/v1beta/secrets/{secret}", a("GET", "/api/v1beta/secrets/nope"), 404)
        t = f"/api/v1alpha/deployment_targets/prod/%s?project_id={pid}"
        c("PATCH", "/api/v1alpha/deployment_targets/{target}/deactivate",
          a("PATCH", t % "deactivate", {}))
        c("POST", "/api/v1alpha/deployment_targets/{target}/activate", a("POST", t % "activate"))
        c("POST", "/api/v1alpha/jobs/{job}/finish",
          a("POST", f"/api/v1alpha/jobs/{job['job_id']}/finish", token=self.ci))
        tokens = c("GET", "/api/v1alpha/tokens", a("GET", "/api/v1alpha/tokens"))["tokens"]
        ci_id = [x["id"] for x in tokens if x["user_name"] == "ci"][0]
        c("DELETE", "/api/v1alpha/tokens/{token}", a("DELETE", f"/api/v1alpha/tokens/{ci_id}"))
        c("DELETE", "/api/v1beta/secrets/{secret}", a("DELETE", "/api/v1beta/secrets/orgkey"))

    def test_the_check_refuses_an_unknown_field(self):
        schema = resolve(self.doc, {"$ref": "#/components/schemas/Secret"})
        ok = {"metadata": {"name": "x"}}
        self.assertTrue(jsonschema.Draft7Validator(schema).is_valid(ok))
        self.assertFalse(jsonschema.Draft7Validator(schema).is_valid({**ok, "extra": 1}))
        self.assertFalse(jsonschema.Draft7Validator(schema).is_valid({"metadata": {"name": "x", "extra": 1}}))


if __name__ == "__main__":
    unittest.main()
