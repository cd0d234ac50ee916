#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# A real Kubernetes control plane on loopback for tests, without Docker (issue 3, docs/testenv.md):
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok (3 fake nodes), built from
# the Go module proxy at the versions pinned in hack/versions.env, plus kubectl and helm.
#
#   hack/testenv.sh build            build the binaries once into ~/.cache/mailcluster/k8s-<version>-<key>/
#   hack/testenv.sh up               build if needed, start what is down, wait for a healthy API server
#                                    and Ready nodes (idempotent: fast when everything already runs)
#   hack/testenv.sh down [--purge]   stop every process `up` started, by pid; --purge deletes the state dir
#   hack/testenv.sh status [--json]  every component: pid, port, health (table: exit 3 when not all healthy)
#   hack/testenv.sh env              shell exports for clients and tests: eval "$(hack/testenv.sh env)"
#   hack/testenv.sh pin              rewrite hack/tools/k8s/go.mod + go.sum from hack/versions.env
#
# State (certificates, kubeconfigs, etcd data, pids, logs): ${MAILCLUSTER_TESTENV_DIR:-~/.cache/mailcluster/testenv}.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="$REPO_ROOT/hack/tools/k8s"
# shellcheck source=versions.env
source "$REPO_ROOT/hack/versions.env"
: "${K8S_VERSION:?missing in hack/versions.env}" "${ETCD_VERSION:?}" "${KWOK_VERSION:?}" "${HELM_VERSION:?}" "${PROMETHEUS_VERSION:?}"
# Every k8s.io/<staging> module is released as v0.<minor>.<patch> alongside k8s.io/kubernetes v1.<minor>.<patch>.
STAGING_VERSION="v0.${K8S_VERSION#v1.}"

