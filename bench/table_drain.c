// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * table_drain: user-space drain of the table prototype (table_slot.h)
 * through its mmap, against bpf_map_lookup_and_delete_batch of an LRU_HASH
 * (44-byte key, 40-byte value) as flowgate drains today, same run.
 *
 *   table_drain [FLOWS [SLOT_BITS [ROUNDS]]]   defaults 1000000 20 5
 *
 * Table: an ARRAY with BPF_F_MMAPABLE of 2 CPU slices of 2^SLOT_BITS slots,
 * FLOWS used slots spread over both slices (linear probing from a hash of
 * the key, as the BPF side would place them), filled from user space through
 * the mmap. Drain: scan every slot, copy each used one into a packed output
 * buffer (44-byte key + 40-byte value = 84 bytes, flowgate's drained
 * layout), zero the slot. Baseline: an LRU_HASH of FLOWS * 5/4 entries
 * holding FLOWS entries (filled with bpf_map_update_batch), drained with
 * bpf_map_lookup_and_delete_batch into key and value buffers, looping until
 * the op says the map is empty (native/src/main/c/maps.c does the same).
 * Each round refills and drains once; prints best and median ns per flow
 * and ms per 1M flows, and checks every round drains exactly FLOWS flows
 * and their packets. Exit 0 on success, 1 on a count mismatch or error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "table_slot.h"

#define CPUS 2
#define RECORD (sizeof(struct flow_key) + sizeof(struct flow_stats)) /* 84 */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void flow(__u32 i, struct flow_key *k, struct flow_stats *v)
{
	__u32 src = __builtin_bswap32(0x0a000000 + i);

	memset(k, 0, sizeof(*k));
	k->src_addr[10] = k->src_addr[11] = 0xff;
	k->dst_addr[10] = k->dst_addr[11] = 0xff;
	memcpy(&k->src_addr[12], &src, 4);
	k->dst_addr[12] = 10;
	k->dst_addr[15] = 1;
	k->src_port = 1000;
	k->dst_port = 2000;
	k->ifindex = 7;
	k->protocol = 17;
	memset(v, 0, sizeof(*v));
	v->packets = 1 + i % 7;
	v->bytes = 46 * v->packets;
	v->first_seen_ns = v->last_seen_ns = 4295000000ULL + i;
	v->ip_version = 4;
}

static __u64 hash(const struct table_slot *s)
{
	const __u64 *w = (const __u64 *)s;
	__u64 h = w[0];
	int i;

	for (i = 1; i < 6; i++)
		h = (h ^ w[i]) * 0x9E3779B97F4A7C15ULL;
	return h ^ (h >> 31);
}

/* places FLOWS flows, flow i on CPU slice i % CPUS; returns packets */
static __u64 fill_table(struct table_slot *t, __u32 flows, unsigned bits)
{
	__u32 mask = (1U << bits) - 1, i, p;
	struct table_slot s = {};
	__u64 packets = 0;

	for (i = 0; i < flows; i++) {
		flow(i, &s.key, &s.val);
		s.state = TABLE_USED;
		p = hash(&s) >> (64 - bits);
		while (t[((i % CPUS) << bits) | (p & mask)].state == TABLE_USED)
			p++;
		t[((i % CPUS) << bits) | (p & mask)] = s;
		packets += s.val.packets;
	}
	return packets;
}

/* the drain: every used slot to out (84-byte records), zeroed */
static __u32 drain_table(struct table_slot *t, size_t n, char *out,
			 __u64 *packets)
{
	__u32 got = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		struct table_slot *s = &t[i];

		if (s->state != TABLE_USED)
			continue;
		memcpy(out, &s->key, sizeof(s->key));
		memcpy(out + sizeof(s->key), &s->val, sizeof(s->val));
		*packets += s->val.packets;
		out += RECORD;
		got++;
		memset(s, 0, sizeof(*s));
	}
	return got;
}

static __u64 fill_lru(int fd, __u32 flows, struct flow_key *k,
		      struct flow_stats *v)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u64 packets = 0;
	__u32 i, n = flows;

	for (i = 0; i < flows; i++) {
		flow(i, &k[i], &v[i]);
		packets += v[i].packets;
	}
	if (bpf_map_update_batch(fd, k, v, &n, &opts) || n != flows) {
		fprintf(stderr, "update_batch: %s (%u of %u)\n",
			strerror(errno), n, flows);
		exit(1);
	}
	return packets;
}

