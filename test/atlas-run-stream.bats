#!/usr/bin/env bats
# atlas-run-stream.bats - atlas-run as a streaming filter: chunk
# boundaries for element, record, resident and reduction parameters,
# results independent of --threads and --pool-size, empty, one-element
# and 10^8-element inputs, bad input with exact messages, and the options
# of issue 4 (-o, --pool-size, --progress, --stats, default threads,
# same-file refusal).  Expected results come from test/fixtures/stream/
# ref.py (python3), never from atlas-run itself.

bats_require_minimum_version 1.5.0
load helpers

FIX=$ROOT/test/fixtures/stream
REF=$FIX/ref.py

setup_file() {
	local n
	for n in 0 1 255 256 257 1023 1024 1025 4099 100003; do
		"$REF" gen $n 7 > "$BATS_FILE_TMPDIR/x$n"
	done
	"$REF" gen 300001 8 > "$BATS_FILE_TMPDIR/big"
	"$REF" gen 300001 9 > "$BATS_FILE_TMPDIR/big2"
	"$REF" ints 300001 10 -8 8 > "$BATS_FILE_TMPDIR/ints"
	"$REF" ints 300001 11 -8 8 > "$BATS_FILE_TMPDIR/ints2"
	"$REF" gen 300003 12 > "$BATS_FILE_TMPDIR/rec"
	"$REF" idx 300001 13 1000 > "$BATS_FILE_TMPDIR/idx"
	"$REF" gen 1000 14 > "$BATS_FILE_TMPDIR/table"
	export D=$BATS_FILE_TMPDIR
}

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T" || return 1
	unset ATLAS_KERNEL_PATH
}

# ok CMD... - run CMD: exit 0, nothing on stderr.
ok() {
	run -0 --separate-stderr "$@"
	assert_equal "$stderr" ""
}

# digest FILE - its BLAKE2b-256 digest.
digest() {
	b2sum -l 256 < "$1" | cut -d' ' -f1
}

# stat_of KEY TEXT - the value of the --stats line KEY in TEXT.
stat_of() {
	sed -n "s/^$1 //p" <<< "$2"
}

# ---- chunk boundaries ------------------------------------------------------

@test "element arrays: exact at every chunk boundary, 4K and 64K pools" {
	local n p
	for n in 0 1 255 256 257 1023 1024 1025 4099 100003; do
		"$REF" relu "$D/x$n" > want
		for p in 4K 64K; do
			ok atlas-run --pool-size $p relu a="$D/x$n" b=got
			cmp got want
		done
	done
	"$REF" add "$D/big" "$D/big2" > want
	ok atlas-run --pool-size 4K vector_add a="$D/big" b="$D/big2" c=got
	cmp got want
}

@test "record arrays: records of 3 across chunks that 3 does not divide" {
	"$REF" rec3 "$D/rec" > want
	local p
	for p in 4K 64K 1M; do
		ok atlas-run --pool-size $p "$FIX/rec3.py" x="$D/rec" y=got
		cmp got want
	done
	# through pipes too: reads that end inside a record
	run -0 --separate-stderr bash -c "cat '$D/rec' | atlas-run \
		--pool-size 4K '$FIX/rec3.py' | cat > got"
	assert_equal "$stderr" ""
	cmp got want
}

@test "records stream: more than one chunk, pool of the size given" {
	run -0 --separate-stderr atlas-run --stats --pool-size 64K \
		"$FIX/rec3.py" x="$D/rec" y=got
	assert_equal "$(stat_of pool_size "$stderr")" 65536
	assert_equal "$(stat_of elements "$stderr")" 100001
	[ "$(stat_of chunks "$stderr")" -gt 1 ]
}

@test "resident arrays: a table read whole, the lanes streamed" {
	"$REF" lookup "$D/idx" "$D/table" > want
	local p
	for p in 4K 64K 1M; do
		ok atlas-run --pool-size $p "$FIX/lookup.py" x="$D/idx" \
			t="$D/table" y=got
		cmp got want
	done
}

