"""Two `coffer server` processes on one PostgreSQL are one service (issue 13, point 3).

One real PostgreSQL 15 for the module (harness.Postgres), one database for the class, two
servers on it (the second reads the master key from a copy of the first's key file).
Everything written through one is seen by the other at once, because neither keeps
anything in memory that could disagree; concurrent writes through both are ordered by the
database; and a server SIGKILLed under load loses no write it acknowledged.
"""
import os
import shutil
import signal
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import Postgres, Server, call  # noqa: E402

PG = None


def setUpModule():
    global PG
    PG = Postgres()


def tearDownModule():
    PG.stop()


def b64(data):
    import base64
    return base64.b64encode(data).decode()


class FirstStartTogether(unittest.TestCase):
    def test_two_servers_started_at_once_on_an_empty_database_both_serve(self):
        """Both race to create the first key and the first organization: one wins each,
        the other uses what it made; exactly one prints the first admin token."""
        db = PG.create_database()
        keydir = tempfile.mkdtemp(prefix="coffer-key-")
        key = os.path.join(keydir, "master.key")
        with open(key, "w") as f:
            f.write(os.urandom(32).hex() + "\n")
        os.chmod(key, 0o600)
        servers, errors = [None, None], []

        def start(i):
            try:
                servers[i] = Server(database=db, extra_args=["--master-key-file", key],
                                    expect_token=False)
            except Exception as e:  # noqa: BLE001: reported below
                errors.append(e)

        threads = [threading.Thread(target=start, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        try:
            self.assertEqual(errors, [])
            for s in servers:
                r = call(s.url, "GET", "/readyz")
                self.assertEqual(r.status, 200, r)
            tokens = [s.token for s in servers if s.token]
            self.assertEqual(len(tokens), 1, [s.stdout() for s in servers])
            # The one token works on both; the org and its key are the same for both.
            for s in servers:
                self.assertEqual(call(s.url, "GET", "/api/v1beta/secrets", tokens[0]).status, 200)
            created = call(servers[0].url, "POST", "/api/v1beta/secrets", tokens[0],
                           {"metadata": {"name": "together"},
                            "data": {"env_vars": [{"name": "V", "value": "v1"}], "files": []}})
            self.assertEqual(created.status, 200, created)
            got = call(servers[1].url, "GET", "/api/v1beta/secrets/together", tokens[0])
            self.assertEqual(got.status, 200, got)
        finally:
            for s in servers:
                if s is not None:
                    s.cleanup()
            shutil.rmtree(keydir, ignore_errors=True)


class TwoServers(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = PG.create_database()
        cls.a = Server(database=cls.db)
        cls.token = cls.a.token
        cls.keydir = tempfile.mkdtemp(prefix="coffer-key-")
        cls.key = os.path.join(cls.keydir, "master.key")
        shutil.copy(os.path.join(cls.a.data_dir, "master.key"), cls.key)
        os.chmod(cls.key, 0o600)
        cls.b = Server(database=cls.db, extra_args=["--master-key-file", cls.key],
                       expect_token=False)
        cls.ci = cls.a.user_token("ci", "Orchestrator")

    @classmethod
    def tearDownClass(cls):
        cls.b.cleanup()
        cls.a.cleanup()
        shutil.rmtree(cls.keydir, ignore_errors=True)

    def on(self, server, method, path, body=None, token=None, **kw):
        return call(server.url, method, path, token=token or self.token, body=body, **kw)

    def ok(self, server, method, path, body=None, **kw):
        r = self.on(server, method, path, body, **kw)
        self.assertEqual(r.status, 200, r)
        return r.json

    def secret(self, server, name, env, org_config=None, project=None):
        body = {"metadata": {"name": name},
                "data": {"env_vars": [{"name": k, "value": v} for k, v in env.items()],
                         "files": []}}
        if org_config is not None:
            body["org_config"] = org_config
        path = f"/api/v1/projects/{project}/secrets" if project else "/api/v1beta/secrets"
        return self.ok(server, "POST", path, body)

    def project(self, server, name):
        body = {"apiVersion": "v1alpha", "kind": "Project", "metadata": {"name": name},
                "spec": {"repository": {"url": f"git@example.com:acme/{name}.git"}}}
        return self.ok(server, "POST", "/api/v1alpha/projects", body)["metadata"]["id"]

    def open_job(self, server, project, **body):
        body.setdefault("project_id_or_name", project)
        body.setdefault("git", {"ref_type": "BRANCH", "ref": "main", "fork": False})
        body.setdefault("triggered_by", {"type": "AUTO"})
        return self.on(server, "POST", "/api/v1alpha/jobs", body, token=self.ci)

    def checkout(self, server, job):
        return call(server.url, "GET", f"/api/v1alpha/jobs/{job['job_id']}/secrets", job["token"])

    def values(self, server, *names):
        """The env vars a new job of project p-values checks out for `names`, through `server`."""
        if not getattr(self, "_values_project", False):
            if self.on(server, "GET", "/api/v1alpha/projects/p-values").status != 200:
                self.project(server, "p-values")
            type(self)._values_project = True
        r = self.open_job(server, "p-values", secrets=list(names))
        self.assertEqual(r.status, 200, r)
        out = self.checkout(server, r.json)
        self.assertEqual(out.status, 200, out)
        return {e["name"]: e["value"] for e in out.json["env_vars"]}

    def test_both_are_ready_and_report_the_database(self):
        for s in (self.a, self.b):
            self.assertEqual(self.on(s, "GET", "/readyz").json, {"status": "ok"})

    def test_a_secret_written_through_one_is_listed_read_and_checked_out_through_the_other(self):
        self.project(self.a, "p-shared")
        self.secret(self.a, "dbpass", {"DB_PASSWORD": "pg-value-1"})
        names = [s["metadata"]["name"] for s in self.ok(self.b, "GET", "/api/v1beta/secrets")["secrets"]]
        self.assertIn("dbpass", names)
        got = self.ok(self.b, "GET", "/api/v1beta/secrets/dbpass")
        self.assertEqual([e["name"] for e in got["data"]["env_vars"]], ["DB_PASSWORD"])
        r = self.open_job(self.b, "p-shared", secrets=["dbpass"])
        self.assertEqual(r.status, 200, r)
        out = self.checkout(self.b, r.json)
        self.assertEqual(out.status, 200, out)
        self.assertEqual({e["name"]: e["value"] for e in out.json["env_vars"]},
                         {"DB_PASSWORD": "pg-value-1"})
        # An update through b is what a's next checkout returns.
        self.ok(self.b, "PATCH", "/api/v1beta/secrets/dbpass",
                {"data": {"env_vars": [{"name": "DB_PASSWORD", "value": "pg-value-2"}]}})
        r = self.open_job(self.a, "p-shared", secrets=["dbpass"])
        out = self.checkout(self.a, r.json)
        self.assertEqual({e["name"]: e["value"] for e in out.json["env_vars"]},
                         {"DB_PASSWORD": "pg-value-2"})

    def test_a_token_revoked_through_one_is_refused_by_the_other(self):
        t = self.a.user_token("leaver", "Member")
        self.assertEqual(self.on(self.b, "GET", "/api/v1beta/secrets", token=t).status, 200)
        tid = [x["id"] for x in self.ok(self.a, "GET", "/api/v1alpha/tokens")["tokens"]
               if x["user_name"] == "leaver"][0]
        self.ok(self.a, "DELETE", f"/api/v1alpha/tokens/{tid}")
        self.assertEqual(self.on(self.b, "GET", "/api/v1beta/secrets", token=t).status, 401)
        self.assertEqual(self.on(self.a, "GET", "/api/v1beta/secrets", token=t).status, 401)

    def test_a_policy_tightened_through_one_binds_the_other(self):
        self.project(self.a, "p-policy")
        self.secret(self.a, "policed", {"P": "policy-value"}, org_config={"projects_access": "ALL"})
        self.assertEqual(self.open_job(self.b, "p-policy", secrets=["policed"]).status, 200)
        self.ok(self.a, "PATCH", "/api/v1beta/secrets/policed",
                {"org_config": {"projects_access": "NONE"}})
        r = self.open_job(self.b, "p-policy", secrets=["policed"])
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.json["reasons"], ["Secret policed is not available to project p-policy"])

    def test_a_target_cordoned_through_one_is_cordoned_on_the_other(self):
        pid = self.project(self.a, "p-target")
        body = {"name": "prod", "project_id": pid, "subject_rules": [{"type": "ANY"}],
                "object_rules": [{"type": "BRANCH", "match_mode": "ALL", "pattern": ""}],
                "env_vars": [{"name": "DEPLOY", "value": "prod-credential"}], "files": []}
        self.ok(self.a, "POST", "/api/v1alpha/deployment_targets", body)
        self.assertEqual(self.open_job(self.b, "p-target", deployment_target="prod").status, 200)
        self.ok(self.a, "POST", f"/api/v1alpha/deployment_targets/prod/deactivate?project_id={pid}")
        r = self.open_job(self.b, "p-target", deployment_target="prod")
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.json["reasons"], ["Deployment target prod is cordoned"])

    def test_a_job_finished_through_one_is_over_on_the_other(self):
        self.project(self.a, "p-finish")
        self.secret(self.a, "finval", {"F": "finish-value"})
        job = self.open_job(self.a, "p-finish", secrets=["finval"]).json
        self.assertEqual(self.checkout(self.b, job).status, 200)
        self.ok(self.a, "POST", f"/api/v1alpha/jobs/{job['job_id']}/finish", token=self.ci)
        self.assertEqual(self.checkout(self.b, job).status, 401)

    def test_two_patches_from_the_same_version_one_through_each_one_wins(self):
        for round_ in range(5):
            name = f"race{round_}"
            self.secret(self.a, name, {"R": "base-value"})
            statuses = {}

            def patch(server, value):
                statuses[server.url] = self.on(
                    server, "PATCH", f"/api/v1beta/secrets/{name}",
                    {"data": {"env_vars": [{"name": "R", "value": value}]}},
                    headers={"If-Match": '"1"'}).status
            threads = [threading.Thread(target=patch, args=(s, v))
                       for s, v in ((self.a, "from-a"), (self.b, "from-b"))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(sorted(statuses.values()), [200, 409], statuses)
            got = self.on(self.b, "GET", f"/api/v1beta/secrets/{name}")
            self.assertEqual(got.headers["ETag"], '"2"')
            winner = [u for u, st in statuses.items() if st == 200][0]
            want = "from-a" if winner == self.a.url else "from-b"
            self.assertEqual(self.values(self.a, name), {"R": want})


class SigkillUnderLoad(unittest.TestCase):
    """SIGKILL of one server while both take writes: every write either server acknowledged
    is in the database, and the survivor goes on serving."""

    def test_no_acknowledged_write_is_lost_and_the_other_keeps_serving(self):
        db = PG.create_database()
        a = Server(database=db)
        keydir = tempfile.mkdtemp(prefix="coffer-key-")
        key = os.path.join(keydir, "master.key")
        shutil.copy(os.path.join(a.data_dir, "master.key"), key)
        os.chmod(key, 0o600)
        b = Server(database=db, extra_args=["--master-key-file", key], expect_token=False)
        token = a.token
        acked, lock = [], threading.Lock()
        stop = threading.Event()
        a_acks = threading.Semaphore(0)

        def writer(server, prefix):
            i = 0
            while not stop.is_set():
                name = f"{prefix}-{i}"
                i += 1
                body = {"metadata": {"name": name},
                        "data": {"env_vars": [{"name": "V", "value": "value-" + name}],
                                 "files": []}}
                try:
                    r = call(server.url, "POST", "/api/v1beta/secrets", token=token, body=body)
                except OSError:
                    continue  # the killed server: no answer is no acknowledgement
                if r.status == 200:
                    with lock:
                        acked.append(name)
                    if server is a:
                        a_acks.release()

        threads = [threading.Thread(target=writer, args=(s, p))
                   for s, p in ((a, "a1"), (a, "a2"), (b, "b1"))]
        try:
            for t in threads:
                t.start()
            for _ in range(30):  # a has acknowledged 30 writes: kill it mid-stream
                self.assertTrue(a_acks.acquire(timeout=60))
            a.proc.send_signal(signal.SIGKILL)
            a.proc.wait()
            before = len(acked)
            while len(acked) < before + 20:  # b keeps acknowledging writes
                self.assertTrue(all(t.is_alive() for t in threads[2:]))
                threading.Event().wait(0.05)
        finally:
            stop.set()
            for t in threads:
                t.join()
        names, page = set(), ""
        while True:
            r = call(b.url, "GET", f"/api/v1beta/secrets?page_size=100{page}", token=token)
            self.assertEqual(r.status, 200, r)
            names |= {s["metadata"]["name"] for s in r.json["secrets"]}
            if not r.json.get("next_page_token"):
                break
            page = "&page_token=" + r.json["next_page_token"]
        missing = [n for n in acked if n not in names]
        self.assertEqual(missing, [])
        self.assertGreaterEqual(len([n for n in acked if n.startswith("a")]), 30)
        # Acknowledged values check out as written, through the survivor.
        ci = b.user_token("ci", "Orchestrator")
        r = call(b.url, "POST", "/api/v1alpha/projects", token, {
            "apiVersion": "v1alpha", "kind": "Project", "metadata": {"name": "p-kill"},
            "spec": {"repository": {"url": "git@example.com:acme/kill.git"}}})
        self.assertEqual(r.status, 200, r)
        sample = [n for n in acked if n.startswith("a")][-5:] + [n for n in acked if n.startswith("b")][-5:]
        for n in sample:
            job = call(b.url, "POST", "/api/v1alpha/jobs", ci, {
                "project_id_or_name": "p-kill", "secrets": [n],
                "git": {"ref_type": "BRANCH", "ref": "main", "fork": False},
                "triggered_by": {"type": "AUTO"}}).json
            out = call(b.url, "GET", f"/api/v1alpha/jobs/{job['job_id']}/secrets", job["token"])
            self.assertEqual(out.json["env_vars"][0]["value"], "value-" + n)
        self.assertEqual(call(b.url, "GET", "/readyz").status, 200)
        b.cleanup()
        shutil.rmtree(a.data_dir, ignore_errors=True)
        shutil.rmtree(keydir, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
