// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * table_load: loads and reads the helper-call-free table prototype
 * (table_proto.bpf.c) for bench/dataplane.py --proto.
 *
 *   table_load load OBJ PINDIR SLOT_BITS
 *       sizes proto_table to possible CPUs << SLOT_BITS slots and proto_stats
 *       to possible CPUs, sets slot_bits, loads, pins maps under PINDIR/maps
 *       and programs under PINDIR/progs.
 *   table_load count PINDIR
 *       reads both maps through their mmap and prints one JSON object:
 *       slots, used, packets, bytes, insert_failed, uncounted.
 *
 * Exit 0 on success; errors go to stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "table_slot.h"

static int load(const char *file, const char *pin, unsigned bits)
{
	int cpus = libbpf_num_possible_cpus();
	struct bpf_object *obj;
	struct bpf_map *m;
	char path[512];
	size_t sz = 0;
	int err;

	obj = bpf_object__open_file(file, NULL);
	if (!obj || cpus <= 0 || bits < 4 || bits > 26) {
		fprintf(stderr, "open %s (cpus %d, bits %u): %s\n", file, cpus,
			bits, strerror(errno));
		return 1;
	}
	m = bpf_object__find_map_by_name(obj, ".rodata");
	if (m)
		bpf_map__initial_value(m, &sz);
	if (sz != sizeof(bits) || bpf_map__set_initial_value(m, &bits, sz)) {
		fprintf(stderr, "no .rodata with slot_bits alone\n");
		return 1;
	}
	err = bpf_map__set_max_entries(
		bpf_object__find_map_by_name(obj, "proto_table"),
		(__u32)cpus << bits);
	err = err
		      ?: bpf_map__set_max_entries(bpf_object__find_map_by_name(
							  obj, "proto_stats"),
						  cpus);
	err = err ?: bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "size/load: %s\n", strerror(-err));
		return 1;
	}
	if (mkdir(pin, 0700) && errno != EEXIST) {
		fprintf(stderr, "mkdir %s: %s\n", pin, strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/maps", pin);
	err = bpf_object__pin_maps(obj, path);
	snprintf(path, sizeof(path), "%s/progs", pin);
	err = err ?: bpf_object__pin_programs(obj, path);
	if (err) {
		fprintf(stderr, "pin under %s: %s\n", pin, strerror(-err));
		return 1;
	}
	bpf_object__close(obj);
	return 0;
}

/* maps a pinned mmapable array read-only; *n gets max_entries */
static void *map_pinned(const char *pin, const char *name, __u32 value_size,
			__u32 *n)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char path[512];
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s/maps/%s", pin, name);
	fd = bpf_obj_get(path);
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    info.value_size != value_size) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(1);
	}
	*n = info.max_entries;
	p = mmap(NULL, (size_t)value_size * info.max_entries, PROT_READ,
		 MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "mmap %s: %s\n", path, strerror(errno));
		exit(1);
	}
	close(fd);
	return p;
}

static int count(const char *pin)
{
	__u64 used = 0, packets = 0, bytes = 0, failed = 0, uncounted = 0;
	const struct table_cpu_stats *st;
	const struct table_slot *t;
	__u32 n, cpus, i;

	t = map_pinned(pin, "proto_table", sizeof(*t), &n);
	st = map_pinned(pin, "proto_stats", sizeof(*st), &cpus);
	for (i = 0; i < n; i++) {
		if (t[i].state != TABLE_USED)
			continue;
		used++;
		packets += t[i].val.packets;
		bytes += t[i].val.bytes;
	}
	for (i = 0; i < cpus; i++) {
		failed += st[i].insert_failed;
		uncounted += st[i].uncounted;
	}
	printf("{\"slots\": %u, \"used\": %llu, \"packets\": %llu, "
	       "\"bytes\": %llu, \"insert_failed\": %llu, \"uncounted\": "
	       "%llu}\n",
	       n, (unsigned long long)used, (unsigned long long)packets,
	       (unsigned long long)bytes, (unsigned long long)failed,
	       (unsigned long long)uncounted);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "load"))
		return load(argv[2], argv[3], strtoul(argv[4], NULL, 0));
	if (argc == 3 && !strcmp(argv[1], "count"))
		return count(argv[2]);
	fprintf(stderr, "usage: %s load OBJ PINDIR SLOT_BITS | count PINDIR\n",
		argv[0]);
	return 2;
}
