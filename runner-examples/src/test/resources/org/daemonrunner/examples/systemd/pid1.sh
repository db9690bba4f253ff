#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# PID 1 of the sandbox's new namespaces (SystemdSandbox starts it through unshare): builds the sandbox's root and
# execs the machine's own systemd in it. Usage: pid1.sh WORK
#
# WORK is the sandbox's directory on the host, with layers/ and root/ (empty) and console.log. Every mount below is
# made in the new, private mount namespace: the host sees none of them, and they go when the namespace goes.
set -eu
work=$1
root=$work/root

# / as the lower layer of an overlay whose writable layer is a tmpfs: the host's files are never changed
mount -t tmpfs -o mode=755 sandbox-layers "$work/layers"
mkdir "$work/layers/upper" "$work/layers/work"
mount -t overlay -o "lowerdir=/,upperdir=$work/layers/upper,workdir=$work/layers/work" sandbox-root "$root"

mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
# the host's sysctls stay read-only (systemd-sysctl would otherwise apply /usr/lib/sysctl.d to the host); the
# namespace's own network settings stay writable
mount --bind "$root/proc/sys" "$root/proc/sys"
mount -o remount,bind,ro "$root/proc/sys"
mount --bind "$root/proc/sys/net" "$root/proc/sys/net"
mount -o remount,bind,rw "$root/proc/sys/net"
if [ -e "$root/proc/sysrq-trigger" ]; then
    mount --bind "$root/proc/sysrq-trigger" "$root/proc/sysrq-trigger"
    mount -o remount,bind,ro "$root/proc/sysrq-trigger"
fi
# read-only /sys: systemd sees a container (no udev); cgroup2 is rooted at the sandbox's cgroup (cgroup namespace)
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"
mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$root/sys/fs/cgroup"

# a small /dev of its own: the usual character devices, a new devpts instance, and a console that is a log file
mount -t tmpfs -o mode=755,nosuid dev "$root/dev"
for device in null zero full random urandom tty; do
    touch "$root/dev/$device"
    mount --bind "/dev/$device" "$root/dev/$device"
done
mkdir "$root/dev/pts" "$root/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts "$root/dev/pts"
ln -s pts/ptmx "$root/dev/ptmx"
mount -t tmpfs -o mode=1777,nosuid,nodev shm "$root/dev/shm"
ln -s /proc/self/fd "$root/dev/fd"
touch "$root/dev/console"
mount --bind "$work/console.log" "$root/dev/console"
mount -t tmpfs -o mode=755,nosuid,nodev run "$root/run"
mount -t tmpfs -o mode=1777,nosuid,nodev tmp "$root/tmp"

# boot a target that pulls in basic.target only: none of the host's enabled services, no timers
printf '[Unit]\nDescription=daemonrunner test sandbox\nRequires=basic.target\nAfter=basic.target\n' \
    > "$root/etc/systemd/system/sandbox.target"
ln -sf /dev/null "$root/etc/systemd/system/timers.target"

cd "$root"
mkdir .oldroot
pivot_root . .oldroot
umount -l /.oldroot
rmdir /.oldroot
# any value of $container makes systemd behave as a container's init ("systemctl exit" then ends it)
export container=daemonrunner-test
exec /lib/systemd/systemd --unit=sandbox.target --show-status=0 --log-level=debug </dev/null
