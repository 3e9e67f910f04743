/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * maps.h: every map of the flowgate object. Names are a contract with the
 * control plane (docs/design.md, "Kernel side"); change one only together with
 * FLOWGATE_SCHEMA_VERSION.
 *
 * - fg_flows: the flow table, an ARRAY of struct flow_slot with
 *   BPF_F_MMAPABLE (flowgate.h has the slot layout): two halves of fg_cpus
 *   slices of 2^fg_slot_bits slots. The loader sets max_entries = 2 *
 *   fg_cpus << fg_slot_bits. The sweeper reads and empties the half the
 *   programs do not write through its mmap: no per-entry syscall.
 * - fg_taken: ARRAY of __u64 with BPF_F_MMAPABLE, the slots each CPU took in
 *   each half since the sweeper last emptied them: one region of
 *   2^fg_taken_bits words per (half, CPU) at (half * fg_cpus + cpu) <<
 *   fg_taken_bits; word 0 counts the slots taken, words 1.. list their
 *   positions in the slice in the order taken, as many as fit (a count above
 *   2^fg_taken_bits - 1 says the list overflowed: the sweeper scans that
 *   slice whole). Written by the insert path only (account.h), read and reset
 *   by the sweeper through its mmap; the loader sets max_entries = 2 *
 *   fg_cpus << fg_taken_bits (fg_taken_bits = fg_slot_bits - 3).
 * - fg_spill_0, fg_spill_1: HASH flow_key -> flow_stats (times in jiffies),
 *   one per half: where a flow goes when its probe window in its CPU's slice
 *   is full, so a slice can fill up without refusing flows. Shared by all
 *   CPUs (atomic adds), drained with the batch ops; sized by the loader
 *   (an eighth of a half by default).
 * - fg_flow_gen: ARRAY of one __u32; bit 0 is the half the programs write.
 * - fg_flow_barrier: ARRAY_OF_MAPS of one entry (fg_flow_barrier_inner).
 *   Updating it from user space returns only once every running program is
 *   done (the kernel's synchronize_rcu for maps of maps), so after flipping
 *   fg_flow_gen and updating this, no program writes the retired half.
 * - fg_clock: ARRAY of one struct fg_clock, written by the fg_clock program.
 * - fg_totals: per-CPU iface_totals, index half * FG_TOTALS_PER_HALF +
 *   slot * FG_DIR_MAX + direction (half: the flow table half the packet
 *   went to, so a retired half's totals match its drain exactly).
 * - fg_errors: per-CPU __u64 per enum fg_error.
 * - fg_settings: ARRAY of iface_settings indexed by ifindex (below
 *   FG_SETTINGS_DIRECT), written by the control plane; flags 0 = none.
 * - fg_settings_far: HASH ifindex -> iface_settings for larger ifindexes.
 * - fg_samples: ring buffer of fixed-size sample records (sample.h).
 * - fg_sample_left: private to the programs (per-CPU 1-in-N countdown
 *   per totals index); user space never needs to read it.
 * - fg_sample_counts: per-CPU struct sample_counts per totals index
 *   (samples taken and dropped per interface slot and direction).
 * - fg_vlan_devs: HASH struct fg_vlan_key (arrival ifindex, outer VID) ->
 *   __u32 ifindex of the VLAN device the kernel hands such frames to,
 *   written by the control plane (VlanDevices); read only on the insert path
 *   (route.h), so a tagged flow's FIB lookup starts where the kernel's would.
 */
#ifndef FG_MAPS_H
#define FG_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "flowgate.h"

/* Ring buffer size in bytes (a power of two, a multiple of the page size). */
#ifndef FG_SAMPLE_RING_BYTES
#define FG_SAMPLE_RING_BYTES (1 << 20)
#endif

#define FG_TOTALS_PER_HALF (FG_MAX_SLOTS * FG_DIR_MAX)
#define FG_TOTALS_ENTRIES (2 * FG_TOTALS_PER_HALF)

/* Flow table geometry, set by the loader before load (rodata, so the
 * verifier sees constants): fg_cpus slices per half (possible CPUs), each of
 * 2^fg_slot_bits slots. The defaults (64 CPUs of 256 slots, for a load by
 * bpftool as in dataplane-bpf/test) match fg_flows' default max_entries; the
 * control plane always sets all three (FlowTable.configure). */
const volatile __u32 fg_cpus = 64;
const volatile __u32 fg_slot_bits = 8;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 2 * 64 << 8);
	__type(key, __u32);
	__type(value, struct flow_slot);
} fg_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 2 * 64 << 5);
	__type(key, __u32);
	__type(value, __u64);
} fg_taken SEC(".maps");

struct fg_spill_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
};

struct fg_spill_map fg_spill_0 SEC(".maps");
struct fg_spill_map fg_spill_1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} fg_flow_gen SEC(".maps");

struct fg_barrier_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};

struct fg_barrier_map fg_flow_barrier_inner SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct fg_barrier_map);
} fg_flow_barrier SEC(".maps") = {
	.values = {[0] = &fg_flow_barrier_inner},
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fg_clock);
} fg_clock SEC(".maps");

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
	__uint(max_entries, FG_TOTALS_PER_HALF);
	__type(key, __u32);
	__type(value, __u32);
} fg_sample_left SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FG_TOTALS_ENTRIES);
	__type(key, __u32);
	__type(value, struct sample_counts);
} fg_sample_counts SEC(".maps");

/* VLAN devices fg_vlan_devs holds at most: every VID on four trunks. */
#define FG_VLAN_DEVS_MAX 16384

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FG_VLAN_DEVS_MAX);
	__type(key, struct fg_vlan_key);
	__type(value, __u32);
} fg_vlan_devs SEC(".maps");

/* Snap length of samples in bytes, at most FG_SAMPLE_MAX_SNAP (set before
 * load; larger values are clamped). */
const volatile __u32 fg_snap_len = FG_DEFAULT_SNAP;

/* log2 of the words of each (half, CPU) region of fg_taken, set by the loader
 * (fg_slot_bits - 3). Declared last, so the .rodata offsets of the globals
 * above, and the code that reads them, stay as they were. */
const volatile __u32 fg_taken_bits = 5;

/* count one event of enum fg_error on this CPU */
static __always_inline void fg_error_count(__u32 reason)
{
	__u64 *n = bpf_map_lookup_elem(&fg_errors, &reason);

	if (n)
		*n += 1;
}

#endif /* FG_MAPS_H */
