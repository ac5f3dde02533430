#!/usr/bin/env python3
"""The store-size series of `make bench`: does Coffer stay flat as its store grows?

    bench/api/scale.py BUILD_DIR [SIZES]      (SIZES default "10000,100000,1000000")

One data directory (SQLite) grows through the sizes: at each, `coffer-bench-load` extends
it to that many project secrets over SIZE/100 projects (at least 100; 10,000 at a million),
then a fresh `coffer server` starts on it and the script measures:
  - start-up: from exec to the first 200 of /readyz, and the server's idle RSS then;
  - nginx:     the reference, GET /healthz of an nginx serving a static {"status":"ok"}
               (bench/api/nginx.conf.in, as bench/api/run.sh; one for the whole run, measured
               again at each size, right before that size's cases);
  - healthz:   coffer's GET /healthz;
  - get:       GET one project secret's metadata with an API token (wrk, fixed URL);
  - list:      GET a page of 100 of a project's secrets (wrk, fixed URL);
  - checkout:  the checkout of a job of 5 of those secrets (10 env vars and a 3 KiB file
               across them), every checkout audited durably before its answer;
  - RSS under load: the server's RSS right after the checkout case;
and each of healthz, get and checkout as a ratio to that size's nginx figure.
The loader's writes are flushed (sync) before the server starts. Each wrk case: DURATION s
(default 5) of `wrk -t2 -cCONNECTIONS` (default 64), with
bench/api/wrk.lua's WRKRESULT line. Then prints a table, draws docs/img/bench-scale.png
(requests/s and p99 against store size; python3-matplotlib from Debian, installed if
missing) and rewrites docs/benchmarks.md between <!-- scale-bench:begin --> and
<!-- scale-bench:end -->. Everything listens on 127.0.0.1; every process it starts is stopped.
Settings (environment): DURATION=5 CONNECTIONS=64 LOAD_THREADS=256 KEEP=dir (reuse and keep
that data directory: a second run skips the loading it already did).
"""
import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LUA = os.path.join(ROOT, "bench", "api", "wrk.lua")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def call(url, method="GET", token=None, body=None):
    req = urllib.request.Request(url, method=method, data=None if body is None else
                                 json.dumps(body).encode())
    if token:
        req.add_header("Authorization", "Token " + token)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"{}")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wrk(url, token, duration, conns):
    auth = ["-H", "Authorization: Token " + token] if token else []
    out = subprocess.run(["wrk", "-t2", f"-c{conns}", f"-d{duration}s", "--latency", "-s", LUA]
                         + auth + [url], capture_output=True, text=True, check=True).stdout
    m = re.search(r"^WRKRESULT (.*)$", out, re.M)
    kv = dict(x.split("=") for x in m.group(1).split())
    errors = sum(int(kv[k]) for k in ("connect", "read", "write", "status", "timeout"))
    if errors:
        raise RuntimeError(f"{url}: {errors} failed requests")
    return {"rps": int(kv["requests"]) / (int(kv["duration_us"]) / 1e6),
            "p50_us": float(kv["p50_us"]), "p99_us": float(kv["p99_us"])}


def wait_ok(url, proc, what, timeout_s):
    """Until url answers 200; fails when proc exits first or timeout_s passes."""
    t0 = time.monotonic()
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() - t0 > timeout_s:
            raise RuntimeError(what + " did not become ready")
        time.sleep(0.002)


