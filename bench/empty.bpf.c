// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* empty.bpf.c: the benchmark's floor, programs that only return (the cost
 * of the hook and of bpf_stats itself). */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp")
int empty_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("tc")
int empty_tc(struct __sk_buff *skb)
{
	return TC_ACT_UNSPEC;
}
