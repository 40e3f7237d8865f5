#!/usr/bin/env bats
# atlas-pool.bats - the atlas-pool command line: options, every command,
# the reference's worked examples, out-of-range values and their exact
# messages, pool images (create, put, get, stat) and the man page.

bats_require_minimum_version 1.5.0
load helpers

PAGE=$ROOT/man/man1/atlas-pool.1
ZERO_DIGEST=

setup() {
	T=$BATS_TEST_TMPDIR/w
	mkdir -p "$T" && cd "$T" || return 1
}

# digest FILE - its BLAKE2b-256 digest in hex.
digest() {
	b2sum -l 256 "$1" | cut -d' ' -f1
}

# fails STATUS MESSAGE ARGS... - atlas-pool ARGS exits STATUS with
# MESSAGE (and for 2 the "Try" line) on stderr and nothing on stdout.
fails() {
	local status=$1 msg=$2
	shift 2
	run "-$status" --separate-stderr atlas-pool "$@"
	assert_equal "$output" ""
	if [ "$status" = 2 ]; then
		assert_equal "$stderr" "atlas-pool: $msg
Try 'atlas-pool --help' for more information."
	else
		assert_equal "$stderr" "atlas-pool: $msg"
	fi
}

# says OUTPUT ARGS... - atlas-pool ARGS succeeds, prints OUTPUT, no stderr.
says() {
	local want=$1
	shift
	run -0 --separate-stderr atlas-pool "$@"
	assert_equal "$stderr" ""
	assert_equal "$output" "$want"
}

# ---- options -------------------------------------------------------------

@test "--help prints the usage and every option, exit 0" {
	run -0 --separate-stderr atlas-pool --help
	assert_equal "$stderr" ""
	assert_line --index 0 "usage: atlas-pool create [-f] file"
	local o
	for o in -c --class -f --force -h --help --json -n --count \
		--numbering -p --page -q --quiet -v --verbose -V --version; do
		assert_output --partial " $o"
	done
	run -0 --separate-stderr atlas-pool -h
	assert_line --index 0 --partial "usage: atlas-pool "
}

@test "--help usage lines are the man page SYNOPSIS" {
	local syn help
	syn=$(mandoc -Tascii "$PAGE" | col -b |
		sed -n '/^SYNOPSIS/,/^DESCRIPTION/{/^ /p;}' | sed 's/^ *//')
	help=$(atlas-pool --help | sed -n '/atlas-pool /p' |
		sed 's/^usage: //; s/^ *//')
	assert_equal "$help" "$syn"
}

@test "--version prints the version, exit 0" {
	run -0 --separate-stderr atlas-pool --version
	assert_equal "$stderr" ""
	assert_output --regexp '^atlas-pool [0-9]+\.[0-9]+\.[0-9]+$'
	run -0 --separate-stderr atlas-pool -V -v
	assert_line --index 1 --regexp '^libatlas '
}

@test "usage errors exit 2 with the Try line" {
	fails 2 "unknown option '--bogus'" --bogus
	fails 2 "unknown option '-x'" -x map 1 2 3
	fails 2 "option '--class' requires an argument" get pool.bin --class
	fails 2 "option '-n' requires an argument" get pool.bin -n
	fails 2 "missing command"
	fails 2 "unknown command 'bogus'" bogus
	fails 2 "unknown command 'phi'" phi
	fails 2 "unknown command 'phi twist'" phi twist 1
	fails 2 "missing operand (usage: atlas-pool map class page byte)" \
		map 1 2
	fails 2 "unexpected operand '4'" map 1 2 3 4
	fails 2 "unexpected operand 'x'" unity x
	fails 2 "option '--json' does not apply to 'map'" map --json 1 2 3
	fails 2 "option '--class' does not apply to 'stat'" stat -c 1 p
	fails 2 "option '--numbering' does not apply to 'neighbors'" \
		neighbors --numbering=atlas 1
	fails 2 "invalid numbering 'roman' (expected atlas or sigil)" \
		class --numbering roman 1
	fails 2 "missing --class" get pool.bin
	fails 2 "invalid class 'x' (not a number)" map x 0 0
	fails 2 "invalid byte '0x' (not a number)" class 0x
	fails 2 "invalid page '-1' (not a number)" map 1 -- -1 0
	fails 2 "invalid offset '1e3' (not a number)" unmap 1e3
}

# ---- coordinates ---------------------------------------------------------

