/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * table_slot.h: one slot of the helper-call-free flow table prototype
 * (bench/table_proto.bpf.c, bench/table_drain.c). NOT flowgate's layout
 * contract: evidence for a redesign only.
 *
 * The table is one BPF_MAP_TYPE_ARRAY with BPF_F_MMAPABLE, sliced per CPU:
 * slot index = cpu << slot_bits | probe position. Only the CPU that owns a
 * slice writes it, so its adds need no atomics and it needs no lock.
 *
 * A slot is flowgate's 44-byte flow_key, a 4-byte state word in what would
 * be the key's padding, and flowgate's 40-byte flow_stats: 88 bytes. The
 * key and the state word form six 8-byte words, so "used and equal to key K"
 * is one comparison of six words against K with state TABLE_USED.
 */
#ifndef TABLE_SLOT_H
#define TABLE_SLOT_H

#include "flowgate.h"

#define TABLE_EMPTY 0
#define TABLE_USED 1

struct table_slot {
	struct flow_key key; /* 44 bytes */
	__u32 state; /* TABLE_EMPTY or TABLE_USED */
	struct flow_stats val; /* 40 bytes; first/last_seen in jiffies */
}; /* 88 bytes */

/* Per-CPU counters of the prototype, an ARRAY indexed by CPU. */
struct table_cpu_stats {
	__u64 insert_failed; /* packets of a new flow finding no free slot */
	__u64 uncounted; /* not IPv4 TCP/UDP, or truncated */
};

#endif
