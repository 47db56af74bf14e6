/* SPDX-License-Identifier: MIT */
/* h5.c - the HDF5 plumbing shared by the files Obscura writes and reads back. */
#include "obscura/h5.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "obscura/class.h"
#include "obscura/banned.h"

const struct ob_h5_enum ob_h5_class_enum = { ob_class_names, OB_CLASS_COUNT };

void ob_h5_quiet(void)
{
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

void ob_h5_close(hid_t *id)
{
	if (*id < 0)
		return;
	switch (H5Iget_type(*id)) {
	case H5I_FILE: H5Fclose(*id); break;
	case H5I_GROUP: H5Gclose(*id); break;
	case H5I_DATATYPE: H5Tclose(*id); break;
	case H5I_DATASPACE: H5Sclose(*id); break;
	case H5I_DATASET: H5Dclose(*id); break;
	case H5I_ATTR: H5Aclose(*id); break;
	case H5I_GENPROP_LST: H5Pclose(*id); break;
	default: break;
	}
	*id = -1;
}

const char *ob_h5_io_cause(int e)
{
	switch (e) {
	case ENOENT: case ENOTDIR: case EACCES: case EPERM: case EROFS: case ENOSPC: case EDQUOT:
	case EIO: case EFBIG: case EISDIR: case ENAMETOOLONG: case ELOOP: case EMFILE: case ENFILE:
		return strerror(e);
	default:
		return "HDF5 library error";
	}
}

hid_t ob_h5_file_base(enum ob_h5_type t)
{
	switch (t) {
	case OB_H5_I64: return H5T_STD_I64LE;
	case OB_H5_U64: return H5T_STD_U64LE;
	case OB_H5_U32: return H5T_STD_U32LE;
	case OB_H5_U16: return H5T_STD_U16LE;
	case OB_H5_F32: return H5T_IEEE_F32LE;
	case OB_H5_F64: return H5T_IEEE_F64LE;
	default: return H5T_STD_U8LE;
	}
}

static hid_t mem_base(enum ob_h5_type t)
{
	switch (t) {
	case OB_H5_I64: return H5T_NATIVE_INT64;
	case OB_H5_U64: return H5T_NATIVE_UINT64;
	case OB_H5_U32: return H5T_NATIVE_UINT32;
	case OB_H5_U16: return H5T_NATIVE_UINT16;
	case OB_H5_F32: return H5T_NATIVE_FLOAT;
	case OB_H5_F64: return H5T_NATIVE_DOUBLE;
	default: return H5T_NATIVE_UINT8;
	}
}

H5T_class_t ob_h5_type_class(enum ob_h5_type t)
{
	switch (t) {
	case OB_H5_F32: case OB_H5_F64: return H5T_FLOAT;
	case OB_H5_ENUM: return H5T_ENUM;
	default: return H5T_INTEGER;
	}
}

static hid_t make_enum(const struct ob_h5_enum *en, bool file)
{
	hid_t e = H5Tenum_create(file ? H5T_STD_U8LE : H5T_NATIVE_UINT8);

	if (e < 0)
		return -1;
	for (unsigned i = 0; i < en->n; i++) {
		uint8_t v = (uint8_t)i;

		if (H5Tenum_insert(e, en->names[i], &v) < 0) {
			H5Tclose(e);
			return -1;
		}
	}
	return e;
}

hid_t ob_h5_compound(const struct ob_h5_table *t, bool file, hid_t from)
{
	size_t size = t->size, off = 0;
	hid_t c = -1;

	if (file) {
		size = 0;
		for (size_t i = 0; i < t->n; i++)
			size += H5Tget_size(ob_h5_file_base(t->m[i].type));
	}
	c = H5Tcreate(H5T_COMPOUND, size);
	if (c < 0)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		const struct ob_h5_member *m = &t->m[i];
		hid_t mt = -1;
		herr_t r;

		if (m->type == OB_H5_ENUM) {
			if (from >= 0) {
				hid_t ft = H5Tget_member_type(from, (unsigned)H5Tget_member_index(from, m->name));

				mt = ft < 0 ? -1 : H5Tget_native_type(ft, H5T_DIR_ASCEND);
				ob_h5_close(&ft);
			} else {
				mt = make_enum(m->e, file);
			}
			if (mt < 0)
				goto fail;
		}
		r = H5Tinsert(c, m->name, file ? off : m->offset,
			      mt >= 0 ? mt : file ? ob_h5_file_base(m->type) : mem_base(m->type));
		ob_h5_close(&mt);
		if (r < 0)
			goto fail;
		off += H5Tget_size(ob_h5_file_base(m->type));
	}
	return c;
fail:
	ob_h5_close(&c);
	return -1;
}

