#!/usr/bin/env bash
# Brings the whole system up on this machine and shows it working: starts the local stack
# (installing what is missing), creates a demo domain and user, sends them a welcome mail through
# SMTP with swaks, lists their inbox once the writers have stored it, has them send a mail out
# through submission to a Postfix smtp-sink standing in for the Internet (DKIM-signed by the
# delivery worker), and ends with the webmail's URL and the demo user's credentials.
#
#   hack/demo.sh            # then open the webmail URL it prints and sign in
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DEMO_DOMAIN=mailcluster.test
DEMO_USER="demo@$DEMO_DOMAIN"
DEMO_PASSWORD='open sesame 2026'

say() { printf '\n==> %s\n' "$*"; }

say "starting the local stack (MariaDB x2, NATS JetStream x3, smtp-ingest, writers, webmail, delivery)"
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

say "sending mail out: $DEMO_USER writes to friend@example.net through submission ($MAILCLUSTER_SUBMISSION)"
# The local stack relays every other domain to 127.0.0.1:2600: here Postfix's smtp-sink answers
# there and keeps what it gets, as the remote server would.
sink_dir=$(mktemp -d) && chmod 777 "$sink_dir"
/usr/sbin/smtp-sink -u nobody -h example.net -d "$sink_dir/%H%M%S." 127.0.0.1:2600 16 &
sink_pid=$!
trap 'kill "$sink_pid" 2>/dev/null; rm -rf "$sink_dir"' EXIT
swaks --silent 1 --server "$MAILCLUSTER_SUBMISSION" --tls --tls-verify --tls-ca-path "$MAILCLUSTER_TLS_CERT_FILE" \
  --auth PLAIN --auth-user "$DEMO_USER" --auth-password "$DEMO_PASSWORD" \
  --from "$DEMO_USER" --to friend@example.net --header "Subject: Hello from mailcluster" \
  --body $'This one left through the outbound queue (MAIL_OUT) and a delivery worker.\n'
for _ in $(seq 1 100); do
  if [ -n "$(ls -A "$sink_dir")" ]; then break; fi
  sleep 0.2
done
if [ -z "$(ls -A "$sink_dir")" ]; then
  echo "not delivered yet; see: npx mailctl queue list" >&2
else
  echo "the remote server received it, signed:"
  grep -h -m1 -A1 '^DKIM-Signature:' "$sink_dir"/* | cut -c1-100
fi
echo "the DNS record receivers check that signature against:"
mailctl domain dkim "$DEMO_DOMAIN" | tail -n 1 | cut -c1-100

cat <<EOT

The system is up. Try it:
  eval "\$(hack/stack.sh env)"
  swaks --server \$MAILCLUSTER_SMTP --to $DEMO_USER --from you@example.org
  npx mailctl mail list $DEMO_USER
  npx mailctl queue list      # outbound mail still waiting (start smtp-sink on 127.0.0.1:2600 to let it go)
  hack/stack.sh status        # every process, its pid, ports and health
  hack/stack.sh down          # stop it all (--purge also deletes the data)

Webmail: $MAILCLUSTER_WEB_URL
  sign in as $DEMO_USER, password: $DEMO_PASSWORD
  (the welcome mail above is in the inbox; write to another hosted user, e.g. create one with
   mailctl user add, and it arrives through submission, SMTP ingest, JetStream and a writer)
EOT
