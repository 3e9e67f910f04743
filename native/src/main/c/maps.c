// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * maps.c: map element access by fd (BpfMap).
 *
 * Keys and values live in direct buffers; per-CPU values are
 * nr_possible_cpus * round_up(value_size, 8) bytes, which the Java face
 * sizes. lookup_batch0 drains (or reads) a whole map in one crossing.
 */
#include <errno.h>
#include <stdlib.h>

#include <bpf/bpf.h>

#include "fg_jni.h"

/* info: type, key_size, value_size, max_entries, id, map_flags */
static jint info0(JNIEnv *env, jclass cls, jint fd, jintArray out)
{
	struct bpf_map_info info;
	jint vals[6];
	int err = fg_obj_info(fd, &info, sizeof(info));

	if (err)
		return err;
	vals[0] = info.type;
	vals[1] = info.key_size;
	vals[2] = info.value_size;
	vals[3] = info.max_entries;
	vals[4] = info.id;
	vals[5] = info.map_flags;
	(*env)->SetIntArrayRegion(env, out, 0, 6, vals);
	return 0;
}

/* One element's lookup or update: key and value in direct buffers. */
static jint elem(JNIEnv *env, int update, jint fd, jobject key, jint kpos,
		 jint ksz, jobject val, jint vpos, jint vsz, jlong flags)
{
	void *k = fg_direct(env, key, kpos, ksz);
	void *v = fg_direct(env, val, vpos, vsz);

	if (!k || !v)
		return -EINVAL;
	fg_log_reset();
	if (update)
		return bpf_map_update_elem(fd, k, v, (__u64)flags);
	return bpf_map_lookup_elem_flags(fd, k, v, (__u64)flags);
}

static jint lookup0(JNIEnv *env, jclass cls, jint fd, jobject key, jint kpos,
		    jint ksz, jobject val, jint vpos, jint vsz, jlong flags)
{
	return elem(env, 0, fd, key, kpos, ksz, val, vpos, vsz, flags);
}

static jint update0(JNIEnv *env, jclass cls, jint fd, jobject key, jint kpos,
		    jint ksz, jobject val, jint vpos, jint vsz, jlong flags)
{
	return elem(env, 1, fd, key, kpos, ksz, val, vpos, vsz, flags);
}

static jint delete0(JNIEnv *env, jclass cls, jint fd, jobject key, jint kpos,
		    jint ksz)
{
	void *k = fg_direct(env, key, kpos, ksz);

	if (!k)
		return -EINVAL;
	fg_log_reset();
	return bpf_map_delete_elem(fd, k);
}

/*
 * Reads up to max entries, from the map's start, into keys/vals (entry i at
 * i*ksz and i*vstride), deleting them when del is set. Keeps calling the
 * batch op until the map reports its end (ENOENT, possibly with a count) or
 * the buffers are full. ENOSPC means the next hash bucket holds more
 * entries than the buffers have room left for: the entries read so far are
 * returned, and the caller calls again for the rest (they are still in the
 * map). Returns the number of entries, or -errno if none could be read.
 */
static jint lookup_batch0(JNIEnv *env, jclass cls, jint fd, jobject keys,
			  jint kpos, jobject vals, jint vpos, jint max,
			  jint ksz, jint vstride, jboolean del)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts);
	char *k = fg_direct(env, keys, kpos, (jlong)max * ksz);
	char *v = fg_direct(env, vals, vpos, (jlong)max * vstride);
	/* the batch token: a bucket index for hash maps, a key for arrays */
	size_t tsz = ksz > 8 ? (size_t)ksz : 8;
	char *in = calloc(2, tsz), *out = in ? in + tsz : NULL;
	__u32 total = 0;
	int err = 0, first = 1;

	if (!k || !v || max < 0 || !in) {
		free(in);
		return in ? -EINVAL : -ENOMEM;
	}
	fg_log_reset();
	while (total < (__u32)max) {
		__u32 count = (__u32)max - total;
		void *from = first ? NULL : in;

		if (del)
			err = bpf_map_lookup_and_delete_batch(
				fd, from, out, k + (size_t)total * ksz,
				v + (size_t)total * vstride, &count, &opts);
		else
			err = bpf_map_lookup_batch(
				fd, from, out, k + (size_t)total * ksz,
				v + (size_t)total * vstride, &count, &opts);
		if (err && err != -ENOENT && err != -ENOSPC)
			count = 0;
		total += count;
		if (err)
			break;
		memcpy(in, out, tsz);
		first = 0;
	}
	free(in);
	if (err == -ENOENT || total > 0)
		return (jint)total;
	return err;
}

static jint fd_by_id0(JNIEnv *env, jclass cls, jint id)
{
	fg_log_reset();
	return bpf_map_get_fd_by_id((__u32)id);
}

static const JNINativeMethod methods[] = {
	{"info0", "(I[I)I", (void *)info0},
	{"lookup0", "(ILjava/nio/ByteBuffer;IILjava/nio/ByteBuffer;IIJ)I",
	 (void *)lookup0},
	{"update0", "(ILjava/nio/ByteBuffer;IILjava/nio/ByteBuffer;IIJ)I",
	 (void *)update0},
	{"delete0", "(ILjava/nio/ByteBuffer;II)I", (void *)delete0},
	{"lookupBatch0", "(ILjava/nio/ByteBuffer;ILjava/nio/ByteBuffer;IIIIZ)I",
	 (void *)lookup_batch0},
	{"fdById0", "(I)I", (void *)fd_by_id0},
};
FG_NATIVES(fg_maps_natives, "BpfMap", methods);
