#!/usr/bin/env bash
# The whole test suite, on a fresh machine as on a warm one: installs what it needs (apt packages,
# npm dependencies, Go-built servers cached under ~/.cache/mailcluster), then runs the type check
# and lint, the unit tests, the end-to-end tests against the local stack and the Kubernetes tests
# against the test control plane, then every benchmark in its quick mode (a smoke test that they
# run; the figures come from `npm run bench`). What it started, it stops again at the end.
#
#   hack/test.sh                 # everything (this is what .ci/run runs)
#   hack/test.sh --project unit  # extra arguments go to vitest (and skip the benchmark smoke)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib/install.sh
source hack/lib/install.sh
# shellcheck source=lib/bring-up.sh
source hack/lib/bring-up.sh

step() { printf '\n==> %s\n' "$*"; }

step "installing npm dependencies"
mc_install_node_modules
export PATH="$PWD/node_modules/.bin:$PATH" # Node 24 for everything below

step "type check and lint"
tsc -p .
eslint .

step "local stack"
mc_bring_up hack/stack.sh
step "test control plane (the first run on a machine builds Kubernetes from source: about 20 minutes)"
mc_bring_up hack/testenv.sh

step "tests"
vitest run "$@"

if [[ $# -eq 0 ]]; then
  step "benchmarks, quick (CI smoke: each one runs end to end; its figures are not measurements)"
  eval "$(hack/stack.sh env)"
  eval "$(hack/testenv.sh env)"
  node bench/run.ts --quick
fi
