#!/usr/bin/env bats
# atlas-compile-v1.bats - the original's v1.0 JSON kernels (reference
# section 3): hand-written fixtures in test/fixtures/v1 run unchanged with
# atlas-run, which lowers them at load time, and give the numbers perl
# computes; atlas-compile reads them too and writes them (--emit=v1).

bats_require_minimum_version 1.5.0
load helpers
load fixtures/compile/compile

V1=$ROOT/test/fixtures/v1

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T" || return 1
	unset ATLAS_KERNEL_PATH
}

@test "v1 vector_add: c = a + b, exactly" {
	{ list f32 0 inf nan 1e-45 && gen f32 4000 1; } > a
	{ list f32 -0 -inf 1 1e-45 && gen f32 4000 2; } > b
	kr "$V1/vector_add.json" a=a b=b c=c
	expect f32 c '$a + $b' a=f32:a b=f32:b
	# -0 + -0 is -0 (perl's own + would say 0)
	list f32 -0 > z
	kr "$V1/vector_add.json" a=z b=z c=zz
	cmp zz z
	# the guard n may be bound, to the number of elements
	kr "$V1/vector_add.json" a=a b=b c=c2 n=4004
	cmp c c2
}

@test "v1 vector_dot: a call statement atomic_add_f32(result, product)" {
	# small integers: every partial sum is exact, in any order
	gen f32 5000 1 -8 8 | "$KT" map f32 'int($x)' x=f32:/dev/stdin > a
	gen f32 5000 2 -8 8 | "$KT" map f32 'int($x)' x=f32:/dev/stdin > b
	kr "$V1/vector_dot.json" a=a b=b result=r
	perl -e 'binmode STDIN; local $/; my $d = <STDIN>;
		my @a = unpack("f<*", substr($d, 0, 20000));
		my @b = unpack("f<*", substr($d, 20000));
		my $s = 0; $s += $a[$_] * $b[$_] for 0 .. $#a;
		binmode STDOUT; print pack("f<", $s)' < <(cat a b) > want
	cmp r want
	# random floats: within a relative 1e-5 of the sum of |a b|
	gen f32 5000 3 > a
	gen f32 5000 4 > b
	kr "$V1/vector_dot.json" a=a b=b result=r
	run -0 perl -e 'binmode STDIN; local $/; my $d = <STDIN>;
		my @a = unpack("f<*", substr($d, 0, 20000));
		my @b = unpack("f<*", substr($d, 20000, 20000));
		my ($r) = unpack("f<", substr($d, 40000));
		my ($s, $m) = (0, 0);
		for (0 .. $#a) { $s += $a[$_] * $b[$_]; $m += abs($a[$_] * $b[$_]) }
		print abs($r - $s) <= 1e-5 * $m ? "ok\n" : "got $r, want $s\n"' \
		< <(cat a b r)
	assert_output "ok"
}

@test "v1 gemv_f32: one lane per row, a for loop over the columns" {
	# A is m x lda (n columns used), x has n elements, y = A x
	local m=300 n=37 lda=40
	gen f32 $((m * lda)) 1 -2 2 > A
	gen f32 $n 2 -2 2 > x
	# m, the lane-count guard, counts the rows: it must be given
	kr "$V1/gemv_f32.json" A=A x=x y=y m=$m n=$n lda=$lda
	perl -e 'my ($m, $n, $lda) = @ARGV;
		sub r32 { unpack("f<", pack("f<", $_[0])) }
		sub slurp { open(my $f, "<:raw", $_[0]) or die; local $/; <$f> }
		my @A = unpack("f<*", slurp("A"));
		my @x = unpack("f<*", slurp("x"));
		binmode STDOUT;
		for my $r (0 .. $m - 1) {
			my $s = 0;
			$s = r32($s + r32($A[$r * $lda + $_] * $x[$_])) for 0 .. $n - 1;
			print pack("f<", $s);
		}' $m $n $lda > want
	cmp y want
}

@test "v1 relu: an if with an else branch; NaN and -0 give +0" {
	{ list f32 0 -0 nan -nan inf -inf 1e-45 -1e-45 && gen f32 3000 1; } > a
	kr "$V1/relu.json" a=a b=b
	expect f32 b '$a > 0 ? $a : 0' a=f32:a
	cmp <(head -c 32 b) <(list f32 0 0 0 0 inf 0 1e-45 0)
}

@test "v1 layer_norm: three loops per position, float(), rsqrt" {
	local h=64 p=50
	gen f32 $((h * p)) 1 -3 5 > in
	gen f32 $h 2 0.5 1.5 > g
	gen f32 $h 3 -1 1 > be
	kr "$V1/layer_norm.json" input=in gamma=g beta=be output=out \
		hidden_dim=$h eps=1e-5
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

@test "v1 nested: ifs nested in a for loop, else branches, float(k)" {
	{ list f32 0 -1 1 nan && gen f32 3000 1; } > x
	kr "$V1/nested.json" x=x y=y
	expect f32 y 'my $a = 0; for my $k (1 .. 5) {
		if ($x > 0) { $a = $k > 2 ? r32($a + r32($x * $k)) : r32($a - 1) }
		else { $a = r32($a + 0.5) } } $a' x=f32:x
}

@test "v1 sigmoid: unary_op neg inside a call" {
	gen f32 3000 1 > a
	kr "$V1/sigmoid.json" a=a c=c
	expect_close f32 2 c 'r32(1 / r32(1 + r32(exp(-$a))))' a=f32:a
}

@test "v1 misc: if_expr, not, pos, op \"unknown\" for //, mod, bool literal" {
	gen f32 3000 1 > x
	kr "$V1/misc.json" x=x y=y
	expect f32 y 'my $v = int($i / 3) % 2 ? $x : -$x;
		$i % 3 != 1 ? 2 * $v : $v' x=f32:x
}

@test "v1 array of kernels: -k picks one" {
	gen f32 1000 1 > a
	gen f32 1000 2 > b
	kr -k relu "$V1/pair.json" a=a b=got
	kr "$V1/relu.json" a=a b=want
	cmp got want
	kr -k vector_add "$V1/pair.json" a=a b=b c=got
	kr "$V1/vector_add.json" a=a b=b c=want
	cmp got want
	# --emit=v1 writes the array back as it was
	kc "$V1/pair.json" pair.json --emit=v1
	cmp pair.json "$V1/pair.json"
}

@test "atlas-compile reads v1.0 JSON: the program form runs the same" {
	local k
	gen f32 2000 1 > a
	gen f32 2000 2 > b
	for k in vector_add relu sigmoid nested misc; do
		kc "$V1/$k.json" $k.json
		grep -q '"instructions"' $k.json
	done
	kr "$V1/vector_add.json" a=a b=b c=want
	kr vector_add.json a=a b=b c=got
	cmp got want
	kr "$V1/relu.json" a=a b=want
	kr relu.json a=a b=got
	cmp got want
	kr "$V1/nested.json" x=a y=want
	kr nested.json x=a y=got
	cmp got want
}

@test "--emit=v1 writes v1.0 JSON that atlas-run runs the same" {
	cat > k.py <<'EOF'
def k(a: DeviceArray[f32], b: DeviceArray[f32], n: u32):
    idx = get_global_id()
    if idx < n:
        v = a[idx]
        for j in range(3):
            v = v * 0.5 if v > 1.0 else v + 1.0
        b[idx] = -v if idx // 2 % 2 == 0 else v
EOF
	kc k.py k.v1.json --emit=v1
	run -0 grep -c '"version": "1.0"' k.v1.json
	assert_output 1
	kc k.py k.json
	gen f32 2000 1 > a
	kr k.json a=a b=want
	kr k.v1.json a=a b=got
	cmp got want
	# and read back by atlas-compile, it gives the same v1.0 text
	kc k.v1.json again.json --emit=v1
	cmp again.json k.v1.json
}

@test "--emit=v1 of a hand-written v1.0 kernel gives it back" {
	local k
	# (not misc.json: its op "unknown" is written back as "floor_div")
	for k in vector_add vector_dot gemv_f32 relu layer_norm nested sigmoid; do
		kc "$V1/$k.json" $k.json --emit=v1
		cmp $k.json "$V1/$k.json"
	done
}
