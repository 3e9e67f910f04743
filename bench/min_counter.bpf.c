// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * min_counter.bpf.c: the floor of a per-flow counter at XDP, for the
 * benchmark only (bench/xdp_ablate.py): IPv4 frames only, the flow's index
 * is the low 20 bits of the source address (no key stored, no compare, no
 * hash, no time, no totals: collisions are simply merged), two plain adds
 * into an ARRAY slot of 16 bytes: consecutive sources share cache lines.
 * Built with -DMIN_SPREAD (min_spread_counter.bpf.o): the index is the
 * source address times a constant, top 12 bits, into the first 4,096 slots
 * of 64 bytes (256 KiB: the flow table's slice per CPU at 1,000 flows is
 * 4,096 slots of 120 bytes), so each flow has its own line at a hashed
 * place, as in a hash table. Not a
 * probe: what any per-flow counter costs at least on this machine, above
 * the empty program.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define MIN_SLOTS (1 << 20)

struct min_val {
	__u64 packets;
	__u64 bytes;
#ifdef MIN_SPREAD
	__u64 pad[6];
#endif
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MIN_SLOTS);
	__type(key, __u32);
	__type(value, struct min_val);
} min_flows SEC(".maps");

SEC("xdp")
int min_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct min_val *v;
	__u32 idx;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
#ifdef MIN_SPREAD
	idx = (bpf_ntohl(ip->saddr) * 0x9E3779B1U) >> 20;
#else
	idx = bpf_ntohl(ip->saddr) & (MIN_SLOTS - 1);
#endif
	v = bpf_map_lookup_elem(&min_flows, &idx);
	if (v) {
		v->packets += 1;
		v->bytes += bpf_ntohs(ip->tot_len);
	}
	return XDP_PASS;
}
