/* SPDX-License-Identifier: MIT */
/* dnn.h - OpenCV DNN behind an opaque C handle (the one C++ file is src/see/dnn.cpp). */
#ifndef OBSCURA_DNN_H
#define OBSCURA_DNN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OB_DNN_MAX_OUTPUTS 8  /* outputs one forward pass may return */
#define OB_DNN_MAX_DIMS 8     /* dimensions of one output tensor */
#define OB_DNN_MAX_THREADS 64 /* cv::setNumThreads cap */

/* One output tensor.  data is owned by the ob_dnn handle and stays valid
 * until the next ob_dnn_infer() or ob_dnn_free() on that handle. */
struct ob_tensor {
	const float *data;
	int ndim;
	int shape[OB_DNN_MAX_DIMS];
	size_t count; /* product of shape */
};

struct ob_dnn;

/*
 * Loads the ONNX network at path for the CPU backend and target.  threads
 * sets OpenCV's worker count (process-wide in OpenCV: the last call wins);
 * 0 leaves OpenCV's default.  *out is set on success, NULL on error.
 * Errors: OB_ERR_MODEL naming path and OpenCV's message; OB_ERR_NOMEM.
 */
int ob_dnn_open(const char *path, int threads, struct ob_dnn **out);

/*
 * One forward pass on a float32 NCHW blob of n*c*h*w values (borrowed),
 * returning the outputs named in names[0..n_out-1] into outs[], in that
 * order (pointers borrowed from dnn, see struct ob_tensor).
 * Errors: OB_ERR_MODEL (shape mismatch, unknown output name, any
 * cv::Exception, message included), OB_ERR_INTERNAL (other exceptions),
 * OB_ERR_LIMIT (n_out > OB_DNN_MAX_OUTPUTS).
 */
int ob_dnn_infer(struct ob_dnn *dnn, const float *nchw, int n, int c, int h, int w,
		 const char *const *names, size_t n_out, struct ob_tensor *outs);

/* Frees *dnn and sets it to NULL; accepts NULL and *dnn == NULL. */
void ob_dnn_free(struct ob_dnn **dnn);

/* "OpenCV 4.6.0", for `obscura version` and the audit manifest. */
const char *ob_dnn_version(void);

#ifdef __cplusplus
}
#endif

#endif
