/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * route.h: what a flow's first packet in the interval says beyond its key,
 * written into a new slot or spill entry (account.h) and never on the
 * existing-flow path: the other interface, the next hop, the forwarding
 * status (RFC 7270) and, when the interface asks for them, the MACs.
 *
 * fg_first_xdp(ctx, pkt, set_flags, st) / fg_first_skb(skb, pkt, set_flags,
 * st) fill st's fwd_status, peer_ifindex, next_hop, flags and MACs. Both are
 * __noinline subprograms: the existing-flow path of the entry points keeps
 * its instructions, and the insert path pays one call.
 * - Ingress hook (XDP, TC ingress): bpf_fib_lookup as the kernel's forwarding
 *   would for this packet arriving on key.ifindex (addresses, protocol,
 *   ports, ToS; BPF_FIB_LOOKUP_SKIP_NEIGH, so a next hop without a neighbour
 *   entry yet is still an answer): success -> FORWARDED, peer_ifindex = the
 *   egress ifindex, next_hop = the gateway or, directly connected, the
 *   destination; blackhole -> DROP_ACL_DROP, prohibit -> DROP_ACL_DENY,
 *   unreachable -> DROP_UNROUTABLE; "not forwarded" is both a local
 *   destination and no route at all (the kernel maps both so) ->
 *   FG_FWD_NOT_FORWARDED, which the control plane resolves by the
 *   destination (one of this host's addresses, broadcast or multicast:
 *   consumed; else dropped, unroutable; sweep/LocalDestinations).
 *   Forwarding off on the interface -> UNKNOWN (the kernel
 *   refuses the lookup). A tagged frame (key.vlan_id, the outer VID) is
 *   looked up on the VLAN device the kernel delivers it to: fg_vlan_devs
 *   (arrival ifindex, VID), filled by the control plane; without an entry
 *   (no such device, or VID 0: priority-tagged) on the arrival interface.
 * - Egress hook (TC egress): peer_ifindex = skb->ingress_ifindex; 0 (the
 *   host sent it) -> UNKNOWN, no next hop; else the lookup above from that
 *   ingress interface gives next hop and status.
 * - MACs: with FG_SETTINGS_RECORD_MACS and an Ethernet header (l2_len >=
 *   14) the frame's destination and source MAC, and FG_STATS_MACS.
 */
#ifndef FG_ROUTE_H
#define FG_ROUTE_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "flowgate.h"
#include "maps.h"
#include "parse.h"

#define FG_AF_INET 2
#define FG_AF_INET6 10

/* fills a lookup's question from the packet; ifindex is where it arrived */
static __always_inline void fg_fib_params(struct bpf_fib_lookup *p,
					  const struct fg_packet *pkt,
					  __u32 ifindex)
{
	const __u32 *s = (const __u32 *)pkt->key.src_addr;
	const __u32 *d = (const __u32 *)pkt->key.dst_addr;

	__builtin_memset(p, 0, sizeof(*p));
	p->l4_protocol = pkt->key.protocol;
	p->sport = bpf_htons(pkt->key.src_port);
	p->dport = bpf_htons(pkt->key.dst_port);
	p->ifindex = ifindex;
	if (pkt->ip_version == 4) {
		p->family = FG_AF_INET;
		p->tos = pkt->tos;
		p->ipv4_src = s[3];
		p->ipv4_dst = d[3];
	} else {
		p->family = FG_AF_INET6;
		p->flowinfo = bpf_htonl((__u32)pkt->tos << 20);
		__builtin_memcpy(p->ipv6_src, s, 16);
		__builtin_memcpy(p->ipv6_dst, d, 16);
	}
}

/* where the kernel's forwarding starts for a frame that arrived on the hook's
 * interface: its VLAN device for a tagged frame that has one, else the
 * interface itself (a helper call, on the insert path only) */
