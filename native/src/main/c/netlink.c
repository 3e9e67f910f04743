// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * netlink.c: the interfaces of the caller's network namespace from rtnetlink
 * (dev.flowgate.netlink.Rtnetlink), never /sys/class/net (which shows the
 * mount namespace's view).
 *
 * dump0 sends one RTM_GETLINK dump request and writes one struct
 * fg_link_rec per link into a direct buffer. openMonitor0 opens a socket
 * joined to RTMGRP_LINK; read0 blocks in poll(2) on it and on a wake eventfd
 * (no timeout: the thread sleeps until the kernel or close() wakes it), then
 * drains every queued RTM_NEWLINK/RTM_DELLINK into records. A record says
 * what the interface-name options and the attach need (index, name, type,
 * MTU, up) and, for an 802.1Q/802.1ad device (IFLA_INFO_KIND "vlan"), its
 * parent (IFLA_LINK) and VID (IFLA_VLAN_ID): the control plane's map of VLAN
 * devices (fg_vlan_devs). walk0 parses a caller's buffer of messages, so the
 * parse is tested with crafted ones. Every call
 * returns a count or -errno: -ENOBUFS when the kernel dropped notifications
 * (the caller dumps again), -ENOSPC when the buffer is too small for a dump,
 * -ECANCELED when woken through the eventfd.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include "fg_jni.h"

/* one link as Java reads it (Rtnetlink.RECORD_SIZE), little-endian host */
struct fg_link_rec {
	__s32 ifindex;
	__u32 flags; /* IFF_* of ifinfomsg.ifi_flags */
	__u32 mtu; /* IFLA_MTU, 0 if absent */
	__u16 type; /* ARPHRD_* of ifinfomsg.ifi_type */
	__u8 event; /* FG_LINK_NEW or FG_LINK_DEL */
	__u8 pad;
	char name[IFNAMSIZ]; /* IFLA_IFNAME, NUL-terminated */
	__s32 link; /* IFLA_LINK in this namespace; 0 if absent, or if
		     * IFLA_LINK_NETNSID says it is another namespace's */
	__u16 vlan_id; /* IFLA_VLAN_ID, with FG_LINK_VLAN */
	__u8 kind; /* FG_LINK_VLAN: kind "vlan" with an IFLA_VLAN_ID */
	__u8 pad2;
};
_Static_assert(sizeof(struct fg_link_rec) == 40, "fg_link_rec is 40 bytes");

#define FG_LINK_REC 40
#define FG_LINK_NEW 1
#define FG_LINK_DEL 2
#define FG_LINK_VLAN 1
#define FG_NL_BUF 32768

/* IFLA_LINKINFO's payload: a VLAN device's VID into *rec (kind and vlan_id);
 * anything else, or a cut attribute, leaves rec as it is. Nests are read
 * with or without NLA_F_NESTED (the kernel sends these without). */
static void fg_linkinfo_parse(const struct rtattr *info,
			      struct fg_link_rec *rec)
{
	const struct rtattr *rta, *data = NULL;
	int len = RTA_PAYLOAD(info), vlan = 0;

	for (rta = RTA_DATA(info); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		int type = rta->rta_type & NLA_TYPE_MASK;

		if (type == IFLA_INFO_KIND) {
			const char *k = RTA_DATA(rta);
			size_t n = RTA_PAYLOAD(rta);

			/* "vlan", NUL-terminated or not */
			vlan = (n == 4 || (n > 4 && k[4] == '\0')) &&
			       memcmp(k, "vlan", 4) == 0;
		} else if (type == IFLA_INFO_DATA) {
			data = rta;
		}
	}
	if (!vlan || !data)
		return;
	len = RTA_PAYLOAD(data);
	for (rta = RTA_DATA(data); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if ((rta->rta_type & NLA_TYPE_MASK) == IFLA_VLAN_ID &&
		    RTA_PAYLOAD(rta) >= sizeof(__u16)) {
			memcpy(&rec->vlan_id, RTA_DATA(rta), sizeof(__u16));
			rec->kind = FG_LINK_VLAN;
		}
	}
}

/* one RTM_NEWLINK/RTM_DELLINK message into *rec; 0 if it is not one */
static int fg_link_parse(const struct nlmsghdr *nh, struct fg_link_rec *rec)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	const struct rtattr *rta;
	int len, other_netns = 0;

	if (nh->nlmsg_type != RTM_NEWLINK && nh->nlmsg_type != RTM_DELLINK)
		return 0;
	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return 0;
	memset(rec, 0, sizeof(*rec));
	rec->ifindex = ifi->ifi_index;
	rec->flags = ifi->ifi_flags;
	rec->type = ifi->ifi_type;
	rec->event = nh->nlmsg_type == RTM_NEWLINK ? FG_LINK_NEW : FG_LINK_DEL;
	len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));
	for (rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == IFLA_IFNAME) {
			size_t n = RTA_PAYLOAD(rta);

			if (n >= IFNAMSIZ)
				n = IFNAMSIZ - 1;
			memcpy(rec->name, RTA_DATA(rta), n);
			rec->name[IFNAMSIZ - 1] = '\0';
		} else if (rta->rta_type == IFLA_MTU &&
			   RTA_PAYLOAD(rta) >= sizeof(__u32)) {
			memcpy(&rec->mtu, RTA_DATA(rta), sizeof(__u32));
		} else if (rta->rta_type == IFLA_LINK &&
			   RTA_PAYLOAD(rta) >= sizeof(__s32)) {
			memcpy(&rec->link, RTA_DATA(rta), sizeof(__s32));
		} else if (rta->rta_type == IFLA_LINK_NETNSID) {
			other_netns = 1;
		} else if ((rta->rta_type & NLA_TYPE_MASK) == IFLA_LINKINFO) {
			fg_linkinfo_parse(rta, rec);
		}
	}
	if (other_netns)
		rec->link = 0;
	return 1;
}

