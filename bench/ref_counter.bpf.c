// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ref_counter.bpf.c: the benchmark's reference, a straightforward flow
 * counter as LAB.md describes it: LRU_HASH of 1M entries keyed by a 40-byte
 * 5-tuple, bpf_ktime_get_ns(), atomic adds. IPv4 TCP/UDP only, no VLANs;
 * everything else passes uncounted. The same counter at XDP (ref_xdp) and
 * at TC (ref_tc), so each hook has its own baseline. Never drops.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct ref_key {
	__u8 src[16];
	__u8 dst[16];
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 pad[3];
}; /* 40 bytes */

struct ref_val {
	__u64 packets;
	__u64 bytes;
	__u64 first_ns;
	__u64 last_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1 << 20);
	__type(key, struct ref_key);
	__type(value, struct ref_val);
} ref_flows SEC(".maps");

static __always_inline void ref_count(void *data, void *end)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct ref_key key = {};
	struct ref_val *v, init = {};
	__u16 *ports;
	__u64 now;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		goto out;
	ports = (void *)ip + ip->ihl * 4;
	if ((void *)(ports + 2) > end)
		goto out;
	__builtin_memcpy(&key.src[12], &ip->saddr, 4);
	__builtin_memcpy(&key.dst[12], &ip->daddr, 4);
	key.sport = bpf_ntohs(ports[0]);
	key.dport = bpf_ntohs(ports[1]);
	key.proto = ip->protocol;
	now = bpf_ktime_get_ns();
	v = bpf_map_lookup_elem(&ref_flows, &key);
	if (v) {
		__sync_fetch_and_add(&v->packets, 1);
		__sync_fetch_and_add(&v->bytes, bpf_ntohs(ip->tot_len));
		v->last_ns = now;
	} else {
		init.packets = 1;
		init.bytes = bpf_ntohs(ip->tot_len);
		init.first_ns = now;
		init.last_ns = now;
		bpf_map_update_elem(&ref_flows, &key, &init, BPF_NOEXIST);
	}
out:
	return;
}

SEC("xdp")
int ref_xdp(struct xdp_md *ctx)
{
	ref_count((void *)(long)ctx->data, (void *)(long)ctx->data_end);
	return XDP_PASS;
}

SEC("tc")
int ref_tc(struct __sk_buff *skb)
{
	ref_count((void *)(long)skb->data, (void *)(long)skb->data_end);
	return TC_ACT_UNSPEC;
}
