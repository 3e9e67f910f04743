/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * parse.h: from frame bytes to a flow key. Pure: reads the packet, touches
 * no map.
 *
 * fg_parse(data, data_end, raw_ip, hw_vlan, hw_tci, pkt) fills *pkt and returns
 * FG_PKT_IP when the frame counts as a flow (it then goes to the flow map
 * and to totals.packets/bytes), FG_PKT_OTHER when it does not (totals
 * other_packets/other_bytes only). pkt->error is an enum fg_error to count,
 * or DP_ERROR_MAX for none; an FG_PKT_IP packet may carry one too.
 *
 * Rules, in the order the parser applies them:
 * - Raw IP (raw_ip: an L3 device, FG_SETTINGS_RAW_IP): no L2 header
 *   (l2_len 0, vlan_id 0); the first byte's version nibble picks IPv4 (4)
 *   or IPv6 (6), and the rules below apply from there. An empty frame ->
 *   OTHER, TRUNCATED; another version -> OTHER, DP_PARSE_NOT_IP.
 * - Ethernet: fewer than 14 bytes -> OTHER, DP_PARSE_TRUNCATED.
 * - VLAN: up to two tags, 802.1Q (0x8100) or 802.1ad (0x88a8), in any
 *   order. key.vlan_id is the outer tag's VID (0 if untagged). When the
 *   driver or stack already took the outer tag out of the frame (TC:
 *   skb->vlan_present, hw_vlan here) it is the outer tag and at most one
 *   more tag is read from the frame. A tag cut short -> OTHER, TRUNCATED.
 *   A third tag, or any EtherType other than IPv4/IPv6 after the tags ->
 *   OTHER, DP_PARSE_NOT_IP. pkt->l2_len is the bytes before the IP header.
 * - IPv4: the 20-byte header cut short -> OTHER, TRUNCATED; version != 4,
 *   ihl < 5, or tot_len != 0 and < ihl * 4 -> OTHER, DP_PARSE_BAD_IP;
 *   options (ihl * 4 bytes) cut short -> OTHER, TRUNCATED. Addresses are
 *   stored IPv4-mapped (::ffff:a.b.c.d), tos is the ToS byte.
 *   Fragment offset != 0 -> IP with ports 0, DP_FRAGMENT_NONFIRST (the
 *   first fragment, offset 0, is parsed like any packet).
 * - IPv6: the 40-byte header cut short -> OTHER, TRUNCATED; version != 6
 *   -> OTHER, BAD_IP. tos is the traffic class. Extension headers walked:
 *   hop-by-hop (0), routing (43), fragment (44), destination options (60)
 *   and AH (51), at most FG_IPV6_EXT_MAX of them; a chain still going past
 *   that -> IP with protocol = the next header not walked, ports 0,
 *   DP_IPV6_EXT_LIMIT. An extension header cut short -> IP with protocol =
 *   its type, ports 0, TRUNCATED. A fragment header with offset != 0 ->
 *   IP with protocol = its next header, ports 0, DP_FRAGMENT_NONFIRST.
 *   Anything else (ESP, mobility, no-next-header...) is the protocol.
 * - Transport: TCP (20 bytes: ports, flags, data offset), UDP (8), SCTP
 *   (12, common header), ICMP and ICMPv6 (4: type, code, checksum; src
 *   port 0, dst port type << 8 | code). Header cut short -> IP with ports
 *   0, TRUNCATED. Other protocols: ports 0, no error.
 * - pkt->ip_len is the IP packet length, header + payload: IPv4 tot_len,
 *   IPv6 payload_len + 40; 0 when the field says 0 (IPv4 BIG TCP, IPv6
 *   jumbogram): the caller then takes it from the frame length.
 *   pkt->l3_len is the IP header with options / extension headers walked,
 *   pkt->l4_len the TCP header with options or 8 for UDP (else 0), both for
 *   the GSO byte count in account.h.
 * - key.ifindex and key.direction are left to the caller.
 */
#ifndef FG_PARSE_H
#define FG_PARSE_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "flowgate.h"

/* IPv6 extension headers walked at most; a longer chain is counted as
 * DP_IPV6_EXT_LIMIT. */
#ifndef FG_IPV6_EXT_MAX
#define FG_IPV6_EXT_MAX 6
#endif

#define FG_PKT_OTHER 0
#define FG_PKT_IP 1

#define FG_VLAN_VID_MASK 0x0fff
#define FG_IP_FRAG_OFFSET 0x1fff /* IPv4 frag_off: offset in 8-byte units */
#define FG_IP6_FRAG_OFFSET 0xfff8 /* IPv6 fragment header: offset << 3 */

struct fg_vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

/* the parts of an IPv6 extension header the walk needs */
struct fg_ipv6_ext {
	__u8 nexthdr;
	__u8 hdrlen;
	__be16 frag_off; /* fragment header only */
};