CACHE_ROOT="$HOME/.cache/mailcluster"
STATE_DIR="${MAILCLUSTER_TESTENV_DIR:-$CACHE_ROOT/testenv}"
case "$STATE_DIR" in /*) ;; *) STATE_DIR="$PWD/$STATE_DIR" ;; esac
PKI="$STATE_DIR/pki"
RUN="$STATE_DIR/run"   # <component>.pid
LOGS="$STATE_DIR/logs" # <component>.log: stdout+stderr of each process
ADMIN_KUBECONFIG="$STATE_DIR/admin.kubeconfig"
# Written on first `up`; `down --purge` deletes only a directory that carries it.
STATE_MARKER="$STATE_DIR/.mailcluster-testenv"

# Ports: one fixed loopback block, clear of the local mail stack (2525, 8080, 9100-9199, 13306+,
# 14222+, 16222+, 18222+).
HOST=127.0.0.1
ETCD_PORT=22379
ETCD_PEER_PORT=22380
APISERVER_PORT=26443
KCM_PORT=26257
SCHEDULER_PORT=26259
KWOK_PORT=26080
APISERVER_URL="https://$HOST:$APISERVER_PORT"

# Address ranges that exist only as data: nothing routes to them and nothing here ever dials them.
SERVICE_CIDR=10.96.0.0/16
SERVICE_APISERVER_IP=10.96.0.1
POD_CIDR=10.244.0.0/16

NODE_ZONES=(a b c) # one fake node per zone: kwok-node-a, kwok-node-b, kwok-node-c

COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
READY_TIMEOUT="${MAILCLUSTER_TESTENV_READY_TIMEOUT:-120}" # seconds, per wait
STOP_TIMEOUT=20

# What the controller manager runs: the controllers a workload, an operator and a Helm chart rely on.
# node-lifecycle-controller lifts the not-ready taint that admission puts on every new Node once kwok
# reports it Ready (and sets it again if kwok stops heartbeating). Left out on purpose:
# taint-eviction-controller (a slow heartbeat on a busy 2-core CI machine must not evict pods),
# node-ipam, attach-detach, CSR signing, resource quota, bootstrap tokens, HPA, DRA.
KCM_CONTROLLERS=(
  serviceaccount-controller serviceaccount-token-controller root-ca-certificate-publisher-controller
  namespace-controller garbage-collector-controller clusterrole-aggregation-controller
  statefulset-controller deployment-controller replicaset-controller daemonset-controller
  horizontal-pod-autoscaler-controller
  job-controller cronjob-controller ttl-after-finished-controller pod-garbage-collector-controller
  disruption-controller endpoints-controller endpointslice-controller endpointslice-mirroring-controller
  persistentvolume-binder-controller persistentvolume-protection-controller
  persistentvolumeclaim-protection-controller node-lifecycle-controller service-cidr-controller
  validatingadmissionpolicy-status-controller
)

# ---- logging -------------------------------------------------------------------------------------

log() { printf 'testenv: %s\n' "$*" >&2; }
die() { printf 'testenv: error: %s\n' "$*" >&2; exit 1; }

# lock FD FILE: hold an exclusive lock on FILE (open on FD: 8 for the build, 9 for the state dir)
# until this script exits, so concurrent callers (two test runs, a developer's shell) queue up
# instead of building or starting the same thing twice. spawn closes both FDs for the components.
lock() {
  mkdir -p "$(dirname "$2")"
  eval "exec $1>\"\$2\""
  flock -n "$1" || { log "waiting for another hack/testenv.sh (lock $2)"; flock "$1"; }
}

# Milliseconds since an $EPOCHREALTIME taken earlier, as "1.234s".
since() {
  local start="$1" now="$EPOCHREALTIME"
  local ms=$(((${now/./} - ${start/./}) / 1000))
  printf '%d.%03ds' $((ms / 1000)) $((ms % 1000))
}

# ---- building ------------------------------------------------------------------------------------
# One tools module (hack/tools/k8s) requires k8s.io/kubernetes, etcd's server, kwok and helm, so Go's
# module graph resolves them together and the four share one compile of client-go & co. `go install
# k8s.io/kubernetes/cmd/...@v1.x` alone fails: k8s.io/kubernetes requires its staging modules at v0.0.0
# and only a main module's `replace` can point them at their real v0.x releases.

# name=package; built in this order (progress shows [i/n]).
BINARIES=(
  etcd=go.etcd.io/etcd/server/v3
  kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver
  kube-controller-manager=k8s.io/kubernetes/cmd/kube-controller-manager
  kube-scheduler=k8s.io/kubernetes/cmd/kube-scheduler
  kubectl=k8s.io/kubernetes/cmd/kubectl
  kwok=sigs.k8s.io/kwok/cmd/kwok
  helm=helm.sh/helm/v4/cmd/helm
)
# -s -w: no symbol table or DWARF (about a third smaller). -X: the version stamps that the upstream
# release builds set, without which the API server reports v0.0.0-master (kubectl fails to parse it,
# helm's kubeVersion checks fail) and helm reports v4.3. A stamp for a package that a binary does not
# link is ignored, so one set serves all seven.
k8s_minor="${K8S_VERSION#v1.}"
LDFLAGS="-s -w"
for version_pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  LDFLAGS+=" -X $version_pkg.gitVersion=$K8S_VERSION -X $version_pkg.gitMajor=1 -X $version_pkg.gitMinor=${k8s_minor%%.*}"
  LDFLAGS+=" -X $version_pkg.gitTreeState=clean -X $version_pkg.gitCommit="
done
LDFLAGS+=" -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
unset k8s_minor version_pkg
# Part of the cache key: a change to how binaries are built rebuilds them.
BUILD_RECIPE="go build -trimpath -ldflags='$LDFLAGS'"

# The cache key covers go.mod + go.sum (every module version) and the recipe; the version stays
# readable in the directory name.
build_key() {
  cat "$TOOLS_DIR/go.mod" "$TOOLS_DIR/go.sum" <(echo "$BUILD_RECIPE") | sha256sum | cut -c1-12
}
K8S_HOME="$CACHE_ROOT/k8s-$K8S_VERSION-$(build_key)"
BIN="$K8S_HOME/bin"
PROMTOOL_MODULE="$REPO_ROOT/hack/tools/promtool"
PROMTOOL="$CACHE_ROOT/promtool-$PROMETHEUS_VERSION/promtool"
KWOK_STAGES="$K8S_HOME/share/kwok-stages.yaml"
STORAGE_CLASS="$K8S_HOME/share/storage-class.yaml"

require_go() {
  command -v go >/dev/null || die "go is not on PATH (the tools are built from the Go module proxy)"
}

# versions.env is the one place versions are set; go.mod must say the same (fix: hack/testenv.sh pin).
check_pins() {
  local mod want
  for want in "k8s.io/kubernetes $K8S_VERSION" "go.etcd.io/etcd/server/v3 $ETCD_VERSION" \
    "sigs.k8s.io/kwok $KWOK_VERSION" "helm.sh/helm/v4 $HELM_VERSION" "k8s.io/api => k8s.io/api $STAGING_VERSION"; do
    mod="${want%% *}"
    grep -qE "^[[:space:]]*${want//./\\.}( |$)" "$TOOLS_DIR/go.mod" ||
      die "hack/tools/k8s/go.mod has another version of $mod than hack/versions.env; run: hack/testenv.sh pin"
  done
}

# Writes go.mod from scratch: the requirements from versions.env, a replace for every staging module
# that this k8s.io/kubernetes release has (read from its own go.mod), then `go mod tidy` fills the rest.
cmd_pin() {
  require_go
  local kube_gomod staging
  kube_gomod="$(cd "$TOOLS_DIR" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" |
    sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')"
  [[ -s "$kube_gomod" ]] || die "could not download k8s.io/kubernetes@$K8S_VERSION"
  staging="$(sed -n 's#^[[:space:]]*\(k8s\.io/[^ ]*\) => \./staging/.*#\1#p' "$kube_gomod")"
  {
    echo "// Generated by hack/testenv.sh pin from hack/versions.env; do not edit by hand."
    echo "// Builds the test control plane's binaries (see hack/testenv.sh build)."
    echo "module mailcluster.dev/hack/tools/k8s"
    echo
    echo "go 1.26.0"
    echo
    local name entry
    echo "tool ("
    for entry in "${BINARIES[@]}"; do echo "	${entry#*=}"; done
    echo ")"
    echo
    echo "require ("
    echo "	k8s.io/kubernetes $K8S_VERSION"
    echo "	go.etcd.io/etcd/server/v3 $ETCD_VERSION"
    echo "	sigs.k8s.io/kwok $KWOK_VERSION"
    echo "	helm.sh/helm/v4 $HELM_VERSION"
    echo ")"
    echo
    echo "replace ("
    for name in $staging; do echo "	$name => $name $STAGING_VERSION"; done
    echo ")"
  } >"$TOOLS_DIR/go.mod"
  rm -f "$TOOLS_DIR/go.sum"
  (cd "$TOOLS_DIR" && go mod tidy)
  check_pins
  log "pinned: kubernetes $K8S_VERSION (staging $STAGING_VERSION), etcd $ETCD_VERSION, kwok $KWOK_VERSION, helm $HELM_VERSION"
}

# go build with a progress line per minute: how many packages it has compiled so far (go build -v
# prints one line per compiled package, to a log kept for failures).
go_build_with_progress() {
  local name="$1" pkg="$2" out="$3" module="${4:-$TOOLS_DIR}" ldflags="${5-$LDFLAGS}" start="$SECONDS" next pid
  local build_log="${out%/*}/build-$name.log"
  (cd "$module" && exec go build -v -trimpath -ldflags="$ldflags" -o "$out" "$pkg") >"$build_log" 2>&1 &
  pid=$!
  next=$((start + 60))
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if ((SECONDS >= next)); then
      log "      … $name: $(wc -l <"$build_log") packages compiled, $((SECONDS - start))s"
      next=$((next + 60))
    fi
  done
  if ! wait "$pid"; then
    tail -n 30 "$build_log" >&2
    die "building $name failed (full log: $build_log)"
  fi
}

# Copies kwok's own stage definitions (from the pinned kwok module) into one config file: nodes become
# Ready and heartbeat through Leases, pods become Ready/complete/deleted, and PVCs of StorageClass
# kwok-volume get a PV provisioned and bound (see start_kwok).
install_kwok_stages() {
  local kwok_dir stage
  kwok_dir="$(cd "$TOOLS_DIR" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)"
  mkdir -p "$(dirname "$KWOK_STAGES")"
  for stage in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease \
    pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete \
    volume/fast/pvc-provision volume/fast/pv-bind volume/fast/pvc-delete volume/fast/pv-delete; do
    echo "---"
    cat "$kwok_dir/kustomize/stage/$stage.yaml"
  done >"$KWOK_STAGES.tmp"
  mv "$KWOK_STAGES.tmp" "$KWOK_STAGES"
  install -m 0644 "$kwok_dir/kustomize/stage/volume/fast/storage-class.yaml" "$STORAGE_CLASS"
}

cmd_build() {
  if [[ ! -f "$K8S_HOME/.complete" ]]; then
    require_go
    check_pins
    lock 8 "$CACHE_ROOT/k8s-build.lock"
  fi
  # Checked again under the lock: another caller may have just finished the build.
  if [[ -f "$K8S_HOME/.complete" ]]; then
    log "binaries cached: $BIN"
    return 0
  fi
  mkdir -p "$BIN"
  local start="$SECONDS" t i=0 entry name pkg
  log "building Kubernetes $K8S_VERSION, etcd $ETCD_VERSION, kwok $KWOK_VERSION, helm $HELM_VERSION with $(go version | cut -d' ' -f3)"
  log "into $K8S_HOME (once; a cold build took 21 minutes on 2 cores)"
  log "[0/${#BINARIES[@]}] downloading modules"
  t="$SECONDS"
  (cd "$TOOLS_DIR" && go mod download)
  log "      modules downloaded in $((SECONDS - t))s"
  for entry in "${BINARIES[@]}"; do
    i=$((i + 1)) name="${entry%%=*}" pkg="${entry#*=}"
    # A build that was interrupted resumes with the binaries it had not finished.
    if [[ -x "$BIN/$name" ]]; then
      log "[$i/${#BINARIES[@]}] $name: already built"
      continue
    fi
    log "[$i/${#BINARIES[@]}] $name ($pkg)"
    t="$SECONDS"
    go_build_with_progress "$name" "$pkg" "$BIN/.$name.tmp"
    mv "$BIN/.$name.tmp" "$BIN/$name"
    log "      $name built in $((SECONDS - t))s"
  done
  install_kwok_stages
  touch "$K8S_HOME/.complete"
  log "built in $((SECONDS - start))s: $BIN"
}

# promtool, for the chart's alert rule tests: its own tools module and cache, so that it never
# invalidates the Kubernetes build.
build_promtool() {
  [[ -x "$PROMTOOL" ]] && return 0
  require_go
  lock 7 "$CACHE_ROOT/promtool-build.lock"
  [[ -x "$PROMTOOL" ]] && return 0
  grep -q "github.com/prometheus/prometheus $PROMETHEUS_VERSION " "$PROMTOOL_MODULE/go.mod" ||
    die "hack/tools/promtool/go.mod does not require github.com/prometheus/prometheus $PROMETHEUS_VERSION (hack/versions.env)"
  mkdir -p "${PROMTOOL%/*}"
  log "building promtool (Prometheus module $PROMETHEUS_VERSION) into ${PROMTOOL%/*} (once; about 6 minutes on 2 cores)"
  local t="$SECONDS"
  go_build_with_progress promtool github.com/prometheus/prometheus/cmd/promtool "$PROMTOOL.tmp" "$PROMTOOL_MODULE" ""
  mv "$PROMTOOL.tmp" "$PROMTOOL"
  log "      promtool built in $((SECONDS - t))s"
}

# ---- certificates and kubeconfigs ---------------------------------------------------------------
# One CA signs the API server's serving certificate and a client certificate per identity. The
# controller manager and scheduler use their well-known users, which RBAC's bootstrap policy already
# grants; the admin and kwok are in system:masters.

openssl_quiet() { openssl "$@" 2>/dev/null || openssl "$@"; }

# issue_cert NAME SUBJECT EXTENSIONS
issue_cert() {
  local name="$1" subject="$2" extensions="$3"
  openssl_quiet req -new -nodes -newkey rsa:2048 -keyout "$PKI/$name.key" -out "$PKI/$name.csr" -subj "$subject"
  openssl_quiet x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
    -days 3650 -out "$PKI/$name.crt" -extfile <(printf '%s\n' "$extensions")
  rm -f "$PKI/$name.csr"
}

ensure_pki() {
  [[ -s "$PKI/ca.crt" && -s "$PKI/sa.pub" && -s "$PKI/front-proxy-client.crt" ]] && return 0
  log "generating certificates in $PKI"
  rm -rf "$PKI" && mkdir -p "$PKI"
  openssl_quiet req -x509 -new -nodes -newkey rsa:2048 -keyout "$PKI/ca.key" -out "$PKI/ca.crt" -days 3650 \
    -subj "/CN=mailcluster-testenv-ca" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"
  local client="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
  issue_cert apiserver "/CN=kube-apiserver" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:$HOST,IP:$SERVICE_APISERVER_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  issue_cert admin "/O=system:masters/CN=mailcluster-admin" "$client"
  issue_cert kube-controller-manager "/CN=system:kube-controller-manager" "$client"
  issue_cert kube-scheduler "/CN=system:kube-scheduler" "$client"
  issue_cert kwok "/O=system:masters/CN=kwok-controller" "$client"
  # The API server's identity towards aggregated API servers; its CA also goes into the
  # extension-apiserver-authentication ConfigMap that the controller manager and scheduler read.
  issue_cert front-proxy-client "/CN=front-proxy-client" "$client"
  # Signs and verifies ServiceAccount tokens (TokenRequest, `kubectl create token`).
  openssl_quiet genrsa -out "$PKI/sa.key" 2048
  openssl_quiet rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub"
  chmod 600 "$PKI"/*.key
}

# write_kubeconfig NAME: $STATE_DIR/NAME.kubeconfig for the client certificate $PKI/NAME.crt, with
# the data inlined so the file works alone (kubectl, helm, client-node, kwok).
write_kubeconfig() {
  local name="$1" file="$STATE_DIR/$1.kubeconfig"
  cat >"$file.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: mailcluster-testenv
  cluster:
    server: $APISERVER_URL
    certificate-authority-data: $(base64 -w0 "$PKI/ca.crt")
users:
- name: $name
  user:
    client-certificate-data: $(base64 -w0 "$PKI/$name.crt")
    client-key-data: $(base64 -w0 "$PKI/$name.key")
contexts:
- name: mailcluster-testenv
  context:
    cluster: mailcluster-testenv
    user: $name
current-context: mailcluster-testenv
EOF
  chmod 600 "$file.tmp"
  mv "$file.tmp" "$file"
}

# Debian packages the runtime needs besides the built binaries (all in the base image here).
require_host_tools() {
  local tool missing=()
  for tool in openssl curl ss flock setsid base64; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  ((${#missing[@]} == 0)) || die "missing ${missing[*]} (apt-get install openssl curl iproute2 util-linux coreutils)"
}

ensure_state() {
  require_host_tools
  mkdir -p "$STATE_DIR" "$RUN" "$LOGS" "$STATE_DIR/helm"
  mkdir -p "$STATE_DIR/etcd"
  chmod 700 "$STATE_DIR/etcd" # etcd warns about anything more open
  touch "$STATE_MARKER"
  ensure_pki
  local name
  for name in admin kube-controller-manager kube-scheduler kwok; do
    [[ -s "$STATE_DIR/$name.kubeconfig" ]] || write_kubeconfig "$name"
  done
}

# ---- processes -----------------------------------------------------------------------------------
# Each component runs detached (own session, stdin closed, output to its log) so it outlives the
# caller, e.g. vitest's global setup, and a Ctrl-C in the terminal does not reach it. Its pid is in
# $RUN/<name>.pid; a pid counts as ours only if that process's command line names $STATE_DIR, so a
# stale file (crash, reboot, reused pid) is recognised and dropped.

pid_file() { echo "$RUN/$1.pid"; }

owned_pid() { # owned_pid PID: is it a live process started for this state dir?
  local pid="$1"
  [[ "$pid" =~ ^[0-9]+$ ]] && [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$STATE_DIR/"
}

running_pid() { # running_pid NAME: prints the pid if the component runs; drops a stale pid file
  local file pid
  file="$(pid_file "$1")"
  [[ -f "$file" ]] || return 1
  pid="$(<"$file")"
  if owned_pid "$pid"; then
    echo "$pid"
    return 0
  fi
  log "$1: removing stale pid file (pid $pid is not running)"
  rm -f "$file"
  return 1
}

port_of() {
  case "$1" in
    etcd) echo "$ETCD_PORT" ;;
    kube-apiserver) echo "$APISERVER_PORT" ;;
    kube-controller-manager) echo "$KCM_PORT" ;;
    kube-scheduler) echo "$SCHEDULER_PORT" ;;
    kwok) echo "$KWOK_PORT" ;;
  esac
}

port_holder() { # pid listening on loopback PORT, if any
  ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2
}

# If the port is taken: by one of ours whose pid file was lost, adopt it; by anything else, fail
# with who holds it rather than starting a process that cannot bind.
claim_port() {
  local name="$1" port holder
  port="$(port_of "$name")"
  holder="$(port_holder "$port")"
  [[ -z "$holder" ]] && return 0
  if owned_pid "$holder"; then
    log "$name: adopting pid $holder already listening on :$port"
    echo "$holder" >"$(pid_file "$name")"
    return 1
  fi
  die "$name: port $port is in use by pid $holder ($(tr '\0' ' ' <"/proc/$holder/cmdline" 2>/dev/null | cut -c1-80))"
}

# spawn NAME ARGS...: start $BIN/NAME detached, with a clean environment (a caller's KUBECONFIG,
# proxy or GODEBUG settings never reach a component); $SPAWN_HOME replaces HOME when set.
spawn() {
  local name="$1"
  shift
  echo "--- $(date -Is) start" >>"$LOGS/$name.log"
  setsid env -i PATH="$PATH" HOME="${SPAWN_HOME:-$HOME}" LANG=C.UTF-8 "$BIN/$name" "$@" \
    </dev/null >>"$LOGS/$name.log" 2>&1 8>&- 9>&- &
  echo "$!" >"$(pid_file "$name")"
}

stop_component() {
  local name="$1" pid i
  pid="$(running_pid "$name")" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name: still running after ${STOP_TIMEOUT}s, killing pid $pid"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$(pid_file "$name")"
  log "stopped $name (pid $pid)"
}

# ---- health --------------------------------------------------------------------------------------

curl_ok() { curl -fsS --noproxy '*' --max-time 3 -o /dev/null "$@" 2>/dev/null; }

healthy() {
  case "$1" in
    etcd) curl_ok "http://$HOST:$ETCD_PORT/health" ;;
    kube-apiserver) curl_ok --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "$APISERVER_URL/readyz" ;;
    # These two serve /healthz with a certificate they generate themselves; trust is not the question.
    kube-controller-manager) curl_ok -k "https://$HOST:$KCM_PORT/healthz" ;;
    kube-scheduler) curl_ok -k "https://$HOST:$SCHEDULER_PORT/healthz" ;;
    kwok) curl_ok "http://$HOST:$KWOK_PORT/healthz" ;;
  esac
}

wait_healthy() {
  local name="$1" start="$EPOCHREALTIME" deadline=$((SECONDS + READY_TIMEOUT))
  until healthy "$name"; do
    if ! running_pid "$name" >/dev/null; then
      tail -n 20 "$LOGS/$name.log" >&2
      die "$name exited during start (log: $LOGS/$name.log)"
    fi
    ((SECONDS < deadline)) || die "$name not healthy after ${READY_TIMEOUT}s (log: $LOGS/$name.log)"
    sleep 0.2
  done
  log "$name healthy ($(since "$start"))"
}

# ---- the components ------------------------------------------------------------------------------

start_etcd() {
  # --unsafe-no-fsync: test data, and fsyncs would make a busy CI disk the bottleneck.
  spawn etcd --name=testenv --data-dir="$STATE_DIR/etcd" \
    --listen-client-urls="http://$HOST:$ETCD_PORT" --advertise-client-urls="http://$HOST:$ETCD_PORT" \
    --listen-peer-urls="http://$HOST:$ETCD_PEER_PORT" --initial-advertise-peer-urls="http://$HOST:$ETCD_PEER_PORT" \
    --initial-cluster="testenv=http://$HOST:$ETCD_PEER_PORT" \
    --unsafe-no-fsync=true --log-level=warn
}

start_kube_apiserver() {
  # --endpoint-reconciler-type=none: the `kubernetes` Service would otherwise get an Endpoints
  # object with a loopback address, which validation rejects on every reconcile.
  spawn kube-apiserver \
    --etcd-servers="http://$HOST:$ETCD_PORT" \
    --bind-address="$HOST" --advertise-address="$HOST" --secure-port="$APISERVER_PORT" \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/ca.crt" \
    --requestheader-client-ca-file="$PKI/ca.crt" --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$PKI/front-proxy-client.crt" --proxy-client-key-file="$PKI/front-proxy-client.key" \
    --authorization-mode=RBAC \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --endpoint-reconciler-type=none \
    --allow-privileged=true \
    --cert-dir="$PKI/apiserver-generated"
}

start_kube_controller_manager() {
  local IFS=,
  spawn kube-controller-manager \
    --kubeconfig="$STATE_DIR/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig="$STATE_DIR/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig="$STATE_DIR/kube-controller-manager.kubeconfig" \
    --bind-address="$HOST" --secure-port="$KCM_PORT" --cert-dir="$PKI/kcm-generated" \
    --leader-elect=false \
    --controllers="${KCM_CONTROLLERS[*]}" \
    --use-service-account-credentials=true \
    --root-ca-file="$PKI/ca.crt" \
    --service-account-private-key-file="$PKI/sa.key"
}

start_kube_scheduler() {
  spawn kube-scheduler \
    --kubeconfig="$STATE_DIR/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig="$STATE_DIR/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig="$STATE_DIR/kube-scheduler.kubeconfig" \
    --bind-address="$HOST" --secure-port="$SCHEDULER_PORT" --cert-dir="$PKI/scheduler-generated" \
    --leader-elect=false
}

# kwok plays the kubelet for nodes annotated kwok.x-k8s.io/node=fake, and the storage provisioner:
# the stages in $KWOK_STAGES (kwok's own). A PVC of the default StorageClass kwok-volume (Immediate
# binding) gets a PV created for it, like a CSI provisioner would, and persistentvolume-binder in the
# controller manager keeps both Bound; deleting the PVC releases and deletes the PV. Nodes and pods
# get 127.0.0.1 as host IP so nothing ever points off this machine. HOME is the state dir so kwok
# does not also load a ~/.kwok/kwok.yaml of the user's.
start_kwok() {
  SPAWN_HOME="$STATE_DIR" spawn kwok \
    --kubeconfig="$STATE_DIR/kwok.kubeconfig" \
    --config="$KWOK_STAGES" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --node-ip="$HOST" --cidr="$POD_CIDR" \
    --node-lease-duration-seconds=40 \
    --server-address="$HOST:$KWOK_PORT"
}

start_component() {
  local name="$1"
  if running_pid "$name" >/dev/null; then return 0; fi
  claim_port "$name" || return 0
  log "starting $name"
  "start_${name//-/_}"
}

# ---- cluster objects -----------------------------------------------------------------------------

kubectl_admin() { "$BIN/kubectl" --kubeconfig="$ADMIN_KUBECONFIG" "$@"; }

nodes_manifest() {
  local zone
  for zone in "${NODE_ZONES[@]}"; do
    cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$zone
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/hostname: kwok-node-$zone
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    topology.kubernetes.io/region: local
    topology.kubernetes.io/zone: "$zone"
    type: kwok
status:
  allocatable: {cpu: "64", memory: 256Gi, pods: "250", ephemeral-storage: 1Ti}
  capacity: {cpu: "64", memory: 256Gi, pods: "250", ephemeral-storage: 1Ti}
  nodeInfo: {architecture: amd64, operatingSystem: linux}
EOF
  done
}

ensure_cluster_objects() {
  { nodes_manifest; echo "---"; cat "$STORAGE_CLASS"; } |
    kubectl_admin apply --server-side --field-manager=mailcluster-testenv -f - >/dev/null
}

wait_cluster_ready() {
  local start="$EPOCHREALTIME"
  kubectl_admin wait --for=condition=Ready node -l type=kwok --timeout="${READY_TIMEOUT}s" >/dev/null ||
    die "nodes not Ready (log: $LOGS/kwok.log)"
  # The default ServiceAccount appears once the controller manager's serviceaccount controller works;
  # pods cannot be admitted in a namespace without it.
  local deadline=$((SECONDS + READY_TIMEOUT))
  until kubectl_admin get serviceaccount default -n default >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "no default ServiceAccount (log: $LOGS/kube-controller-manager.log)"
    sleep 0.2
  done
  log "${#NODE_ZONES[@]} nodes Ready ($(since "$start"))"
}

# ---- commands ------------------------------------------------------------------------------------

# A component started from another build (versions changed) means a mixed cluster: restart it all.
restart_if_binaries_changed() {
  local name pid exe
  for name in "${COMPONENTS[@]}"; do
    pid="$(running_pid "$name")" || continue
    exe="$(tr '\0' '\n' <"/proc/$pid/cmdline" | head -n1)"
    if [[ "$exe" != "$BIN/$name" ]]; then
      log "$name runs $exe, not $BIN/$name: restarting the control plane"
      stop_all
      return 0
    fi
  done
}

all_healthy() {
  local name
  for name in "${COMPONENTS[@]}"; do
    running_pid "$name" >/dev/null && healthy "$name" || return 1
  done
}

cmd_up() {
  local start="$EPOCHREALTIME"
  cmd_build
  build_promtool
  lock 9 "$STATE_DIR.lock"
  restart_if_binaries_changed
  if all_healthy && kubectl_admin wait --for=condition=Ready node -l type=kwok --timeout=5s >/dev/null 2>&1; then
    log "already up ($(since "$start")): KUBECONFIG=$ADMIN_KUBECONFIG"
    return 0
  fi
  ensure_state
  start_component etcd
  wait_healthy etcd
  start_component kube-apiserver
  wait_healthy kube-apiserver
  # These three only need the API server; they start together.
  local name
  for name in kube-controller-manager kube-scheduler kwok; do start_component "$name"; done
  for name in kube-controller-manager kube-scheduler kwok; do wait_healthy "$name"; done
  ensure_cluster_objects
  wait_cluster_ready
  log "up in $(since "$start"): KUBECONFIG=$ADMIN_KUBECONFIG"
}

stop_all() {
  local i
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do stop_component "${COMPONENTS[i]}"; done
}

cmd_down() {
  lock 9 "$STATE_DIR.lock"
  stop_all
  if [[ "${1:-}" == "--purge" && -d "$STATE_DIR" ]]; then
    [[ -f "$STATE_MARKER" ]] || die "not purging $STATE_DIR: it has no $(basename "$STATE_MARKER") marker"
    rm -rf "$STATE_DIR"
    log "purged $STATE_DIR"
  fi
}

# One line per component: NAME|PID|STATE (healthy, unhealthy or stopped); PID empty when stopped.
status_rows() {
  local name pid state
  for name in "${COMPONENTS[@]}"; do
    if pid="$(running_pid "$name" 2>/dev/null)"; then
      if healthy "$name"; then state=healthy; else state=unhealthy; fi
    else
      pid="" state=stopped
    fi
    printf '%s|%s|%s\n' "$name" "$pid" "$state"
  done
}

# The same shape as `hack/stack.sh status --json`, hand-built (plain tokens only, no jq needed).
status_json() {
  local name pid state ports first=1
  printf '['
  while IFS='|' read -r name pid state; do
    ports="$(port_of "$name")"
    [[ "$name" == etcd ]] && ports+=",$ETCD_PEER_PORT"
    [[ "$first" == 1 ]] || printf ','
    first=0
    printf '\n  {"name":"%s","kind":"control-plane","pid":%s,"ports":[%s],"healthy":%s,"state":"%s","log":"%s"}' \
      "$name" "${pid:-null}" "$ports" "$([[ $state == healthy ]] && echo true || echo false)" "$state" "$LOGS/$name.log"
  done < <(status_rows)
  printf '\n]\n'
}

cmd_status() {
  if [[ "${1:-}" == --json ]]; then
    status_json
    return 0
  fi
  local name pid state all=0
  printf '%-24s %-8s %-6s %s\n' COMPONENT PID PORT HEALTH
  while IFS='|' read -r name pid state; do
    [[ "$state" == healthy ]] || all=1
    printf '%-24s %-8s %-6s %s\n' "$name" "${pid:--}" "$(port_of "$name")" "$state"
  done < <(status_rows)
  if ((all == 0)); then
    echo
    kubectl_admin get nodes -L topology.kubernetes.io/zone
  fi
  echo
  echo "state: $STATE_DIR (logs in $LOGS)"
  echo "binaries: $BIN$([[ -f "$K8S_HOME/.complete" ]] || echo ' (not built)')"
  return $((all == 0 ? 0 : 3))
}

cmd_env() {
  cat <<EOF
export MAILCLUSTER_TESTENV_DIR='$STATE_DIR'
export MAILCLUSTER_K8S_VERSION='$K8S_VERSION'
export MAILCLUSTER_K8S_BIN='$BIN'
export MAILCLUSTER_K8S_API='$APISERVER_URL'
export KUBECONFIG='$ADMIN_KUBECONFIG'
export KUBECTL='$BIN/kubectl'
export HELM='$BIN/helm'
export PROMTOOL='$PROMTOOL'
export HELM_CACHE_HOME='$STATE_DIR/helm/cache'
export HELM_CONFIG_HOME='$STATE_DIR/helm/config'
export HELM_DATA_HOME='$STATE_DIR/helm/data'
export PATH='$BIN':"\$PATH"
EOF
}

main() {
  local cmd="${1:-}"
  shift || true
  case "$cmd" in
    build) cmd_build && build_promtool ;;
    up) cmd_up ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    env) cmd_env ;;
    pin) cmd_pin ;;
    *)
      # The header comment of this file is the usage.
      awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "${BASH_SOURCE[0]}" >&2
      exit 2
      ;;
  esac
}

main "$@"
