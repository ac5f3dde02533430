#!/usr/bin/env python3
"""A job's whole life under load, for bench/api/run.sh: open, checkout, finish.

    bench/api/jobcycle.py URL ORCHESTRATOR_TOKEN PROJECT SECRETS DURATION_S CONNECTIONS

Each of CONNECTIONS threads keeps one keep-alive connection and loops for DURATION_S
seconds: POST /api/v1alpha/jobs (PROJECT, the comma-separated SECRETS) with the
orchestrator's token, GET /api/v1alpha/jobs/self/secrets with the job's token (its
secrets, audited durably), POST /api/v1alpha/jobs/{id}/finish with the job's token.
Every answer must be 200 and the checkout must hold each secret; any failure stops the run
with exit status 1. Prints one line:

    JOBCYCLE jobs=N duration_us=D p50_us=A p99_us=B errors=E client_cpu_s=C

(the latencies are those of a whole cycle). The client is Python: with the GIL it sends a
few thousand requests a second at most, so client_cpu_s near DURATION_S means the figure
is the client's limit, not the server's. Only 127.0.0.1 is contacted.
"""
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse


def main():
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    url, ci_token, project, secrets = sys.argv[1:5]
    duration, conns = float(sys.argv[5]), int(sys.argv[6])
    names = [s for s in secrets.split(",") if s]
    u = urllib.parse.urlsplit(url)
    if u.hostname != "127.0.0.1":
        sys.exit("jobcycle.py: only http://127.0.0.1 is supported")
    job_body = json.dumps({"project_id_or_name": project, "secrets": names,
                           "git": {"ref_type": "BRANCH", "ref": "main", "fork": False},
                           "triggered_by": {"type": "AUTO"}})
    lock = threading.Lock()
    latencies = []
    errors = []
    end = time.monotonic() + duration

    def call(c, method, path, token, body=None):
        headers = {"Authorization": "Token " + token}
        if body is not None:
            headers["Content-Type"] = "application/json"
        c.request(method, path, body, headers)
        r = c.getresponse()
        data = r.read()
        if r.status != 200:
            raise RuntimeError(f"{method} {path.split('/jobs/')[0]}/jobs/...: HTTP {r.status}")
        return data

    def worker():
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        mine = []
        try:
            while time.monotonic() < end and not errors:
                t0 = time.monotonic()
                job = json.loads(call(c, "POST", "/api/v1alpha/jobs", ci_token, job_body))
                jid, jtok = job["job_id"], job["token"]
                got = json.loads(call(c, "GET", "/api/v1alpha/jobs/self/secrets", jtok))
                seen = {e.get("secret") for e in got.get("env_vars", []) + got.get("files", [])}
                if not set(names) <= seen:
                    raise RuntimeError("checkout did not return every secret of the job")
                call(c, "POST", f"/api/v1alpha/jobs/{jid}/finish", jtok, "{}")
                mine.append(time.monotonic() - t0)
        except Exception as e:  # noqa: BLE001: any failure ends the run, reported
            with lock:
                errors.append(str(e))
        finally:
            c.close()
            with lock:
                latencies.extend(mine)

    cpu0 = os.times()
    t0 = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    cpu1 = os.times()
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1e6 if latencies else 0

    print(f"JOBCYCLE jobs={len(latencies)} duration_us={wall * 1e6:.0f} p50_us={pct(0.5):.0f} "
          f"p99_us={pct(0.99):.0f} errors={len(errors)} "
          f"client_cpu_s={(cpu1.user - cpu0.user) + (cpu1.system - cpu0.system):.2f}")
    if errors:
        print("jobcycle.py: " + errors[0], file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
