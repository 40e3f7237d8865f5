# Atlas toolkit - one GNU Makefile.  See README.md.
#
#   make                      build lib/libatlas.a and bin/*
#   make check                unit tests, Bats tests, lints, all through prove
#   make SANITIZE=address,undefined check
#   make install PREFIX=/usr/local DESTDIR=
#   make demo                 run the main job on generated data
#   DEVELOPER=1               turn warnings into errors

CC       ?= cc
CFLAGS   ?= -O2 -g
# The op loops of the interpreter are built for this machine's vector
# units; set ARCHFLAGS= for a portable build.
ARCHFLAGS ?= -march=native
OPTFLAGS ?= -O3
WARNFLAGS = -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla -Wwrite-strings -Wpointer-arith \
	-Wcast-qual -Wundef
ifeq ($(DEVELOPER),1)
WARNFLAGS += -Werror
endif

PKGS     = libcjson libsodium hwloc
# OpenBLAS: its headers only; libatlas loads it when first needed
# (lib/blas.c), so that its start-up costs nothing to programs that
# never multiply matrices.
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) openblas 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lcjson) -ldl

ALL_CPPFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_FILE_OFFSET_BITS=64 \
	-Ilib $(PKG_CFLAGS) $(CPPFLAGS)
ALL_CFLAGS = $(CFLAGS) $(OPTFLAGS) $(ARCHFLAGS) $(WARNFLAGS) -pthread
ALL_LDFLAGS = $(LDFLAGS) -pthread
LDLIBS = $(PKG_LIBS) -lm

ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
ALL_LDFLAGS += -fsanitize=$(SANITIZE)
endif

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share

# BUILD holds objects and test programs; a second tree (BUILD=/tmp/x)
# lets two builds run side by side without touching each other.
BUILD    ?= build
ifeq ($(BUILD),build)
LIBA     := lib/libatlas.a
else
LIBA     := $(BUILD)/libatlas.a
endif

LIB_SRC  := $(sort $(wildcard lib/*.c lib/*/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CMD_SRC  := $(sort $(wildcard cmd/*.c))
PROGS    := $(CMD_SRC:cmd/%.c=bin/%)
UNIT_SRC := $(sort $(wildcard test/unit/t-*.c))
UNITS    := $(UNIT_SRC:test/unit/%.c=$(BUILD)/test/%)
MANPAGES := $(sort $(wildcard man/man*/*.[1-9]))
# The bundled kernels: kernel-language sources, compiled to .json by the
# rules users include too (share/atlas/atlas.mk), with the compiler just
# built; both are installed, with any hand-written assembly.
KERNEL_SRC  := $(sort $(wildcard share/atlas/kernels/*.py))
KERNEL_JSON := $(KERNEL_SRC:.py=.json)
KERNELS  := $(sort $(wildcard share/atlas/kernels/*.s) $(KERNEL_SRC) \
	$(KERNEL_JSON))
DEPS     := $(LIB_OBJ:.o=.d) $(CMD_SRC:cmd/%.c=$(BUILD)/cmd/%.d) \
	$(UNIT_SRC:test/unit/%.c=$(BUILD)/test/unit/%.d)

all: $(LIBA) $(PROGS) $(KERNEL_JSON)

ATLAS_COMPILE = bin/atlas-compile
include share/atlas/atlas.mk

# A new compiler recompiles the kernels.
$(KERNEL_JSON): bin/atlas-compile

units: $(UNITS)

# Rebuild everything when the flags change, so that SANITIZE= never links
# stale objects.
$(BUILD)/.flags: FORCE
	@mkdir -p $(BUILD)
	@echo '$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS)' > $@.new
	@cmp -s $@.new $@ || mv $@.new $@
	@rm -f $@.new

$(BUILD)/%.o: %.c $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# Square roots vectorise only when they need not set errno; the vmath
# loops handle negative inputs themselves.
$(BUILD)/lib/vmath.o $(BUILD)/lib/vmath_f32.o $(BUILD)/lib/vmath_f64.o: \
	ALL_CFLAGS += -fno-math-errno

$(LIBA): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

# bin/ is shared by every BUILD= tree: relink when the tree or flags that
# produced it change.
bin/.stamp: FORCE
	@mkdir -p bin
	@echo '$(BUILD) $(ALL_CFLAGS) $(ALL_LDFLAGS)' > $@.new
	@cmp -s $@.new $@ || mv $@.new $@
	@rm -f $@.new

bin/%: $(BUILD)/cmd/%.o $(LIBA) bin/.stamp
	@mkdir -p bin
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

$(BUILD)/test/%: $(BUILD)/test/unit/%.o $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

$(BUILD)/bench-interp: $(BUILD)/scripts/bench-interp.o $(LIBA)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

bench: all $(BUILD)/bench-interp

$(BUILD)/bench-atlas: $(BUILD)/scripts/bench-atlas.o $(LIBA)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

bench-atlas: all $(BUILD)/bench-atlas

$(BUILD)/bench-validate: $(BUILD)/scripts/bench-validate.o $(LIBA)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

bench-validate: all $(BUILD)/bench-validate

# The native C filter scripts/bench-stream measures atlas-run against.
$(BUILD)/filter-native: $(BUILD)/scripts/filter-native.o $(LIBA)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

bench-stream: all $(BUILD)/filter-native

check: all $(UNITS)
	prove --exec test/tap-exec $(PROVEFLAGS) $(UNITS) test/*.bats test/lint-*.sh

FORMAT_SRC = $(sort $(wildcard lib/*.[ch] lib/*/*.[ch] cmd/*.c test/unit/*.[ch]))

format-check:
	clang-format --dry-run --Werror $(FORMAT_SRC)

demo: all
	scripts/demo

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/atlas/kernels
	test -z '$(PROGS)' || install -m 0755 $(PROGS) $(DESTDIR)$(BINDIR)
	install -m 0644 share/atlas/atlas.mk $(DESTDIR)$(DATADIR)/atlas
	test -z '$(KERNELS)' || \
		install -m 0644 $(KERNELS) $(DESTDIR)$(DATADIR)/atlas/kernels
	for m in $(MANPAGES); do \
		s=$${m#man/}; d=$(DESTDIR)$(MANDIR)/$${s%/*}; \
		install -d $$d && install -m 0644 $$m $$d || exit 1; \
	done

uninstall:
	rm -f $(PROGS:bin/%=$(DESTDIR)$(BINDIR)/%)
	rm -f $(KERNELS:share/%=$(DESTDIR)$(DATADIR)/%)
	rm -f $(DESTDIR)$(DATADIR)/atlas/atlas.mk
	rmdir $(DESTDIR)$(DATADIR)/atlas/kernels $(DESTDIR)$(DATADIR)/atlas \
		2>/dev/null || true
	rm -f $(MANPAGES:man/%=$(DESTDIR)$(MANDIR)/%)

clean:
	rm -rf $(BUILD) bin $(LIBA) $(KERNEL_JSON)

FORCE:
.PHONY: all units bench bench-atlas bench-stream bench-validate check format-check demo install uninstall clean FORCE
.SECONDARY:

-include $(DEPS)
