#!/bin/busybox sh
# /init of the IPVS test VM. Loads the modules, mounts the project read-only over
# 9p at its host path with a tmpfs overlay (so it looks writable and the host is
# never touched), runs /lvsvm/cmd.sh with its output on ttyS1, reports the exit
# status on the console (ttyS0) and powers off.
/bin/busybox --install -s
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TMPDIR=/tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
chmod 1777 /tmp

fail() {
  echo "lvsvm-init: $*" > /dev/ttyS0
  echo "@@LVSVM_EXIT_STATUS=125@@" > /dev/ttyS0
  poweroff -f
}

for m in $(cat /etc/lvsvm-modules); do
  insmod "/lib/modules/$m.ko" || fail "insmod $m failed"
done
ip link set lo up

share=$(sed -n 's/.*lvsvm\.share=\([^ ]*\).*/\1/p' /proc/cmdline)
if [ -n "$share" ]; then
  mkdir -p /mnt/ro /mnt/rw "$share"
  mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose share /mnt/ro || fail "9p mount failed"
  mount -t tmpfs -o size=256m tmpfs /mnt/rw
  mkdir -p /mnt/rw/upper /mnt/rw/work
  mount -t overlay overlay -o lowerdir=/mnt/ro,upperdir=/mnt/rw/upper,workdir=/mnt/rw/work "$share" || fail "overlay mount failed"
  cd "$share"
fi

stty -F /dev/ttyS1 raw -echo 2>/dev/null
sh /lvsvm/cmd.sh > /dev/ttyS1 2>&1 < /dev/null
rc=$?
echo "@@LVSVM_EXIT_STATUS=$rc@@" > /dev/ttyS0
sync
poweroff -f
