#!/usr/bin/env bats
# atlas-compile-lang.bats - every construct of the Python kernel language:
# each test compiles a kernel with atlas-compile, runs it with atlas-run
# and compares the result with values computed independently in perl
# (test/fixtures/compile/kt.pl).

bats_require_minimum_version 1.5.0
load helpers
load fixtures/compile/compile

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T" || return 1
	unset ATLAS_KERNEL_PATH
}

# ---- definitions, parameters, imports ---------------------------------------

@test "DeviceArray[T] and scalar parameters of every integer type" {
	local t a b
	for t in i8 u8 i16 u16 i32 u32 i64 u64; do
		kernel axpb_$t <<EOF
from atlas_kernel import DeviceArray, get_global_id

def axpb_$t(x: DeviceArray[$t], y: DeviceArray[$t], a: $t, b: $t, n: u32):
    i = get_global_id()
    if i < n:
        y[i] = a * x[i] + b
EOF
		gen $t 1000 7 > x
		case $t in
		u*) a=3 b=250 ;;
		*) a=-3 b=100 ;;
		esac
		kr axpb_$t.json x=x y=y a=$a b=$b
		expect $t y "$a * \$x + $b" x=$t:x
	done
}

@test "DeviceArray[f32], DeviceArray[f64], and float scalars" {
	local t
	for t in f32 f64; do
		kernel axpb_$t <<EOF
from atlas_kernel import DeviceArray, get_global_id

def axpb_$t(x: DeviceArray[$t], y: DeviceArray[$t], a: $t, b: $t, n: u32):
    i = get_global_id()
    if i < n:
        y[i] = a * x[i] + b
EOF
		gen $t 1000 3 > x
		kr axpb_$t.json x=x y=y a=2 b=0.1
		if [ $t = f32 ]; then
			expect f32 y 'r32(2 * $x + r32(0.1))' x=f32:x
		else
			expect f64 y '2 * $x + 0.1' x=f64:x
		fi
	done
}

@test "'int' is i32 and 'float' is f32, as in the original" {
	kernel k <<'EOF'
def k(x: DeviceArray[int], y: DeviceArray[float], a: int, b: float, n: int):
    i = get_global_id()
    if i < n:
        y[i] = float(x[i] * a) + b
EOF
	gen i32 1000 5 -100000 100000 > x
	kr k.json x=x y=y a=-7 b=0.5
	expect f32 y '$x * -7 + 0.5' x=i32:x
	# an i32 scalar takes no value outside i32
	run -1 --separate-stderr atlas-run k.json x=x y=y a=2147483648 b=0
	assert_output ""
	assert_equal "$stderr" "atlas-run: a: invalid value '2147483648' for i32"
}

@test "from atlas_kernel import lines, one or several, with * too" {
	kernel k <<'EOF'
from atlas_kernel import DeviceArray
from atlas_kernel import get_global_id, f32, u32
from atlas_kernel import (atlas_kernel,
                          inline)
from atlas_kernel import *

@atlas_kernel
def k(x: DeviceArray[f32], y: DeviceArray[f32], n: u32):
    i = get_global_id()
    if i < n:
        y[i] = x[i] + 1.0
EOF
	gen f32 100 1 > x
	kr k.json x=x y=y
	expect f32 y '$x + 1' x=f32:x
}

@test "docstrings and comments are ignored wherever Python allows them" {
	kernel k <<'EOF'
"""Module docstring: "quotes", 'apostrophes' and # not a comment."""
# a comment before the import
from atlas_kernel import DeviceArray, get_global_id  # trailing comment

# between definitions


def k(x: DeviceArray[f32],   # first parameter
      y: DeviceArray[f32],   # second, on its own line
      n: u32):
    """Add one.

    A multi-line docstring: if i < n: y[i] = 0.0  # still a string
    """
    # a comment at the body's indentation
    i = get_global_id()  # comment after a statement
  # a comment at a smaller indentation is no dedent
    if i < n:   # after a colon
        # only a comment here
        y[i] = (x[i]    # inside parentheses
                + 1.0)  # the expression goes on
        # last line of the block is a comment
# trailing comment at column 1, no newline at the end
EOF
	printf '    # and one more' >> k.py
	kc k.py k.json
	gen f32 100 2 > x
	kr k.json x=x y=y
	expect f32 y '$x + 1' x=f32:x
}

@test "@atlas_kernel marks a kernel; undecorated annotated functions are kernels" {
	kernel k <<'EOF'
from atlas_kernel import atlas_kernel, DeviceArray, get_global_id

@atlas_kernel
def k(x: DeviceArray[f32], y: DeviceArray[f32], n: u32):
    i = get_global_id()
    if i < n:
        y[i] = x[i] * 3.0
EOF
	gen f32 100 3 > x
	kr k.json x=x y=y
	expect f32 y '$x * 3' x=f32:x
}

# ---- get_global_id, assignment ---------------------------------------------

@test "get_global_id() is the lane number, across blocks and chunks" {
	kernel gid <<'EOF'
def gid(x: DeviceArray[u32], y: DeviceArray[u32], n: u32):
    i = get_global_id()
    if i < n:
        y[i] = u32(i) * 3 + x[i]
EOF
	gen u32 70001 1 0 1000 > x
	kr gid.json x=x y=y
	expect u32 y '$i * 3 + $x' x=u32:x
	# -t 3 and a bound n give the same lanes
	kr -t 3 gid.json x=x y=y3 n=70001
	cmp y y3
}

@test "assignment: first binding, rebinding, in branches, array elements" {
	kernel k <<'EOF'
def k(x: DeviceArray[f32], y: DeviceArray[f32], n: u32):
    i = get_global_id()
    if i < n:
        v = x[i]
        w = v * 2.0
        v = w + 1.0
        if v > 0.0:
            t = v
        else:
            t = -v
        y[i] = 0.0
        y[i] = t + 0.5
EOF
	gen f32 2000 4 > x
	kr k.json x=x y=y
	expect f32 y 'my $v = r32(2 * $x + 1); r32(abs($v) + 0.5)' x=f32:x
}

