#!/usr/bin/env bats
# atlas-bench.bats - the command line and the output formats of man 1
# atlas-bench.  Each suite runs once or twice in quick mode; the figures
# are not checked, only the shape of what is printed: the JSON fields and
# their types, the CSV header and records, the table's rows, the baseline
# comparison and the SVG chart.

bats_require_minimum_version 1.5.0
load helpers

TRY="Try 'atlas-bench --help' for more information."
SUITES="interp kernels stream blas startup"

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T" || return 1
}

# check_json FILE SUITE... - FILE is a report of --json: a machine object
# and measurements of exactly those suites, every field of the right type.
check_json() {
	python3 - "$@" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
want = set(sys.argv[2:])
m = doc["machine"]
assert isinstance(m["cpu"], str) and isinstance(m["cores"], int), m
assert m["cores"] >= 1
for k in ("l1d_bytes", "l2_bytes", "l3_bytes"):
    assert isinstance(m[k], int), k
libs = m["libraries"]
for k in ("libatlas", "OpenBLAS", "hwloc", "cJSON", "libsodium"):
    assert isinstance(libs[k], str) and libs[k], k
run = doc["run"]
assert run["threads"] >= 1 and run["quick"] is True, run
ms = doc["measurements"]
assert ms, "no measurements"
num = (int, float)
types = {"suite": str, "name": str, "size": int, "size_unit": str,
         "median_ns": num, "min_ns": num, "max_ns": num,
         "throughput": num, "throughput_unit": str,
         "ratio": num + (type(None),), "against": str}
for x in ms:
    assert set(x) == set(types), sorted(x)
    for k, t in types.items():
        assert isinstance(x[k], t) and not isinstance(x[k], bool), (k, x)
    assert x["min_ns"] <= x["median_ns"] <= x["max_ns"], x
    assert (x["ratio"] is None) == (x["against"] == ""), x
got = {x["suite"] for x in ms}
assert got == want, (got, want)
PY
}

# check_csv FILE SUITE... - FILE is the CSV of those suites' measurements.
check_csv() {
	python3 - "$@" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
head = ["suite", "name", "size", "size_unit", "median_ns", "min_ns",
        "max_ns", "throughput", "throughput_unit", "ratio", "against"]
assert rows[0] == head, rows[0]
assert len(rows) > 1, "no records"
for r in rows[1:]:
    assert len(r) == len(head), r
    int(r[2])
    for k in (4, 5, 6, 7):
        float(r[k])
    assert (r[9] == "") == (r[10] == ""), r
    if r[9]:
        float(r[9])
assert {r[0] for r in rows[1:]} == set(sys.argv[2:])
PY
}

# ---- the suites --------------------------------------------------------------

@test "each suite --quick --json: a well-formed report, every field typed" {
	local s
	for s in $SUITES; do
		run -0 --separate-stderr atlas-bench --quick --json "$s"
		assert_equal "$stderr" ""
		printf '%s\n' "$output" > "$s.json"
		check_json "$s.json" "$s" || fail "suite $s: bad JSON"
	done
}

@test "each suite --quick --csv: the header, then well-formed records" {
	local s
	for s in $SUITES; do
		run -0 --separate-stderr atlas-bench --quick --csv "$s"
		assert_equal "$stderr" ""
		printf '%s\n' "$output" > "$s.csv"
		check_csv "$s.csv" "$s" || fail "suite $s: bad CSV"
	done
}

@test "no suite: every suite, in the order of the man page" {
	atlas-bench --quick --json > all.json
	check_json all.json $SUITES
	run -0 python3 -c 'import json, sys
seen = []
for x in json.load(open("all.json"))["measurements"]:
    if x["suite"] not in seen:
        seen.append(x["suite"])
print(" ".join(seen))'
	assert_output "$SUITES"
}

@test "the table: the machine header, the column line and a row per measurement" {
	atlas-bench --quick --json interp blas > ib.json
	n=$(python3 -c 'import json; print(len(json.load(open("ib.json"))["measurements"]))')
	run -0 --separate-stderr atlas-bench --quick interp blas
	assert_equal "$stderr" ""
	assert_line --index 0 --regexp '^cpu: +.+'
	assert_line --index 1 --regexp '^cores: +[0-9]+ \(L1d .*, L2 .*, L3 .*\)$'
	assert_line --index 2 --regexp '^libraries: +libatlas [0-9.]+, OpenBLAS .*, hwloc .*, cJSON .*, libsodium .*'
	assert_line --index 3 --regexp '^run: +1 thread'
	assert_line --index 4 --regexp '^suite +name +size +median +min +max +throughput +ratio +against$'
	rows=$(printf '%s\n' "$output" | grep -cE '^(interp|blas) ')
	assert_equal "$rows" "$n"
	# human units
	printf '%s\n' "$output" | grep -E '^interp ' | grep -qE ' (ns|us|ms|s) ' ||
		fail "no time units"
}