@test "a resident table streams: resident_size is the table's" {
	run -0 --separate-stderr atlas-run --stats --pool-size 64K \
		"$FIX/lookup.py" x="$D/idx" t="$D/table" y=got
	assert_equal "$(stat_of resident_size "$stderr")" 4000
	assert_equal "$(stat_of pool_size "$stderr")" 65536
	[ "$(stat_of chunks "$stderr")" -gt 1 ]
}

@test "reductions: exact sums of small integers, any pool" {
	"$REF" sum "$D/ints" > want_sum
	"$REF" dot "$D/ints" "$D/ints2" > want_dot
	local p
	for p in 4K 64K 1M; do
		ok atlas-run --pool-size $p vector_sum a="$D/ints" result=s
		cmp s want_sum
		ok atlas-run --pool-size $p vector_dot a="$D/ints" \
			b="$D/ints2" result=d
		cmp d want_dot
	done
	run -0 --separate-stderr bash -c "cat '$D/ints' | atlas-run \
		--pool-size 4K vector_sum | cat > s"
	cmp s want_sum
}

@test "reductions stream, held whole: chunks, pool and resident size" {
	run -0 --separate-stderr atlas-run --stats --pool-size 64K \
		vector_sum a="$D/ints" result=s
	assert_equal "$(stat_of pool_size "$stderr")" 65536
	assert_equal "$(stat_of resident_size "$stderr")" 4
	[ "$(stat_of chunks "$stderr")" -gt 1 ]
}

# ---- the same bytes whatever the threads and pool ------------------------------

@test "the same bytes for --threads 1, 2, 3 and --pool-size 64K, 1M, 16M" {
	local k t p want
	declare -A ref
	for t in 1 2 3; do
		for p in 64K 1M 16M; do
			atlas-run -t $t --pool-size $p sigmoid a="$D/big" c=e
			atlas-run -t $t --pool-size $p "$FIX/rec3.py" \
				x="$D/rec" y=r
			atlas-run -t $t --pool-size $p "$FIX/lookup.py" \
				x="$D/idx" t="$D/table" y=l
			# not small integers: the order of the sums shows
			atlas-run -t $t --pool-size $p vector_sum a="$D/big" \
				result=s
			atlas-run -t $t --pool-size $p vector_dot a="$D/big" \
				b="$D/big2" result=d
			for k in e r l s d; do
				want=${ref[$k]:-}
				[ -n "$want" ] || ref[$k]=$(digest $k)
				assert_equal "$(digest $k)" "${ref[$k]}"
			done
		done
	done
}

@test "gemm_f32 streams the rows of A with B resident: any pool, any threads" {
	local t p want=
	# 2100 rows of 30 (lda 32: two spare elements a row), B 30 x 20;
	# launches come in groups of 1024 rows
	"$REF" gen $((2100 * 32)) 21 > a
	"$REF" gen $((30 * 20)) 22 > b
	for t in 1 2 3; do
		for p in 4K 64K 1M 16M; do
			run -0 --separate-stderr atlas-run --stats -t $t \
				--pool-size $p gemm_f32 A=a B=b C=c n=20 k=30 \
				lda=32 ldb=20 ldc=20
			# A streamed (three chunks in a small pool), B held
			[[ $stderr =~ resident_size\ 2400 ]]
			[ $p != 4K ] || [[ $stderr =~ chunks\ 3 ]]
			[ -n "$want" ] || want=$(digest c)
			assert_equal "$(digest c)" "$want"
		done
	done
	# within 1e-4 of the naive product, relative to the sum of |terms|
	run -0 python3 - <<'PY'
import array
m, k, n, lda = 2100, 30, 20, 32
a = array.array("f"); a.frombytes(open("a", "rb").read())
b = array.array("f"); b.frombytes(open("b", "rb").read())
c = array.array("f"); c.frombytes(open("c", "rb").read())
assert len(c) == m * n, len(c)
worst = 0.0
for i in range(m):
    for j in range(n):
        terms = [a[i * lda + l] * b[l * n + j] for l in range(k)]
        worst = max(worst, abs(c[i * n + j] - sum(terms)) / sum(map(abs, terms)))
print("ok" if worst < 1e-4 else worst)
PY
	assert_output ok
}

