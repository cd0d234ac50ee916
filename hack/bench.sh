#!/usr/bin/env bash
# The benchmarks of issue 9 (bench/, docs/benchmarks.md): installs what they need (the stack's
# tools, Postfix for smtp-source/smtp-sink and as the peer MTA, the npm dependencies), brings the
# local stack and, for the operator benchmark, the test control plane up, and runs bench/run.ts.
# What it started, it stops again at the end. Run it on a quiet machine: the figures are only as
# good as the idle cores they get.
#
#   hack/bench.sh                 # every benchmark, full length (about 75 minutes on 2 cores)
#   hack/bench.sh --quick         # CI smoke: every benchmark, tiny inputs, one short run each
#   hack/bench.sh smtp-accept web # some of them
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib/install.sh
source hack/lib/install.sh
# shellcheck source=lib/bring-up.sh
source hack/lib/bring-up.sh

# One benchmark run at a time on this machine: two at once would measure each other.
exec 9>"${TMPDIR:-/tmp}/mailcluster-bench.lock"
if ! flock -n 9; then
  echo "bench: another benchmark run holds ${TMPDIR:-/tmp}/mailcluster-bench.lock; waiting for it" >&2
  flock 9
fi

mc_install_node_modules
mc_install_nats_server
export PATH="$PWD/node_modules/.bin:$PATH" NATS_SERVER_BIN
mc_bring_up hack/stack.sh
eval "$(hack/stack.sh env)"
# The operator benchmark needs the test control plane (etcd, kube-apiserver, kwok).
names=()
for arg in "$@"; do [[ "$arg" == -* ]] || names+=("$arg"); done
if [[ ${#names[@]} -eq 0 || " ${names[*]} " == *" operator "* ]]; then
  mc_bring_up hack/testenv.sh
  eval "$(hack/testenv.sh env)"
fi
node bench/run.ts "$@"
