#!/usr/bin/env bats
# atlas-run-resident.bats - resident runs of atlas-run: kernels whose
# arrays are not all element arrays (records, resident and reduction
# arrays) or that update an array in place (inout) are read whole, run in
# one launch and written at the end.  Lane counts and output sizes are
# inferred or given (--lanes, --size); --max-resident bounds memory.
# Results are checked against perl.

bats_require_minimum_version 1.5.0
load helpers
load fixtures/compile/compile

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T" || return 1
	unset ATLAS_KERNEL_PATH
}

# slurp_f32 FILE - in perl: the f32 values of FILE (for use in -e code)
SLURP='sub slurp { open(my $f, "<:raw", $_[0]) or die "$_[0]: $!";
	local $/; my $d = <$f>; defined $d ? $d : "" }
	sub r32 { unpack("f<", pack("f<", $_[0])) }
	binmode STDOUT;'

# gemv_want M N LDA A X - y = A x, summed in order in f32, as gemv_f32 does
gemv_want() {
	perl -e "$SLURP"'
		my ($m, $n, $lda, $fa, $fx) = @ARGV;
		my @A = unpack("f<*", slurp($fa));
		my @x = unpack("f<*", slurp($fx));
		for my $r (0 .. $m - 1) {
			my $s = 0;
			$s = r32($s + r32($A[$r * $lda + $_] * $x[$_]))
				for 0 .. $n - 1;
			print pack("f<", $s);
		}' "$@"
}

# ---- which runs are resident ------------------------------------------------

@test "element-wise kernels stream; --lanes makes them resident" {
	f32 -1 0 1 2 > x
	run -0 --separate-stderr atlas-run -v -t 1 sigmoid a=x c=y
	assert_equal "$stderr" "atlas-run: sigmoid: 4 elements, 16 bytes in, \
16 bytes out, 1 chunks, 1 threads"
	run -0 --separate-stderr atlas-run -v -t 1 --lanes 2 sigmoid a=x c=y2
	assert_equal "$stderr" "atlas-run: sigmoid: 2 lanes, 16 bytes in, \
8 bytes out, resident, 1 threads"
	cmp y2 <(head -c 8 y)
	# a hand-written program that declares no access class streams
	run -0 --separate-stderr atlas-run -v -t 1 \
		"$ROOT/test/fixtures/programs/relu.s" x=x y=r
	assert_equal "$stderr" "atlas-run: relu: 4 elements, 16 bytes in, \
16 bytes out, 1 chunks, 1 threads"
	cmp r <(f32 0 0 1 2)
}

# ---- gemv_f32: resident A and x, element y, guard m ----------------------

@test "gemv_f32: A and x resident, y one element per lane, m rows" {
	local m=200 n=50 lda=64
	gen f32 $((m * lda)) 11 -2 2 > A
	gen f32 $n 12 -2 2 > x
	# A and x are resident arrays: streamed with them held whole, or run
	# resident, the counts are the same
	run -0 --separate-stderr atlas-run -v -t 1 gemv_f32 A=A x=x y=y \
		m=$m n=$n lda=$lda
	assert_regex "$stderr" "^atlas-run: gemv_f32: 200 (lanes|elements), \
51400 bytes in, 800 bytes out, (resident|[0-9]+ chunks), 1 threads$"
	gemv_want $m $n $lda A x > want
	near f32 y want 4 1e-4 $(echo "$n * 4 / 10000" | bc -l)
	# y to standard output; fewer rows than A holds
	run -0 --separate-stderr bash -c \
		"atlas-run gemv_f32 A=A x=x m=7 n=$n lda=$lda > y7"
	assert_equal "$stderr" ""
	head -c 28 want > want7
	near f32 y7 want7 4 1e-4 $(echo "$n * 4 / 10000" | bc -l)
	# m = 0: no lanes, an empty y
	atlas-run gemv_f32 A=A x=x y=y0 m=0 n=$n lda=$lda
	[ -f y0 ] && [ ! -s y0 ]
}

