// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fgload: loads flowgate.bpf.o for a benchmark run the way the control plane
 * would, and pins it, so bpftool/tc/ip can attach the programs afterwards.
 *
 *   fgload OBJ PINDIR MAX_FLOWS [IFINDEX:SLOT[:RATE]]...
 *
 * Sets max_entries of fg_flows_a and fg_flows_b to MAX_FLOWS, loads,
 * pins maps under PINDIR/maps and programs under PINDIR/progs, and writes
 * one fg_settings entry per IFINDEX:SLOT[:RATE]. Exit 0 on success; errors
 * go to stderr with libbpf's log.
 *
 * fg_flow_slot's inner map (the template libbpf creates from the __array
 * definition) keeps FG_DEFAULT_MAX_FLOWS: libbpf 1.1 cannot resize it
 * (bpf_map__set_max_entries on bpf_map__inner_map() dereferences the
 * inner map's NULL obj and crashes), and need not: for hash maps the
 * kernel compares type, key/value size and flags of inner maps, not
 * max_entries. Map flags (BPF_F_NO_COMMON_LRU) must match the template's,
 * so they are a build option (FG_FLOW_MAP_FLAGS), not a load option.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "flowgate.h"

static int set_flow_map(struct bpf_object *obj, const char *name, __u32 n)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	return m ? bpf_map__set_max_entries(m, n) : -ENOENT;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_map *m;
	char path[512];
	int i, err;
	__u32 max_flows;

	if (argc < 4) {
		fprintf(stderr,
			"usage: %s OBJ PINDIR MAX_FLOWS "
			"[IFINDEX:SLOT[:RATE]]...\n",
			argv[0]);
		return 2;
	}
	max_flows = strtoul(argv[3], NULL, 0);

	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	err = set_flow_map(obj, "fg_flows_a", max_flows);
	err = err ?: set_flow_map(obj, "fg_flows_b", max_flows);
	if (err) {
		fprintf(stderr, "sizing flow maps: %d\n", err);
		return 1;
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "load: %s\n", strerror(-err));
		return 1;
	}
	if (mkdir(argv[2], 0700) && errno != EEXIST) {
		fprintf(stderr, "mkdir %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/maps", argv[2]);
	err = bpf_object__pin_maps(obj, path);
	snprintf(path, sizeof(path), "%s/progs", argv[2]);
	err = err ?: bpf_object__pin_programs(obj, path);
	if (err) {
		fprintf(stderr, "pin under %s: %s\n", argv[2], strerror(-err));
		return 1;
	}

	for (i = 4; i < argc; i++) {
		struct iface_settings set = {.flags = FG_SETTINGS_VALID};
		__u32 ifindex;

		if (sscanf(argv[i], "%u:%u:%u", &ifindex, &set.slot,
			   &set.sample_rate) < 2) {
			fprintf(stderr, "bad IFINDEX:SLOT[:RATE] %s\n",
				argv[i]);
			return 2;
		}
		m = bpf_object__find_map_by_name(
			obj, ifindex < FG_SETTINGS_DIRECT ? "fg_settings"
							  : "fg_settings_far");
		err = bpf_map__update_elem(m, &ifindex, sizeof(ifindex), &set,
					   sizeof(set), 0);
		if (err) {
			fprintf(stderr, "settings %s: %s\n", argv[i],
				strerror(-err));
			return 1;
		}
	}
	bpf_object__close(obj);
	return 0;
}
