#!/usr/bin/env bash
# The HTTP API benchmark (`make bench`): bench/api/run.sh BUILD_DIR
#
# Measures a running `coffer server` with wrk, as ratios against a reference measured in the
# same run on the same machine: nginx serving a static {"status":"ok"}. Everything listens on
# 127.0.0.1 only, on ports picked at start, with its own temporary directory; everything the
# script starts is stopped on exit.
#
# Cases (each DURATION s of `wrk -tWRK_THREADS -cCONNECTIONS --latency`, keep-alive):
#   nginx     GET /healthz                      the reference: `return 200` from the config
#   healthz   coffer GET /healthz               HTTP, routing, request id, log line
#   get       GET /api/v1beta/secrets/NAME      + API token auth and a store read
#   checkout  GET /api/v1alpha/jobs/self/secrets  job token, decrypt, audited durable write
#   checkout5 the same for a job of 5 secrets: 10 env vars and a 3 KiB file (issue 15's shape)
#   post      POST /api/v1beta/secrets          a new secret per request: a durable write
#             (WRITE_CONNECTIONS connections)
#   post1     the same with one connection      every request waits for its own commit
#   patch     PATCH /api/v1beta/secrets/NAME    a new value of one of 32 secrets (bench-w0..31,
#             made in setup, max(32, WRITE_CONNECTIONS) of them), each request the next one not in
#             flight (with one connection, request k updates secret k mod 32): a new version,
#             a durable write (WRITE_CONNECTIONS connections)
#   patch1    the same with one connection
#   jobcycle  open, checkout, finish a job        coffer-bench-jobcycle (bench/jobcycle.cc),
#             CONNECTIONS connections on 2 threads
# and prints requests/s, p50/p99 latency, the ratio to nginx's requests/s, the CPU the server
# used per request, and how busy the machine was; fails if any request failed (wrk's
# socket errors and status >= 400). Then rewrites its section of docs/benchmarks.md, between
# <!-- api-bench:begin --> and <!-- api-bench:end --> (bench/run.sh keeps it).
#
# Backends: BACKENDS="sqlite" (the default) and/or "postgres", e.g. BACKENDS="sqlite postgres":
# every coffer case runs once per backend, each on a fresh server, against the same nginx
# measurement. For postgres the script starts a throwaway PostgreSQL 15 (Debian's initdb and
# pg_ctl from /usr/lib/postgresql/15/bin, as the unprivileged `postgres` user with runuser when
# run as root, in its own temporary directory owned by that user, on 127.0.0.1 and a free
# port; fsync and synchronous_commit on, as a real deployment would have them; stopped on
# exit) and runs `coffer server --database postgres://...` on it (COFFER_POOL_SIZE=8,
# `--pool-size`). For postgres, *server CPU* counts coffer and all of PostgreSQL's processes.
# Then, still for postgres, "postgres x2": a second coffer server on the same database (its own
# data directory, the first one's master key file), and get, checkout5, post and patch with two
# wrk at once, one per server, each with half the threads (at least 1) and half the connections:
# requests/s summed, the worse p50 and p99, server CPU of both coffer processes and PostgreSQL.
#
# Settings (environment): DURATION=10 CONNECTIONS=64 WRITE_CONNECTIONS=32 (post, patch) WRK_THREADS=2 COFFER_THREADS=0
# (coffer's default: one I/O thread per core) NGINX_WORKERS=$(nproc) LOAD_MAX=1.0 LOAD_WAIT_S=1200: before measuring,
# wait (checking every 30 s, at most LOAD_WAIT_S) until the 1-minute load average is below
# LOAD_MAX, and say in the report if it never was. STORE_SECRETS=0 STORE_PROJECTS=100: before
# measuring, fill the store with that many project secrets over that many projects
# (bench/api/populate.py, through the API on parallel connections; a few thousand a second).
#
# Then, on sqlite, `perf record` of the server under checkout5, post and patch (PROFILE_S=5
# seconds each, a run of its own after the measured one; 0 skips it; bench/api/profile.sh): the
# section's "What the profile showed", by thread and by function.
#
# Needs wrk, nginx (nginx-light), curl and perf (linux-perf); installs the missing ones with apt-get (Debian
# 12). Only the benchmark needs them, not the build. Note: on a machine whose services start
# on install, Debian's nginx package also starts the system nginx on port 80; this script
# neither uses nor stops it.
set -euo pipefail

COMMAND="bench/api/run.sh $*"
for v in BACKENDS COFFER_POOL_SIZE STORE_PROJECTS STORE_SECRETS LOAD_WAIT_S LOAD_MAX NGINX_WORKERS COFFER_THREADS WRK_THREADS WRITE_CONNECTIONS CONNECTIONS DURATION; do
  if [[ -n ${!v+x} ]]; then
    if [[ ${!v} == *" "* ]]; then COMMAND="$v=\"${!v}\" $COMMAND"; else COMMAND="$v=${!v} $COMMAND"; fi
  fi
done
BUILD_ARG=${1:-build}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
WRITE_CONNECTIONS=${WRITE_CONNECTIONS:-32}
# The secrets the patch cases update, bench-w0 ..: one per connection at least, since the
# server answers 409 to a PATCH racing another of the same secret (bench/api/wrk.lua)
PATCH_SECRETS=$((WRITE_CONNECTIONS > 32 ? WRITE_CONNECTIONS : 32))
STORE_SECRETS=${STORE_SECRETS:-0}
STORE_PROJECTS=${STORE_PROJECTS:-100}
WRK_THREADS=${WRK_THREADS:-2}
COFFER_THREADS=${COFFER_THREADS:-0}
IO_THREADS=$COFFER_THREADS
[[ $IO_THREADS == 0 ]] && IO_THREADS=$(nproc)
NGINX_WORKERS=${NGINX_WORKERS:-$(nproc)}
LOAD_MAX=${LOAD_MAX:-1.0}
LOAD_WAIT_S=${LOAD_WAIT_S:-1200}
BACKENDS=${BACKENDS:-sqlite}
COFFER_POOL_SIZE=${COFFER_POOL_SIZE:-8}
PG_BIN=/usr/lib/postgresql/15/bin
for b in $BACKENDS; do
  case $b in
    sqlite) ;;
    postgres)
      [[ -x $PG_BIN/initdb ]] || { echo "BACKENDS has postgres but $PG_BIN/initdb is missing: run scripts/install-deps.sh" >&2; exit 1; } ;;
    *) echo "BACKENDS: unknown backend '$b' (sqlite, postgres)" >&2; exit 1 ;;
  esac
done
export LC_ALL=C

BUILD=$BUILD_ARG
[[ -d $BUILD ]] && BUILD=$(cd "$BUILD" && pwd)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
LUA=$ROOT/bench/api/wrk.lua

# --- tools -----------------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
command -v curl >/dev/null || missing+=(curl)
command -v perf >/dev/null || missing+=(linux-perf)
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  echo "installing ${missing[*]} (apt-get) ..."
  if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

if [[ ! -x $BUILD/coffer ]]; then
  echo "building $BUILD/coffer ..."
  nice cmake --build "$BUILD" -j1 --target coffer
fi
# The job cycle's load client (bench/jobcycle.cc; not part of the default build).
JOBCYCLE=$BUILD/coffer-bench-jobcycle
if [[ ! -x $JOBCYCLE || $ROOT/bench/jobcycle.cc -nt $JOBCYCLE ]]; then
  echo "building $JOBCYCLE ..."
  # (a build directory configured before the target existed knows it after a re-configure)
  nice cmake --build "$BUILD" -j1 --target coffer_bench_jobcycle 2>/dev/null ||
    { cmake "$BUILD" >/dev/null && nice cmake --build "$BUILD" -j1 --target coffer_bench_jobcycle; }
