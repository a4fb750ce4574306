#!/usr/bin/env bash
# Starts a second PostgreSQL cluster that speaks TLS, for the TLS tests.
#
# It listens on 127.0.0.1:5433 with a server certificate for the host name
# `localhost` only, signed by a throwaway CA made here, so the tests can check
# that verify-full accepts `localhost` and refuses `127.0.0.1`. Idempotent:
# a second run reuses the cluster and the certificates.
#
# Prints the two variables the tests read:
#   CANVASS_TEST_POSTGRES_TLS_URL  postgres://postgres@localhost:5433/postgres
#   CANVASS_TEST_POSTGRES_TLS_CA   the CA certificate (PEM)
set -euo pipefail

# Only the two variable lines go to stdout (the caller exports them); every
# other tool's chatter (pg_ctlcluster prints "Removed stale pid file.", for
# one) goes to stderr.
exec 3>&1 1>&2

PORT="${CANVASS_TLS_PG_PORT:-5433}"
CLUSTER=canvass_tls
VERSION="$(ls /usr/lib/postgresql | sort -n | tail -1)"
CERTS=/var/lib/postgresql/canvass-tls-certs
CA_OUT=/tmp/canvass-tls-ca.pem
# Its own socket directory, so a lock file left in /var/run/postgresql by a
# server that died (or by the machine image) cannot stop this one starting.
SOCKETS=/var/lib/postgresql/canvass-tls-sockets

mkdir -p "$CERTS" "$SOCKETS"
if [ ! -s "$CERTS/server.crt" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=canvass test CA" \
    -keyout "$CERTS/ca.key" -out "$CERTS/ca.crt" >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$CERTS/server.key" -out "$CERTS/server.csr" >/dev/null 2>&1
  printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' \
    >"$CERTS/server.ext"
  openssl x509 -req -in "$CERTS/server.csr" -CA "$CERTS/ca.crt" -CAkey "$CERTS/ca.key" \
    -CAcreateserial -days 3650 -extfile "$CERTS/server.ext" -out "$CERTS/server.crt" >/dev/null 2>&1
fi
chown -R postgres:postgres "$CERTS" "$SOCKETS"
chmod 600 "$CERTS/server.key" "$CERTS/ca.key"
cp "$CERTS/ca.crt" "$CA_OUT"
chmod 644 "$CA_OUT"

if ! pg_lsclusters -h | awk '{print $2}' | grep -qx "$CLUSTER"; then
  pg_createcluster "$VERSION" "$CLUSTER" -p "$PORT" >/dev/null
fi
CONF="/etc/postgresql/$VERSION/$CLUSTER"
cat >"$CONF/conf.d/canvass-tls.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCKETS'
ssl = on
ssl_cert_file = '$CERTS/server.crt'
ssl_key_file = '$CERTS/server.key'
CONF
cat >"$CONF/pg_hba.conf" <<HBA
local all all trust
host all all 127.0.0.1/32 trust
host all all ::1/128 trust
HBA
if pg_lsclusters -h | awk -v c="$CLUSTER" '$2 == c {print $4}' | grep -qx online; then
  pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$CLUSTER" reload 3>&- </dev/null
else
  # A server that died leaves its pid and socket lock files behind.
  rm -f "$SOCKETS/.s.PGSQL.$PORT" "$SOCKETS/.s.PGSQL.$PORT.lock"
  # The server must not inherit fd 3 (the caller's stdout): a daemon holding
  # it open would keep the caller's read waiting for ever.
  pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$CLUSTER" start 3>&- </dev/null
fi
for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p "$PORT" -q && break; sleep 1; done
pg_isready -h 127.0.0.1 -p "$PORT" -q

echo "CANVASS_TEST_POSTGRES_TLS_URL=postgres://postgres@localhost:$PORT/postgres" >&3
echo "CANVASS_TEST_POSTGRES_TLS_CA=$CA_OUT" >&3
