// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* jni_util.c: direct buffers and strings across the JNI boundary. */
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
