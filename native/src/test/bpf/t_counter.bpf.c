// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * t_counter.bpf.c: a small stand-in for flowgate.bpf.o that the native
 * tests control completely: an XDP and a TC program that count every frame
 * into an LRU hash (reached through a one-slot ARRAY_OF_MAPS) and a per-CPU
 * array, and pass it. It also pins every enum of flowgate.h into BTF, so
 * LayoutTest can check enum values the real object's BTF may not carry.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "flowgate.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* set before load by BpfObjectTest */
const volatile __u32 t_answer = 7;

/* enum types used by a variable, so their enumerators are in BTF */
enum fg_error t_error_anchor;
enum fg_direction t_direction_anchor;

struct t_flow_map {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
};

struct t_flow_map t_flows_a SEC(".maps");
struct t_flow_map t_flows_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct t_flow_map);
} t_slot SEC(".maps") = {
	.values = {&t_flows_a},
};

/* [0] frames seen, [1] t_answer as loaded */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} t_counts SEC(".maps");

static __always_inline void count(__u32 len)
{
	struct flow_key key = {};
	struct flow_stats init = {}, *st;
	__u32 zero = 0, one = 1;
	__u64 *n;
	void *flows;

	n = bpf_map_lookup_elem(&t_counts, &zero);
	if (n)
		*n += 1;
	n = bpf_map_lookup_elem(&t_counts, &one);
	if (n)
		*n = t_answer;
	flows = bpf_map_lookup_elem(&t_slot, &zero);
	if (!flows)
		return;
	/* one flow per frame length: enough to tell frames apart */
	key.ifindex = len;
	st = bpf_map_lookup_elem(flows, &key);
	if (st) {
		__sync_fetch_and_add(&st->packets, 1);
		__sync_fetch_and_add(&st->bytes, len);
		return;
	}
	init.packets = 1;
	init.bytes = len;
	bpf_map_update_elem(flows, &key, &init, BPF_NOEXIST);
}

SEC("xdp")
int t_xdp(struct xdp_md *ctx)
{
	count(ctx->data_end - ctx->data);
	return XDP_PASS;
}

SEC("tc")
int t_tc(struct __sk_buff *skb)
{
	count(skb->len);
	return TC_ACT_UNSPEC;
}
