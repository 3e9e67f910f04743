// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * jni_onload.c: registers every native method from the per-file tables and
 * holds the few natives of NativeBpf itself (log, strerror, CPU count).
 */
#include <errno.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "fg_jni.h"

static jstring last_detail0(JNIEnv *env, jclass cls)
{
	return fg_log_take(env);
}

static jstring strerror0(JNIEnv *env, jclass cls, jint err)
{
	char buf[128];

	/* libbpf's own codes (LIBBPF_ERRNO__*) start at 4000 */
	if (err >= 4000 && libbpf_strerror(-err, buf, sizeof(buf)) == 0)
		return (*env)->NewStringUTF(env, buf);
	return (*env)->NewStringUTF(env, strerror(err));
}

static jint nr_possible_cpus0(JNIEnv *env, jclass cls)
{
	return libbpf_num_possible_cpus();
}

static jint abi_version0(JNIEnv *env, jclass cls)
{
	return (jint)(libbpf_major_version() * 1000 + libbpf_minor_version());
}

static const JNINativeMethod util_methods[] = {
	{"lastDetail0", "()Ljava/lang/String;", (void *)last_detail0},
	{"strerror0", "(I)Ljava/lang/String;", (void *)strerror0},
	{"nrPossibleCpus0", "()I", (void *)nr_possible_cpus0},
	{"libbpfVersion0", "()I", (void *)abi_version0},
};
FG_NATIVES(fg_util_natives, "NativeBpf", util_methods);

static const struct fg_natives *const all_natives[] = {
	&fg_util_natives,   &fg_object_natives,	 &fg_maps_natives,
	&fg_attach_natives, &fg_ringbuf_natives, &fg_testrun_natives,
	&fg_btf_natives,    &fg_notify_natives,	 &fg_fds_natives,
	&fg_table_natives,  &fg_sendq_natives,	 &fg_lazymem_natives,
	&fg_netlink_natives, &fg_sendmmsg_natives, &fg_sockdiag_natives,
};

JNIEXPORT jint JNI_OnLoad(JavaVM *vm, void *reserved)
{
	JNIEnv *env;

	if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK)
		return JNI_ERR;
	for (size_t i = 0; i < sizeof(all_natives) / sizeof(all_natives[0]);
	     i++) {
		const struct fg_natives *n = all_natives[i];
		jclass cls = (*env)->FindClass(env, n->cls);

		/* a missing class or method leaves a pending exception that
		 * System.load reports as the cause */
		if (!cls)
			return JNI_ERR;
		if ((*env)->RegisterNatives(env, cls, n->methods, n->count) !=
		    0)
			return JNI_ERR;
		(*env)->DeleteLocalRef(env, cls);
	}
	fg_log_install();
	return JNI_VERSION_1_8;
}