@test "map: the reference's worked examples, decimal and hex" {
	says 64020 map 5 10 20
	says 64020 map 0x5 0xA 0x14
	says 256 map 0 1 0
	says 12288 map 1 0 0
	says 12803 map 1 2 3
	says 0 map 0 0 0
	says 1179647 map 95 47 255
	# 95 * 12288 = 0x11D000 (the reference digest says 0x11E000, a slip)
	says $((0x11D000)) map 95 0 0
}

@test "unmap inverts map" {
	says "5 10 20" unmap 64020
	says "42 10 128" unmap "$(atlas-pool map 42 10 128)"
	says "1 0 0" unmap 0x3000
	says "95 47 255" unmap 1179647
}

@test "phi encode and decode" {
	says 0x00800007 phi encode 7 128
	says 0x00000000 phi encode 0 0
	says 0x00ff002f phi encode 47 255
	says "7 128" phi decode 0x00800007
	says "7 128" phi decode 8388615
	says "47 255" phi decode 0x12ff002f
}

@test "out-of-range values: exact messages, exit 1" {
	fails 1 "invalid class 96 (must be < 96)" map 96 0 0
	fails 1 "invalid class 96 (must be < 96)" map 0x60 0 0
	fails 1 "invalid page 48 (must be < 48)" map 0 48 0
	fails 1 "invalid byte 256 (must be < 256)" map 0 0 256
	fails 1 "invalid page 48 (must be < 48)" phi encode 48 0
	fails 1 "invalid byte 256 (must be < 256)" phi encode 0 0x100
	fails 1 "invalid offset 1179648 (must be < 1179648)" unmap 1179648
	fails 1 "invalid phi value 4294967296 (must be < 4294967296)" \
		phi decode 0x100000000
	fails 1 "invalid page 48 in phi value 0x00800030 (must be < 48)" \
		phi decode 0x00800030
	fails 1 "invalid byte 256 (must be < 256)" class 256
	fails 1 "invalid class 96 (must be < 96)" mirror 96
	fails 1 "invalid class 1000 (must be < 96)" neighbors 1000
	fails 1 "invalid class 99999999999999999999 (must be < 96)" \
		mirror 99999999999999999999
}

# ---- classes -------------------------------------------------------------

@test "class: both numberings, the worked examples" {
	says 21 class --numbering sigil 0x2A
	says 21 class --numbering=sigil 42
	says 1 class 0x20
	says 1 class 0xA0
	says 4 class 0x30
	says 0 class 0
	says 48 class 1
	says 95 class 0xDF
	says 0 class --numbering sigil 0x30
	says 79 class --numbering sigil 0xFF
}

@test "mirror, neighbors and unity" {
	says 3 mirror 0
	says 92 mirror 95
	says 4 mirror 1
	says 66 mirror --numbering sigil 58
	says 58 mirror --numbering sigil 66
	says 50 mirror --numbering sigil 50
	says 2 mirror --numbering sigil 2
	says "1 6 12 24 48" neighbors 0
	says "0 2 7 13 25 49" neighbors 1
	says "47 71 83 89 94" neighbors 95
	says "46 70 82 88 93 95" neighbors 94
	says "1 4" unity
	says "" unity --numbering sigil
}

@test "table: 96 rows, the pinned values" {
	run -0 --separate-stderr atlas-pool table
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 96
	assert_line --index 0 "0 3 5 1,6,12,24,48 0 0x00"
	assert_line --index 1 "1 4 6 0,2,7,13,25,49 1 0x20"
	assert_line --index 4 "4 1 6 3,5,10,16,28,52 1 0x30"
	assert_line --index 95 "95 92 5 47,71,83,89,94 0 0x5F"
	# degrees: 32 of 6, 64 of 5, 256 edges
	assert_equal "$(printf '%s\n' "${lines[@]}" | awk '$3 == 6' | wc -l)" 32
	assert_equal "$(printf '%s\n' "${lines[@]}" |
		awk '{ s += $3 } END { print s / 2 }')" 256
	run -0 --separate-stderr atlas-pool table --numbering sigil
	assert_equal "${#lines[@]}" 96
	assert_line --index 50 "50 50 - - 0 0x84"
	assert_line --index 5 "5 5 - - 0 0x0A"
	assert_line --index 13 "13 21 - - 0 0x1A"
}

