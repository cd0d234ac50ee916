# shellcheck shell=bash disable=SC2034 # variables here are used by the files that source this one
# Shared by hack/stack.sh and its lib/stack-*.sh: paths, ports, logging, pid files, detached
# starts, graceful stops and waiting. Functions only (plus variables); sourcing starts nothing.

if [[ -n "${_MC_STACK_COMMON_SH:-}" ]]; then return 0; fi
_MC_STACK_COMMON_SH=1

MC_REPO_ROOT="${MC_REPO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
STACK_DIR="${MAILCLUSTER_STACK_DIR:-$MC_REPO_ROOT/.stack}"
# Absolute, so pid files, configs and the env output stay valid from any working directory.
case "$STACK_DIR" in /*) ;; *) STACK_DIR="$PWD/$STACK_DIR" ;; esac
STACK_RUN="$STACK_DIR/run"   # <name>.pid
STACK_LOGS="$STACK_DIR/logs" # <name>.log: stdout+stderr of every component
STACK_TLS_CERT="$STACK_DIR/tls/smtp.crt"
STACK_TLS_KEY="$STACK_DIR/tls/smtp.key"
# The web tier's service account on smtp-ingest's submission listener. Fixed, like the db password:
# the stack listens on loopback only.
STACK_SUBMISSION_USER=web-tier
STACK_SUBMISSION_PASSWORD=local-stack-submission-secret

# Node 24 from the root devDependency, never the system one.
STACK_NODE="$MC_REPO_ROOT/node_modules/.bin/node"

# Ports: one place. db ordinal i -> 13306+i; nats node i -> 14222+i (client), 16222+i (route),
# 18222+i (monitoring).
STACK_HOST=127.0.0.1
# The webmail's URL; its origin is the only one allowed to POST (use this one, not http://localhost:8080).
STACK_WEB_URL="http://$STACK_HOST:8080"
STACK_DB_COUNT=2
STACK_NATS_COUNT=3
stack_db_port() { echo $((13306 + $1)); }
stack_nats_client_port() { echo $((14222 + $1)); }
stack_nats_route_port() { echo $((16222 + $1)); }
stack_nats_http_port() { echo $((18222 + $1)); }
STACK_SMTP_ADDR="$STACK_HOST:2525"

# Timeouts (seconds), overridable for slow machines.
STACK_READY_TIMEOUT="${MAILCLUSTER_STACK_READY_TIMEOUT:-90}"
STACK_STOP_TIMEOUT="${MAILCLUSTER_STACK_STOP_TIMEOUT:-30}"

stack_db_urls() {
  local i urls=()
  for ((i = 0; i < STACK_DB_COUNT; i++)); do
    urls+=("mysql://mailcluster:mailcluster@$STACK_HOST:$(stack_db_port "$i")/mailcluster")
  done
  (IFS=,; echo "${urls[*]}")
}

stack_nats_urls() {
  local i urls=()
  for ((i = 0; i < STACK_NATS_COUNT; i++)); do
    urls+=("nats://$STACK_HOST:$(stack_nats_client_port "$i")")
  done
  (IFS=,; echo "${urls[*]}")
}

# ---- logging -------------------------------------------------------------------------------------

stack_log() { printf 'stack: %s\n' "$*" >&2; }
stack_die() { printf 'stack: error: %s\n' "$*" >&2; exit 1; }

# Milliseconds since an $EPOCHREALTIME taken earlier, as "1.234s".
stack_since() {
  local start="$1" now="$EPOCHREALTIME"
  local ms=$(( (${now/./} - ${start/./}) / 1000 ))
  printf '%d.%03ds' $((ms / 1000)) $((ms % 1000))
}

# Last lines of a component's log, indented, for failure messages.
stack_log_tail() {
  local file="$STACK_LOGS/$1.log" n="${2:-25}"
  if [[ -s "$file" ]]; then
    printf 'stack: --- last %d lines of %s ---\n' "$n" "$file" >&2
    tail -n "$n" "$file" | sed 's/^/  | /' >&2
  else
    printf 'stack: (no output in %s)\n' "$file" >&2
  fi
}

# ---- pids ----------------------------------------------------------------------------------------

# Every process the stack starts carries MAILCLUSTER_STACK_ID=<stack dir>/<name> in its initial
# environment. A pid file is trusted only if its process still has that marker, so a recycled pid
# (after kill -9, or a reboot) is never mistaken for ours, and never signalled.
stack_id() { echo "$STACK_DIR/$1"; }

stack_pid_is_ours() {
  local name="$1" pid="$2"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  # Bash builtins only (status and a no-op `up` call this often). 2>/dev/null before the input
  # redirection: the process may exit between two reads.
  local stat environ=() var want="MAILCLUSTER_STACK_ID=$STACK_DIR/$name"
  read -r stat 2>/dev/null <"/proc/$pid/stat" || return 1
  # Field 3, after "(comm)": a zombie (killed, not yet reaped by its parent) is not running.
  stat="${stat##*) }"
  [[ "${stat%% *}" != Z ]] || return 1
  mapfile -d '' environ 2>/dev/null <"/proc/$pid/environ" || return 1
  for var in "${environ[@]}"; do
    [[ "$var" == "$want" ]] && return 0
  done
  return 1
}

# Prints the pid of a running component, or fails (and drops a stale pid file).
stack_pid() {
  local name="$1" file="$STACK_RUN/$1.pid" pid
  [[ -s "$file" ]] || return 1
  pid="$(<"$file")"
  if stack_pid_is_ours "$name" "$pid"; then
    echo "$pid"
    return 0
  fi
  rm -f "$file"
  return 1
}

# The environment a component starts with: a clean one, so a caller's NODE_OPTIONS, VITEST_* or
# NODE_ENV never leaks into a server, plus the caller's MAILCLUSTER_* (e.g. MAILCLUSTER_LOG_LEVEL)
# for ad-hoc settings. stack_spawn's ENV arguments come after these and win.
stack_base_env() {
  local var
  printf '%s\n' "PATH=$PATH" "HOME=${HOME:-/root}" "LANG=${LANG:-C.UTF-8}"
  for var in USER LC_ALL TZ TMPDIR; do
    if [[ -n "${!var:-}" ]]; then printf '%s=%s\n' "$var" "${!var}"; fi
  done
  while IFS= read -r var; do
    [[ "$var" == MAILCLUSTER_STACK_ID ]] || printf '%s=%s\n' "$var" "${!var}"
  done < <(compgen -e | grep '^MAILCLUSTER_' || true)
}

# stack_spawn NAME LOGFILE ENV... -- CMD ARGS...: starts CMD detached in its own session (setsid),
# stdin from /dev/null, stdout+stderr appended to LOGFILE, with stack_base_env, the extra ENV
# (KEY=VALUE) and the stack marker; writes NAME's pid file (the server's own pid).
#
# A small bash keeper stays as the server's parent and only waits for it. Without it the server
# would be re-parented to PID 1, and PID 1 on this kind of machine reaps orphans only every few
# seconds: after a test's kill -9 the pid would linger as a zombie and kill(pid, 0) would still
# succeed. The keeper reaps at once. `set -m` gives the server its own process group (pgid = its
# pid, so SIGKILL escalation can target the group) and normal SIGINT handling.
# Every inherited fd beyond 2 (the stack lock on fd 9, a test runner's pipes) is closed first, so no
# long-lived process holds the caller's lock or keeps its output pipe open.
stack_spawn() {
  local name="$1" logfile="$2"
  shift 2
  local envs=() line
  while IFS= read -r line; do envs+=("$line"); done < <(stack_base_env)
  while [[ "$1" != -- ]]; do envs+=("$1"); shift; done
  shift
  mkdir -p "$STACK_RUN" "$(dirname "$logfile")"
  local pidfile="$STACK_RUN/$name.pid"
  rm -f "$pidfile"
  printf '\n==== %s start %s ====\n' "$name" "$(date -Is)" >>"$logfile"
  # shellcheck disable=SC2016 # $$, $! and $@ belong to the inner bash
  env -i "${envs[@]}" "MAILCLUSTER_STACK_ID=$(stack_id "$name")" \
    setsid bash -c 'for fd in /proc/$$/fd/*; do fd=${fd##*/}; if ((fd > 2)); then eval "exec $fd>&-"; fi; done
      set -m
      pidfile="$1"; shift
      "$@" &
      echo $! >"$pidfile.tmp" && mv "$pidfile.tmp" "$pidfile"
      wait $!' \
    stack-keeper "$pidfile" "$@" </dev/null >>"$logfile" 2>&1 &
  local i
  for ((i = 0; i < 100; i++)); do
    [[ -s "$pidfile" ]] && return 0
    sleep 0.05
  done
  stack_die "$name: no pid file after start (see $logfile)"
}