@test "a suite named twice runs once" {
	atlas-bench --quick --csv startup startup > s.csv
	atlas-bench --quick --csv startup > once.csv
	assert_equal "$(wc -l < s.csv)" "$(wc -l < once.csv)"
}

@test "-v says which suite runs on stderr" {
	run -0 --separate-stderr atlas-bench -v --quick --csv startup
	assert_equal "$stderr" "atlas-bench: running startup"
}

# ---- --kernel ----------------------------------------------------------------

@test "--kernel: the kernels suite measures that kernel only" {
	atlas-bench --quick --json --kernel "$ROOT/share/atlas/kernels/relu.py" \
		> k.json
	check_json k.json kernels
	run -0 python3 -c 'import json
print(" ".join(sorted({x["name"] for x in json.load(open("k.json"))["measurements"]})))'
	assert_output "relu"
}

@test "--kernel that does not exist: exit 1, its name" {
	run -1 --separate-stderr atlas-bench --quick --kernel nope.py
	assert_output ""
	assert_equal "$stderr" "atlas-bench: nope.py: No such file or directory"
}

@test "--kernel that does not compile: the suite fails, exit 1" {
	printf 'def k(:\n' > bad.py
	run -1 --separate-stderr atlas-bench --quick --csv --kernel bad.py
	assert_equal "${lines[0]%$'\r'}" "suite,name,size,size_unit,median_ns,min_ns,max_ns,throughput,throughput_unit,ratio,against"
	[[ $stderr == "atlas-bench: kernels: "*bad.py* ]] || fail "$stderr"
}

@test "--kernel without the kernels suite: usage error" {
	run -2 --separate-stderr atlas-bench --kernel x.py interp
	assert_output ""
	assert_equal "$stderr" "atlas-bench: option '--kernel' needs the kernels suite
$TRY"
}

# ---- --baseline --------------------------------------------------------------

# Timings on a loaded machine move by more than any threshold a test
# could pick, so the doctored baselines leave nothing to chance: every
# median but the one under test is made 1000 times slower, which no run
# can regress from.

# doctor BASE OUT [FACTOR] - OUT is BASE with every median x1000; the
# first blas measurement's median, if FACTOR is given, times FACTOR
# instead, and its "suite name size" written to the file name.
doctor() {
	python3 - "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for x in d["measurements"]:
    x["median_ns"] *= 1000
if len(sys.argv) > 3:
    m = [x for x in d["measurements"] if x["suite"] == "blas"][0]
    m["median_ns"] = m["median_ns"] / 1000 * float(sys.argv[3])
    open("name", "w").write("%s %s %d" % (m["suite"], m["name"], m["size"]))
json.dump(d, open(sys.argv[2], "w"))
PY
}

@test "--baseline: a baseline nothing regressed from: exit 0" {
	atlas-bench --quick --json kernels blas > base.json
	doctor base.json slow.json
	run -0 --separate-stderr atlas-bench --quick --csv \
		--baseline slow.json kernels blas
	assert_equal "$stderr" ""
}

@test "--baseline: a doctored median names the regression, exit 1" {
	atlas-bench --quick --json kernels blas > base.json
	doctor base.json doctored.json 0.001
	run -1 --separate-stderr atlas-bench --quick --baseline doctored.json \
		kernels blas
	assert_line --regexp '^suite +name'
	[[ $stderr =~ ^"atlas-bench: regression: $(cat name): median "[0-9.]+" ns, baseline "[0-9.]+" ns (+"[0-9.]+"%)"$ ]] ||
		fail "stderr: $stderr"
	# -q: the exit status only
	run -1 --separate-stderr atlas-bench -q --quick --json \
		--baseline doctored.json blas
	assert_equal "$stderr" ""
	# a threshold above the slowdown (about +99,900%): 1,000,000%
	run -0 --separate-stderr atlas-bench --quick --json \
		--baseline doctored.json --threshold 1000000 blas
	assert_equal "$stderr" ""
}

