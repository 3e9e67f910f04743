/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * account.h: count one parsed frame into the totals and the flow map.
 *
 * fg_iface_of(ifindex, &slot) returns the interface's settings (NULL when
 * it has none: fg_settings[ifindex] without FG_SETTINGS_VALID, or for an
 * ifindex >= FG_SETTINGS_DIRECT no fg_settings_far entry) and sets slot; an interface without settings, or
 * with a slot >= FG_MAX_SLOTS, counts under FG_SLOT_UNKNOWN and as
 * DP_IFACE_UNKNOWN. Its flows still go to the flow map (keyed by ifindex).
 *
 * fg_account(ctx, is_skb, pkt, kind, slot, set, packets, bytes) reads the half the programs
 * write (fg_flow_gen) once and counts into
 * fg_totals[half * FG_TOTALS_PER_HALF + slot * FG_DIR_MAX + direction] on
 * this CPU, and the flow into that same half, so the totals of a retired
 * half are exactly what its drain finds (plus its insert failures):
 * - FG_PKT_OTHER: other_packets += packets, other_bytes += bytes; never the
 *   flow table.
 * - FG_PKT_IP: packets/bytes, and the same into pkt->key's slot in this
 *   CPU's slice of the half of fg_flows that fg_flow_gen names. So
 *   totals.packets equals the sum of the drained slots' packets, except what
 *   the table could not take: that is counted in
 *   insert_failed/insert_failed_bytes (and DP_FLOW_INSERT_FAILED). Nothing is
 *   ever evicted: the table only loses what it refuses, and counts that.
 *   Every IP packet also goes to its target's per-host counters
 *   (fg_detect_count, detect.h), whether the table took it or not.
 *
 * fg_flow_count: open addressing with linear probing. The hash of the key's
 * six words (key + state FG_SLOT_USED, built by the parser in fg_packet)
 * picks a position; up to FG_TABLE_PROBES slots from it are tried: the slot
 * holding this key gets plain adds (only this CPU writes this slice: XDP and
 * TC programs run with migration and bottom halves off and do not nest at
 * these hooks), the first empty slot is claimed. When all are taken by
 * other flows the packet goes to the half's spill map (fg_spill_0/1, a HASH
 * shared by all CPUs: a helper call and atomic adds, on this rare path
 * only); if the spill map is full too, it is insert-failed.
 * A claimed slot's position is appended to this CPU's list of the half
 * (fg_taken, fg_taken_add): plain stores, as safe as the claim itself for
 * the same reason, so the sweeper visits only the slots taken.
 * A new slot or spill entry also gets what the flow's first packet says
 * beyond its key (route.h: the other interface, next hop, forwarding status,
 * MACs), in a subprogram called on the insert path only.
 * Times are bpf_jiffies64() (inlined by the verifier on 64-bit JITs into a
 * load; the tick of bpf_ktime_get_coarse_ns). No helper call on this path:
 * ARRAY lookups of known maps and bpf_get_smp_processor_id() are inlined
 * (the latter on x86-64 since 6.10).
 */
#ifndef FG_ACCOUNT_H
#define FG_ACCOUNT_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "flowgate.h"
#include "maps.h"
#include "parse.h"
#include "detect.h"
#include "route.h"

static __always_inline struct iface_settings *fg_iface_of(__u32 ifindex,
							  __u32 *slot)
{
	struct iface_settings *set;

	if (ifindex < FG_SETTINGS_DIRECT) {
		set = bpf_map_lookup_elem(&fg_settings, &ifindex);
	} else {
		set = bpf_map_lookup_elem(&fg_settings_far, &ifindex);
		/* keeps clang from sinking both lookups into one call whose
		 * map is a phi: the verifier inlines only a known ARRAY */
		asm volatile("" : "+r"(set));
	}
	if (set && !(set->flags & FG_SETTINGS_VALID))
		set = NULL;
	if (set && set->slot < FG_MAX_SLOTS) {
		*slot = set->slot;
		return set;
	}
	*slot = FG_SLOT_UNKNOWN;
	fg_error_count(DP_IFACE_UNKNOWN);
	return set;
}

#define FG_HASH_MUL 0x9E3779B97F4A7C15ULL