fi
BUILD_TYPE=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD/CMakeCache.txt" 2>/dev/null || true)
if [[ $BUILD_TYPE != Release ]]; then
  echo "warning: $BUILD is a '${BUILD_TYPE:-unknown}' build, not Release" >&2
fi

# --- processes -------------------------------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/var/tmp}/coffer-api-bench.XXXXXX")
NGINX_PID=""
COFFER_PID=""
COFFER2_PID=""  # the second server on the same PostgreSQL database (postgres x2)
PG_DIR=""     # the PostgreSQL's own temporary directory (owned by postgres when run as root)
PG_RUNNING=""
PG_URL=""
# pg_tool TOOL ARGS...: one of PostgreSQL's programs, as the postgres user when run as root
pg_tool() {
  local t=$1
  shift
  if [[ $(id -u) -eq 0 ]]; then
    (cd / && runuser -u postgres -- "$PG_BIN/$t" "$@")
  else
    (cd / && "$PG_BIN/$t" "$@")
  fi
}
stop_pid() {  # stop_pid PID: SIGTERM, then SIGKILL after 10 s
  local pid=$1 i
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop_pid "$NGINX_PID"
  stop_pid "$COFFER_PID"
  stop_pid "$COFFER2_PID"
  if [[ -n $PG_RUNNING ]]; then
    pg_tool pg_ctl -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  [[ -z $PG_DIR ]] || rm -rf "$PG_DIR"
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' \
    2>/dev/null || shuf -i 20000-60999 -n 1
}
# wait_http PID URL: until URL answers 200 (5 s), or PID exits
wait_http() {
  local i
  for ((i = 0; i < 100; i++)); do
    curl -fsS -o /dev/null "$2" 2>/dev/null && return 0
    kill -0 "$1" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

mkdir -p "$TMP/nginx"
for _ in 1 2 3 4 5; do
  NGINX_PORT=$(free_port)
  sed -e "s|@WORKERS@|${NGINX_WORKERS}|g" -e "s|@DIR@|${TMP}/nginx|g" -e "s|@PORT@|${NGINX_PORT}|g" \
    "$ROOT/bench/api/nginx.conf.in" >"$TMP/nginx/nginx.conf"
  "$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/error.log" &
  NGINX_PID=$!
  NGINX_URL=http://127.0.0.1:$NGINX_PORT
  if wait_http "$NGINX_PID" "$NGINX_URL/healthz"; then break; fi
  stop_pid "$NGINX_PID"
  NGINX_PID=""
done
if [[ -z $NGINX_PID ]]; then
  echo "nginx did not start:" >&2
  cat "$TMP/nginx/error.log" >&2 || true
  exit 1
fi
echo "nginx (${NGINX_WORKERS} workers) on $NGINX_URL"

# --- PostgreSQL (BACKENDS has postgres) ---------------------------------------------------
start_postgres() {
  PG_DIR=$(mktemp -d "${TMPDIR:-/var/tmp}/coffer-api-bench-pg.XXXXXX")
  [[ $(id -u) -ne 0 ]] || chown postgres:postgres "$PG_DIR"
  chmod 700 "$PG_DIR"
  pg_tool initdb -D "$PG_DIR/data" -A trust -U postgres -E UTF8 --no-sync --no-instructions \
    >"$TMP/initdb.log" 2>&1 || { echo "initdb failed:" >&2; cat "$TMP/initdb.log" >&2; exit 1; }
  local port
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    if pg_tool pg_ctl -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
      -o "-h 127.0.0.1 -p $port -k $PG_DIR -c max_connections=200" start >/dev/null 2>&1; then
      PG_RUNNING=yes
      PG_URL=postgresql://postgres@127.0.0.1:$port
      break
    fi
  done
  if [[ -z $PG_RUNNING ]]; then
    echo "PostgreSQL did not start:" >&2
    tail -20 "$PG_DIR/server.log" >&2 || true
    exit 1
  fi
  PG_VERSION=$("$PG_BIN/postgres" --version | awk '{ print $3 }')
  echo "PostgreSQL $PG_VERSION on $PG_URL, data in $PG_DIR"
}
PG_VERSION=""
[[ " $BACKENDS " != *" postgres "* ]] || start_postgres

# --- wait for a quiet machine ----------------------------------------------------------------
waited=0
LOAD_OK=yes
while :; do
  LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
  awk -v l="$LOAD_START" -v m="$LOAD_MAX" 'BEGIN { exit !(l < m) }' && break
  if ((waited >= LOAD_WAIT_S)); then
    LOAD_OK=no
    echo "load average still $LOAD_START after ${waited} s: measuring anyway"
    break
  fi
  echo "load average $LOAD_START >= $LOAD_MAX: waiting (${waited} s of ${LOAD_WAIT_S} s) ..."
  sleep 30
  waited=$((waited + 30))
done
echo "1-minute load average $LOAD_START (waited ${waited} s)"

# The disk's synchronous write rate, in the data directory: 4 KiB overwrites with O_DSYNC,
# which is what one commit of SQLite's WAL (or PostgreSQL's) costs at least.
DSYNC_N=200
dd if=/dev/zero of="$TMP/dsync.probe" bs=4k count=$DSYNC_N status=none
sync
t0=$(date +%s.%N)
dd if=/dev/zero of="$TMP/dsync.probe" bs=4k count=$DSYNC_N oflag=dsync conv=notrunc status=none
t1=$(date +%s.%N)
rm -f "$TMP/dsync.probe"
DSYNC_RATE=$(awk -v n=$DSYNC_N -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
echo "disk: $DSYNC_RATE synchronous 4 KiB writes/s in $TMP"
# And how long one sync can take: a growing file, 64 KiB appended and fdatasync'd in a loop
# for 5 s (a WAL's pattern), the latency of each sync.
SYNC_LAT=$(python3 - "$TMP/sync.probe" <<'PY'
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
buf, lat, end = b"\0" * 65536, [], time.monotonic() + 5
while time.monotonic() < end:
    os.write(fd, buf)
    t = time.perf_counter()
    os.fdatasync(fd)
    lat.append(time.perf_counter() - t)
os.close(fd)
os.unlink(sys.argv[1])
lat.sort()
pick = lambda q: lat[min(len(lat) - 1, int(len(lat) * q))] * 1e6
print("n=%d p50_us=%.0f p99_us=%.0f p999_us=%.0f max_us=%.0f" % (len(lat), pick(0.5), pick(0.99), pick(0.999), lat[-1] * 1e6))
PY
)
for kv in $SYNC_LAT; do printf -v "sync_${kv%%=*}" '%s' "${kv#*=}"; done
echo "disk: fdatasync after a 64 KiB append, $sync_n in 5 s: p50 ${sync_p50_us} µs, p99 ${sync_p99_us} µs, p99.9 ${sync_p999_us} µs, max ${sync_max_us} µs"

# --- measure ---------------------------------------------------------------------------------
HZ=$(getconf CLK_TCK)
# With perf (installed above; it may still be refused the server, by perf_event_paranoid),
# count the server's fsync/fdatasync calls in each case: SQLite commits once per sync, so
# requests per sync is the batch size; and profile three cases (bench/api/profile.sh).
SYNC_EVENTS=syscalls:sys_enter_fdatasync,syscalls:sys_enter_fsync
PERF=""
if command -v perf >/dev/null &&
  perf stat -x, -e "$SYNC_EVENTS" -p "$NGINX_PID" -o /dev/null -- sleep 0.1 >/dev/null 2>&1; then
  PERF=perf
fi
source "$ROOT/bench/api/profile.sh"  # profile_case, for the section's profile (with perf)
# proc_ticks PID...: user + system CPU ticks of these processes (all their threads)
proc_ticks() {
  local p t=0 v
  for p in "$@"; do
    v=$(awk '{ s = $0; sub(/.*\) /, "", s); split(s, f, " "); print f[12] + f[13] }' \
      "/proc/$p/stat" 2>/dev/null) || v=0
    t=$((t + ${v:-0}))
  done
  echo "$t"
}
# machine_ticks: "busy total" CPU ticks of the whole machine
machine_ticks() { awk '/^cpu / { print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9 }' /proc/stat; }
# children_cpu VAR: user + system seconds of this shell's finished children (wrk) into VAR
# (`times` must run in this shell, not in a $(...) subshell)
children_cpu() {
  times >"$TMP/times"
  printf -v "$1" '%s' "$(awk 'NR == 2 { n = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); n += a[1] * 60 + a[2] } printf "%.3f", n }' "$TMP/times")"
}
server_pids() {
  if [[ $1 == nginx ]]; then
    echo "$NGINX_PID" "$(ps -o pid= --ppid "$NGINX_PID" | tr '\n' ' ')"
  elif [[ $CUR_BACKEND == postgres ]]; then  # coffer (both, if two) and all of PostgreSQL's processes
    local pm
    pm=$(head -1 "$PG_DIR/data/postmaster.pid")
    echo "$COFFER_PID" $COFFER2_PID "$pm" "$(ps -o pid= --ppid "$pm" | tr '\n' ' ')"
  else
    echo "$COFFER_PID"
  fi
}

CUR_BACKEND=""
declare -A CYC_RATE CYC_P50 CYC_P99 CYC_CPU CYC_CLIENT CYC_ERRS
declare -A RPS P50 P99 ERRS CPU_REQ SRV_CORES WRK_CORES REST_CORES SYNCS REQS
FAILED=0
# run_case KEY SERVER THREADS CONNS URL [wrk args...]
# URL may be several, separated by spaces (one per server): then one wrk per URL runs at once,
# each with its share of the threads (at least 1) and of the connections, as part i of n
# (WRK_PART, WRK_PARTS: bench/api/wrk.lua keeps their writes apart); their requests/s add up,
# the latencies are the worse of them, the errors add up.
run_case() {
  local key=$1 server=$2 threads=$3 conns=$4 url=$5
  shift 5
  local -a urls
  read -r -a urls <<<"$url"
  local parts=${#urls[@]}
  local pids s0 s1 m0 m1 c0 c1 w0 w1 line
  pids=$(server_pids "$server")
  s0=$(proc_ticks $pids)
  read -r m0 _ < <(machine_ticks)
  local perf_pid=""
  if [[ $server == coffer && -n $PERF && $CUR_BACKEND == sqlite ]]; then  # SQLite's syncs: commits
    perf stat -x, -e "$SYNC_EVENTS" -p "$COFFER_PID" -o "$TMP/perf-$key.txt" &
    perf_pid=$!
    sleep 0.3
  fi
  children_cpu c0
  w0=$(date +%s.%N)
  if ((parts == 1)); then
    WRK_NTHREADS=$threads wrk -t"$threads" -c"$conns" -d"${DURATION}s" --latency -s "$LUA" "$@" "$url" >"$TMP/wrk-$key.txt"
  else
    local i t_part=$((threads / parts > 0 ? threads / parts : 1)) c_part=$((conns / parts))
    local -a wrk_pids=()
    for ((i = 0; i < parts; i++)); do
      WRK_PART=$i WRK_PARTS=$parts WRK_NTHREADS=$t_part \
        wrk -t"$t_part" -c"$c_part" -d"${DURATION}s" --latency -s "$LUA" "$@" "${urls[i]}" >"$TMP/wrk-$key.$i.txt" &
      wrk_pids+=($!)
    done
    for i in "${wrk_pids[@]}"; do wait "$i"; done
    cat "$TMP/wrk-$key".*.txt >"$TMP/wrk-$key.txt"
  fi
  w1=$(date +%s.%N)
  children_cpu c1
  read -r m1 _ < <(machine_ticks)
  s1=$(proc_ticks $pids)
  if [[ -n $perf_pid ]]; then
    kill -INT "$perf_pid" 2>/dev/null || true
    wait "$perf_pid" 2>/dev/null || true
    SYNCS[$key]=$(awk -F, '$3 ~ /sys_enter_f(data)?sync/ { n += $1 } END { print n + 0 }' "$TMP/perf-$key.txt")
  fi
  # One WRKRESULT line per wrk: sums, and the worse latencies
  line=$(awk '$1 == "WRKRESULT" {
      for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] + 0 }
      n++; req += v["requests"]; rps += v["requests"] / (v["duration_us"] / 1e6)
      if (v["duration_us"] > dur) dur = v["duration_us"]
      if (v["p50_us"] > p50) p50 = v["p50_us"]
      if (v["p99_us"] > p99) p99 = v["p99_us"]
      c += v["connect"]; r += v["read"]; w += v["write"]; s += v["status"]; t += v["timeout"]
    }
    END { if (n) printf "requests=%d duration_us=%d p50_us=%d p99_us=%d connect=%d read=%d write=%d status=%d timeout=%d rps=%.0f\n",
            req, dur, p50, p99, c, r, w, s, t, rps }' "$TMP/wrk-$key.txt")
  [[ -n $line ]] || { echo "$key: no WRKRESULT from wrk: $(head -c 300 "$TMP/wrk-$key.txt")" >&2; exit 1; }
  local requests duration_us p50_us p99_us connect read write status timeout rps kv
  for kv in $line; do
    printf -v "${kv%%=*}" '%s' "${kv#*=}"
  done
  RPS[$key]=$rps
  REQS[$key]=$requests
  P50[$key]=$p50_us
  P99[$key]=$p99_us
  ERRS[$key]=$((connect + read + write + status + timeout))
  local errs="connect $connect, read $read, write $write, status>=400 $status, timeout $timeout"
  ((ERRS[$key] == 0)) || FAILED=1
  local wall
  wall=$(awk -v a="$w0" -v b="$w1" 'BEGIN { print b - a }')
  CPU_REQ[$key]=$(awk -v t=$((s1 - s0)) -v hz="$HZ" -v r="$requests" 'BEGIN { printf "%.0f", t / hz * 1e6 / r }')
  SRV_CORES[$key]=$(awk -v t=$((s1 - s0)) -v hz="$HZ" -v w="$wall" 'BEGIN { printf "%.2f", t / hz / w }')
  WRK_CORES[$key]=$(awk -v a="$c0" -v b="$c1" -v w="$wall" 'BEGIN { printf "%.2f", (b - a) / w }')
  REST_CORES[$key]=$(awk -v m=$((m1 - m0)) -v s=$((s1 - s0)) -v hz="$HZ" -v a="$c0" -v b="$c1" -v w="$wall" \
    'BEGIN { r = ((m - s) / hz - (b - a)) / w; if (r < 0) r = 0; printf "%.2f", r }')
  printf '  %-9s %8s req/s   p50 %7s  p99 %7s   server %5s us CPU/req   cores: server %s wrk %s rest %s   errors: %s\n' \
    "$key" "${RPS[$key]}" "$(fmt_us "$p50_us")" "$(fmt_us "$p99_us")" "${CPU_REQ[$key]}" \
    "${SRV_CORES[$key]}" "${WRK_CORES[$key]}" "${REST_CORES[$key]}" "$errs"
  [[ -z ${SYNCS[$key]:-} ]] || echo "            server syncs (fsync/fdatasync): ${SYNCS[$key]} for $requests requests"
}
fmt_us() { awk -v u="$1" 'BEGIN { if (u < 1000) printf "%d µs", u; else printf "%.2f ms", u / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { r = a / b; printf (r < 0.1 ? "%.3f" : "%.2f"), r }'; }

# --- each backend: a fresh coffer server, its data, its cases ---------------------------------
bench_backend() {
  local B=$1
  CUR_BACKEND=$B
  DATA=$TMP/data-$B
  DB_ARGS=()
  if [[ $B == postgres ]]; then
    pg_tool psql -X -q -d "$PG_URL/postgres" -c "CREATE DATABASE coffer_bench" >/dev/null
    DB_ARGS=(--database "$PG_URL/coffer_bench" --pool-size "$COFFER_POOL_SIZE")
  fi
  : >"$TMP/coffer-$B.out"  # exists before the server opens it (read below at once)
  "$BUILD/coffer" server --data-dir "$DATA" "${DB_ARGS[@]}" --listen 127.0.0.1:0 --threads "$COFFER_THREADS" \
    >"$TMP/coffer-$B.out" 2>"$TMP/coffer-$B.log" &
  COFFER_PID=$!
  COFFER_URL="" ADMIN_TOKEN=""
  for ((i = 0; i < 600; i++)); do
    COFFER_URL=$(sed -n 's|.*listening on \(http://127\.0\.0\.1:[0-9]*\).*|\1|p' "$TMP/coffer-$B.out")
    ADMIN_TOKEN=$(sed -n 's/^Admin token: \([^ ]*\)$/\1/p' "$TMP/coffer-$B.out")
    [[ -n $COFFER_URL && -n $ADMIN_TOKEN ]] && break
    if ! kill -0 "$COFFER_PID" 2>/dev/null; then break; fi
    sleep 0.05
  done
  if [[ -z $COFFER_URL || -z $ADMIN_TOKEN ]]; then
    echo "coffer server did not start:" >&2
    cat "$TMP/coffer-$B.out" "$TMP/coffer-$B.log" >&2
    exit 1
  fi
  echo "coffer server ($B, ${IO_THREADS} I/O threads) on $COFFER_URL, data in ${DB_ARGS[1]:-$DATA}"

  # api METHOD PATH TOKEN [BODY]: the reply body in $TMP/reply; fails unless HTTP 200
  api() {
    local args=(-sS -o "$TMP/reply" -w '%{http_code}' -X "$1" -H "Authorization: Token $3")
    [[ $# -ge 4 ]] && args+=(-H 'Content-Type: application/json' --data-binary "$4")
    local code
    code=$(curl "${args[@]}" "$COFFER_URL$2")
    if [[ $code != 200 ]]; then
      echo "$1 $2: HTTP $code: $(head -c 300 "$TMP/reply")" >&2
      return 1
    fi
  }

  echo "setting up: an org secret, a project with a secret, an orchestrator, a job ..."
  KEY_FILE=$(head -c 1200 /dev/urandom | base64 -w0)
  api POST /api/v1beta/secrets "$ADMIN_TOKEN" '{"metadata": {"name": "bench-org"},
    "data": {"env_vars": [{"name": "AWS_ACCESS_KEY_ID", "value": "AKIABENCH0123456789"},
                          {"name": "AWS_SECRET_ACCESS_KEY", "value": "bench/0123456789abcdefghijklmnopqrstuvwxyz"}],
             "files": [{"path": ".ssh/id_rsa", "content": "'"$KEY_FILE"'"}]}}'
  api POST /api/v1alpha/projects "$ADMIN_TOKEN" '{"apiVersion": "v1alpha", "kind": "Project",
    "metadata": {"name": "bench"},
    "spec": {"repository": {"url": "git@example.com:acme/bench.git"}}}'
  api POST /api/v1/projects/bench/secrets "$ADMIN_TOKEN" '{"metadata": {"name": "bench-project"},
    "data": {"env_vars": [{"name": "DB_PASSWORD", "value": "correct horse battery staple"}], "files": []}}'
  CI_TOKEN=$("$BUILD/coffer" admin --data-dir "$DATA" "${DB_ARGS[@]:0:2}" create-user ci --org default --role Orchestrator --token)
  api POST /api/v1alpha/jobs "$CI_TOKEN" '{"project_id_or_name": "bench",
    "secrets": ["bench-org", "bench-project"],
    "git": {"ref_type": "BRANCH", "ref": "main", "fork": false},
    "triggered_by": {"type": "AUTO"}}'
  JOB_TOKEN=$(sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p' "$TMP/reply")
  [[ -n $JOB_TOKEN ]] || { echo "no job token in: $(cat "$TMP/reply")" >&2; exit 1; }

  # The job of issue 15's table: 5 secrets (3 org, 2 project), 10 env vars, one 3 KiB file.
  FILE3K=$(head -c 2304 /dev/urandom | base64 -w0)
  env2() { echo '[{"name": "'"$1"'_USER", "value": "bench-user-'"$1"'"}, {"name": "'"$1"'_PASSWORD", "value": "bench-password-'"$1"'-0123456789abcdef"}]'; }
  api POST /api/v1beta/secrets "$ADMIN_TOKEN" '{"metadata": {"name": "bench5-a"},
    "data": {"env_vars": '"$(env2 A)"', "files": [{"path": "certs/bench.pem", "content": "'"$FILE3K"'"}]}}'
  for n in b c; do
    api POST /api/v1beta/secrets "$ADMIN_TOKEN" '{"metadata": {"name": "bench5-'$n'"},
      "data": {"env_vars": '"$(env2 "${n^^}")"', "files": []}}'
  done
  for n in d e; do
    api POST /api/v1/projects/bench/secrets "$ADMIN_TOKEN" '{"metadata": {"name": "bench5-'$n'"},
      "data": {"env_vars": '"$(env2 "${n^^}")"', "files": []}}'
  done
  api POST /api/v1alpha/jobs "$CI_TOKEN" '{"project_id_or_name": "bench",
    "secrets": ["bench5-a", "bench5-b", "bench5-c", "bench5-d", "bench5-e"],
    "git": {"ref_type": "BRANCH", "ref": "main", "fork": false},
    "triggered_by": {"type": "AUTO"}}'
  JOB5_TOKEN=$(sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p' "$TMP/reply")
  [[ -n $JOB5_TOKEN ]] || { echo "no job token in: $(cat "$TMP/reply")" >&2; exit 1; }

  # The secrets the patch cases update (bench/api/wrk.lua's WRK_PATCH_PATH).
  for ((i = 0; i < PATCH_SECRETS; i++)); do
    api POST /api/v1beta/secrets "$ADMIN_TOKEN" '{"metadata": {"name": "bench-w'$i'"},
      "data": {"env_vars": [{"name": "TOKEN", "value": "initial-'$i'"}], "files": []}}'
  done

  STORE_NOTE="Each store held only the benchmark's own rows."
  if ((STORE_SECRETS > 0)); then
    echo "populating: $STORE_SECRETS project secrets over $STORE_PROJECTS projects ..."
    POPULATE=$(python3 "$ROOT/bench/api/populate.py" "$COFFER_URL" "$ADMIN_TOKEN" \
      "$STORE_SECRETS" "$STORE_PROJECTS" 16)
    echo "$POPULATE"
    STORE_NOTE="Before measuring, each store was filled with ${STORE_SECRETS} project secrets over ${STORE_PROJECTS} projects through the API (\`bench/api/populate.py\`: ${POPULATE#populated: })."
  fi

  # One request of each kind, checked, before any load.
  api GET /healthz "$ADMIN_TOKEN"
  api GET /api/v1beta/secrets/bench-org "$ADMIN_TOKEN"
  grep -q '"content_included": *false' "$TMP/reply" || { echo "GET secret: $(cat "$TMP/reply")" >&2; exit 1; }
  api GET /api/v1alpha/jobs/self/secrets "$JOB_TOKEN"
  grep -q 'AKIABENCH0123456789' "$TMP/reply" && grep -q 'DB_PASSWORD' "$TMP/reply" ||
    { echo "checkout did not return the job's secrets" >&2; exit 1; }
  api GET /api/v1alpha/jobs/self/secrets "$JOB5_TOKEN"
  [[ $(grep -o '_PASSWORD' "$TMP/reply" | wc -l) -eq 5 && $(grep -o '_USER' "$TMP/reply" | wc -l) -eq 5 ]] &&
    grep -q 'certs/bench.pem' "$TMP/reply" ||
    { echo "checkout5 did not return the job's 5 secrets: $(head -c 300 "$TMP/reply")" >&2; exit 1; }
  api POST /api/v1beta/secrets "$ADMIN_TOKEN" '{"metadata": {"name": "bench-probe"},
    "data": {"env_vars": [{"name": "TOKEN", "value": "probe"}], "files": []}}'
  api PATCH /api/v1beta/secrets/bench-w0 "$ADMIN_TOKEN" '{"data": {"env_vars":
    [{"name": "TOKEN", "value": "probe"}], "files": []}}'

  AUTH=(-H "Authorization: Token $ADMIN_TOKEN")
  echo "measuring $B: ${DURATION} s per case, wrk -t${WRK_THREADS} -c${CONNECTIONS} (post, patch: -c${WRITE_CONNECTIONS}; post1, patch1: -t1 -c1) ..."
  run_case "$B.healthz" coffer "$WRK_THREADS" "$CONNECTIONS" "$COFFER_URL/healthz"
  run_case "$B.get" coffer "$WRK_THREADS" "$CONNECTIONS" "$COFFER_URL/api/v1beta/secrets/bench-org" "${AUTH[@]}"
  run_case "$B.checkout" coffer "$WRK_THREADS" "$CONNECTIONS" "$COFFER_URL/api/v1alpha/jobs/self/secrets" \
    -H "Authorization: Token $JOB_TOKEN"
  run_case "$B.checkout5" coffer "$WRK_THREADS" "$CONNECTIONS" "$COFFER_URL/api/v1alpha/jobs/self/secrets" \
    -H "Authorization: Token $JOB5_TOKEN"
  WRK_POST_PATH=/api/v1beta/secrets WRK_NAME_PREFIX=c \
    run_case "$B.post" coffer "$WRK_THREADS" "$WRITE_CONNECTIONS" "$COFFER_URL/api/v1beta/secrets" "${AUTH[@]}"
  WRK_POST_PATH=/api/v1beta/secrets WRK_NAME_PREFIX=s \
    run_case "$B.post1" coffer 1 1 "$COFFER_URL/api/v1beta/secrets" "${AUTH[@]}"
  WRK_PATCH_PATH=/api/v1beta/secrets/ WRK_PATCH_COUNT=$PATCH_SECRETS \
    run_case "$B.patch" coffer "$WRK_THREADS" "$WRITE_CONNECTIONS" "$COFFER_URL/api/v1beta/secrets/bench-w0" "${AUTH[@]}"
  WRK_PATCH_PATH=/api/v1beta/secrets/ WRK_PATCH_COUNT=$PATCH_SECRETS \
    run_case "$B.patch1" coffer 1 1 "$COFFER_URL/api/v1beta/secrets/bench-w0" "${AUTH[@]}"
  if [[ $B == sqlite && -n $PERF ]]; then  # the cases furthest from their targets
    echo "profiling $B (perf record, ${PROFILE_S} s a case) ..."
    profile_case "$B.checkout5" "$WRK_THREADS" "$CONNECTIONS" "$COFFER_URL/api/v1alpha/jobs/self/secrets" \
      -H "Authorization: Token $JOB5_TOKEN"
    WRK_POST_PATH=/api/v1beta/secrets WRK_NAME_PREFIX=f \
      profile_case "$B.post" "$WRK_THREADS" "$WRITE_CONNECTIONS" "$COFFER_URL/api/v1beta/secrets" "${AUTH[@]}"
    WRK_PATCH_PATH=/api/v1beta/secrets/ WRK_PATCH_COUNT=$PATCH_SECRETS \
      profile_case "$B.patch" "$WRK_THREADS" "$WRITE_CONNECTIONS" "$COFFER_URL/api/v1beta/secrets/bench-w0" "${AUTH[@]}"
  fi
  # A job's whole life: open (orchestrator), checkout (5 secrets), finish (job token).
  c0=$(proc_ticks $(server_pids coffer))
  CYCLE=$("$JOBCYCLE" "$COFFER_URL" "$CI_TOKEN" bench \
    bench5-a,bench5-b,bench5-c,bench5-d,bench5-e "$DURATION" "$CONNECTIONS") || FAILED=1
  c1=$(proc_ticks $(server_pids coffer))
  for kv in ${CYCLE#JOBCYCLE }; do printf -v "cycle_${kv%%=*}" '%s' "${kv#*=}"; done
  CYCLE_RATE=$(awk -v n="${cycle_jobs:-0}" -v d="${cycle_duration_us:-1}" 'BEGIN { printf "%.0f", n / (d / 1e6) }')
  CYCLE_CPU=$(awk -v t=$((c1 - c0)) -v hz="$HZ" -v n="${cycle_jobs:-0}" 'BEGIN { printf "%.0f", n ? t / hz * 1e6 / n : 0 }')
  echo "  jobcycle  ${CYCLE_RATE} jobs/s (open, checkout of 5 secrets, finish)   cycle p50 $(fmt_us "${cycle_p50_us:-0}")  p99 $(fmt_us "${cycle_p99_us:-0}")   server ${CYCLE_CPU} us CPU/job   client CPU ${cycle_client_cpu_s:-?} s in ${DURATION} s   errors: ${cycle_errors:-?}"

  if ! kill -0 "$COFFER_PID" 2>/dev/null; then
    echo "FAIL: coffer server exited during the run" >&2
    tail -20 "$TMP/coffer-$B.log" >&2
    FAILED=1
  fi
  CYC_RATE[$B]=$CYCLE_RATE
  CYC_CPU[$B]=$CYCLE_CPU
  CYC_P50[$B]=${cycle_p50_us:-0}
  CYC_P99[$B]=${cycle_p99_us:-0}
  CYC_CLIENT[$B]=${cycle_client_cpu_s:-?}
  CYC_ERRS[$B]=${cycle_errors:-?}
  unset cycle_p50_us cycle_p99_us cycle_client_cpu_s cycle_errors cycle_jobs cycle_duration_us
  [[ $B != postgres ]] || bench_postgres_x2
  stop_pid "$COFFER_PID"
  COFFER_PID=""
}

