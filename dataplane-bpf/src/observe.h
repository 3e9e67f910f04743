/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * observe.h: one frame's way through parse -> account -> sample, for an XDP
 * or a TC context. Never changes the packet's fate; the entry points return
 * XDP_PASS / TC_ACT_UNSPEC whatever happens here.
 *
 * What a frame weighs (packets, bytes):
 * - XDP: 1 packet; IP bytes = pkt.ip_len, or (ip_len 0) the frame length
 *   (all fragments) minus the L2 header.
 * - TC: skb->gso_segs packets for a GSO packet (else 1); IP bytes of a GSO
 *   packet are those of all its segments once cut:
 *   skb->len - l2 + (segs - 1) * (l3_len + l4_len); of any other packet
 *   pkt.ip_len, or (ip_len 0) skb->len - l2. If the headers are not all in
 *   the linear part of the skb (parse says truncated but skb->len is
 *   longer), up to FG_PULL_LEN bytes are pulled in and the frame parsed
 *   once more.
 * - Other (non-IP or unparseable) frames: bytes = frame length minus the L2
 *   header read so far.
 * The outer VLAN tag in skb->vlan_tci (TC) is the frame's outer tag.
 * The interface's settings are read before parsing: FG_SETTINGS_RAW_IP says
 * the frame starts with the IP header (an L3 device).
 */
#ifndef FG_OBSERVE_H
#define FG_OBSERVE_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "flowgate.h"
#include "maps.h"
#include "parse.h"
#include "account.h"
#include "sample.h"

/* headers pulled into the linear part of an skb when parsing needs it */
#define FG_PULL_LEN 256

static __always_inline bool fg_raw_ip(const struct iface_settings *set)
{
	return set && (set->flags & FG_SETTINGS_RAW_IP);
}

static __always_inline void fg_finish(void *ctx, const bool is_skb,
				      struct iface_settings *set, __u32 slot,
				      struct fg_packet *pkt, int kind,
				      __u32 packets, __u64 bytes)
{
	fg_account(ctx, is_skb, pkt, kind, slot, set, packets, bytes);
	if (pkt->error != DP_ERROR_MAX)
		fg_error_count(pkt->error);
	if (!set || !set->sample_rate ||
	    !fg_sample_due(slot * FG_DIR_MAX + pkt->key.direction,
			   set->sample_rate))
		return;
	if (is_skb)
		fg_sample_skb(ctx, slot, pkt->key.direction);
	else
		fg_sample_xdp(ctx, slot);
}

static __always_inline __u32 fg_minus(__u32 a, __u32 b)
{
	return a > b ? a - b : 0;
}

static __always_inline void fg_observe_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iface_settings *set;
	struct fg_packet pkt;
	__u32 slot;
	__u64 bytes;
	int kind;

	set = fg_iface_of(ctx->ingress_ifindex, &slot);
	kind = fg_parse(data, data_end, fg_raw_ip(set), false, 0, &pkt);
	pkt.key.ifindex = ctx->ingress_ifindex;
	pkt.key.direction = FG_DIR_INGRESS;
	if (kind == FG_PKT_IP && pkt.ip_len)
		bytes = pkt.ip_len;
	else
		bytes = fg_minus(bpf_xdp_get_buff_len(ctx), pkt.l2_len);
	fg_finish(ctx, false, set, slot, &pkt, kind, 1, bytes);
}

static __always_inline int fg_parse_skb(struct __sk_buff *skb, bool raw_ip,
					struct fg_packet *pkt)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u32 len = skb->len;
	int kind;

	kind = fg_parse(data, data_end, raw_ip, skb->vlan_present,
			skb->vlan_tci, pkt);
	if (pkt->error != DP_PARSE_TRUNCATED || len <= data_end - data)
		return kind;

	/* the headers go on past the linear part: pull them in, parse again */
	if (bpf_skb_pull_data(skb, len < FG_PULL_LEN ? len : FG_PULL_LEN))
		return kind;
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	return fg_parse(data, data_end, raw_ip, skb->vlan_present,
			skb->vlan_tci, pkt);
}

static __always_inline void fg_observe_skb(struct __sk_buff *skb, __u8 dir)
{
	struct iface_settings *set;
	struct fg_packet pkt;
	__u32 segs = 1, len, slot;
	__u64 bytes;
	int kind;

	set = fg_iface_of(skb->ifindex, &slot);
	kind = fg_parse_skb(skb, fg_raw_ip(set), &pkt);
	pkt.key.ifindex = skb->ifindex;
	pkt.key.direction = dir;
	len = skb->len;
	if (kind == FG_PKT_IP && skb->gso_segs > 1) {
		segs = skb->gso_segs;
		bytes = fg_minus(len, pkt.l2_len) +
			(__u64)(segs - 1) * (pkt.l3_len + pkt.l4_len);
	} else if (kind == FG_PKT_IP && pkt.ip_len) {
		bytes = pkt.ip_len;
	} else {
		bytes = fg_minus(len, pkt.l2_len);
	}
	fg_finish(skb, true, set, slot, &pkt, kind, segs, bytes);
}

#endif /* FG_OBSERVE_H */