@test "an array both read and written is updated in place (inout)" {
	kernel k <<'EOF'
def k(x: DeviceArray[f32], y: DeviceArray[f32], n: u32):
    i = get_global_id()
    if i < n:
        y[i] = y[i] * 2.0 + x[i]
        y[i] += 1.0
EOF
	gen f32 3000 1 > x
	gen f32 3000 2 > y
	cp y y0
	kr k.json x=x y=y
	expect f32 y 'r32(r32(2 * $y + $x) + 1)' x=f32:x y=f32:y0
}

# aug T OP [RHS] - compile a kernel that does v = a[i]; v OP= RHS; y[i] = v
# (RHS: b[i] by default).
aug() {
	kernel aug <<EOF
from atlas_kernel import DeviceArray, get_global_id

def aug(a: DeviceArray[$1], b: DeviceArray[$1], y: DeviceArray[$1], n: u32):
    i = get_global_id()
    if i < n:
        v = a[i]
        v $2 ${3:-b[i]}
        y[i] = v
EOF
}

@test "augmented assignment on i32: + - * // % ** & | ^ << >>" {
	gen i32 2000 1 > a
	gen i32 2000 2 > b
	gen i32 2000 3 1 100 > d0
	"$KT" map i32 '$i % 2 ? -$d : $d' d=i32:d0 > d
	# special cases first: floor division and modulo of each sign,
	# and INT_MIN // -1, which wraps
	{ list i32 -7 7 -7 7 0 -2147483648 -2147483648 && gen i32 1993 4; } > a2
	{ list i32 2 -2 -2 2 3 -1 7 && cat d; } | head -c 8000 > d2
	gen i32 2000 5 -1048576 1048576 > p
	gen i32 2000 7 0 31 > s
	local op expr in
	while IFS=';' read -r op expr in; do
		aug i32 "$op"
		kr aug.json $in y=y
		expect i32 y "$expr" ${in//=/=i32:}
	done <<'EOF'
+=;$a + $b;a=a b=b
-=;$a - $b;a=a b=b
*=;$a * $b;a=a b=b
//=;fdiv($a, $b);a=a2 b=d2
%=;pmod($a, $b);a=a2 b=d2
&=;$a & $b;a=a b=b
|=;$a | $b;a=a b=b
^=;$a ^ $b;a=a b=b
<<=;$a << $b;a=a b=s
>>=;POSIX::floor($a / 2 ** $b);a=a b=s
EOF
	# an integer power needs a constant exponent; it wraps
	aug i32 '**=' 3
	kr aug.json a=p b=p y=y
	expect i32 y '$a * $a * $a' a=i32:p
	aug i32 '**=' 0
	kr aug.json a=p b=p y=y
	expect i32 y '1' a=i32:p
	aug i32 '**=' 2
	kr aug.json a=a b=a y=y
	expect i32 y '$a * $a' a=i32:a
}

@test "augmented assignment on u32 and u8: unsigned division, logical shift" {
	local t n
	for t in u32 u8; do
		[ $t = u32 ] && n=31 || n=7
		gen $t 2000 1 > a
		gen $t 2000 2 1 200 > b
		gen $t 2000 3 0 $n > s
		aug $t '//='
		kr aug.json a=a b=b y=y
		expect $t y 'int($a / $b)' a=$t:a b=$t:b
		aug $t '%='
		kr aug.json a=a b=b y=y
		expect $t y '$a % $b' a=$t:a b=$t:b
		aug $t '>>='
		kr aug.json a=a b=s y=y
		expect $t y '$a >> $b' a=$t:a b=$t:s
		aug $t '<<='
		kr aug.json a=a b=s y=y
		expect $t y '$a << $b' a=$t:a b=$t:s
		aug $t '-='
		kr aug.json a=s b=a y=y
		expect $t y '$a - $b' a=$t:s b=$t:a
	done
}

@test "augmented assignment on f32: + - * / // % **" {
	gen f32 2000 1 > a
	gen f32 2000 2 > b
	gen f32 2000 3 0.5 4 > p
	gen f32 2000 4 -3 3 > e
	aug f32 '+='
	kr aug.json a=a b=b y=y
	expect f32 y '$a + $b' a=f32:a b=f32:b
	aug f32 '-='
	kr aug.json a=a b=b y=y
	expect f32 y '$a - $b' a=f32:a b=f32:b
	aug f32 '*='
	kr aug.json a=a b=b y=y
	expect f32 y '$a * $b' a=f32:a b=f32:b
	aug f32 '/='
	kr aug.json a=a b=b y=y
	expect f32 y '$a / $b' a=f32:a b=f32:b
	aug f32 '//='
	kr aug.json a=a b=b y=y
	expect f32 y 'POSIX::floor(r32($a / $b))' a=f32:a b=f32:b
	aug f32 '%='
	kr aug.json a=a b=b y=y
	expect_rel f32 1e-5 y 'pfmod($a, $b)' a=f32:a b=f32:b
	aug f32 '**='
	kr aug.json a=p b=e y=y
	expect_close f32 2 y '$a ** $b' a=f32:p b=f32:e
}

# ---- control flow -------------------------------------------------------------

@test "if / elif / else, nested, and if without else" {
	kernel k <<'EOF'
def k(x: DeviceArray[f32], y: DeviceArray[i32], n: u32):
    i = get_global_id()
    if i < n:
        v = x[i]
        r = 0
        if v < -10.0:
            r = 1
        elif v < 0.0:
            r = 2
            if v > -1.0:
                r = 20
        elif v == 0.0:
            r = 3
        else:
            if v > 10.0:
                r = 4
            else:
                r = 5
        if v > 15.0:
            r += 100
        y[i] = r
EOF
	{ list f32 0 -0 -10 10 -1 -0.5 15 && gen f32 2000 1; } > x
	kr k.json x=x y=y
	expect i32 y '($x < -10 ? 1 : $x < 0 ? ($x > -1 ? 20 : 2) :
		$x == 0 ? 3 : $x > 10 ? 4 : 5) + ($x > 15 ? 100 : 0)' x=f32:x
}

