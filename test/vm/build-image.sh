#!/usr/bin/env bash
# Builds the cached pieces of the IPVS test VM in .cache/lvsvm/ from Debian packages
# fetched with `apt-get download` (nothing is installed on the host):
#   vmlinux            Debian's kernel, uncompressed ELF (PVH boot: skips ~4 s of xz under TCG)
#   base.cpio.gz       busybox, ipvsadm + its libraries, the ip_vs/9p/overlay modules, /init
#   node.cpio          the host's node binary (uncompressed layer: faster than paging it over 9p)
# Idempotent: does nothing when the stamp matches. --refresh re-downloads.
# Why not a VM image: an initramfs of ~4 MB boots in seconds and needs no root tools.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${LVSVM_CACHE:-$repo/.cache/lvsvm}
refresh=0
[ "${1:-}" = "--refresh" ] && refresh=1

node_bin=$(readlink -f "$(command -v node)")
stamp_want="v3 $(cat "$here/init.sh" "$here/build-image.sh" | sha256sum | cut -c1-16) $(stat -c %s "$node_bin") $node_bin"
if [ $refresh = 0 ] && [ -f "$cache/stamp" ] && [ "$(cat "$cache/stamp")" = "$stamp_want" ] \
  && [ -f "$cache/vmlinux" ] && [ -f "$cache/base.cpio.gz" ] && [ -f "$cache/node.cpio" ]; then
  echo "lvsvm: cache up to date in $cache"
  exit 0
fi

for tool in apt-get apt-cache dpkg-deb xz gzip sha256sum; do
  command -v "$tool" >/dev/null || { echo "lvsvm: $tool is missing on this machine (see .ci/apt.d/lvs.txt)" >&2; exit 1; }
done

mkdir -p "$cache/debs"
# the kernel image package linux-image-amd64 points at (linux-image-6.1.0-NN-amd64)
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[ -n "$kpkg" ] || { echo "lvsvm: apt knows no linux-image-amd64; run apt-get update" >&2; exit 1; }
pkgs=("$kpkg" busybox-static ipvsadm libnl-3-200 libnl-genl-3-200 libpopt0 libc6 libstdc++6 libgcc-s1)
(
  cd "$cache/debs"
  for p in "${pkgs[@]}"; do
    if [ $refresh = 1 ] || ! ls "${p}"_*.deb >/dev/null 2>&1; then
      rm -f "${p}"_*.deb
      apt-get download -q "$p" 2>&1 | grep -v 'unsandboxed' || true
      ls "${p}"_*.deb >/dev/null 2>&1 || { echo "lvsvm: apt-get download $p failed" >&2; exit 1; }
    fi
  done
)

work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
kroot=$work/kernel
uroot=$work/user
stage=$work/stage
mkdir -p "$kroot" "$uroot" "$stage"
dpkg-deb -x "$cache/debs/${kpkg}"_*.deb "$kroot"
for p in "${pkgs[@]:1}"; do dpkg-deb -x "$cache/debs/${p}"_*.deb "$uroot"; done

