#!/usr/bin/env bash
# The whole test suite, on a fresh machine as on a warm one: installs what it needs (apt packages,
# npm dependencies, Go-built servers cached under ~/.cache/mailcluster), then runs the type check
# and lint, the unit tests, the end-to-end tests against the local stack and the Kubernetes tests
# against the test control plane. What it started, it stops again at the end.
#
#   hack/test.sh                 # everything (this is what .ci/run runs)
#   hack/test.sh --project unit  # extra arguments go to vitest
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib/install.sh
source hack/lib/install.sh

step() { printf '\n==> %s\n' "$*"; }
started=()
cleanup() {
  for script in "${started[@]}"; do "$script" down >/dev/null 2>&1 || true; done
}
trap cleanup EXIT

# Brings an environment up, remembering to take it down again if it was not already running.
bring_up() {
  local script="$1"
  if ! "$script" status --json 2>/dev/null | grep -q '"healthy": *true'; then started+=("$script"); fi
  "$script" up
}

step "installing npm dependencies"
mc_install_node_modules
export PATH="$PWD/node_modules/.bin:$PATH" # Node 24 for everything below

step "type check and lint"
tsc -p .
eslint .

step "local stack"
bring_up hack/stack.sh
step "test control plane (the first run on a machine builds Kubernetes from source: about 20 minutes)"
bring_up hack/testenv.sh

step "tests"
vitest run "$@"
