#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The local stack on loopback: 2 MariaDB shard servers, a 3-node NATS JetStream cluster and the
# services, as real processes (no Docker). See docs/local-stack.md.
#
#   hack/stack.sh up                 install what is missing, start what is down, wait until ready
#   hack/stack.sh down [--purge]     stop everything (by pid); --purge also deletes the state dir
#   hack/stack.sh status [--json]    every component: pid, ports, health
#   hack/stack.sh env                shell exports for clients and tests: eval "$(hack/stack.sh env)"
#   hack/stack.sh start|stop NAME    one component: db-0 db-1 nats-0 nats-1 nats-2 <service>,
#                                    or a group: db nats services (start waits until healthy)
#
# State (configs, data, pids, logs, TLS): ${MAILCLUSTER_STACK_DIR:-<repo>/.stack}.
set -euo pipefail

MC_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/stack-common.sh
source "$MC_REPO_ROOT/hack/lib/stack-common.sh"
# shellcheck source=lib/install.sh
source "$MC_REPO_ROOT/hack/lib/install.sh"
# shellcheck source=lib/stack-mariadb.sh
source "$MC_REPO_ROOT/hack/lib/stack-mariadb.sh"
# shellcheck source=lib/stack-nats.sh
source "$MC_REPO_ROOT/hack/lib/stack-nats.sh"
# shellcheck source=lib/stack-services.sh
source "$MC_REPO_ROOT/hack/lib/stack-services.sh"

# ---- the services ----------------------------------------------------------------------------------
# stack_service NAME "OPS_PORT [MORE_PORTS]" "COMMAND" [EXTRA_ENV=VALUE ...]
# Started in this order after MariaDB and NATS, each with the common env (MAILCLUSTER_DB_URLS,
# MAILCLUSTER_NATS_URL, MAILCLUSTER_LOG_LEVEL); ready when GET http://127.0.0.1:OPS_PORT/readyz is 200.
# A service whose entry file does not exist yet is skipped with a log line.
stack_service smtp-ingest "9101 2525 2587" "node services/smtp-ingest/src/main.ts" \
  "MAILCLUSTER_SMTP_LISTEN=$STACK_SMTP_ADDR" \
  "MAILCLUSTER_SUBMISSION_LISTEN=$STACK_HOST:2587" \
  "MAILCLUSTER_SUBMISSION_SERVICE_USER=$STACK_SUBMISSION_USER" \
  "MAILCLUSTER_SUBMISSION_SERVICE_PASSWORD=$STACK_SUBMISSION_PASSWORD" \
  "MAILCLUSTER_OPS_LISTEN=$STACK_HOST:9101" \
  "MAILCLUSTER_TLS_CERT_FILE=$STACK_TLS_CERT" \
  "MAILCLUSTER_TLS_KEY_FILE=$STACK_TLS_KEY" \
  "MAILCLUSTER_SMTP_HOSTNAME=localhost"
stack_service writer-0 "9102" "node services/writer/src/main.ts" \
  "MAILCLUSTER_OPS_LISTEN=$STACK_HOST:9102"
stack_service writer-1 "9103" "node services/writer/src/main.ts" \
  "MAILCLUSTER_OPS_LISTEN=$STACK_HOST:9103"
# The webmail over plain HTTP: browsers treat 127.0.0.1 as a secure context, so its __Host- cookie works.
stack_service web "9104 8080" "node services/web/src/main.ts" \
  "MAILCLUSTER_WEB_LISTEN=$STACK_HOST:8080" \
  "MAILCLUSTER_PUBLIC_URL=$STACK_WEB_URL" \
  "MAILCLUSTER_OPS_LISTEN=$STACK_HOST:9104" \
  "MAILCLUSTER_SUBMISSION=$STACK_HOST:2587" \
  "MAILCLUSTER_SUBMISSION_USER=$STACK_SUBMISSION_USER" \
  "MAILCLUSTER_SUBMISSION_PASSWORD=$STACK_SUBMISSION_PASSWORD" \
  "MAILCLUSTER_SUBMISSION_CA_FILE=$STACK_TLS_CERT"
# Outbound delivery. The stack's "internet" is 127.0.0.1:2600: every domain is relayed there, where
# tests (and you) run postfix's smtp-sink. Retries come in seconds rather than Postfix's minutes, so
# a test or a demo need not wait; the give-up age stays 5 days (tests age messages instead).
stack_service delivery "9105" "node services/delivery/src/main.ts" \
  "MAILCLUSTER_OPS_LISTEN=$STACK_HOST:9105" \
  "MAILCLUSTER_RELAY_HOST=$STACK_HOST:2600" \
  "MAILCLUSTER_RETRY_DELAYS_MS=1000,2000,4000,8000,15000" \
  "MAILCLUSTER_ACK_WAIT_MS=15000" \
  "MAILCLUSTER_HOSTNAME=localhost"
