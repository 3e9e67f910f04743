// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sendq.c: how many bytes a TCP socket still holds unacknowledged
 * (SocketSendQueue): ioctl SIOCOUTQ, the bytes in the send queue that the
 * peer has not acknowledged, sent or not (tcp(7)). The socket is the fd of a
 * java.nio SocketChannel (fg_channel_fd).
 */
#include <errno.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>

#include "fg_jni.h"

static jint unacked0(JNIEnv *env, jclass cls, jobject channel)
{
	int fd, n;

	fd = fg_channel_fd(env, channel);
	if (fd < 0)
		return fd;
	if (ioctl(fd, SIOCOUTQ, &n) < 0)
		return -errno;
	return n;
}

static const JNINativeMethod methods[] = {
	{"unacked0", "(Ljava/nio/channels/SocketChannel;)I", (void *)unacked0},
};
FG_NATIVES(fg_sendq_natives, "SocketSendQueue", methods);
