// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * layout.c: the shim compiles flowgate.h too, so a struct that changes size
 * without the Java mirror (dev.flowgate.bpf.Layout) following fails here,
 * at build time, before LayoutTest compares every field against BTF.
 */
#include <stddef.h>

#include "flowgate.h"

_Static_assert(sizeof(struct flow_key) == 44, "flow_key: Layout.FLOW_KEY_SIZE");
_Static_assert(sizeof(struct flow_stats) == 72,
	       "flow_stats: Layout.FLOW_STATS_SIZE");
_Static_assert(sizeof(struct iface_totals) == 48,
	       "iface_totals: Layout.IFACE_TOTALS_SIZE");
_Static_assert(sizeof(struct iface_settings) == 12,
	       "iface_settings: Layout.IFACE_SETTINGS_SIZE");
_Static_assert(sizeof(struct sample_hdr) == 24,
	       "sample_hdr: Layout.SAMPLE_HDR_SIZE");
_Static_assert(offsetof(struct flow_key, ifindex) == 36, "flow_key.ifindex");
_Static_assert(offsetof(struct flow_stats, tcp_flags) == 32,
	       "flow_stats.tcp_flags");
_Static_assert(FG_SETTINGS_DIRECT == 65536, "Layout.SETTINGS_DIRECT");
_Static_assert(FG_SETTINGS_VALID == 1, "Layout.SETTINGS_VALID");
_Static_assert(FG_SETTINGS_RAW_IP == 2, "Layout.SETTINGS_RAW_IP");
_Static_assert(FG_SETTINGS_RECORD_MACS == 4, "Layout.SETTINGS_RECORD_MACS");
_Static_assert(sizeof(struct flow_slot) == 120,
	       "flow_slot: Layout.FLOW_SLOT_SIZE");
_Static_assert(offsetof(struct flow_slot, state) == 44, "flow_slot.state");
_Static_assert(offsetof(struct flow_slot, stats) == 48, "flow_slot.stats");
_Static_assert(sizeof(struct fg_clock) == 16, "fg_clock: Layout.FG_CLOCK_SIZE");
_Static_assert(sizeof(struct sample_counts) == 16,
	       "sample_counts: Layout.SAMPLE_COUNTS_SIZE");
_Static_assert(FG_TABLE_PROBES == 8, "Layout.TABLE_PROBES");
_Static_assert(FLOWGATE_SCHEMA_VERSION == 5, "Layout.SCHEMA_VERSION");
_Static_assert(DP_ERROR_MAX == 10, "enum fg_error: Layout.DP_ERROR_MAX");
