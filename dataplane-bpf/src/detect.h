/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * detect.h: per-host counters for the anomaly detectors.
 *
 * fg_detect_count(pkt, packets, bytes, fresh) adds one IP packet (or a GSO
 * packet's segments) to fg_hosts[{pkt->key.dst_addr, pkt->key.direction}]
 * on this CPU (struct host_counters says what each field counts); `fresh`
 * says the flow table took a new slot or spill entry for it, or refused it.
 * Apart from the flow table on purpose: a random-source flood that fills the
 * table is still counted in full here, one entry per target.
 *
 * Maps (names are a contract with the control plane, like maps.h):
 * - fg_hosts: LRU_PERCPU_HASH host_key -> host_counters, cumulative; the
 *   loader may resize it (FG_HOST_ENTRIES is the default). When it is full
 *   the least recently used target is dropped (a scan of many targets can
 *   push a quiet one out: it starts again at 0, which the control plane
 *   reads as a new entry).
 * - fg_amp_ports: ARRAY of one struct amp_ports, the UDP source ports whose
 *   packets count as amplification, written by the control plane.
 * One lookup per IP packet (the helper call and its hash), one update when
 * a target is new.
 */
#ifndef FG_DETECT_H
#define FG_DETECT_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>

#include "flowgate.h"
#include "parse.h"

#ifndef FG_HOST_ENTRIES
#define FG_HOST_ENTRIES 16384
#endif

#define FG_TCP_SYN 0x02
#define FG_TCP_ACK 0x10

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, FG_HOST_ENTRIES);
	__type(key, struct host_key);
	__type(value, struct host_counters);
} fg_hosts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct amp_ports);
} fg_amp_ports SEC(".maps");

/* whether UDP source port `port` is one fg_amp_ports lists */
static __always_inline bool fg_amp_port(__u16 port)
{
	struct amp_ports *ap;
	__u32 zero = 0;

	ap = bpf_map_lookup_elem(&fg_amp_ports, &zero);
	if (!ap)
		return false;
	return (ap->bits[(port >> 6) & (FG_AMP_PORT_WORDS - 1)] >>
		(port & 63)) & 1;
}

static __always_inline void fg_detect_count(const struct fg_packet *pkt,
					    __u32 packets, __u64 bytes,
					    bool fresh)
{
	struct host_counters *c, init = {};
	struct host_key hk = {};
	__u8 proto = pkt->key.protocol;

	__builtin_memcpy(hk.addr, pkt->key.dst_addr, 16);
	hk.direction = pkt->key.direction;
	c = bpf_map_lookup_elem(&fg_hosts, &hk);
	if (!c) {
		/* new target: created zeroed on every CPU, then counted */
		bpf_map_update_elem(&fg_hosts, &hk, &init, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&fg_hosts, &hk);
		if (!c)
			return;
	}
	c->packets += packets;
	c->bytes += bytes;
	if (fresh)
		c->flows += 1;
	if (pkt->error == DP_FRAGMENT_NONFIRST)
		c->frag_packets += packets;
	if (proto == IPPROTO_TCP) {
		c->tcp_packets += packets;
		if ((pkt->tcp_flags & (FG_TCP_SYN | FG_TCP_ACK)) == FG_TCP_SYN)
			c->syn_packets += packets;
	} else if (proto == IPPROTO_UDP) {
		c->udp_packets += packets;
		if (pkt->error != DP_FRAGMENT_NONFIRST &&
		    fg_amp_port(pkt->key.src_port)) {
			c->amp_packets += packets;
			c->amp_bytes += bytes;
		}
	} else if (proto == IPPROTO_ICMP || proto == 58 /* ICMPv6 */) {
		c->icmp_packets += packets;
	}
}

#endif /* FG_DETECT_H */