@test "--baseline: measurements it lacks are ignored, named with -v" {
	atlas-bench --quick --json blas > base.json
	run -0 --separate-stderr atlas-bench --quick --csv --baseline base.json \
		startup
	assert_equal "$stderr" ""
	run -0 --separate-stderr atlas-bench -v --quick --csv \
		--baseline base.json startup
	assert_equal "$stderr" "atlas-bench: running startup
atlas-bench: startup atlas-run relu < /dev/null 0: not in the baseline
atlas-bench: startup true 0: not in the baseline"
}

@test "--baseline: a missing or malformed file: exit 1 before running" {
	run -1 --separate-stderr atlas-bench --quick --baseline none.json blas
	assert_output ""
	assert_equal "$stderr" "atlas-bench: none.json: No such file or directory"
	printf '{"measurements": 3}' > bad.json
	run -1 --separate-stderr atlas-bench --quick --baseline bad.json blas
	assert_output ""
	assert_equal "$stderr" "atlas-bench: bad.json: not a report of atlas-bench --json"
}

# ---- --plot ------------------------------------------------------------------

@test "--plot: well-formed SVG, one line per kernel" {
	atlas-bench --quick --json --plot k.svg kernels > k.json
	run -0 python3 - <<'PY'
import json, xml.dom.minidom
doc = xml.dom.minidom.parse("k.svg")
root = doc.documentElement
assert root.tagName == "svg", root.tagName
assert root.getAttribute("xmlns") == "http://www.w3.org/2000/svg"
names = {x["name"] for x in json.load(open("k.json"))["measurements"]}
lines = root.getElementsByTagName("polyline")
titles = {t.firstChild.data for t in root.getElementsByTagName("title")}
print(len(lines) == len(names), titles == names)
PY
	assert_output "True True"
}

@test "--plot --kernel: the user's kernel, however its file is named" {
	cp "$ROOT/share/atlas/kernels/relu.py" 'a&b<c.py'
	atlas-bench --quick --csv --plot k.svg --kernel 'a&b<c.py' > /dev/null
	run -0 python3 -c 'import xml.dom.minidom as m
print(m.parse("k.svg").getElementsByTagName("title")[0].firstChild.data)'
	assert_output "relu"
}

@test "--plot without the kernels suite: usage error" {
	run -2 --separate-stderr atlas-bench --plot k.svg blas
	assert_output ""
	assert_equal "$stderr" "atlas-bench: option '--plot' needs the kernels suite
$TRY"
}

# ---- the command line ----------------------------------------------------------

@test "unknown suite: exit 2, named" {
	run -2 --separate-stderr atlas-bench --quick interp nosuch
	assert_output ""
	assert_equal "$stderr" "atlas-bench: unknown suite 'nosuch'
$TRY"
}

@test "bad option values: exit 2" {
	run -2 --separate-stderr atlas-bench --reps 0
	assert_equal "$stderr" "atlas-bench: invalid repetition count '0' (expected 1 to 1000000)
$TRY"
	run -2 --separate-stderr atlas-bench -t x
	assert_equal "$stderr" "atlas-bench: invalid thread count 'x' (expected 1 to 1024)
$TRY"
	run -2 --separate-stderr atlas-bench --threshold -5
	assert_equal "$stderr" "atlas-bench: invalid threshold '-5' (expected a percentage, 0 or more)
$TRY"
	run -2 --separate-stderr atlas-bench --json --csv
	assert_equal "$stderr" "atlas-bench: options '--csv' and '--json' are mutually exclusive
$TRY"
	run -2 --separate-stderr atlas-bench --frob
	assert_equal "$stderr" "atlas-bench: unknown option '--frob'
$TRY"
	run -2 --separate-stderr atlas-bench --baseline
	assert_equal "$stderr" "atlas-bench: option '--baseline' requires an argument
$TRY"
}

@test "--help: the synopsis of the man page on stdout, exit 0" {
	run -0 --separate-stderr atlas-bench --help
	assert_equal "$stderr" ""
	assert_line --index 0 --partial "usage: atlas-bench [-hqVv]"
	assert_output --partial "--threshold PCT"
}

@test "--version, and the libraries with -v" {
	run -0 --separate-stderr atlas-bench --version
	assert_equal "$stderr" ""
	assert_output --regexp '^atlas-bench [0-9]+\.[0-9]+\.[0-9]+$'
	run -0 atlas-bench -vV
	assert_line --index 1 --regexp '^libatlas '
	assert_line --regexp '^OpenBLAS '
	assert_line --regexp '^libsodium '
}

@test "a write error on stdout: exit 1" {
	run -1 --separate-stderr bash -c \
		'atlas-bench --quick --csv startup > /dev/full'
	assert_equal "$stderr" "atlas-bench: write error: No space left on device"
}
