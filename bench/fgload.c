// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fgload: loads flowgate.bpf.o for a benchmark run the way the control plane
 * would, and pins it, so bpftool/tc/ip can attach the programs afterwards;
 * and counts what the flow table holds after a run.
 *
 *   fgload OBJ PINDIR FLOWS_PER_CPU [IFINDEX:SLOT[:RATE]]...
 *
 * Sizes the flow table as FlowTable.configure does: each possible CPU gets
 * a slice of slots = the power of two >= FLOWS_PER_CPU (at least 1024) in
 * each half, so fg_cpus = possible CPUs and fg_slot_bits = log2(slots) in
 * .rodata, max_entries of fg_flows = 2 * fg_cpus << fg_slot_bits, and each
 * of fg_spill_0/fg_spill_1 holds max(1024, half slots / 8); fg_taken_bits
 * = fg_slot_bits - 3 and fg_taken holds 2 * half slots / 8. Loads, pins
 * maps under PINDIR/maps and programs under PINDIR/progs, and writes one
 * fg_settings entry per IFINDEX:SLOT[:RATE].
 *
 *   fgload count PINDIR
 *
 * Reads the pinned table through its mmap and both spill maps and prints
 * one JSON object: slots, used (slots with state FG_SLOT_USED), their
 * table_packets, spilled (spill entries) and their spill_packets.
 *
 * Exit 0 on success; errors go to stderr with libbpf's log.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "flowgate.h"

/* slots per CPU: at least 1024 (FlowTable.MIN_SLOTS_PER_CPU) */
#define MIN_SLOT_BITS 10
#define MIN_SPILL_ENTRIES 1024

static const char *const spill_maps[] = {"fg_spill_0", "fg_spill_1"};

static int set_max_entries(struct bpf_object *obj, const char *name, __u32 n)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	return m ? bpf_map__set_max_entries(m, n) : -ENOENT;
}

/* the internal map of section .rodata (libbpf names it <obj prefix>.rodata) */
static struct bpf_map *rodata_map(struct bpf_object *obj)
{
	static const char sfx[] = ".rodata";
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj)
	{
		const char *name = bpf_map__name(m);
		size_t len = strlen(name);

		if (bpf_map__is_internal(m) && len >= sizeof(sfx) - 1 &&
		    !strcmp(name + len - (sizeof(sfx) - 1), sfx))
			return m;
	}
	return NULL;
}

/* writes the __u32 .rodata globals names[i] = values[i] (n of them) into the
 * initial value of the not yet loaded obj; -ENOENT if one is missing */
static int set_rodata_u32(struct bpf_object *obj, const char *const *names,
			  const __u32 *values, int n)
{
	struct bpf_map *map = rodata_map(obj);
	struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vsi;
	const struct btf_type *sec;
	int id, i, j, found = 0, err;
	const void *init;
	size_t size = 0;
	char *copy;

	if (!map || !btf)
		return -ENOENT;
	id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	init = bpf_map__initial_value(map, &size);
	if (id < 0 || !init)
		return -ENOENT;
	copy = malloc(size);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, init, size);
	sec = btf__type_by_id(btf, id);
	vsi = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vsi++) {
		const struct btf_type *var = btf__type_by_id(btf, vsi->type);
		const char *name = btf__name_by_offset(btf, var->name_off);

		for (j = 0; j < n; j++) {
			if (strcmp(name, names[j]))
				continue;
			if (vsi->size != sizeof(__u32) ||
			    vsi->offset + sizeof(__u32) > size) {
				free(copy);
				return -EINVAL;
			}
			memcpy(copy + vsi->offset, &values[j], sizeof(__u32));
			found++;
		}
	}
	err = found == n ? bpf_map__set_initial_value(map, copy, size)
			 : -ENOENT;
	free(copy);
	return err;
}

