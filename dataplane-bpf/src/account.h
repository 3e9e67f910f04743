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
 * fg_account(pkt, kind, slot, packets, bytes) counts into
 * fg_totals[slot * FG_DIR_MAX + direction] on this CPU:
 * - FG_PKT_OTHER: other_packets += packets, other_bytes += bytes; never the
 *   flow map.
 * - FG_PKT_IP: packets/bytes, and the same into the flow entry of pkt->key
 *   in the map fg_flow_slot[0] names. So totals.packets equals the sum of
 *   the flow entries' packets, except what the flow map could not take:
 *   that is counted in insert_failed/insert_failed_bytes (and
 *   DP_FLOW_INSERT_FAILED, or DP_NO_FLOW_MAP when the slot is empty).
 *   LRU evictions inside an interval are the other unaccounted part; the
 *   control plane measures them as the difference.
 * Flow entry update: found -> atomic adds of packets and bytes,
 * last_seen_ns stored when it changed, tcp_flags atomically OR-ed only when
 * new bits appear. Missing -> insert with BPF_NOEXIST (first_seen_ns =
 * last_seen_ns = now, tos and ip_version of this first packet); -EEXIST
 * means another CPU inserted it first: look up again and add. Times are
 * bpf_ktime_get_coarse_ns() (CLOCK_MONOTONIC_COARSE).
 */
#ifndef FG_ACCOUNT_H
#define FG_ACCOUNT_H

#include <linux/bpf.h>
#include <linux/errno.h>
#include <bpf/bpf_helpers.h>

#include "flowgate.h"
#include "maps.h"
#include "parse.h"

static __always_inline struct iface_settings *fg_iface_of(__u32 ifindex,
							  __u32 *slot)
{
	struct iface_settings *set;

	if (ifindex < FG_SETTINGS_DIRECT)
		set = bpf_map_lookup_elem(&fg_settings, &ifindex);
	else
		set = bpf_map_lookup_elem(&fg_settings_far, &ifindex);
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

/* adds one packet's worth to an existing entry */
static __always_inline void fg_flow_add(struct flow_stats *st,
					const struct fg_packet *pkt,
					__u32 packets, __u64 bytes, __u64 now)
{
	__sync_fetch_and_add(&st->packets, packets);
	__sync_fetch_and_add(&st->bytes, bytes);
	if (st->last_seen_ns != now)
		st->last_seen_ns = now;
	if (pkt->tcp_flags &&
	    (st->tcp_flags & pkt->tcp_flags) != pkt->tcp_flags)
		__sync_fetch_and_or(&st->tcp_flags, pkt->tcp_flags);
}

/* returns 0 if the flow map took the packet, else the reason it did not */
static __always_inline int fg_flow_count(const struct fg_packet *pkt,
					 __u32 packets, __u64 bytes)
{
	struct flow_stats *st, init = {};
	__u32 zero = 0;
	void *flows;
	__u64 now;
	long err;

	flows = bpf_map_lookup_elem(&fg_flow_slot, &zero);
	if (!flows)
		return DP_NO_FLOW_MAP;
	now = bpf_ktime_get_coarse_ns();
	st = bpf_map_lookup_elem(flows, &pkt->key);
	if (st) {
		fg_flow_add(st, pkt, packets, bytes, now);
		return 0;
	}

	/* first packet of the flow this interval */
	init.packets = packets;
	init.bytes = bytes;
	init.first_seen_ns = now;
	init.last_seen_ns = now;
	init.tcp_flags = pkt->tcp_flags;
	init.tos = pkt->tos;
	init.ip_version = pkt->ip_version;
	err = bpf_map_update_elem(flows, &pkt->key, &init, BPF_NOEXIST);
	if (!err)
		return 0;
	if (err == -EEXIST) {
		/* another CPU inserted it between our lookup and update */
		st = bpf_map_lookup_elem(flows, &pkt->key);
		if (st) {
			fg_flow_add(st, pkt, packets, bytes, now);
			return 0;
		}
	}
	return DP_FLOW_INSERT_FAILED;
}

static __always_inline void fg_account(const struct fg_packet *pkt, int kind,
				       __u32 slot, __u32 packets, __u64 bytes)
{
	__u32 idx = slot * FG_DIR_MAX + pkt->key.direction;
	struct iface_totals *tot;
	int reason;

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
	reason = fg_flow_count(pkt, packets, bytes);
	if (reason) {
		tot->insert_failed += packets;
		tot->insert_failed_bytes += bytes;
		fg_error_count(reason);
	}
}

#endif /* FG_ACCOUNT_H */
