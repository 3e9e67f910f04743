// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * lazymem.c: anonymous memory that costs nothing until it is written
 * (LazyMemory). mmap(MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE) gives zero
 * pages that the kernel commits one at a time on first write, unlike a Java
 * array or ByteBuffer.allocateDirect, which zero (and so commit) all of it.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>

#include "fg_jni.h"

/* the mapping's address, or -errno */
static jlong map0(JNIEnv *env, jclass cls, jlong size)
{
	void *p;

	if (size <= 0)
		return -EINVAL;
	p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? -errno : (jlong)(uintptr_t)p;
}

/* a direct ByteBuffer over [address, address + size) */
static jobject wrap0(JNIEnv *env, jclass cls, jlong address, jlong size)
{
	return (*env)->NewDirectByteBuffer(env, (void *)(uintptr_t)address,
					   size);
}

/* 0, or -errno (called once per mapping, by its cleaner) */
static jint unmap0(JNIEnv *env, jclass cls, jlong address, jlong size)
{
	return munmap((void *)(uintptr_t)address, (size_t)size) ? -errno : 0;
}

static const JNINativeMethod methods[] = {
	{"map0", "(J)J", (void *)map0},
	{"wrap0", "(JJ)Ljava/nio/ByteBuffer;", (void *)wrap0},
	{"unmap0", "(JJ)I", (void *)unmap0},
};
FG_NATIVES(fg_lazymem_natives, "LazyMemory", methods);
