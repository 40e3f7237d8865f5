#!/usr/bin/env bats
# kernels.bats - the bundled kernels (share/atlas/kernels/*.py, built to
# .json by make): each runs by name with atlas-run and gives what perl
# computes: exactly, or within the stated ulps (transcendentals) or
# relative error (sums and kernels of several roundings).

bats_require_minimum_version 1.5.0
load helpers
load fixtures/compile/compile

KDIR=$ROOT/share/atlas/kernels

MAX=3.4028234663852886e38

setup_file() {
	local d=$BATS_FILE_TMPDIR
	# special values: +-0, +-inf, NaN, the smallest subnormal, the
	# largest float; and pairs of them for the binary kernels
	"$KT" list f32 0 -0 inf -inf nan 1e-45 $MAX -$MAX > "$d/xs"
	"$KT" list f32 -0 -0 1 inf 2 -1e-45 2 0.5 > "$d/ys"
	"$KT" gen f32 5000 1 > "$d/x"
	"$KT" gen f32 5000 2 > "$d/y"
	"$KT" gen f32 5000 3 0.001 100 > "$d/pos"
	export D=$d
}

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T" || return 1
	unset ATLAS_KERNEL_PATH
}

# (atlas-compile.bats checks that each .json is what atlas-compile makes
# of its .py.)
@test "the bundled kernels are the original stdlib names, and gelu, softmax" {
	local k
	for k in vector_add vector_sub vector_mul vector_div vector_min \
		vector_max vector_pow vector_abs vector_neg vector_sqrt \
		vector_rsqrt exp log sin cos relu sigmoid tanh_activation \
		vector_dot vector_sum gemv_f32 gemm_f32 layer_norm gelu softmax; do
		[ -f "$KDIR/$k.py" ]
		[ -f "$KDIR/$k.json" ]
	done
}

# binary KERNEL EXPR WANT... - c = KERNEL(a, b) is exactly perl's EXPR on
# $D/x and $D/y, and the WANT values on the special pairs $D/xs, $D/ys
# (perl's own arithmetic loses the sign of zeros: these are by hand),
# within ULP (default 0) there
binary() {
	local k=$1 expr=$2
	shift 2
	kr "$k" a="$D/x" b="$D/y" c=c
	expect f32 c "$expr" a=f32:"$D/x" b=f32:"$D/y"
	kr "$k" a="$D/xs" b="$D/ys" c=cs
	list f32 "$@" > cs.want
	near f32 cs cs.want "${ULP:-0}"
}

# unary KERNEL ULP EXPR [IN] - b = KERNEL(a) is within ULP of EXPR (the
# output parameter is b, or $OUT)
unary() {
	local in=${4:-$D/x}
	kr "$1" a="$in" "${OUT:-b}"=b
	expect_close f32 "$2" b "$3" a=f32:"$in"
}

# special KERNEL ULP WANT... - KERNEL(a) on the special values $D/xs is
# within ULP of the WANT values
special() {
	local k=$1 ulp=$2
	shift 2
	kr "$k" a="$D/xs" "${OUT:-b}"=bs
	list f32 "$@" > bs.want
	near f32 bs bs.want "$ulp"
}

@test "vector_add, vector_sub, vector_mul, vector_div are exact" {
	binary vector_add '$a + $b' 0 -0 inf nan nan 0 $MAX -$MAX
	binary vector_sub '$a - $b' 0 0 inf -inf nan 2.8e-45 $MAX -$MAX
	binary vector_mul '$a * $b' -0 0 inf -inf nan -0 inf -1.7014117e38
	binary vector_div '$a / $b' nan nan inf nan nan -1 1.7014117e38 -inf
}

@test "vector_min and vector_max: a NaN gives the other operand" {
	# min(0, -0) and max(0, -0) may be either zero (ULP=1)
	ULP=1 binary vector_min 'min($a, $b)' -0 -0 1 -inf 2 -1e-45 2 -$MAX
	ULP=1 binary vector_max 'max($a, $b)' 0 -0 inf inf 2 1e-45 $MAX 0.5
}

