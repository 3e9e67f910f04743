/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * maps.h: every map of the flowgate object. Names are a contract with the
 * control plane (notes/native-api.md); change one only together with
 * FLOWGATE_SCHEMA_VERSION.
 *
 * - fg_flows_a, fg_flows_b: LRU_HASH flow_key -> flow_stats, one sweep
 *   interval of counts. Two of them so the sweeper can swap: the programs
 *   only ever write the map that fg_flow_slot[0] names. Both are declared
 *   here (not created at run time) so libbpf creates them at load and the
 *   control plane can pin both by name. Capacity FG_DEFAULT_MAX_FLOWS unless
 *   the loader sets max_entries on both. fg_flow_slot's inner map template
 *   may keep another capacity: for hash maps the kernel checks type,
 *   key/value size and flags of an inner map, not max_entries (and libbpf
 *   1.1 crashes resizing bpf_map__inner_map()). Flags must match, so they
 *   are a build option (FG_FLOW_MAP_FLAGS).
 * - fg_flow_slot: ARRAY_OF_MAPS, one entry, initially fg_flows_a. Updating
 *   it from user space returns only once every running program is done, so
 *   the map swapped out has no writer left when it is drained.
 * - fg_totals: per-CPU iface_totals, index slot * FG_DIR_MAX + direction.
 * - fg_errors: per-CPU __u64 per enum fg_error.
 * - fg_settings: ARRAY of iface_settings indexed by ifindex (below
 *   FG_SETTINGS_DIRECT), written by the control plane; flags 0 = none.
 * - fg_settings_far: HASH ifindex -> iface_settings for larger ifindexes.
 * - fg_samples: ring buffer of fixed-size sample records (sample.h).
 * - fg_sample_left: private to the programs (per-CPU 1-in-N countdown
 *   per totals index); user space never needs to read it.
 */
#ifndef FG_MAPS_H
#define FG_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "flowgate.h"

/* Flags of both flow maps (and of fg_flow_slot's inner map, which must
 * match). 0 = one LRU shared by all CPUs, so the whole capacity serves
 * whichever CPU the traffic lands on; see BENCHMARKS.md for the per-CPU
 * LRU (BPF_F_NO_COMMON_LRU) measurement. */
#ifndef FG_FLOW_MAP_FLAGS
#define FG_FLOW_MAP_FLAGS 0
#endif

/* Ring buffer size in bytes (a power of two, a multiple of the page size). */
#ifndef FG_SAMPLE_RING_BYTES
#define FG_SAMPLE_RING_BYTES (1 << 20)
#endif

#define FG_TOTALS_ENTRIES (FG_MAX_SLOTS * FG_DIR_MAX)

/* The one definition both flow maps and the outer map's inner map share. */
struct fg_flow_map {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FG_DEFAULT_MAX_FLOWS);
	__uint(map_flags, FG_FLOW_MAP_FLAGS);
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
};

struct fg_flow_map fg_flows_a SEC(".maps");
struct fg_flow_map fg_flows_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct fg_flow_map);
} fg_flow_slot SEC(".maps") = {
	.values = {[0] = &fg_flows_a},
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FG_TOTALS_ENTRIES);
	__type(key, __u32);
	__type(value, struct iface_totals);
} fg_totals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DP_ERROR_MAX);
	__type(key, __u32);
	__type(value, __u64);
} fg_errors SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FG_SETTINGS_DIRECT);
	__type(key, __u32);
	__type(value, struct iface_settings);
} fg_settings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FG_MAX_SLOTS);
	__type(key, __u32);
	__type(value, struct iface_settings);
} fg_settings_far SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, FG_SAMPLE_RING_BYTES);
} fg_samples SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FG_TOTALS_ENTRIES);
	__type(key, __u32);
	__type(value, __u32);
} fg_sample_left SEC(".maps");

/* Snap length of samples in bytes, at most FG_SAMPLE_MAX_SNAP (set before
 * load; larger values are clamped). */
const volatile __u32 fg_snap_len = FG_DEFAULT_SNAP;

/* count one event of enum fg_error on this CPU */
static __always_inline void fg_error_count(__u32 reason)
{
	__u64 *n = bpf_map_lookup_elem(&fg_errors, &reason);

	if (n)
		*n += 1;
}

#endif /* FG_MAPS_H */