@test "gemv_f32 without m: cannot tell how many lanes, exit 1" {
	f32 1 2 3 4 > A
	f32 1 1 > x
	run -1 --separate-stderr atlas-run gemv_f32 A=A x=x y=y n=2 lda=2
	assert_output ""
	assert_equal "$stderr" "atlas-run: cannot tell how many lanes to run \
(bind m or give --lanes)"
	[ ! -s y ]
	# --lanes gives them, and m is bound to it
	run -0 --separate-stderr atlas-run --lanes 2 gemv_f32 A=A x=x y=y \
		n=2 lda=2
	assert_equal "$stderr" ""
	cmp y <(f32 3 7)
	# --size overrides an element output's size: the rest is zeros
	atlas-run --size y=3 gemv_f32 A=A x=x y=y m=2 n=2 lda=2
	cmp y <(f32 3 7 0)
}

@test "a lane fault writes nothing: exit 1, outputs empty" {
	f32 1 2 3 4 5 6 > A
	f32 1 1 1 > x
	run -1 --separate-stderr atlas-run gemv_f32 A=A x=x y=y m=2 n=3 \
		lda=100
	assert_output ""
	assert_regex "$stderr" "^atlas-run: $ROOT/share/atlas/kernels/\
gemv_f32\.json:[0-9]+:[0-9]+: buffer access out of bounds: offset 400 \
\+ size 12 > buffer size 24$"
	[ -f y ] && [ ! -s y ]
}

# ---- gemm_f32: no guard, resident output ------------------------------------

@test "gemm_f32: --lanes and --size C=COUNT, C = A B" {
	local m=20 n=30 k=40 lda=41 ldb=32 ldc=33
	gen f32 $((m * lda)) 13 -2 2 > A
	gen f32 $((k * ldb)) 14 -2 2 > B
	run -0 --separate-stderr atlas-run --lanes $((m * n)) \
		--size C=$((m * ldc)) gemm_f32 A=A B=B C=C m=$m n=$n k=$k \
		lda=$lda ldb=$ldb ldc=$ldc
	assert_equal "$stderr" ""
	perl -e "$SLURP"'
		my ($m, $n, $k, $lda, $ldb, $ldc) = @ARGV;
		my @A = unpack("f<*", slurp("A"));
		my @B = unpack("f<*", slurp("B"));
		my @C = (0) x ($m * $ldc);
		for my $i (0 .. $m - 1) {
			for my $j (0 .. $n - 1) {
				my $s = 0;
				$s = r32($s + r32($A[$i * $lda + $_] *
					$B[$_ * $ldb + $j])) for 0 .. $k - 1;
				$C[$i * $ldc + $j] = $s;
			}
		}
		print pack("f<*", @C)' $m $n $k $lda $ldb $ldc > want
	near f32 C want 4 1e-4 $(echo "$k * 4 / 10000" | bc -l)
}

@test "gemm_f32: rows of A and C are records of lda and ldc, m lanes" {
	f32 1 2 3 4 > A
	# streamed: the rows of A read as records of lda, C written as
	# records of ldc; m, the lane-count guard, bound or taken from A
	atlas-run gemm_f32 A=A B=A C=C m=2 n=2 k=2 lda=2 ldb=2 ldc=2
	cmp C <(f32 7 10 15 22)
	atlas-run gemm_f32 A=A B=A C=C n=2 k=2 lda=2 ldb=2 ldc=2
	cmp C <(f32 7 10 15 22)
	# resident (--lanes): C is lanes x ldc elements
	atlas-run --lanes 2 gemm_f32 A=A B=A C=C m=2 n=2 k=2 lda=2 ldb=2 \
		ldc=2
	cmp C <(f32 7 10 15 22)
	# a wider ldc: the spare elements of each row of C stay zero
	atlas-run gemm_f32 A=A B=A C=C n=2 k=2 lda=2 ldb=2 ldc=3
	cmp C <(f32 7 10 0 15 22 0)
}

# ---- reductions ------------------------------------------------------------------

