// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * table_proto.bpf.c: a flow counter with no helper call on its hot path, a
 * measured prototype for a redesign of flowgate's flow table (NOT wired into
 * the product). Parses like ref_counter.bpf.c (IPv4 TCP/UDP, no VLAN; all
 * else passes uncounted) but counts into its own open-addressing hash table:
 *
 * - proto_table, a BPF_MAP_TYPE_ARRAY with BPF_F_MMAPABLE of struct
 *   table_slot (table_slot.h). The verifier inlines bpf_map_lookup_elem() of
 *   a statically known ARRAY into a bounds check and an address computation:
 *   no call. The loader sets max_entries = possible CPUs << slot_bits and
 *   slot_bits (rodata) so each CPU owns 2^slot_bits slots, index
 *   cpu << slot_bits | position. bpf_get_smp_processor_id() is inlined on
 *   x86-64 since 6.10 (a per-CPU load). Only the owning CPU writes a slice
 *   (XDP and TC programs run with migration disabled and are not reentered on
 *   one CPU at these hooks), so plain adds are exact.
 * - Linear probing from a multiply-xor hash of the six 8-byte words of
 *   key + state, at most TABLE_PROBES slots; an empty slot is claimed (key,
 *   state TABLE_USED); no free slot within the bound counts insert_failed in
 *   proto_stats[cpu]. The packet always passes.
 * - No deletion: the intended drain (see table_drain.c) is swap-and-drain:
 *   the programs write table A while user space drains table B through the
 *   mmap and zeroes every slot it read, so no tombstones are ever needed.
 *   (Swap: a rodata/array "active table" word read per packet; after the
 *   flip user space waits for the programs in flight to finish, e.g. a
 *   synchronize_rcu via a map update of an ARRAY_OF_MAPS or a per-CPU epoch,
 *   before reading B. Not prototyped here.)
 * - Time: bpf_jiffies64(), which the verifier inlines on 64-bit JITs into a
 *   load of jiffies (no call), resolution 1/CONFIG_HZ (4 ms at HZ=250, the
 *   same tick as bpf_ktime_get_coarse_ns). User space converts jiffies to
 *   CLOCK_MONOTONIC ns with one reference pair (jiffies_ref, mono_ns_ref)
 *   read together, e.g. by BPF_PROG_TEST_RUN of a tiny program returning
 *   bpf_jiffies64() and bpf_ktime_get_ns() into an array, once per drain:
 *   ns = mono_ns_ref - (jiffies_ref - j) * (1e9 / HZ), HZ from the kernel
 *   config or from two pairs a few seconds apart.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "table_slot.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#ifndef TABLE_PROBES
#define TABLE_PROBES 8
#endif
#define HASH_MUL 0x9E3779B97F4A7C15ULL

/* set by the loader (bench/table_load.c) before load */
const volatile __u32 slot_bits = 10;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 2 << 10); /* the loader sets CPUs << slot_bits */
	__type(key, __u32);
	__type(value, struct table_slot);
} proto_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 64); /* the loader sets possible CPUs */
	__type(key, __u32);
	__type(value, struct table_cpu_stats);
} proto_stats SEC(".maps");

union table_key {
	struct {
		struct flow_key key;
		__u32 state;
	};
	__u64 w[6];
};

static __always_inline __u64 key_hash(const union table_key *k)
{
	__u64 h = k->w[0];

	h = (h ^ k->w[1]) * HASH_MUL;
	h = (h ^ k->w[2]) * HASH_MUL;
	h = (h ^ k->w[3]) * HASH_MUL;
	h = (h ^ k->w[4]) * HASH_MUL;
	h = (h ^ k->w[5]) * HASH_MUL;
	return h ^ (h >> 31);
}

static __always_inline void count_failed(__u32 cpu, int uncounted)
{
	struct table_cpu_stats *st = bpf_map_lookup_elem(&proto_stats, &cpu);

	if (!st)
		return;
	if (uncounted)
		st->uncounted++;
	else
		st->insert_failed++;
}

static __always_inline void proto_count(void *data, void *end, __u32 ifindex)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	union table_key k = {};
	struct table_slot *s;
	__u32 cpu = bpf_get_smp_processor_id();
	__u32 base, pos, mask, bytes, i;
	__u8 *l4, tcp_flags = 0;
	__u64 h, now;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		goto uncounted;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		goto uncounted;
	l4 = (void *)ip + ip->ihl * 4;
	if ((void *)(l4 + 4) > end)
		goto uncounted;
	if (ip->protocol == IPPROTO_TCP) {
		if ((void *)(l4 + 14) > end)
			goto uncounted;
		tcp_flags = l4[13];
	}
	k.key.src_addr[10] = 0xff;
	k.key.src_addr[11] = 0xff;
	k.key.dst_addr[10] = 0xff;
	k.key.dst_addr[11] = 0xff;
	__builtin_memcpy(&k.key.src_addr[12], &ip->saddr, 4);
	__builtin_memcpy(&k.key.dst_addr[12], &ip->daddr, 4);
	k.key.src_port = bpf_ntohs(*(__u16 *)l4);
	k.key.dst_port = bpf_ntohs(*(__u16 *)(l4 + 2));
	k.key.ifindex = ifindex;
	k.key.protocol = ip->protocol;
	k.key.direction = FG_DIR_INGRESS;
	k.state = TABLE_USED;
	bytes = bpf_ntohs(ip->tot_len);
	now = bpf_jiffies64();

	h = key_hash(&k);
	mask = (1U << slot_bits) - 1;
	base = cpu << slot_bits;
	pos = h >> (64 - slot_bits);
#pragma unroll
	for (i = 0; i < TABLE_PROBES; i++) {
		__u32 idx = base | ((pos + i) & mask);
		__u64 *w;

		s = bpf_map_lookup_elem(&proto_table, &idx);
		if (!s)
			break;
		w = (__u64 *)s;
		if (w[0] == k.w[0] && w[1] == k.w[1] && w[2] == k.w[2] &&
		    w[3] == k.w[3] && w[4] == k.w[4] && w[5] == k.w[5]) {
			s->val.packets++;
			s->val.bytes += bytes;
			s->val.last_seen_ns = now;
			s->val.tcp_flags |= tcp_flags;
			return;
		}
		if (s->state == TABLE_EMPTY) {
			w[0] = k.w[0];
			w[1] = k.w[1];
			w[2] = k.w[2];
			w[3] = k.w[3];
			w[4] = k.w[4];
			w[5] = k.w[5];
			s->val.packets = 1;
			s->val.bytes = bytes;
			s->val.first_seen_ns = now;
			s->val.last_seen_ns = now;
			s->val.tcp_flags = tcp_flags;
			s->val.tos = ip->tos;
			s->val.ip_version = 4;
			return;
		}
	}
	count_failed(cpu, 0);
	return;
uncounted:
	count_failed(cpu, 1);
}

SEC("xdp")
int proto_xdp(struct xdp_md *ctx)
{
	proto_count((void *)(long)ctx->data, (void *)(long)ctx->data_end,
		    ctx->ingress_ifindex);
	return XDP_PASS;
}

SEC("tc")
int proto_tc(struct __sk_buff *skb)
{
	proto_count((void *)(long)skb->data, (void *)(long)skb->data_end,
		    skb->ifindex);
	return TC_ACT_UNSPEC;
}