# ---- sizes -------------------------------------------------------------------

@test "empty input: empty output, a zero sum, exit 0" {
	ok bash -c 'atlas-run relu < /dev/null > y'
	[ -f y ] && [ ! -s y ]
	ok atlas-run "$FIX/rec3.py" x=/dev/null y=r
	[ -f r ] && [ ! -s r ]
	ok atlas-run "$FIX/lookup.py" x=/dev/null t="$D/table" y=l
	[ -f l ] && [ ! -s l ]
	ok bash -c 'atlas-run vector_sum < /dev/null > s'
	cmp s <(f32 0)
}

@test "one element, one record" {
	f32 -3.5 > x
	ok atlas-run relu a=x b=y
	cmp y <(f32 0)
	f32 1.5 > x
	ok atlas-run sigmoid a=x c=y
	cmp y <(perl -e 'print pack("f<", 1 / (1 + exp(-1.5)))')
	f32 1 2 3 > x
	ok atlas-run "$FIX/rec3.py" x=x y=y
	cmp y <(f32 1 4 9)
	ok atlas-run vector_sum a=x result=s
	cmp s <(f32 6)
}

@test "10^8 elements through a pipe: relu, and a sum" {
	perl -e 'print pack("f<*", map { $_ - 500.25 } 0 .. 999)' > pat
	"$REF" relu pat > rpat
	want=$("$REF" repeat 100000000 rpat | b2sum -l 256)
	run -0 --separate-stderr bash -c "'$REF' repeat 100000000 pat |
		atlas-run relu | b2sum -l 256"
	assert_equal "$stderr" ""
	assert_equal "$output" "$want"
	run -0 --separate-stderr bash -c 'head -c 400000000 /dev/zero |
		atlas-run --stats vector_sum > s'
	assert_equal "$(stat_of elements "$stderr")" 100000000
	assert_equal "$(stat_of bytes_in "$stderr")" 400000000
	cmp s <(f32 0)
}

@test "a bound guard runs that many lanes, streamed" {
	f32 -1 2 -3 4 > x
	ok atlas-run relu n=2 a=x b=y
	cmp y <(f32 0 2)
}

# ---- bad input ---------------------------------------------------------------

@test "a trailing partial element across chunks: complete output kept" {
	{ cat "$D/x100003"; printf 'ab'; } > x
	"$REF" relu "$D/x100003" > want
	run -1 --separate-stderr bash -c 'cat x | atlas-run --pool-size 4K \
		relu > got'
	assert_equal "$stderr" "atlas-run: standard input: trailing partial \
element (2 bytes; f32 elements are 4 bytes)"
	cmp got want
	run -1 --separate-stderr atlas-run --pool-size 4K relu a=x b=got
	assert_equal "$stderr" "atlas-run: x: trailing partial element \
(2 bytes; f32 elements are 4 bytes)"
	cmp got want
}

@test "zipped inputs of different lengths: both named, output kept" {
	head -c 40000 "$D/big2" > short
	run -1 --separate-stderr atlas-run --pool-size 4K vector_add \
		a="$D/big" b=short c=c
	assert_output ""
	assert_equal "$stderr" "atlas-run: inputs differ in length: \
short ended after 10000 elements, $D/big has more"
	head -c 40000 "$D/big" > a
	"$REF" add a short > want
	cmp c want
}

