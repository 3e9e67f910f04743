// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * object.c: a BPF object file's life before and at load (BpfObject).
 *
 * open -> set max entries / inner map template / .rodata globals / pin
 * paths -> load (maps created or reused from pins, programs verified) ->
 * program and map fds by name -> close. Handles are struct bpf_object
 * pointers as jlong; every function returns -errno on failure and leaves
 * libbpf's explanation in the thread's log (fg_log_take).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <unistd.h>

#include <bpf/bpf.h>

#include "fg_jni.h"

#define FG_MAX_TEMPLATES 8

/* the handle: the object, and the inner-map templates made for it */
struct fg_object {
	struct bpf_object *obj;
	int templates[FG_MAX_TEMPLATES];
	int ntemplates;
};

#define OBJ(h) (((struct fg_object *)FG_PTR(h))->obj)

static struct bpf_map *find_map(JNIEnv *env, jlong obj, jstring name)
{
	const char *n = fg_str(env, name);
	struct bpf_map *map;

	if (!n)
		return NULL;
	map = bpf_object__find_map_by_name(OBJ(obj), n);
	if (!map)
		fg_log_append("no map named '%s' in the object\n", n);
	fg_release_str(env, name, n);
	return map;
}

static jlong open0(JNIEnv *env, jclass cls, jstring path)
{
	const char *p = fg_str(env, path);
	struct fg_object *h = calloc(1, sizeof(*h));
	int err;

	if (!p || !h) {
		free(h);
		fg_release_str(env, path, p);
		return p ? -ENOMEM : -EINVAL;
	}
	fg_log_reset();
	h->obj = bpf_object__open_file(p, NULL);
	err = h->obj ? 0 : (errno ? -errno : -EINVAL);
	fg_release_str(env, path, p);
	if (err) {
		free(h);
		return err;
	}
	return FG_HANDLE(h);
}

/*
 * The inner-map template of a map of maps, resized to n entries. libbpf 1.1
 * cannot resize its own template (bpf_map__set_max_entries dereferences the
 * template's NULL obj), so a template map of the same type, key, value and
 * flags is created here and handed over with bpf_map__set_inner_map_fd; it is
 * closed once the object is loaded. A template is set once per outer map.
 * The kernel does not compare hash map capacities between the template and
 * what goes into a slot: the size only spares libbpf a full-size temporary
 * map at load.
 */
static int set_template(struct fg_object *h, struct bpf_map *outer, __u32 n)
{
	struct bpf_map *inner = bpf_map__inner_map(outer);
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	int fd, err;

	if (!inner) {
		fg_log_append("map '%s': no inner map template left to size "
			      "(not a map of maps, "
			      "or sized already)\n",
			      bpf_map__name(outer));
		return -EINVAL;
	}
	if (h->ntemplates == FG_MAX_TEMPLATES)
		return -ENOSPC;
	opts.map_flags = bpf_map__map_flags(inner);
	fd = bpf_map_create(bpf_map__type(inner), "fg_inner_tmpl",
			    bpf_map__key_size(inner),
			    bpf_map__value_size(inner), n, &opts);
	if (fd < 0)
		return fd;
	err = bpf_map__set_inner_map_fd(outer, fd);
	if (err) {
		close(fd);
		return err;
	}
	h->templates[h->ntemplates++] = fd;
	return 0;
}

static void close_templates(struct fg_object *h)
{
	while (h->ntemplates > 0)
		close(h->templates[--h->ntemplates]);
}

/* sets the map's capacity, and that of every map-of-maps' inner template
 * still shaped like it (same type, key and value size): so sizing a flow map
 * also sizes the template of the one-slot outer map that points at it */
