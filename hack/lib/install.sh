# shellcheck shell=bash source-path=SCRIPTDIR
# Installs the tools the local stack and the tests need, idempotently:
#   - Debian packages through apt-get (mariadb-server, mariadb-client, openssl, curl),
#     without letting Debian start its own MariaDB service on 3306;
#   - Go-built binaries from the Go module proxy, cached by version outside the checkout
#     (nats-server now; hack/testenv.sh can reuse mc_go_install for the Kubernetes tools).
#
# Source it (it defines functions only) and call mc_install_stack_tools, or the pieces.
# Every function is a fast no-op when its tool is already there.
#
# Environment:
#   MAILCLUSTER_CACHE_DIR  cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/mailcluster)

if [[ -n "${_MC_INSTALL_SH:-}" ]]; then return 0; fi
_MC_INSTALL_SH=1

MC_REPO_ROOT="${MC_REPO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
MC_CACHE_DIR="${MAILCLUSTER_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mailcluster}"

# Pinned versions (NATS_SERVER_VERSION, and whatever else other scripts pin there).
# shellcheck source=../versions.env
source "$MC_REPO_ROOT/hack/versions.env"

mc_install_log() { printf 'install: %s\n' "$*" >&2; }

# Prints the packages not installed. A package counts only in state "install ok installed" (not
# merely known to dpkg). One dpkg-query for all: it is on the path of every no-op `up`.
mc_apt_missing() {
  local -A ok=()
  local pkg status
  while read -r pkg status; do
    [[ "$status" == "install ok installed" ]] && ok[$pkg]=1
  done < <(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null || true)
  for pkg in "$@"; do
    [[ -n "${ok[$pkg]:-}" ]] || printf '%s\n' "$pkg"
  done
}

# mc_apt_install PKG...: installs the missing ones. Package maintainer scripts may not start services:
# a policy-rc.d that forbids every action (exit 101) is put in place for the duration of the install
# unless one already exists (Docker-style images ship exactly that file).
mc_apt_install() {
  local missing
  missing="$(mc_apt_missing "$@")"
  [[ -z "$missing" ]] && return 0
  # shellcheck disable=SC2086 # one package name per word, on purpose
  set -- $missing
  if [[ "$(id -u)" != 0 ]]; then
    mc_install_log "missing Debian packages ($*) and not root: run as root or install them"
    return 1
  fi
  local policy=/usr/sbin/policy-rc.d own_policy=0 log rc=0
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\n# temporary, from mailcluster hack/lib/install.sh: no service starts during install\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    own_policy=1
  fi
  log="$(mktemp -t mailcluster-apt.XXXXXX)"
  mc_install_log "apt-get install $* (log: $log)"
  # Lock timeout: another script (hack/testenv.sh, a test runner) may be running apt at the same time.
  {
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update &&
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$@"
  } >"$log" 2>&1 || rc=$?
  if [[ "$own_policy" == 1 ]]; then rm -f "$policy"; fi
  if [[ "$rc" != 0 ]]; then
    mc_install_log "apt-get failed (exit $rc); last lines of $log:"
    tail -n 20 "$log" >&2
    return "$rc"
  fi
  rm -f "$log"
  mc_install_log "installed $*"
}

# Debian's mariadb-server package ships a system service on 3306 that the stack never uses (it runs
# its own instances on 13306/13307). Keep it disabled and stopped, whoever started it.
mc_disable_system_mariadb() {
  if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null; then
    if systemctl is-enabled --quiet mariadb.service 2>/dev/null || systemctl is-active --quiet mariadb.service 2>/dev/null; then
      mc_install_log "disabling and stopping Debian's mariadb.service (the stack runs its own instances)"
      systemctl disable --now mariadb.service >/dev/null 2>&1 || true
    fi
    return 0
  fi
  # No systemd (containers, this VM): sysvinit links and the init script's pid file.
  if [[ -x /etc/init.d/mariadb ]] && compgen -G '/etc/rc[2-5].d/S*mariadb' >/dev/null; then
    update-rc.d mariadb disable >/dev/null 2>&1 || true
  fi
  local pidfile=/run/mysqld/mysqld.pid pid
  if [[ -s "$pidfile" ]]; then
    pid="$(cat "$pidfile")"
    if kill -0 "$pid" 2>/dev/null; then
      mc_install_log "stopping Debian's system MariaDB (pid $pid, port 3306): the stack runs its own instances"
      /etc/init.d/mariadb stop >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
    fi
  fi
}

