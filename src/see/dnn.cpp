/* SPDX-License-Identifier: MIT */
// dnn.cpp - the OpenCV DNN shim: the project's one C++ file, a C API over cv::dnn::Net.
//
// Every entry point catches every exception: nothing C++ ever crosses into C.
// cv::Exception becomes OB_ERR_MODEL with OpenCV's own message (err, not the
// multi-line what()), std::bad_alloc OB_ERR_NOMEM, anything else OB_ERR_INTERNAL.
#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/dnn.hpp>

#include <cstring>
#include <new>
#include <string>
#include <vector>

extern "C" {
#include "obscura/dnn.h"
#include "obscura/error.h"
}
#include "obscura/banned.h" // macros only: works in C++ as in C

struct ob_dnn {
	cv::dnn::Net net;
	std::string path;
	std::vector<cv::Mat> outs; // storage behind the ob_tensor pointers
};

static int cv_error(const char *path, const char *what, const cv::Exception &e)
{
	return ob_err(OB_ERR_MODEL, "%s: %s: %s", path, what, e.err.c_str());
}

extern "C" int ob_dnn_open(const char *path, int threads, struct ob_dnn **out)
{
	*out = nullptr;
	if (threads < 0 || threads > OB_DNN_MAX_THREADS)
		return ob_err(OB_ERR_LIMIT, "%s: %d threads: must be 0..%d", path, threads,
			      OB_DNN_MAX_THREADS);
	try {
		// OpenCV logs to stderr by default; its errors reach the user through ob_err().
		cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
		if (threads > 0)
			cv::setNumThreads(threads);
		ob_dnn *d = new ob_dnn;
		d->path = path;
		try {
			d->net = cv::dnn::readNetFromONNX(path);
			if (d->net.empty()) {
				delete d;
				return ob_err(OB_ERR_MODEL, "%s: OpenCV read an empty network", path);
			}
			d->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
			d->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
		} catch (...) {
			delete d;
			throw;
		}
		*out = d;
		return 0;
	} catch (const cv::Exception &e) {
		return cv_error(path, "cannot load ONNX model", e);
	} catch (const std::bad_alloc &) {
		return ob_err(OB_ERR_NOMEM, "%s: out of memory", path);
	} catch (const std::exception &e) {
		return ob_err(OB_ERR_INTERNAL, "%s: %s", path, e.what());
	} catch (...) {
		return ob_err(OB_ERR_INTERNAL, "%s: unknown C++ exception", path);
	}
}

extern "C" int ob_dnn_infer(struct ob_dnn *dnn, const float *nchw, int n, int c, int h, int w,
			    const char *const *names, size_t n_out, struct ob_tensor *outs)
{
	if (n_out == 0 || n_out > OB_DNN_MAX_OUTPUTS)
		return ob_err(OB_ERR_LIMIT, "%s: %zu outputs requested (1..%d)", dnn->path.c_str(),
			      n_out, OB_DNN_MAX_OUTPUTS);
	if (n <= 0 || c <= 0 || h <= 0 || w <= 0)
		return ob_err(OB_ERR_INTERNAL, "%s: bad input shape %dx%dx%dx%d", dnn->path.c_str(),
			      n, c, h, w);
	try {
		int dims[4] = { n, c, h, w };
		// Borrow the caller's buffer: setInput copies it into the network.
		cv::Mat blob(4, dims, CV_32F, const_cast<float *>(nchw));
		std::vector<cv::String> want;

		for (size_t i = 0; i < n_out; i++)
			want.emplace_back(names[i]);
		dnn->net.setInput(blob);
		dnn->outs.clear();
		dnn->net.forward(dnn->outs, want);
		if (dnn->outs.size() != n_out)
			return ob_err(OB_ERR_MODEL, "%s: %zu outputs returned, %zu asked",
				      dnn->path.c_str(), dnn->outs.size(), n_out);
		for (size_t i = 0; i < n_out; i++) {
			cv::Mat &m = dnn->outs[i];

			if (m.type() != CV_32F || !m.isContinuous())
				return ob_err(OB_ERR_MODEL, "%s: output %s is not a dense float32 tensor",
					      dnn->path.c_str(), names[i]);
			if (m.dims > OB_DNN_MAX_DIMS)
				return ob_err(OB_ERR_LIMIT, "%s: output %s has %d dimensions",
					      dnn->path.c_str(), names[i], m.dims);
			outs[i].data = m.ptr<float>();
			outs[i].ndim = m.dims;
			outs[i].count = m.total();
			for (int k = 0; k < m.dims; k++)
				outs[i].shape[k] = m.size[k];
		}
		return 0;
	} catch (const cv::Exception &e) {
		return cv_error(dnn->path.c_str(), "forward pass failed", e);
	} catch (const std::bad_alloc &) {
		return ob_err(OB_ERR_NOMEM, "%s: out of memory in forward pass", dnn->path.c_str());
	} catch (const std::exception &e) {
		return ob_err(OB_ERR_INTERNAL, "%s: %s", dnn->path.c_str(), e.what());
	} catch (...) {
		return ob_err(OB_ERR_INTERNAL, "%s: unknown C++ exception", dnn->path.c_str());
	}
}

extern "C" void ob_dnn_free(struct ob_dnn **dnn)
{
	if (!dnn || !*dnn)
		return;
	try {
		delete *dnn;
	} catch (...) {
		// Destructors of cv::dnn::Net do not throw in practice; never let one escape.
	}
	*dnn = nullptr;
}

extern "C" const char *ob_dnn_version(void)
{
	return "OpenCV " CV_VERSION;
}
