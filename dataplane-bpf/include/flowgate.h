/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * flowgate.h: every struct and enum that crosses the kernel boundary.
 *
 * Included by the BPF programs (dataplane-bpf/src) and by the JNI shim
 * (native/src/main/c). Java mirrors these layouts in one class,
 * dev.flowgate.bpf.Layout, and a test checks both against the BTF of the
 * compiled object. Every struct is padded explicitly; change a layout only
 * together with FLOWGATE_SCHEMA_VERSION (pins live under <pin-path>/<version>/).
 */
#ifndef FLOWGATE_H
#define FLOWGATE_H

#ifdef __BPF__
#include <linux/types.h>
#else
#include <linux/types.h>
#endif

/* Bumped whenever a map layout or a map name changes. */
#define FLOWGATE_SCHEMA_VERSION 5

/* Interface slots: the control plane gives each attached interface a slot
 * (0 .. FG_MAX_SLOTS-2); the last slot collects packets seen on an interface
 * that has no slot (counted as DP_IFACE_UNKNOWN too). */
#ifndef FG_MAX_SLOTS
#define FG_MAX_SLOTS 256
#endif
#define FG_SLOT_UNKNOWN (FG_MAX_SLOTS - 1)

/* Default flows per CPU per sweep interval; the loader overrides it per
 * config (max-flows) through fg_slot_bits and fg_flows' max_entries. */
#ifndef FG_DEFAULT_MAX_FLOWS
#define FG_DEFAULT_MAX_FLOWS 262144
#endif

/* Slots a new flow may probe from its hash position before it counts as
 * insert-failed (the flow table is open addressing, linear probing). */
#define FG_TABLE_PROBES 8

/* Largest number of packet bytes a sample can carry (the snap length set at
 * load time is at most this). */
#define FG_SAMPLE_MAX_SNAP 256
#define FG_DEFAULT_SNAP 128

enum fg_direction {
	FG_DIR_INGRESS = 0, /* IPFIX flowDirection 0 */
	FG_DIR_EGRESS = 1, /* IPFIX flowDirection 1 */
	FG_DIR_MAX = 2,
};

/*
 * Flow key: one per 5-tuple, interface and direction. 44 bytes.
 * Addresses are IPv6; IPv4 is stored IPv4-mapped (::ffff:a.b.c.d).
 * Ports are in host byte order. For ICMP/ICMPv6, src_port is 0 and
 * dst_port is type << 8 | code (icmpTypeCodeIPv4/IPv6, NetFlow style).
 * Non-first fragments carry no ports: they count under ports 0.
 */
struct flow_key {
	__u8 src_addr[16]; /* sourceIPv6Address / mapped sourceIPv4Address */
	__u8 dst_addr
		[16]; /* destinationIPv6Address / mapped destinationIPv4Address */
	__u16 src_port; /* sourceTransportPort */
	__u16 dst_port; /* destinationTransportPort or icmpTypeCode */
	__u32 ifindex; /* ingressInterface (ingress) / egressInterface (egress) */
	__u16 vlan_id; /* vlanId: outer 802.1Q/802.1ad tag's VID, 0 if untagged */
	__u8 protocol; /* protocolIdentifier */
	__u8 direction; /* flowDirection, enum fg_direction */
};

/*
 * Flow counters for one sweep interval (the sweeper drains the table; every
 * entry it reads is a delta), and what the flow's first packet in the
 * interval said beyond its key (written when the flow takes its slot or
 * spill entry, never on the existing-flow path). 72 bytes. In the kernel's
 * flow table the two times are jiffies (bpf_jiffies64(), one tick of
 * 1/CONFIG_HZ); the drain hands them to Java converted to CLOCK_MONOTONIC ns
 * (struct fg_clock).
 */
struct flow_stats {
	__u64 packets; /* packetDeltaCount (TC: GSO segments, not super-packets) */
	__u64 bytes; /* octetDeltaCount: IP header + payload */
	__u64 first_seen_ns; /* CLOCK_MONOTONIC ns (in the table: jiffies) of the first packet this interval */
	__u64 last_seen_ns; /* CLOCK_MONOTONIC ns (in the table: jiffies) of the last packet */
	__u32 tcp_flags; /* tcpControlBits, OR of all packets (low 8 bits used) */
	__u8 tos; /* ipClassOfService: IPv4 ToS / IPv6 traffic class, of the first packet */
	__u8 ip_version; /* ipVersion: 4 or 6 */
	__u8 fwd_status; /* forwardingStatus (IE 89, RFC 7270), enum fg_fwd_status */
	__u8 flags; /* FG_STATS_MACS: the MAC addresses are the first packet's */
	__u32 peer_ifindex; /* the other interface: at an ingress hook the FIB's
			     * egress (egressInterface), at the egress hook
			     * skb->ingress_ifindex (ingressInterface); 0 unknown */
	__u8 src_mac[6]; /* sourceMacAddress (IE 56), with FG_STATS_MACS */
	__u8 dst_mac[6]; /* destinationMacAddress (IE 80), with FG_STATS_MACS */
	__u8 next_hop[16]; /* ipNextHopIPv6Address (IE 62) / IPv4-mapped
			    * ipNextHopIPv4Address (IE 15) from the FIB; 0 none */
};