@test "missing binding, unknown parameter: exact messages, exit 1" {
	# two inputs unbound: standard input can serve neither
	run -1 --separate-stderr atlas-run vector_add c=c
	assert_output ""
	assert_equal "$stderr" \
		"atlas-run: missing binding for array parameter 'a'"
	[ ! -s c ]
	run -1 --separate-stderr atlas-run relu a="$D/x1" q=1
	assert_equal "$stderr" \
		"atlas-run: unknown parameter 'q' (kernel relu takes a, b, n)"
}

@test "scalars: not a number, or out of range for the type: exit 1" {
	local v
	for v in abc 1.5 -1 4294967296 0x100000000 ''; do
		run -1 --separate-stderr atlas-run relu a="$D/x1" n="$v"
		assert_output ""
		assert_equal "$stderr" "atlas-run: n: invalid value '$v' for u32"
	done
}

@test "a resident input over --max-resident: exit 1" {
	"$REF" idx 10 5 1000 > i10
	run -1 --separate-stderr atlas-run --max-resident 3999 \
		"$FIX/lookup.py" x=i10 t="$D/table" y=y
	assert_output ""
	assert_equal "$stderr" \
		"atlas-run: t: resident input larger than 3999 bytes"
	ok atlas-run --max-resident 4000 "$FIX/lookup.py" x=i10 \
		t="$D/table" y=y
	"$REF" lookup i10 "$D/table" > want
	cmp y want
}

@test "an unreadable input: exit 1" {
	run -1 --separate-stderr atlas-run relu a=. b=y
	assert_output ""
	assert_regex "$stderr" '^atlas-run: \.: (read error: )?Is a directory$'
	if [ "$(id -u)" != 0 ]; then
		f32 1 > x
		chmod 000 x
		run -1 --separate-stderr atlas-run relu a=x b=y
		assert_equal "$stderr" "atlas-run: x: Permission denied"
	fi
}

@test "kernel not found lists where it looked" {
	ATLAS_KERNEL_PATH=$T/k1:$T/k2 run -1 --separate-stderr atlas-run \
		nosuch
	assert_output ""
	assert_equal "$stderr" "atlas-run: kernel 'nosuch' not found \
(looked in $T/k1, $T/k2, $ROOT/share/atlas/kernels)"
}

@test "user kernels come before the bundled ones of the same name" {
	mkdir k
	sed 's/^\.kernel relu/.kernel sigmoid/' \
		"$ROOT/test/fixtures/programs/relu.s" > k/sigmoid.s
	f32 -1 2 > x
	ATLAS_KERNEL_PATH=$T/k ok atlas-run sigmoid x=x y=y
	cmp y <(f32 0 2)
}

# ---- output --------------------------------------------------------------------

@test "'> /dev/full' and -o /dev/full: write error, exit 1" {
	run -1 --separate-stderr bash -c \
		'atlas-run relu < "$D/x100003" > /dev/full'
	assert_output ""
	assert_regex "$stderr" \
		'^atlas-run: (standard output: )?write error: No space left on device$'
	run -1 --separate-stderr atlas-run relu a="$D/x100003" -o /dev/full
	assert_regex "$stderr" \
		'^atlas-run: (/dev/full: )?write error: No space left on device$'
}

@test "'| head -c 1' on a large output: 141, nothing on stderr" {
	run -0 --separate-stderr bash -c 'atlas-run --pool-size 4K relu \
		< "$D/big" | head -c 1 > /dev/null; echo "${PIPESTATUS[0]}"'
	assert_output 141
	assert_equal "$stderr" ""
	run -0 --separate-stderr bash -c 'atlas-run vector_add a="$D/big" \
		b="$D/big2" | head -c 1 > /dev/null; echo "${PIPESTATUS[0]}"'
	assert_output 141
	assert_equal "$stderr" ""
}

@test "-o FILE: what would go to stdout goes to FILE" {
	"$REF" relu "$D/x1025" > want
	ok atlas-run -o got relu a="$D/x1025"
	cmp got want
	ok atlas-run --output=got2 relu b=- < "$D/x1025"
	cmp got2 want
	# an existing file is replaced; -o - is standard output
	ok atlas-run -o got relu a="$D/x1"
	cmp got <("$REF" relu "$D/x1")
	ok bash -c 'atlas-run -o - relu < "$D/x1025" > got3'
	cmp got3 want
}

