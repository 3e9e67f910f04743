/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fg_jni.h: what the JNI shim's files share.
 *
 * Contract for every native function: it returns 0 or a non-negative result
 * on success and -errno on failure; it never throws. The Java face turns a
 * negative result into a BpfException and asks fg_log_take() (through
 * NativeBpf.lastDetail0) for whatever libbpf printed during the call.
 */
#ifndef FG_JNI_H
#define FG_JNI_H

#include <jni.h>
#include <stddef.h>
#include <stdint.h>

/* libbpf's log, per thread: fg_log_reset() starts a call, libbpf's print
 * callback appends, fg_log_take() hands it to Java and clears it. */
void fg_log_reset(void);
void fg_log_append(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
jstring fg_log_take(JNIEnv *env);
void fg_log_install(void);

/* bpf_obj_get_info_by_fd into *info (size bytes, zeroed first) with the log
 * reset: 0 or -errno. Maps, programs and links read their info so (fds.c). */
int fg_obj_info(int fd, void *info, uint32_t size);

/* Address of a direct buffer at position pos, or NULL if the buffer is not
 * direct or [pos, pos+len) is out of its capacity. */
void *fg_direct(JNIEnv *env, jobject buf, jint pos, jlong len);

/* The fd of a JDK socket channel (its fdVal field: JNI is not held back by
 * module encapsulation, so no --add-opens is needed), or -errno: -EINVAL for
 * NULL, -ENOTSUP if the object has no such field, -EBADF once closed. */
int fg_channel_fd(JNIEnv *env, jobject channel);

/* A Java string as a C string; free with fg_release_str. NULL when str is
 * NULL or the JVM is out of memory. */
const char *fg_str(JNIEnv *env, jstring str);
void fg_release_str(JNIEnv *env, jstring str, const char *chars);

/* Pointer <-> jlong for native handles. */
#define FG_PTR(h) ((void *)(intptr_t)(h))
#define FG_HANDLE(p) ((jlong)(intptr_t)(p))

/* Registration tables, one per file, collected by jni_onload.c: each file
 * registers the private natives of one Java class. */
struct fg_natives {
	const char *cls;
	const JNINativeMethod *methods;
	int count;
};
extern const struct fg_natives fg_object_natives;
extern const struct fg_natives fg_maps_natives;
extern const struct fg_natives fg_attach_natives;
extern const struct fg_natives fg_ringbuf_natives;
extern const struct fg_natives fg_testrun_natives;
extern const struct fg_natives fg_btf_natives;
extern const struct fg_natives fg_notify_natives; /* dev/flowgate/os */
extern const struct fg_natives fg_util_natives;
extern const struct fg_natives fg_fds_natives;
extern const struct fg_natives fg_table_natives;
extern const struct fg_natives fg_lazymem_natives;
extern const struct fg_natives fg_sendq_natives;
extern const struct fg_natives fg_sendmmsg_natives;
extern const struct fg_natives fg_sockdiag_natives;
extern const struct fg_natives fg_netlink_natives; /* dev/flowgate/netlink */

#define FG_PKG "dev/flowgate/bpf/"
/* natives of a class named in full (e.g. "dev/flowgate/os/SystemdNotify") */
#define FG_NATIVES_OF(var, fullcls, table)                                     \
	const struct fg_natives var = {fullcls, table,                         \
				       sizeof(table) / sizeof(table[0])}
/* natives of a class of dev.flowgate.bpf */
#define FG_NATIVES(var, cls, table) FG_NATIVES_OF(var, FG_PKG cls, table)

#endif /* FG_JNI_H */
