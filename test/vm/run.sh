#!/usr/bin/env bash
# Boots the IPVS test VM (Debian's kernel under qemu, no network device) and runs
# one command inside it; prints the command's output (stdout and stderr merged)
# and exits with its status.
#
#   test/vm/run.sh [--share DIR] [--timeout SECONDS] [--cwd DIR] [--copy HOSTDIR:GUESTDIR] -- COMMAND [ARG...]
#
# --copy puts a host directory into the VM's RAM (e.g. a warm tsx cache).
# --share DIR mounts DIR read-only at the same path inside the VM (writable
# through a tmpfs overlay); the command starts there (or in --cwd).
# Exit status: the command's; 124 when the VM hit the timeout; 125 when the VM
# itself failed (the kernel console is printed to stderr then).
# Needs the cache built by test/setup/lvs-vm.sh (test/vm/build-image.sh).
# Env: LVSVM_SMP (vCPUs, default 1: as fast here as 2, and leaves a host core to the
# other tests of the suite), LVSVM_MEM (MB, default 1024), LVSVM_ACCEL (default tcg).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${LVSVM_CACHE:-$repo/.cache/lvsvm}
share="" timeout_s=90 cwd="" copies=()
while [ $# -gt 0 ]; do
  case "$1" in
    --share) share=$(cd "$2" && pwd); shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --cwd) cwd=$2; shift 2 ;;
    --copy) copies+=("$2"); shift 2 ;;
    --) shift; break ;;
    *) echo "usage: $0 [--share DIR] [--timeout S] [--cwd DIR] -- COMMAND [ARG...]" >&2; exit 2 ;;
  esac
done
[ $# -gt 0 ] || { echo "lvsvm: no command given" >&2; exit 2; }
for f in vmlinux base.cpio.gz node.cpio busybox; do
  [ -f "$cache/$f" ] || { echo "lvsvm: $cache/$f is missing: run 'bash test/setup/lvs-vm.sh' (as root) to build the VM cache" >&2; exit 125; }
done
command -v qemu-system-x86_64 >/dev/null || { echo "lvsvm: qemu-system-x86_64 is missing: apt-get install qemu-system-x86 (see .ci/apt.d/lvs.txt)" >&2; exit 125; }

run=$(mktemp -d "${TMPDIR:-/tmp}/lvsvm.XXXXXX")
trap 'rm -rf "$run"' EXIT

# the command, each word single-quoted: it is the test's own argv, never config values
quote() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }
mkdir -p "$run/layer/lvsvm"
{
  [ -n "$cwd" ] && printf 'cd %s || exit 126\n' "$(quote "$cwd")"
  printf 'exec'
  for a in "$@"; do printf ' %s' "$(quote "$a")"; done
  printf '\n'
} > "$run/layer/lvsvm/cmd.sh"
for c in "${copies[@]}"; do
  src=${c%%:*} dst=${c#*:}
  [ -d "$src" ] || { echo "lvsvm: --copy $src: no such directory" >&2; exit 2; }
  mkdir -p "$run/layer$dst"
  cp -a "$src/." "$run/layer$dst/"
done
(cd "$run/layer" && find . -mindepth 1 | "$cache/busybox" cpio -o -H newc 2>/dev/null) > "$run/run.cpio"
# base (gzip, padded to 512) + node + this run: the kernel unpacks the layers in order
cat "$cache/base.cpio.gz" "$cache/node.cpio" "$run/run.cpio" > "$run/initrd"

append="console=ttyS0 panic=-1 quiet loglevel=3 rdinit=/init"
virtfs=()
if [ -n "$share" ]; then
  append="$append lvsvm.share=$share"
  virtfs=(-virtfs "local,path=$share,mount_tag=share,security_model=none,readonly=on")
fi
accel=${LVSVM_ACCEL:-tcg}
[ "$accel" = tcg ] && accel="tcg,thread=multi"

status=0
timeout --kill-after=5 "$timeout_s" qemu-system-x86_64 \
  -nodefaults -no-user-config -display none -monitor none -nic none -no-reboot \
  -accel "$accel" -cpu max -smp "${LVSVM_SMP:-1}" -m "${LVSVM_MEM:-1024}" \
  -kernel "$cache/vmlinux" -initrd "$run/initrd" -append "$append" \
  -serial "file:$run/console.log" -serial "file:$run/out.log" \
  "${virtfs[@]}" </dev/null >"$run/qemu.log" 2>&1 || status=$?

[ -f "$run/out.log" ] && cat "$run/out.log"
rc=$(sed -n 's/.*@@LVSVM_EXIT_STATUS=\([0-9]*\)@@.*/\1/p' "$run/console.log" 2>/dev/null | tail -n1)
if [ -n "$rc" ]; then exit "$rc"; fi
if [ $status = 124 ] || [ $status = 137 ]; then
  echo "lvsvm: the VM did not finish within ${timeout_s}s" >&2
  tail -n 30 "$run/console.log" >&2 2>/dev/null || true
  exit 124
fi
echo "lvsvm: the VM stopped without an exit status (qemu exit $status)" >&2
cat "$run/qemu.log" >&2
tail -n 40 "$run/console.log" >&2 2>/dev/null || true
exit 125
