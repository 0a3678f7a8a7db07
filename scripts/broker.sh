#!/usr/bin/env bash
# broker.sh makes sure a RabbitMQ broker answers on 127.0.0.1:5672 (AMQP) with
# the management API on 127.0.0.1:15672, which is what warren's integration
# tests and `make demo` expect (guest/guest, loopback only).
#
# It is idempotent: when both already answer it prints one line and exits at
# once. Otherwise it installs Debian's rabbitmq-server if missing (root only),
# enables rabbitmq_management, starts the node detached (no systemd needed) and
# waits, bounded, until both ports answer. It never stops a running broker.
#
# Environment: BROKER_WAIT_SECONDS (default 90) bounds the wait.
set -euo pipefail

readonly HOST=127.0.0.1
readonly AMQP_PORT=5672
readonly MGMT_PORT=15672
readonly WAIT_SECONDS="${BROKER_WAIT_SECONDS:-90}"

# Debian puts the RabbitMQ commands in /usr/sbin, which is not on a normal
# user's PATH.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

log() { printf 'broker.sh: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

# amqp_up succeeds when something on the AMQP port answers the AMQP 0-9-1
# protocol header with a frame (a connection.start method frame starts with
# byte 0x01). A bare TCP connect would also accept an unrelated service.
amqp_up() {
	timeout 5 bash -c '
		exec 3<>"/dev/tcp/$0/$1" || exit 1
		printf "AMQP\x00\x00\x09\x01" >&3
		first=$(head -c 1 <&3 | od -An -tx1 | tr -d " \n")
		[ "$first" = "01" ]
	' "$HOST" "$AMQP_PORT" 2>/dev/null
}

# mgmt_up asks the management API for its overview; without curl, an open
# port is the best available sign.
mgmt_up() {
	if command -v curl >/dev/null 2>&1; then
		curl -fsS -m 5 -o /dev/null -u guest:guest "http://$HOST:$MGMT_PORT/api/overview" 2>/dev/null
	else
		timeout 5 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$HOST" "$MGMT_PORT" 2>/dev/null
	fi
}

ready() {
	printf 'broker: RabbitMQ is up: amqp://guest:guest@%s:%s/ (management http://%s:%s/)\n' \
		"$HOST" "$AMQP_PORT" "$HOST" "$MGMT_PORT"
}

if amqp_up && mgmt_up; then
	ready
	exit 0
fi

is_root() { [ "$(id -u)" -eq 0 ]; }

# Installing needs root, and Debian's wrappers for rabbitmqctl and friends only
# work for root and the rabbitmq user: anyone else can only be told what to do.
if ! is_root && [ "$(id -un)" != rabbitmq ]; then
	if ! command -v rabbitmq-server >/dev/null 2>&1; then
		die "rabbitmq-server is not installed and installing it needs root: run 'sudo $0', or start a broker on $HOST:$AMQP_PORT with the management plugin on $HOST:$MGMT_PORT yourself"
	fi
	die "no RabbitMQ with management answers on $HOST:$AMQP_PORT and $HOST:$MGMT_PORT, and managing the installed node needs root: run 'sudo $0'"
fi

# Two runs at once (make test in two shells) would both see a stopped node and
# both start it. A lock serialises them; the loser re-checks and finds the
# broker up. Without flock, or without access to the lock file, go on unlocked.
lock="${TMPDIR:-/tmp}/warren-broker.lock"
if command -v flock >/dev/null 2>&1 && { exec 9>>"$lock"; } 2>/dev/null; then
	flock -w $((WAIT_SECONDS + 300)) 9 || die "timed out waiting for another broker.sh (lock $lock)"
	if amqp_up && mgmt_up; then
		ready
		exit 0
	fi
fi

if ! command -v rabbitmq-server >/dev/null 2>&1; then
	is_root || die "rabbitmq-server is not installed and installing it needs root: run 'sudo $0'"
	command -v apt-get >/dev/null 2>&1 || die "rabbitmq-server is not installed and apt-get is missing: install RabbitMQ yourself, or start a broker on $HOST:$AMQP_PORT with the management plugin on $HOST:$MGMT_PORT"
	log "installing rabbitmq-server with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >&2 || die "apt-get update failed"
	# 9>&-: the package's maintainer scripts may start the broker, which must
	# not inherit (and so hold forever) the lock.
	apt-get install -y -q rabbitmq-server 9>&- >&2 || die "apt-get install rabbitmq-server failed"
	command -v rabbitmq-server >/dev/null 2>&1 || die "rabbitmq-server is still missing after apt-get install"
fi

# node_running is true when the Erlang node answers rabbitmqctl, even if the
# RabbitMQ application inside it is still booting.
node_running() { timeout 30 rabbitmqctl -q ping >/dev/null 2>&1; }

if node_running; then
	if ! amqp_up; then
		# The application inside the node was stopped (rabbitmqctl stop_app)
		# or is still booting; start_app starts it or waits for the boot.
		log "node is running but AMQP does not answer: rabbitmqctl start_app"
		timeout 120 rabbitmqctl -q start_app >&2 || die "rabbitmqctl start_app failed; see /var/log/rabbitmq/"
	fi
	if ! mgmt_up; then
		log "node is running without the management API: enabling rabbitmq_management"
		timeout 120 rabbitmq-plugins -q enable --online rabbitmq_management >&2 ||
			die "could not enable rabbitmq_management on the running node (see rabbitmq-plugins list)"
	fi
else
	log "starting rabbitmq-server (detached)"
	# The node is down, so the plugin list must be changed in the file.
	timeout 120 rabbitmq-plugins -q enable --offline rabbitmq_management >&2 ||
		die "could not enable rabbitmq_management (rabbitmq-plugins enable --offline failed)"
	# 9>&-: the detached node must not inherit (and so hold forever) the lock.
	rabbitmq-server -detached 9>&- >&2 || die "rabbitmq-server -detached failed"
fi

deadline=$((SECONDS + WAIT_SECONDS))
until amqp_up && mgmt_up; do
	if ((SECONDS >= deadline)); then
		die "RabbitMQ did not answer on $HOST:$AMQP_PORT (AMQP) and $HOST:$MGMT_PORT (management) within ${WAIT_SECONDS}s; see /var/log/rabbitmq/ and 'rabbitmqctl status'"
	fi
	sleep 1
done
ready