static __u32 drain_lru(int fd, __u32 flows, struct flow_key *k,
		       struct flow_stats *v, __u64 *packets)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts);
	char in[sizeof(*k)], out[sizeof(*k)];
	__u32 total = 0, count, i;
	int err, first = 1;

	do {
		count = flows - total;
		err = bpf_map_lookup_and_delete_batch(fd, first ? NULL : in,
						      out, k + total, v + total,
						      &count, &opts);
		if (err && err != -ENOENT && err != -ENOSPC) {
			fprintf(stderr, "lookup_and_delete_batch: %s\n",
				strerror(-err));
			exit(1);
		}
		total += count;
		memcpy(in, out, sizeof(in));
		first = 0;
	} while (!err && total < flows);
	for (i = 0; i < total; i++)
		*packets += v[i].packets;
	return total;
}

static void report(const char *what, double *ns, int rounds, __u32 flows)
{
	qsort(ns, rounds, sizeof(*ns), cmp_double);
	printf("%-34s best %7.1f ns/flow (%6.1f ms per 1M), median %7.1f "
	       "ns/flow (%6.1f ms per 1M)\n",
	       what, ns[0] / flows, ns[0] / flows, ns[rounds / 2] / flows,
	       ns[rounds / 2] / flows);
}

int main(int argc, char **argv)
{
	__u32 flows = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000;
	unsigned bits = argc > 2 ? strtoul(argv[2], NULL, 0) : 20;
	int rounds = argc > 3 ? atoi(argv[3]) : 5;
	DECLARE_LIBBPF_OPTS(bpf_map_create_opts, aopts,
			    .map_flags = BPF_F_MMAPABLE);
	size_t n = (size_t)CPUS << bits;
	double tab_ns[64], lru_ns[64], t0;
	struct flow_stats *v;
	struct flow_key *k;
	struct table_slot *t;
	char *out;
	int afd, lfd, r, bad = 0;

	if (rounds < 1 || rounds > 64 || flows > n * 3 / 4 || flows < 1) {
		fprintf(stderr, "usage: %s [FLOWS [SLOT_BITS [ROUNDS<=64]]]\n",
			argv[0]);
		return 2;
	}
	afd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "drain_table", 4, sizeof(*t),
			     n, &aopts);
	lfd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "drain_lru", sizeof(*k),
			     sizeof(*v), flows / 4 * 5, NULL);
	if (afd < 0 || lfd < 0) {
		fprintf(stderr, "map create: %s\n", strerror(errno));
		return 1;
	}
	t = mmap(NULL, n * sizeof(*t), PROT_READ | PROT_WRITE, MAP_SHARED, afd,
		 0);
	out = malloc((size_t)flows * RECORD);
	k = calloc(flows, sizeof(*k));
	v = calloc(flows, sizeof(*v));
	if (t == MAP_FAILED || !out || !k || !v) {
		fprintf(stderr, "mmap/alloc: %s\n", strerror(errno));
		return 1;
	}
	memset(out, 0, (size_t)flows * RECORD);
	for (r = 0; r < rounds; r++) {
		__u64 want, got_packets = 0;
		__u32 got;

		want = fill_table(t, flows, bits);
		t0 = now_ns();
		got = drain_table(t, n, out, &got_packets);
		tab_ns[r] = now_ns() - t0;
		bad |= got != flows || got_packets != want;

		want = fill_lru(lfd, flows, k, v);
		got_packets = 0;
		t0 = now_ns();
		got = drain_lru(lfd, flows, k, v, &got_packets);
		lru_ns[r] = now_ns() - t0;
		bad |= got != flows || got_packets != want;
		fprintf(stderr, "round %d: mmap %.1f ms, lru batch %.1f ms\n",
			r, tab_ns[r] / 1e6, lru_ns[r] / 1e6);
	}
	printf("drain of %u flows, %d rounds; table %d x 2^%u slots of %zu B "
	       "(%.0f MB)\n",
	       flows, rounds, CPUS, bits, sizeof(*t), n * sizeof(*t) / 1e6);
	report("mmap scan+copy+zero (prototype)", tab_ns, rounds, flows);
	report("LRU_HASH lookup_and_delete_batch", lru_ns, rounds, flows);
	printf("speed-up (median): %.1fx; counts %s\n",
	       lru_ns[rounds / 2] / tab_ns[rounds / 2],
	       bad ? "MISMATCH" : "exact (every flow and packet drained)");
	return bad;
}