@test "vector_dot and vector_sum: a reduction output of 1 element" {
	# small integers: every partial sum is exact, in any order
	gen f32 100000 8 -8 8 | "$KT" map f32 'int($x)' x=f32:/dev/stdin > a
	gen f32 100000 9 -8 8 | "$KT" map f32 'int($x)' x=f32:/dev/stdin > b
	run -0 --separate-stderr atlas-run vector_dot a=a b=b result=r
	assert_equal "$stderr" ""
	run -0 --separate-stderr bash -c 'atlas-run vector_sum < a > s'
	assert_equal "$stderr" ""
	perl -e "$SLURP"'
		my @a = unpack("f<*", slurp("a"));
		my @b = unpack("f<*", slurp("b"));
		my ($d, $s) = (0, 0);
		for (0 .. $#a) { $d += $a[$_] * $b[$_]; $s += $a[$_] }
		print pack("f<*", $d, $s)' > want
	cmp <(cat r s) want
	# --threads 2: the same bytes
	atlas-run -t 2 vector_sum a=a result=s2
	cmp s2 s
	# --size gives the reduction more elements; the others stay zero
	atlas-run --size result=3 vector_sum a=a result=s3
	cmp s3 <(cat s; f32 0 0)
	# no input: zero lanes, the sum is 0
	atlas-run vector_sum a=/dev/null result=z
	cmp z <(f32 0)
}

@test "element inputs of different lengths: exit 1" {
	f32 1 2 3 > a
	f32 1 2 > b
	run -1 --separate-stderr atlas-run vector_dot a=a b=b result=r
	assert_output ""
	assert_equal "$stderr" \
		"atlas-run: inputs differ in length: b ended after 2 elements, a has more"
	# the reduction over the lanes both hold is written first
	cmp r <(f32 5)
}

# ---- records ---------------------------------------------------------------------

@test "layer_norm: record input and output of hidden_dim elements" {
	local h=48 p=100
	gen f32 $((h * p)) 15 -3 5 > in
	gen f32 $h 16 0.5 1.5 > g
	gen f32 $h 17 -1 1 > be
	run -0 --separate-stderr atlas-run -v -t 1 layer_norm input=in \
		gamma=g beta=be output=out hidden_dim=$h eps=1e-5
	assert_regex "$stderr" "^atlas-run: layer_norm: 100 (lanes|elements), \
19584 bytes in, 19200 bytes out, (resident|[0-9]+ chunks), 1 threads$"
	perl -e "$SLURP"'
		my ($h) = @ARGV;
		my @x = unpack("f<*", slurp("in"));
		my @g = unpack("f<*", slurp("g"));
		my @b = unpack("f<*", slurp("be"));
		for (my $o = 0; $o < @x; $o += $h) {
			my ($m, $v) = (0, 0);
			$m += $x[$o + $_] for 0 .. $h - 1;
			$m /= $h;
			$v += ($x[$o + $_] - $m) ** 2 for 0 .. $h - 1;
			$v /= $h;
			print pack("f<", $g[$_] * ($x[$o + $_] - $m) /
				sqrt($v + 1e-5) + $b[$_]) for 0 .. $h - 1;
		}' $h > want
	run -0 "$KT" close f32 out want 4 1e-5 1e-5
	# num_positions bound: that many records
	atlas-run layer_norm input=in gamma=g beta=be output=out3 \
		hidden_dim=$h eps=1e-5 num_positions=3
	cmp out3 <(head -c $((3 * h * 4)) out)
}

@test "a record input that is not a whole number of records: exit 1" {
	f32 1 2 3 4 5 6 7 8 9 10 > in
	f32 1 1 1 1 > g
	f32 0 0 0 0 > be
	run -1 --separate-stderr atlas-run layer_norm input=in gamma=g \
		beta=be output=out hidden_dim=4 eps=1e-5
	assert_output ""
	assert_equal "$stderr" \
		"atlas-run: in: trailing partial record (2 of 4 elements)"
	run -1 --separate-stderr atlas-run layer_norm input=in gamma=g \
		beta=be output=out hidden_dim=0 eps=1e-5
	assert_equal "$stderr" "atlas-run: hidden_dim: the record length of \
'input' must be positive"
}

# ---- inout -----------------------------------------------------------------------

# dbl.json: x[i] = x[i] * 2.0, x read and written
dbl() {
	kernel dbl <<'EOF'
def dbl(x: DeviceArray[f32], n: u32):
    i = get_global_id()
    if i < n:
        x[i] = x[i] * 2.0
EOF
}

@test "inout: the file is replaced by the result, mode and links kept" {
	dbl
	run -0 grep -c '"use": "inout"' dbl.json
	gen f32 3000 1 > x
	"$KT" map f32 '2 * $x' x=f32:x > want
	chmod 640 x
	run -0 --separate-stderr atlas-run ./dbl.json x=x
	assert_output ""
	assert_equal "$stderr" ""
	cmp x want
	run -0 stat -c %a x
	assert_output 640
	# through a symbolic link: its target is replaced, the link stays
	ln -s x link
	atlas-run ./dbl.json x=link
	[ -L link ]
	"$KT" map f32 '2 * $x' x=f32:want > want4
	cmp x want4
	# no new file is left beside it
	run -0 bash -c 'ls -A | grep -c "^x\." || true'
	assert_output 0
}

@test "inout: '-' and the stdin default read stdin and write stdout" {
	dbl
	f32 1 -2 3.5 > x
	cp x x0
	run -0 --separate-stderr bash -c 'atlas-run ./dbl.json x=- < x > y'
	assert_equal "$stderr" ""
	cmp y <(f32 2 -4 7)
	run -0 --separate-stderr bash -c 'atlas-run ./dbl.json < x > y2'
	assert_equal "$stderr" ""
	cmp y2 y
	cat x | atlas-run ./dbl.json | cat > y3
	cmp y3 y
	cmp x x0
}

@test "inout: a fault or a write error leaves the file as it was" {
	kernel idiv <<'EOF'
def idiv(y: DeviceArray[i32], d: DeviceArray[i32], n: u32):
    i = get_global_id()
    if i < n:
        y[i] = y[i] // d[i]
EOF
	perl -e 'print pack("l<*", 10, 20, 30)' > y
	perl -e 'print pack("l<*", 2, 0, 3)' > d
	cp y y0
	run -1 --separate-stderr atlas-run ./idiv.json y=y d=d
	assert_output ""
	assert_regex "$stderr" \
		'^atlas-run: \./idiv\.json:[0-9]+:[0-9]+: division by zero$'
	cmp y y0
	# x is replaced only after y reached standard output
	kernel two <<'EOF'
def two(x: DeviceArray[f32], y: DeviceArray[f32], n: u32):
    i = get_global_id()
    if i < n:
        y[i] = x[i]
        x[i] = 1.0
EOF
	f32 5 6 7 > x
	cp x x0
	run -1 --separate-stderr bash -c 'atlas-run ./two.json x=x > /dev/full'
	assert_equal "$stderr" \
		"atlas-run: write error: No space left on device"
	cmp x x0
	[ "$(ls | grep -c '^x\.')" -eq 0 ]
	atlas-run ./two.json x=x > y
	cmp y x0
	cmp x <(f32 1 1 1)
}

@test "inout from stdin and an output to stdout: standard output twice" {
	kernel two <<'EOF'
def two(x: DeviceArray[f32], y: DeviceArray[f32], n: u32):
    i = get_global_id()
    if i < n:
        y[i] = x[i]
        x[i] = 1.0
EOF
	f32 5 > x
	run -1 --separate-stderr bash -c 'atlas-run ./two.json < x'
	assert_output ""
	assert_equal "$stderr" \
		"atlas-run: standard output is bound to both 'x' and 'y'"
}

# ---- limits and option errors ----------------------------------------------------

@test "--max-resident: an input or output over it, exit 1" {
	gen f32 256 1 > A
	f32 1 1 > x
	run -0 --separate-stderr atlas-run --max-resident 1K gemv_f32 A=A x=x \
		y=y m=128 n=2 lda=2
	assert_equal "$stderr" ""
	gen f32 257 1 > A
	run -1 --separate-stderr atlas-run --max-resident 1k gemv_f32 A=A \
		x=x y=y m=128 n=2 lda=2
	assert_output ""
	assert_equal "$stderr" \
		"atlas-run: A: resident input larger than 1024 bytes"
	# from a pipe too
	run -1 --separate-stderr bash -c 'cat A | atlas-run \
		--max-resident=1000 gemv_f32 A=- x=x y=y m=128 n=2 lda=2'
	assert_equal "$stderr" \
		"atlas-run: A: resident input larger than 1000 bytes"
	# an output
	run -1 --separate-stderr atlas-run --max-resident 1K --size y=257 \
		gemv_f32 A=x x=x y=y m=1 n=2 lda=2
	assert_equal "$stderr" \
		"atlas-run: y: resident output larger than 1024 bytes"
}

@test "--lanes, --max-resident and --size: malformed values, exit 2" {
	local v
	for v in '' x -1 1.5 ' 1' 1KB 0x10 99999999999999999999; do
		run -2 --separate-stderr atlas-run --lanes="$v" gemv_f32
		assert_output ""
		assert_equal "$stderr" "atlas-run: invalid lane count '$v'
Try 'atlas-run --help' for more information."
	done
	for v in '' 0 x 1T 1M1; do
		run -2 --separate-stderr atlas-run --max-resident="$v" gemv_f32
		assert_equal "$stderr" \
			"atlas-run: invalid size '$v' for --max-resident
Try 'atlas-run --help' for more information."
	done
	for v in C =4 C= C=x C=-1; do
		run -2 --separate-stderr atlas-run --size "$v" gemm_f32
		assert_equal "$stderr" \
			"atlas-run: invalid size '$v' (expected name=count)
Try 'atlas-run --help' for more information."
	done
}

@test "--size names an output array of the kernel, else exit 1" {
	f32 1 2 3 4 > A
	run -1 --separate-stderr atlas-run --size Z=3 gemm_f32 A=A B=A C=C
	assert_output ""
	assert_equal "$stderr" \
		"atlas-run: --size: kernel gemm_f32 has no array 'Z'"
	run -1 --separate-stderr atlas-run --size m=3 gemm_f32 A=A B=A C=C
	assert_equal "$stderr" \
		"atlas-run: --size: kernel gemm_f32 has no array 'm'"
	run -1 --separate-stderr atlas-run --size A=3 gemm_f32 A=A B=A C=C
	assert_equal "$stderr" \
		"atlas-run: --size: array 'A' is an input: its size is its file's"
	# checked before any file is opened
	[ ! -e C ]
}

@test "a trailing partial element of a resident input: exit 1" {
	{ f32 1 2 3 4; printf 'ab'; } > A
	f32 1 1 > x
	run -1 --separate-stderr atlas-run gemv_f32 A=A x=x y=y m=2 n=2 lda=2
	assert_output ""
	assert_equal "$stderr" "atlas-run: A: trailing partial element \
(2 bytes; f32 elements are 4 bytes)"
	[ ! -s y ]
}

# ---- threads ---------------------------------------------------------------------

@test "--threads 1 and 2 give the same bytes" {
	local m=70000 n=9 lda=9
	gen f32 $((m * lda)) 21 -2 2 > A
	gen f32 $n 22 -2 2 > x
	atlas-run -t 1 gemv_f32 A=A x=x y=y1 m=$m n=$n lda=$lda
	atlas-run -t 2 gemv_f32 A=A x=x y=y2 m=$m n=$n lda=$lda
	cmp y1 y2
	gemv_want $m $n $lda A x > want
	near f32 y1 want 4 1e-4 $(echo "$n * 4 / 10000" | bc -l)
	local h=16 p=70000
	gen f32 $((h * p)) 23 -3 5 > in
	gen f32 $h 24 0.5 1.5 > g
	gen f32 $h 25 -1 1 > be
	atlas-run -t 1 layer_norm input=in gamma=g beta=be output=o1 \
		hidden_dim=$h eps=1e-5
	atlas-run -t 2 layer_norm input=in gamma=g beta=be output=o2 \
		hidden_dim=$h eps=1e-5
	cmp o1 o2
}

# ---- documentation ---------------------------------------------------------------

@test "atlas-run(1) EXAMPLES: gemv_f32, vector_dot and gemm_f32" {
	man_examples "$ROOT/man/man1/atlas-run.1" raw > examples.sh
	run -0 --separate-stderr bash -e examples.sh
	assert_output --regexp '0000000 +-2 +-2'
	cmp Av.f32 <(f32 -2 -2)
	cmp dot.f32 <(f32 2)
	cmp AB.f32 <(f32 9 12 24 33)
}
