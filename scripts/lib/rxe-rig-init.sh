#!/rig/bin/sh
# /init of the scripts/rxe-rig guest (busybox sh, PID 1): two soft-RoCE devices on a veth
# pair, then /rig/command; its exit status goes to the host on the second serial port
# (ttyS1) and the guest powers off. Read scripts/rxe-rig for the why.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/rig/bin
export HOME=/root TMPDIR=/tmp TERM=dumb

mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sys /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs shm /dev/shm

# Waits until the output queued on a tty has gone out (busybox stty sets the mode with
# TCSADRAIN), so nothing is lost when the guest powers off.
drain() { stty -F "$1" -a >/dev/null 2>&1; stty -F "$1" onlcr 2>/dev/null; }

finish() {
    echo "rxe-rig: exit status $1"
    drain /dev/console
    echo "$1" >/dev/ttyS1
    drain /dev/ttyS1
    sync
    reboot -f   # qemu runs with -no-reboot: a reboot ends it, with or without ACPI
    sleep 5
}

fail() {
    echo "rxe-rig: guest setup failed: $*"
    for f in /sys/class/infiniband/*/ports/1/state; do [ -e "$f" ] && echo "  $f: $(cat "$f")"; done
    dmesg | tail -20
    finish 125
}

ip=/usr/bin/ip   # busybox's ip applet cannot create a veth pair

while read -r module; do
    insmod "$module" || fail "insmod $module"
done </rig/modules

# Before the links exist, so v0/v1 inherit them: no DAD (the link-local GID is usable at
# once), accept packets whose source is one of our own addresses, no reverse-path filter.
echo 0 >/proc/sys/net/ipv6/conf/default/accept_dad
echo 0 >/proc/sys/net/ipv6/conf/all/accept_dad
for conf in all default; do
    echo 1 >/proc/sys/net/ipv4/conf/$conf/accept_local
    echo 0 >/proc/sys/net/ipv4/conf/$conf/rp_filter
done

# One ip process per address family: each exec of the dynamically linked ip costs about
# 0.15 s under TCG, and this was twenty of them.
# Traffic between the two local addresses would take lo, and rxe drops what arrives on
# lo: locally generated packets to the peer's address go out the other end of the veth,
# and the local table is consulted only after that (IPv4, then IPv6 link-local). rxe's
# own packets (routed with its netdev as the output device, which the local routes do
# not match) crossed the veth on 6.1 even without these rules; the TCP side channels of
# tests and anything else without a bound device need them.
$ip -batch - <<EOF || fail "ip: veth pair, addresses or IPv4 policy routing"
link set lo up
link add v0 address 02:00:00:00:00:01 type veth peer name v1 address 02:00:00:00:00:02
addr add 10.0.0.1/24 dev v0
addr add 10.0.0.2/24 dev v1
link set v0 up
link set v1 up
route add 10.0.0.2/32 dev v0 src 10.0.0.1 table 10
route add 10.0.0.1/32 dev v1 src 10.0.0.2 table 11
rule add pref 10 iif lo to 10.0.0.2 lookup 10
rule add pref 11 iif lo to 10.0.0.1 lookup 11
rule add pref 100 lookup local
rule del pref 0 lookup local
EOF
$ip -6 -batch - <<EOF || fail "ip: IPv6 policy routing"
route add fe80::ff:fe00:2/128 dev v0 table 10
route add fe80::ff:fe00:1/128 dev v1 table 11
rule add pref 10 iif lo to fe80::ff:fe00:2 lookup 10
rule add pref 11 iif lo to fe80::ff:fe00:1 lookup 11
rule add pref 100 lookup local
rule del pref 0 lookup local
EOF
for dev in v0 v1; do
    echo 1 >/proc/sys/net/ipv4/conf/$dev/accept_local
    echo 0 >/proc/sys/net/ipv4/conf/$dev/rp_filter
done

uptime() { cut -d' ' -f1 /proc/uptime; }
echo "rxe-rig: modules and veth ready $(uptime) s after boot"
rdma -b - <<EOF || fail "rdma link add rxe0 on v0, rxe1 on v1"
link add rxe0 type rxe netdev v0
link add rxe1 type rxe netdev v1
EOF
echo "rxe-rig: rxe links added $(uptime) s after boot"

# Ready when both ports are ACTIVE with GID 0 (link-local) and GID 1 (IPv4-mapped).
zero=0000:0000:0000:0000:0000:0000:0000:0000
ready() {
    for dev in rxe0 rxe1; do
        port=/sys/class/infiniband/$dev/ports/1
        grep -q ACTIVE $port/state 2>/dev/null || return 1
        for gid in 0 1; do
            value=$(cat $port/gids/$gid 2>/dev/null) || return 1
            [ -n "$value" ] && [ "$value" != $zero ] || return 1
        done
    done
    for node in uverbs0 uverbs1 umad0 umad1; do [ -c /dev/infiniband/$node ] || return 1; done
}
tries=0
until ready; do
    tries=$((tries + 1))
    [ $tries -lt 600 ] || fail "rxe0/rxe1 not ACTIVE with GIDs 0 and 1 after 60 s"
    sleep 0.1
done
for dev in rxe0 rxe1; do
    echo "rxe-rig: $dev $(cat /sys/class/infiniband/$dev/ports/1/state)" \
        "gid0 $(cat /sys/class/infiniband/$dev/ports/1/gids/0) gid1 $(cat /sys/class/infiniband/$dev/ports/1/gids/1)"
done
echo "rxe-rig: ready $(uptime) s after boot"

export IBMAD_RXE_DEVICES="rxe0 rxe1" IBMAD_RXE_NETDEVS="v0 v1"
export IBMAD_RXE_IPV4_0=10.0.0.1 IBMAD_RXE_IPV4_1=10.0.0.2
export IBMAD_RXE_IPV6_0=fe80::ff:fe00:1 IBMAD_RXE_IPV6_1=fe80::ff:fe00:2
. /rig/env
sh /rig/command </dev/null
status=$?
cd /
echo "rxe-rig: command done $(uptime) s after boot"
finish $status