# postgres x2: a second `coffer server` on the same PostgreSQL database as the first (still
# running), with its own (empty) data directory and the first one's master key file, as a
# second instance of one service would be; then get, checkout5, post and patch with one wrk
# per server at once (run_case with two URLs), each with half the threads and connections.
# Server CPU counts both coffer processes and all of PostgreSQL's (server_pids).
PAIR_CASES="get checkout5 post patch"
bench_postgres_x2() {
  local B2=postgres2 i
  : >"$TMP/coffer-$B2.out"
  "$BUILD/coffer" server --data-dir "$DATA-2" "${DB_ARGS[@]}" --master-key-file "$DATA/master.key" \
    --listen 127.0.0.1:0 --threads "$COFFER_THREADS" >"$TMP/coffer-$B2.out" 2>"$TMP/coffer-$B2.log" &
  COFFER2_PID=$!
  COFFER2_URL=""
  for ((i = 0; i < 600; i++)); do
    COFFER2_URL=$(sed -n 's|.*listening on \(http://127\.0\.0\.1:[0-9]*\).*|\1|p' "$TMP/coffer-$B2.out")
    [[ -n $COFFER2_URL ]] && break
    if ! kill -0 "$COFFER2_PID" 2>/dev/null; then break; fi
    sleep 0.05
  done
  if [[ -z $COFFER2_URL ]]; then
    echo "the second coffer server did not start:" >&2
    cat "$TMP/coffer-$B2.out" "$TMP/coffer-$B2.log" >&2
    exit 1
  fi
  echo "second coffer server (postgres, the same database, the first one's master key) on $COFFER2_URL"
  # What the first server made, read and written through the second.
  COFFER_URL=$COFFER2_URL api GET /api/v1beta/secrets/bench-org "$ADMIN_TOKEN"
  COFFER_URL=$COFFER2_URL api GET /api/v1alpha/jobs/self/secrets "$JOB5_TOKEN"
  grep -q 'certs/bench.pem' "$TMP/reply" ||
    { echo "checkout5 through the second server: $(head -c 300 "$TMP/reply")" >&2; exit 1; }
  COFFER_URL=$COFFER2_URL api PATCH /api/v1beta/secrets/bench-w1 "$ADMIN_TOKEN" '{"data": {"env_vars":
    [{"name": "TOKEN", "value": "probe-2"}], "files": []}}'
  # Not measured: 1 s of reads on each, so that both pools hold their PostgreSQL connections
  # (and their backends are counted from the first case on).
  wrk -t1 -c"$CONNECTIONS" -d1s "${AUTH[@]}" "$COFFER_URL/api/v1beta/secrets/bench-org" >/dev/null &
  wrk -t1 -c"$CONNECTIONS" -d1s "${AUTH[@]}" "$COFFER2_URL/api/v1beta/secrets/bench-org" >/dev/null
  wait $!
  two() { echo "$COFFER_URL$1 $COFFER2_URL$1"; }
  local t=$((WRK_THREADS / 2 > 0 ? WRK_THREADS / 2 : 1))
  echo "measuring postgres x2: ${DURATION} s per case, one wrk per server at once, each -t${t} -c$((CONNECTIONS / 2)) (post, patch: -c$((WRITE_CONNECTIONS / 2))) ..."
  run_case "$B2.get" coffer "$WRK_THREADS" "$CONNECTIONS" "$(two /api/v1beta/secrets/bench-org)" "${AUTH[@]}"
  run_case "$B2.checkout5" coffer "$WRK_THREADS" "$CONNECTIONS" "$(two /api/v1alpha/jobs/self/secrets)" \
    -H "Authorization: Token $JOB5_TOKEN"
  WRK_POST_PATH=/api/v1beta/secrets WRK_NAME_PREFIX=x \
    run_case "$B2.post" coffer "$WRK_THREADS" "$WRITE_CONNECTIONS" "$(two /api/v1beta/secrets)" "${AUTH[@]}"
  WRK_PATCH_PATH=/api/v1beta/secrets/ WRK_PATCH_COUNT=$PATCH_SECRETS \
    run_case "$B2.patch" coffer "$WRK_THREADS" "$WRITE_CONNECTIONS" "$(two /api/v1beta/secrets/bench-w0)" "${AUTH[@]}"
  if ! kill -0 "$COFFER2_PID" 2>/dev/null; then
    echo "FAIL: the second coffer server exited during the run" >&2
    tail -20 "$TMP/coffer-$B2.log" >&2
    FAILED=1
  fi
  stop_pid "$COFFER2_PID"
  COFFER2_PID=""
}

