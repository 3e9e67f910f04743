// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * log.c: libbpf's print callback, captured per thread.
 *
 * libbpf reports why a call failed (the verifier log, a missing BTF, a map
 * that cannot be reused) only through its print callback. Each JNI call
 * starts with fg_log_reset(); the callback appends to this thread's buffer;
 * on failure the Java face fetches the text as BpfException.detail.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "fg_jni.h"

/* A verifier log can be megabytes; past this size only the newest half is
 * kept (the verifier names the failing instruction at the end). */
#define FG_LOG_MAX (1u << 20)

static __thread char *log_buf;
static __thread size_t log_len;
static __thread size_t log_cap;

void fg_log_reset(void)
{
	log_len = 0;
	if (log_buf)
		log_buf[0] = '\0';
}

static void log_vappend(const char *fmt, va_list ap)
{
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n <= 0)
		return;
	if ((size_t)n > FG_LOG_MAX / 2)
		n = FG_LOG_MAX / 2;
	if (log_len + n + 1 > FG_LOG_MAX) {
		size_t keep = FG_LOG_MAX / 2;
		size_t drop = log_len > keep ? log_len - keep : 0;

		memmove(log_buf, log_buf + drop, log_len - drop);
		log_len -= drop;
	}
	if (log_len + n + 1 > log_cap) {
		size_t cap = log_cap ? log_cap : 4096;
		char *grown;

		while (cap < log_len + n + 1)
			cap *= 2;
		grown = realloc(log_buf, cap);
		if (!grown)
			return;
		log_buf = grown;
		log_cap = cap;
	}
	vsnprintf(log_buf + log_len, n + 1, fmt, ap);
	log_len += n;
}

void fg_log_append(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vappend(fmt, ap);
	va_end(ap);
}

static int print_cb(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	log_vappend(fmt, ap);
	return 0;
}

void fg_log_install(void)
{
	libbpf_set_print(print_cb);
}

jstring fg_log_take(JNIEnv *env)
{
	jstring s;

	if (!log_len)
		return NULL;
	/* NewStringUTF wants modified UTF-8: keep ASCII only */
	for (size_t i = 0; i < log_len; i++)
		if ((unsigned char)log_buf[i] > 0x7e && log_buf[i] != '\n')
			log_buf[i] = '?';
	s = (*env)->NewStringUTF(env, log_buf);
	fg_log_reset();
	return s;
}
