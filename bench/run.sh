#!/usr/bin/env bash
# The masker benchmark (`make bench`): bench/run.sh BUILD_DIR [SIZE_MIB]
#
# For each of two value sets, generates a synthetic CI log (1 GiB by default, deterministic)
# with 100 secrets in their forms: `random` tokens, and `prefixed` ones that share well-known
# prefixes (ghp_, AKIA, ...) with near misses in the log. Then times, on the same input in
# one run: `cat`, `grep -F -f PATTERNS` and `rg --passthru -F -r '***' -f PATTERNS` with the
# masker's own literals, and `coffer mask`. Each reads the log from the page cache and writes
# into a pipe (GNU grep stops at the first match when its output is /dev/null). Each is run
# three times; the median is reported. GB/s per core is bytes / (user + system CPU time of
# the measured process), wall GB/s is bytes / elapsed time. Then checks that the masked log
# holds no secret and no cut-off or re-wrapped piece of one, and writes the masking section
# of docs/benchmarks.md. Needs ripgrep (installed with apt-get when missing). LOAD_WAIT_S=N
# waits up to N seconds for a quiet machine first.
set -euo pipefail

BUILD=${1:-build}
SIZE_MIB=${2:-1024}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export LC_ALL=C  # grep is fastest, and fair, on bytes

if [[ ! -x /usr/bin/time ]]; then
  echo "bench/run.sh needs /usr/bin/time (Debian package time)" >&2
  exit 1
fi
if ! command -v rg >/dev/null; then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  echo "installing ripgrep (apt-get) ..."
  if ! $sudo apt-get install -y -qq --no-install-recommends ripgrep >/dev/null; then
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends ripgrep >/dev/null
  fi
fi
cmake --build "$BUILD" --target mask_bench_gen coffer_mask_tool >/dev/null
if [[ -x $BUILD/coffer ]] && "$BUILD/coffer" mask --help 2>/dev/null | grep -q -- --min-fragment; then
  MASK=("$BUILD/coffer" mask)
else
  MASK=("$BUILD/src/mask/coffer-mask")
fi
RG=(rg --no-config)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/coffer-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
SIZE=$((SIZE_MIB * 1024 * 1024))

# measure NAME pipe|null CMD...: runs CMD <log | wc -c (or >/dev/null) three times; sets
# RESULT to "wall_s cpu_s out_bytes" of the median run (by wall time).
measure() {
  local name=$1 sink=$2
  shift 2
  local runs=()
  for _ in 1 2 3; do
    if [[ $sink == null ]]; then
      /usr/bin/time -f '%e %U %S' -o "$TMP/time" "$@" <"$TMP/log" >/dev/null
      echo "-" >"$TMP/bytes"
    else
      /usr/bin/time -f '%e %U %S' -o "$TMP/time" "$@" <"$TMP/log" | wc -c >"$TMP/bytes"
    fi
    read -r wall user sys <"$TMP/time"
    runs+=("$wall $(calc "$user + $sys") $(cat "$TMP/bytes")")
  done
  RESULT=$(printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p)
  read -r wall cpu out <<<"$RESULT"
  printf '  %-14s wall %6.2f s  %6.2f GB/s   cpu %6.2f s  %6.2f GB/s per core   (%s bytes out)\n' \
    "$name" "$wall" "$(gbps "$wall")" "$cpu" "$(gbps "$cpu")" "$out"
}
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }
gbps() { calc "$SIZE / 1e9 / ($1 + 1e-9)"; }
row() { echo "| $1 | $2 s | $(gbps "$2") | $3 s | $(gbps "$3") |"; }
count() { "${RG[@]}" -F -c "$@" || true; }  # matching lines; nothing printed for none

