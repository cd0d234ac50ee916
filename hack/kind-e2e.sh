#!/usr/bin/env bash
# The whole path on a real cluster, for a machine with Docker: a kind cluster, the images built from
# this checkout and loaded into it, the Helm chart, examples/mailcluster.yaml scaled down to fit a
# laptop, a user, a mail sent with swaks to the SMTP Service, and that mail read back through the
# web Service's JSON API. Port-forwards stand in for the LoadBalancer and the Ingress, which kind
# does not provide. Not run by CI (no Docker there); see README, "Deploy on Kubernetes".
#
#   hack/kind-e2e.sh           # needs docker, kind, kubectl, helm, swaks, curl
#   KEEP=1 hack/kind-e2e.sh    # leave the cluster running afterwards (kind delete cluster --name mailcluster)
set -euo pipefail
cd "$(dirname "$0")/.."

CLUSTER=${CLUSTER:-mailcluster}
TAG=kind-e2e            # local images, never pulled: the chart and the operator are pointed at them
USERS=${USERS:-1000}    # 1 web, 2 smtp, 1 db, 1 writer, 3 NATS pods
USER_ADDRESS=kind@example.com
PASSWORD='kind e2e password 2026'
SUBJECT="hello from kind $(date +%s)"

for tool in docker kind kubectl helm swaks curl; do
  command -v "$tool" >/dev/null || { echo "kind-e2e: $tool is needed" >&2; exit 1; }
done

step() { printf '\n== %s\n' "$*"; }
pids=()
jar=$(mktemp)
cleanup() {
  rm -f "$jar"
  if ((${#pids[@]})); then kill "${pids[@]}" 2>/dev/null || true; fi
  if [[ -z "${KEEP:-}" ]]; then kind delete cluster --name "$CLUSTER"; fi
}
trap cleanup EXIT

step "kind cluster $CLUSTER"
kind get clusters | grep -x "$CLUSTER" >/dev/null || kind create cluster --name "$CLUSTER" --wait 2m
kubectl config use-context "kind-$CLUSTER"

step "images (Dockerfile targets), loaded into the cluster"
for target in operator smtp-ingest writer web delivery; do
  docker build --target "$target" -t "mailcluster/$target:$TAG" .
  kind load docker-image --name "$CLUSTER" "mailcluster/$target:$TAG"
done

step "the chart"
helm upgrade --install mailcluster-operator charts/mailcluster-operator \
  --namespace mailcluster-system --create-namespace --wait --timeout 5m \
  --set container.image.repository=mailcluster/operator --set container.image.tag="$TAG" \
  --set config.images.web="mailcluster/web:$TAG" \
  --set config.images.smtpIngest="mailcluster/smtp-ingest:$TAG" \
  --set config.images.writer="mailcluster/writer:$TAG" \
  --set config.images.delivery="mailcluster/delivery:$TAG"

step "examples/mailcluster.yaml in namespace mail, scaled to $USERS users"
kubectl create namespace mail --dry-run=client -o yaml | kubectl apply -f -
kubectl label namespace mail pod-security.kubernetes.io/enforce=restricted --overwrite
kubectl apply -n mail -f examples/mailcluster.yaml
kubectl patch -n mail mailcluster mail --type merge -p "{\"spec\":{\"users\":$USERS}}"
kubectl wait -n mail mailcluster/mail --for=condition=Ready --timeout=15m
kubectl get -n mail mailclusters

step "a user, made with mailctl inside an smtp-ingest pod (its environment reaches the dbs)"
mailctl() { kubectl exec -i -n mail mail-smtp-0 -c smtp-ingest -- node services/admin/src/cli/mailctl.ts "$@"; }
mailctl domain add example.com
printf '%s\n' "$PASSWORD" | mailctl user add "$USER_ADDRESS" --password-stdin --name "Kind E2E"

step "a mail through the SMTP Service"
kubectl port-forward -n mail svc/mail-smtp 2525:25 >/dev/null & pids+=($!)
kubectl port-forward -n mail svc/mail-web 8080:80 >/dev/null & pids+=($!)
sleep 3
swaks --server 127.0.0.1:2525 --from someone@example.org --to "$USER_ADDRESS" --header "Subject: $SUBJECT"

step "the mail, read through the web Service"
curl -fsS -c "$jar" -H 'content-type: application/json' \
  -d "{\"address\":\"$USER_ADDRESS\",\"password\":\"$PASSWORD\"}" http://127.0.0.1:8080/api/session >/dev/null
arrived=''
for _ in $(seq 60); do
  if curl -fsS -b "$jar" 'http://127.0.0.1:8080/api/folders/inbox/messages?limit=10' | grep -qF "$SUBJECT"; then arrived=1; break; fi
  sleep 2
done
[[ -n "$arrived" ]] || { echo "kind-e2e: the mail did not arrive within 2 minutes" >&2; exit 1; }
echo "kind-e2e: \"$SUBJECT\" went in over SMTP and is in $USER_ADDRESS's inbox on the web"