echo "measuring nginx: ${DURATION} s, wrk -t${WRK_THREADS} -c${CONNECTIONS} ..."
run_case nginx nginx "$WRK_THREADS" "$CONNECTIONS" "$NGINX_URL/healthz"
for b in $BACKENDS; do bench_backend "$b"; done
LOAD_END=$(cut -d' ' -f1 /proc/loadavg)

# --- report ----------------------------------------------------------------------------------
CASES="healthz get checkout checkout5 post post1 patch patch1"
declare -A RATIO GROUP_GAIN PATCH_GAIN
RATIO[nginx]=1.00
TOTAL_ERRS=${ERRS[nginx]}
for B in $BACKENDS; do
  line="$B: ratios to nginx's requests/s:"
  for k in $CASES; do
    RATIO[$B.$k]=$(ratio "${RPS[$B.$k]}" "${RPS[nginx]}")
    line+=" $k ${RATIO[$B.$k]}"
    TOTAL_ERRS=$((TOTAL_ERRS + ERRS[$B.$k]))
  done
  echo "$line"
  GROUP_GAIN[$B]=$(ratio "${RPS[$B.post]}" "${RPS[$B.post1]}")
  PATCH_GAIN[$B]=$(ratio "${RPS[$B.patch]}" "${RPS[$B.patch1]}")
  echo "$B: durable writes at ${WRITE_CONNECTIONS} connections: post ${RPS[$B.post]}/s = ${RATIO[$B.post]}x nginx, ${GROUP_GAIN[$B]}x the one-connection rate (${RPS[$B.post1]}/s); patch ${RPS[$B.patch]}/s = ${RATIO[$B.patch]}x nginx, ${PATCH_GAIN[$B]}x the one-connection rate (${RPS[$B.patch1]}/s)"