/* flow_stats.flags: src_mac/dst_mac hold the first packet's addresses (the
 * interface has FG_SETTINGS_RECORD_MACS and an Ethernet header). */
#define FG_STATS_MACS 1

/*
 * flow_stats.fwd_status: RFC 7270 forwardingStatus codes (status in the top
 * two bits, reason in the low six), from the FIB lookup of the flow's first
 * packet (route.h), and one value that is not a code: FG_FWD_NOT_FORWARDED,
 * the FIB's "not forwarded", which is a local destination and no route
 * alike; the control plane resolves it by the destination address.
 */
enum fg_fwd_status {
	FG_FWD_UNKNOWN = 0, /* no lookup (locally sent, forwarding off, other) */
	FG_FWD_NOT_FORWARDED = 1, /* local or no route: resolved in user space */
	FG_FWD_FORWARDED = 64, /* Forwarded: unknown (FIB success or no neighbour yet) */
	FG_FWD_DROP_ACL_DENY = 129, /* Dropped: ACL deny (prohibit route) */
	FG_FWD_DROP_ACL_DROP = 130, /* Dropped: ACL drop (blackhole route) */
	FG_FWD_DROP_UNROUTABLE = 131, /* Dropped: unroutable (unreachable route) */
};

/* flow_slot.state */
#define FG_SLOT_EMPTY 0
#define FG_SLOT_USED 1

/*
 * One slot of the flow table fg_flows: an open-addressing hash table in a
 * BPF_F_MMAPABLE ARRAY, two halves (generation 0 and 1, fg_flow_gen says
 * which one the programs write), each half sliced per CPU: slot index =
 * (gen * fg_cpus + cpu) << fg_slot_bits | position. Only the CPU that owns a
 * slice writes it, so counts are plain adds. The key and the state word are
 * six 8-byte words, so "used by key K" is one compare of six words. 120 bytes.
 */
struct flow_slot {
	struct flow_key key;
	__u32 state; /* FG_SLOT_EMPTY or FG_SLOT_USED */
	struct flow_stats stats; /* times in jiffies */
};

/*
 * The clock pair the fg_clock program writes into fg_clock[0] when the
 * control plane test-runs it: jiffies and CLOCK_MONOTONIC ns read within
 * one tick, so jiffies j is (j - jiffies) ticks before mono_ns. 16 bytes.
 */
struct fg_clock {
	__u64 jiffies; /* bpf_jiffies64() */
	__u64 mono_ns; /* bpf_ktime_get_ns() */
};

/*
 * Per-CPU totals per table half, interface slot and direction, counted apart
 * from the flow map so the accounting invariant is measured, not assumed.
 * Index: half * FG_MAX_SLOTS * FG_DIR_MAX + slot * FG_DIR_MAX + direction,
 * half being the flow table half the packet was counted into (fg_flow_gen):
 * once the sweeper swaps halves, the retired half's totals are final and
 * belong exactly to what it drains. 48 bytes.
 */
struct iface_totals {
	__u64 packets; /* IP packets seen (each also went to the flow map) */
	__u64 bytes; /* their IP bytes, as flow_stats.bytes */
	__u64 other_packets; /* non-IP or unparseable frames: counted here only */
	__u64 other_bytes; /* their length past the Ethernet/VLAN header */
	__u64 insert_failed; /* IP packets the flow map could not take */
	__u64 insert_failed_bytes;
};

/* Interfaces with ifindex below this have their settings in the ARRAY
 * fg_settings (index = ifindex: an inlined lookup, no helper call per
 * packet); larger ifindexes (hosts that create and delete many interfaces)
 * in the HASH fg_settings_far. */
#ifndef FG_SETTINGS_DIRECT
#define FG_SETTINGS_DIRECT 65536
#endif

/* iface_settings.flags: the entry holds settings (an all-zero array entry
 * is an interface without settings). */
#define FG_SETTINGS_VALID 1
/* iface_settings.flags: the interface's frames start with the IP header, no
 * Ethernet header (an L3 device: WireGuard, tun, PPP, GRE, IPIP; the control
 * plane sets it from the link's ARPHRD type at attach). */
#define FG_SETTINGS_RAW_IP 2
/* iface_settings.flags: record the source and destination MAC addresses of
 * each flow's first packet (config record-macs; refused on L3 devices). */
#define FG_SETTINGS_RECORD_MACS 4

