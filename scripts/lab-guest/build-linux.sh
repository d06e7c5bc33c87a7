#!/usr/bin/env bash
# Builds the lab's tiny Linux guest (docs/lab.md): Debian's cloud kernel, taken
# from its .deb without installing it, and a busybox initramfs that loads the
# virtio and ACPI modules, runs a shell on ttyS0 and tty1, powers off on
# the ACPI power button, and runs Debian's QEMU guest agent (qemu-ga, with the
# shared libraries it links, taken from their .debs the same way) on the
# virtio-serial port org.qemu.guest_agent.0. Output: $1/vmlinuz and
# $1/initrd.gz (cached).
set -euo pipefail
out=${1:?usage: build-linux.sh OUTDIR}
[ -s "$out/vmlinuz" ] && [ -s "$out/initrd.gz" ] && exit 0
[ -x /bin/busybox ] || { echo "build-linux: /bin/busybox missing (apt-get install busybox-static)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
pkg=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-cloud-amd64$' | awk '{print $1}' | sort -V | tail -n 1)
[ -n "$pkg" ] || { echo "build-linux: no linux-image-*-cloud-amd64 in apt's lists (run apt-get update)" >&2; exit 1; }
apt-get download "$pkg" >/dev/null 2>&1 || { echo "build-linux: apt-get download $pkg failed" >&2; exit 1; }
dpkg-deb -x ./"$pkg"_*.deb k

# The guest agent and the packages of the libraries it links (Depends of
# qemu-guest-agent, plus glib's pcre2), unpacked, never installed.
agent_pkgs="qemu-guest-agent libc6 libglib2.0-0 libnuma1 libudev1 liburing2 libpcre2-8-0"
mkdir debs && (cd debs && apt-get download $agent_pkgs >/dev/null 2>&1) ||
  { echo "build-linux: apt-get download $agent_pkgs failed" >&2; exit 1; }
for f in debs/*.deb; do dpkg-deb -x "$f" ga; done

root=initramfs
# busybox acpid exits at once without /var/log (its log) and /var/run (its pid file).
mkdir -p "$root"/{bin,sbin,etc/acpi/PWRF,proc,sys,dev,tmp,root,lib/modules,var/log,var/run,usr/sbin,lib64}
cp /bin/busybox "$root/bin/busybox"
cp ga/usr/sbin/qemu-ga "$root/usr/sbin/qemu-ga"
# The libraries qemu-ga needs, resolved by ldd inside the unpacked packages
# only: a library found anywhere else (the build machine's) is an error.
libs="$PWD/ga/lib/x86_64-linux-gnu:$PWD/ga/usr/lib/x86_64-linux-gnu"
mkdir -p "$root/lib/x86_64-linux-gnu"
LD_LIBRARY_PATH=$libs ldd ga/usr/sbin/qemu-ga | awk '/=>/ {print $1, $3}' | while read -r name path; do
  case $path in
    "$PWD"/ga/*) cp -L "$path" "$root/lib/x86_64-linux-gnu/$name" ;;
    *) echo "build-linux: $name of qemu-ga not in the downloaded packages ($path)" >&2; exit 1 ;;
  esac
done
cp -L ga/lib64/ld-linux-x86-64.so.2 "$root/lib64/"
moddir=$(echo k/lib/modules/*/kernel)
# Load order matters: each module after the ones it needs.
for m in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_modern_dev \
  drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci drivers/block/virtio_blk \
  drivers/acpi/button drivers/input/evdev drivers/char/virtio_console; do
  cp "$moddir/$m.ko" "$root/lib/modules/"
  basename "$m" >> "$root/lib/modules/order"
done

cat > "$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
while read -r m; do insmod "/lib/modules/$m.ko"; done < /lib/modules/order
hostname lab-linux
# Up for the guest agent's address list (the guest has no NIC of its own).
ip link set lo up
echo "lab-linux: init done" > /dev/ttyS0
exec /sbin/init
INIT
chmod +x "$root/init"
cat > "$root/etc/inittab" <<'TAB'
::respawn:/sbin/acpid -f
::respawn:/sbin/start-qemu-ga
ttyS0::respawn:/bin/cttyhack /bin/sh -l
tty1::respawn:/bin/cttyhack /bin/sh -l
::shutdown:/bin/sync
TAB
printf '#!/bin/sh\npoweroff\n' > "$root/etc/acpi/PWRF/00000080"
chmod +x "$root/etc/acpi/PWRF/00000080"
printf 'export PS1="lab-linux# "\n' > "$root/etc/profile"
# qemu-ga's port has no /dev/virtio-ports/ name without udev: found by its
# name in sysfs. Started by init (respawn), in the foreground.
cat > "$root/sbin/start-qemu-ga" <<'GA'
#!/bin/sh
for p in /sys/class/virtio-ports/*; do
  [ "$(cat "$p/name" 2>/dev/null)" = org.qemu.guest_agent.0 ] &&
    exec /usr/sbin/qemu-ga -m virtio-serial -p "/dev/${p##*/}" -t /var/run
done
# No agent channel in this VM: nothing to run (init would respawn at once).
exec sleep 3600
GA
# qemu-ga's guest-shutdown runs /sbin/shutdown -h -P|-H|-r +0 (-h first,
# the mode's flag after it); busybox has no shutdown applet.
cat > "$root/sbin/shutdown" <<'SD'
#!/bin/sh
for a in "$@"; do case "$a" in -r) exec reboot ;; -H) exec halt ;; esac; done
exec poweroff
SD
chmod +x "$root/sbin/start-qemu-ga" "$root/sbin/shutdown"
cat > "$root/etc/os-release" <<'OS'
PRETTY_NAME="Lab Linux (busybox, Debian 12 kernel)"
NAME="Lab Linux"
ID=lab-linux
VERSION_ID=1
OS

mkdir -p "$out"
cp k/boot/vmlinuz-* "$out/vmlinuz.tmp"
(cd "$root" && find . | /bin/busybox cpio -o -H newc 2>/dev/null | gzip -9) > "$out/initrd.gz.tmp"
mv "$out/vmlinuz.tmp" "$out/vmlinuz"
mv "$out/initrd.gz.tmp" "$out/initrd.gz"