# stack_stop_component_pid NAME [TIMEOUT]: SIGTERM, wait up to TIMEOUT (default STACK_STOP_TIMEOUT),
# then SIGKILL to the process group (the server leads its own group: it and its children only).
stack_stop_component_pid() {
  local name="$1" timeout="${2:-$STACK_STOP_TIMEOUT}" pid start="$EPOCHREALTIME" i
  if ! pid="$(stack_pid "$name")"; then
    rm -f "$STACK_RUN/$name.pid"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    stack_pid_is_ours "$name" "$pid" || break
    sleep 0.1
  done
  if stack_pid_is_ours "$name" "$pid"; then
    stack_log "$name: still running ${timeout}s after SIGTERM, sending SIGKILL (pid $pid)"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      stack_pid_is_ours "$name" "$pid" || break
      sleep 0.1
    done
  fi
  rm -f "$STACK_RUN/$name.pid"
  stack_log "$name stopped (pid $pid) in $(stack_since "$start")"
}

# ---- waiting and ports ---------------------------------------------------------------------------

# stack_wait_until TIMEOUT NAME CHECK_CMD...: polls CHECK_CMD every 0.2s until it succeeds; fails
# early if NAME's process died meanwhile (no point waiting for a crashed server).
stack_wait_until() {
  local timeout="$1" name="$2"
  shift 2
  local deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if ! stack_pid "$name" >/dev/null; then return 2; fi
    sleep 0.2
  done
  "$@" >/dev/null 2>&1
}

