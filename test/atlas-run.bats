#!/usr/bin/env bats
# atlas-run.bats - the atlas-run command line: options, kernel search,
# bindings, streaming and I/O errors, and the bundled kernels' results
# against references computed independently in perl.

bats_require_minimum_version 1.5.0
load helpers

FIX=$ROOT/test/fixtures/run
SIZES="0 1 1023 1024 1025 1000003"

# gen N SEED - N float32 values: first the special values (+0, -0, +inf,
# -inf, NaN, the smallest subnormals, the smallest normal, +-FLT_MAX,
# +-88.72, 1e-7), then values in [-20, 20) from a fixed LCG.
gen() {
	perl -e '
		my ($n, $s) = @ARGV;
		my @sp = (0x00000000, 0x80000000, 0x7f800000, 0xff800000,
			0x7fc00000, 0x00000001, 0x80000001, 0x00800000,
			0x7f7fffff, 0xff7fffff, 0x42b17218, 0xc2b17218,
			0x33d6bf95);
		my $k = $n < @sp ? $n : @sp;
		my @r;
		for (my $i = $k; $i < $n; $i++) {
			$s = ($s * 1103515245 + 12345) % 4294967296;
			push @r, $s / 4294967296 * 40 - 20;
		}
		binmode STDOUT;
		print pack("L<*", @sp[0 .. $k - 1]), pack("f<*", @r);' "$1" "$2"
}