done
declare -A PAIR_GAIN  # postgres x2: its requests/s over one server's
if [[ " $BACKENDS " == *" postgres "* ]]; then
  line="postgres x2: ratios to nginx's requests/s:"
  line2="postgres x2: x one server's requests/s:"
  for k in $PAIR_CASES; do
    RATIO[postgres2.$k]=$(ratio "${RPS[postgres2.$k]}" "${RPS[nginx]}")
    PAIR_GAIN[$k]=$(ratio "${RPS[postgres2.$k]}" "${RPS[postgres.$k]}")
    line+=" $k ${RATIO[postgres2.$k]}"
    line2+=" $k ${PAIR_GAIN[$k]}"
    TOTAL_ERRS=$((TOTAL_ERRS + ERRS[postgres2.$k]))
  done
  GROUP_GAIN[postgres2]=$(ratio "${RPS[postgres2.post]}" "${RPS[postgres.post1]}")
  PATCH_GAIN[postgres2]=$(ratio "${RPS[postgres2.patch]}" "${RPS[postgres.patch1]}")
  echo "$line"
  echo "$line2"
  echo "postgres x2: durable writes at ${WRITE_CONNECTIONS} connections over both: post ${RPS[postgres2.post]}/s = ${RATIO[postgres2.post]}x nginx, ${GROUP_GAIN[postgres2]}x the one-connection rate (${RPS[postgres.post1]}/s, one server); patch ${RPS[postgres2.patch]}/s = ${RATIO[postgres2.patch]}x nginx, ${PATCH_GAIN[postgres2]}x the one-connection rate (${RPS[postgres.patch1]}/s)"