@test "vector_pow is within 1 ulp of pow" {
	gen f32 5000 4 -4 4 > b
	kr vector_pow a="$D/pos" b=b c=c
	expect_close f32 1 c '$a ** $b' a=f32:"$D/pos" b=f32:b
	# integer exponents of negative bases
	list f32 -2 -2 -3 -0.5 > a
	list f32 3 2 -1 -2 > b
	kr vector_pow a=a b=b c=c
	cmp c <(list f32 -8 4 -0.33333334 4)
}

@test "vector_abs, vector_neg, vector_sqrt are exact" {
	unary vector_abs 0 'abs($a)'
	special vector_abs 0 0 0 inf inf nan 1e-45 $MAX $MAX
	unary vector_neg 0 '-$a'
	special vector_neg 0 -0 0 -inf inf nan -1e-45 -$MAX $MAX
	unary vector_sqrt 0 'sqrt($a)' "$D/pos"
	special vector_sqrt 0 0 -0 inf nan nan 3.74339213e-23 1.8446743e19 nan
}

@test "vector_rsqrt, exp, log, sin, cos are within 1 ulp" {
	unary vector_rsqrt 1 '1 / sqrt($a)' "$D/pos"
	special vector_rsqrt 1 inf -inf 0 nan nan 2.67137389e22 5.42101102e-20 nan
	gen f32 5000 5 -87 88 > e
	unary exp 1 'exp($a)' e
	special exp 1 1 1 inf 0 nan 1 inf 0
	unary log 1 'log($a)' "$D/pos"
	special log 1 -inf -inf inf nan nan -103.27893 88.7228391 nan
	gen f32 5000 6 -100 100 > t
	unary sin 1 'sin($a)' t
	special sin 1 0 -0 nan nan nan 1e-45 -0.521876523 0.521876523
	unary cos 1 'cos($a)' t
	special cos 1 1 1 nan nan nan 1 0.85302104 0.85302104
}

@test "relu: negative values, -0 and NaN give +0" {
	unary relu 0 '$a > 0 ? $a : 0'
	special relu 0 0 0 inf 0 0 1e-45 $MAX 0
}

@test "sigmoid and tanh_activation are within 2 ulp" {
	OUT=c unary sigmoid 2 'sigm($a)'
	OUT=c special sigmoid 0 0.5 0.5 1 0 nan 0.5 1 0
	unary tanh_activation 2 'POSIX::tanh($a)'
	special tanh_activation 0 0 -0 1 -1 nan 1e-45 1 -1
}

@test "gelu is x * Phi(x), within 1e-5 relative or 1e-6 absolute" {
	gen f32 5000 7 -6 6 > a
	kr gelu a=a b=b
	"$KT" map f32 '0.5 * $a * (1 + POSIX::erf($a / sqrt(2)))' a=f32:a > want
	near f32 b want 4 1e-5 1e-6
}

