#!/usr/bin/env bats
# build.bats - quick tests of the Makefile itself: install and uninstall
# honour DESTDIR and PREFIX, install only programs, kernels, atlas.mk and
# man pages.
#
# make runs with "-o all" so that these tests never rebuild anything: under
# "make SANITIZE=... check" a rebuild with other flags would swap the
# programs under the running suite.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	# Not a sub-make of the make running the suite: drop its flags (and
	# jobserver) so that they do not leak into these runs.
	unset MAKEFLAGS MFLAGS MAKELEVEL
	D=$BATS_TEST_TMPDIR/d
}

mk() {
	make --no-print-directory -C "$ROOT" -o all "$@"
}

@test "make -n install uses install -d and install -m 0755" {
	run -0 mk -n install DESTDIR="$D" PREFIX=/usr
	assert_output --partial "install -d $D/usr/bin"
	assert_output --partial "install -m 0755"
	[ ! -e "$D" ]
}

@test "make -n format-check runs clang-format" {
	run -0 mk -n format-check
	assert_output --partial "clang-format --dry-run --Werror"
}

@test "make uninstall on an empty DESTDIR succeeds" {
	run -0 mk uninstall DESTDIR="$D" PREFIX=/usr
	[ ! -e "$D/usr/bin" ]
}

@test "make install and uninstall with DESTDIR and PREFIX" {
	[ -x "$ROOT/bin/atlas-run" ] || skip "bin/atlas-run is not built"
	[ -f "$ROOT/share/atlas/kernels/sigmoid.json" ] ||
		skip "share/atlas/kernels/sigmoid.json is not built"

	run -0 mk install DESTDIR="$D" PREFIX=/usr
	[ -x "$D/usr/bin/atlas-run" ]
	run -0 stat -c %a "$D/usr/bin/atlas-run"
	assert_output 755
	cmp "$ROOT/bin/atlas-run" "$D/usr/bin/atlas-run"

	local f n=0
	for f in "$ROOT"/share/atlas/kernels/*.py \
		"$ROOT"/share/atlas/kernels/*.json; do
		cmp "$f" "$D/usr/share/atlas/kernels/${f##*/}"
		run -0 stat -c %a "$D/usr/share/atlas/kernels/${f##*/}"
		assert_output 644
		n=$((n + 1))
	done
	[ "$n" -ge 50 ]
	cmp "$ROOT/share/atlas/atlas.mk" "$D/usr/share/atlas/atlas.mk"
	[ -x "$D/usr/bin/atlas-compile" ]
	for f in "$ROOT"/man/man*/*.[1-9]; do
		[ -e "$f" ] || continue
		cmp "$f" "$D/usr/share/man/${f#"$ROOT"/man/}"
	done

	# Never the library or its headers.
	run -0 find "$D" -name '*.a' -o -name '*.h'
	assert_output ''

	run -0 mk uninstall DESTDIR="$D" PREFIX=/usr
	run -0 find "$D" -type f
	assert_output ''
	[ ! -e "$D/usr/share/atlas" ]
}