class Nginx:
    """The reference: nginx with bench/api/nginx.conf.in, in a directory of its own."""

    def __init__(self, work):
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.dir = os.path.join(work, "nginx")
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        conf = open(os.path.join(ROOT, "bench", "api", "nginx.conf.in")).read()
        for key, value in (("@WORKERS@", str(os.cpu_count())), ("@DIR@", self.dir),
                           ("@PORT@", str(self.port))):
            conf = conf.replace(key, value)
        path = os.path.join(self.dir, "nginx.conf")
        with open(path, "w") as f:
            f.write(conf)
        self.proc = subprocess.Popen([nginx, "-p", self.dir, "-c", path, "-e",
                                      os.path.join(self.dir, "error.log")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_ok(self.url + "/healthz", self.proc, "nginx", 10)
        except RuntimeError:
            self.proc.kill()
            self.proc.wait()
            raise

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


class Server:
    def __init__(self, coffer, data_dir):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(os.path.dirname(data_dir), "server.log"), "ab")
        t0 = time.monotonic()
        self.proc = subprocess.Popen([coffer, "server", "--data-dir", data_dir, "--listen",
                                      f"127.0.0.1:{self.port}"], stdout=subprocess.DEVNULL,
                                     stderr=self.log)
        wait_ok(self.url + "/readyz", self.proc, "coffer server", 60)
        self.startup_ms = (time.monotonic() - t0) * 1000
        self.idle_rss_mib = rss_kib(self.proc.pid) / 1024

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        self.log.close()


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    build = os.path.abspath(sys.argv[1])
    sizes = [int(s) for s in (sys.argv[2] if len(sys.argv) > 2 else "10000,100000,1000000").split(",")]
    duration = int(os.environ.get("DURATION", "5"))
    conns = int(os.environ.get("CONNECTIONS", "64"))
    coffer = os.path.join(build, "coffer")
    loader = os.path.join(build, "src", "service", "coffer-bench-load")
    # Built every time (it is outside `all`: a loader older than the server would load with
    # the old store code); a no-op when it is current.
    subprocess.run(["cmake", "--build", build, "-j2", "--target", "coffer_bench_load"],
                   check=True, stdout=subprocess.DEVNULL)
    for tool, pkg in (("wrk", "wrk"), ("nginx", "nginx-light")):
        if shutil.which(tool) is None and not os.path.exists("/usr/sbin/" + tool):
            subprocess.run(["apt-get", "install", "-y", "-qq", pkg], check=True)
    keep = os.environ.get("KEEP")
    work = keep or tempfile.mkdtemp(prefix="coffer-scale.", dir="/var/tmp")
    os.makedirs(work, mode=0o700, exist_ok=True)
    data = os.path.join(work, "data")
    token_file = os.path.join(work, "admin.token")
    rows = []
    nginx = None
    try:
        nginx = Nginx(work)
        for size in sizes:
            projects = max(100, min(10000, size // 100))
            t0 = time.monotonic()
            load = subprocess.run([loader, "--data-dir", data, "--token-file", token_file,
                                   "--projects", str(projects), "--secrets", str(size),
                                   "--threads", os.environ.get("LOAD_THREADS", "256")],
                                  capture_output=True, text=True)
            if load.returncode != 0:
                raise RuntimeError("coffer-bench-load: " + load.stderr)
            load_s = time.monotonic() - t0
            # The loader's writes still in the page cache would go to the disk during the
            # cases (the kernel's writeback), where a checkout's sync waits behind them.
            os.sync()
            db_mib = os.path.getsize(os.path.join(data, "coffer.db")) / 2**20
            admin = open(token_file).read().strip()
            srv = Server(coffer, data)
            try:
                u = srv.url
                # The job's 5 secrets, in project p1 beside the loaded ones: 2 env vars each
                # and, in the first, a 3 KiB file (issue 15's shape); made once per data dir.
                names = [f"job5-{c}" for c in "abcde"]
                have = {x["metadata"]["name"] for x in call(
                    f"{u}/api/v1/projects/p1/secrets?page_size=100", token=admin)["secrets"]}
                for i, n in enumerate(names):
                    if n in have:
                        continue
                    files = [{"path": "certs/bench.pem",
                              "content": base64.b64encode(os.urandom(3072)).decode()}] if i == 0 else []
                    call(f"{u}/api/v1/projects/p1/secrets", "POST", admin, {
                        "metadata": {"name": n},
                        "data": {"env_vars": [{"name": f"{n.upper()[-1]}_USER", "value": "bench-user"},
                                              {"name": f"{n.upper()[-1]}_PASSWORD",
                                               "value": "bench-password-" + os.urandom(8).hex()}],
                                 "files": files}})
                ci = subprocess.run([coffer, "admin", "--data-dir", data, "create-user",
                                     f"ci{size}", "--org", "default", "--role", "Orchestrator",
                                     "--token"], capture_output=True, text=True, check=True)
                ci_token = ci.stdout.strip().splitlines()[-1]
                job = call(f"{u}/api/v1alpha/jobs", "POST", ci_token, {
                    "project_id_or_name": "p1", "secrets": names,
                    "git": {"ref_type": "BRANCH", "ref": "main", "fork": False},
                    "triggered_by": {"type": "AUTO"}})
                got = call(f"{u}/api/v1alpha/jobs/self/secrets", token=job["token"])
                if len(got.get("env_vars", [])) != 10 or len(got.get("files", [])) != 1:
                    raise RuntimeError("the checkout did not return the job's 5 secrets")
                row = {"size": size, "projects": projects, "load_s": load_s, "db_mib": db_mib,
                       "startup_ms": srv.startup_ms, "idle_rss_mib": srv.idle_rss_mib,
                       "loadavg": os.getloadavg()[0]}
                row["nginx"] = wrk(nginx.url + "/healthz", None, duration, conns)
                row["healthz"] = wrk(u + "/healthz", None, duration, conns)
                row["get"] = wrk(f"{u}/api/v1/projects/p1/secrets/s{1 + 2 * projects}", admin,
                                 duration, conns)
                row["list"] = wrk(f"{u}/api/v1/projects/p1/secrets?page_size=100", admin,
                                  duration, conns)
                row["checkout"] = wrk(f"{u}/api/v1alpha/jobs/self/secrets", job["token"],
                                      duration, conns)
                row["load_rss_mib"] = rss_kib(srv.proc.pid) / 1024
            finally:
                srv.stop()
            rows.append(row)
            print(f"{size:>8} secrets ({projects} projects, {db_mib:.0f} MiB, loaded in "
                  f"{load_s:.0f} s): start-up {row['startup_ms']:.0f} ms, idle RSS "
                  f"{row['idle_rss_mib']:.1f} MiB, RSS after load {row['load_rss_mib']:.1f} MiB; "
                  + "; ".join(f"{k} {row[k]['rps']:.0f}/s p99 {row[k]['p99_us'] / 1000:.2f} ms"
                              for k in ("nginx", "healthz", "get", "list", "checkout"))
                  + "; " + ", ".join(f"{k} {ratio(row, k):.2f}x" for k in RATIOS), flush=True)
    finally:
        if nginx is not None:
            nginx.stop()
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    plot(rows)
    write_section(rows, duration, conns)


RATIOS = ("healthz", "get", "checkout")  # the cases given as a ratio to nginx


def ratio(row, key):
    return row[key]["rps"] / row["nginx"]["rps"]


def plot(rows):
    # Debian's matplotlib (python3-matplotlib) belongs to Debian's python3, which may not be
    # the python3 running this script: bench/api/plot_scale.py runs under /usr/bin/python3.
    if subprocess.run(["/usr/bin/python3", "-c", "import matplotlib"],
                      capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "install", "-y", "-qq", "python3-matplotlib"], check=True)
    os.makedirs(os.path.join(ROOT, "docs", "img"), exist_ok=True)
    subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "bench", "api", "plot_scale.py"),
                    os.path.join(ROOT, "docs", "img", "bench-scale.png")],
                   input=json.dumps(rows), text=True, check=True)


