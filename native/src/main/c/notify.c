// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * notify.c: sd_notify(3) without libsystemd (SystemdNotify): one AF_UNIX
 * datagram to the socket systemd names in $NOTIFY_SOCKET. A leading '@'
 * names an abstract socket (the '@' becomes a NUL byte).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fg_jni.h"

static jint notify0(JNIEnv *env, jclass cls, jstring socket_path, jstring state)
{
	const char *path = fg_str(env, socket_path), *msg = fg_str(env, state);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	size_t plen;
	socklen_t alen;
	jint err = 0;
	int fd = -1;

	if (!path || !msg) {
		err = -EINVAL;
		goto out;
	}
	plen = strlen(path);
	if (plen == 0 || plen >= sizeof(addr.sun_path) ||
	    (path[0] != '/' && path[0] != '@')) {
		err = -EINVAL;
		goto out;
	}
	memcpy(addr.sun_path, path, plen);
	if (path[0] == '@')
		addr.sun_path[0] = '\0';
	/* abstract names are exactly plen bytes long, no trailing NUL */
	alen = offsetof(struct sockaddr_un, sun_path) + plen +
	       (path[0] == '@' ? 0 : 1);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&addr,
		   alen) < 0)
		err = -errno;
out:
	if (fd >= 0)
		close(fd);
	fg_release_str(env, socket_path, path);
	fg_release_str(env, state, msg);
	return err;
}

static const JNINativeMethod methods[] = {
	{"notify0", "(Ljava/lang/String;Ljava/lang/String;)I", (void *)notify0},
};
FG_NATIVES_OF(fg_notify_natives, "dev/flowgate/os/SystemdNotify", methods);