# Failure message for a component that did not become healthy (stack_wait_until's exit code in $2).
stack_not_ready_reason() {
  if [[ "$2" == 2 ]]; then echo "exited before becoming ready"; else echo "not ready after ${STACK_READY_TIMEOUT}s"; fi
}

# True if something accepts TCP connections on 127.0.0.1:PORT.
stack_port_open() {
  (exec 3<>"/dev/tcp/$STACK_HOST/$1") 2>/dev/null
}

# True if a socket listens on 127.0.0.1:PORT, without connecting (a bare TCP connect shows up as an
# "Aborted connection" warning in MariaDB's log at every health check).
stack_port_listening() {
  if command -v ss >/dev/null; then
    [[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]]
  else
    stack_port_open "$1"
  fi
}

# Refuse to start a component on a port that another process (not the component) holds.
stack_require_ports_free() {
  local name="$1" port
  shift
  for port in "$@"; do
    if stack_port_open "$port"; then
      stack_die "$name: port $STACK_HOST:$port is already in use by a process this stack did not start ($(stack_port_owner "$port"))"
    fi
  done
}

stack_port_owner() {
  ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:(([^)]*))' | head -n 1 || true
}

# HTTP status code of a GET (000 when nothing answers).
stack_http_code() {
  curl -s -o /dev/null -m "${2:-2}" -w '%{http_code}' "$1" 2>/dev/null || true
}

stack_http_ok() { [[ "$(stack_http_code "$1" "${2:-2}")" == 200 ]]; }

# ---- the lock ------------------------------------------------------------------------------------

# Commands that start or stop things take an exclusive lock on the stack dir, so two callers (a test
# runner and a developer, two test files) never start the same server twice.
stack_lock() {
  mkdir -p "$STACK_DIR"
  exec 9>"$STACK_DIR/.lock"
  if ! flock -w 900 9; then stack_die "could not lock $STACK_DIR/.lock within 900s"; fi
}
