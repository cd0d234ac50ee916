#!/usr/bin/env bash
# The whole path on a real cluster, for a machine with Docker: a kind cluster, the images built from
# this checkout and loaded into it, the Helm chart, examples/mailcluster.yaml scaled down to fit a
# laptop, a user, a mail sent with swaks to the SMTP LoadBalancer Service, and that mail read back
# through the web Ingress's JSON API. cloud-provider-kind (a container beside the cluster) gives the
# LoadBalancer and the Ingress their addresses, as a cloud would; on Linux the host reaches them
# directly. Not run by CI (no Docker there); see README, "Deploy on Kubernetes".
#
#   hack/kind-e2e.sh           # needs docker, kind, kubectl, helm, swaks, curl (Linux: the kind network is routed)
#   KEEP=1 hack/kind-e2e.sh    # leave the cluster running afterwards (kind delete cluster --name mailcluster)
set -euo pipefail
cd "$(dirname "$0")/.."

CLUSTER=${CLUSTER:-mailcluster}
TAG=kind-e2e            # local images, never pulled: the chart and the operator are pointed at them
USERS=${USERS:-1000}    # 1 web, 2 smtp, 1 db, 1 writer, 3 NATS pods
# Since v0.9 it implements Ingress (IngressClass cloud-provider-kind) as well as LoadBalancer Services.
CLOUD_PROVIDER_KIND_IMAGE=registry.k8s.io/cloud-provider-kind/cloud-controller-manager:v0.10.0
USER_ADDRESS=kind@example.com
WEB_HOST=mail.example.com   # the example's spec.web.ingress.host
PASSWORD='kind e2e password 2026'
SUBJECT="hello from kind $(date +%s)"

for tool in docker kind kubectl helm swaks curl; do
  command -v "$tool" >/dev/null || { echo "kind-e2e: $tool is needed" >&2; exit 1; }
done

step() { printf '\n== %s\n' "$*"; }
cleanup() {
  if [[ -z "${KEEP:-}" ]]; then
    docker rm -f "$CLUSTER-cloud-provider" >/dev/null 2>&1 || true
    kind delete cluster --name "$CLUSTER"
  fi
}
trap cleanup EXIT

step "kind cluster $CLUSTER, with cloud-provider-kind for LoadBalancers and Ingresses"
kind get clusters | grep -x "$CLUSTER" >/dev/null || kind create cluster --name "$CLUSTER" --wait 2m
kubectl config use-context "kind-$CLUSTER"
docker inspect "$CLUSTER-cloud-provider" >/dev/null 2>&1 ||
  docker run -d --name "$CLUSTER-cloud-provider" --network kind \
    -v /var/run/docker.sock:/var/run/docker.sock "$CLOUD_PROVIDER_KIND_IMAGE"

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
kubectl patch -n mail mailcluster mail --type merge \
  -p "{\"spec\":{\"users\":$USERS,\"web\":{\"ingress\":{\"className\":\"cloud-provider-kind\"}}}}"
kubectl wait -n mail mailcluster/mail --for=condition=Ready --timeout=15m
kubectl get -n mail mailclusters

step "a user, made with mailctl inside an smtp-ingest pod (its environment reaches the dbs)"
mailctl() { kubectl exec -i -n mail mail-smtp-0 -c smtp-ingest -- node services/admin/src/cli/mailctl.ts "$@"; }
mailctl domain add example.com
printf '%s\n' "$PASSWORD" | mailctl user add "$USER_ADDRESS" --password-stdin --name "Kind E2E"

# The address a Service or Ingress got from cloud-provider-kind.
address_of() {
  local ip=''
  for _ in $(seq 60); do
    ip=$(kubectl get -n mail "$1" -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
    [[ -n "$ip" ]] && { echo "$ip"; return; }
    sleep 2
  done
  echo "kind-e2e: $1 got no address from cloud-provider-kind within 2 minutes" >&2; exit 1
}

step "a mail through the SMTP LoadBalancer"
smtp_ip=$(address_of service/mail-smtp)
swaks --server "$smtp_ip:25" --from someone@example.org --to "$USER_ADDRESS" --header "Subject: $SUBJECT"

step "the mail, read through the web Ingress ($WEB_HOST)"
web_ip=$(address_of ingress/mail-web)
# The session cookie is Secure (__Host-) and this Ingress has no TLS: curl would not keep it from a
# plain-http origin, so it is carried by hand.
cookie=$(curl -fsS -o /dev/null -D - -H "Host: $WEB_HOST" -H 'content-type: application/json' \
  -d "{\"address\":\"$USER_ADDRESS\",\"password\":\"$PASSWORD\"}" "http://$web_ip/api/session" |
  sed -n 's/^set-cookie: *\([^;]*\).*/\1/Ip' | head -1)
[[ -n "$cookie" ]] || { echo "kind-e2e: signing in through the Ingress gave no session cookie" >&2; exit 1; }
web() { curl -fsS -H "Host: $WEB_HOST" -H "Cookie: $cookie" "$@"; }
arrived=''
for _ in $(seq 60); do
  if web "http://$web_ip/api/folders/inbox/messages?limit=10" | grep -qF "$SUBJECT"; then arrived=1; break; fi
  sleep 2
done
[[ -n "$arrived" ]] || { echo "kind-e2e: the mail did not arrive within 2 minutes" >&2; exit 1; }
echo "kind-e2e: \"$SUBJECT\" went in through the SMTP LoadBalancer and is in $USER_ADDRESS's inbox, read through the Ingress"