# --- kernel: pull the xz stream out of the bzImage once
vmlinuz=$(ls "$kroot"/boot/vmlinuz-*)
kver=${vmlinuz##*/vmlinuz-}
off=$(node -e '
  const b = require("fs").readFileSync(process.argv[1]);
  const i = b.indexOf(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
  if (i < 0) process.exit(1);
  console.log(i + 1);' "$vmlinuz")
xz -dc --single-stream < <(tail -c +"$off" "$vmlinuz") > "$work/vmlinux" || true
[ -s "$work/vmlinux" ] || { echo "lvsvm: could not unpack the kernel from $vmlinuz" >&2; exit 1; }

# --- userland: busybox applets come from `busybox --install` at boot
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,proc,sys,dev,tmp,run,mnt,etc,root}
cp "$uroot/bin/busybox" "$stage/bin/busybox"
cp -a "$uroot/sbin/ipvsadm" "$stage/sbin/ipvsadm" 2>/dev/null || cp -a "$uroot/usr/sbin/ipvsadm" "$stage/sbin/ipvsadm"
# libraries with their symlinks as they are (absolute targets resolve inside the VM's own root)
for d in lib/x86_64-linux-gnu usr/lib/x86_64-linux-gnu lib64; do
  [ -d "$uroot/$d" ] || continue
  mkdir -p "$stage/$d"
  (cd "$uroot/$d" && find . -maxdepth 1 \( -name '*.so*' \) -print0 | xargs -0 -r cp -a -t "$stage/$d")
done
echo 'root:x:0:0:root:/root:/bin/sh' > "$stage/etc/passwd"
echo 'root:x:0:' > "$stage/etc/group"
printf '127.0.0.1 localhost\n::1 localhost\n' > "$stage/etc/hosts"

# --- modules in load order (dependencies first; the .deb has no modules.dep and the host no depmod)
modules=(
  crypto/crc32c_generic net/ipv4/netfilter/nf_defrag_ipv4 net/ipv6/netfilter/nf_defrag_ipv6 lib/libcrc32c
  net/netfilter/nf_conntrack
  net/netfilter/ipvs/ip_vs net/netfilter/ipvs/ip_vs_rr net/netfilter/ipvs/ip_vs_wrr net/netfilter/ipvs/ip_vs_wlc
  net/netfilter/ipvs/ip_vs_lc net/netfilter/ipvs/ip_vs_sh
  drivers/virtio/virtio_ring drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci_legacy_dev
  drivers/virtio/virtio drivers/virtio/virtio_pci
  net/9p/9pnet net/9p/9pnet_virtio fs/netfs/netfs fs/fscache/fscache fs/9p/9p fs/overlayfs/overlay
)
kmods=$kroot/lib/modules/$kver/kernel
mkdir -p "$stage/lib/modules"
: > "$stage/etc/lvsvm-modules"
for m in "${modules[@]}"; do
  name=${m##*/}
  if [ -f "$kmods/$m.ko" ]; then
    cp "$kmods/$m.ko" "$stage/lib/modules/$name.ko"
  elif [ -f "$kmods/$m.ko.xz" ]; then
    xz -dc "$kmods/$m.ko.xz" > "$stage/lib/modules/$name.ko"
  else
    # built into this kernel: nothing to load
    continue
  fi
  echo "$name" >> "$stage/etc/lvsvm-modules"
done
cp "$here/init.sh" "$stage/init"
chmod 755 "$stage/init"

bb=$stage/bin/busybox   # the host has no cpio; busybox's writes newc
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | "$bb" cpio -o -H newc 2>/dev/null) | gzip -6 > "$work/base.cpio.gz"
# pad to 512 bytes so the next (uncompressed) layer starts aligned; the kernel skips NUL padding
size=$(stat -c %s "$work/base.cpio.gz")
pad=$(( (512 - size % 512) % 512 ))
[ $pad -gt 0 ] && head -c $pad /dev/zero >> "$work/base.cpio.gz"

# --- node layer at the host's path, so `#!/usr/bin/env node` and absolute paths agree
nstage=$work/nstage
mkdir -p "$nstage$(dirname "$node_bin")"
cp "$node_bin" "$nstage$node_bin"
(cd "$nstage" && find . -mindepth 1 | LC_ALL=C sort | "$bb" cpio -o -H newc 2>/dev/null) > "$work/node.cpio"

mv "$work/vmlinux" "$cache/vmlinux"
mv "$work/base.cpio.gz" "$cache/base.cpio.gz"
mv "$work/node.cpio" "$cache/node.cpio"
cp "$bb" "$cache/busybox"
echo "$kver" > "$cache/kernel-version"
echo "$stamp_want" > "$cache/stamp"
echo "lvsvm: built $cache (kernel $kver)"
