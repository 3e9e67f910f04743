// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* fds.c: BPF object fds and bpffs pins, shared by maps, links and programs. */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "fg_jni.h"

int fg_obj_info(int fd, void *info, uint32_t size)
{
	__u32 len = size;

	memset(info, 0, size);
	fg_log_reset();
	return bpf_obj_get_info_by_fd(fd, info, &len);
}

static jint obj_get0(JNIEnv *env, jclass cls, jstring path)
{
	const char *p = fg_str(env, path);
	int fd;

	if (!p)
		return -EINVAL;
	fg_log_reset();
	fd = bpf_obj_get(p);
	fg_release_str(env, path, p);
	return fd;
}

static jint obj_pin0(JNIEnv *env, jclass cls, jint fd, jstring path)
{
	const char *p = fg_str(env, path);
	int err;

	if (!p)
		return -EINVAL;
	fg_log_reset();
	err = bpf_obj_pin(fd, p);
	fg_release_str(env, path, p);
	return err;
}

static jint close_fd0(JNIEnv *env, jclass cls, jint fd)
{
	return close(fd) ? -errno : 0;
}

/* mount(2) of a new bpffs instance on path (mode 0700: root's pins) */
static jint mount_bpffs0(JNIEnv *env, jclass cls, jstring path)
{
	const char *p = fg_str(env, path);
	int err;

	if (!p)
		return -EINVAL;
	err = mount("bpf", p, "bpf", 0, "mode=0700") ? -errno : 0;
	fg_release_str(env, path, p);
	return err;
}

static const JNINativeMethod methods[] = {
	{"objGet0", "(Ljava/lang/String;)I", (void *)obj_get0},
	{"objPin0", "(ILjava/lang/String;)I", (void *)obj_pin0},
	{"closeFd0", "(I)I", (void *)close_fd0},
	{"mountBpffs0", "(Ljava/lang/String;)I", (void *)mount_bpffs0},
};
FG_NATIVES(fg_fds_natives, "BpfFds", methods);
