"""SIGKILL under load: no acknowledged write is lost.

A server takes concurrent secret creations, updates and job checkouts (each checkout audited
durably before its answer) from several clients; it is killed with SIGKILL in the middle;
a new server on the same data directory must hold every secret, version and checkout event
that was answered 200 before the kill. Group commit, the checkpointer thread and the writer's
wake-ups are all in play.
"""
import http.client
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
from harness import Server, call  # noqa: E402

THREADS = 12  # a third create, a third update, a third check out
LOAD_SECONDS = 2.0


class KilledUnderLoad(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="coffer-crash-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_every_acknowledged_write_survives_sigkill(self):
        first = Server(data_dir=self.dir)
        url, token = first.url, first.token
        ci = first.user_token("ci", "Orchestrator")

        def ok(method, path, body=None, tok=token):
            r = call(url, method, path, tok, body)
            self.assertEqual(r.status, 200, r)
            return r.json

        ok("POST", "/api/v1alpha/projects",
           {"apiVersion": "v1alpha", "kind": "Project", "metadata": {"name": "p"},
            "spec": {"repository": {"url": "git@example.com:acme/p.git"}}})
        for i in range(THREADS // 3):
            ok("POST", "/api/v1beta/secrets",
               {"metadata": {"name": f"upd-{i}"},
                "data": {"env_vars": [{"name": "V", "value": "v0"}], "files": []}})
        ok("POST", "/api/v1beta/secrets",
           {"metadata": {"name": "read-me"},
            "data": {"env_vars": [{"name": "R", "value": "r"}], "files": []}})
        job = ok("POST", "/api/v1alpha/jobs",
                 {"project_id_or_name": "p", "secrets": ["read-me"],
                  "git": {"ref_type": "BRANCH", "ref": "main", "fork": False},
                  "triggered_by": {"type": "AUTO"}}, tok=ci)

        created, updated, checked_out = [], {}, []
        lock = threading.Lock()
        stop = threading.Event()

        def creator(t):
            n = 0
            while not stop.is_set():
                name = f"c-{t}-{n}"
                n += 1
                try:
                    r = call(url, "POST", "/api/v1beta/secrets", token,
                             {"metadata": {"name": name},
                              "data": {"env_vars": [{"name": "V", "value": name}], "files": []}})
                except (OSError, http.client.HTTPException):
                    return  # the server is gone
                if r.status == 200:
                    with lock:
                        created.append(name)

        def updater(i):
            n = 0
            while not stop.is_set():
                n += 1
                try:
                    r = call(url, "PATCH", f"/api/v1beta/secrets/upd-{i}", token,
                             {"data": {"env_vars": [{"name": "V", "value": f"v{n}"}]}})
                except (OSError, http.client.HTTPException):
                    return
                if r.status == 200:
                    with lock:  # versions are acknowledged in order: keep the newest
                        updated[i] = max(updated.get(i, 0), int(r.headers["ETag"].strip('"')))

        def checker():
            while not stop.is_set():
                try:
                    r = call(url, "GET", "/api/v1alpha/jobs/self/secrets", job["token"])
                except (OSError, http.client.HTTPException):
                    return
                if r.status == 200:
                    with lock:
                        checked_out.append(r.headers["X-Request-Id"])

        workers = []
        for t in range(THREADS // 3):
            workers += [threading.Thread(target=creator, args=(t,)),
                        threading.Thread(target=updater, args=(t,)),
                        threading.Thread(target=checker)]
        for w in workers:
            w.start()
        time.sleep(LOAD_SECONDS)
        first.proc.send_signal(signal.SIGKILL)  # mid-load: requests are in flight
        first.proc.wait()
        stop.set()
        for w in workers:
            w.join()
        shutil.rmtree(os.path.dirname(first.log_path), ignore_errors=True)
        print(f"acknowledged before the kill: {len(created)} creates, "
              f"{sum(updated.values())} updates' versions, {len(checked_out)} checkouts "
              f"(server exit {first.proc.returncode})", file=sys.stderr)
        self.assertGreater(len(created), 0)
        self.assertGreater(len(checked_out), 0)
        self.assertEqual(len(updated), THREADS // 3)

        # The same data directory, a new server: everything answered 200 is there.
        with Server(data_dir=self.dir, expect_token=False) as second:
            def get(path):
                r = call(second.url, "GET", path, token)
                self.assertEqual(r.status, 200, (path, r))
                return r

            for name in created:
                get(f"/api/v1beta/secrets/{name}")
            for i, version in updated.items():
                etag = int(get(f"/api/v1beta/secrets/upd-{i}").headers["ETag"].strip('"'))
                self.assertGreaterEqual(etag, version, f"upd-{i}")
            events, page_token = set(), ""
            while True:
                page = get("/api/v1alpha/audit?action=secret.checkout&page_size=100"
                           f"&page_token={page_token}").json
                events |= {e["request_id"] for e in page["events"]}
                page_token = page["next_page_token"]
                if not page_token:
                    break
            missing = [rid for rid in checked_out if rid not in events]
            self.assertEqual(missing, [], f"{len(missing)} of {len(checked_out)} checkouts")


if __name__ == "__main__":
    unittest.main()