fi

per_sync() {
  if [[ ${SYNCS[$1]:-0} -gt 0 ]]; then
    awk -v r="${REQS[$1]}" -v s="${SYNCS[$1]}" 'BEGIN { printf "%.1f", r / s }'
  else
    echo "n/a"
  fi
}
DSYNC_US=$(awk -v d="$DSYNC_RATE" 'BEGIN { printf "%.0f", 1e6 / d }')
if [[ -n $PERF && -n ${SYNCS[sqlite.post]:-} ]]; then
  SYNC_LINE="Counted with \`perf stat -e ${SYNC_EVENTS}\` on the server: ${SYNCS[sqlite.post]}
  syncs for those ${REQS[sqlite.post]} POSTs, **$(per_sync sqlite.post) requests per sync**, against $(per_sync sqlite.post1) with one
  connection; PATCH: $(per_sync sqlite.patch) (one connection: $(per_sync sqlite.patch1)); checkout: $(per_sync sqlite.checkout) requests per sync. WAL checkpoints add syncs of their own, so
  this is a lower bound of the batch size."
  echo "requests per sync (sqlite): post $(per_sync sqlite.post), post1 $(per_sync sqlite.post1), patch $(per_sync sqlite.patch), patch1 $(per_sync sqlite.patch1), checkout $(per_sync sqlite.checkout)"
else
  SYNC_LINE="(With perf installed, this script also counts the server's syncs per request.)"
fi

