# shellcheck shell=bash
# Brings the local stack or the test control plane up for a script that needs it, and takes down
# again at exit only what that script started (a stack you had running stays running).
#
#   source hack/lib/bring-up.sh; mc_bring_up hack/stack.sh

_mc_started=()
_mc_take_down() {
  local script
  for script in "${_mc_started[@]}"; do "$script" down >/dev/null 2>&1 || true; done
}
trap _mc_take_down EXIT

mc_bring_up() {
  local script="$1"
  # Read the whole status before grepping it: with pipefail, grep -q leaving early would SIGPIPE
  # the status command and make a running stack look stopped (and then taken down at exit).
  local status
  status="$("$script" status --json 2>/dev/null || true)"
  if ! grep -q '"healthy": *true' <<<"$status"; then _mc_started+=("$script"); fi
  "$script" up
}
