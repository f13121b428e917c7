#!/usr/bin/env bash
# Prepares the IPVS test VM for test/vm/lvs-vm.test.ts: qemu on the host, and the
# kernel/initramfs cache in .cache/lvsvm/ built from Debian packages fetched with
# `apt-get download` (nothing but qemu is installed). Idempotent; run as root from
# the repo root (.ci/run does). ~75 MB download and ~20 s the first time.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v qemu-system-x86_64 >/dev/null || ! command -v xz >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends $(sed 's/#.*//' .ci/apt.d/lvs.txt)
fi
if ! apt-cache show linux-image-amd64 >/dev/null 2>&1; then apt-get update -qq; fi
bash test/vm/build-image.sh
