// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * testrun.c: BPF_PROG_TEST_RUN of an XDP or TC program on one frame
 * (BpfProgram.testRun), and a program's type and id.
 */
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "fg_jni.h"

/* out = {type, id} */
static jint prog_info0(JNIEnv *env, jclass cls, jint fd, jintArray out)
{
	struct bpf_prog_info info;
	jint vals[2];
	int err = fg_obj_info(fd, &info, sizeof(info));

	if (err)
		return err;
	vals[0] = info.type;
	vals[1] = info.id;
	(*env)->SetIntArrayRegion(env, out, 0, 2, vals);
	return 0;
}

/*
 * Runs prog (of type prog_type) repeat times on frame. ifindex > 0 sets the
 * interface the frame arrives on (XDP ingress_ifindex, skb ifindex); it
 * must exist in the caller's network namespace. result = {retval,
 * data_out length, duration ns per run}; data_out gets the frame as the
 * program left it (-ENOSPC with result[1] set if data_out is too small).
 */
static jint test_run0(JNIEnv *env, jclass cls, jint fd, jint prog_type,
		      jbyteArray frame, jint repeat, jint ifindex,
		      jbyteArray data_out, jintArray result)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	jsize in_len = (*env)->GetArrayLength(env, frame);
	jsize out_len = (*env)->GetArrayLength(env, data_out);
	struct xdp_md xdp_ctx;
	struct __sk_buff skb_ctx;
	jbyte *in, *out;
	jint vals[3];
	int err;

	memset(&xdp_ctx, 0, sizeof(xdp_ctx));
	memset(&skb_ctx, 0, sizeof(skb_ctx));
	if (ifindex > 0 && prog_type == BPF_PROG_TYPE_XDP) {
		xdp_ctx.data_end = (__u32)in_len;
		xdp_ctx.ingress_ifindex = (__u32)ifindex;
		opts.ctx_in = &xdp_ctx;
		opts.ctx_size_in = sizeof(xdp_ctx);
	} else if (ifindex > 0) {
		skb_ctx.ifindex = (__u32)ifindex;
		skb_ctx.ingress_ifindex = (__u32)ifindex;
		opts.ctx_in = &skb_ctx;
		opts.ctx_size_in = sizeof(skb_ctx);
	}
	in = (*env)->GetByteArrayElements(env, frame, NULL);
	out = (*env)->GetByteArrayElements(env, data_out, NULL);
	if (!in || !out) {
		if (in)
			(*env)->ReleaseByteArrayElements(env, frame, in,
							 JNI_ABORT);
		return -ENOMEM;
	}
	opts.data_in = in;
	opts.data_size_in = (__u32)in_len;
	opts.data_out = out;
	opts.data_size_out = (__u32)out_len;
	opts.repeat = repeat;
	fg_log_reset();
	err = bpf_prog_test_run_opts(fd, &opts);
	(*env)->ReleaseByteArrayElements(env, frame, in, JNI_ABORT);
	(*env)->ReleaseByteArrayElements(env, data_out, out, 0);
	vals[0] = (jint)opts.retval;
	vals[1] = (jint)opts.data_size_out;
	vals[2] = (jint)opts.duration;
	(*env)->SetIntArrayRegion(env, result, 0, 3, vals);
	return err;
}

static const JNINativeMethod methods[] = {
	{"progInfo0", "(I[I)I", (void *)prog_info0},
	{"testRun0", "(II[BII[B[I)I", (void *)test_run0},
};
FG_NATIVES(fg_testrun_natives, "BpfProgram", methods);
