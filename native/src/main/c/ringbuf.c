// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ringbuf.c: a BPF ring buffer drained into a direct buffer (RingBuffer).
 *
 * One poll copies as many records as fit, each as [u32 len][record][pad to
 * 8]. No record is ever lost when the buffer fills: libbpf has already
 * advanced past the record whose callback refuses it, so that record is
 * kept in a stash and copied first by the next poll.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "fg_jni.h"

struct fg_ringbuf {
	struct ring_buffer *rb;
	char *out; /* this poll's destination */
	size_t cap; /* its size */
	size_t len; /* bytes written so far */
	int full; /* a record did not fit: stop consuming */
	char *stash; /* the record that did not fit, kept for the next poll */
	size_t stash_len;
	size_t stash_cap;
};

/* 4: the u32 length, then the record, padded to 8 */
static size_t framed_len(size_t size)
{
	return (4 + size + 7) & ~(size_t)7;
}

static void put(struct fg_ringbuf *r, const void *data, size_t size)
{
	__u32 len = (__u32)size;
	size_t framed = framed_len(size);

	memcpy(r->out + r->len, &len, 4);
	memcpy(r->out + r->len + 4, data, size);
	memset(r->out + r->len + 4 + size, 0, framed - 4 - size);
	r->len += framed;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct fg_ringbuf *r = ctx;

	if (r->full || r->len + framed_len(size) > r->cap) {
		/* libbpf counts this record consumed once we return: keep it */
		if (size > r->stash_cap) {
			char *grown = realloc(r->stash, size);

			if (!grown)
				return -ENOMEM; /* lost; surfaces as an error */
			r->stash = grown;
			r->stash_cap = size;
		}
		memcpy(r->stash, data, size);
		r->stash_len = size;
		r->full = 1;
		return -ENOSPC; /* stop consuming */
	}
	put(r, data, size);
	return 0;
}

static jlong open0(JNIEnv *env, jclass cls, jint map_fd)
{
	struct fg_ringbuf *r = calloc(1, sizeof(*r));
	int err;

	if (!r)
		return -ENOMEM;
	fg_log_reset();
	r->rb = ring_buffer__new(map_fd, on_record, r, NULL);
	if (!r->rb) {
		err = -errno;
		free(r);
		return err ? err : -EINVAL;
	}
	return FG_HANDLE(r);
}

/* Returns the bytes written at buf[pos..pos+cap), 0 on timeout, or -errno
 * (-ENOSPC: cap cannot hold even the next record). */
static jint poll0(JNIEnv *env, jclass cls, jlong handle, jobject buf, jint pos,
		  jint cap, jint timeout_ms)
{
	struct fg_ringbuf *r = FG_PTR(handle);
	int err;

	r->out = fg_direct(env, buf, pos, cap);
	if (!r->out || cap < 0)
		return -EINVAL;
	r->cap = (size_t)cap;
	r->len = 0;
	r->full = 0;
	fg_log_reset();
	if (r->stash_len) {
		if (framed_len(r->stash_len) > r->cap)
			return -ENOSPC;
		put(r, r->stash, r->stash_len);
		r->stash_len = 0;
	}
	/* with a record in hand, take what is ready without waiting */
	if (r->len)
		err = ring_buffer__consume(r->rb);
	else
		err = ring_buffer__poll(r->rb, timeout_ms);
	if (r->full && !r->len)
		return -ENOSPC;
	if (err < 0 && !r->full && err != -EINTR && !r->len)
		return err;
	return (jint)r->len;
}

static jint epoll_fd0(JNIEnv *env, jclass cls, jlong handle)
{
	return ring_buffer__epoll_fd(((struct fg_ringbuf *)FG_PTR(handle))->rb);
}

static void close0(JNIEnv *env, jclass cls, jlong handle)
{
	struct fg_ringbuf *r = FG_PTR(handle);

	ring_buffer__free(r->rb);
	free(r->stash);
	free(r);
}

static const JNINativeMethod methods[] = {
	{"open0", "(I)J", (void *)open0},
	{"poll0", "(JLjava/nio/ByteBuffer;III)I", (void *)poll0},
	{"epollFd0", "(J)I", (void *)epoll_fd0},
	{"close0", "(J)V", (void *)close0},
};
FG_NATIVES(fg_ringbuf_natives, "RingBuffer", methods);
