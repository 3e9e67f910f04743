// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * flowgate.bpf.c: the entry points. Each one observes the frame (parse,
 * count, maybe sample: observe.h) and lets it pass, on every path:
 * XDP_PASS, TC_ACT_UNSPEC (so later TC filters of other tools still run).
 * fg_clock_read is a tool of the control plane, never attached.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "flowgate.h"
#include "observe.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp.frags")
int fg_xdp(struct xdp_md *ctx)
{
	fg_observe_xdp(ctx);
	return XDP_PASS;
}

SEC("tc")
int fg_tc_ingress(struct __sk_buff *skb)
{
	fg_observe_skb(skb, FG_DIR_INGRESS);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int fg_tc_egress(struct __sk_buff *skb)
{
	fg_observe_skb(skb, FG_DIR_EGRESS);
	return TC_ACT_UNSPEC;
}

/*
 * Not attached anywhere: the control plane test-runs it (BPF_PROG_TEST_RUN)
 * to read jiffies and CLOCK_MONOTONIC together into fg_clock[0], which is
 * how the drain turns the flow table's jiffies into ns. Retries while a tick
 * falls between the reads, so mono_ns lies within tick `jiffies`.
 */
SEC("xdp")
int fg_clock_read(struct xdp_md *ctx)
{
	struct fg_clock *c;
	__u32 zero = 0;
	__u64 j, ns;
	int i;

	c = bpf_map_lookup_elem(&fg_clock, &zero);
	if (!c)
		return XDP_PASS;
	for (i = 0; i < 4; i++) {
		j = bpf_jiffies64();
		ns = bpf_ktime_get_ns();
		if (bpf_jiffies64() == j)
			break;
	}
	c->jiffies = j;
	c->mono_ns = ns;
	return XDP_PASS;
}