@test "-o with no array left for it: exit 1, the file untouched" {
	echo keep > y
	run -1 --separate-stderr atlas-run -o y relu a="$D/x1" b=b
	assert_output ""
	assert_equal "$stderr" \
		"atlas-run: -o y: no output array is left to write there"
	assert_equal "$(cat y)" keep
}

@test "an output that is an input: refused before truncating it" {
	f32 1 -2 3 > x
	cp x x0
	run -1 --separate-stderr atlas-run relu a=x b=x
	assert_output ""
	assert_equal "$stderr" "atlas-run: x and x are the same file"
	cmp x x0
	ln -s x link
	ln x hard
	run -1 --separate-stderr atlas-run relu a=x b=link
	assert_equal "$stderr" "atlas-run: link and x are the same file"
	run -1 --separate-stderr atlas-run relu a=hard -o x
	assert_equal "$stderr" "atlas-run: x and hard are the same file"
	run -1 --separate-stderr atlas-run vector_add a=x b=- c=./x < x0
	assert_equal "$stderr" "atlas-run: ./x and x are the same file"
	# standard output opened on the input without truncating it
	run -1 --separate-stderr bash -c 'atlas-run relu a=x 1<> x'
	assert_equal "$stderr" \
		"atlas-run: standard output and x are the same file"
	cmp x x0
	# two outputs to one file
	run -1 --separate-stderr atlas-run "$FIX/lookup.py" x=/dev/null \
		t=x y=x
	assert_equal "$stderr" "atlas-run: x and x are the same file"
	cmp x x0
	# /dev/null twice is fine
	ok atlas-run vector_add a=/dev/null b=/dev/null c=/dev/null
}

# ---- options -------------------------------------------------------------------

@test "--pool-size: 4K to 1G with suffixes, else exit 2" {
	local v
	for v in '' 0 4095 3K 2G 1T x 64KB -1 ' 4K'; do
		run -2 --separate-stderr atlas-run --pool-size="$v" relu
		assert_output ""
		assert_equal "$stderr" \
			"atlas-run: invalid size '$v' for --pool-size (expected 4K to 1G)
Try 'atlas-run --help' for more information."
	done
	"$REF" relu "$D/x1025" > want
	for v in 4096 4k 1G 1m 16M; do
		ok atlas-run --pool-size "$v" relu a="$D/x1025" b=got
		cmp got want
	done
}

@test "--format: raw, text or npy, else exit 2" {
	local v
	for v in '' csv RAW text: npy2; do
		run -2 --separate-stderr atlas-run --format="$v" relu
		assert_output ""
		assert_equal "$stderr" \
			"atlas-run: invalid format '$v' (expected raw, text or npy)
Try 'atlas-run --help' for more information."
	done
	"$REF" relu "$D/x1025" > want
	ok atlas-run --format raw relu a="$D/x1025" b=raw:got
	cmp got want
}

@test "--stats: every key, in order, with values of the right shape" {
	run -0 --separate-stderr atlas-run --stats -t 1 relu a="$D/x1025" b=y
	assert_output ""
	assert_equal "$(cut -d' ' -f1 <<< "$stderr" | tr '\n' ' ')" \
		"elements bytes_in bytes_out chunks pool_size resident_size \
threads phase epoch peak_rss seconds throughput "
	assert_equal "$(sed -n 1,3p <<< "$stderr")" "elements 1025
bytes_in 4100
bytes_out 4100"
	assert_equal "$(stat_of threads "$stderr")" 1
	assert_equal "$(stat_of resident_size "$stderr")" 0
	assert_regex "$(stat_of peak_rss "$stderr")" '^[1-9][0-9]{5,}$'
	assert_regex "$(stat_of seconds "$stderr")" '^[0-9]+\.[0-9]{3}$'
	assert_regex "$(stat_of throughput "$stderr")" '^[0-9]+\.[0-9] MB/s$'
	# a resident run has no pool
	run -0 --separate-stderr atlas-run --stats --lanes 3 relu \
		a="$D/x1025" b=y
	assert_equal "$(stat_of pool_size "$stderr")" 0
	assert_equal "$(stat_of elements "$stderr")" 3
}

