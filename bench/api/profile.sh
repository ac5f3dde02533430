# Sourced by bench/api/run.sh: where the server's CPU goes, from `perf record`, for the API
# section's "What the profile showed" (PROFILE_S=5 seconds a case; PROFILE_S=0 skips it).
#
# profile_case KEY THREADS CONNS URL [wrk args...]: runs the same wrk as the measured case for
# PROFILE_S + 2 s and, from its second second on, samples the server (COFFER_PID) with
# `perf record -F 999` (its own run after the measured one, so that perf's cost is in no
# figure); appends the case's lines to $TMP/profile.md. Self time only: the CPU's place, by
# thread (the threads name themselves: coffer-io, coffer-commit, coffer-ckpt; the process's
# first thread, an I/O thread too, keeps the name coffer), by program or library (the
# kernel's share is the sockets', the files' and the scheduler's work) and by function.
PROFILE_S=${PROFILE_S:-5}
: >"$TMP/profile.md"

# profile_shares DATA KEY: one line "name share, name share, ..." of `perf report --sort KEY`
profile_shares() {
  perf report -i "$1" --stdio --no-children --sort "$2" --percent-limit 0.5 -q 2>/dev/null |
    awk '$1 ~ /%$/ && NF >= 2 { printf "%s%s %s", (n++ ? ", " : ""), $2, $1 } END { print "" }' || true
}

profile_case() {
  local key=$1 threads=$2 conns=$3 url=$4
  shift 4
  ((PROFILE_S > 0)) || return 0
  local data=$TMP/perf-$key.data
  WRK_NTHREADS=$threads wrk -t"$threads" -c"$conns" -d"$((PROFILE_S + 2))s" -s "$LUA" "$@" "$url" \
    >"$TMP/wrk-profile-$key.txt" &
  local wrk_pid=$!
  sleep 1
  if ! perf record -q -F 999 -p "$COFFER_PID" -o "$data" -- sleep "$PROFILE_S" \
    >"$TMP/perf-$key.log" 2>&1; then
    wait "$wrk_pid" || true
    printf -- '- *%s*: perf record failed: %s\n' "$key" "$(tail -1 "$TMP/perf-$key.log")" >>"$TMP/profile.md"
    return 0
  fi
  wait "$wrk_pid" || true
  {
    printf -- '- *%s* (%s s, wrk -t%s -c%s). By thread: %s. By program or library (0.5%% or more): %s. Functions at 1%% of the samples or more, all threads:\n\n' \
      "$key" "$PROFILE_S" "$threads" "$conns" "$(profile_shares "$data" comm)" "$(profile_shares "$data" dso)"
    echo "  | samples | function | in |"
    echo "  | ---: | --- | --- |"
    perf report -i "$data" --stdio --no-children --sort dso,sym --percent-limit 1 -q 2>/dev/null |
      awk '$1 ~ /%$/ && NF >= 4 {
        pct = $1; dso = $2; sym = ""
        for (i = 4; i <= NF; i++) sym = sym (i > 4 ? " " : "") $i
        if (length(sym) > 70) sym = substr(sym, 1, 67) "..."
        gsub(/\|/, "\\|", sym)
        if (++n <= 15) printf "  | %s | `%s` | %s |\n", pct, sym, dso
      }' || true
    echo
  } >>"$TMP/profile.md"
}