CPU_MODEL=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
NGINX_VERSION=$( ("$NGINX" -v 2>&1 || true) | sed 's|.*nginx/||')
WRK_VERSION=$( (wrk -v 2>&1 || true) | awk 'NR == 1 { print $2 }')
SQLITE_VERSION=$(pkg-config --modversion sqlite3 2>/dev/null || echo unknown)
DATA_FS=$(df --output=fstype "$TMP" | tail -1 | tr -d ' ')
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
BINARY_TIME=$(date -u -r "$BUILD/coffer" '+%Y-%m-%d %H:%M UTC')
DIRTY=""
[[ -z $(git status --porcelain -- src CMakeLists.txt 2>/dev/null) ]] || DIRTY=" (with uncommitted changes under src/)"
if [[ $LOAD_OK == yes ]]; then
  LOAD_NOTE="The 1-minute load average was ${LOAD_START} before the first case (waited ${waited} s for it to fall below ${LOAD_MAX}) and ${LOAD_END} after the last, which includes the benchmark's own load."
else
  LOAD_NOTE="The 1-minute load average never fell below ${LOAD_MAX} in ${LOAD_WAIT_S} s (the machine was busy); it was ${LOAD_START} when the measurement started anyway, and ${LOAD_END} after the last case. The *rest* column shows how much CPU others took during each case."
fi
row() {  # row BACKEND KEY LABEL WHAT
  printf '| %s | %s | %s | %s | **%sx** | %s | %s | %s µs | %s / %s / %s |\n' "$1" "$3" "$4" "${RPS[$2]}" \
    "${RATIO[$2]}" "$(fmt_us "${P50[$2]}")" "$(fmt_us "${P99[$2]}")" "${CPU_REQ[$2]}" \
    "${SRV_CORES[$2]}" "${WRK_CORES[$2]}" "${REST_CORES[$2]}"
}
HAS_PG=""
[[ " $BACKENDS " != *" postgres "* ]] || HAS_PG=yes