/* what the parser learned about one frame */
struct fg_packet {
	struct flow_key key;
	__u32 key_state; /* FG_SLOT_USED: key + this = a used flow_slot's first 48 bytes */
	__u32 l2_len;
	__u32 l3_len;
	__u32 l4_len;
	__u32 ip_len;
	__u8 tcp_flags;
	__u8 tos;
	__u8 ip_version;
	__u8 error;
} __attribute__((aligned(8)));

/* IPv4 a.b.c.d -> ::ffff:a.b.c.d */
static __always_inline void fg_addr_map4(__u8 *dst, __be32 addr)
{
	__u32 *w = (__u32 *)dst;

	w[0] = 0;
	w[1] = 0;
	w[2] = bpf_htonl(0x0000ffff);
	w[3] = addr;
}

/* reads the transport header at l4; returns FG_PKT_IP (always an IP packet
 * by now), sets ports, tcp flags and l4_len, or TRUNCATED if cut short */
static __always_inline int fg_parse_l4(void *l4, void *data_end,
				       struct fg_packet *pkt)
{
	__u8 *b = l4;

	switch (pkt->key.protocol) {
	case IPPROTO_TCP:
		if (l4 + 20 > data_end)
			goto truncated;
		pkt->key.src_port = (b[0] << 8) | b[1];
		pkt->key.dst_port = (b[2] << 8) | b[3];
		pkt->l4_len = (b[12] >> 4) * 4;
		pkt->tcp_flags = b[13];
		break;
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		if (l4 + (pkt->key.protocol == IPPROTO_UDP ? 8 : 12) > data_end)
			goto truncated;
		pkt->key.src_port = (b[0] << 8) | b[1];
		pkt->key.dst_port = (b[2] << 8) | b[3];
		if (pkt->key.protocol == IPPROTO_UDP)
			pkt->l4_len = 8;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (l4 + 4 > data_end)
			goto truncated;
		pkt->key.dst_port = (b[0] << 8) | b[1];
		break;
	}
	return FG_PKT_IP;
truncated:
	pkt->error = DP_PARSE_TRUNCATED;
	return FG_PKT_IP;
}

/* IPv4 header at l3 */
static __always_inline int fg_parse_ipv4(void *l3, void *data_end,
					 struct fg_packet *pkt)
{
	struct iphdr *ip = l3;
	__u32 hlen, tot;

	if ((void *)(ip + 1) > data_end) {
		pkt->error = DP_PARSE_TRUNCATED;
		return FG_PKT_OTHER;
	}
	hlen = ip->ihl * 4;
	tot = bpf_ntohs(ip->tot_len);
	if (ip->version != 4 || hlen < sizeof(*ip) || (tot && tot < hlen)) {
		pkt->error = DP_PARSE_BAD_IP;
		return FG_PKT_OTHER;
	}
	if (l3 + hlen > data_end) {
		pkt->error = DP_PARSE_TRUNCATED;
		return FG_PKT_OTHER;
	}
	pkt->ip_version = 4;
	pkt->ip_len = tot;
	pkt->l3_len = hlen;
	pkt->tos = ip->tos;
	pkt->key.protocol = ip->protocol;
	fg_addr_map4(pkt->key.src_addr, ip->saddr);
	fg_addr_map4(pkt->key.dst_addr, ip->daddr);

	/* non-first fragment: no transport header */
	if (bpf_ntohs(ip->frag_off) & FG_IP_FRAG_OFFSET) {
		pkt->error = DP_FRAGMENT_NONFIRST;
		return FG_PKT_IP;
	}
	return fg_parse_l4(l3 + hlen, data_end, pkt);
}

/* IPv6 header at l3, then the bounded extension header walk */
static __always_inline int fg_parse_ipv6(void *l3, void *data_end,
					 struct fg_packet *pkt)
{
	struct ipv6hdr *ip6 = l3;
	struct fg_ipv6_ext *ext;
	void *cur;
	__u32 len, plen;
	__u8 next;
	int i;

	if ((void *)(ip6 + 1) > data_end) {
		pkt->error = DP_PARSE_TRUNCATED;
		return FG_PKT_OTHER;
	}
	if (ip6->version != 6) {
		pkt->error = DP_PARSE_BAD_IP;
		return FG_PKT_OTHER;
	}
	plen = bpf_ntohs(ip6->payload_len);
	pkt->ip_version = 6;
	pkt->ip_len = plen ? plen + sizeof(*ip6) : 0;
	pkt->tos = (ip6->priority << 4) | (ip6->flow_lbl[0] >> 4);
	__builtin_memcpy(pkt->key.src_addr, &ip6->saddr, 16);
	__builtin_memcpy(pkt->key.dst_addr, &ip6->daddr, 16);

