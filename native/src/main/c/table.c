// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * table.c: the flow table fg_flows through mmap (FlowTable).
 *
 * The table is a BPF_F_MMAPABLE ARRAY of struct flow_slot (flowgate.h), so
 * user space reads and empties it with loads and stores: no syscall per
 * entry. scan0 walks slots [from, to), mapping one window at a time, and, per mode, copies
 * each used slot out as a packed flow_key and flow_stats (the layout the
 * batch map ops give, times converted from jiffies to CLOCK_MONOTONIC ns),
 * empties it, or only counts it. The caller guarantees no program writes
 * the slots scanned (the half is retired, see fg_flow_barrier in maps.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fg_jni.h"
#include "flowgate.h"

enum scan_mode {
	SCAN_COPY = 0, /* copy out, leave in place */
	SCAN_MOVE = 1, /* copy out and empty */
	SCAN_CLEAR = 2, /* empty, copy nothing */
	SCAN_COUNT = 3, /* count only */
	SCAN_RESET = 4, /* taken0 only: set the list's count to 0 */
};

/* The table is read through windows of WINDOW_SLOTS slots mapped one at a
 * time, so the process never has more than one window of kernel memory
 * mapped (its RSS stays the JVM's own). 1024 slots are 30 pages, so every
 * window starting at a multiple of 1024 slots starts on a page. */
#define ALIGN_SLOTS 1024
#define WINDOW_SLOTS (64 * ALIGN_SLOTS)

static inline __u64 to_ns(__u64 j, __u64 jref, __u64 nsref, __u64 tick)
{
	return nsref + (__u64)((__s64)(j - jref) * (__s64)tick);
}

/*
 * Returns the number of used slots handled (copied, emptied or counted) and
 * sets next[0] to the slot after the last one scanned: `to` unless the
 * buffers filled up first (max entries). -errno if a window cannot be mapped.
 */
static jint scan0(JNIEnv *env, jclass cls, jint fd, jlong from, jlong to,
		  jint mode, jobject keys, jint kpos, jobject vals, jint vpos,
		  jint max, jlong jref, jlong nsref, jlong tick,
		  jlongArray next)
{
	struct flow_key *k = NULL;
	struct flow_stats *v = NULL;
	jlong i = from;
	jint n = 0;
	int err = 0;

	if (mode == SCAN_COPY || mode == SCAN_MOVE) {
		k = fg_direct(env, keys, kpos, (jlong)max * sizeof(*k));
		v = fg_direct(env, vals, vpos, (jlong)max * sizeof(*v));
		if (!k || !v)
			return -EINVAL;
	}
	while (i < to && !(k && n == max)) {
		jlong base = i - i % ALIGN_SLOTS;
		jlong end = base + WINDOW_SLOTS < to ? base + WINDOW_SLOTS : to;
		size_t len = (size_t)(end - base) * sizeof(struct flow_slot);
		struct flow_slot *w;

		w = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 (off_t)base * sizeof(struct flow_slot));
		if (w == MAP_FAILED) {
			err = -errno;
			break;
		}
		for (; i < end; i++) {
			struct flow_slot *s = &w[i - base];

			if (s->state != FG_SLOT_USED)
				continue;
			if (k) {
				if (n == max)
					break;
				memcpy(&k[n], &s->key, sizeof(*k));
				v[n] = s->stats;
				v[n].first_seen_ns =
					to_ns(s->stats.first_seen_ns, jref,
					      nsref, tick);
				v[n].last_seen_ns = to_ns(s->stats.last_seen_ns,
							  jref, nsref, tick);
			}
			if (mode == SCAN_MOVE || mode == SCAN_CLEAR)
				memset(s, 0, sizeof(*s));
			n++;
		}
		munmap(w, len);
	}
	(*env)->SetLongArrayRegion(env, next, 0, 1, &i);
	return err ? err : n;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/*
 * taken0: the slots of one slice listed in fg_taken (maps.h), region
 * `region` (its first word, the count, then up to cap positions). In
 * SCAN_COPY or SCAN_CLEAR mode it handles like scan0 the used slots of the
 * slice [slice, slice + slots) whose positions the list holds, in slot order
 * (sorted, each once: a list a crashed sweeper did not reset may name a slot
 * twice, or an empty one), mapping one window of the table at a time;
 * SCAN_CLEAR then sets the count to 0, as SCAN_RESET alone does. Returns
 * what scan0 returns; next[0] = the count, and if it is above cap (the list
 * overflowed), or in SCAN_COPY above max (the buffers could not take every
 * slot it names, and a list read cannot resume part way), nothing is done
 * (not even the reset): the caller scans the slice whole.
 */
static jint taken0(JNIEnv *env, jclass cls, jint fd, jint tfd, jlong tlen,
		   jlong region, jint cap, jlong slice, jint slots, jint mode,
		   jobject keys, jint kpos, jobject vals, jint vpos, jint max,
		   jlong jref, jlong nsref, jlong tick, jlongArray next)
{
	struct flow_key *k = NULL;
	struct flow_stats *v = NULL;
	__u64 *t, count;
	__u32 *pos = NULL;
	jlong c = 0, j;
	jint n = 0, m = 0;
	int err = 0;

	if (mode == SCAN_COPY) {
		k = fg_direct(env, keys, kpos, (jlong)max * sizeof(*k));
		v = fg_direct(env, vals, vpos, (jlong)max * sizeof(*v));
		if (!k || !v)
			return -EINVAL;
	} else if (mode != SCAN_CLEAR && mode != SCAN_RESET) {
		return -EINVAL;
	}
	t = mmap(NULL, (size_t)tlen, PROT_READ | PROT_WRITE, MAP_SHARED, tfd, 0);
	if (t == MAP_FAILED)
		return -errno;
	count = t[region];
	c = (jlong)count;
	if (mode == SCAN_RESET) {
		t[region] = 0;
		goto out;
	}
	if (count > (__u64)cap || (mode == SCAN_COPY && count > (__u64)max))
		goto out;
	pos = malloc((count ? count : 1) * sizeof(*pos));
	if (!pos) {
		err = -ENOMEM;
		goto out;
	}
	for (j = 0; j < (jlong)count; j++) {
		__u64 p = t[region + 1 + j];

		if (p < (__u64)slots)
			pos[m++] = (__u32)p;
	}
	qsort(pos, m, sizeof(*pos), cmp_u32);
	for (j = 0; j < m && !err;) {
		jlong at = slice + pos[j];
		jlong base = at - at % ALIGN_SLOTS;
		jlong end = base + WINDOW_SLOTS < slice + slots ?
				    base + WINDOW_SLOTS : slice + slots;
		size_t len = (size_t)(end - base) * sizeof(struct flow_slot);
		struct flow_slot *w;

		w = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 (off_t)base * sizeof(struct flow_slot));
		if (w == MAP_FAILED) {
			err = -errno;
			break;
		}
		for (; j < m && slice + pos[j] < end; j++) {
			struct flow_slot *s = &w[slice + pos[j] - base];

			if (j > 0 && pos[j] == pos[j - 1])
				continue;
			if (s->state != FG_SLOT_USED)
				continue;
			if (k) {
				if (n == max) {
					err = -ENOSPC;
					break;
				}
				memcpy(&k[n], &s->key, sizeof(*k));
				v[n] = s->stats;
				v[n].first_seen_ns =
					to_ns(s->stats.first_seen_ns, jref,
					      nsref, tick);
				v[n].last_seen_ns = to_ns(s->stats.last_seen_ns,
							  jref, nsref, tick);
			} else {
				memset(s, 0, sizeof(*s));
			}
			n++;
		}
		munmap(w, len);
	}
	if (!err && mode == SCAN_CLEAR)
		t[region] = 0;
out:
	free(pos);
	munmap(t, (size_t)tlen);
	(*env)->SetLongArrayRegion(env, next, 0, 1, &c);
	return err ? err : n;
}

static const JNINativeMethod methods[] = {
	{"scan0", "(IJJILjava/nio/ByteBuffer;ILjava/nio/ByteBuffer;IIJJJ[J)I",
	 (void *)scan0},
	{"taken0",
	 "(IIJJIJIILjava/nio/ByteBuffer;ILjava/nio/ByteBuffer;IIJJJ[J)I",
	 (void *)taken0},
};
FG_NATIVES(fg_table_natives, "FlowTable", methods);