# check KERNEL OUT IN [IN2] - compare OUT with the reference result of the
# bundled KERNEL on IN (and IN2): sigmoid within 2 ulp of a double
# computation, relu and vector_add exactly.  NaN matches any NaN.
check() {
	perl -e '
		use strict;
		my ($k, $out, @in) = @ARGV;
		sub slurp {
			open(my $f, "<:raw", $_[0]) or die "$_[0]: $!\n";
			local $/;
			my $d = <$f>;
			return defined $d ? $d : "";
		}
		my @x = unpack("f<*", slurp($in[0]));
		my @xb = unpack("L<*", slurp($in[0]));
		my @yb = unpack("L<*", slurp($out));
		die "got " . @yb . " elements, want " . @x . "\n" if @yb != @x;
		my (@rb, $max);
		if ($k eq "sigmoid") {
			@rb = unpack("L<*", pack("f<*",
				map { 1 / (1 + exp(-$_)) } @x));
			$max = 2;
		} elsif ($k eq "relu") {
			# x > 0.0 ? x : 0.0: NaN and -0.0 give +0.0
			@rb = map { $_ >= 1 && $_ <= 0x7f800000 ? $_ : 0 } @xb;
			$max = 0;
		} else {
			my @b = unpack("f<*", slurp($in[1]));
			@rb = unpack("L<*", pack("f<*",
				map { $x[$_] + $b[$_] } 0 .. $#x));
			$max = 0;
		}
		sub isnan { ($_[0] & 0x7fffffff) > 0x7f800000 }
		sub ord32 { $_[0] & 0x80000000 ? -($_[0] & 0x7fffffff) : $_[0] }
		for my $i (0 .. $#yb) {
			my ($y, $r) = ($yb[$i], $rb[$i]);
			next if $y == $r || (isnan($y) && isnan($r));
			next if !isnan($y) && !isnan($r) &&
				abs(ord32($y) - ord32($r)) <= $max;
			printf("element %d: x = %.9g (%08x): got %08x, " .
				"want %08x\n", $i, $x[$i], $xb[$i], $y, $r);
			exit 1;
		}' "$@"
}

# examples PAGE [N] - the literal displays (.Bd -literal) of the EXAMPLES
# section of man page PAGE, or only the Nth, unescaped, "$ " prompts
# removed: the commands as a user would type them.
examples() {
	perl -ne '
		BEGIN { $want = $ARGV[1] // 0; splice(@ARGV, 1); }
		$in = /EXAMPLES/ if /^\.Sh /;
		next unless $in;
		if (/^\.Bd -literal/) { $lit = 1; $n++; next; }
		if (/^\.Ed/) { $lit = 0; next; }
		next unless $lit && (!$want || $n == $want);
		s/^\$ //;
		s/\\&//g;
		s/\\-/-/g;
		s/\\e/\\/g;
		print;' "$@"
}

setup_file() {
	local n
	for n in $SIZES; do
		gen "$n" 1 > "$BATS_FILE_TMPDIR/x$n.f32"
		gen "$n" 2 > "$BATS_FILE_TMPDIR/b$n.f32"
	done
	export D=$BATS_FILE_TMPDIR
}

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T" || return 1
	unset ATLAS_KERNEL_PATH
}

# ---- options -------------------------------------------------------------

@test "--help prints the usage and every option, exit 0" {
	run -0 --separate-stderr atlas-run --help
	assert_equal "$stderr" ""
	assert_line --index 0 "usage: atlas-run [-fhqVv] [--boundary file] \
[--format fmt] [-k name] [-o file]"
	local o
	for o in --boundary -f --force --format -h --help -k --kernel \
		--lanes --max-resident -o --output --phase --pool-size \
		--progress -q --quiet --size --stats -t --threads -v --verbose \
		-V --version; do
		assert_output --partial " $o"
	done
	run -0 --separate-stderr atlas-run -h
	assert_line --index 0 --partial "usage: atlas-run "
}

@test "--help synopsis is the man page SYNOPSIS" {
	local syn
	syn=$(mandoc -Tascii "$ROOT/man/man1/atlas-run.1" | col -b |
		sed -n '/^SYNOPSIS/{n;s/^ *//;p;}')
	run -0 --separate-stderr atlas-run --help
	assert_line --index 0 "usage: $syn"
}

@test "--version prints the version, exit 0" {
	run -0 --separate-stderr atlas-run --version
	assert_equal "$stderr" ""
	assert_output "atlas-run 0.1.0"
	run -0 --separate-stderr atlas-run -V -v
	assert_output "atlas-run 0.1.0
libatlas 0.1.0"
}

@test "--help and --version to /dev/full: write error, exit 1" {
	run -1 --separate-stderr bash -c 'atlas-run --help > /dev/full'
	assert_equal "$stderr" \
		"atlas-run: write error: No space left on device"
	run -1 --separate-stderr bash -c 'atlas-run -V > /dev/full'
	assert_equal "$stderr" \
		"atlas-run: write error: No space left on device"
}

@test "unknown options are usage errors, exit 2" {
	run -2 --separate-stderr atlas-run --foo sigmoid
	assert_output ""
	assert_equal "$stderr" "atlas-run: unknown option '--foo'
Try 'atlas-run --help' for more information."
	run -2 --separate-stderr atlas-run -x sigmoid
	assert_equal "$stderr" "atlas-run: unknown option '-x'
Try 'atlas-run --help' for more information."
}

@test "an argument to an option that takes none: exit 2" {
	run -2 --separate-stderr atlas-run --stats=1 sigmoid
	assert_output ""
	assert_equal "$stderr" "atlas-run: option '--stats' takes no argument
Try 'atlas-run --help' for more information."
	run -2 --separate-stderr atlas-run --help=yes
	assert_equal "$stderr" "atlas-run: option '--help' takes no argument
Try 'atlas-run --help' for more information."
}

@test "a missing option argument is a usage error, exit 2" {
	run -2 --separate-stderr atlas-run sigmoid --threads
	assert_output ""
	assert_equal "$stderr" "atlas-run: option '--threads' requires an argument
Try 'atlas-run --help' for more information."
	run -2 --separate-stderr atlas-run sigmoid -t
	assert_equal "$stderr" "atlas-run: option '-t' requires an argument
Try 'atlas-run --help' for more information."
}

@test "--threads takes 1 to 1024, strictly" {
	local t
	for t in 0 1025 -1 2x '' ' 2' abc 99999999999999999999; do
		run -2 --separate-stderr atlas-run --threads="$t" sigmoid
		assert_output ""
		assert_equal "$stderr" \
			"atlas-run: invalid thread count '$t' (expected 1 to 1024)
Try 'atlas-run --help' for more information."
	done
	f32 1 > x
	run -0 --separate-stderr atlas-run -t 1024 sigmoid a=x c=y
	assert_equal "$stderr" ""
}

@test "a missing kernel is a usage error, exit 2" {
	run -2 --separate-stderr atlas-run
	assert_output ""
	assert_equal "$stderr" "atlas-run: missing kernel
Try 'atlas-run --help' for more information."
	run -2 --separate-stderr atlas-run -t 2
	assert_equal "$stderr" "atlas-run: missing kernel
Try 'atlas-run --help' for more information."
}

@test "an operand without '=' is a usage error, exit 2" {
	run -2 --separate-stderr atlas-run sigmoid x.f32
	assert_output ""
	assert_equal "$stderr" \
		"atlas-run: invalid binding 'x.f32' (expected name=value)
Try 'atlas-run --help' for more information."
	run -2 --separate-stderr atlas-run sigmoid =x.f32
	assert_equal "$stderr" \
		"atlas-run: invalid binding '=x.f32' (expected name=value)
Try 'atlas-run --help' for more information."
}

@test "-v prints a summary on stderr; -q cancels it" {
	f32 1 2 3 > x
	run -0 --separate-stderr atlas-run -v -t 1 sigmoid a=x c=y
	assert_output ""
	assert_equal "$stderr" "atlas-run: sigmoid: 3 elements, 12 bytes in, \
12 bytes out, 1 chunks, 1 threads"
	run -0 --separate-stderr atlas-run -v -q sigmoid a=x c=y
	assert_equal "$stderr" ""
}

# ---- kernels: search and loading ------------------------------------------

@test "kernel not found: exact message, exit 1" {
	run -1 --separate-stderr atlas-run nosuch
	assert_output ""
	assert_equal "$stderr" "atlas-run: kernel 'nosuch' not found \
(looked in $ROOT/share/atlas/kernels)"
	ATLAS_KERNEL_PATH=$T/a::$T/b run -1 --separate-stderr atlas-run nosuch
	assert_equal "$stderr" "atlas-run: kernel 'nosuch' not found \
(looked in $T/a, $T/b, $ROOT/share/atlas/kernels)"
}

@test "a kernel path that does not exist: exit 1" {
	run -1 --separate-stderr atlas-run ./nosuch.s
	assert_output ""
	assert_equal "$stderr" \
		"atlas-run: ./nosuch.s: No such file or directory"
}

@test "ATLAS_KERNEL_PATH: its directories first, in order, .s before .json" {
	mkdir a b
	# a/sigmoid.s is really relu; b/sigmoid.s is vector_add's name
	sed 's/^\.kernel relu/.kernel sigmoid/' \
		"$ROOT/test/fixtures/programs/relu.s" > a/sigmoid.s
	cp "$ROOT/test/fixtures/programs/vector_add.s" b/sigmoid.s
	f32 -1 2 > x
	atlas-run relu < x > want
	ATLAS_KERNEL_PATH=$T/a:$T/b atlas-run sigmoid x=x y=got
	cmp got want
	ATLAS_KERNEL_PATH=$T/nowhere:$T/b run -1 --separate-stderr \
		atlas-run sigmoid x=x y=got
	assert_equal "$stderr" "atlas-run: unknown parameter 'x' \
(kernel vector_add takes a, b, c)"
	# .s before .json in one directory
	cp "$FIX/sigmoid.json" a/sigmoid.json
	ATLAS_KERNEL_PATH=a atlas-run sigmoid x=x y=got
	cmp got want
	# .json is found too, and the bundled kernels come last
	rm a/sigmoid.s
	sed 's/"kernel": "sigmoid"/"kernel": "relu"/' "$FIX/sigmoid.json" \
		> a/relu.json
	atlas-run sigmoid < x > want
	ATLAS_KERNEL_PATH=a atlas-run relu x=x y=got
	cmp got want
	ATLAS_KERNEL_PATH=a atlas-run vector_add a=x b=x c=got
	cmp got <(f32 -2 4)
}

@test "malformed assembly kernel: FILE:LINE:COL: message, exit 1" {
	run -1 --separate-stderr atlas-run "$FIX/bad-syntax.s"
	assert_output ""
	assert_equal "$stderr" \
		"atlas-run: $FIX/bad-syntax.s:5:19: expected ',' after operand"
}

@test "malformed JSON kernel: FILE:LINE:COL: message, exit 1" {
	run -1 --separate-stderr atlas-run "$FIX/bad-op.json"
	assert_output ""
	assert_equal "$stderr" "atlas-run: $FIX/bad-op.json:5:12: \
instructions[0]: unknown op 'frob'"
	printf '{"format": "atlas-program",\n' > cut.json
	run -1 --separate-stderr atlas-run ./cut.json
	assert_equal "$stderr" \
		"atlas-run: ./cut.json:2:1: invalid JSON: unexpected end of input"
}

@test "a file of several kernels: -k chooses one, exit 1 without it" {
	{ cat "$ROOT/test/fixtures/programs/sigmoid.s"; echo
	  cat "$ROOT/test/fixtures/programs/relu.s"; } > two.s
	f32 -1 2 > x
	run -1 --separate-stderr atlas-run ./two.s x=x y=y
	assert_output ""
	assert_equal "$stderr" "atlas-run: ./two.s holds kernels sigmoid, \
relu: choose one with -k NAME"
	[ ! -e y ]
	run -0 --separate-stderr atlas-run -k relu ./two.s x=x y=got
	assert_equal "$stderr" ""
	cmp got <(f32 0 2)
	atlas-run --kernel=sigmoid ./two.s x=x y=got
	atlas-run "$ROOT/test/fixtures/programs/sigmoid.s" x=x y=want
	cmp got want
	# the same in a JSON array
	atlas-compile -o two.json two.s
	atlas-run -k relu two.json x=x y=got
	cmp got <(f32 0 2)
	run -1 --separate-stderr atlas-run -k nosuch two.json x=x y=y
	assert_equal "$stderr" \
		"atlas-run: two.json: no kernel 'nosuch' (it has sigmoid, relu)"
	# a file of one kernel: -k must name it
	atlas-run -k sigmoid "$FIX/sigmoid.json" x=x y=got
	cmp got want
	run -1 --separate-stderr atlas-run -k relu "$FIX/sigmoid.json" x=x
	assert_equal "$stderr" "atlas-run: $FIX/sigmoid.json: no kernel \
'relu' (it has sigmoid)"
}

@test "a kernel-language source runs, compiled when it is loaded" {
	cp "$ROOT/share/atlas/kernels/vector_add.py" add.py
	f32 1 2 3 > x
	run -0 --separate-stderr atlas-run add.py a=x b=x c=got
	assert_equal "$stderr" ""
	cmp got <(f32 2 4 6)
	printf 'def k(x: DeviceArray[f32]):\n    x[0] = y\n' > bad.py
	run -1 --separate-stderr atlas-run ./bad.py x=x
	assert_output ""
	assert_regex "$stderr" '^atlas-run: \./bad\.py:2:[0-9]+: .*'
}

@test "a kernel that fails verification never runs" {
	f32 1 2 > x
	run -1 --separate-stderr atlas-run "$FIX/uninit.s" x=x y=y
	assert_output ""
	assert_equal "$stderr" \
		"atlas-run: $FIX/uninit.s:6:2: uninitialized register: r11"
	# y is opened after the kernel is loaded: it was never created
	[ ! -e y ]
}

@test "a lane fault reports the instruction, exit 1" {
	perl -e 'print pack("l<*", 1, 2, 0, 4)' > x
	run -1 --separate-stderr atlas-run "$FIX/divzero.s" x=x y=y
	assert_output ""
	assert_equal "$stderr" \
		"atlas-run: $FIX/divzero.s:7:2: division by zero"
}

@test "the JSON form of sigmoid gives the same bytes as the assembly" {
	atlas-run sigmoid < "$D/x1025.f32" > want
	run -0 --separate-stderr atlas-run "$FIX/sigmoid.json" \
		x="$D/x1025.f32" y=got
	assert_equal "$stderr" ""
	cmp got want
}

# ---- bindings --------------------------------------------------------------

@test "'-' binds standard input and standard output" {
	f32 -1 0 1 > x
	atlas-run sigmoid < x > want
	run -0 --separate-stderr atlas-run sigmoid a=- c=got < x
	assert_equal "$stderr" ""
	cmp got want
	atlas-run sigmoid a=x c=- > got2
	cmp got2 want
	cat x | atlas-run sigmoid a=- > got3
	cmp got3 want
}

@test "unknown parameter, bound twice, bad file: exit 1" {
	f32 1 > x
	run -1 --separate-stderr atlas-run sigmoid z=x
	assert_output ""
	assert_equal "$stderr" \
		"atlas-run: unknown parameter 'z' (kernel sigmoid takes a, c, n)"
	run -1 --separate-stderr atlas-run sigmoid a=x a=x
	assert_equal "$stderr" "atlas-run: parameter 'a' is bound twice"
	run -1 --separate-stderr atlas-run sigmoid a=nosuch
	assert_equal "$stderr" "atlas-run: nosuch: No such file or directory"
	run -1 --separate-stderr atlas-run sigmoid a=x c=nodir/y
	assert_equal "$stderr" "atlas-run: nodir/y: No such file or directory"
}

@test "arrays left unbound: stdin, stdout, or an error" {
	f32 1 2 > x
	run -1 --separate-stderr atlas-run vector_add c=c < x
	assert_output ""
	assert_equal "$stderr" \
		"atlas-run: missing binding for array parameter 'a'"
	run -1 --separate-stderr atlas-run vector_add a=- c=c < x
	assert_equal "$stderr" \
		"atlas-run: standard input is bound to both 'a' and 'b'"
	atlas-run vector_add a=x < x > c
	cmp c <(f32 2 4)
}

@test "scalars: numbers of the parameter's type, strictly" {
	f32 1 2 -4 > x
	run -0 --separate-stderr atlas-run "$FIX/scale.s" k=2.5 x=x y=y
	assert_equal "$stderr" ""
	cmp y <(f32 2.5 5 -10)
	atlas-run "$FIX/scale.s" k=0x40000000 x=x y=y
	cmp y <(f32 2 4 -8)
	run -1 --separate-stderr atlas-run "$FIX/scale.s" x=x y=y
	assert_equal "$stderr" \
		"atlas-run: missing value for scalar parameter 'k'"
	local v
	for v in abc '' 1e999 -1e39 ' 1' 2.5x 0x1p3 -0x3f800000; do
		run -1 --separate-stderr atlas-run "$FIX/scale.s" k="$v" x=x
		assert_output ""
		assert_equal "$stderr" "atlas-run: k: invalid value '$v' for f32"
	done
	perl -e 'print pack("c*", 1, -2, 100)' > b
	atlas-run "$FIX/add_i8.s" k=-128 x=b y=y
	cmp y <(perl -e 'print pack("c*", -127, 126, -28)')
	atlas-run "$FIX/add_i8.s" k=127 x=b y=y
	cmp y <(perl -e 'print pack("c*", -128, 125, -29)')
	# hex is the bit pattern, as in the ISA's immediates
	atlas-run "$FIX/add_i8.s" k=0xff x=b y=y
	cmp y <(perl -e 'print pack("c*", 0, -3, 99)')
	for v in 128 -129 0x100 -0x1 +1 1.0 0x ' 1'; do
		run -1 --separate-stderr atlas-run "$FIX/add_i8.s" k="$v" x=b
		assert_equal "$stderr" "atlas-run: k: invalid value '$v' for i8"
	done
}

# on_tty COMMAND - run the bash COMMAND with a pseudo-terminal as its
# stdin, stdout and stderr, through script(1); print what it wrote there.
on_tty() {
	SHELL=/bin/bash script -qec "$1" /dev/null < /dev/null | tr -d '\r'
}

@test "binary data to or from a terminal is refused without -f" {
	command -v script > /dev/null || skip "no script(1)"
	f32 1 > x
	run -0 on_tty 'atlas-run sigmoid c=y; echo "rc=$?"'
	assert_output "atlas-run: refusing to read binary data from a \
terminal (use -f to force)
rc=1"
	[ ! -s y ]
	run -0 on_tty 'atlas-run sigmoid a=x; echo "rc=$?"'
	assert_output "atlas-run: refusing to write binary data to a \
terminal (use -f to force)
rc=1"
	# -f: the four bytes of sigmoid(1) go to the terminal, through
	run -0 bash -c "SHELL=/bin/bash script -qec 'atlas-run -f sigmoid \
		a=x' /dev/null < /dev/null | od -An -tx1"
	assert_output " a8 26 3b 3f"
}

# ---- streaming and I/O ---------------------------------------------------------

@test "'> /dev/full': write error, exit 1" {
	run -1 --separate-stderr bash -c \
		'atlas-run sigmoid < "$D/x1025.f32" > /dev/full'
	assert_output ""
	assert_equal "$stderr" \
		"atlas-run: write error: No space left on device"
	# a named output: the message names it
	run -1 --separate-stderr atlas-run sigmoid a="$D/x1025.f32" c=/dev/full
	assert_equal "$stderr" \
		"atlas-run: /dev/full: write error: No space left on device"
}

@test "'| head -c 1' on a large output: SIGPIPE (141), nothing on stderr" {
	run -0 --separate-stderr bash -c 'atlas-run sigmoid \
		< "$D/x1000003.f32" | head -c 1 > /dev/null
		echo "${PIPESTATUS[0]}"'
	assert_output 141
	assert_equal "$stderr" ""
	# with SIGPIPE ignored, EPIPE still ends it quietly as SIGPIPE
	run -0 --separate-stderr bash -c 'trap "" PIPE; atlas-run sigmoid \
		< "$D/x1000003.f32" | head -c 1 > /dev/null
		echo "${PIPESTATUS[0]}"'
	assert_output 141
	assert_equal "$stderr" ""
}

@test "truncated input: complete output is written, then exit 1" {
	{ cat "$D/x1025.f32"; printf 'abc'; } > x
	atlas-run sigmoid < "$D/x1025.f32" > want
	run -1 --separate-stderr bash -c 'atlas-run sigmoid < x > got'
	assert_equal "$stderr" "atlas-run: standard input: trailing partial element \
(3 bytes; f32 elements are 4 bytes)"
	run -0 stat -c %s got
	assert_output 4100
	cmp got want
	run -1 --separate-stderr atlas-run sigmoid a=x c=got
	assert_equal "$stderr" "atlas-run: x: trailing partial element \
(3 bytes; f32 elements are 4 bytes)"
	cmp got want
}

@test "inputs of different lengths: exit 1" {
	f32 1 2 3 > a
	f32 1 2 > b
	run -1 --separate-stderr atlas-run vector_add a=a b=b c=c
	assert_output ""
	assert_equal "$stderr" "atlas-run: inputs differ in length: \
b ended after 2 elements, a has more"
}

# ---- results -------------------------------------------------------------------

@test "sigmoid is within 2 ulp of a double reference" {
	local n
	for n in $SIZES; do
		run -0 --separate-stderr atlas-run sigmoid \
			a="$D/x$n.f32" c=y$n
		assert_equal "$stderr" ""
		run -0 check sigmoid y$n "$D/x$n.f32"
	done
}

@test "relu is exact" {
	local n
	for n in $SIZES; do
		run -0 --separate-stderr atlas-run relu a="$D/x$n.f32" b=y$n
		assert_equal "$stderr" ""
		run -0 check relu y$n "$D/x$n.f32"
	done
}

@test "vector_add is exact" {
	local n
	for n in $SIZES; do
		run -0 --separate-stderr atlas-run vector_add \
			a="$D/x$n.f32" b="$D/b$n.f32" c=c$n
		assert_equal "$stderr" ""
		run -0 check vector_add c$n "$D/x$n.f32" "$D/b$n.f32"
	done
}

@test "--threads 2 gives the same bytes as --threads 1" {
	atlas-run --threads 1 sigmoid < "$D/x1000003.f32" > y1
	atlas-run --threads 2 sigmoid < "$D/x1000003.f32" > y2
	cmp y1 y2
	atlas-run -t 2 vector_add a="$D/x1000003.f32" b="$D/b1000003.f32" \
		> c2
	atlas-run -t 1 vector_add a="$D/x1000003.f32" b="$D/b1000003.f32" \
		> c1
	cmp c1 c2
}

@test "empty input gives empty output, exit 0" {
	run -0 --separate-stderr bash -c 'atlas-run sigmoid < /dev/null > y'
	assert_equal "$stderr" ""
	[ -f y ] && [ ! -s y ]
}

# ---- documentation -----------------------------------------------------------

@test "the man page EXAMPLES run (raw data)" {
	man_examples "$ROOT/man/man1/atlas-run.1" raw > examples.sh
	[ -s examples.sh ]
	run -0 --separate-stderr bash -e examples.sh
	assert_output --partial "0.26894143 "
	assert_equal "${stderr%%, 1 chunks*}" \
		"atlas-run: relu: 3 elements, 12 bytes in, 12 bytes out"
	cmp t.f32 <(f32 -2 0 2)
	cmp sum.f32 t.f32
	# the Atlas state of acc.s, then vector_sum's
	assert_equal "$(grep -E '^(phase|epoch|R\[)' <<< "$stderr")" "phase 0
epoch 1
R[10] = 3/4
phase 0
epoch 0"
	# relu | sigmoid, and the sum of that, within a rounding or two
	perl -e 'print pack("f<*", map { $_ / 10 } -50 .. 49)' > x100
	"$ROOT/test/fixtures/stream/ref.py" relu x100 > r100
	run -0 check sigmoid rs.f32 r100
	python3 -c 'import array, math, sys
a = array.array("f"); a.frombytes(open("rs.f32", "rb").read())
t = array.array("f"); t.frombytes(open("total.f32", "rb").read())
assert len(t) == 1 and abs(t[0] - math.fsum(a)) < 1e-4, (t, math.fsum(a))'
}

@test "the man page EXAMPLES run (text and .npy)" {
	man_examples "$ROOT/man/man1/atlas-run.1" formats > examples.sh
	[ -s examples.sh ]
	run -0 --separate-stderr bash -e examples.sh
	assert_equal "$stderr" ""
	assert_output "1
0
3.5
0"
	f32 11 22 33 > want
	"$ROOT/test/fixtures/stream/ref.py" unnpy f32 sum.npy > got
	cmp got want
}

@test "atlas-isa(7) EXAMPLES are the sigmoid and scale kernels, and run" {
	examples "$ROOT/man/man7/atlas-isa.7" 1 > sigmoid.s
	cmp sigmoid.s "$ROOT/test/fixtures/programs/sigmoid.s"
	examples "$ROOT/man/man7/atlas-isa.7" 2 > scale.s
	cmp scale.s "$FIX/scale.s"
	f32 1 -2 > x.f32
	run -0 --separate-stderr bash -c 'atlas-run ./scale.s k=2.5 \
		< x.f32 > y.f32'
	assert_equal "$stderr" ""
	cmp y.f32 <(f32 2.5 -5)
}

@test "the README examples run" {
	perl -e 'print pack("f<*", @ARGV)' -- 1 2 3 > x.f32
	run -0 --separate-stderr bash -c 'atlas-run sigmoid < x.f32 > y.f32'
	assert_equal "$stderr" ""
	run -0 --separate-stderr bash -c \
		'atlas-run vector_add a=x.f32 b=x.f32 > sum.f32'
	assert_equal "$stderr" ""
	cmp sum.f32 <(f32 2 4 6)
	run -0 od -A d -t f4 x.f32
	assert_line --index 0 --regexp '^0000000 +1 +2 +3$'
	# the resident example: y = A x for a 300 x 40 matrix of ones
	perl -e 'print pack("f<*", (1) x 12000)' > a.f32
	perl -e 'print pack("f<*", (0.5) x 40)' > x.f32
	run -0 --separate-stderr bash -c \
		'atlas-run gemv_f32 A=a.f32 x=x.f32 m=300 n=40 lda=40 > y.f32'
	assert_equal "$stderr" ""
	cmp y.f32 <(perl -e 'print pack("f<*", (20) x 300)')
}

# listing TEXT - the code block of README.md after the line TEXT.
listing() {
	awk -v text="$1" 'index($0, text) { on = 1; next }
	     on && /^```/ { if (in_block) exit; in_block = 1; next }
	     in_block { print }' "$ROOT/README.md"
}

@test "the README's sigmoid listings are the bundled and hand-written ones" {
	listing "This is the bundled sigmoid," > listing.py
	cmp listing.py "$ROOT/share/atlas/kernels/sigmoid.py"
	listing "This is sigmoid" > listing.s
	cmp listing.s "$ROOT/test/fixtures/programs/sigmoid.s"
}

@test "the README's kernel of your own compiles and runs" {
	listing "To write your own" > readme.sh
	[ -s readme.sh ]
	f32 1 -2 > x.f32
	run -0 --separate-stderr bash -e readme.sh
	assert_equal "$stderr" ""
	cmp y.f32 <(f32 2 -4)
}

@test "make demo's script runs" {
	run -0 --separate-stderr "$ROOT/scripts/demo"
	assert_equal "$stderr" ""
	assert_output --partial "+ atlas-run sigmoid < x.f32 > y.f32"
	assert_output --regexp "4000000 y.f32"
	assert_output --regexp "4000000 s.f32"
}

@test "the README's pipelines run: relu | sigmoid, zipped inputs, a sum" {
	listing "through \`relu\`, then \`sigmoid\`" > p1.sh
	listing "Zip two inputs" > p2.sh
	[ -s p1.sh ] && [ -s p2.sh ]
	run -0 --separate-stderr bash -e -o pipefail p1.sh
	assert_equal "$stderr" ""
	perl -e 'print pack("f<*", map { $_ / 100 - 5 } 0 .. 999)' > x
	"$ROOT/test/fixtures/stream/ref.py" relu x > r
	run -0 check sigmoid act.f32 r
	run -0 --separate-stderr bash -e -o pipefail p2.sh
	assert_equal "$stderr" ""
	python3 -c 'import array, math
a = array.array("f"); a.frombytes(open("act.f32", "rb").read())
t = array.array("f"); t.frombytes(open("total.f32", "rb").read())
want = math.fsum((i + 1) * a[i] for i in range(len(a)))
assert len(t) == 1 and abs(t[0] - want) <= 1e-5 * abs(want), (t, want)'
	assert_regex "$output" '^ +[0-9.e+]+$'
}

@test "the README's text pipeline runs: the largest sines" {
	listing "Read and write text" > p3.sh
	[ -s p3.sh ]
	run -0 --separate-stderr bash -e -o pipefail p3.sh
	assert_equal "$stderr" ""
	assert_equal "$(cut -d' ' -f1 <<< "$output" | tr '\n' ' ')" \
		"$(python3 -c 'import math
v = sorted(range(100), key=lambda n: -math.sin(n))[:5]
print(" ".join(str(n + 1) for n in v), end=" ")')"
}
