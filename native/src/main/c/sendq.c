// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sendq.c: how many bytes a TCP socket still holds unacknowledged
 * (SocketSendQueue): ioctl SIOCOUTQ, the bytes in the send queue that the
 * peer has not acknowledged, sent or not (tcp(7)). The socket is the fd of a
 * java.nio SocketChannel, read from its fdVal field (JNI is not held back by
 * module encapsulation, so no --add-opens is needed).
 */
#include <errno.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>

#include "fg_jni.h"

static jint unacked0(JNIEnv *env, jclass cls, jobject channel)
{
	jclass ch_cls;
	jfieldID fid;
	int fd, n;

	if (!channel)
		return -EINVAL;
	ch_cls = (*env)->GetObjectClass(env, channel);
	fid = (*env)->GetFieldID(env, ch_cls, "fdVal", "I");
	(*env)->DeleteLocalRef(env, ch_cls);
	if (!fid) {
		/* not the JDK's SocketChannelImpl: no fd to ask */
		(*env)->ExceptionClear(env);
		return -ENOTSUP;
	}
	fd = (*env)->GetIntField(env, channel, fid);
	if (fd < 0)
		return -EBADF;
	if (ioctl(fd, SIOCOUTQ, &n) < 0)
		return -errno;
	return n;
}

static const JNINativeMethod methods[] = {
	{"unacked0", "(Ljava/nio/channels/SocketChannel;)I", (void *)unacked0},
};
FG_NATIVES(fg_sendq_natives, "SocketSendQueue", methods);
