/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * sample.h: 1-in-N packet samples into the fg_samples ring buffer.
 *
 * fg_sample_due(idx, rate) is the per-CPU countdown of totals index idx
 * (slot * FG_DIR_MAX + direction): on each CPU the first packet is
 * sampled, then every rate-th one after it, so a CPU that saw k packets
 * of that interface and direction sampled ceil(k / rate) of them. rate 1
 * samples every packet; lowering the rate live takes effect at once.
 *
 * A record is reserved at a fixed size, sizeof(struct sample_hdr) +
 * FG_SAMPLE_MAX_SNAP: the header, then cap_len = min(orig_len, snap) bytes
 * of the frame from the Ethernet header on (snap = fg_snap_len, at most
 * FG_SAMPLE_MAX_SNAP); the rest of the record is undefined. orig_len is the
 * frame's length: XDP all fragments (bpf_xdp_get_buff_len), TC skb->len
 * plus 4 when the outer VLAN tag is out of the frame (skb->vlan_present):
 * that tag is put back after the MAC addresses when cap_len >= 16, so the
 * bytes read as the wire frame. Every sample taken counts in its slot and
 * direction's fg_sample_counts.taken; when the ring buffer is full the
 * sample is dropped and counted in .dropped and as DP_SAMPLE_DROPPED; it
 * never waits. The packet's
 * fate and its counts do not depend on sampling.
 */
#ifndef FG_SAMPLE_H
#define FG_SAMPLE_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "flowgate.h"
#include "maps.h"

#define FG_SAMPLE_RECORD (sizeof(struct sample_hdr) + FG_SAMPLE_MAX_SNAP)
#define FG_MAC_ADDRS 12 /* destination and source MAC */
#define FG_VLAN_TAG 4

struct fg_sample {
	struct sample_hdr hdr;
	__u8 data[FG_SAMPLE_MAX_SNAP];
};

static __always_inline bool fg_sample_due(__u32 idx, __u32 rate)
{
	__u32 *left = bpf_map_lookup_elem(&fg_sample_left, &idx);
	__u32 n;

	if (!left)
		return false;
	n = *left;
	if (n >= rate)
		n = rate - 1;
	if (n) {
		*left = n - 1;
		return false;
	}
	*left = rate - 1;
	return true;
}

/* bytes of a frame of len bytes to copy into a sample */
static __always_inline __u32 fg_sample_cap(__u32 len)
{
	__u32 snap = fg_snap_len;

	if (snap > FG_SAMPLE_MAX_SNAP)
		snap = FG_SAMPLE_MAX_SNAP;
	return len < snap ? len : snap;
}

/* fills a sample header. Not inlined on purpose: as a real function it
 * puts struct sample_hdr and enum fg_direction into the object's BTF, which
 * user space reads the layout from (no map carries that type). */
static __noinline void fg_sample_header(struct sample_hdr *hdr, __u32 ifindex,
					__u32 slot, enum fg_direction dir,
					__u32 orig_len)
{
	hdr->timestamp_ns = bpf_ktime_get_ns();
	hdr->ifindex = ifindex;
	hdr->orig_len = orig_len;
	hdr->cap_len = 0;
	hdr->direction = dir;
	hdr->pad = 0;
	hdr->slot = slot;
}

/* reserves a record and fills its header; NULL (and counted) when full */
static __always_inline struct fg_sample *
fg_sample_open(__u32 ifindex, __u32 slot, __u8 dir, __u32 orig_len)
{
	__u32 idx = slot * FG_DIR_MAX + dir;
	struct sample_counts *c;
	struct fg_sample *s;

	c = bpf_map_lookup_elem(&fg_sample_counts, &idx);
	if (c)
		c->taken += 1;
	s = bpf_ringbuf_reserve(&fg_samples, sizeof(*s), 0);
	if (!s) {
		if (c)
			c->dropped += 1;
		fg_error_count(DP_SAMPLE_DROPPED);
		return NULL;
	}
	fg_sample_header(&s->hdr, ifindex, slot, dir, orig_len);
	return s;
}

static __always_inline void fg_sample_xdp(struct xdp_md *ctx, __u32 slot)
{
	struct fg_sample *s;
	__u32 len, last;

	len = bpf_xdp_get_buff_len(ctx);
	s = fg_sample_open(ctx->ingress_ifindex, slot, FG_DIR_INGRESS, len);
	if (!s)
		return;
	/* cap - 1 in [0, max - 1]: a bound the verifier sees on the size */
	last = fg_sample_cap(len) - 1;
	barrier_var(last);
	if (last < FG_SAMPLE_MAX_SNAP &&
	    !bpf_xdp_load_bytes(ctx, 0, s->data, last + 1))
		s->hdr.cap_len = last + 1;
	bpf_ringbuf_submit(s, 0);
}

static __always_inline void fg_sample_skb(struct __sk_buff *skb, __u32 slot,
					  __u8 dir)
{
	bool tag = skb->vlan_present;
	struct fg_sample *s;
	__u32 len, cap, last;

	len = skb->len + (tag ? FG_VLAN_TAG : 0);
	s = fg_sample_open(skb->ifindex, slot, dir, len);
	if (!s)
		return;
	cap = fg_sample_cap(len);
	if (tag && cap >= FG_MAC_ADDRS + FG_VLAN_TAG) {
		/* MACs, the tag the stack holds apart, then the rest */
		if (bpf_skb_load_bytes(skb, 0, s->data, FG_MAC_ADDRS))
			goto submit;
		*(__be16 *)&s->data[FG_MAC_ADDRS] = skb->vlan_proto;
		*(__be16 *)&s->data[FG_MAC_ADDRS + 2] =
			bpf_htons(skb->vlan_tci);
		s->hdr.cap_len = FG_MAC_ADDRS + FG_VLAN_TAG;
		/* the rest, if any: last + 1 bytes, last bounded for the verifier */
		last = cap - FG_MAC_ADDRS - FG_VLAN_TAG - 1;
		barrier_var(last);
		if (last < FG_SAMPLE_MAX_SNAP - FG_MAC_ADDRS - FG_VLAN_TAG &&
		    !bpf_skb_load_bytes(skb, FG_MAC_ADDRS,
					&s->data[FG_MAC_ADDRS + FG_VLAN_TAG],
					last + 1))
			s->hdr.cap_len = cap;
	} else {
		last = cap - 1;
		barrier_var(last);
		if (last < FG_SAMPLE_MAX_SNAP &&
		    !bpf_skb_load_bytes(skb, 0, s->data, last + 1))
			s->hdr.cap_len = cap;
	}
submit:
	bpf_ringbuf_submit(s, 0);
}

#endif /* FG_SAMPLE_H */
