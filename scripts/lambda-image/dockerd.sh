#!/usr/bin/env bash
# Start / stop a docker daemon for `sam local` on a CI machine without systemd.
#
# Usage: scripts/lambda-image/dockerd.sh start|stop|status
#
#   start   install docker.io + debootstrap via apt when missing, start dockerd
#           (first flag set that comes up, see FLAG_SETS below), wait until
#           `docker info` answers, write a pidfile.
#           Does nothing (but say so) when a daemon is already answering.
#   stop    stop the daemon only if this script started it (pidfile).
#   status  print whether a daemon answers and whether this script owns it.
#
# Environment:
#   DOCKERD_STATE_DIR      pidfile/log dir (default /var/run/hyperoru-dockerd)
#   DOCKERD_FLAGS          use exactly these dockerd flags instead of trying FLAG_SETS
#                          (e.g. "--bip=172.18.0.1/16" for a bridge of another subnet)
#   DOCKERD_START_TIMEOUT  seconds to wait per attempt (default 60)
#
# Function containers reach the host at the docker0 address (printed by `start`);
# `make sam-local` finds it by itself and has its moto server listen there.
set -euo pipefail

export PATH="${PATH}:/usr/local/sbin:/usr/sbin:/sbin"

STATE_DIR=${DOCKERD_STATE_DIR:-/var/run/hyperoru-dockerd}
PIDFILE="$STATE_DIR/dockerd.pid"
LOGFILE="$STATE_DIR/dockerd.log"
FLAGSFILE="$STATE_DIR/dockerd.flags"
TIMEOUT=${DOCKERD_START_TIMEOUT:-60}

# Tried in order until `docker info` answers. The plain defaults (overlay2,
# docker0 bridge, iptables NAT) work on the Firecracker VMs this was written on;
# the others are fallbacks for kernels without overlayfs / netfilter.
# --bridge=none is a last resort: the daemon runs, but port publishing does not,
# so `sam local` cannot talk to its containers.
FLAG_SETS=(
    ""
    "--storage-driver=vfs"
    "--iptables=false --ip6tables=false"
    "--storage-driver=vfs --iptables=false --ip6tables=false"
    "--storage-driver=vfs --iptables=false --ip6tables=false --bridge=none"
)

log() { printf '[dockerd.sh] %s\n' "$*"; }
die() { printf '[dockerd.sh] ERROR: %s\n' "$*" >&2; exit 1; }

daemon_up() { docker info >/dev/null 2>&1; }

our_pid() {
    # Prints the pid from our pidfile if that process is still a dockerd.
    local pid
    [ -f "$PIDFILE" ] || return 1
    pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
    [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] || return 1
    printf '%s\n' "$pid"
}

need_root() { [ "$(id -u)" -eq 0 ] || die "must run as root"; }

ensure_packages() {
    local missing=()
    command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
    command -v docker >/dev/null 2>&1 || missing+=(docker.io)
    command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
    [ "${#missing[@]}" -eq 0 ] && return 0
    # shellcheck disable=SC2207 # de-duplicate the word list
    missing=($(printf '%s\n' "${missing[@]}" | sort -u))
    log "installing ${missing[*]} via apt-get"
    export DEBIAN_FRONTEND=noninteractive
    # The package would start its own dockerd (init script or systemd unit), which this script
    # could then neither use as its own nor stop: keep services from starting during the install.
    local policy=/usr/sbin/policy-rc.d added_policy=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\n# added by dockerd.sh during apt-get install\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        added_policy=1
    fi
    local status=0
    { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; } || status=$?
    [ "$added_policy" -eq 0 ] || rm -f "$policy"
    return "$status"
}

bridge_address() {
    # What containers on the default bridge reach this machine at.
    ip -4 -o addr show dev docker0 2>/dev/null | awk '{split($4, a, "/"); print a[1]; exit}' || true
}

