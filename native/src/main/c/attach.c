// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * attach.c: programs onto interfaces (BpfLink).
 *
 * XDP: a BPF link (bpf_link_create, BPF_XDP). A link never replaces what is
 * there: the kernel refuses with EBUSY (a program or link in that mode) or
 * EEXIST (a program in the other mode), the XDP_FLAGS_UPDATE_IF_NOEXIST
 * promise. TC: a TCX link where the kernel has TCX (6.6+), which coexists
 * with other tools' programs; else a cls_bpf filter on a clsact qdisc,
 * created if missing and never deleted (it may be someone else's), the
 * filter identified by the handle and priority the kernel gave it.
 */
#include <errno.h>
#include <net/if.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "fg_jni.h"

/* Debian 12's uapi linux/bpf.h predates TCX (kernel 6.6); values from the
 * kernel's include/uapi/linux/bpf.h enum bpf_attach_type: ...
 * BPF_LSM_CGROUP (43), BPF_STRUCT_OPS, BPF_NETFILTER, BPF_TCX_INGRESS,
 * BPF_TCX_EGRESS. */
#define FG_BPF_TCX_INGRESS 46
#define FG_BPF_TCX_EGRESS 47
_Static_assert(BPF_LSM_CGROUP == 43, "uapi attach type numbering");

/* says which XDP program holds the interface, for the exception's detail */
static void explain_xdp_busy(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (bpf_xdp_query(ifindex, 0, &q) == 0)
		fg_log_append("interface %d already runs XDP (driver prog id "
			      "%u, generic prog id %u, "
			      "offload prog id %u); flowgate never replaces "
			      "another program\n",
			      ifindex, q.drv_prog_id, q.skb_prog_id,
			      q.hw_prog_id);
}

/* mode: XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE. Returns the link fd. */
static jint attach_xdp0(JNIEnv *env, jclass cls, jint prog_fd, jint ifindex,
			jint mode)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = (__u32)mode);
	int fd;

	fg_log_reset();
	fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);
	if (fd == -EBUSY || fd == -EEXIST)
		explain_xdp_busy(ifindex);
	return fd;
}

/* the XDP program ids on an interface: out = {drv, skb, hw, attach_mode} */
static jint xdp_query0(JNIEnv *env, jclass cls, jint ifindex, jintArray out)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	jint vals[4];
	int err;

	fg_log_reset();
	err = bpf_xdp_query(ifindex, 0, &q);
	if (err)
		return err;
	vals[0] = q.drv_prog_id;
	vals[1] = q.skb_prog_id;
	vals[2] = q.hw_prog_id;
	vals[3] = q.attach_mode;
	(*env)->SetIntArrayRegion(env, out, 0, 4, vals);
	return 0;
}

/* a TCX link, appended after the programs already there. Returns its fd. */
static jint attach_tcx0(JNIEnv *env, jclass cls, jint prog_fd, jint ifindex,
			jboolean ingress)
{
	fg_log_reset();
	return bpf_link_create(prog_fd, ifindex,
			       ingress ? FG_BPF_TCX_INGRESS : FG_BPF_TCX_EGRESS,
			       NULL);
}

/* a direct-action cls_bpf filter on clsact; out = {handle, priority} */
static jint attach_clsact0(JNIEnv *env, jclass cls, jint prog_fd, jint ifindex,
			   jboolean ingress, jintArray out)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd);
	jint vals[2];
	int err;

	fg_log_reset();
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return err;
	/* handle and priority 0: the kernel picks free ones, never replaces */
	err = bpf_tc_attach(&hook, &opts);
	if (err)
		return err;
	vals[0] = opts.handle;
	vals[1] = opts.priority;
	(*env)->SetIntArrayRegion(env, out, 0, 2, vals);
	return 0;
}

/* removes exactly our filter; the clsact qdisc stays */
static jint detach_clsact0(JNIEnv *env, jclass cls, jint ifindex,
			   jboolean ingress, jint handle, jint priority)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = (__u32)handle,
		    .priority = (__u32)priority);

	fg_log_reset();
	return bpf_tc_detach(&hook, &opts);
}

/* out = {type, id, prog_id, ifindex, attach_type}. XDP and TCX links both
 * keep the ifindex first in bpf_link_info's union; TCX has its attach type
 * next (struct { __u32 ifindex; __u32 attach_type; } tcx, newer uapi) */
static jint link_info0(JNIEnv *env, jclass cls, jint fd, jintArray out)
{
	struct bpf_link_info info;
	jint vals[5];
	__u32 attach_type;
	int err = fg_obj_info(fd, &info, sizeof(info));

	if (err)
		return err;
	vals[0] = info.type;
	vals[1] = info.id;
	vals[2] = info.prog_id;
	vals[3] = info.xdp.ifindex;
	memcpy(&attach_type, (char *)&info.xdp.ifindex + 4,
	       sizeof(attach_type));
	vals[4] = attach_type;
	(*env)->SetIntArrayRegion(env, out, 0, 5, vals);
	return 0;
}

static jint link_detach0(JNIEnv *env, jclass cls, jint fd)
{
	fg_log_reset();
	return bpf_link_detach(fd);
}

/* swaps the program of a BPF link (XDP, TCX) in one step: no packet goes
 * uncounted between the two programs */
static jint link_update0(JNIEnv *env, jclass cls, jint fd, jint prog_fd)
{
	fg_log_reset();
	return bpf_link_update(fd, prog_fd, NULL);
}

static const JNINativeMethod methods[] = {
	{"attachXdp0", "(III)I", (void *)attach_xdp0},
	{"xdpQuery0", "(I[I)I", (void *)xdp_query0},
	{"attachTcx0", "(IIZ)I", (void *)attach_tcx0},
	{"attachClsact0", "(IIZ[I)I", (void *)attach_clsact0},
	{"detachClsact0", "(IZII)I", (void *)detach_clsact0},
	{"linkInfo0", "(I[I)I", (void *)link_info0},
	{"linkDetach0", "(I)I", (void *)link_detach0},
	{"linkUpdate0", "(II)I", (void *)link_update0},
};
FG_NATIVES(fg_attach_natives, "BpfLink", methods);
