#!/usr/bin/env bats
# atlas-run-format.bats - atlas-run's data formats: --format raw|text|npy
# for every array, NAME=FMT:FILE for one, text to and from terminals,
# and files whose names start with a format word.  References come from
# test/fixtures/stream/ref.py (python3), never from atlas-run.

bats_require_minimum_version 1.5.0
load helpers

FIX=$ROOT/test/fixtures/stream
REF=$FIX/ref.py

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T" || return 1
	unset ATLAS_KERNEL_PATH
}

ok() {
	run -0 --separate-stderr "$@"
	assert_equal "$stderr" ""
}

@test "--format text: numbers in, one number a line out" {
	printf '1 -2\n\t3.5   -4\n-0 nan inf -inf 1e-45\n' > x.txt
	ok atlas-run --format text relu a=x.txt b=-
	assert_output "1
0
3.5
0
0
0
inf
0
1e-45"
	# the text of an f32 is its shortest decimal that reads back
	"$REF" gen 5000 3 > x
	"$REF" text x > x.txt
	ok atlas-run --format text relu a=x.txt b=y.txt
	"$REF" relu x | "$REF" text /dev/stdin > want
	cmp y.txt want
}

@test "text across chunks: a number split by a chunk is read whole" {
	"$REF" gen 100003 4 > x
	"$REF" text x > x.txt
	"$REF" relu x > want
	run -0 --separate-stderr bash -c 'cat x.txt | atlas-run --pool-size \
		4K relu a=text:- > got'
	assert_equal "$stderr" ""
	cmp got want
}

@test "NAME=text:FILE and NAME=text:- override --format for one array" {
	printf '10\n20\n30\n' > a.txt
	f32 1 2 3 > b
	ok atlas-run vector_add a=text:a.txt b=b c=c
	cmp c <(f32 11 22 33)
	ok bash -c 'atlas-run vector_add a=text:- b=b c=text:- < a.txt'
	assert_output "11
22
33"
	ok bash -c 'atlas-run --format text vector_add a=- b=raw:b < a.txt'
	assert_output "11
22
33"
}

@test "a file named like a format is reached through ./" {
	f32 -1 1 > 'text:x'
	ok atlas-run relu a=./text:x b=y
	cmp y <(f32 0 1)
	run -1 --separate-stderr atlas-run relu a=text:x b=y
	assert_equal "$stderr" "atlas-run: x: No such file or directory"
}

@test "a malformed number in text: complete output kept, exit 1" {
	printf '1\n2\nabc\n4\n' > x.txt
	run -1 --separate-stderr atlas-run --format text relu a=x.txt b=y.txt
	assert_output ""
	assert_equal "$stderr" "atlas-run: x.txt:3: invalid value 'abc' for f32"
	assert_equal "$(cat y.txt)" "1
2"
}

@test "--format npy: a .npy input and output, checked by python" {
	"$REF" gen 1025 5 > x
	"$REF" npy f32 x > x.npy
	ok atlas-run --format npy relu a=x.npy b=y.npy
	"$REF" unnpy f32 y.npy > got
	"$REF" relu x > want
	cmp got want
	# a .npy input, a raw output
	ok atlas-run relu a=npy:x.npy b=y
	cmp y want
	# the header's length is known for a regular-file input: to a pipe
	run -0 --separate-stderr bash -c 'atlas-run relu a=npy:x.npy \
		b=npy:- | cat > y2.npy'
	assert_equal "$stderr" ""
	"$REF" unnpy f32 y2.npy > got
	cmp got want
}

@test "a .npy of another dtype is refused, exit 1" {
	perl -e 'print pack("d<*", 1, 2)' > d
	"$REF" npy f64 d > d.npy
	run -1 --separate-stderr atlas-run relu a=npy:d.npy b=y
	assert_output ""
	assert_equal "$stderr" \
		"atlas-run: d.npy: .npy dtype '<f8' does not match f32"
}

@test "a reduction written as text and as .npy" {
	printf '1 2 3 4.5\n' > x.txt
	ok atlas-run --format text vector_sum a=x.txt result=-
	assert_output "10.5"
	ok atlas-run vector_sum a=text:x.txt result=npy:s.npy
	"$REF" unnpy f32 s.npy > got
	cmp got <(f32 10.5)
}

@test "--stats counts file bytes, text included" {
	printf '1\n-2\n' > x.txt
	run -0 --separate-stderr atlas-run --stats --format text relu \
		a=x.txt b=y.txt
	assert_equal "$(sed -n 1,3p <<< "$stderr")" "elements 2
bytes_in 5
bytes_out 4"
}

# on_tty COMMAND - run the bash COMMAND with a pseudo-terminal as its
# stdin, stdout and stderr, through script(1); print what it wrote there.
on_tty() {
	SHELL=/bin/bash script -qec "$1" /dev/null < /dev/null | tr -d '\r'
}

@test "text goes to a terminal without -f; raw and npy do not" {
	command -v script > /dev/null || skip "no script(1)"
	f32 -1 2 > x
	run -0 on_tty 'atlas-run relu a=x b=text:-; echo "rc=$?"'
	assert_output "0
2
rc=0"
	run -0 on_tty 'atlas-run relu a=x b=npy:-; echo "rc=$?"'
	assert_output "atlas-run: refusing to write binary data to a \
terminal (use -f to force)
rc=1"
}