@test "table --json parses, 96 objects" {
	run -0 --separate-stderr bash -c 'atlas-pool table --json |
		perl -MJSON::PP -e '\''local $/; my $d = decode_json(<STDIN>);
		print scalar(@$d), " ", join(",", @{$d->[1]{neighbors}}), " ",
		$d->[1]{unity} ? "u" : "-", " ", $d->[50]{byte}, "\n"'\'
	assert_equal "$stderr" ""
	assert_output "96 0,2,7,13,25,49 u 65"
	run -0 --separate-stderr bash -c 'atlas-pool table --json \
		--numbering sigil | perl -MJSON::PP -e '\''local $/;
		my $d = decode_json(<STDIN>); my $o = $d->[50];
		print scalar(@$d), " ", defined $o->{degree} ? "x" : "null",
		" ", $o->{mirror}, " ", $o->{byte}, "\n"'\'
	assert_output "96 null 50 132"
}

# ---- pool images ---------------------------------------------------------

@test "create: a zeroed 1179648-byte image; an existing file needs -f" {
	says "" create pool.bin
	head -c 1179648 /dev/zero > zero.bin
	cmp pool.bin zero.bin
	fails 1 "pool.bin: File exists" create pool.bin
	printf x > pool.bin
	says "" create -f pool.bin
	cmp pool.bin zero.bin
	fails 1 "nodir/p: No such file or directory" create nodir/p
}

@test "a file of the wrong size is not a pool image" {
	head -c 10 /dev/zero > small.bin
	fails 1 "small.bin: not a pool image (10 bytes, want 1179648)" \
		stat small.bin
	head -c 1179649 /dev/zero > big.bin
	fails 1 "big.bin: not a pool image (1179649 bytes, want 1179648)" \
		get -c 0 big.bin
	fails 1 "big.bin: not a pool image (1179649 bytes, want 1179648)" \
		put -c 0 big.bin /dev/null
	fails 1 "missing.bin: No such file or directory" stat missing.bin
	run -0 --separate-stderr bash -c \
		'head -c 1179648 /dev/zero | atlas-pool stat /dev/stdin | wc -l'
	assert_output 96
	run -1 --separate-stderr bash -c \
		'head -c 100 /dev/zero | atlas-pool stat /dev/stdin'
	assert_equal "$stderr" \
		"atlas-pool: /dev/stdin: not a pool image (100 bytes, want 1179648)"
}

@test "stat of a fresh pool: 96 rows, all digests that of 12288 zeros" {
	atlas-pool create pool.bin
	head -c 12288 /dev/zero > class.bin
	local d
	d=$(digest class.bin)
	run -0 --separate-stderr atlas-pool stat pool.bin
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 96
	assert_equal "$(printf '%s\n' "${lines[@]}" | cut -d' ' -f3 |
		sort -u)" "$d"
	assert_equal "$(printf '%s\n' "${lines[@]}" | cut -d' ' -f2 |
		sort -u)" 0
	assert_line --index 95 "95 0 $d"
	run -0 --separate-stderr bash -c 'atlas-pool stat --json pool.bin |
		perl -MJSON::PP -e '\''local $/; my $d = decode_json(<STDIN>);
		my %u = map { $_->{digest} => 1 } @$d;
		print scalar(@$d), " ", join(",", keys %u), " ",
		$d->[7]{class}, " ", $d->[7]{nonzero}, "\n"'\'
	assert_output "96 $d 7 0"
}

@test "put/get round trip across all 96 classes, compared by digest" {
	atlas-pool create pool.bin
	local c
	for c in $(seq 0 95); do
		head -c 12288 /dev/urandom > "src$c"
		if [ $((c % 2)) = 0 ]; then
			atlas-pool put -c "$c" pool.bin "src$c"
		else
			atlas-pool put pool.bin --class "$c" - < "src$c"
		fi
	done
	for c in $(seq 0 95); do
		atlas-pool get -c "$c" pool.bin > "out$c"
		assert_equal "$(digest "out$c")" "$(digest "src$c")"
	done
	# stat's digests are those of the sources; the pool is their concatenation
	run -0 --separate-stderr atlas-pool stat pool.bin
	for c in 0 1 47 95; do
		assert_line --index "$c" --regexp \
			"^$c [0-9]+ $(digest "src$c")\$"
	done
	cat $(for c in $(seq 0 95); do echo "src$c"; done) > all.bin
	cmp all.bin pool.bin
}

