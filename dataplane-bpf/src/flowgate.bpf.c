// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * flowgate.bpf.c: the entry points. Each one observes the frame (parse,
 * count, maybe sample: observe.h) and lets it pass, on every path:
 * XDP_PASS, TC_ACT_UNSPEC (so later TC filters of other tools still run).
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