/* Per-interface settings, written by the control plane (fg_settings at index
 * ifindex, or fg_settings_far keyed by ifindex). Changeable live, no reload.
 * 12 bytes. */
struct iface_settings {
	__u32 slot; /* totals slot, < FG_SLOT_UNKNOWN */
	__u32 sample_rate; /* 1-in-N packets into the ring buffer; 0 = off */
	__u32 flags; /* FG_SETTINGS_VALID (else no settings) | FG_SETTINGS_RAW_IP | FG_SETTINGS_RECORD_MACS */
};

/* Ring buffer record: this header, then cap_len bytes of the frame from the
 * Ethernet header on. The record is reserved at a fixed size
 * (sizeof(struct sample_hdr) + FG_SAMPLE_MAX_SNAP). 24 bytes. */
struct sample_hdr {
	__u64 timestamp_ns; /* CLOCK_MONOTONIC ns */
	__u32 ifindex;
	__u32 orig_len; /* frame length on the wire (XDP: all fragments) */
	__u16 cap_len; /* bytes that follow, <= snap length */
	__u8 direction; /* enum fg_direction */
	__u8 pad;
	__u32 slot;
};

/* Per-CPU sample counts per interface slot and direction (fg_sample_counts,
 * index slot * FG_DIR_MAX + direction). taken: packets the 1-in-N sampler
 * chose; dropped: those of them the full ring buffer refused (each also
 * counts DP_SAMPLE_DROPPED). taken - dropped reached the ring. 16 bytes. */
struct sample_counts {
	__u64 taken;
	__u64 dropped;
};

/* Per-CPU error and event counters; exported as
 * flowgate_dataplane_errors_total{reason=...}. Never silent. */
enum fg_error {
	DP_PARSE_TRUNCATED = 0, /* a header ended past the packet's end */
	DP_PARSE_NOT_IP, /* not IPv4/IPv6 (counted in totals as other) */
	DP_PARSE_BAD_IP, /* bad IP version/ihl/length field */
	DP_IPV6_EXT_LIMIT, /* IPv6 extension header chain too long */
	DP_FRAGMENT_NONFIRST, /* non-first fragment counted with ports 0 */
	DP_FLOW_INSERT_FAILED, /* the flow map refused an insert */
	DP_SAMPLE_DROPPED, /* the ring buffer was full */
	DP_IFACE_UNKNOWN, /* packet on an interface with no slot */
	DP_NO_FLOW_MAP, /* no flow table slice for this CPU (fg_cpus too small) */
	DP_FLOW_SPILLED, /* a new flow found its probe window full: spill map */
	DP_ERROR_MAX,
};

/*
 * Key of fg_vlan_devs: a tagged frame's arrival interface and outer VID. The
 * value (a __u32) is the ifindex of the 802.1Q/802.1ad device the kernel
 * delivers such frames to, filled by the control plane from rtnetlink
 * (IFLA_LINK + IFLA_VLAN_ID of each VLAN device). 8 bytes.
 */
struct fg_vlan_key {
	__u32 ifindex; /* the VLAN device's parent (IFLA_LINK) */
	__u16 vlan_id; /* its VID (IFLA_VLAN_ID), 1..4094 */
	__u16 pad;
};

/*
 * Per-host counters for anomaly detection (detect.h, map fg_hosts): one
 * entry per (destination address, direction), per CPU, cumulative since the
 * entry was created (the control plane takes differences between sweeps).
 * Key 20 bytes: the packet's destination address (IPv4-mapped as in
 * flow_key) and the interface direction it was seen in.
 */
struct host_key {
	__u8 addr[16]; /* destination address (IPv4-mapped for IPv4) */
	__u8 direction; /* enum fg_direction */
	__u8 pad[3];
};

/* Counters of one host_key on one CPU. 80 bytes. */
struct host_counters {
	__u64 packets; /* IP packets to the address */
	__u64 bytes; /* their IP bytes, as flow_stats.bytes */
	__u64 flows; /* flows started: a flow table slot or spill entry taken
		      * this interval on this CPU, or a packet the table refused */
	__u64 tcp_packets; /* protocol 6 */
	__u64 syn_packets; /* TCP with SYN and without ACK */
	__u64 udp_packets; /* protocol 17 */
	__u64 icmp_packets; /* protocol 1 or 58 */
	__u64 frag_packets; /* non-first fragments (DP_FRAGMENT_NONFIRST) */
	__u64 amp_packets; /* UDP from a source port set in fg_amp_ports */
	__u64 amp_bytes; /* their IP bytes */
};

/* fg_amp_ports: one bit per UDP source port, 65536 bits in one value */
#define FG_AMP_PORT_WORDS 1024
struct amp_ports {
	__u64 bits[FG_AMP_PORT_WORDS]; /* bit p % 64 of word p / 64: port p */
};

#endif /* FLOWGATE_H */