@test "for in range(stop), range(start, stop), range(start, stop, step)" {
	kernel k <<'EOF'
def k(x: DeviceArray[i32], y: DeviceArray[i32], m: i32, n: u32):
    i = get_global_id()
    if i < n:
        s = 0
        for j in range(m):
            s += j * x[i]
        for j in range(3, 7):
            s += j
        for j in range(1, 20, 3):
            s += 1000 * j
        for j in range(5, 5):
            s += 1000000
        for j in range(10, 0):
            s += 1000000
        y[i] = s
EOF
	gen i32 1000 1 -100 100 > x
	kr k.json x=x y=y m=6
	expect i32 y '15 * $x + 18 + 1000 * 70' x=i32:x
	kr k.json x=x y=y m=0
	expect i32 y '18 + 1000 * 70' x=i32:x
	kr k.json x=x y=y m=-4
	expect i32 y '18 + 1000 * 70' x=i32:x
}

@test "for with a negative step, literal or from a parameter" {
	kernel k <<'EOF'
def k(x: DeviceArray[i32], y: DeviceArray[i32], st: i32, n: u32):
    i = get_global_id()
    if i < n:
        s = 0
        for j in range(10, 0, -2):
            s = s * 10 + j
        for j in range(x[i], -1, -1):
            s += 1
        for j in range(0, 10, -1):
            s += 1000000
        for j in range(20, 0, st):
            s += 7
        y[i] = s
EOF
	gen i32 1000 1 -3 30 > x
	# 10, 8, 6, 4, 2 -> 108642 (wraps nothing in i32)
	kr k.json x=x y=y st=-5
	expect i32 y '(((10 * 10 + 8) * 10 + 6) * 10 + 4) * 10 + 2 +
		($x >= 0 ? $x + 1 : 0) + 7 * 4' x=i32:x
	kr k.json x=x y=y st=3
	expect i32 y '108642 + ($x >= 0 ? $x + 1 : 0)' x=i32:x
}

@test "for with bounds that differ from lane to lane" {
	kernel k <<'EOF'
def k(x: DeviceArray[u32], y: DeviceArray[f32], n: u32):
    i = get_global_id()
    if i < n:
        s = 0.0
        for j in range(x[i]):
            s += 0.5
        for j in range(x[i] % 7, x[i], 3):
            s += 1.0
        y[i] = s
EOF
	gen u32 5000 1 0 40 > x
	kr k.json x=x y=y
	expect f32 y 'my $s = $x * 0.5; for (my $j = $x % 7; $j < $x;
		$j += 3) { $s += 1 } $s' x=u32:x
}

@test "while loops, break and continue, nested loops" {
	kernel k <<'EOF'
def k(x: DeviceArray[i32], y: DeviceArray[i32], z: DeviceArray[i32], n: u32):
    i = get_global_id()
    if i < n:
        v = x[i]
        steps = 0
        while v != 1:
            if v % 2 == 0:
                v = v // 2
            else:
                v = 3 * v + 1
            steps += 1
            if steps >= 50:
                break
        y[i] = steps
        s = 0
        for a in range(6):
            if a == 2:
                continue
            j = 0
            while True:
                j += 1
                if j % 2 == 1:
                    continue
                if j > x[i] % 9:
                    break
                s += a * j
            if a == 4:
                break
        z[i] = s
EOF
	gen i32 3000 1 1 1000 > x
	kr k.json x=x y=y z=z
	expect i32 y 'my ($v, $s) = ($x, 0); while ($v != 1) {
		$v = $v % 2 ? 3 * $v + 1 : $v / 2; last if ++$s >= 50 } $s' \
		x=i32:x
	expect i32 z 'my $s = 0; for my $a (0, 1, 3, 4) {
		for (my $j = 2; $j <= $x % 9; $j += 2) { $s += $a * $j } } $s' \
		x=i32:x
}

@test "return ends the lane early; a bare return at the end is allowed" {
	kernel k <<'EOF'
def k(x: DeviceArray[f32], y: DeviceArray[f32], n: u32):
    i = get_global_id()
    if i >= n:
        return
    y[i] = 1.0
    if x[i] < 0.0:
        y[i] = -1.0
        return
    for j in range(10):
        if j > 3:
            y[i] = x[i] + f32(j)
            return
    y[i] = 99.0
    return
EOF
	gen f32 3000 1 > x
	kr k.json x=x y=y
	expect f32 y '$x < 0 ? -1 : $x + 4' x=f32:x
}

@test "a if c else b: both branches typed, only the chosen one runs" {
	kernel k <<'EOF'
def k(x: DeviceArray[f32], y: DeviceArray[f32], n: u32):
    i = get_global_id()
    if i < n:
        v = x[i] if x[i] > 0.0 else -2.0 * x[i]
        w = 1.0 if v > 10.0 else (2.0 if v > 5.0 else 3.0)
        # x[i + 1] past the end must not be read in the last lane
        nxt = x[i + 1] if i + 1 < n else 0.0
        y[i] = v + w + nxt
EOF
	gen f32 2049 1 > x
	# n is used beyond the guard: it must be bound
	# x is read at i + 1 (resident) and y has no input to size it
	kr k.json x=x y=y n=2049 --lanes 2049
	perl -e 'binmode STDIN; local $/; print substr(<STDIN>, 4), pack("f<", 0)' \
		< x > xn
	expect f32 y 'my $v = $x > 0 ? $x : r32(-2 * $x);
		my $w = $v > 10 ? 1 : $v > 5 ? 2 : 3; r32(r32($v + $w) + $nx)' \
		x=f32:x nx=f32:xn
}

@test "and / or / not short-circuit: the right side runs only when needed" {
	kernel k <<'EOF'
def k(x: DeviceArray[f32], y: DeviceArray[u32], n: u32):
    i = get_global_id()
    if i < n:
        r = 0
        # the last lane must not read x[n]; lane 0 must not read x[-1]
        if i + 1 < n and x[i + 1] > x[i]:
            r += 1
        if i + 1 >= n or x[i + 1] < 0.0:
            r += 2
        if not (i == 0 or x[i - 1] <= 0.0):
            r += 4
        if i > 0 and i + 1 < n and x[i - 1] < x[i] and x[i] < x[i + 1]:
            r += 8
        if not x[i] > 0.0 and not x[i] < -5.0:
            r += 16
        y[i] = r
EOF
	gen f32 4097 1 > x
	kr k.json x=x y=y n=4097 --lanes 4097
	perl -e 'binmode STDIN; local $/; print substr(<STDIN>, 4), pack("f<", 0)' \
		< x > xn
	perl -e 'binmode STDIN; local $/; my $d = <STDIN>;
		print pack("f<", 0), substr($d, 0, length($d) - 4)' < x > xp
	expect u32 y 'my $n = 4097; my $r = 0;
		$r += 1 if $i + 1 < $n && $nx > $x;
		$r += 2 if $i + 1 >= $n || $nx < 0;
		$r += 4 if !($i == 0 || $px <= 0);
		$r += 8 if $i > 0 && $i + 1 < $n && $px < $x && $x < $nx;
		$r += 16 if !($x > 0) && !($x < -5); $r' \
		x=f32:x nx=f32:xn px=f32:xp
}