# bench SET: generates the log of value set SET, times every tool, checks the masked log;
# appends the set's table to $TMP/tables; updates LEAKS_TOTAL and MIN_MASK_GBPS.
LEAKS_TOTAL=0
MIN_MASK_GBPS=999
bench() {
  local set=$1 title
  rm -f "$TMP/log" "$TMP/masked"
  echo "[$set] generating ${SIZE_MIB} MiB of CI log in $TMP ..."
  local occurrences patterns
  occurrences=$("$BUILD/src/mask/mask_bench_gen" "$TMP" "$SIZE" 20240505 "$set")
  patterns=$(wc -l <"$TMP/patterns")
  echo "  $occurrences secret occurrences, $patterns patterns for grep -F and rg -F"
  cat "$TMP/log" >/dev/null  # into the page cache

  echo "[$set] timing (median of 3) ..."
  measure cat pipe cat
  read -r cat_wall cat_cpu _ <<<"$RESULT"
  measure "grep -F" pipe grep -F -f "$TMP/patterns"
  read -r grep_wall grep_cpu grep_out <<<"$RESULT"
  measure "rg -F -r" pipe "${RG[@]}" --passthru -F -r '***' -f "$TMP/patterns"
  read -r rg_wall rg_cpu _ <<<"$RESULT"
  measure "coffer mask" pipe "${MASK[@]}" --values-from "$TMP/values"
  read -r mask_wall mask_cpu _ <<<"$RESULT"
  measure "mask >null" null "${MASK[@]}" --values-from "$TMP/values"
  read -r null_wall null_cpu _ <<<"$RESULT"

  echo "[$set] checking the masked log ..."
  "${MASK[@]}" --values-from "$TMP/values" <"$TMP/log" >"$TMP/masked"
  local leaks pieces rg_pieces masked_lines
  leaks=$(count -f "$TMP/raw" "$TMP/masked")
  pieces=$(count -f "$TMP/pieces" "$TMP/masked")
  rg_pieces=$("${RG[@]}" --passthru -F -r '***' -f "$TMP/patterns" <"$TMP/log" |
    count -f "$TMP/pieces")
  masked_lines=$(count '***' "$TMP/masked")
  leaks=${leaks:-0} pieces=${pieces:-0} rg_pieces=${rg_pieces:-0} masked_lines=${masked_lines:-0}
  echo "  lines still holding a secret: $leaks; a cut-off or re-wrapped piece of one: $pieces" \
    "(after rg's replacement: $rg_pieces); lines with ***: $masked_lines"
  LEAKS_TOTAL=$((LEAKS_TOTAL + leaks + pieces))
  MIN_MASK_GBPS=$(awk "BEGIN { g = $(gbps "$mask_cpu"); print (g < $MIN_MASK_GBPS) ? g : $MIN_MASK_GBPS }")

  if [[ $set == random ]]; then
    title="Random tokens: alphanumeric, hex and base64 tokens, passwords with quotes and"
    title+=" backslashes, five PEM keys"
  else
    title="Shared prefixes: ghp_, github_pat_, AKIA, ASIA, xoxb-, sk_live_, glpat-, npm_,"
    title+=" postgres://app:…@db.internal, Slack webhook URLs; one log line in 16 is a near"
    title+=" miss (a token of one of these shapes that is not a secret)"
  fi
  cat >>"$TMP/tables" <<EOF

### ${title}

${occurrences} occurrences; ${patterns} patterns for \`grep -F\` and \`rg -F\`.

| tool | wall time | wall GB/s | CPU time | GB/s per core |
| --- | ---: | ---: | ---: | ---: |
$(row '`cat`' "$cat_wall" "$cat_cpu")
$(row '`grep -F -f patterns`' "$grep_wall" "$grep_cpu")
$(row "\`rg --passthru -F -r '***' -f patterns\`" "$rg_wall" "$rg_cpu")
$(row "\`${MASK[*]##*/} --values-from values\`" "$mask_wall" "$mask_cpu")
$(row 'the same, `> /dev/null` (no pipe to fill)' "$null_wall" "$null_cpu")

- Per core, the masker is **$(calc "$rg_cpu / ($mask_cpu + 1e-9)")x** as fast as \`rg\` and
  **$(calc "$grep_cpu / ($mask_cpu + 1e-9)")x** as fast as \`grep -F\`, and costs
  **$(calc "$mask_cpu / ($cat_cpu + 1e-9)")x** the CPU of \`cat\`.
- Check of the masked output: ${leaks} lines still hold a secret or a line of one, ${pieces} a
  cut-off or re-wrapped piece of one (both must be 0); after \`rg\`'s replacement, ${rg_pieces}
  lines hold such a piece. ${masked_lines} lines carry \`***\`. \`grep -F\` printed ${grep_out}
  bytes of matching lines.
EOF
}

# LOAD_WAIT_S=N: wait up to N seconds for the 1-minute load average to fall below 1.0 first
# (the machine may be shared), as bench/api/run.sh does.
waited=0
while ((waited < ${LOAD_WAIT_S:-0})) && awk "BEGIN { exit !($(cut -d' ' -f1 /proc/loadavg) >= 1.0) }"; do
  sleep 5
  waited=$((waited + 5))
done
: >"$TMP/tables"
LOAD_BEFORE=$(cut -d" " -f1 /proc/loadavg)
bench random
bench prefixed
LOAD_AFTER=$(cut -d" " -f1 /proc/loadavg)

CPU_MODEL=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
FLAGS=$(grep -m1 '^flags' /proc/cpuinfo | grep -o -w 'avx512bw\|avx2\|sse4_2' | sort -u | tr '\n' ' ')
HS_VERSION=$(pkg-config --modversion libhs 2>/dev/null || echo unknown)
GREP_VERSION=$(grep --version | sed -n 1p)  # sed reads it all: no SIGPIPE
RG_VERSION=$(rg --version | sed -n 1p)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)

# Sections other scripts write (bench/api/run.sh: from <!-- api-bench:begin --> on) are kept.
KEEP=$(sed -n '/^<!-- [a-z-]*:begin -->$/,$p' docs/benchmarks.md 2>/dev/null || true)
cat >docs/benchmarks.md <<EOF
# Benchmarks

## Masking (\`bench/run.sh\`, \`make bench\`)

What a job's output goes through: \`coffer mask\` replaces every secret, and its variants, by
\`***\` in a stream, and so cut-off and re-wrapped copies of them. The input is a synthetic CI
log of ${SIZE_MIB} MiB (compiler and test lines, JSON logs, long base64 lines, stack traces)
with 100 secrets appearing every ~64 KiB in one of their forms: exported, in a Basic auth
header, JSON-escaped, URL-encoded, shell-quoted, inside longer base64 text, printed line by
line, cut short (\`head -c\`), folded (\`fold -w 16\` of a token, \`-w 40\` of a key) or
base64-encoded at 76 columns. Two value sets, each in a log of its own: random tokens, and
tokens that share well-known prefixes, with near misses (tokens of the same shapes that are
no secret) in the log, which make a literal matcher check many candidates.

\`grep -F -f\` and \`rg -F -f\` get the masker's own literals, split into lines. \`rg
--passthru -r '***'\` prints every line with the matches replaced: masking, without the rules
for cut-off and re-wrapped values (the check below counts what it leaves). Every tool reads
the log from the page cache and writes into a pipe (\`| wc -c\`; GNU grep stops at the first
match when its output is /dev/null), which costs the masker, \`rg\` and \`cat\`, who write the
whole log, more than grep, who writes only the matching lines; the last row shows the masker
without it. \`LC_ALL=C\`. Median of three runs. *Per core* is bytes divided by the user +
system CPU time of the measured process; every tool here runs one thread on one input.
$(cat "$TMP/tables")

Target: at least 1 GB/s per core, and faster than \`rg\` and \`grep -F\`. The slower of the two
sets here: **${MIN_MASK_GBPS} GB/s per core**.

Machine: ${CPU_MODEL} (${FLAGS% }), $(nproc) cores, Linux $(uname -r); Hyperscan ${HS_VERSION};
${GREP_VERSION}; ${RG_VERSION}. Commit ${COMMIT}, $(date -u +%Y-%m-%d). Command:
\`bench/run.sh ${BUILD} ${SIZE_MIB}\`. The machine was shared with other builds (1-minute load
average ${LOAD_BEFORE} before the first run, after waiting ${waited} s for it to fall below 1.0,
and ${LOAD_AFTER} after the last, the benchmark's own load included). Writing into the pipe costs every tool the same (it is \`cat\`'s whole CPU time), and
that cost is what varies most from run to run here; the \`> /dev/null\` row is the masker's
own work. Wall times are the noisier figure.

Where the time goes: one Hyperscan scan (streaming mode; each literal, or the last 32 bytes
of a longer one, compiled as an escaped regex, plus the *anchor* of each value, line and
base64 form: its first 8 bytes, for the rules on cut-off and re-wrapped values) is most of
it; the rest is the kernel's copies in and out. The masker adds a prefix test of the last few
KB of each 256 KiB read (to hold back only a tail that may begin a secret), one comparison
per byte for each anchor that matched until that candidate fails, and writes the unchanged
spans straight from the read buffer with \`writev\`. Near misses cost prefix tests and anchor
candidates. Compiling the patterns takes a few tens of ms.

Micro-benchmarks (Google Benchmark, not run by this script):
\`cmake --build ${BUILD} --target mask_microbench && ${BUILD}/src/mask/mask_microbench\` measures
\`Masker::Feed\` by chunk size and the cost of compiling the pattern set.
EOF
if [[ -n $KEEP ]]; then printf '\n%s\n' "$KEEP" >>docs/benchmarks.md; fi
echo "wrote docs/benchmarks.md"
if [[ $LEAKS_TOTAL != 0 ]]; then
  echo "FAIL: the masked log still holds secrets" >&2
  exit 1
fi
