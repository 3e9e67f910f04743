// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sendmmsg.c: many datagrams on a connected socket in one crossing
 * (DatagramBatch): sendmmsg(2) over messages laid end to end in one direct
 * buffer, each given by its offset and length. The socket is the fd of a
 * java.nio DatagramChannel (fg_channel_fd), connected, so no address is given.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "fg_jni.h"

/* messages per sendmmsg call: its stack arrays stay at ~20 KiB */
#define CHUNK 256

/*
 * Sends messages [from, from + count) in order. Returns how many were sent:
 * all of them, or fewer when the kernel refused the next one (its error is
 * then lost, as sendmmsg(2) says: sending it again reports or sends it); or
 * -errno when the first one failed.
 */
static jint send0(JNIEnv *env, jclass cls, jobject channel, jobject buf,
		  jintArray offsets, jintArray lengths, jint from, jint count)
{
	struct mmsghdr msgs[CHUNK];
	struct iovec iov[CHUNK];
	jint off[CHUNK], len[CHUNK];
	char *base;
	jlong cap;
	int fd, sent = 0;

	fd = fg_channel_fd(env, channel);
	if (fd < 0)
		return fd;
	base = (*env)->GetDirectBufferAddress(env, buf);
	cap = (*env)->GetDirectBufferCapacity(env, buf);
	if (!base || cap < 0 || from < 0 || count < 0 ||
	    (jlong)from + count > (*env)->GetArrayLength(env, offsets) ||
	    (jlong)from + count > (*env)->GetArrayLength(env, lengths))
		return -EINVAL;
	while (sent < count) {
		int n = count - sent < CHUNK ? count - sent : CHUNK;
		int r;

		(*env)->GetIntArrayRegion(env, offsets, from + sent, n, off);
		(*env)->GetIntArrayRegion(env, lengths, from + sent, n, len);
		memset(msgs, 0, n * sizeof(msgs[0]));
		for (int i = 0; i < n; i++) {
			if (off[i] < 0 || len[i] < 0 ||
			    (jlong)off[i] + len[i] > cap)
				return sent > 0 ? sent : -EINVAL;
			iov[i].iov_base = base + off[i];
			iov[i].iov_len = len[i];
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		r = sendmmsg(fd, msgs, n, 0);
		if (r < 0)
			return sent > 0 ? sent : -errno;
		sent += r;
		if (r < n)
			break;
	}
	return sent;
}

static const JNINativeMethod methods[] = {
	{"send0",
	 "(Ljava/nio/channels/DatagramChannel;Ljava/nio/ByteBuffer;[I[III)I",
	 (void *)send0},
};
FG_NATIVES(fg_sendmmsg_natives, "DatagramBatch", methods);
