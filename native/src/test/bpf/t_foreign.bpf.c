// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* t_foreign.bpf.c: "another tool's" XDP program, attached with iproute2
 * (ip link set dev X xdpdrv obj t_foreign.bpf.o sec xdp), which flowgate
 * must neither replace nor be replaced by. No maps: iproute2 loads it
 * as is. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp")
int t_foreign(struct xdp_md *ctx)
{
	return XDP_PASS;
}