	next = ip6->nexthdr;
	cur = ip6 + 1;
	len = sizeof(*ip6);

#pragma unroll
	for (i = 0; i < FG_IPV6_EXT_MAX; i++) {
		__u32 elen;

		if (next != IPPROTO_HOPOPTS && next != IPPROTO_ROUTING &&
		    next != IPPROTO_FRAGMENT && next != IPPROTO_DSTOPTS &&
		    next != IPPROTO_AH)
			break;
		ext = cur;
		if ((void *)(ext + 1) > data_end) {
			pkt->key.protocol = next;
			pkt->l3_len = len;
			pkt->error = DP_PARSE_TRUNCATED;
			return FG_PKT_IP;
		}
		if (next == IPPROTO_FRAGMENT) {
			if (bpf_ntohs(ext->frag_off) & FG_IP6_FRAG_OFFSET) {
				pkt->key.protocol = ext->nexthdr;
				pkt->l3_len = len;
				pkt->error = DP_FRAGMENT_NONFIRST;
				return FG_PKT_IP;
			}
			elen = 8;
		} else if (next == IPPROTO_AH) {
			elen = (ext->hdrlen + 2) * 4;
		} else {
			elen = (ext->hdrlen + 1) * 8;
		}
		next = ext->nexthdr;
		cur += elen;
		len += elen;
	}
	pkt->key.protocol = next;
	pkt->l3_len = len;
	if (next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING ||
	    next == IPPROTO_FRAGMENT || next == IPPROTO_DSTOPTS ||
	    next == IPPROTO_AH) {
		pkt->error = DP_IPV6_EXT_LIMIT;
		return FG_PKT_IP;
	}
	return fg_parse_l4(cur, data_end, pkt);
}

/* reads one VLAN tag at *cur if proto names one; the first tag read sets
 * key.vlan_id unless have_outer. Returns -1 if the tag is cut short. */
static __always_inline int fg_parse_vlan(void **cur, void *data_end,
					 __be16 *proto, struct fg_packet *pkt,
					 bool have_outer)
{
	struct fg_vlan_hdr *vh = *cur;

	if (*proto != bpf_htons(ETH_P_8021Q) &&
	    *proto != bpf_htons(ETH_P_8021AD))
		return 0;
	if ((void *)(vh + 1) > data_end) {
		pkt->error = DP_PARSE_TRUNCATED;
		return -1;
	}
	if (!have_outer)
		pkt->key.vlan_id = bpf_ntohs(vh->tci) & FG_VLAN_VID_MASK;
	*proto = vh->encap_proto;
	*cur = vh + 1;
	pkt->l2_len += sizeof(*vh);
	return 0;
}

/* an L3 device's frame: the IP header from the first byte */
static __always_inline int fg_parse_raw_ip(void *data, void *data_end,
					   struct fg_packet *pkt)
{
	__u8 *first = data;

	if ((void *)(first + 1) > data_end) {
		pkt->error = DP_PARSE_TRUNCATED;
		return FG_PKT_OTHER;
	}
	if ((*first >> 4) == 4)
		return fg_parse_ipv4(data, data_end, pkt);
	if ((*first >> 4) == 6)
		return fg_parse_ipv6(data, data_end, pkt);
	pkt->error = DP_PARSE_NOT_IP;
	return FG_PKT_OTHER;
}

static __always_inline int fg_parse(void *data, void *data_end, bool raw_ip,
				    bool hw_vlan, __u16 hw_tci,
				    struct fg_packet *pkt)
{
	struct ethhdr *eth = data;
	void *cur;
	__be16 proto;

	__builtin_memset(pkt, 0, sizeof(*pkt));
	pkt->key_state = FG_SLOT_USED;
	pkt->error = DP_ERROR_MAX;
	if (raw_ip)
		return fg_parse_raw_ip(data, data_end, pkt);
	if (hw_vlan)
		pkt->key.vlan_id = hw_tci & FG_VLAN_VID_MASK;

	if ((void *)(eth + 1) > data_end) {
		pkt->error = DP_PARSE_TRUNCATED;
		return FG_PKT_OTHER;
	}
	proto = eth->h_proto;
	cur = eth + 1;
	pkt->l2_len = sizeof(*eth);

	/* up to two tags in all, the outer one maybe already out of the frame */
	if (fg_parse_vlan(&cur, data_end, &proto, pkt, hw_vlan) ||
	    (!hw_vlan && fg_parse_vlan(&cur, data_end, &proto, pkt, true)))
		return FG_PKT_OTHER;

	if (proto == bpf_htons(ETH_P_IP))
		return fg_parse_ipv4(cur, data_end, pkt);
	if (proto == bpf_htons(ETH_P_IPV6))
		return fg_parse_ipv6(cur, data_end, pkt);
	pkt->error = DP_PARSE_NOT_IP;
	return FG_PKT_OTHER;
}

#endif /* FG_PARSE_H */