# mc_go_install NAME MODULE_PATH VERSION [BINARY]: `go install MODULE_PATH@VERSION` into
# $MC_CACHE_DIR/NAME-VERSION/ and prints the binary's path. Cached: a second call costs nothing.
# Progress: one line per 25 compiled packages (go install -v), not the whole list.
mc_go_install() {
  local name="$1" module="$2" version="$3" binary="${4:-$1}"
  local dir="$MC_CACHE_DIR/$name-$version"
  if [[ -x "$dir/$binary" ]]; then
    printf '%s\n' "$dir/$binary"
    return 0
  fi
  if ! command -v go >/dev/null; then
    if [[ -x /usr/local/go/bin/go ]]; then PATH="/usr/local/go/bin:$PATH"; else
      mc_install_log "go not found: needed to build $name $version"
      return 1
    fi
  fi
  mkdir -p "$MC_CACHE_DIR"
  # One build at a time per tool and version (hack/testenv.sh may ask for the same one concurrently);
  # whoever waited finds the cache filled.
  local lockfd
  exec {lockfd}>"$MC_CACHE_DIR/.$name-$version.lock"
  flock "$lockfd"
  if [[ -x "$dir/$binary" ]]; then
    exec {lockfd}>&-
    printf '%s\n' "$dir/$binary"
    return 0
  fi
  rm -rf "$dir.tmp"
  mkdir -p "$dir.tmp"
  local log="$dir.tmp/build.log" rc=0 start=$SECONDS
  mc_install_log "building $name $version from the Go module proxy ($module@$version) ..."
  # Build into a temporary GOBIN and rename, so an interrupted build never leaves a half cache.
  # CGO off: a static binary that does not depend on the machine's libc.
  (
    cd "$dir.tmp" &&
      CGO_ENABLED=0 GOBIN="$dir.tmp" go install -v -trimpath "$module@$version" 2>&1 | tee "$log" | awk -v name="$name" '
          /^go: downloading/ { d++; if (d % 25 == 1) { printf "install: %s: downloading modules (%d) ...\n", name, d; fflush() } next }
          { n++; if (n % 25 == 0) { printf "install: %s: compiled %d packages ...\n", name, n; fflush() } }' >&2
    exit "${PIPESTATUS[0]}"
  ) || rc=$?
  if [[ "$rc" != 0 || ! -x "$dir.tmp/$binary" ]]; then
    mc_install_log "go install $module@$version failed (exit $rc); last lines of $log:"
    tail -n 20 "$log" >&2
    exec {lockfd}>&-
    return 1
  fi
  rm -f "$log"
  rm -rf "$dir"
  mv "$dir.tmp" "$dir"
  exec {lockfd}>&-
  mc_install_log "built $name $version in $((SECONDS - start))s -> $dir/$binary"
  printf '%s\n' "$dir/$binary"
}

# Sets NATS_SERVER_BIN.
mc_install_nats_server() {
  NATS_SERVER_BIN="$(mc_go_install nats-server github.com/nats-io/nats-server/v2 "$NATS_SERVER_VERSION" nats-server)"
  export NATS_SERVER_BIN
}

# The repo's npm dependencies, Node 24 among them (the node@24 devDependency): `npm ci` when
# node_modules is missing or older than package-lock.json. npm itself may run on the system Node.
mc_install_node_modules() {
  local marker="$MC_REPO_ROOT/node_modules/.package-lock.json"
  if [[ -x "$MC_REPO_ROOT/node_modules/.bin/node" && "$marker" -nt "$MC_REPO_ROOT/package-lock.json" ]]; then return 0; fi
  command -v npm >/dev/null || { mc_install_log "npm not found: install Node.js (any version with npm) first"; return 1; }
  mc_install_log "npm ci (node_modules missing or older than package-lock.json) ..."
  (cd "$MC_REPO_ROOT" && npm ci --no-audit --no-fund --loglevel=error) >&2
}

# swaks: the demo and the docs send mail with it, as a user would (Net::SSLeay gives it STARTTLS).
# postfix: its smtp-sink plays the remote servers of outbound mail, and smtp-source and Postfix
# itself are the benchmarks' peers (its own service never starts: see mc_apt_install).
MC_STACK_APT_PACKAGES=(mariadb-server mariadb-client openssl curl swaks libnet-ssleay-perl postfix)

mc_install_mariadb_etc() {
  mc_apt_install "${MC_STACK_APT_PACKAGES[@]}"
  mc_disable_system_mariadb
}

# Everything hack/stack.sh needs. The apt install (mostly I/O, one core) and the nats-server build
# (CPU) run side by side when both are needed.
mc_install_stack_tools() {
  local apt_pid="" rc=0
  if [[ -n "$(mc_apt_missing "${MC_STACK_APT_PACKAGES[@]}")" ]]; then
    mc_install_mariadb_etc &
    apt_pid=$!
  else
    mc_disable_system_mariadb
  fi
  mc_install_nats_server || rc=1
  mc_install_node_modules || rc=1
  if [[ -n "$apt_pid" ]]; then wait "$apt_pid" || rc=1; fi
  return "$rc"
}

# The browser the webmail tests drive (playwright-core with executablePath /usr/bin/chromium):
# Debian's chromium, since `npx playwright install` downloads a build of its own, which cannot work here.
mc_install_browser() {
  mc_apt_install chromium fonts-dejavu-core
}
