# atlas.mk - make rules that compile Atlas kernels with atlas-compile(1).
#
# Include this file from the Makefile of a directory of kernel sources;
# each NAME.py (the kernel language) or NAME.s (assembly) then builds
# NAME.json, the JSON kernel file that atlas-run(1) runs.  For example,
# with the toolkit installed under /usr/local:
#
#	include /usr/local/share/atlas/atlas.mk
#
#	KERNELS := $(patsubst %.py,%.json,$(wildcard *.py))
#
#	all: $(KERNELS)
#
#	clean:
#		rm -f $(KERNELS)
#
# and "make" compiles every .py there that is newer than its .json.
# Then "ATLAS_KERNEL_PATH=$PWD atlas-run NAME ..." runs kernel NAME.
#
# Variables:
#   ATLAS_COMPILE        the compiler (default: atlas-compile, from PATH)
#   ATLAS_COMPILE_FLAGS  more options for it, e.g. -v (default: none)

ATLAS_COMPILE ?= atlas-compile
ATLAS_COMPILE_FLAGS ?=

%.json: %.py
	$(ATLAS_COMPILE) $(ATLAS_COMPILE_FLAGS) -o $@ $<

%.json: %.s
	$(ATLAS_COMPILE) $(ATLAS_COMPILE_FLAGS) -o $@ $<