@test "vector_dot and vector_sum: one result, the sum over every lane" {
	# small integers: each partial sum is exact, whatever the order
	gen f32 5000 8 -8 8 | "$KT" map f32 'int($x)' x=f32:/dev/stdin > a
	gen f32 5000 9 -8 8 | "$KT" map f32 'int($x)' x=f32:/dev/stdin > b
	kr vector_dot a=a b=b result=r
	perl -e 'sub slurp { open(my $f, "<:raw", $_[0]) or die; local $/; <$f> }
		my @a = unpack("f<*", slurp("a"));
		my @b = unpack("f<*", slurp("b"));
		my ($d, $s) = (0, 0);
		for (0 .. $#a) { $d += $a[$_] * $b[$_]; $s += $a[$_] }
		binmode STDOUT; print pack("f<*", $d, $s)' > want
	kr vector_sum a=a result=s
	cmp <(cat r s) want
	# the same on 200000 elements: several chunks, several threads
	gen f32 200000 10 -8 8 | "$KT" map f32 'int($x)' x=f32:/dev/stdin > a
	kr -t 4 vector_sum a=a result=s
	perl -e 'open(my $f, "<:raw", "a") or die; local $/;
		my $s = 0; $s += $_ for unpack("f<*", <$f>);
		binmode STDOUT; print pack("f<", $s)' > want
	cmp s want
	kr -t 1 vector_sum a=a result=s1
	cmp s1 s
}

@test "gemv_f32: y = A x, one row per lane, within 1e-4 relative" {
	local m=200 n=50 lda=64
	gen f32 $((m * lda)) 11 -2 2 > A
	gen f32 $n 12 -2 2 > x
	kr gemv_f32 A=A x=x y=y m=$m n=$n lda=$lda
	perl -e 'my ($m, $n, $lda) = @ARGV;
		sub r32 { unpack("f<", pack("f<", $_[0])) }
		sub slurp { open(my $f, "<:raw", $_[0]) or die; local $/; <$f> }
		my @A = unpack("f<*", slurp("A"));
		my @x = unpack("f<*", slurp("x"));
		binmode STDOUT;
		for my $r (0 .. $m - 1) {
			my $s = 0;
			$s = r32($s + r32($A[$r * $lda + $_] * $x[$_]))
				for 0 .. $n - 1;
			print pack("f<", $s);
		}' $m $n $lda > want
	# OpenBLAS sums in its own order: 1e-4 relative (issue 7), or 1e-4
	# of the largest sum of |A x| terms (n * 4) where they cancel
	near f32 y want 4 1e-4 $(echo "$n * 4 / 10000" | bc -l)
}

@test "gemm_f32: C = A B, one row of C per lane, within 1e-4 relative" {
	local m=20 n=30 k=40 lda=41 ldb=32 ldc=30
	gen f32 $((m * lda)) 13 -2 2 > A
	gen f32 $((k * ldb)) 14 -2 2 > B
	# one lane per row of C, which is resident: lanes and size given
	kr gemm_f32 A=A B=B C=C m=$m n=$n k=$k lda=$lda ldb=$ldb ldc=$ldc \
		--lanes $((m * n)) --size C=$((m * ldc))
	perl -e 'my ($m, $n, $k, $lda, $ldb, $ldc) = @ARGV;
		sub r32 { unpack("f<", pack("f<", $_[0])) }
		sub slurp { open(my $f, "<:raw", $_[0]) or die; local $/; <$f> }
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
		binmode STDOUT; print pack("f<*", @C)' \
		$m $n $k $lda $ldb $ldc > want
	near f32 C want 4 1e-4 $(echo "$k * 4 / 10000" | bc -l)
}

@test "layer_norm: each row to mean 0, variance 1, then gamma and beta" {
	local h=48 p=100
	gen f32 $((h * p)) 15 -3 5 > in
	gen f32 $h 16 0.5 1.5 > g
	gen f32 $h 17 -1 1 > be
	kr layer_norm input=in gamma=g beta=be output=out hidden_dim=$h \
		eps=1e-5
	perl -e 'my ($h) = @ARGV;
		sub slurp { open(my $f, "<:raw", $_[0]) or die; local $/; <$f> }
		my @x = unpack("f<*", slurp("in"));
		my @g = unpack("f<*", slurp("g"));
		my @b = unpack("f<*", slurp("be"));
		binmode STDOUT;
		for (my $o = 0; $o < @x; $o += $h) {
			my ($m, $v) = (0, 0);
			$m += $x[$o + $_] for 0 .. $h - 1;
			$m /= $h;
			$v += ($x[$o + $_] - $m) ** 2 for 0 .. $h - 1;
			$v /= $h;
			print pack("f<", $g[$_] * ($x[$o + $_] - $m) /
				sqrt($v + 1e-5) + $b[$_]) for 0 .. $h - 1;
		}' $h > want
	near f32 out want 4 1e-5 1e-5
}

@test "softmax: each row of cols elements sums to 1" {
	local cols=37 rows=120
	gen f32 $((cols * rows)) 18 -30 30 > x
	kr softmax x=x y=y cols=$cols
	perl -e 'my ($c) = @ARGV;
		open(my $f, "<:raw", "x") or die; local $/;
		my @x = unpack("f<*", <$f>);
		binmode STDOUT;
		for (my $o = 0; $o < @x; $o += $c) {
			my @r = @x[$o .. $o + $c - 1];
			my $m = $r[0];
			$_ > $m and $m = $_ for @r;
			my $s = 0;
			$s += exp($_ - $m) for @r;
			print pack("f<*", map { exp($_ - $m) / $s } @r);
		}' $cols > want
	near f32 y want 8 1e-5 1e-9
}