/* walks one datagram; returns records written or -ENOSPC; *done when the
 * dump's NLMSG_DONE came, -errno of an NLMSG_ERROR in *err */
static int fg_link_walk(char *buf, int n, struct fg_link_rec *out, int room,
			int *done, int *err)
{
	struct nlmsghdr *nh;
	int count = 0;

	for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, n);
	     nh = NLMSG_NEXT(nh, n)) {
		if (nh->nlmsg_type == NLMSG_DONE) {
			*done = 1;
			break;
		}
		if (nh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nh);

			*err = e->error;
			*done = 1;
			break;
		}
		if (count >= room)
			return -ENOSPC;
		count += fg_link_parse(nh, &out[count]);
	}
	return count;
}

static jint dump0(JNIEnv *env, jclass cls, jobject buf, jint room)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
		.nh.nlmsg_type = RTM_GETLINK,
		.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.nh.nlmsg_seq = 1,
		.ifi.ifi_family = AF_UNSPEC,
	};
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	struct fg_link_rec *out =
		fg_direct(env, buf, 0, (jlong)room * FG_LINK_REC);
	static __thread char rx[FG_NL_BUF];
	int fd, count = 0, done = 0, err = 0, n, got;

	if (!out || room < 0)
		return -EINVAL;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0) {
		count = -errno;
		goto out;
	}
	while (!done) {
		n = recv(fd, rx, sizeof(rx), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			count = -errno;
			goto out;
		}
		if (n == 0)
			break;
		got = fg_link_walk(rx, n, out + count, room - count, &done,
				   &err);
		if (got < 0) {
			count = got;
			goto out;
		}
		count += got;
	}
	if (err)
		count = err;
out:
	close(fd);
	return count;
}

static jint open_monitor0(JNIEnv *env, jclass cls)
{
	struct sockaddr_nl addr = {.nl_family = AF_NETLINK,
				   .nl_groups = RTMGRP_LINK};
	int fd, rcvbuf = 1 << 20;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	/* a burst of hot-plugs fits; an overrun is reported as ENOBUFS */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static jint open_wake0(JNIEnv *env, jclass cls)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	return fd < 0 ? -errno : fd;
}

static jint wake0(JNIEnv *env, jclass cls, jint wakefd)
{
	__u64 one = 1;

	return write(wakefd, &one, sizeof(one)) < 0 ? -errno : 0;
}

static jint read0(JNIEnv *env, jclass cls, jint fd, jint wakefd, jobject buf,
		  jint room)
{
	struct pollfd fds[2] = {{.fd = fd, .events = POLLIN},
				{.fd = wakefd, .events = POLLIN}};
	struct fg_link_rec *out =
		fg_direct(env, buf, 0, (jlong)room * FG_LINK_REC);
	static __thread char rx[FG_NL_BUF];
	int count = 0, done = 0, err = 0, n, got;

	if (!out || room <= 0)
		return -EINVAL;
	while (poll(fds, 2, -1) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	if (fds[1].revents)
		return -ECANCELED;
	/* drain what is queued, as long as the records fit */
	while (room - count > FG_NL_BUF / NLMSG_LENGTH(sizeof(struct ifinfomsg))) {
		n = recv(fd, rx, sizeof(rx), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return -errno;
		}
		got = fg_link_walk(rx, n, out + count, room - count, &done,
				   &err);
		if (got < 0)
			return got;
		count += got;
	}
	return count;
}

/* parses len bytes of netlink messages at msgs (one datagram as the kernel
 * would send it) into records: the parse of dump0 and read0, for tests */
static jint walk0(JNIEnv *env, jclass cls, jobject msgs, jint len, jobject buf,
		  jint room)
{
	struct fg_link_rec *out =
		fg_direct(env, buf, 0, (jlong)room * FG_LINK_REC);
	char *in = fg_direct(env, msgs, 0, len);
	int done = 0, err = 0, got;

	if (!out || !in || room <= 0 || len < 0)
		return -EINVAL;
	got = fg_link_walk(in, len, out, room, &done, &err);
	return got < 0 ? got : err ? err : got;
}

static jint close0(JNIEnv *env, jclass cls, jint fd)
{
	return close(fd) ? -errno : 0;
}

static const JNINativeMethod methods[] = {
	{"dump0", "(Ljava/nio/ByteBuffer;I)I", (void *)dump0},
	{"openMonitor0", "()I", (void *)open_monitor0},
	{"openWake0", "()I", (void *)open_wake0},
	{"wake0", "(I)I", (void *)wake0},
	{"read0", "(IILjava/nio/ByteBuffer;I)I", (void *)read0},
	{"walk0", "(Ljava/nio/ByteBuffer;ILjava/nio/ByteBuffer;I)I", (void *)walk0},
	{"close0", "(I)I", (void *)close0},
};
const struct fg_natives fg_netlink_natives = {
	"dev/flowgate/netlink/Rtnetlink", methods,
	sizeof(methods) / sizeof(methods[0])};