/*
 * Hash of the six words of key + state: every word is mixed in by a
 * multiply, then the high half is folded down (a multiply only carries
 * differences upwards, so without the fold, keys that differ only in high
 * bits, such as the last octets of two IPv4 addresses, collide in bulk; and
 * without multiplying the first word too, the same bit flipped in two words
 * cancels out). The slot position is the top fg_slot_bits bits of the last
 * multiply, folded. FlowTableTest has the key shapes that broke weaker ones.
 */
static __always_inline __u64 fg_key_hash(const __u64 *w)
{
	__u64 h = 0;
	int i;

#pragma unroll
	for (i = 0; i < 6; i++) {
		h = (h ^ w[i]) * FG_HASH_MUL;
		h ^= h >> 29;
	}
	h *= FG_HASH_MUL;
	return h ^ (h >> 32);
}

/* adds one packet's worth to an existing spill entry (other CPUs too) */
static __always_inline void fg_spill_add(struct flow_stats *st,
					 const struct fg_packet *pkt,
					 __u32 packets, __u64 bytes, __u64 now)
{
	__sync_fetch_and_add(&st->packets, packets);
	__sync_fetch_and_add(&st->bytes, bytes);
	if (st->last_seen_ns < now)
		st->last_seen_ns = now;
	if (pkt->tcp_flags &&
	    (st->tcp_flags & pkt->tcp_flags) != pkt->tcp_flags)
		__sync_fetch_and_or(&st->tcp_flags, pkt->tcp_flags);
}

/* a new spill entry (fg_spill_count's return; the flow is new) */
#define FG_SPILL_NEW (-1)

/* counts into the spill map of half `half`; 0 (existing entry), FG_SPILL_NEW
 * or DP_FLOW_INSERT_FAILED */
static __noinline int fg_spill_count(__u32 half, const struct fg_packet *pkt,
				     __u32 packets, __u64 bytes, __u64 now)
{
	struct flow_stats *st, init = {};
	void *spill;
	long err;

	if (half)
		spill = &fg_spill_1;
	else
		spill = &fg_spill_0;
	st = bpf_map_lookup_elem(spill, &pkt->key);
	if (st) {
		fg_spill_add(st, pkt, packets, bytes, now);
		return 0;
	}
	init.packets = packets;
	init.bytes = bytes;
	init.first_seen_ns = now;
	init.last_seen_ns = now;
	init.tcp_flags = pkt->tcp_flags;
	init.tos = pkt->tos;
	init.ip_version = pkt->ip_version;
	err = bpf_map_update_elem(spill, &pkt->key, &init, BPF_NOEXIST);
	if (!err) {
		fg_error_count(DP_FLOW_SPILLED);
		return FG_SPILL_NEW;
	}
	if (err == -17 /* EEXIST: another CPU inserted it first */) {
		st = bpf_map_lookup_elem(spill, &pkt->key);
		if (st) {
			fg_spill_add(st, pkt, packets, bytes, now);
			return 0;
		}
	}
	return DP_FLOW_INSERT_FAILED;
}

/* the first packet's route, interfaces and MACs into a new entry's stats */
static __always_inline void fg_first(void *ctx, const bool is_skb,
				     const struct fg_packet *pkt,
				     const struct iface_settings *set, struct flow_stats *st)
{
	__u32 flags = set ? set->flags : 0;

	if (is_skb)
		fg_first_skb(ctx, pkt, flags, st);
	else
		fg_first_xdp(ctx, pkt, flags, st);
}

/* lists slot `idx` of fg_flows ((half * fg_cpus + cpu) << fg_slot_bits |
 * position) in fg_taken (maps.h) as taken by this CPU in that half: the
 * count always goes up, the position is stored while it fits. A subprogram
 * of one argument, so the hit path's code moves as little as it can
 * (bench/xlated_diff.py). */
static __noinline void fg_taken_add(__u32 idx)
{
	__u32 at = (idx >> fg_slot_bits) << fg_taken_bits;
	__u64 *count, *entry, n;

	count = bpf_map_lookup_elem(&fg_taken, &at);
	if (!count)
		return;
	n = *count;
	if (n < (1U << fg_taken_bits) - 1) {
		__u32 e = at + 1 + (__u32)n;

		entry = bpf_map_lookup_elem(&fg_taken, &e);
		if (entry)
			*entry = idx & ((1U << fg_slot_bits) - 1);
	}
	*count = n + 1;
}

