// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* jni_util.c: direct buffers, channel fds and strings across the JNI boundary. */
#include <errno.h>

#include "fg_jni.h"

void *fg_direct(JNIEnv *env, jobject buf, jint pos, jlong len)
{
	char *base;
	jlong cap;

	if (!buf || pos < 0 || len < 0)
		return NULL;
	base = (*env)->GetDirectBufferAddress(env, buf);
	cap = (*env)->GetDirectBufferCapacity(env, buf);
	if (!base || cap < 0 || (jlong)pos + len > cap)
		return NULL;
	return base + pos;
}

int fg_channel_fd(JNIEnv *env, jobject channel)
{
	jclass cls;
	jfieldID fid;
	int fd;

	if (!channel)
		return -EINVAL;
	cls = (*env)->GetObjectClass(env, channel);
	fid = (*env)->GetFieldID(env, cls, "fdVal", "I");
	(*env)->DeleteLocalRef(env, cls);
	if (!fid) {
		/* not one of the JDK's channel classes: no fd to use */
		(*env)->ExceptionClear(env);
		return -ENOTSUP;
	}
	fd = (*env)->GetIntField(env, channel, fid);
	return fd < 0 ? -EBADF : fd;
}

const char *fg_str(JNIEnv *env, jstring str)
{
	if (!str)
		return NULL;
	return (*env)->GetStringUTFChars(env, str, NULL);
}

void fg_release_str(JNIEnv *env, jstring str, const char *chars)
{
	if (str && chars)
		(*env)->ReleaseStringUTFChars(env, str, chars);
}
