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
#include <string.h>
#include <sys/mman.h>

#include "fg_jni.h"
#include "flowgate.h"

enum scan_mode {
	SCAN_COPY = 0, /* copy out, leave in place */
	SCAN_MOVE = 1, /* copy out and empty */
	SCAN_CLEAR = 2, /* empty, copy nothing */
	SCAN_COUNT = 3, /* count only */
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

static const JNINativeMethod methods[] = {
	{"scan0", "(IJJILjava/nio/ByteBuffer;ILjava/nio/ByteBuffer;IIJJJ[J)I",
	 (void *)scan0},
};
FG_NATIVES(fg_table_natives, "FlowTable", methods);