/* returns 0 if the flow table took the packet, else the reason it did not;
 * *fresh = 1 when it took a new slot or spill entry for it */
static __always_inline int fg_flow_count(void *ctx, const bool is_skb,
					 const struct fg_packet *pkt,
					 const struct iface_settings *set, __u32 half,
					 __u32 packets, __u64 bytes,
					 bool *fresh)
{
	const __u64 *k = (const __u64 *)&pkt->key;
	__u32 cpu, base, pos, mask, i;
	struct flow_slot *s;
	__u64 h, now;
	int rc;

	cpu = bpf_get_smp_processor_id();
	if (cpu >= fg_cpus)
		return DP_NO_FLOW_MAP;
	now = bpf_jiffies64();
	h = fg_key_hash(k);
	mask = (1U << fg_slot_bits) - 1;
	base = (half * fg_cpus + cpu) << fg_slot_bits;
	pos = h >> (64 - fg_slot_bits);
#pragma unroll
	for (i = 0; i < FG_TABLE_PROBES; i++) {
		__u32 idx = base | ((pos + i) & mask);
		__u64 *w;

		s = bpf_map_lookup_elem(&fg_flows, &idx);
		if (!s)
			break;
		w = (__u64 *)s;
		if (w[0] == k[0] && w[1] == k[1] && w[2] == k[2] &&
		    w[3] == k[3] && w[4] == k[4] && w[5] == k[5]) {
			s->stats.packets += packets;
			s->stats.bytes += bytes;
			s->stats.last_seen_ns = now;
			s->stats.tcp_flags |= pkt->tcp_flags;
			return 0;
		}
		if (s->state == FG_SLOT_EMPTY) {
			/* first packet of the flow on this CPU this interval */
			w[0] = k[0];
			w[1] = k[1];
			w[2] = k[2];
			w[3] = k[3];
			w[4] = k[4];
			w[5] = k[5];
			s->stats.packets = packets;
			s->stats.bytes = bytes;
			s->stats.first_seen_ns = now;
			s->stats.last_seen_ns = now;
			s->stats.tcp_flags = pkt->tcp_flags;
			s->stats.tos = pkt->tos;
			s->stats.ip_version = pkt->ip_version;
			fg_first(ctx, is_skb, pkt, set, &s->stats);
			fg_taken_add(idx);
			*fresh = true;
			return 0;
		}
	}
	rc = fg_spill_count(half, pkt, packets, bytes, now);
	if (rc == FG_SPILL_NEW) {
		struct flow_stats *st = bpf_map_lookup_elem(
			half ? (void *)&fg_spill_1 : (void *)&fg_spill_0,
			&pkt->key);

		if (st)
			fg_first(ctx, is_skb, pkt, set, st);
		*fresh = true;
		rc = 0;
	}
	return rc;
}

static __always_inline void fg_account(void *ctx, const bool is_skb,
				       const struct fg_packet *pkt, int kind,
				       __u32 slot, const struct iface_settings *set,
				       __u32 packets, __u64 bytes)
{
	__u32 zero = 0, half, idx, *gen;
	struct iface_totals *tot;
	bool fresh = false;
	int reason;

	gen = bpf_map_lookup_elem(&fg_flow_gen, &zero);
	if (!gen)
		return;
	half = *gen & 1;
	idx = half * FG_TOTALS_PER_HALF + slot * FG_DIR_MAX + pkt->key.direction;
	tot = bpf_map_lookup_elem(&fg_totals, &idx);
	if (!tot)
		return;
	if (kind != FG_PKT_IP) {
		tot->other_packets += packets;
		tot->other_bytes += bytes;
		return;
	}
	tot->packets += packets;
	tot->bytes += bytes;
	reason = fg_flow_count(ctx, is_skb, pkt, set, half, packets,
			       bytes, &fresh);
	if (reason) {
		tot->insert_failed += packets;
		tot->insert_failed_bytes += bytes;
		fg_error_count(reason);
	}
	fg_detect_count(pkt, packets, bytes, fresh || reason);
}

#endif /* FG_ACCOUNT_H */