@test "put from a page; get --page and --count" {
	atlas-pool create pool.bin
	printf hello > h.txt
	says "" put -c 5 -p 1 pool.bin h.txt
	says hello get -c 5 -p 1 -n 5 pool.bin
	says hel get --class=0x5 --page=0x1 --count=3 pool.bin
	atlas-pool get -c 5 -p 47 pool.bin > last
	assert_equal "$(stat -c %s last)" 256
	says "" get -c 5 -n 0 pool.bin
	run -0 atlas-pool stat pool.bin
	assert_line --index 5 --regexp '^5 5 '
	assert_line --index 4 --regexp '^4 0 '
	# an offset check: the bytes are at map 5 1 0
	cmp -n 5 -i "$(atlas-pool map 5 1 0):0" pool.bin h.txt
}

@test "put: more than the class holds is an error, the file unchanged" {
	atlas-pool create pool.bin
	cp pool.bin before.bin
	head -c 12289 /dev/zero | tr '\0' x > big
	fails 1 "big: more than 12288 bytes for class 0 from page 0" \
		put -c 0 pool.bin big
	head -c 257 /dev/zero > p47
	fails 1 "standard input: more than 256 bytes for class 95 from page 47" \
		put -c 95 -p 47 pool.bin - < p47
	cmp pool.bin before.bin
	head -c 256 /dev/zero | tr '\0' y > fits
	says "" put -c 95 -p 47 pool.bin fits
	says "" put -c 95 -p 47 pool.bin /dev/null
	fails 1 "nosuch: No such file or directory" put -c 1 pool.bin nosuch
	fails 1 "invalid class 96 (must be < 96)" put -c 96 pool.bin fits
	fails 1 "invalid page 48 (must be < 48)" get -c 0 -p 48 pool.bin
	fails 1 "invalid count 12289 (must be <= 12288)" \
		get -c 0 -n 12289 pool.bin
	fails 1 "invalid count 257 (must be <= 256)" \
		get -c 0 -p 47 -n 257 pool.bin
}

@test "write errors: /dev/full exits 1" {
	atlas-pool create pool.bin
	run -1 --separate-stderr bash -c \
		'atlas-pool get -c 0 pool.bin > /dev/full'
	assert_equal "$stderr" \
		"atlas-pool: write error: No space left on device"
	run -1 --separate-stderr bash -c 'atlas-pool table > /dev/full'
	assert_equal "$stderr" \
		"atlas-pool: write error: No space left on device"
}

@test "a closed pipe ends atlas-pool quietly (SIGPIPE)" {
	atlas-pool create pool.bin
	run -0 --separate-stderr bash -c 'set -o pipefail
		for i in 1 2 3 4 5 6; do echo pool.bin; done >/dev/null
		atlas-pool get -c 0 pool.bin | head -c 1 >/dev/null
		echo "${PIPESTATUS[0]}"'
	assert_equal "$stderr" ""
	# 12 KiB fits a pipe buffer, so get may finish before head exits
	assert_output --regexp '^(0|141)$'
}

# ---- the man page --------------------------------------------------------

@test "the man page EXAMPLES run and print what they show" {
	perl -ne '
		$in = /EXAMPLES/ if /^\.Sh /;
		next unless $in;
		if (/^\.Bd -literal/) { $lit = 1; next; }
		if (/^\.Ed/) { $lit = 0; next; }
		next unless $lit;
		s/\\&//g; s/\\-/-/g; s/\\e/\\/g;
		print;' "$PAGE" > transcript
	[ "$(grep -c '^\$ ' transcript)" -ge 10 ]
	: > actual
	local line
	while IFS= read -r line; do
		case $line in
		'$ '*)
			printf '%s\n' "$line" >> actual
			bash -c "${line#\$ }" >> actual 2>&1
			printf '\n' >> actual ;;
		esac
	done < transcript
	# outputs without a final newline (get) are joined by the printf above
	sed -i '/^$/d' actual
	diff transcript actual
}

@test "the README's atlas-pool examples run" {
	run -0 atlas-pool mirror 10
	assert_output 7
	run -0 atlas-pool neighbors 0
	assert_output "1 6 12 24 48"
	run -0 atlas-pool map 5 10 20
	assert_output 64020
	run -0 bash -c 'atlas-pool create pool.img && atlas-pool stat pool.img | head -n 2'
	assert_line --index 0 --regexp '^0 0 [0-9a-f]{64}$'
	assert_line --index 1 --regexp '^1 0 [0-9a-f]{64}$'
}
