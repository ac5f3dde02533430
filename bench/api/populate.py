#!/usr/bin/env python3
"""Fills a running coffer server with a data set for bench/api/run.sh.

    bench/api/populate.py URL ADMIN_TOKEN SECRETS PROJECTS [CONNECTIONS]

Creates PROJECTS projects ("p0".."pN") and SECRETS project secrets spread over them round
robin ("s<i>" in project "p<i mod PROJECTS>", one env var of 40 bytes each), through the
public API on CONNECTIONS parallel keep-alive connections (default 16): each secret is a
real, durable, audited write, as a client would make it, so the data set has the shape the
server itself writes. Prints the time taken and the rate. Only 127.0.0.1 is contacted.

Writes go through the group-commit writer, so the rate is the server's POST rate (a few
thousand per second on two cores): 100,000 secrets take about a minute. A data set of a
million wants a direct bulk loader linked against the store (not written yet).
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    url, token = sys.argv[1], sys.argv[2]
    secrets, projects = int(sys.argv[3]), max(1, int(sys.argv[4]))
    conns = int(sys.argv[5]) if len(sys.argv) > 5 else 16
    u = urllib.parse.urlsplit(url)
    if u.hostname != "127.0.0.1":
        sys.exit("populate.py: only http://127.0.0.1 is supported")
    headers = {"Authorization": "Token " + token, "Content-Type": "application/json"}
    errors = []
    lock = threading.Lock()

    def run(items, make):
        it = iter(items)

        def worker():
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
            while True:
                with lock:
                    i = next(it, None)
                if i is None or errors:
                    break
                path, body = make(i)
                c.request("POST", path, json.dumps(body), headers)
                r = c.getresponse()
                data = r.read()
                if r.status != 200:
                    with lock:
                        errors.append(f"POST {path}: HTTP {r.status}: {data[:200]!r}")
            c.close()

        threads = [threading.Thread(target=worker) for _ in range(conns)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            sys.exit("populate.py: " + errors[0])

    t0 = time.time()
    run(range(projects), lambda i: ("/api/v1alpha/projects", {
        "apiVersion": "v1alpha", "kind": "Project", "metadata": {"name": f"p{i}"},
        "spec": {"repository": {"url": f"git@example.com:bench/p{i}.git"}}}))
    t1 = time.time()
    run(range(secrets), lambda i: (f"/api/v1/projects/p{i % projects}/secrets", {
        "metadata": {"name": f"s{i}"},
        "data": {"env_vars": [{"name": "VALUE", "value": f"v{i:08d}-0123456789abcdef0123456789"}],
                 "files": []}}))
    t2 = time.time()
    rate = secrets / (t2 - t1) if t2 > t1 else 0
    print(f"populated: {projects} projects in {t1 - t0:.1f} s, {secrets} secrets in "
          f"{t2 - t1:.1f} s ({rate:.0f}/s, {conns} connections)")


if __name__ == "__main__":
    main()
