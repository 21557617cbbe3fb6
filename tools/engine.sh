#!/usr/bin/env bash
# engine.sh: a current Docker Engine for CI and developers on a machine whose own Debian
# only packages an old one (bookworm's docker.io is 20.10, without buildx). It runs Debian
# trixie's docker.io (26.x), docker-cli and docker-buildx from a debootstrapped trixie root
# under chroot, with its own socket, data root, exec root and pid file. Root only.
#
#   engine.sh setup DIR          make DIR/root once (debootstrap + apt-get install)
#   engine.sh start DIR STORE    start dockerd; STORE is containerd (the image store new
#                                installs get) or overlay2 (the graph-driver store)
#   engine.sh stop DIR           stop dockerd and unmount everything under DIR
#   engine.sh env DIR            print the exports that point docker, buildx and the
#                                helpers at this engine (eval "$(engine.sh env DIR)")
#
# Run one engine at a time: two dockerds on one host fight over docker0 and iptables.
# A privileged docker-in-docker container cannot start on these machines, hence chroot.
set -euo pipefail

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1
dir=$(realpath -m "$2")
root="$dir/root"
run="/run/slimlab"                # inside the chroot
sock="$root$run/docker.sock"      # outside

die() { echo "ERROR: $*" >&2; exit 1; }

mounted() { awk -v p="$1" '$2 == p { found = 1 } END { exit !found }' /proc/mounts; }

debian_mirror() {
    # The first archive in this machine's apt sources, read as the kit reads it
    # (sources.list, then sources.list.d in order; never the security archive).
    local files=() f
    [ -f /etc/apt/sources.list ] && files+=(/etc/apt/sources.list)
    for f in /etc/apt/sources.list.d/*; do [ -f "$f" ] && files+=("$f"); done
    for f in "${files[@]}"; do
        grep -hoE '^\s*(deb(\s+\[[^]]*\])?\s+|URIs:\s*)https?://\S+' "$f" \
            | grep -oE 'https?://\S+' | grep -v security || true
    done | head -n 1
}

setup() {
    [ "$(id -u)" -eq 0 ] || die "the engine root is made as root (debootstrap, chroot)."
    if [ -x "$root/usr/sbin/dockerd" ]; then
        echo "engine: $root is ready"
        return
    fi
    command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install debootstrap"
    local mirror
    mirror=$(debian_mirror)
    [ -n "$mirror" ] || die "no Debian mirror in /etc/apt sources"
    rm -rf "$root"
    mkdir -p "$dir"
    echo "engine: debootstrap trixie into $root"
    debootstrap --variant=minbase --include=ca-certificates trixie "$root" "$mirror" \
        >"$dir/debootstrap.log" 2>&1 || { tail -n 20 "$dir/debootstrap.log" >&2; exit 1; }
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    echo "engine: apt-get install docker.io docker-cli docker-buildx"
    mount_root
    chroot "$root" bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends docker.io docker-cli docker-buildx \
        iptables >/dev/null" || { unmount_all; die "installing the engine packages failed"; }
    unmount_all
    chroot "$root" dpkg-query -W docker.io docker-buildx containerd | sed 's/^/engine: /'
}

mount_root() {
    # The root must be a mount point of its own, or `docker load` fails with
    # "remount /, flags: 0x84000: invalid argument".
    mounted "$root" || mount --bind "$root" "$root"
    mounted "$root/proc" || mount -t proc proc "$root/proc"
    mounted "$root/sys" || mount --rbind /sys "$root/sys"   # cgroups come with it
    mounted "$root/dev" || mount --rbind /dev "$root/dev"
}

unmount_all() {
    # Everything mounted under DIR (the engine's netns and overlay mounts too), deepest first.
    awk -v d="$dir/" 'index($2 "/", d) == 1 { print $2 }' /proc/mounts | sort -r \
        | while read -r m; do umount -l "$m" 2>/dev/null || true; done
}

env_lines() {
    mkdir -p "$dir/bin" "$dir/docker-config/cli-plugins"
    ln -sf "$root/usr/bin/docker" "$dir/bin/docker"
    ln -sf "$root/usr/libexec/docker/cli-plugins/docker-buildx" \
        "$dir/docker-config/cli-plugins/docker-buildx"
    echo "export PATH=\"$dir/bin:\$PATH\""
    echo "export DOCKER_HOST=\"unix://$sock\""
    echo "export DOCKER_CONFIG=\"$dir/docker-config\""
}

start() {
    local store=${1:-containerd}
    [ -x "$root/usr/sbin/dockerd" ] || die "no engine root in $dir: run '$0 setup $dir' first"
    case $store in
        containerd) config='{"features": {"containerd-snapshotter": true}}' ;;
        overlay2) config='{"storage-driver": "overlay2"}' ;;
        *) die "STORE is containerd or overlay2, not '$store'" ;;
    esac
    if [ -S "$sock" ] && DOCKER_HOST="unix://$sock" "$root/usr/bin/docker" info >/dev/null 2>&1
    then
        die "an engine already answers on $sock: '$0 stop $dir' first"
    fi
    mount_root
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    mkdir -p "$root/etc/docker" "$root$run"
    echo "$config" >"$root/etc/docker/daemon.json"
    local log="$dir/dockerd-$store.log"
    # One data root per store: switching stores is a restart, never a mixed data root.
    chroot "$root" dockerd -H "unix://$run/docker.sock" \
        --data-root "/var/lib/slimlab-docker-$store" --exec-root "$run/exec" \
        --pidfile "$run/dockerd.pid" >"$log" 2>&1 &
    local pid=$!
    echo "$pid" >"$dir/dockerd.pid"
    for _ in $(seq 1 60); do
        if DOCKER_HOST="unix://$sock" "$root/usr/bin/docker" info >/dev/null 2>&1; then
            echo "engine: Docker $(DOCKER_HOST="unix://$sock" "$root/usr/bin/docker" version \
                -f '{{.Server.Version}}') up on the $store store (log: $log)"
            return
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 1
    done
    echo "ERROR: the Docker engine did not come up within 60 s. Last lines of its log:" >&2
    tail -n 25 "$log" >&2
    stop
    exit 1
}

stop() {
    local pid=""
    [ -f "$dir/dockerd.pid" ] && pid=$(cat "$dir/dockerd.pid")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
        kill -KILL "$pid" 2>/dev/null || true
        echo "engine: stopped"
    fi
    # Whatever still runs inside the root (containerd, shims) ends before the unmounts.
    local p
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && kill -KILL "${p#/proc/}" 2>/dev/null
    done
    rm -f "$dir/dockerd.pid" "$sock"
    unmount_all
}

case $cmd in
    setup) setup ;;
    start) start "${3:-containerd}" ;;
    stop) stop ;;
    env) env_lines ;;
    *) usage ;;
esac