static jint set_max_entries0(JNIEnv *env, jclass cls, jlong obj, jstring name,
			     jint n)
{
	struct fg_object *h = FG_PTR(obj);
	struct bpf_map *map, *outer, *inner;
	int err;

	fg_log_reset();
	map = find_map(env, obj, name);
	if (!map)
		return -ENOENT;
	err = bpf_map__set_max_entries(map, (__u32)n);
	if (err)
		return err;
	bpf_object__for_each_map(outer, h->obj)
	{
		inner = bpf_map__inner_map(outer);
		if (!inner || bpf_map__type(inner) != bpf_map__type(map) ||
		    bpf_map__key_size(inner) != bpf_map__key_size(map) ||
		    bpf_map__value_size(inner) != bpf_map__value_size(map))
			continue;
		err = set_template(h, outer, (__u32)n);
		if (err)
			return err;
	}
	return 0;
}

static jint set_inner_max_entries0(JNIEnv *env, jclass cls, jlong obj,
				   jstring name, jint n)
{
	struct bpf_map *map;

	fg_log_reset();
	map = find_map(env, obj, name);
	if (!map)
		return -ENOENT;
	return set_template(FG_PTR(obj), map, (__u32)n);
}

/* the internal map (.rodata/.data/.bss) whose BTF section holds var name:
 * its map, and the variable's offset and size inside it */
static struct bpf_map *find_global(struct bpf_object *obj, const char *name,
				   __u32 *off, __u32 *size)
{
	static const char *const sections[] = {".rodata", ".data", ".bss"};
	struct btf *btf = bpf_object__btf(obj);

	if (!btf)
		return NULL;
	for (size_t s = 0; s < sizeof(sections) / sizeof(sections[0]); s++) {
		int id = btf__find_by_name_kind(btf, sections[s],
						BTF_KIND_DATASEC);
		const struct btf_var_secinfo *vsi;
		const struct btf_type *sec;
		struct bpf_map *map;

		if (id < 0)
			continue;
		sec = btf__type_by_id(btf, id);
		vsi = btf_var_secinfos(sec);
		for (int i = 0; i < btf_vlen(sec); i++, vsi++) {
			const struct btf_type *var =
				btf__type_by_id(btf, vsi->type);

			if (strcmp(btf__name_by_offset(btf, var->name_off),
				   name))
				continue;
			/* libbpf names internal maps <obj prefix><section> */
			bpf_object__for_each_map(map, obj)
			{
				const char *mn = bpf_map__name(map);
				size_t ml = strlen(mn),
				       sl = strlen(sections[s]);

				if (bpf_map__is_internal(map) && ml >= sl &&
				    !strcmp(mn + ml - sl, sections[s])) {
					*off = vsi->offset;
					*size = vsi->size;
					return map;
				}
			}
		}
	}
	return NULL;
}

static jint set_global0(JNIEnv *env, jclass cls, jlong obj, jstring name,
			jlong value)
{
	const char *n = fg_str(env, name);
	struct bpf_map *map;
	__u32 off = 0, size = 0;
	const void *init;
	size_t init_sz;
	char *copy;
	int err;

	if (!n)
		return -EINVAL;
	fg_log_reset();
	map = find_global(OBJ(obj), n, &off, &size);
	if (!map) {
		fg_log_append("no global variable '%s' in .rodata/.data/.bss\n",
			      n);
		fg_release_str(env, name, n);
		return -ENOENT;
	}
	fg_release_str(env, name, n);
	if (size != 1 && size != 2 && size != 4 && size != 8) {
		fg_log_append(
			"global is %u bytes: only 1, 2, 4 or 8 can be set\n",
			size);
		return -EINVAL;
	}
	init = bpf_map__initial_value(map, &init_sz);
	if (!init || off + size > init_sz)
		return -EINVAL;
	copy = malloc(init_sz);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, init, init_sz);
	/* BPF targets are little-endian here, like the host (x86-64, arm64) */
	memcpy(copy + off, &value, size);
	err = bpf_map__set_initial_value(map, copy, init_sz);
	free(copy);
	return err;
}

