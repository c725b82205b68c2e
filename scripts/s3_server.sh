#!/usr/bin/env bash
# A real S3 server for the archive tests: a single-node Ceph cluster (one monitor, one in-memory OSD) with radosgw
# on loopback and a test user. Installs the Debian packages when they are missing.
#
#   scripts/s3_server.sh start    start (or find running) and print export lines for the endpoint and keys
#   scripts/s3_server.sh stop     stop every daemon and remove the state directory
#   scripts/s3_server.sh status   exit 0 and print the export lines when S3 answers, else exit 1
#
# Environment: CTVS_S3_STATE (state dir, default ${TMPDIR:-/tmp}/ctvs-s3-<uid>), CTVS_S3_PORT (default 7480),
# CTVS_S3_MON_PORT (default 6799), CTVS_S3_MEMSTORE_BYTES (the in-memory OSD's size, default 4 GiB; when it is full
# the OSD drops every write, and radosgw frees deleted objects only hours later). Everything listens on 127.0.0.1
# only; auth between daemons is off. A second server (the upload benchmark's) is another state dir and two ports.
#
# Shared use (test files running in parallel): with CTVS_S3_LEASE=<id>, `start` records a lease and `stop` drops it,
# stopping the server only when no lease is left. start and stop hold a lock, so concurrent calls never race.
set -euo pipefail

STATE="${CTVS_S3_STATE:-${TMPDIR:-/tmp}/ctvs-s3-$(id -u)}"
PORT="${CTVS_S3_PORT:-7480}"
MON_PORT="${CTVS_S3_MON_PORT:-6799}"
MEMSTORE_BYTES="${CTVS_S3_MEMSTORE_BYTES:-4294967296}"
ENDPOINT="http://127.0.0.1:${PORT}"
# Fixed test credentials: the server is loopback-only and holds nothing but test data.
ACCESS_KEY="CTVSTESTACCESSKEY000"
SECRET_KEY="ctvs-test-secret-key-0000000000000000000"
CONF="$STATE/ceph.conf"
PACKAGES=(radosgw ceph-mon ceph-osd)
LEASES="${STATE}.leases"
LOCK="${STATE}.lock"
LEASE="${CTVS_S3_LEASE:-}"

log() { echo "s3_server: $*" >&2; }

print_env() {
  echo "export CTVS_S3_ENDPOINT=$ENDPOINT"
  echo "export AWS_ACCESS_KEY_ID=$ACCESS_KEY"
  echo "export AWS_SECRET_ACCESS_KEY=$SECRET_KEY"
  echo "export AWS_REGION=us-east-1"
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

install_packages() {
  local missing=() package
  for package in "${PACKAGES[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  log "installing ${missing[*]} (apt-get)"
  as_root apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# S3 answers when an anonymous GET / gets any HTTP status back.
answering() {
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$ENDPOINT/" 2>/dev/null || true)"
  [ -n "$code" ] && [ "$code" != "000" ]
}

write_conf() {
  local fsid
  fsid="$(cat /proc/sys/kernel/random/uuid)"
  cat >"$CONF" <<EOF
[global]
fsid = $fsid
mon initial members = a
mon host = 127.0.0.1:$MON_PORT
public addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
# With auth off, the "secure" wire mode cannot be negotiated; radosgw's default for talking to the monitor is secure.
ms mon client mode = crc
ms client mode = crc
ms mon service mode = crc
ms service mode = crc
ms cluster mode = crc
osd objectstore = memstore
memstore device bytes = $MEMSTORE_BYTES
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
run dir = $STATE/run
pid file = $STATE/run/\$name.pid
admin socket = $STATE/run/\$name.asok
log file = $STATE/log/\$name.log
mon data = $STATE/mon/\$id
osd data = $STATE/osd/\$id
keyring = $STATE/keyring
[client.rgw.ctvs]
rgw frontends = beast endpoint=127.0.0.1:$PORT
rgw data = $STATE/rgw
rgw init timeout = 60
EOF
}

wait_for() {
  local what="$1" seconds="$2"
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "timed out after ${seconds}s waiting for $what (logs: $STATE/log)"
      return 1
    fi
    sleep 0.3
  done
}

start() {
  install_packages
  if answering; then
    add_lease
    print_env
    return 0
  fi
  stop_daemons
  # A server that is not answering holds no live leases.
  rm -rf "$LEASES"
  rm -rf "$STATE"
  mkdir -p "$STATE"/{run,log,mon/a,osd/0,rgw}
  write_conf
  # Auth is off, but the tools still want a keyring file to exist.
  ceph-authtool --create-keyring "$STATE/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  monmaptool --create --add a "127.0.0.1:$MON_PORT" --fsid "$(sed -n 's/^fsid = //p' "$CONF")" "$STATE/monmap" >/dev/null
  ceph-mon -c "$CONF" --mkfs -i a --monmap "$STATE/monmap" --keyring "$STATE/keyring"
  # Daemons must not inherit the lock (fd 9): they outlive this script and would hold it for ever.
  ceph-mon -c "$CONF" -i a 9>&-
  wait_for "the monitor" 30 ceph -c "$CONF" --connect-timeout 2 mon stat
  local id
  id="$(timeout 30 ceph -c "$CONF" --connect-timeout 10 osd create)"
  ceph-osd -c "$CONF" -i "$id" --mkfs >>"$STATE/log/osd-start.log" 2>&1
  ceph-osd -c "$CONF" -i "$id" 2>>"$STATE/log/osd-start.log" 9>&-
  wait_for "the OSD" 60 osd_up
  timeout 90 radosgw -c "$CONF" -n client.rgw.ctvs 9>&-
  wait_for "radosgw on $ENDPOINT" 60 answering
  radosgw-admin -c "$CONF" user create --uid=ctvs-test --display-name="ctvs tests" \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null
  log "radosgw answering on $ENDPOINT (state: $STATE)"
  add_lease
  print_env
}

add_lease() {
  [ -n "$LEASE" ] || return 0
  mkdir -p "$LEASES"
  touch "$LEASES/$LEASE"
}

osd_up() {
  ceph -c "$CONF" --connect-timeout 2 osd stat 2>/dev/null | grep -q '1 up'
}

stop_daemons() {
  local pid_file pid
  for pid_file in "$STATE"/run/*.pid; do
    [ -f "$pid_file" ] || continue
    pid="$(cat "$pid_file")"
    kill "$pid" 2>/dev/null || true
  done
  for pid_file in "$STATE"/run/*.pid; do
    [ -f "$pid_file" ] || continue
    pid="$(cat "$pid_file")"
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  done
}

stop() {
  if [ -n "$LEASE" ]; then
    rm -f "$LEASES/$LEASE"
    if [ -n "$(ls -A "$LEASES" 2>/dev/null)" ]; then
      log "still leased; left running"
      return 0
    fi
  fi
  rm -rf "$LEASES"
  stop_daemons
  rm -rf "$STATE"
  log "stopped"
}

status() {
  if answering; then
    print_env
    return 0
  fi
  log "not answering on $ENDPOINT"
  return 1
}

locked() {
  exec 9>"$LOCK"
  # Daemons started by an older copy of this script kept the lock open; do not wait for them for ever.
  flock -w 60 9 || log "lock $LOCK still held after 60 s; going on without it"
  "$@"
}

case "${1:-}" in
  start) locked start ;;
  stop) locked stop ;;
  status) status ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
