#!/usr/bin/env bash
# Brings the whole system up on this machine and shows it working: starts the local stack
# (installing what is missing), creates a demo domain and user, sends them a welcome mail through
# SMTP with swaks, lists their inbox once the writers have stored it, and ends with the webmail's
# URL and the demo user's credentials.
#
#   hack/demo.sh            # then open the webmail URL it prints and sign in
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DEMO_DOMAIN=mailcluster.test
DEMO_USER="demo@$DEMO_DOMAIN"
DEMO_PASSWORD='open sesame 2026'

say() { printf '\n==> %s\n' "$*"; }

say "starting the local stack (MariaDB x2, NATS JetStream x3, smtp-ingest, writers, webmail)"
hack/stack.sh up
eval "$(hack/stack.sh env)"
mailctl() { node_modules/.bin/node services/admin/src/cli/mailctl.ts "$@"; }

say "hosting $DEMO_DOMAIN and creating $DEMO_USER"
mailctl domain add "$DEMO_DOMAIN"
if ! mailctl user list --domain "$DEMO_DOMAIN" | grep -q "^$DEMO_USER "; then
  printf '%s\n' "$DEMO_PASSWORD" | mailctl user add "$DEMO_USER" --password-stdin --name "Demo User"
fi

say "sending a welcome mail through SMTP ($MAILCLUSTER_SMTP, STARTTLS)"
subject="Welcome to mailcluster ($(date -u +%H:%M:%S))"
swaks --silent 1 --server "$MAILCLUSTER_SMTP" --tls --tls-verify --tls-ca-path "$MAILCLUSTER_TLS_CERT_FILE" \
  --from welcome@example.org --to "$DEMO_USER" --header "Subject: $subject" \
  --body $'Hello,\n\nthis message went through smtp-ingest, NATS JetStream and a writer into your shard table.\n'
echo "250: accepted, every copy acknowledged by JetStream (3 replicas)"

say "waiting for a writer to store it"
for _ in $(seq 1 50); do
  if mailctl mail list "$DEMO_USER" --limit 5 | grep -qF "$subject"; then break; fi
  sleep 0.2
done
mailctl mail list "$DEMO_USER" --limit 5

cat <<EOT

The system is up. Try it:
  eval "\$(hack/stack.sh env)"
  swaks --server \$MAILCLUSTER_SMTP --to $DEMO_USER --from you@example.org
  npx mailctl mail list $DEMO_USER
  hack/stack.sh status        # every process, its pid, ports and health
  hack/stack.sh down          # stop it all (--purge also deletes the data)

Webmail: $MAILCLUSTER_WEB_URL
  sign in as $DEMO_USER, password: $DEMO_PASSWORD
  (the welcome mail above is in the inbox; write to another hosted user, e.g. create one with
   mailctl user add, and it arrives through submission, SMTP ingest, JetStream and a writer)
EOT