# ------------------------------------------------------------------------------------------------------

# Relative paths in service commands resolve against the repo root.
cd "$MC_REPO_ROOT"

STACK_INFRA=(db-0 db-1 nats-0 nats-1 nats-2)

stack_all_names() { printf '%s\n' "${STACK_INFRA[@]}" "${STACK_SVC_NAMES[@]}"; }

stack_kind() {
  case "$1" in
    db-[0-9]*) echo db ;;
    nats-[0-9]*) echo nats ;;
    *) if stack_service_known "$1"; then echo service; else return 1; fi ;;
  esac
}

stack_ports_of() {
  case "$(stack_kind "$1")" in
    db) stack_db_port "${1#db-}" ;;
    nats) stack_nats_ports "${1#nats-}" ;;
    service) echo "${STACK_SVC_PORTS[$1]}" ;;
  esac
}

stack_healthy() {
  case "$(stack_kind "$1")" in
    db) stack_db_healthy "${1#db-}" ;;
    nats) stack_nats_healthy "${1#nats-}" && stack_nats_caught_up "${1#nats-}" ;;
    service) stack_service_healthy "$1" ;;
  esac
}

# Self-signed certificate for smtp-ingest's STARTTLS, made once.
stack_tls_ensure() {
  [[ -s "$STACK_TLS_CERT" && -s "$STACK_TLS_KEY" ]] && return 0
  mkdir -p "$(dirname "$STACK_TLS_CERT")"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$STACK_TLS_KEY" -out "$STACK_TLS_CERT" >/dev/null 2>&1 ||
    stack_die "openssl could not create the TLS certificate"
  chmod 600 "$STACK_TLS_KEY"
  stack_log "TLS certificate for CN=localhost created: $STACK_TLS_CERT"
}

stack_install() {
  mc_install_stack_tools || stack_die "installing the tools failed"
}

cmd_up() {
  local start="$EPOCHREALTIME" pids=() pid rc=0
  stack_lock
  stack_install
  mkdir -p "$STACK_RUN" "$STACK_LOGS"
  stack_tls_ensure
  # MariaDB instances and the NATS cluster come up side by side; each prints its own progress.
  (stack_db_start 0) & pids+=($!)
  (stack_db_start 1) & pids+=($!)
  (stack_nats_start_all) & pids+=($!)
  for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
  [[ "$rc" == 0 ]] || stack_die "infrastructure did not come up (see above)"
  stack_services_start_all
  stack_log "up: all components ready in $(stack_since "$start") (state: $STACK_DIR)"
}

cmd_down() {
  local purge=0 name pids=() pid i
  [[ "${1:-}" == --purge ]] && purge=1
  if [[ ! -d "$STACK_DIR" ]]; then
    stack_log "down: nothing to do ($STACK_DIR does not exist)"
    return 0
  fi
  stack_lock
  # Services first (they drain against NATS and MariaDB), then NATS, then MariaDB; each tier in parallel.
  for name in "${STACK_SVC_NAMES[@]}"; do (stack_service_stop "$name") & pids+=($!); done
  for pid in "${pids[@]}"; do wait "$pid" || true; done
  pids=()
  for ((i = 0; i < STACK_NATS_COUNT; i++)); do (stack_nats_stop "$i") & pids+=($!); done
  for pid in "${pids[@]}"; do wait "$pid" || true; done
  pids=()
  for ((i = 0; i < STACK_DB_COUNT; i++)); do (stack_db_stop "$i") & pids+=($!); done
  for pid in "${pids[@]}"; do wait "$pid" || true; done
  # Anything still ours is a bug worth shouting about rather than deleting its data underneath it.
  while IFS= read -r name; do
    if pid="$(stack_pid "$name")"; then stack_die "down: $name (pid $pid) is still running"; fi
  done < <(stack_all_names)
  if [[ "$purge" == 1 ]]; then
    rm -rf "$STACK_DIR"
    stack_log "down: stopped everything and removed $STACK_DIR"
  else
    stack_log "down: stopped everything (state kept in $STACK_DIR; --purge removes it)"
  fi
}

# Group names for start/stop: every node of a tier at once (e.g. "NATS fully down" tests).
stack_group_members() {
  case "$1" in
    db) printf '%s\n' "${STACK_INFRA[@]}" | grep '^db-' ;;
    nats) printf '%s\n' "${STACK_INFRA[@]}" | grep '^nats-' ;;
    services) printf '%s\n' "${STACK_SVC_NAMES[@]}" ;;
    *) return 1 ;;
  esac
}

stack_check_name() {
  [[ -n "$1" ]] || stack_die "usage: stack.sh $2 NAME|db|nats|services"
  stack_kind "$1" >/dev/null || stack_group_members "$1" >/dev/null ||
    stack_die "unknown component '$1' (known: $(stack_all_names | paste -sd' '), or a group: db nats services)"
}