/* FlowTable.configure: slots per CPU, their log2, and the map sizes */
static int size_table(struct bpf_object *obj, __u32 flows_per_cpu)
{
	static const char *const globals[] = {"fg_cpus", "fg_slot_bits",
					      "fg_taken_bits"};
	int cpus = libbpf_num_possible_cpus();
	__u32 bits = MIN_SLOT_BITS, values[3];
	__u64 half, spill;
	int err, i;
	bool taken;

	while (bits < 31 && (1U << bits) < flows_per_cpu)
		bits++;
	if (cpus <= 0)
		return cpus ?: -EINVAL;
	half = (__u64)cpus << bits;
	if (2 * half > 0x7fffffff) {
		fprintf(stderr,
			"flow table of %llu slots: more than 2^31 - 1\n",
			(unsigned long long)(2 * half));
		return -E2BIG;
	}
	values[0] = cpus;
	values[1] = bits;
	values[2] = bits - 3; /* a taken list per slice: an eighth of it */
	/* objects built before fg_taken (an A/B against an older build) */
	taken = bpf_object__find_map_by_name(obj, "fg_taken") != NULL;
	err = set_rodata_u32(obj, globals, values, taken ? 3 : 2);
	if (err) {
		fprintf(stderr, "setting fg_cpus, fg_slot_bits, fg_taken_bits: %s\n",
			strerror(-err));
		return err;
	}
	spill = half / 8 > MIN_SPILL_ENTRIES ? half / 8 : MIN_SPILL_ENTRIES;
	err = set_max_entries(obj, "fg_flows", 2 * half);
	if (taken)
		err = err ?: set_max_entries(obj, "fg_taken", 2 * half / 8);
	for (i = 0; i < 2; i++)
		err = err ?: set_max_entries(obj, spill_maps[i], spill);
	if (err)
		fprintf(stderr, "sizing flow maps: %s\n", strerror(-err));
	return err;
}

static int load(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_map *m;
	char path[512];
	int i, err;

	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (size_table(obj, strtoul(argv[3], NULL, 0)))
		return 1;
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

static int open_pinned(const char *pin, const char *name)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/maps/%s", pin, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
	return fd;
}

/* used slots of the whole table (both halves) and their packets */
static int count_table(const char *pin, __u32 *slots, __u64 *used,
		       __u64 *packets)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), i;
	const struct flow_slot *t;
	long page = sysconf(_SC_PAGESIZE);
	size_t size;
	int fd;

	fd = open_pinned(pin, "fg_flows");
	if (fd < 0)
		return -1;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    info.value_size != sizeof(*t)) {
		fprintf(stderr, "fg_flows: value size %u, not %zu: %s\n",
			info.value_size, sizeof(*t), strerror(errno));
		close(fd);
		return -1;
	}
	size = (size_t)info.max_entries * sizeof(*t);
	size = (size + page - 1) / page * page;
	t = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (t == MAP_FAILED) {
		fprintf(stderr, "mmap fg_flows: %s\n", strerror(errno));
		return -1;
	}
	*slots = info.max_entries;
	for (i = 0; i < info.max_entries; i++) {
		if (t[i].state != FG_SLOT_USED)
			continue;
		(*used)++;
		*packets += t[i].stats.packets;
	}
	munmap((void *)t, size);
	return 0;
}

/* entries of one spill map and their packets */
static int count_spill(const char *pin, const char *name, __u64 *entries,
		       __u64 *packets)
{
	struct flow_key key, next;
	struct flow_stats st;
	void *prev = NULL;
	int fd, err;

	fd = open_pinned(pin, name);
	if (fd < 0)
		return -1;
	for (;;) {
		/* the walk ends with ENOENT past the last key */
		if (bpf_map_get_next_key(fd, prev, &next)) {
			err = errno == ENOENT ? 0 : -errno;
			break;
		}
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &st)) {
			err = -errno;
			break;
		}
		(*entries)++;
		*packets += st.packets;
	}
	close(fd);
	if (err)
		fprintf(stderr, "%s: %s\n", name, strerror(-err));
	return err;
}

static int count(const char *pin)
{
	__u64 used = 0, packets = 0, spilled = 0, spill_packets = 0;
	__u32 slots = 0;
	int i;

	if (count_table(pin, &slots, &used, &packets))
		return 1;
	for (i = 0; i < 2; i++)
		if (count_spill(pin, spill_maps[i], &spilled, &spill_packets))
			return 1;
	printf("{\"slots\": %u, \"used\": %llu, \"table_packets\": %llu, "
	       "\"spilled\": %llu, \"spill_packets\": %llu}\n",
	       slots, (unsigned long long)used, (unsigned long long)packets,
	       (unsigned long long)spilled, (unsigned long long)spill_packets);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "count"))
		return count(argv[2]);
	if (argc >= 4 && strcmp(argv[1], "count"))
		return load(argc, argv);
	fprintf(stderr,
		"usage: %s OBJ PINDIR FLOWS_PER_CPU [IFINDEX:SLOT[:RATE]]...\n"
		"       %s count PINDIR\n",
		argv[0], argv[0]);
	return 2;
}