def write_section(rows, duration, conns):
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                if l.startswith("model name")), "?")
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    lines = ["<!-- scale-bench:begin -->",
             "## Store size (`bench/api/scale.py`, `make bench`)", "",
             "One SQLite data directory grown by `coffer-bench-load` (the real create use case "
             "from 256 threads: every secret sealed and audited as a POST leaves it) through "
             "each size, project secrets over SIZE/100 projects (10,000 at a million); at each, "
             f"a fresh server; then {duration} s of `wrk -t2 -c{conns}` per case: *get* one "
             "secret's metadata, *list* a page of 100 of a project's secrets, *checkout* of a "
             "job of 5 secrets, each checkout durably audited. *load avg*: the 1-minute load "
             "average as the size's first case began (the loader's blocked threads count in it).",
             "",
             "| secrets | db | load | start-up to /readyz | idle RSS | RSS after load | "
             "get /s | get p99 | list /s | list p99 | checkout /s | checkout p99 | load avg |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
             "| ---: |"]
    for r in rows:
        lines.append(
            f"| {r['size']:,} | {r['db_mib']:.0f} MiB | {r['load_s']:.0f} s | "
            f"{r['startup_ms']:.0f} ms | {r['idle_rss_mib']:.1f} MiB | {r['load_rss_mib']:.1f} MiB | "
            + " | ".join(f"{r[k]['rps']:.0f} | {r[k]['p99_us'] / 1000:.2f} ms"
                         for k in ("get", "list", "checkout")) + f" | {r['loadavg']:.2f} |")
    lines += ["", "The same run as ratios to the reference, nginx serving a static `{\"status\":\"ok\"}` "
              "(`bench/api/nginx.conf.in`, as in the HTTP API section), measured at each size "
              f"right before that size's cases with the same `wrk -t2 -c{conns}`:", "",
              "| secrets | nginx /s | healthz /s | healthz | get | checkout |",
              "| ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        lines.append(f"| {r['size']:,} | {r['nginx']['rps']:.0f} | {r['healthz']['rps']:.0f} | "
                     + " | ".join(f"{ratio(r, k):.2f}x" for k in RATIOS) + " |")
    lines += ["", "![requests/s and p99 against store size](img/bench-scale.png)", "",
              f"Machine: {cpu}, {os.cpu_count()} cores, Linux {os.uname().release}. Commit "
              f"{commit}, run {time.strftime('%Y-%m-%d', time.gmtime())}; 1-minute load "
              f"average {os.getloadavg()[0]:.2f} after the last case (its own load included). "
              f"Command: `bench/api/scale.py {sys.argv[1]}"
              f"{' ' + sys.argv[2] if len(sys.argv) > 2 else ''}`.",
              "<!-- scale-bench:end -->"]
    path = os.path.join(ROOT, "docs", "benchmarks.md")
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
    section = "\n".join(lines)
    if "<!-- scale-bench:begin -->" in text:
        text = re.sub(r"<!-- scale-bench:begin -->.*?<!-- scale-bench:end -->",
                      lambda _: section, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    with open(path, "w") as f:
        f.write(text)
    print("wrote the store-size section of docs/benchmarks.md and docs/img/bench-scale.png")


if __name__ == "__main__":
    main()