@test "--stats pool_size: --pool-size, or the default from the caches" {
	run -0 --separate-stderr atlas-run --stats --pool-size 1M relu \
		a="$D/x1025" b=y
	assert_equal "$(stat_of pool_size "$stderr")" 1048576
	run -0 --separate-stderr atlas-run --stats -t 1 relu a="$D/x1025" b=y
	local p
	p=$(stat_of pool_size "$stderr")
	[ "$p" -ge 262144 ] && [ "$p" -le 16777216 ]
}

@test "default threads: every core for files, 1 for a pipe" {
	local cores
	run -0 --separate-stderr atlas-run --stats relu a="$D/x1" b=y
	cores=$(stat_of threads "$stderr")
	[ "$cores" -ge 1 ] && [ "$cores" -le "$(nproc)" ]
	run -0 --separate-stderr bash -c 'cat "$D/x1" | atlas-run --stats \
		relu b=y'
	assert_equal "$(stat_of threads "$stderr")" 1
	run -0 --separate-stderr bash -c 'atlas-run --stats relu \
		a="$D/x1" | cat > /dev/null'
	assert_equal "$(stat_of threads "$stderr")" 1
	# regular files on stdin and stdout are files
	run -0 --separate-stderr bash -c 'atlas-run --stats relu \
		< "$D/x1" > y'
	assert_equal "$(stat_of threads "$stderr")" "$cores"
	run -0 --separate-stderr bash -c 'cat "$D/x1" | atlas-run --stats \
		-t 3 relu > y'
	assert_equal "$(stat_of threads "$stderr")" 3
}

@test "--progress: one line on stderr, ended by a newline" {
	run -0 --separate-stderr atlas-run --progress relu a="$D/x1025" b=y
	assert_output ""
	assert_regex "$(tr '\r' '\n' <<< "$stderr" | grep . | tail -n 1)" \
		'^atlas-run: 1025 elements( \(100%\))?, 0\.0 MB in, 0\.0 MB out, [0-9]+\.[0-9] MB/s *$'
	assert_equal "${stderr: -1}" "s"
	# -q does not hide what --progress asks for
	run -0 --separate-stderr atlas-run -q --progress relu a="$D/x1" b=y
	assert_regex "$stderr" '^.atlas-run: 1 elements'
	# without --progress, stderr not a terminal: nothing
	ok atlas-run relu a="$D/x1025" b=y
}

@test "--progress over a long run is updated in place" {
	run -0 --separate-stderr bash -c "'$REF' repeat 20000000 \
		'$D/x1025' | atlas-run --progress relu > /dev/null"
	assert_regex "$stderr" '^'$'\r''atlas-run: [0-9]+ elements'
	assert_regex "$stderr" $'\r''atlas-run: 20000000 elements, 80\.0 MB in, 80\.0 MB out, [0-9.]+ MB/s *$'
	[ "$(tr -cd '\r' <<< "$stderr" | wc -c)" -ge 2 ]
}

# on_tty COMMAND - run the bash COMMAND with a pseudo-terminal as its
# stdin, stdout and stderr, through script(1); print what it wrote there.
on_tty() {
	SHELL=/bin/bash script -qec "$1" /dev/null < /dev/null | tr -d '\r'
}

@test "a short run on a terminal shows no progress" {
	command -v script > /dev/null || skip "no script(1)"
	f32 1 > x
	run -0 on_tty "atlas-run relu a=x b=y; echo rc=\$?"
	assert_output "rc=0"
}