@test "bool: scalar parameters, True and False, bool(), pass" {
	kernel k <<'EOF'
def k(x: DeviceArray[f32], m: DeviceArray[u8], y: DeviceArray[f32], z: DeviceArray[u8], flag: bool, n: u32):
    i = get_global_id()
    if i < n:
        pos = x[i] > 0.0
        z[i] = u8(pos)
        if bool(m[i]) and flag:
            r = x[i]
        elif pos or not flag:
            pass
            r = 1.0
        else:
            r = f32(bool(x[i])) + f32(m[i]) + 5.0
        done = False
        while not done:
            done = True
            if flag == False:
                r += 100.0
        y[i] = r
EOF
	{ list f32 1 -1 0 -2 && gen f32 1000 1; } > x
	{ list u8 1 1 0 0 && gen u8 1000 2 0 1; } > m
	# a bool scalar is bound as 0 or 1
	kr k.json x=x m=m y=y z=z flag=1
	expect f32 y '$m && 1 ? $x : $x > 0 ? 1 : ($x != 0) + $m + 5' \
		x=f32:x m=u8:m
	expect u8 z '$x > 0 ? 1 : 0' x=f32:x
	kr k.json x=x m=m y=y z=z flag=0
	expect f32 y '101' x=f32:x
}

# ---- expressions ----------------------------------------------------------------

@test "comparisons: < <= > >= == !=, chains, NaN compares false" {
	kernel k <<'EOF'
def k(a: DeviceArray[f32], b: DeviceArray[f32], y: DeviceArray[u32], n: u32):
    i = get_global_id()
    if i < n:
        r = 0
        if a[i] < b[i]:
            r |= 1
        if a[i] <= b[i]:
            r |= 2
        if a[i] > b[i]:
            r |= 4
        if a[i] >= b[i]:
            r |= 8
        if a[i] == b[i]:
            r |= 16
        if a[i] != b[i]:
            r |= 32
        if -5.0 <= a[i] < 5.0:
            r |= 64
        if a[i] < b[i] < 0.0 <= a[i] + 30.0:
            r |= 128
        if 0.0 < a[i] != b[i] > 1.0:
            r |= 256
        y[i] = r
EOF
	{ list f32 1 1 nan 1 nan -inf && gen f32 2000 1 -6 6; } > a
	{ list f32 1 2 1 nan nan inf && gen f32 2000 2 -6 6; } > b
	kr k.json a=a b=b y=y
	expect u32 y 'my $r = 0; $r |= 1 if $a < $b; $r |= 2 if $a <= $b;
		$r |= 4 if $a > $b; $r |= 8 if $a >= $b; $r |= 16 if $a == $b;
		$r |= 32 if $a != $b; $r |= 64 if -5 <= $a && $a < 5;
		$r |= 128 if $a < $b && $b < 0 && 0 <= r32($a + 30);
		$r |= 256 if 0 < $a && $a != $b && $b > 1; $r' a=f32:a b=f32:b
}

@test "integer comparisons are signed for signed types, unsigned for unsigned" {
	local t
	for t in i32 u32 i8 u8 i64; do
		kernel cmp <<EOF
def cmp(a: DeviceArray[$t], b: DeviceArray[$t], y: DeviceArray[u8], n: u32):
    i = get_global_id()
    if i < n:
        r = u8(0)
        if a[i] < b[i]:
            r = u8(1)
        elif a[i] == b[i]:
            r = u8(2)
        y[i] = r
EOF
		{ list $t 0 -1 5 && gen $t 1000 1; } > a
		{ list $t 0 1 5 && gen $t 1000 2; } > b
		kr cmp.json a=a b=b y=y
		expect u8 y '$a < $b ? 1 : $a == $b ? 2 : 0' a=$t:a b=$t:b
	done
}

@test "arithmetic on i32: + - * // % ** with negative operands, wrapping" {
	kernel k <<'EOF'
def k(a: DeviceArray[i32], b: DeviceArray[i32], y0: DeviceArray[i32], y1: DeviceArray[i32], y2: DeviceArray[i32], y3: DeviceArray[i32], y4: DeviceArray[i32], n: u32):
    i = get_global_id()
    if i < n:
        p = a[i]
        q = b[i]
        y0[i] = p + q * 3 - 7
        y1[i] = p * q
        y2[i] = p // q
        y3[i] = p % q
        y4[i] = (q % 5) ** 3 - -p
EOF
	{ list i32 -7 7 -7 7 -2147483648 2147483647 && gen i32 2000 1; } > a
	gen i32 2000 2 1 1000 > q
	{ list i32 2 -2 -2 2 -1 -1 && "$KT" map i32 '$i % 3 ? $q : -$q' q=i32:q; } > b
	kr k.json a=a b=b y0=y0 y1=y1 y2=y2 y3=y3 y4=y4
	expect i32 y0 '$a + $b * 3 - 7' a=i32:a b=i32:b
	expect i32 y1 '$a * $b' a=i32:a b=i32:b
	expect i32 y2 'fdiv($a, $b)' a=i32:a b=i32:b
	expect i32 y3 'pmod($a, $b)' a=i32:a b=i32:b
	expect i32 y4 'pmod($b, 5) ** 3 + $a' a=i32:a b=i32:b
	# an integer division by zero is a run-time error
	list i32 1 0 > z
	run -1 --separate-stderr atlas-run k.json a=a b=z y0=y0 y1=y1 y2=y2 \
		y3=y3 y4=y4 n=2
	assert_output ""
	assert_equal "${stderr##*: }" "division by zero"
}

