// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * btf.c: a struct's or enum's layout as an object file's BTF records it
 * (ObjectBtf), so a test can hold the Java mirror (Layout) against what
 * the compiler really produced.
 *
 * The description is text, one item per line:
 *   struct: "struct <size>" then "<member> <offset> <size>" per member
 *   enum:   "enum <size>"   then "<name> <value>" per enumerator
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "fg_jni.h"

static char *describe(const struct btf *btf, int id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	size_t cap = 256 + (size_t)btf_vlen(t) * 80;
	char *text = malloc(cap);
	size_t len = 0;

	if (!text)
		return NULL;
	if (btf_is_struct(t) || btf_is_union(t)) {
		const struct btf_member *m = btf_members(t);

		len += snprintf(text + len, cap - len, "struct %u\n", t->size);
		for (int i = 0; i < btf_vlen(t); i++, m++)
			len += snprintf(
				text + len, cap - len, "%.40s %u %lld\n",
				btf__name_by_offset(btf, m->name_off),
				btf_member_bit_offset(t, i) / 8,
				(long long)btf__resolve_size(btf, m->type));
	} else {
		const struct btf_enum *e = btf_enum(t);

		len += snprintf(text + len, cap - len, "enum %u\n", t->size);
		for (int i = 0; i < btf_vlen(t); i++, e++)
			len += snprintf(text + len, cap - len, "%.40s %d\n",
					btf__name_by_offset(btf, e->name_off),
					e->val);
	}
	return text;
}

/* err[0] = -errno when null is returned (ENOENT: no such type) */
static jstring describe0(JNIEnv *env, jclass cls, jstring path, jstring name,
			 jboolean is_enum, jintArray err_out)
{
	const char *p = fg_str(env, path), *n = fg_str(env, name);
	struct btf *btf = NULL;
	jstring result = NULL;
	jint err = 0;
	char *text;
	int id;

	fg_log_reset();
	if (!p || !n) {
		err = -EINVAL;
		goto out;
	}
	btf = btf__parse_elf(p, NULL);
	if (!btf) {
		err = -errno;
		goto out;
	}
	id = btf__find_by_name_kind(btf, n,
				    is_enum ? BTF_KIND_ENUM : BTF_KIND_STRUCT);
	if (id < 0) {
		err = -ENOENT;
		goto out;
	}
	text = describe(btf, id);
	if (!text) {
		err = -ENOMEM;
		goto out;
	}
	result = (*env)->NewStringUTF(env, text);
	free(text);
out:
	btf__free(btf);
	fg_release_str(env, path, p);
	fg_release_str(env, name, n);
	(*env)->SetIntArrayRegion(env, err_out, 0, 1, &err);
	return result;
}

static const JNINativeMethod methods[] = {
	{"describe0",
	 "(Ljava/lang/String;Ljava/lang/String;Z[I)Ljava/lang/String;",
	 (void *)describe0},
};
FG_NATIVES(fg_btf_natives, "ObjectBtf", methods);