static jint pin_maps_under0(JNIEnv *env, jclass cls, jlong obj, jstring dir)
{
	const char *d = fg_str(env, dir);
	struct bpf_map *map;
	char path[PATH_MAX];
	int err = 0;

	if (!d)
		return -EINVAL;
	fg_log_reset();
	bpf_object__for_each_map(map, OBJ(obj))
	{
		if (bpf_map__is_internal(map))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", d,
			     bpf_map__name(map)) >= (int)sizeof(path)) {
			err = -ENAMETOOLONG;
			break;
		}
		err = bpf_map__set_pin_path(map, path);
		if (err)
			break;
	}
	fg_release_str(env, dir, d);
	return err;
}

static jint load0(JNIEnv *env, jclass cls, jlong obj)
{
	struct fg_object *h = FG_PTR(obj);
	int err;

	fg_log_reset();
	err = bpf_object__load(h->obj);
	/* the outer maps hold their own copy of the template's shape now */
	close_templates(h);
	return err;
}

static jint program_fd0(JNIEnv *env, jclass cls, jlong obj, jstring name)
{
	const char *n = fg_str(env, name);
	struct bpf_program *prog;
	int fd;

	if (!n)
		return -EINVAL;
	fg_log_reset();
	prog = bpf_object__find_program_by_name(OBJ(obj), n);
	if (!prog)
		fg_log_append("no program named '%s' in the object\n", n);
	fg_release_str(env, name, n);
	if (!prog)
		return -ENOENT;
	fd = bpf_program__fd(prog);
	return fd >= 0 ? fd : -EBADF; /* not loaded yet */
}

static jint map_fd0(JNIEnv *env, jclass cls, jlong obj, jstring name)
{
	struct bpf_map *map;
	int fd;

	fg_log_reset();
	map = find_map(env, obj, name);
	if (!map)
		return -ENOENT;
	fd = bpf_map__fd(map);
	return fd >= 0 ? fd : -EBADF;
}

static jobjectArray names0(JNIEnv *env, jclass cls, jlong obj, jboolean maps)
{
	struct bpf_object *o = OBJ(obj);
	jclass string = (*env)->FindClass(env, "java/lang/String");
	struct bpf_program *prog;
	struct bpf_map *map;
	jobjectArray out;
	int n = 0, i = 0;

	if (!string)
		return NULL;
	if (maps)
		bpf_object__for_each_map(map, o) n +=
			!bpf_map__is_internal(map);
	else
		bpf_object__for_each_program(prog, o) n++;
	out = (*env)->NewObjectArray(env, n, string, NULL);
	if (!out)
		return NULL;
	if (maps) {
		bpf_object__for_each_map(map, o)
		{
			if (bpf_map__is_internal(map))
				continue;
			(*env)->SetObjectArrayElement(
				env, out, i++,
				(*env)->NewStringUTF(env, bpf_map__name(map)));
		}
	} else {
		bpf_object__for_each_program(prog, o)
		{
			(*env)->SetObjectArrayElement(
				env, out, i++,
				(*env)->NewStringUTF(env,
						     bpf_program__name(prog)));
		}
	}
	return out;
}

static void close0(JNIEnv *env, jclass cls, jlong obj)
{
	struct fg_object *h = FG_PTR(obj);

	close_templates(h);
	bpf_object__close(h->obj);
	free(h);
}

static const JNINativeMethod methods[] = {
	{"open0", "(Ljava/lang/String;)J", (void *)open0},
	{"setMaxEntries0", "(JLjava/lang/String;I)I", (void *)set_max_entries0},
	{"setInnerMaxEntries0", "(JLjava/lang/String;I)I",
	 (void *)set_inner_max_entries0},
	{"setGlobal0", "(JLjava/lang/String;J)I", (void *)set_global0},
	{"pinMapsUnder0", "(JLjava/lang/String;)I", (void *)pin_maps_under0},
	{"load0", "(J)I", (void *)load0},
	{"programFd0", "(JLjava/lang/String;)I", (void *)program_fd0},
	{"mapFd0", "(JLjava/lang/String;)I", (void *)map_fd0},
	{"names0", "(JZ)[Ljava/lang/String;", (void *)names0},
	{"close0", "(J)V", (void *)close0},
};
FG_NATIVES(fg_object_natives, "BpfObject", methods);