@test "arithmetic on f32 and f64: + - * / // % **, unary minus and plus" {
	local t r
	for t in f32 f64; do
		kernel k <<EOF
def k(a: DeviceArray[$t], b: DeviceArray[$t], y0: DeviceArray[$t], y1: DeviceArray[$t], y2: DeviceArray[$t], y3: DeviceArray[$t], y4: DeviceArray[$t], y5: DeviceArray[$t], n: u32):
    i = get_global_id()
    if i < n:
        p = a[i]
        q = b[i]
        y0[i] = p + q
        y1[i] = p - q * 2.0
        y2[i] = -p / +q
        y3[i] = p // q
        y4[i] = p % q
        y5[i] = abs(p) ** 0.5
EOF
		{ list $t 7 -7 7 -7 -0.5 && gen $t 1000 1; } > a
		{ list $t 2 2 -2 -2 0.25 && gen $t 1000 2; } > b
		kr k.json a=a b=b y0=y0 y1=y1 y2=y2 y3=y3 y4=y4 y5=y5
		[ $t = f32 ] && r='r32' || r=''
		expect $t y0 '$a + $b' a=$t:a b=$t:b
		expect $t y1 '$a - 2 * $b' a=$t:a b=$t:b
		expect $t y2 '-$a / $b' a=$t:a b=$t:b
		expect $t y3 "POSIX::floor($r(\$a / \$b))" a=$t:a b=$t:b
		expect_rel $t 1e-6 y4 'pfmod($a, $b)' a=$t:a b=$t:b
		expect_close $t 1 y5 'sqrt(abs($a))' a=$t:a
	done
}

@test "integers wrap in u8, i8, u16, i16 and u32 arithmetic" {
	local t
	for t in u8 i8 u16 i16 u32; do
		kernel w <<EOF
def w(a: DeviceArray[$t], b: DeviceArray[$t], y0: DeviceArray[$t], y1: DeviceArray[$t], y2: DeviceArray[$t], n: u32):
    i = get_global_id()
    if i < n:
        y0[i] = a[i] * b[i] + 100
        y1[i] = a[i] - b[i] - 1
        y2[i] = -a[i] * 7
EOF
		gen $t 3000 1 > a
		gen $t 3000 2 > b
		kr w.json a=a b=b y0=y0 y1=y1 y2=y2
		expect $t y0 '$a * $b + 100' a=$t:a b=$t:b
		expect $t y1 '$a - $b - 1' a=$t:a b=$t:b
		expect $t y2 '-$a * 7' a=$t:a
	done
}

@test "bitwise & | ^ << >> ~ on u32, i32 and u8" {
	local t
	for t in u32 i32 u8; do
		kernel bits <<EOF
def bits(a: DeviceArray[$t], s: DeviceArray[u32], y0: DeviceArray[$t], y1: DeviceArray[$t], y2: DeviceArray[$t], y3: DeviceArray[$t], y4: DeviceArray[$t], y5: DeviceArray[$t], n: u32):
    i = get_global_id()
    if i < n:
        p = a[i]
        y0[i] = p & 0x5a
        y1[i] = p | 0x81
        y2[i] = p ^ ~p << 1
        y3[i] = p << s[i]
        y4[i] = p >> s[i]
        y5[i] = ~p
EOF
		gen $t 2000 1 > a
		if [ $t = u8 ]; then gen u32 2000 2 0 7; else gen u32 2000 2 0 31; fi > s
		kr bits.json a=a s=s y0=y0 y1=y1 y2=y2 y3=y3 y4=y4 y5=y5
		expect $t y0 '$a & 0x5a' a=$t:a
		expect $t y1 '$a | 0x81' a=$t:a
		expect $t y2 "\$a ^ wrap('$t', ~\$a << 1)" a=$t:a
		expect $t y3 '$a << $s' a=$t:a s=u32:s
		expect $t y4 'POSIX::floor($a / 2 ** $s)' a=$t:a s=u32:s
		expect $t y5 '~$a' a=$t:a
	done
}

@test "unary -, +, ~ and not" {
	kernel k <<'EOF'
def k(a: DeviceArray[i32], x: DeviceArray[f32], y0: DeviceArray[i32], y1: DeviceArray[i32], y2: DeviceArray[i32], z: DeviceArray[f32], n: u32):
    i = get_global_id()
    if i < n:
        p = a[i]
        y0[i] = -p
        y1[i] = ~-+p
        y2[i] = 1 if not p > 0 else 0
        z[i] = -x[i] + +x[i] * -(-2.0)
EOF
	{ list i32 0 -2147483648 2147483647 && gen i32 1000 1; } > a
	{ list f32 0 -0 inf && gen f32 1000 2; } > x
	kr k.json a=a x=x y0=y0 y1=y1 y2=y2 z=z
	expect i32 y0 '-$a' a=i32:a
	expect i32 y1 '~(-$a)' a=i32:a
	expect i32 y2 '$a > 0 ? 0 : 1' a=i32:a
	expect f32 z '-$x + 2 * $x' x=f32:x
}

@test "indexing: computed indices, reads of other lanes, gathers" {
	kernel k <<'EOF'
def k(x: DeviceArray[f32], idx: DeviceArray[u32], y: DeviceArray[f32], z: DeviceArray[f32], n: u32):
    i = get_global_id()
    if i < n:
        y[i] = x[n - 1 - i] + x[idx[i]]
        if i > 0 and i < n - 1:
            z[i] = x[i - 1] + x[i] + x[i + 1]
        else:
            z[i] = x[i]
EOF
	gen f32 3000 1 > x
	gen u32 3000 2 0 2999 > idx
	kr k.json x=x idx=idx y=y z=z n=3000
	# X: all of x, read once
	local X='@X = unpack("f<*", do { local $/; open(my $f, "<:raw", "x")
		or die; <$f> }) unless @X; my $n = @X;'
	expect f32 y "$X"' r32($X[$n - 1 - $i] + $X[$j])' j=u32:idx
	expect f32 z "$X"' $i > 0 && $i < $n - 1 ?
		r32(r32($X[$i - 1] + $X[$i]) + $X[$i + 1]) : $X[$i]' j=u32:idx
}