static __always_inline __u32 fg_arrival_dev(const struct fg_packet *pkt)
{
	struct fg_vlan_key k = {.ifindex = pkt->key.ifindex,
				.vlan_id = pkt->key.vlan_id};
	__u32 *dev;

	if (!pkt->key.vlan_id)
		return pkt->key.ifindex;
	dev = bpf_map_lookup_elem(&fg_vlan_devs, &k);
	return dev ? *dev : pkt->key.ifindex;
}

/* asks the FIB where the packet goes; sets fwd_status, next_hop and (when
 * set_peer) peer_ifindex to the egress interface */
static __always_inline void fg_route(void *ctx, const struct fg_packet *pkt,
				     __u32 ifindex, bool set_peer,
				     struct flow_stats *st)
{
	struct bpf_fib_lookup p;
	__u32 *nh = (__u32 *)st->next_hop;
	long rc;

	fg_fib_params(&p, pkt, ifindex);
	rc = bpf_fib_lookup(ctx, &p, sizeof(p), BPF_FIB_LOOKUP_SKIP_NEIGH);
	switch (rc) {
	case BPF_FIB_LKUP_RET_SUCCESS:
	case BPF_FIB_LKUP_RET_NO_NEIGH:
		st->fwd_status = FG_FWD_FORWARDED;
		if (set_peer)
			st->peer_ifindex = p.ifindex;
		if (p.family == FG_AF_INET) {
			nh[0] = 0;
			nh[1] = 0;
			nh[2] = bpf_htonl(0x0000ffff);
			nh[3] = p.ipv4_dst;
		} else {
			__builtin_memcpy(nh, p.ipv6_dst, 16);
		}
		break;
	case BPF_FIB_LKUP_RET_BLACKHOLE:
		st->fwd_status = FG_FWD_DROP_ACL_DROP;
		break;
	case BPF_FIB_LKUP_RET_PROHIBIT:
		st->fwd_status = FG_FWD_DROP_ACL_DENY;
		break;
	case BPF_FIB_LKUP_RET_UNREACHABLE:
		st->fwd_status = FG_FWD_DROP_UNROUTABLE;
		break;
	case BPF_FIB_LKUP_RET_NOT_FWDED: /* local, or no route at all */
		st->fwd_status = FG_FWD_NOT_FORWARDED;
		break;
	default: /* forwarding off, LWT, MTU, errors */
		st->fwd_status = FG_FWD_UNKNOWN;
		break;
	}
}

/* copies the frame's MACs when the interface records them */
static __always_inline void fg_macs(void *data, void *data_end,
				    const struct fg_packet *pkt, __u32 set_flags,
				    struct flow_stats *st)
{
	__u8 *eth = data;

	if (!(set_flags & FG_SETTINGS_RECORD_MACS) || pkt->l2_len < 14 ||
	    eth + 12 > (__u8 *)data_end)
		return;
	__builtin_memcpy(st->dst_mac, eth, 6);
	__builtin_memcpy(st->src_mac, eth + 6, 6);
	st->flags |= FG_STATS_MACS;
}

static __noinline void fg_first_xdp(struct xdp_md *ctx,
				    const struct fg_packet *pkt,
				    __u32 set_flags, struct flow_stats *st)
{
	fg_macs((void *)(long)ctx->data, (void *)(long)ctx->data_end, pkt,
		set_flags, st);
	fg_route(ctx, pkt, fg_arrival_dev(pkt), true, st);
}

static __noinline void fg_first_skb(struct __sk_buff *skb,
				    const struct fg_packet *pkt,
				    __u32 set_flags, struct flow_stats *st)
{
	__u32 in;

	fg_macs((void *)(long)skb->data, (void *)(long)skb->data_end, pkt,
		set_flags, st);
	if (pkt->key.direction == FG_DIR_INGRESS) {
		fg_route(skb, pkt, fg_arrival_dev(pkt), true, st);
		return;
	}
	in = skb->ingress_ifindex;
	st->peer_ifindex = in;
	if (in)
		fg_route(skb, pkt, in, false, st);
}

#endif /* FG_ROUTE_H */
