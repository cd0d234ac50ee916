# shellcheck shell=bash
# The TypeScript services of the local stack, declared with stack_service in hack/stack.sh.
# Needs stack-common.sh.

STACK_SVC_NAMES=()
declare -gA STACK_SVC_PORTS=() STACK_SVC_CMD=() STACK_SVC_ENV=()

# stack_service NAME "OPS_PORT [OTHER_PORT...]" "COMMAND" [KEY=VALUE...]
#   OPS_PORT serves GET /readyz (200 = ready); other ports are only shown by status.
#   COMMAND is split on spaces and run from the repo root; a leading `node` is the repo's Node 24.
#   The service is skipped while the first *.ts/*.js file in COMMAND does not exist.
stack_service() {
  local name="$1" ports="$2" cmd="$3"
  shift 3
  STACK_SVC_NAMES+=("$name")
  STACK_SVC_PORTS[$name]="$ports"
  STACK_SVC_CMD[$name]="$cmd"
  STACK_SVC_ENV[$name]="$(printf '%s\n' "$@")"
}

# Env every service gets (the same values `stack.sh env` prints).
stack_service_common_env() {
  printf '%s\n' \
    "MAILCLUSTER_DB_URLS=$(stack_db_urls)" \
    "MAILCLUSTER_NATS_URL=$(stack_nats_urls)" \
    "MAILCLUSTER_LOG_LEVEL=${MAILCLUSTER_LOG_LEVEL:-info}"
}

stack_service_known() { [[ -n "${STACK_SVC_CMD[$1]+x}" ]]; }
stack_service_ops_port() { local p="${STACK_SVC_PORTS[$1]}"; echo "${p%% *}"; }

# The entry file (repo-relative) named in the command, or nothing.
stack_service_entry() {
  local word
  for word in ${STACK_SVC_CMD[$1]}; do
    case "$word" in *.ts | *.mts | *.js | *.mjs | *.cjs) echo "$word"; return 0 ;; esac
  done
}

# True if the service can run (its entry file exists, or it names none).
stack_service_present() {
  local entry
  entry="$(stack_service_entry "$1")"
  [[ -z "$entry" || -f "$MC_REPO_ROOT/$entry" ]]
}

stack_service_healthy() {
  stack_http_ok "http://$STACK_HOST:$(stack_service_ops_port "$1")/readyz"
}

# Launches a service if it is not running; does not wait. Returns 3 when skipped (no entry file).
stack_service_launch() {
  local name="$1" words envs=() line
  if ! stack_service_present "$name"; then
    stack_log "$name skipped: $(stack_service_entry "$name") does not exist (yet)"
    return 3
  fi
  if stack_pid "$name" >/dev/null; then return 0; fi
  # shellcheck disable=SC2086 # port list
  stack_require_ports_free "$name" ${STACK_SVC_PORTS[$name]}
  read -r -a words <<<"${STACK_SVC_CMD[$name]}"
  if [[ "${words[0]}" == node ]]; then
    [[ -x "$STACK_NODE" ]] || stack_die "$STACK_NODE missing: run npm ci at the repo root"
    words[0]="$STACK_NODE"
  fi
  while IFS= read -r line; do [[ -n "$line" ]] && envs+=("$line"); done < <(stack_service_common_env; printf '%s\n' "${STACK_SVC_ENV[$name]}")
  envs+=("MAILCLUSTER_STACK_DIR=$STACK_DIR")
  # Relative entry paths resolve against the repo root: hack/stack.sh runs from there.
  stack_spawn "$name" "$STACK_LOGS/$name.log" "${envs[@]}" -- "${words[@]}"
  touch "$STACK_RUN/$name.launched"
}

stack_service_wait() {
  local name="$1" start="${2:-$EPOCHREALTIME}" rc=0 verb=running
  if [[ -f "$STACK_RUN/$name.launched" ]]; then verb=ready; fi
  stack_wait_until "$STACK_READY_TIMEOUT" "$name" stack_service_healthy "$name" || rc=$?
  if [[ "$rc" != 0 ]]; then
    stack_log "$name: GET /readyz on $STACK_HOST:$(stack_service_ops_port "$name") answers $(stack_http_code "http://$STACK_HOST:$(stack_service_ops_port "$name")/readyz")"
    stack_log_tail "$name" 30
    stack_die "$name: $(stack_not_ready_reason "$name" "$rc")"
  fi
  rm -f "$STACK_RUN/$name.launched"
  stack_log "$name $verb (pid $(stack_pid "$name"), ports ${STACK_SVC_PORTS[$name]// /,})$([[ $verb == ready ]] && echo " in $(stack_since "$start")")"
}

stack_services_start_all() {
  local name start="$EPOCHREALTIME" launched=() rc
  for name in "${STACK_SVC_NAMES[@]}"; do
    rc=0
    stack_service_launch "$name" || rc=$?
    if [[ "$rc" == 0 ]]; then launched+=("$name"); elif [[ "$rc" != 3 ]]; then return "$rc"; fi
  done
  for name in "${launched[@]}"; do stack_service_wait "$name" "$start"; done
}

stack_service_start() {
  local start="$EPOCHREALTIME" rc=0
  stack_service_launch "$1" || rc=$?
  if [[ "$rc" == 3 ]]; then stack_die "$1: cannot start, its entry file does not exist"; fi
  [[ "$rc" == 0 ]] || return "$rc"
  stack_service_wait "$1" "$start"
}

# SIGTERM lets the service drain (smtp-ingest finishes in-flight DATA); SIGKILL after the timeout.
stack_service_stop() {
  stack_stop_component_pid "$1"
  rm -f "$STACK_RUN/$1.launched"
}