@test "indexing: records, lane i touching elements K*i to K*i+K-1" {
	kernel k <<'EOF'
def k(x: DeviceArray[f32], y: DeviceArray[f32], z: DeviceArray[f32], n: u32):
    i = get_global_id()
    if i < n:
        for j in range(3):
            y[i * 3 + j] = x[2 * i] * f32(j + 1)
        y[3 * i + 2] = x[i * 2 + 1] * 3.0 + 0.25
        z[i] = x[2 * i] + x[2 * i + 1]
EOF
	gen f32 4000 1 > x
	kr k.json x=x y=y z=z
	perl -e 'binmode STDIN; local $/; my @x = unpack("f<*", <STDIN>);
		sub r32 { unpack("f<", pack("f<", $_[0])) }
		binmode STDOUT;
		for (my $i = 0; $i < @x; $i += 2) {
			print pack("f<*", $x[$i], 2 * $x[$i],
				r32(3 * $x[$i + 1]) + 0.25);
		}' < x > ywant
	cmp y ywant
	perl -e 'binmode STDIN; local $/; my @x = unpack("f<*", <STDIN>);
		binmode STDOUT;
		for (my $i = 0; $i < @x; $i += 2) {
			print pack("f<", $x[$i] + $x[$i + 1]);
		}' < x > zwant
	cmp z zwant
}

# ---- calls ---------------------------------------------------------------------

# math T F ULP PERL [LO HI] - y[i] = F(x[i]) on T within ULP of PERL($x)
math1() {
	local t=$1 f=$2 ulp=$3 ref=$4
	kernel m <<EOF
def m(x: DeviceArray[$t], y: DeviceArray[$t], n: u32):
    i = get_global_id()
    if i < n:
        y[i] = $f(x[i])
EOF
	gen $t 3000 11 "${5:--20}" "${6:-20}" > x
	kr m.json x=x y=y
	expect_close $t "$ulp" y "$ref" x=$t:x
}

@test "math calls on f32: exp log log2 log10 sqrt rsqrt sin cos tan tanh sigmoid erf" {
	math1 f32 exp 1 'exp($x)' -80 80
	math1 f32 log 1 'log($x)' 0.001 1000
	math1 f32 log2 1 'POSIX::log2($x)' 0.001 1000
	math1 f32 log10 1 'POSIX::log10($x)' 0.001 1000
	math1 f32 sqrt 0 'sqrt($x)' 0 1000
	math1 f32 rsqrt 1 '1 / sqrt($x)' 0.001 1000
	math1 f32 sin 1 'sin($x)' -100 100
	math1 f32 cos 1 'cos($x)' -100 100
	math1 f32 tan 2 'POSIX::tan($x)' -1.5 1.5
	math1 f32 tanh 2 'POSIX::tanh($x)'
	math1 f32 sigmoid 2 'sigm($x)'
	math1 f32 erf 2 'POSIX::erf($x)' -5 5
}

@test "math calls on f64: exp log sqrt sin cos tanh erf" {
	# perl's libm is not correctly rounded either: one more ulp
	math1 f64 exp 2 'exp($x)' -700 700
	math1 f64 log 2 'log($x)' 0.001 1000
	math1 f64 sqrt 0 'sqrt($x)' 0 1000
	math1 f64 sin 2 'sin($x)' -100 100
	math1 f64 cos 2 'cos($x)' -100 100
	math1 f64 tanh 3 'POSIX::tanh($x)'
	math1 f64 erf 3 'POSIX::erf($x)' -5 5
}

@test "floor, ceil, round (halfway cases to even) and abs are exact" {
	math1 f32 floor 0 'POSIX::floor($x)'
	math1 f32 ceil 0 'POSIX::ceil($x)'
	math1 f32 abs 0 'abs($x)'
	math1 f64 floor 0 'POSIX::floor($x)'
	math1 f32 round 0 'rne($x)'
	# halfway cases to even, as Python's round()
	list f32 0.5 1.5 2.5 -0.5 -1.5 -2.5 0.49999997 -0 8388609 > x
	kr m.json x=x y=y
	cmp y <(list f32 0 2 2 -0 -2 -2 0 -0 8388609)
	math1 f64 round 0 'rne($x)'
}

@test "abs, min, max on integers and floats; pow" {
	kernel k <<'EOF'
def k(a: DeviceArray[i32], b: DeviceArray[i32], x: DeviceArray[f32], z: DeviceArray[f32], y0: DeviceArray[i32], y1: DeviceArray[i32], y2: DeviceArray[i32], w0: DeviceArray[f32], w1: DeviceArray[f32], w2: DeviceArray[f32], n: u32):
    i = get_global_id()
    if i < n:
        y0[i] = abs(a[i])
        y1[i] = min(a[i], b[i])
        y2[i] = max(a[i], b[i])
        w0[i] = min(x[i], z[i])
        w1[i] = max(x[i], abs(z[i]))
        w2[i] = pow(abs(x[i]), z[i] / 10.0)
EOF
	{ list i32 -2147483648 -5 0 && gen i32 1000 1; } > a
	{ list i32 7 -6 -0 && gen i32 1000 2; } > b
	gen f32 1003 3 > x
	gen f32 1003 4 > z
	kr k.json a=a b=b x=x z=z y0=y0 y1=y1 y2=y2 w0=w0 w1=w1 w2=w2
	# abs wraps: abs(-2^31) is -2^31
	expect i32 y0 'abs($a)' a=i32:a
	expect i32 y1 'min($a, $b)' a=i32:a b=i32:b
	expect i32 y2 'max($a, $b)' a=i32:a b=i32:b
	expect f32 w0 'min($x, $z)' x=f32:x z=f32:z
	expect f32 w1 'max($x, abs($z))' x=f32:x z=f32:z
	expect_close f32 2 w2 'abs($x) ** r32($z / 10)' x=f32:x z=f32:z
}