{
  cat <<EOF
<!-- api-bench:begin -->
## HTTP API (\`bench/api/run.sh\`, \`make bench\`)

\`wrk\` against a running \`coffer server\` (Release build) on each backend of the run
(\`BACKENDS="${BACKENDS}"\`), each a fresh server with fresh data, and, in the same run, against
the reference: nginx answering \`GET /healthz\` with a static \`{"status":"ok"}\`
(\`return 200\`, \`application/json\`, no access log), measured once. *sqlite*: a fresh data
directory on ${DATA_FS}, SQLite in WAL mode, \`synchronous = FULL\`, group commit.
EOF
  if [[ -n $HAS_PG ]]; then
    cat <<EOF
*postgres*: a throwaway PostgreSQL ${PG_VERSION} started by the script (initdb, \`fsync\` and
\`synchronous_commit\` on, on ${DATA_FS} too, 127.0.0.1), \`coffer server --database postgres://…
--pool-size ${COFFER_POOL_SIZE}\`: group commit too, by 4 committer threads, each a READ COMMITTED
transaction of the writes queued meanwhile (a savepoint each) with one WAL flush, whose audit
events go in last under their org's advisory lock, held to commit (so one org's batches commit
in turn); its *server CPU* counts coffer's and all of PostgreSQL's processes.
EOF
  fi
  cat <<EOF
Each case is ${DURATION} s of
\`wrk -t${WRK_THREADS} -c${CONNECTIONS} --latency\` on keep-alive connections to 127.0.0.1, but the
durable writes (POST, PATCH) run at ${WRITE_CONNECTIONS} connections (\`-c${WRITE_CONNECTIONS}\`), each
beside the same request on one connection (\`-t1 -c1\`). wrk, the server and anything else running share the machine's
$(nproc) cores. nginx runs ${NGINX_WORKERS} worker processes (one per core, what \`auto\` gives);
coffer runs ${IO_THREADS} I/O threads (\`--threads\`) and 32 workers (\`--workers\`):
handlers that may write run on a worker, but on SQLite a job's open, checkout and finish run on the I/O thread, hand their write to the committer and answer once it is durable (the committer posts the outcome back); postgres reads on \`--pool-size\` reader threads; SQLite reads and \`/healthz\` on the I/O thread that read them. The data:
one org secret (2 env vars, a 1.6 KB file), one project secret (1 env var); the job reads both.
A second job reads 5 secrets (3 org, 2 project: 10 env vars, a 3 KiB file). ${STORE_NOTE}

| backend | case | per request | requests/s | vs nginx | p50 | p99 | server CPU per request | cores busy: server / wrk / rest |
| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |
EOF
  row - nginx "nginx, static" "\`GET /healthz\`: the reference"
  for B in $BACKENDS; do
    row "$B" "$B.healthz" "coffer \`GET /healthz\`" "HTTP parsing, routing, a request id, a log line"
    if [ "$B" = sqlite ]; then
      GET_NOTE="+ API token (SHA-256); token holder and secret's metadata from the server's cache, checked against the store generation, whose row is read only after a commit (the WAL-index header moved)"
    else
      GET_NOTE="+ API token (SHA-256, one read of token, user and project roles), the secret's metadata read"
    fi
    row "$B" "$B.get" "coffer \`GET /api/v1beta/secrets/bench-org\`" "$GET_NOTE"
    row "$B" "$B.checkout" "coffer \`GET /api/v1alpha/jobs/self/secrets\`" "+ job token, 2 secret versions read and decrypted, their audit rows written durably"
    row "$B" "$B.checkout5" "coffer checkout, 5 secrets" "the same for a job of 5 secrets: 10 env vars and a 3 KiB file"
    row "$B" "$B.post" "coffer \`POST /api/v1beta/secrets\`" "+ validation, sealing with a new data key, a durable insert; a new name each time"
    row "$B" "$B.post1" "the same POST, 1 connection (\`-t1 -c1\`)" "each request waits for its own commit"
    row "$B" "$B.patch" "coffer \`PATCH /api/v1beta/secrets/bench-wN\`" "a new value for one of ${PATCH_SECRETS} secrets (in turn): a new version sealed and written durably"
    row "$B" "$B.patch1" "the same PATCH, 1 connection (\`-t1 -c1\`)" "each request waits for its own commit"
  done
  if [[ -n $HAS_PG ]]; then
    X2="postgres x2"
    row "$X2" postgres2.get "\`GET /api/v1beta/secrets/bench-org\`, two servers" "as *get*, half the connections on each of two servers on one database"
    row "$X2" postgres2.checkout5 "checkout, 5 secrets, two servers" "as *checkout5*, on two servers"
    row "$X2" postgres2.post "\`POST /api/v1beta/secrets\`, two servers" "as *post*, on two servers"
    row "$X2" postgres2.patch "\`PATCH /api/v1beta/secrets/bench-wN\`, two servers" "as *patch*, each server updating its own half of the secrets"
  fi
  cat <<EOF

- *vs nginx* is requests/s divided by nginx's requests/s in this run. *Server CPU per
  request* is the user + system CPU time of the server process(es) over the case, divided by
  the requests wrk completed. *Cores busy* splits the machine's busy CPU over the case between
  the server, wrk and the rest (other processes, interrupts).
EOF
  if [[ " $BACKENDS " == *" sqlite "* ]]; then
    cat <<EOF
- Group commit (sqlite): POST at ${WRITE_CONNECTIONS} connections made ${RPS[sqlite.post]} durable writes/s, **${GROUP_GAIN[sqlite]}x** the
  ${RPS[sqlite.post1]}/s of one connection; PATCH ${RPS[sqlite.patch]}/s, **${PATCH_GAIN[sqlite]}x** the ${RPS[sqlite.patch1]}/s of one
  connection. ${SYNC_LINE} A POST, a PATCH or a
  checkout holds no thread while it waits (the I/O thread that read it sends its answer once the committer posts the outcome back), and the
  batches are bounded by the 64 writes a transaction takes.
EOF
  fi
  if [[ -n $HAS_PG ]]; then
    cat <<EOF
- Group commit (postgres): POST at ${WRITE_CONNECTIONS} connections made ${RPS[postgres.post]} durable writes/s,
  **${GROUP_GAIN[postgres]}x** the ${RPS[postgres.post1]}/s of one connection; PATCH ${RPS[postgres.patch]}/s, **${PATCH_GAIN[postgres]}x**
  the ${RPS[postgres.patch1]}/s of one connection; 4 batches are open at once (of the
  ${COFFER_POOL_SIZE} connections of \`--pool-size\`), and those of one org take turns at its audit
  lock for their events' insert and their WAL flush.
- Two servers on one PostgreSQL (*postgres x2*): after the one-server cases, a second \`coffer
  server\` on the same database (its own empty data directory, the first one's master key file,
  \`--pool-size ${COFFER_POOL_SIZE}\` too), and one wrk per server at once, each with half the threads
  (at least 1) and half the connections; requests/s are their sum, p50 and p99 the worse of the
  two, *server CPU* counts both coffer processes and all of PostgreSQL's. Against one server:
  get **${PAIR_GAIN[get]}x**, checkout5 **${PAIR_GAIN[checkout5]}x**, post **${PAIR_GAIN[post]}x**, patch **${PAIR_GAIN[patch]}x**; durable writes over both
  at ${WRITE_CONNECTIONS} connections: POST ${GROUP_GAIN[postgres2]}x, PATCH ${PATCH_GAIN[postgres2]}x the one-connection rate of one server.
EOF
  fi
  cat <<EOF
- The disk does ${DSYNC_RATE} synchronous 4 KiB writes/s here (${DSYNC_US} µs each; \`dd oflag=dsync
  conv=notrunc\` in the benchmark's temporary directory). One \`fdatasync\` after a 64 KiB
  append to a growing file (a WAL's pattern, ${sync_n} of them in 5 s, before the cases): p50
  $(fmt_us "$sync_p50_us"), p99 $(fmt_us "$sync_p99_us"), p99.9 $(fmt_us "$sync_p999_us"), max $(fmt_us "$sync_max_us"): no commit
  here can be faster than that, and a p99 target below the disk's is not reachable.
EOF
  for B in $BACKENDS; do
    cat <<EOF
- A job's whole life on ${B} (\`coffer-bench-jobcycle\`, \`bench/jobcycle.cc\`: a C++ client
  of ${CONNECTIONS} keep-alive connections, asynchronous on 2 threads as wrk's are: \`POST /api/v1alpha/jobs\` with the 5 secrets, their checkout with the
  job's token, \`POST .../finish\`): **${CYC_RATE[$B]} jobs/s**, a cycle's p50 $(fmt_us "${CYC_P50[$B]}"),
  p99 $(fmt_us "${CYC_P99[$B]}"), ${CYC_CPU[$B]} µs of server CPU per job; the client used ${CYC_CLIENT[$B]} s of
  CPU in ${DURATION} s (its 2 threads could use twice that; near it, the client, not the server, would be the limit).
EOF
  done
  errs_cycle=""
  for B in $BACKENDS; do errs_cycle+="${errs_cycle:+, }$B ${CYC_ERRS[$B]}"; done
  cat <<EOF
- Failed requests (socket errors and statuses >= 400, from wrk): ${TOTAL_ERRS}; must be 0
  (and the job cycles': ${errs_cycle}).

Machine: ${CPU_MODEL}, $(nproc) cores, Linux $(uname -r), data on ${DATA_FS}; nginx ${NGINX_VERSION},
wrk ${WRK_VERSION}, SQLite ${SQLITE_VERSION}${PG_VERSION:+, PostgreSQL ${PG_VERSION}}. Commit ${COMMIT}${DIRTY}, \`${BUILD_ARG}/coffer\` built ${BINARY_TIME},
run $(date -u +%Y-%m-%d). Command: \`${COMMAND}\`.
${LOAD_NOTE}

What the profile showed in this run, on sqlite (by this script: \`perf record -F 999\` of the
server for ${PROFILE_S} s of each case, a run of its own after the measured one, at the same
connections; self time, by thread and by function; SQLite's own functions without symbols
show as addresses in libsqlite3):

$(if [[ -s $TMP/profile.md ]]; then cat "$TMP/profile.md"; else echo "(Not profiled: perf is not installed or may not profile the server, or PROFILE_S=0.)"; fi)

Where the time goes on sqlite (by hand, not by this script: \`valgrind --tool=callgrind\` of the
server, serial requests, which do not depend on the machine's load; 2026-12-02, eighth and
ninth rounds, the release binary with tcmalloc). *healthz*: 18.1k instructions inside the
connection's read handler (the access log 2.7k, the response's serialization 2.7k, a request
id 0.9k, routing 0.9k, metrics 0.8k). *get*: 48k (77k before the ninth round's cache, 118k at
the eighth round's start): the API token 12k (the cache 5.6k, of which the store generation's
read 4.2k; SHA-256 5k), the secret's metadata 6k (the cache, the same way), the answer's JSON
4k, the access log, metrics and send 13k; without the cache the token's SQLite read was 18k
and the metadata's 23k. Under load, each of those reads is a SQLite read transaction, and the
two I/O threads' transactions take turns at the WAL index's shared-memory mutex: under *get*,
96% of the server's futex calls are in \`sqlite3WalBeginReadTransaction\` (perf). *checkout5*: 448k in all (507k
at the seventh round's end), 300 checkouts on one connection (each its own batch, so the
commit is not shared as it is under load): on the I/O thread 237k, of which opening the 5
sealed versions and reading them 140k and the answer's JSON 37k; on the committer thread
211k, of which the 5 audit rows, which are also the usage record, 114k. Under load (perf, 64
connections, checkout5) the kernel is 39% of the server's CPU (the sockets, the WAL's writes
and the checkpointer's, wake-ups), SQLite 22%, AES-GCM and SHA-256 9%, and glibc's malloc was
12% before tcmalloc, which takes 5%. On postgres (\`pg_stat_statements\`) the job cycle's
statements take 0.02 to 0.08 ms each; what they cost beyond is round trips, one a statement,
and the committers' batches of one org take turns at its audit lock. Tried and dropped: more
or fewer workers than 32, rarer checkpoints, a checkout journal outside the writer (fourth
round: the applier's inserts cost what the direct write did), a per-thread AES-GCM context
(it would keep the last data key's schedule in memory between requests), a finish answered
by the committer as the checkout is (no gain then; the twelfth round answers open and finish
that way, which took the job cycle from 7.7 context switches a job to 2.7), jemalloc
(one round ahead of glibc, one behind) and mimalloc (close to tcmalloc, behind it on checkouts). Left (the
rounds below: the eleventh reads the store generation's row only after a commit and runs postgres reads on
threads of their own; the twelfth stores a checkout's audit events as one row and answers a
job's open and finish from the committer): a
cheaper checkout, a cache on postgres (which needs an invalidation every server sees at
once: there each request reads the database), cheaper \`audit_uses\` entries (about 7k
instructions each, one a secret of a checkout), secret writes handed to the committer without
a parked worker, fewer WAL frames a commit, and on postgres fewer round trips a write
(pipelining).
EOF
  echo "<!-- api-bench:end -->"
} >"$TMP/section.md"

BEGIN_MARK='<!-- api-bench:begin -->'
[[ -f docs/benchmarks.md ]] || printf '# Benchmarks\n' >docs/benchmarks.md
if grep -qxF "$BEGIN_MARK" docs/benchmarks.md; then
  awk -v f="$TMP/section.md" '
    $0 == "<!-- api-bench:begin -->" { while ((getline l < f) > 0) print l; skip = 1; next }
    skip && $0 == "<!-- api-bench:end -->" { skip = 0; next }
    !skip { print }' docs/benchmarks.md >"$TMP/benchmarks.md"
else
  { cat docs/benchmarks.md; echo; cat "$TMP/section.md"; } >"$TMP/benchmarks.md"
fi
cat "$TMP/benchmarks.md" >docs/benchmarks.md
echo "wrote the API section of docs/benchmarks.md"

if ((FAILED)); then
  echo "FAIL: some requests failed (see the errors above)" >&2
  exit 1
fi
