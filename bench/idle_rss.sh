#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Idle resident memory of flowgate run (issue 17, BENCHMARKS.md "Issue 17, memory"). Needs root.
#   bench/idle_rss.sh TREE LABEL: TREE's bin/flowgate run with TREE's shipped config (an interface
#   that does not exist, own pin path, state directory, API port and token), VmRSS and VmHWM 55 s
#   after start; run it for two trees in turn to compare builds.
set -u
D=$1
W=/var/tmp/fg-mem-idle-$$
mkdir -p $W
sed -e "s|name: eth1 |name: fgmemnone |" -e "s|pin-path: /sys/fs/bpf/flowgate|pin-path: /sys/fs/bpf/fg-mem-$$|" \
    -e "s|state-directory: /var/lib/flowgate|state-directory: $W/state|" \
    -e "s|directory: /var/lib/flowgate/flows|directory: $W/flows|" \
    -e "s|listen: 127.0.0.1:9740|listen: 127.0.0.1:0|" \
    -e "s|token-file: /etc/flowgate/api-token|token-file: $W/token|" $D/config/flowgate.yaml > $W/flowgate.yaml
echo "fgmemtoken0123456789abcdef0123456789" > $W/token; chmod 600 $W/token
$D/bin/flowgate run --config $W/flowgate.yaml > $W/log 2>&1 &
P=$!
sleep 55
J=$(pgrep -P $P java || echo $P)
for p in $P $J; do grep -q java /proc/$p/cmdline 2>/dev/null && JP=$p; done
echo "$2 $(grep -E 'VmRSS|VmHWM' /proc/$JP/status | tr -s ' \n' ' ')"
kill $P; wait $P 2>/dev/null
rm -rf /sys/fs/bpf/fg-mem-$$ $W