@test "float(), int() and type-named casts convert as Python does in range" {
	kernel k <<'EOF'
def k(x: DeviceArray[f32], a: DeviceArray[i32], y0: DeviceArray[i32], y1: DeviceArray[i32], z0: DeviceArray[f32], z1: DeviceArray[f32], w: DeviceArray[f64], u: DeviceArray[u8], v: DeviceArray[i64], n: u32):
    i = get_global_id()
    if i < n:
        y0[i] = int(x[i])
        y1[i] = i32(x[i] * 100.0)
        z0[i] = float(a[i])
        z1[i] = f32(a[i] // 3) + f32(u32(a[i]) % 7)
        w[i] = f64(x[i]) * 0.1
        u[i] = u8(a[i])
        v[i] = i64(a[i]) * i64(a[i]) + i64(i)
EOF
	{ list f32 -0.9 0.9 -2.5 2.5 -0 && gen f32 1000 1 -1000 1000; } > x
	{ list i32 -1 255 256 -256 16777217 && gen i32 1000 2; } > a
	kr k.json x=x a=a y0=y0 y1=y1 z0=z0 z1=z1 w=w u=u v=v
	expect i32 y0 'int($x)' x=f32:x
	expect i32 y1 'int(r32($x * 100))' x=f32:x
	expect f32 z0 '$a' a=i32:a
	expect f32 z1 'r32(fdiv($a, 3)) + wrap("u32", $a) % 7' a=i32:a
	expect f64 w '$x * 0.1' x=f32:x
	expect u8 u '$a' a=i32:a
	expect i64 v '$a * $a + $i' a=i32:a
}

@test "float to integer casts saturate at 32 and 64 bits, wrap below" {
	kernel k <<'EOF'
def k(x: DeviceArray[f32], y0: DeviceArray[i32], y1: DeviceArray[u32], y2: DeviceArray[i8], y3: DeviceArray[u16], n: u32):
    i = get_global_id()
    if i < n:
        y0[i] = i32(x[i])
        y1[i] = u32(x[i])
        y2[i] = i8(x[i])
        y3[i] = u16(x[i])
EOF
	list f32 5e9 -5e9 3e9 nan -1.5 300.7 -300.7 70000 inf -inf > x
	kr k.json x=x y0=y0 y1=y1 y2=y2 y3=y3
	cmp y0 <(list i32 2147483647 -2147483648 2147483647 0 -1 300 -300 \
		70000 2147483647 -2147483648)
	cmp y1 <(list u32 4294967295 0 3000000000 0 0 300 0 70000 4294967295 0)
	cmp y2 <(list i8 -1 0 -1 0 -1 44 -44 112 -1 0)
	cmp y3 <(list u16 65535 0 65535 0 65535 300 65236 4464 65535 0)
}

@test "casts between every integer width truncate or extend" {
	local from to
	for from in i8 u16 i32 u64; do
		for to in u8 i16 u32 i64 f64; do
			kernel c <<EOF
def c(x: DeviceArray[$from], y: DeviceArray[$to], n: u32):
    i = get_global_id()
    if i < n:
        y[i] = $to(x[i])
EOF
			{ list $from 0 1 -1 127 128 255 256 65535 && gen $from 500 1; } > x
			kr c.json x=x y=y
			expect $to y '$x' x=$from:x
		done
	done
}

# ---- atomics and parallel operations ----------------------------------------

@test "atomics: atomic_add_f32/u32/i32, atomic_add(arr, i, v), atomic_min" {
	kernel atom <<'EOF'
from atlas_kernel import DeviceArray, get_global_id, atomic_add_f32, atomic_add_u32, atomic_add_i32, atomic_add, atomic_min

def atom(x: DeviceArray[f32], a: DeviceArray[u32], b: DeviceArray[i32], s: DeviceArray[f32], su: DeviceArray[u32], si: DeviceArray[i32], m: DeviceArray[f32], c: DeviceArray[u32], n: u32):
    i = get_global_id()
    if i < n:
        atomic_add_f32(s, x[i])
        atomic_add_u32(su, a[i])
        atomic_add_i32(si, b[i])
        atomic_min(m, 0, x[i])
        atomic_add(c, 2, 1)
EOF
	# integers in x: the f32 sum is exact in any order; sums wrap
	gen f32 3000 1 -100 100 | "$KT" map f32 'int($x)' x=f32:/dev/stdin > x
	gen u32 3000 2 > a
	gen i32 3000 3 > b
	# c is a reduction target indexed by 2: three elements
	kr atom.json x=x a=a b=b s=s su=su si=si m=m c=c --size c=3
	perl -e 'sub slurp { open(my $f, "<:raw", $_[0]) or die; local $/; <$f> }
		my @x = unpack("f<*", slurp("x"));
		my ($s, $m) = (0, $x[0]);
		for (@x) { $s += $_; $m = $_ if $_ < $m }
		my ($u, $i) = (0, 0);
		$u += $_ for unpack("L<*", slurp("a"));
		$i += $_ for unpack("l<*", slurp("b"));
		binmode STDOUT;
		print pack("f<", $s), pack("L<", $u % 2**32),
			pack("l<", unpack("l<", pack("L<", $i % 2**32))),
			pack("f<", $m), pack("L<*", 0, 0, scalar @x)' > want
	cmp <(cat s su si m c) want
}

@test "atomic_add(arr, i, v) gives the element's previous value" {
	kernel slot <<'EOF'
def slot(x: DeviceArray[f32], c: DeviceArray[u32], y: DeviceArray[u32], n: u32):
    i = get_global_id()
    if i < n:
        if x[i] > 0.0:
            y[i] = atomic_add(c, 0, 1)
        else:
            y[i] = u32(4294967295)
EOF
	gen f32 1000 1 > x
	# c is read and written: it starts from a file of one zero
	perl -e 'print pack("L<", 0)' > c
	kr slot.json x=x c=c y=y
	# every positive element got a different slot, 0 to count - 1
	run -0 perl -e 'sub slurp { open(my $f, "<:raw", $_[0]) or die;
			local $/; <$f> }
		my @x = unpack("f<*", slurp("x"));
		my @y = unpack("L<*", slurp("y"));
		my ($c) = unpack("L<", slurp("c"));
		my @s = sort { $a <=> $b } map { $y[$_] } grep { $x[$_] > 0 } 0 .. $#x;
		my $ok = @s == $c && !grep { $s[$_] != $_ } 0 .. $#s;
		$ok &&= !grep { $x[$_] <= 0 && $y[$_] != 4294967295 } 0 .. $#x;
		print $ok ? "ok\n" : "bad\n"'
	assert_output ok
}

