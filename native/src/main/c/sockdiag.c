// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sockdiag.c: one UDP socket's receive queue from NETLINK_SOCK_DIAG
 * (SockDiag), by exact lookup: an inet_diag_req_v2 without NLM_F_DUMP for
 * IPPROTO_UDP names the 4-tuple of a datagram (its source and destination),
 * and the kernel answers for the one socket that datagram would reach, as
 * its own receive path finds it (udp_dump_one). One request, one reply, no
 * walk over every socket and no text, unlike /proc/net/udp.
 *
 * open0 opens the netlink socket (one per caller, used by one thread at a
 * time); udp0 asks and writes into a long[3]: the bytes queued unread
 * (idiag_rqueue, the skbs' truesize as /proc/net/udp shows it), the socket's
 * receive buffer (SK_MEMINFO_RCVBUF) and the datagrams it dropped
 * (SK_MEMINFO_DROPS); it returns 0, -ENOENT when no socket would receive
 * such a datagram, or -errno.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "fg_jni.h"

static jint open0(JNIEnv *env, jclass cls)
{
	struct timeval tv = {.tv_sec = 1};
	int fd;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	/* the kernel queues the reply before sendmsg returns: this only
	 * bounds a wait that should never happen */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static jint close0(JNIEnv *env, jclass cls, jint fd)
{
	return close(fd) < 0 ? -errno : 0;
}

/* addr (4 or 16 bytes) into a diag id field; the family from its length */
static int fg_diag_addr(JNIEnv *env, jbyteArray addr, __be32 *out)
{
	jsize n = (*env)->GetArrayLength(env, addr);

	if (n != 4 && n != 16)
		return -EINVAL;
	(*env)->GetByteArrayRegion(env, addr, 0, n, (jbyte *)out);
	return n == 4 ? AF_INET : AF_INET6;
}

static jint udp0(JNIEnv *env, jclass cls, jint fd, jbyteArray src,
		 jint sport, jbyteArray dst, jint dport, jlongArray out)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg;
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	static __thread __u32 seq;
	union {
		struct nlmsghdr nlh;
		char bytes[4096];
	} reply;
	int family, family2;

	if (!src || !dst || !out || (*env)->GetArrayLength(env, out) < 3 ||
	    sport < 0 || sport > 65535 || dport < 0 || dport > 65535)
		return -EINVAL;
	memset(&msg, 0, sizeof(msg));
	family = fg_diag_addr(env, src, msg.req.id.idiag_src);
	family2 = fg_diag_addr(env, dst, msg.req.id.idiag_dst);
	if (family < 0 || family != family2)
		return -EINVAL;
	msg.nlh.nlmsg_len = sizeof(msg);
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST;
	msg.nlh.nlmsg_seq = ++seq;
	msg.req.sdiag_family = family;
	msg.req.sdiag_protocol = IPPROTO_UDP;
	msg.req.idiag_ext = 1 << (INET_DIAG_SKMEMINFO - 1);
	msg.req.idiag_states = ~0U;
	/* src and dst as the datagram has them: udp_dump_one looks the
	 * socket up as the receive path does, (saddr, sport) -> (daddr, dport) */
	msg.req.id.idiag_sport = htons(sport);
	msg.req.id.idiag_dport = htons(dport);
	msg.req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	msg.req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	if (sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0)
		return -errno;
	for (;;) {
		const struct inet_diag_msg *diag;
		const struct rtattr *rta;
		jlong vals[3] = {0, 0, -1};
		ssize_t n = recv(fd, &reply, sizeof(reply), 0);
		int len;

		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		if (!NLMSG_OK(&reply.nlh, (size_t)n))
			return -EPROTO;
		if (reply.nlh.nlmsg_seq != seq)
			continue; /* a late reply to an earlier request */
		if (reply.nlh.nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(&reply.nlh);

			return e->error < 0 ? e->error : -EPROTO;
		}
		if (reply.nlh.nlmsg_type != SOCK_DIAG_BY_FAMILY ||
		    reply.nlh.nlmsg_len < NLMSG_LENGTH(sizeof(*diag)))
			return -EPROTO;
		diag = NLMSG_DATA(&reply.nlh);
		vals[0] = diag->idiag_rqueue;
		len = reply.nlh.nlmsg_len - NLMSG_LENGTH(sizeof(*diag));
		for (rta = (const struct rtattr *)(diag + 1); RTA_OK(rta, len);
		     rta = RTA_NEXT(rta, len)) {
			const __u32 *mem = RTA_DATA(rta);

			if (rta->rta_type != INET_DIAG_SKMEMINFO ||
			    RTA_PAYLOAD(rta) <
				    (SK_MEMINFO_DROPS + 1) * sizeof(__u32))
				continue;
			vals[1] = mem[SK_MEMINFO_RCVBUF];
			vals[2] = mem[SK_MEMINFO_DROPS];
		}
		(*env)->SetLongArrayRegion(env, out, 0, 3, vals);
		return 0;
	}
}

static const JNINativeMethod methods[] = {
	{"open0", "()I", (void *)open0},
	{"close0", "(I)I", (void *)close0},
	{"udp0", "(I[BI[BI[J)I", (void *)udp0},
};
FG_NATIVES(fg_sockdiag_natives, "SockDiag", methods);
