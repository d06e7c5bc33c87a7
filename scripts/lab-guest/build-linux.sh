#!/usr/bin/env bash
# Builds the lab's tiny Linux guest (docs/lab.md): Debian's cloud kernel, taken
# from its .deb without installing it, and a busybox initramfs that loads the
# virtio and ACPI modules, runs a shell on ttyS0 and tty1, and powers off on
# the ACPI power button. Output: $1/vmlinuz and $1/initrd.gz (cached).
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
dpkg-deb -x ./*.deb k

root=initramfs
# busybox acpid exits at once without /var/log (its log) and /var/run (its pid file).
mkdir -p "$root"/{bin,sbin,etc/acpi/PWRF,proc,sys,dev,tmp,root,lib/modules,var/log,var/run}
cp /bin/busybox "$root/bin/busybox"
moddir=$(echo k/lib/modules/*/kernel)
# Load order matters: each module after the ones it needs.
for m in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_modern_dev \
  drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci drivers/block/virtio_blk \
  drivers/acpi/button drivers/input/evdev; do
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
echo "lab-linux: init done" > /dev/ttyS0
exec /sbin/init
INIT
chmod +x "$root/init"
cat > "$root/etc/inittab" <<'TAB'
::respawn:/sbin/acpid -f
ttyS0::respawn:/bin/cttyhack /bin/sh -l
tty1::respawn:/bin/cttyhack /bin/sh -l
::shutdown:/bin/sync
TAB
printf '#!/bin/sh\npoweroff\n' > "$root/etc/acpi/PWRF/00000080"
chmod +x "$root/etc/acpi/PWRF/00000080"
printf 'export PS1="lab-linux# "\n' > "$root/etc/profile"

mkdir -p "$out"
cp k/boot/vmlinuz-* "$out/vmlinuz.tmp"
(cd "$root" && find . | /bin/busybox cpio -o -H newc 2>/dev/null | gzip -9) > "$out/initrd.gz.tmp"
mv "$out/vmlinuz.tmp" "$out/vmlinuz"
mv "$out/initrd.gz.tmp" "$out/initrd.gz"