@test "parallel_map_unary, parallel_map_binary, parallel_reduce" {
	kernel pm <<'EOF'
def pm(x: DeviceArray[f32], z: DeviceArray[f32], y: DeviceArray[f32], w: DeviceArray[f32], r: DeviceArray[f32], n: u32):
    parallel_map_unary(x, y, "sqrt", n)
    parallel_map_binary(x, z, w, "add", n)
    parallel_reduce(x, r, "sum", n)
EOF
	gen f32 1000 1 0 100 | "$KT" map f32 'int($x)' x=f32:/dev/stdin > x
	gen f32 1000 2 > z
	# one lane runs each whole-array operation once
	kr pm.json x=x z=z y=y w=w r=r n=1000 --lanes 1 --size y=1000 \
		--size w=1000 --size r=1
	expect f32 y 'sqrt($x)' x=f32:x
	expect f32 w '$x + $z' x=f32:x z=f32:z
	"$KT" map f32 'our $s += $x; $i == 999 ? $s : ()' x=f32:x > rwant
	# r[0] holds the result; r is a resident array of the launch's size
	cmp <(head -c 4 r) rwant
}

@test "parallel_map_unary: every operation" {
	local op expr
	gen f32 1000 1 -3 3 > x
	while read -r op expr; do
		kernel pm <<EOF
def pm(x: DeviceArray[f32], y: DeviceArray[f32], n: u32):
    parallel_map_unary(x, y, "$op", n)
EOF
		kr pm.json x=x y=y n=1000 --lanes 1 --size y=1000
		expect_close f32 2 y "$expr" x=f32:x
	done <<'EOF'
abs abs($x)
neg -$x
sqrt $x < 0 ? "nan" : sqrt($x)
exp exp($x)
log $x <= 0 ? ($x == 0 ? "-inf" : "nan") : log($x)
sin sin($x)
cos cos($x)
tan POSIX::tan($x)
sigmoid sigm($x)
tanh POSIX::tanh($x)
relu $x > 0 ? $x : 0
ceil POSIX::ceil($x)
floor POSIX::floor($x)
round rne($x)
reciprocal 1 / $x
erf POSIX::erf($x)
EOF
}

@test "parallel_map_binary and parallel_reduce: every operation" {
	local op expr
	gen f32 1000 1 0.5 3 > a
	gen f32 1000 2 -3 3 > b
	while read -r op expr; do
		kernel pm <<EOF
def pm(a: DeviceArray[f32], b: DeviceArray[f32], y: DeviceArray[f32], n: u32):
    parallel_map_binary(a, b, y, "$op", n)
EOF
		kr pm.json a=a b=b y=y n=1000 --lanes 1 --size y=1000
		expect_close f32 2 y "$expr" a=f32:a b=f32:b
	done <<'EOF'
add $a + $b
sub $a - $b
mul $a * $b
div $a / $b
pow $a ** $b
min min($a, $b)
max max($a, $b)
atan2 atan2($a, $b)
EOF
	# small integers: sums and products are exact in any order
	list f32 3 -1 2 5 -4 1 2 > a
	while read -r op want; do
		kernel pr <<EOF
def pr(a: DeviceArray[f32], r: DeviceArray[f32], n: u32):
    parallel_reduce(a, r, "$op", n)
EOF
		kr pr.json a=a r=r n=7 --lanes 1 --size r=1
		cmp <(head -c 4 r) <(list f32 $want)
	done <<'EOF'
sum 8
product 240
min -4
max 5
EOF
}

# ---- inline helpers, several kernels ----------------------------------------

@test "@inline helpers are expanded, nested, with arguments by position" {
	kernel k <<'EOF'
from atlas_kernel import inline, atlas_kernel, DeviceArray, get_global_id

@inline
def sq(v: f32) -> f32:
    """Square."""
    return v * v

@inline
def hyp(a: f32, b: f32) -> f32:
    return sqrt(sq(a) + sq(b))

@inline
def clamp(v: f32, lo: f32, hi: f32) -> f32:
    return min(max(v, lo), hi)

@atlas_kernel
def k(x: DeviceArray[f32], z: DeviceArray[f32], y: DeviceArray[f32], n: u32):
    i = get_global_id()
    if i < n:
        y[i] = clamp(hyp(x[i], z[i] - 1.0), 2.0, 20.0) + sq(2.0)
EOF
	gen f32 2000 1 > x
	gen f32 2000 2 > z
	kr k.json x=x z=z y=y
	expect f32 y 'my $b = r32($z - 1);
		my $h = r32(sqrt(r32(r32($x * $x) + r32($b * $b))));
		r32(min(max($h, 2), 20) + 4)' x=f32:x z=f32:z
}

@test "several kernels in one file; atlas-run picks one by name" {
	cp "$FIXC/two.py" .
	kc two.py two.json
	gen f32 1000 1 > x
	kr two.json --kernel=double x=x y=y
	expect f32 y '2 * $x' x=f32:x
	kr two.json --kernel halve x=x y=y
	expect f32 y '$x / 2' x=f32:x
	kr -k halve two.json x=x y=y2
	cmp y y2
	# the source itself runs too, compiled as it is loaded
	kr -k double ./two.py x=x y=y3
	expect f32 y3 '2 * $x' x=f32:x
	run -1 --separate-stderr atlas-run two.json --kernel nosuch x=x y=y
	assert_output ""
	assert_equal "$stderr" \
		"atlas-run: two.json: no kernel 'nosuch' (it has double, halve)"
	run -1 --separate-stderr atlas-run two.json x=x y=y
	assert_output ""
	assert_equal "$stderr" "atlas-run: two.json holds kernels double, \
halve: choose one with -k NAME"
}

@test "the assembly listing (--emit=asm) runs the same as the JSON" {
	kc "$FIXC/two.py" two.s --emit=asm
	kc "$FIXC/two.py" two.json
	gen f32 1000 1 > x
	kr -k halve two.json x=x y=want
	kr -k halve ./two.s x=x y=got
	cmp got want
}