try_start() {
    # $1: flags (word-split on purpose). Returns 0 once `docker info` answers.
    local flags=$1 pid i
    log "starting: dockerd ${flags:-(default flags)}  (log: $LOGFILE)"
    printf '\n===== %s dockerd %s\n' "$(date -u +%FT%TZ)" "$flags" >>"$LOGFILE"
    # shellcheck disable=SC2086
    setsid dockerd $flags >>"$LOGFILE" 2>&1 </dev/null &
    pid=$!
    for ((i = 0; i < TIMEOUT * 2; i++)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            log "  dockerd exited during startup; last log lines:"
            tail -n 5 "$LOGFILE" | sed 's/^/[dockerd.sh]   | /'
            return 1
        fi
        if daemon_up; then
            printf '%s\n' "$pid" >"$PIDFILE"
            printf '%s\n' "$flags" >"$FLAGSFILE"
            return 0
        fi
        sleep 0.5
    done
    log "  no answer after ${TIMEOUT}s; stopping this attempt"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 20; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
    return 1
}

cmd_start() {
    need_root
    mkdir -p "$STATE_DIR"
    local start=$SECONDS pid
    if daemon_up; then
        if pid=$(our_pid); then
            log "dockerd already running (started by this script earlier, pid $pid, flags: $(f=$(cat "$FLAGSFILE" 2>/dev/null || true); echo "${f:-(defaults)}"))"
        else
            log "a docker daemon is already running (not started by this script); using it"
        fi
        return 0
    fi
    if [ -f "$PIDFILE" ] && ! our_pid >/dev/null; then
        rm -f "$PIDFILE"
    fi
    if [ -e /var/run/docker.pid ] && [ -d "/proc/$(cat /var/run/docker.pid 2>/dev/null)" ]; then
        die "a dockerd (pid $(cat /var/run/docker.pid)) exists but does not answer; not starting another one"
    fi
    ensure_packages

    local sets=("${FLAG_SETS[@]}")
    if [ -n "${DOCKERD_FLAGS+x}" ]; then sets=("$DOCKERD_FLAGS"); fi
    local flags
    for flags in "${sets[@]}"; do
        if try_start "$flags"; then
            pid=$(cat "$PIDFILE")
            log "started dockerd (pid $pid) in $((SECONDS - start))s; flags: ${flags:-(defaults)}"
            log "  $(docker info --format 'server {{.ServerVersion}}, storage driver {{.Driver}}, cgroup {{.CgroupDriver}} v{{.CgroupVersion}}' 2>/dev/null || true)"
            case " $flags " in
                *" --bridge=none "*) log "  WARNING: no bridge network: sam local cannot reach its containers" ;;
            esac
            local address
            address=$(bridge_address)
            log "  containers reach this machine at ${address:-(no docker0 address)}"
            return 0
        fi
    done
    die "dockerd did not come up with any flag set; see $LOGFILE"
}

cmd_stop() {
    need_root
    local pid i
    if ! pid=$(our_pid); then
        rm -f "$PIDFILE" "$FLAGSFILE"
        log "no dockerd started by this script is running; nothing to stop"
        return 0
    fi
    log "stopping dockerd (pid $pid)"
    kill -TERM "$pid"
    for ((i = 0; i < 60; i++)); do
        [ -d "/proc/$pid" ] || break
        sleep 0.5
    done
    if [ -d "/proc/$pid" ]; then
        log "dockerd did not exit within 30s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$PIDFILE" "$FLAGSFILE"
    log "stopped"
}

cmd_status() {
    local pid
    if daemon_up; then
        if pid=$(our_pid); then
            log "running, started by this script (pid $pid, flags: $(f=$(cat "$FLAGSFILE" 2>/dev/null || true); echo "${f:-(defaults)}"))"
        else
            log "running, not started by this script"
        fi
        return 0
    fi
    log "not running"
    return 1
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    *) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; exit 2 ;;
esac
