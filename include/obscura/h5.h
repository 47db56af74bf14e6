/* SPDX-License-Identifier: MIT */
/* h5.h - the HDF5 plumbing shared by the files Obscura writes and reads
 * back (tracks.h5 and its /analytics group): compound types described once
 * by a table of members, attributes written and read, datasets, and
 * closing any id.
 *
 * Every file type is packed and little-endian, so a file's bytes do not
 * depend on the machine that wrote it; memory types are the C structs.
 */
#ifndef OBSCURA_H5_H
#define OBSCURA_H5_H

#include <hdf5.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OB_H5_DEFLATE 6 /* zlib level of every compressed dataset */

enum ob_h5_type { OB_H5_I64, OB_H5_U64, OB_H5_U32, OB_H5_U16, OB_H5_U8, OB_H5_F32, OB_H5_F64, OB_H5_ENUM };

/* An 8-bit enum: value i is names[i]. */
struct ob_h5_enum {
	const char *const *names;
	unsigned n;
};

struct ob_h5_member {
	const char *name;
	size_t offset;                /* in the C struct */
	enum ob_h5_type type;
	const struct ob_h5_enum *e;   /* OB_H5_ENUM only */
};

/* A 1-D dataset of C structs. */
struct ob_h5_table {
	const char *dataset;          /* "/detections" */
	const struct ob_h5_member *m;
	size_t n;
	size_t size;                  /* of the C struct */
};

/* The member n of a table, the field of struct T, of type t (OB_H5_ENUM: then
 * its struct ob_h5_enum *): OB_H5_MEMBER(struct row, "pts", pts, OB_H5_F64). */
#define OB_H5_MEMBER(T, n, field, ...) { .name = (n), .offset = offsetof(T, field), .type = __VA_ARGS__ }

/* The table of struct T stored as dataset ds, of the members in the array members. */
#define OB_H5_TABLE(ds, members, T) { (ds), (members), sizeof(members) / sizeof((members)[0]), sizeof(T) }

/* A class (enum ob_class) as tracks.h5 and its /analytics group both store it:
 * an 8-bit enum of ob_class_names. */
extern const struct ob_h5_enum ob_h5_class_enum;

/* HDF5 prints its own error stack on stderr by default; Obscura's one line says it all. */
void ob_h5_quiet(void);

/* Closes any HDF5 id (never a predefined type) and sets it to -1; accepts -1. */
void ob_h5_close(hid_t *id);

/* The system's word for a failed write or create, when HDF5 left one in errno. */
const char *ob_h5_io_cause(int e);

hid_t ob_h5_file_base(enum ob_h5_type t);
H5T_class_t ob_h5_type_class(enum ob_h5_type t);

/*
 * The compound type of a table.  file: packed, little-endian.  Otherwise
 * the C struct; enum members then take the matching member's type of from
 * (the file's own enum, so that a newer file's extra values read as their
 * numbers), or ours if from is -1.  -1 on failure.
 */
hid_t ob_h5_compound(const struct ob_h5_table *t, bool file, hid_t from);

/* A fixed-length string type of size bytes; -1 on failure. */
hid_t ob_h5_str_type(size_t size, H5T_str_t pad);

/* Scalar attributes (replacing one of the same name); 0 or -1. */
int ob_h5_put_attr(hid_t loc, const char *name, hid_t ftype, hid_t mtype, const void *value);
int ob_h5_put_i64(hid_t loc, const char *name, int64_t v);
int ob_h5_put_i32(hid_t loc, const char *name, int v);
int ob_h5_put_f64(hid_t loc, const char *name, double v);
/* A variable-length UTF-8 string: h5py reads it as str. */
int ob_h5_put_str(hid_t loc, const char *name, const char *s);
/* A 1-D attribute of n variable-length UTF-8 strings. */
int ob_h5_put_strs(hid_t loc, const char *name, const char *const *s, size_t n);

/* What reading an attribute found; the caller says what is wrong with its file. */
enum { OB_H5_ATTR_OK = 0, OB_H5_ATTR_MISSING = 1, OB_H5_ATTR_MISTYPED = 2 };

/*
 * Scalar attributes of loc read back, each returning one of the above
 * (MISTYPED: another class or shape, unreadable, or too long).
 * get_scalar: of HDF5 class want (H5T_INTEGER, H5T_FLOAT), converted to the
 * memory type mem.  get_f64 leaves *out NAN unless read.  get_str: a
 * variable- or fixed-length string (space padding dropped) of at most max
 * bytes, malloc'd into *out (NULL unless read).
 */
int ob_h5_get_scalar(hid_t loc, const char *name, H5T_class_t want, hid_t mem, void *out);
int ob_h5_get_i64(hid_t loc, const char *name, int64_t *out);
int ob_h5_get_f64(hid_t loc, const char *name, double *out);
int ob_h5_get_str(hid_t loc, const char *name, size_t max, char **out);

/* An empty, extendible, chunked (chunk elements), shuffled and deflated 1-D dataset; -1 on failure. */
hid_t ob_h5_extendible(hid_t loc, const char *name, hid_t ftype, size_t chunk);

/* Appends n elements of buf (memory type mtype) to the 1-D dataset d, which holds *count; 0 or -1. */
int ob_h5_append(hid_t d, hid_t mtype, const void *buf, size_t n, int64_t *count);

/*
 * A whole dataset of rank dims written at once from buf (memory type
 * mtype), deflated when not empty; returns it open (the caller adds
 * attributes and closes it), -1 on failure.
 */
hid_t ob_h5_write(hid_t loc, const char *name, hid_t ftype, hid_t mtype, int rank, const hsize_t *dims,
		  const void *buf);

#endif