cmd_start() {
  local name="${1:-}" pids=() pid rc=0 i
  stack_check_name "$name" start
  stack_lock
  stack_install
  mkdir -p "$STACK_RUN" "$STACK_LOGS"
  case "$name" in
    db) for ((i = 0; i < STACK_DB_COUNT; i++)); do (stack_db_start "$i") & pids+=($!); done
        for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
        return "$rc" ;;
    nats) stack_nats_start_all; return ;;
    services) stack_tls_ensure; stack_services_start_all; return ;;
  esac
  case "$(stack_kind "$name")" in
    db) stack_db_start "${name#db-}" ;;
    nats) stack_nats_start "${name#nats-}" ;;
    service) stack_tls_ensure; stack_service_start "$name" ;;
  esac
}

stack_stop_one() {
  case "$(stack_kind "$1")" in
    db) stack_db_stop "${1#db-}" ;;
    nats) stack_nats_stop "${1#nats-}" ;;
    service) stack_service_stop "$1" ;;
  esac
}

cmd_stop() {
  local name="${1:-}" member pids=() pid
  stack_check_name "$name" stop
  stack_lock
  if ! stack_kind "$name" >/dev/null; then
    # A group: its members in parallel.
    while IFS= read -r member; do (stack_stop_one "$member") & pids+=($!); done < <(stack_group_members "$name")
    for pid in "${pids[@]}"; do wait "$pid" || true; done
    return 0
  fi
  if ! stack_pid "$name" >/dev/null; then stack_log "$name is not running"; fi
  stack_stop_one "$name"
}

# One '|'-separated line per component (not tabs: read would merge empty fields): name, kind, pid ("" if not running), ports (space-separated), state.
# State: healthy | unhealthy (running, not answering) | stopped | skipped (service without entry file).
stack_status_rows() {
  local name kind pid state
  while IFS= read -r name; do
    kind="$(stack_kind "$name")"
    pid="$(stack_pid "$name" 2>/dev/null || true)"
    if [[ "$kind" == service ]] && ! stack_service_present "$name"; then
      state=skipped
    elif [[ -z "$pid" ]]; then
      state=stopped
    elif stack_healthy "$name" 2>/dev/null; then
      state=healthy
    else
      state=unhealthy
    fi
    printf '%s|%s|%s|%s|%s\n' "$name" "$kind" "$pid" "$(stack_ports_of "$name")" "$state"
  done < <(stack_all_names)
}

cmd_status() {
  local name kind pid ports state first=1 p plist
  if [[ "${1:-}" == --json ]]; then
    # Hand-built (names and ports are plain tokens): no jq needed.
    printf '['
    while IFS='|' read -r name kind pid ports state; do
      plist=""
      for p in $ports; do plist+="${plist:+,}$p"; done
      [[ "$first" == 1 ]] || printf ','
      first=0
      printf '\n  {"name":"%s","kind":"%s","pid":%s,"ports":[%s],"healthy":%s,"state":"%s","log":"%s"}' \
        "$name" "$kind" "${pid:-null}" "$plist" "$([[ $state == healthy ]] && echo true || echo false)" \
        "$state" "$STACK_LOGS/$name.log"
    done < <(stack_status_rows)
    printf '\n]\n'
    return 0
  fi
  printf '%-12s %-8s %-8s %-20s %s\n' NAME KIND PID PORTS HEALTH
  while IFS='|' read -r name kind pid ports state; do
    printf '%-12s %-8s %-8s %-20s %s\n' "$name" "$kind" "${pid:--}" "${ports// /,}" "$state"
  done < <(stack_status_rows)
  printf 'state: %s  logs: %s\n' "$STACK_DIR" "$STACK_LOGS"
}

cmd_env() {
  cat <<EOF
export MAILCLUSTER_STACK_DIR='$STACK_DIR'
export MAILCLUSTER_DB_URLS='$(stack_db_urls)'
export MAILCLUSTER_NATS_URL='$(stack_nats_urls)'
export MAILCLUSTER_SMTP='$STACK_SMTP_ADDR'
export MAILCLUSTER_SUBMISSION='$STACK_HOST:2587'
export MAILCLUSTER_SUBMISSION_USER='$STACK_SUBMISSION_USER'
export MAILCLUSTER_SUBMISSION_PASSWORD='$STACK_SUBMISSION_PASSWORD'
export MAILCLUSTER_TLS_CERT_FILE='$STACK_TLS_CERT'
export MAILCLUSTER_TLS_KEY_FILE='$STACK_TLS_KEY'
export MAILCLUSTER_WEB_URL='$STACK_WEB_URL'
EOF
}

usage() {
  sed -n '3,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    env) cmd_env "$@" ;;
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