hid_t ob_h5_str_type(size_t size, H5T_str_t pad)
{
	hid_t s = H5Tcopy(H5T_C_S1);

	if (s >= 0 && (H5Tset_size(s, size) < 0 || H5Tset_strpad(s, pad) < 0))
		ob_h5_close(&s);
	return s;
}

/* A variable-length string type of character set cset: what h5py reads as
 * str, written as UTF-8 and read back in whatever set the file says. */
static hid_t vlen_str_type(H5T_cset_t cset)
{
	hid_t t = H5Tcopy(H5T_C_S1);

	if (t >= 0 && (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, cset) < 0))
		ob_h5_close(&t);
	return t;
}

/* Writes value (memory type mtype) as the attribute name of loc, of file type
 * ftype and shape space, replacing one of that name (a rerun's): the one
 * writer behind every attribute, scalar or list.  empty: nothing to write. */
static int put_shaped(hid_t loc, const char *name, hid_t ftype, hid_t mtype, hid_t space, const void *value,
		      bool empty)
{
	hid_t a = -1;
	int ret = -1;

	if (ftype < 0 || space < 0)
		return -1;
	if (H5Aexists(loc, name) > 0)
		H5Adelete(loc, name);
	a = H5Acreate2(loc, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
	if (a >= 0 && (empty || H5Awrite(a, mtype, value) >= 0))
		ret = 0;
	ob_h5_close(&a);
	return ret;
}

int ob_h5_put_attr(hid_t loc, const char *name, hid_t ftype, hid_t mtype, const void *value)
{
	hid_t space = H5Screate(H5S_SCALAR);
	int ret = put_shaped(loc, name, ftype, mtype, space, value, false);

	ob_h5_close(&space);
	return ret;
}

int ob_h5_put_i64(hid_t loc, const char *name, int64_t v)
{
	return ob_h5_put_attr(loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &v);
}

int ob_h5_put_i32(hid_t loc, const char *name, int v)
{
	int32_t x = v;

	return ob_h5_put_attr(loc, name, H5T_STD_I32LE, H5T_NATIVE_INT32, &x);
}

int ob_h5_put_f64(hid_t loc, const char *name, double v)
{
	return ob_h5_put_attr(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
}

int ob_h5_put_str(hid_t loc, const char *name, const char *s)
{
	hid_t t = vlen_str_type(H5T_CSET_UTF8);
	int ret = t >= 0 ? ob_h5_put_attr(loc, name, t, t, &s) : -1;

	ob_h5_close(&t);
	return ret;
}

int ob_h5_put_strs(hid_t loc, const char *name, const char *const *s, size_t n)
{
	hsize_t dims = n;
	hid_t t = vlen_str_type(H5T_CSET_UTF8), space = H5Screate_simple(1, &dims, NULL);
	int ret = put_shaped(loc, name, t, t, space, s, n == 0);

	ob_h5_close(&space);
	ob_h5_close(&t);
	return ret;
}

hid_t ob_h5_extendible(hid_t loc, const char *name, hid_t ftype, size_t chunk)
{
	hsize_t dims = 0, maxdims = H5S_UNLIMITED, ch = chunk;
	hid_t space = H5Screate_simple(1, &dims, &maxdims), dcpl = H5Pcreate(H5P_DATASET_CREATE);
	hid_t d = -1;

	if (space >= 0 && dcpl >= 0 && H5Pset_chunk(dcpl, 1, &ch) >= 0 && H5Pset_shuffle(dcpl) >= 0 &&
	    H5Pset_deflate(dcpl, OB_H5_DEFLATE) >= 0 && H5Pset_obj_track_times(dcpl, 0) >= 0)
		d = H5Dcreate2(loc, name, ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
	ob_h5_close(&space);
	ob_h5_close(&dcpl);
	return d;
}

int ob_h5_append(hid_t d, hid_t mtype, const void *buf, size_t n, int64_t *count)
{
	hsize_t start = (hsize_t)*count, cnt = n, size = start + cnt;
	hid_t fs = -1, ms = -1;
	int ret = -1;

	if (n == 0)
		return 0;
	if (H5Dset_extent(d, &size) < 0)
		return -1;
	fs = H5Dget_space(d);
	ms = H5Screate_simple(1, &cnt, NULL);
	if (fs >= 0 && ms >= 0 && H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &cnt, NULL) >= 0 &&
	    H5Dwrite(d, mtype, ms, fs, H5P_DEFAULT, buf) >= 0) {
		*count = (int64_t)size;
		ret = 0;
	}
	ob_h5_close(&fs);
	ob_h5_close(&ms);
	return ret;
}

#define CHUNK_ELEMENTS 65536 /* a chunk of a whole-array dataset holds at most this many */

hid_t ob_h5_write(hid_t loc, const char *name, hid_t ftype, hid_t mtype, int rank, const hsize_t *dims,
		  const void *buf)
{
	hsize_t chunk[H5S_MAX_RANK];
	hid_t space = H5Screate_simple(rank, dims, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
	hid_t d = -1;
	hsize_t total = 1;
	bool ok = space >= 0 && dcpl >= 0 && rank > 0 && rank <= H5S_MAX_RANK &&
		  H5Pset_obj_track_times(dcpl, 0) >= 0;

	for (int i = 0; ok && i < rank; i++)
		total *= dims[i];
	/* Deflate needs chunks; an empty dataset has nothing to compress. */
	if (ok && total > 0) {
		hsize_t left = CHUNK_ELEMENTS;

		for (int i = rank - 1; i >= 0; i--) {
			chunk[i] = dims[i] < left ? dims[i] : left;
			if (chunk[i] == 0)
				chunk[i] = 1;
			left = left / chunk[i] ? left / chunk[i] : 1;
		}
		ok = H5Pset_chunk(dcpl, rank, chunk) >= 0 && H5Pset_shuffle(dcpl) >= 0 &&
		     H5Pset_deflate(dcpl, OB_H5_DEFLATE) >= 0;
	}
	if (ok)
		d = H5Dcreate2(loc, name, ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
	if (d >= 0 && total > 0 && H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
		ob_h5_close(&d);
	ob_h5_close(&space);
	ob_h5_close(&dcpl);
	return d;
}

/* ---- reading attributes back ---- */

/* Opens the attribute name of loc if it holds one value of HDF5 class want,
 * leaving it in *a and its type in *t (both -1 otherwise): what both readers
 * check before they read. */
static int open_single(hid_t loc, const char *name, H5T_class_t want, hid_t *a, hid_t *t)
{
	hid_t s = -1;
	int ret = OB_H5_ATTR_MISTYPED;

	*a = *t = -1;
	if (H5Aexists(loc, name) <= 0)
		return OB_H5_ATTR_MISSING;
	*a = H5Aopen(loc, name, H5P_DEFAULT);
	*t = *a >= 0 ? H5Aget_type(*a) : -1;
	s = *a >= 0 ? H5Aget_space(*a) : -1;
	if (*t >= 0 && s >= 0 && H5Tget_class(*t) == want && H5Sget_simple_extent_npoints(s) == 1)
		ret = OB_H5_ATTR_OK;
	ob_h5_close(&s);
	if (ret) {
		ob_h5_close(t);
		ob_h5_close(a);
	}
	return ret;
}

/* A scalar string attribute (variable- or fixed-length) into a malloc'd string of at most max bytes. */
int ob_h5_get_str(hid_t loc, const char *name, size_t max, char **out)
{
	hid_t a, t, m = -1;
	char *v = NULL;
	int ret;

	*out = NULL;
	ret = open_single(loc, name, H5T_STRING, &a, &t);
	if (ret)
		return ret;
	ret = OB_H5_ATTR_MISTYPED;
	if (H5Tis_variable_str(t) > 0) {
		char *p = NULL;

		m = vlen_str_type(H5Tget_cset(t));
		if (m < 0 || H5Aread(a, m, &p) < 0)
			goto out;
		if (p && strlen(p) <= max)
			v = strdup(p);
		else if (!p)
			v = strdup("");
		H5free_memory(p);
		if (!v)
			goto out;
	} else {
		size_t size = H5Tget_size(t);

		if (size == 0 || size > max)
			goto out;
		v = calloc(1, size + 1);
		m = H5Tcopy(t);
		if (!v || m < 0 || H5Aread(a, m, v) < 0)
			goto out;
		if (H5Tget_strpad(t) == H5T_STR_SPACEPAD)
			while (size > 0 && v[size - 1] == ' ')
				v[--size] = '\0';
	}
	*out = v;
	v = NULL;
	ret = OB_H5_ATTR_OK;
out:
	free(v);
	ob_h5_close(&m);
	ob_h5_close(&t);
	ob_h5_close(&a);
	return ret;
}

/* A scalar attribute of HDF5 class want (integer or float), read as mem. */
int ob_h5_get_scalar(hid_t loc, const char *name, H5T_class_t want, hid_t mem, void *out)
{
	hid_t a, t;
	int ret = open_single(loc, name, want, &a, &t);

	if (!ret && H5Aread(a, mem, out) < 0)
		ret = OB_H5_ATTR_MISTYPED;
	ob_h5_close(&t);
	ob_h5_close(&a);
	return ret;
}

int ob_h5_get_i64(hid_t loc, const char *name, int64_t *out)
{
	return ob_h5_get_scalar(loc, name, H5T_INTEGER, H5T_NATIVE_INT64, out);
}

/* NAN unless read: a reader can tell an attribute a file lacks from any value. */
int ob_h5_get_f64(hid_t loc, const char *name, double *out)
{
	*out = NAN;
	return ob_h5_get_scalar(loc, name, H5T_FLOAT, H5T_NATIVE_DOUBLE, out);
}
