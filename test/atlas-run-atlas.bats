#!/usr/bin/env bats
# atlas-run-atlas.bats - Atlas runs of atlas-run: a kernel using the Atlas
# instructions reports its phase and exact resonance (--stats), starts at
# a given phase (--phase), reads and writes a pool image mapped as buffer
# handle 0 (--boundary), and its declared metadata is checked when it
# loads (validation), before the launches (phase window) and after the run
# (unity neutrality).

bats_require_minimum_version 1.5.0
load helpers

RUN=$ROOT/test/fixtures/run

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T" || return 1
	unset ATLAS_KERNEL_PATH
}

# atlas_stats TEXT - the --stats lines of TEXT that are not sizes, thread
# counts or measures (tested in atlas-run-stream.bats).
atlas_stats() {
	grep -Ev '^(pool_size|resident_size|threads|peak_rss|seconds|throughput) ' <<< "$1"
}

u8() {
	perl -e 'binmode STDOUT; print pack("C*", @ARGV)' -- "$@"
}

@test "an Atlas kernel reports phase, epoch and exact resonance" {
	u8 10 10 1 4 > c
	f32 0.25 0.5 -0.125 0.1 > x
	run -0 --separate-stderr atlas-run --stats "$RUN/atlas.s" \
		c=c x=x m=m n=n k=k
	assert_equal "$(atlas_stats "$stderr")" "elements 4
bytes_in 20
bytes_out 12
chunks 1
phase 4
epoch 0
R[1] = -1/8
R[4] = 13421773/134217728
R[10] = 3/4"
	assert_output ""
	# mirror(10) = 7, mirror(1) = 4, mirror(4) = 1; first neighbours;
	# all four lanes are in block 0, class 0
	cmp m <(u8 7 7 4 1)
	cmp n <(u8 4 4 0 3)
	cmp k <(u8 0 0 0 0)
}

@test "--phase sets the starting phase; the phase wraps into the epoch" {
	u8 10 10 1 4 > c
	f32 0.25 0.5 -0.125 0.1 > x
	run -0 --separate-stderr atlas-run --stats --phase 766 \
		"$RUN/atlas.s" c=c x=x m=m n=n k=k
	assert_equal "$(atlas_stats "$stderr" | sed -n '5,6p')" "phase 2
epoch 1"
	run -2 --separate-stderr atlas-run --phase 768 "$RUN/atlas.s"
	assert_equal "$stderr" "atlas-run: invalid phase '768' (expected 0 to 767)
Try 'atlas-run --help' for more information."
	assert_output ""
}

@test "--boundary maps a pool image: bound.map, phi loads, stores persist" {
	atlas-pool create pool
	printf 'ABCD' | atlas-pool put pool --class 7
	u8 1 1 1 2 > x
	run -0 --separate-stderr atlas-run --boundary pool "$RUN/pool.s" \
		x=x y=y
	assert_equal "$stderr" ""
	cmp y <(printf 'BCDF')
	cmp <(atlas-pool get pool --class 9 --page 1 --count 4) <(printf 'BCDF')
	cmp <(atlas-pool get pool --class 9 --page 2 --count 1) <(printf 'A')
	# class 7 is untouched
	cmp <(atlas-pool get pool --class 7 --count 4) <(printf 'ABCD')
}

@test "--boundary: a file of the wrong size is no pool image" {
	head -c 100 /dev/zero > small
	u8 1 > x
	run -1 --separate-stderr atlas-run --boundary small "$RUN/pool.s" \
		x=x y=y
	assert_equal "$stderr" \
		"atlas-run: small: not a pool image (100 bytes, want 1179648)"
	assert_output ""
	run -1 --separate-stderr atlas-run --boundary nothere "$RUN/pool.s" \
		x=x y=y
	assert_equal "$stderr" "atlas-run: nothere: No such file or directory"
}

@test "handle 0 without --boundary is an error" {
	u8 1 > x
	run -1 --separate-stderr atlas-run "$RUN/pool.s" x=x y=y
	assert_equal "$stderr" \
		"atlas-run: $RUN/pool.s:14:2: invalid buffer handle: 0"
}

@test "a declared phase window: runs inside it, fails outside it" {
	u8 1 2 3 > x
	run -1 --separate-stderr atlas-run "$RUN/window.s" x=x y=y
	assert_equal "$stderr" \
		"atlas-run: phase window violation: current phase 0 not in [100, 150)"
	assert_output ""
	run -0 --separate-stderr atlas-run --stats --phase 149 \
		"$RUN/window.s" x=x y=y
	assert_equal "$(atlas_stats "$stderr" | sed -n 5p)" "phase 170"
	cmp y x
}

@test "invalid declared metadata fails when the kernel loads" {
	sed 's/^\.phase 100 50$/.boundary 0 50 0 255/' "$RUN/window.s" > bad.s
	u8 1 > x
	run -1 --separate-stderr atlas-run bad.s x=x y=y
	assert_equal "$stderr" \
		"atlas-run: bad.s: invalid metadata: invalid page: 50 (must be in [0, 48))"
	assert_output ""
	[ ! -e y ]
}

@test "unity_neutral: a non-neutral run fails after writing its output" {
	u8 10 10 1 4 > c
	f32 0.25 0.5 -0.125 0.1 > x
	run -1 --separate-stderr atlas-run "$RUN/neutral.s" c=c x=x m=m
	assert_equal "$stderr" \
		"atlas-run: unity neutrality violation: net resonance delta non-zero"
	cmp m <(u8 7 7 4 1)
	# +1/4 and -1/4 in different classes sum to zero: neutral
	u8 10 1 > c
	f32 0.25 -0.25 > x
	run -0 --separate-stderr atlas-run --stats "$RUN/neutral.s" \
		c=c x=x m=m
	assert_equal "$(atlas_stats "$stderr" | sed -n '7,$p')" "R[1] = -1/4
R[10] = 1/4"
}
