#!/bin/sh
# Run inside the IPVS test VM by lvs-vm.test.ts. vigil starts first: under TCG its
# start-up (tens of seconds) is the long pole, so it overlaps the VM test script's
# own start and phase A. The script gets vigil's pid and log.
export VIGIL_TOKEN=vm-test-token VIGIL_LOG_LEVEL=info
node --import tsx core/cli/main.ts run -c examples/lvs-director.yaml > /tmp/vigil-run.log 2>&1 &
exec node --import tsx test/vm/lvs-in-vm.ts --vigil-pid "$!"
