/*
 * t-space.c - the Atlas space: both class numberings, mirror, unity,
 * neighbours, the phase counter and windows, Φ, the boundary pool, the
 * bump allocator and kernel metadata, against the reference's tables.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "atlas.h"
#include "tap.h"

#define A ATLAS_NUMBERING_ATLAS
#define S ATLAS_NUMBERING_SIGIL

/* Convention B byte -> class, rows 0_..5_ of the reference (§1.4). */
static const uint8_t b_rows[6][16] = {
	{0, 48, 24, 72, 12, 60, 36, 84, 6, 54, 30, 78, 18, 66, 42, 90},
	{3, 51, 27, 75, 15, 63, 39, 87, 9, 57, 33, 81, 21, 69, 45, 93},
	{1, 49, 25, 73, 13, 61, 37, 85, 7, 55, 31, 79, 19, 67, 43, 91},
	{4, 52, 28, 76, 16, 64, 40, 88, 10, 58, 34, 82, 22, 70, 46, 94},
	{2, 50, 26, 74, 14, 62, 38, 86, 8, 56, 32, 80, 20, 68, 44, 92},
	{5, 53, 29, 77, 17, 65, 41, 89, 11, 59, 35, 83, 23, 71, 47, 95},
};
/* Rows 6_..F_ repeat rows 0_, 1_, then 0_..5_ and 0_, 1_ again. */
static const uint8_t b_row_of[16] = {0, 1, 2, 3, 4, 5, 0, 1,
				     0, 1, 2, 3, 4, 5, 0, 1};

/* Convention A (§1.3): every row is base, base, base+1, base+1, ... */
static const uint8_t a_row_base[16] = {0,  8,  16, 0,  24, 32, 40, 24,
				       48, 56, 64, 48, 72, 80, 88, 72};

static void test_byte_tables(void)
{
	int bad_a = 0, bad_b = 0;
	unsigned b;

	for (b = 0; b < 256; b++) {
		unsigned want_b = b_rows[b_row_of[b >> 4]][b & 15];
		unsigned want_a = a_row_base[b >> 4] + (b & 15) / 2;

		if (atlas_class_of_byte(A, (uint8_t)b) != want_b) {
			bad_b++;
			diag("atlas 0x%02X: got %u want %u", b,
			     atlas_class_of_byte(A, (uint8_t)b), want_b);
		}
		if (atlas_class_of_byte(S, (uint8_t)b) != want_a) {
			bad_a++;
			diag("sigil 0x%02X: got %u want %u", b,
			     atlas_class_of_byte(S, (uint8_t)b), want_a);
		}
	}
	is_int(bad_b, 0, "atlas byte->class: all 256 bytes match §1.4");
	is_int(bad_a, 0, "sigil byte->class: all 256 bytes match §1.3");
	is_int(atlas_class_of_byte(S, 0x2A), 21, "sigil 0x2A -> 21");
	is_int(atlas_class_of_byte(A, 0x20), 1, "atlas 0x20 -> 1");
	is_int(atlas_class_of_byte(A, 0xA0), 1, "atlas 0xA0 -> 1");
	is_int(atlas_class_of_byte(A, 0x30), 4, "atlas 0x30 -> 4");
	is_int(atlas_class_of_byte(A, 0xB0), 4, "atlas 0xB0 -> 4");
}

static void test_class_sizes(void)
{
	unsigned count[2][96] = {{0}}, b, c, n;
	int ok_sizes = 1;

	for (n = 0; n < 2; n++)
		for (b = 0; b < 256; b++)
			count[n][atlas_class_of_byte(n, (uint8_t)b)]++;
	for (n = 0; n < 2; n++) {
		unsigned four = 0, two = 0;

		for (c = 0; c < 96; c++) {
			four += count[n][c] == 4;
			two += count[n][c] == 2;
		}
		ok_sizes &= four == 32 && two == 64;
	}
	ok(ok_sizes, "both numberings: 32 classes of 4 bytes, 64 of 2");
}

static void test_canonical_bytes(void)
{
	struct atlas_error err;
	uint8_t byte = 0;
	int rt = 1, lowest = 1;
	unsigned b, c, n;

	for (n = 0; n < 2; n++)
		for (c = 0; c < 96; c++) {
			atlas_class_byte(n, c, &byte, &err);
			rt &= atlas_class_of_byte(n, byte) == c;
		}
	ok(rt, "canonical byte maps back to its class (both numberings)");
	for (b = 0; b < 256; b++) {
		atlas_class_byte(A, atlas_class_of_byte(A, (uint8_t)b), &byte,
				 &err);
		lowest &= byte <= b;
	}
	ok(lowest, "atlas canonical byte is the lowest member");
	for (c = 0; c < 96; c++) { /* sigil rep has bit 0 clear */
		atlas_class_byte(S, c, &byte, &err);
		lowest &= (byte & 1) == 0;
	}
	ok(lowest, "sigil canonical byte has bit 0 clear");
	atlas_class_byte(S, 50, &byte, &err);
	is_int(byte, 0x84, "sigil c50 -> 0x84");
	atlas_class_byte(S, 5, &byte, &err);
	is_int(byte, 0x0A, "sigil c05 -> 0x0A");
	atlas_class_byte(S, 72, &byte, &err);
	is_int(byte, 0xC0, "sigil c72 -> 0xC0");
	atlas_class_byte(A, 50, &byte, &err);
	is_int(byte, 0x41, "atlas c50 -> 0x41");
	atlas_class_byte(A, 1, &byte, &err);
	is_int(byte, 0x20, "atlas c1 -> 0x20");
	atlas_class_byte(A, 31, &byte, &err);
	is_int(byte, 0x2A, "atlas c31 -> 0x2A");
	atlas_class_byte(A, 95, &byte, &err);
	is_int(byte, 0x5F, "atlas c95 -> 0x5F");
	atlas_class_byte(A, 58, &byte, &err);
	is_int(byte, 0x39, "atlas c58 -> 0x39");
	is_int(atlas_class_byte(A, 96, &byte, &err), ATLAS_ERR_ARG,
	       "class 96 rejected");
	is_str(err.msg, "invalid class index: 96 (must be < 96)",
	       "class 96 message");
}

static void test_mirror_unity(void)
{
	static const unsigned head[12] = {3, 4, 5, 0, 1, 2, 9, 10, 11, 6, 7, 8};
	static const unsigned tail[6] = {93, 94, 95, 90, 91, 92};
	struct atlas_error err;
	unsigned c, m = 0, mm = 0, fixed = 0;
	int good = 1, inv = 1, u = 0, sig_u = 0;
	uint8_t bitmap[12], want[12] = {18};

	for (c = 0; c < 12; c++) {
		atlas_class_mirror(A, c, &m, &err);
		good &= m == head[c];
	}
	for (c = 0; c < 6; c++) {
		atlas_class_mirror(A, 90 + c, &m, &err);
		good &= m == tail[c];
	}
	ok(good, "atlas mirror table pinned head and tail");
	good = 1;
	for (c = 0; c < 96; c++) {
		atlas_class_mirror(A, c, &m, &err);
		atlas_class_mirror(A, m, &mm, &err);
		good &= m == (c % 6 < 3 ? c + 3 : c - 3) && m != c;
		inv &= mm == c;
	}
	ok(good, "atlas mirror = c+3 / c-3, no fixed points");
	ok(inv, "atlas mirror is an involution");
	good = inv = 1;
	for (c = 0; c < 96; c++) {
		unsigned d = c % 24 / 8;

		atlas_class_mirror(S, c, &m, &err);
		atlas_class_mirror(S, m, &mm, &err);
		good &= m == (d == 1 ? c + 8 : d == 2 ? c - 8 : c);
		inv &= mm == c;
		fixed += m == c;
	}
	ok(good, "sigil mirror swaps d 1<->2");
	ok(inv, "sigil mirror is an involution");
	is_int(fixed, 32, "sigil mirror has 32 fixed points");
	atlas_class_mirror(S, 8, &m, &err);
	is_int(m, 16, "sigil mirror(8) = 16");
	is_int(atlas_class_mirror(A, 96, &m, &err), ATLAS_ERR_ARG,
	       "mirror of 96 rejected");
	is_str(err.msg, "invalid class index: 96 (must be < 96)",
	       "mirror 96 message");

	good = 1;
	for (c = 0; c < 96; c++) {
		int x = 0;

		atlas_class_unity(A, c, &x, &err);
		u += x;
		good &= x == (c == 1 || c == 4);
		atlas_class_unity(S, c, &x, &err);
		sig_u += x;
	}
	ok(good && u == 2, "atlas unity classes are {1, 4}");
	is_int(sig_u, 0, "sigil unity set is empty");
	atlas_class_unity_bitmap(A, bitmap);
	ok(memcmp(bitmap, want, 12) == 0, "unity bitmap 18,0,...,0");
	atlas_class_unity_bitmap(S, bitmap);
	memset(want, 0, 12);
	ok(memcmp(bitmap, want, 12) == 0, "sigil unity bitmap empty");
	is_int(atlas_class_unity(A, 200, &u, &err), ATLAS_ERR_ARG,
	       "unity of 200 rejected");
}

/* An independent derivation: vertices in the reference's loop order. */
struct label {
	int e1, e2, e3, e6, e7, d;
};

static void labels(struct label l[96])
{
	int e1, e2, e3, e6, e7, d, k = 0;

	for (e1 = 0; e1 < 2; e1++)
		for (e2 = 0; e2 < 2; e2++)
			for (e3 = 0; e3 < 2; e3++)
				for (e6 = 0; e6 < 2; e6++)
					for (e7 = 0; e7 < 2; e7++)
						for (d = -1; d <= 1; d++) {
							struct label x = {
								e1, e2, e3,
								e6, e7, d};

							l[k++] = x;
						}
}

static int adjacent(struct label a, struct label b)
{
	int flips = (a.e1 != b.e1) + (a.e2 != b.e2) + (a.e3 != b.e3) +
		    (a.e6 != b.e6);
	int m4 = a.d == 0 ? 1 : 0, m5 = a.d == 0 ? -1 : 0;

	if (a.e7 != b.e7)
		return 0;
	if (flips == 1 && a.d == b.d)
		return 1;
	return flips == 0 && b.d != a.d && (b.d == m4 || b.d == m5);
}

static void test_neighbors(void)
{
	struct label l[96];
	struct atlas_error err;
	uint8_t nbr[ATLAS_MAX_DEGREE];
	unsigned c, u, k, deg6 = 0, deg5 = 0, edges = 0, bad = 0, out = 0;
	int sym = 1, mirror_adj = 0, sorted = 1;

	labels(l);
	for (c = 0; c < 96; c++) {
		uint8_t want[8];
		unsigned w = 0, m;

		for (u = 0; u < 96; u++)
			if (u != c && adjacent(l[c], l[u]))
				want[w++] = (uint8_t)u;
		atlas_class_neighbors(A, c, nbr, &k, &err);
		if (k != w || memcmp(nbr, want, k) != 0) {
			bad++;
			diag("class %u: neighbours differ", c);
		}
		deg6 += k == 6;
		deg5 += k == 5;
		edges += k;
		atlas_class_mirror(A, c, &m, &err);
		for (u = 0; u < k; u++) {
			uint8_t nb2[ATLAS_MAX_DEGREE];
			unsigned k2, j, found = 0;

			mirror_adj |= nbr[u] == m;
			sorted &= u == 0 || nbr[u - 1] < nbr[u];
			atlas_class_neighbors(A, nbr[u], nb2, &k2, &err);
			for (j = 0; j < k2; j++)
				found |= nb2[j] == c;
			sym &= found;
		}
	}
	is_int(bad, 0, "every neighbour list matches the label derivation");
	ok(sorted, "neighbour lists ascending");
	is_int(deg6, 32, "32 classes of degree 6");
	is_int(deg5, 64, "64 classes of degree 5");
	is_int(edges / 2, 256, "256 edges");
	ok(sym, "adjacency is symmetric");
	ok(!mirror_adj, "a mirror pair is never adjacent");

	/* Connected components by flood fill. */
	{
		int comp[96], ncomp = 0, sizes[96] = {0};
		unsigned stack[96], sp;

		for (c = 0; c < 96; c++)
			comp[c] = -1;
		for (c = 0; c < 96; c++) {
			if (comp[c] >= 0)
				continue;
			sp = 0;
			stack[sp++] = c;
			comp[c] = ncomp;
			while (sp) {
				unsigned v = stack[--sp];

				sizes[ncomp]++;
				atlas_class_neighbors(A, v, nbr, &k, &err);
				for (u = 0; u < k; u++)
					if (comp[nbr[u]] < 0) {
						comp[nbr[u]] = ncomp;
						stack[sp++] = nbr[u];
					}
			}
			ncomp++;
		}
		ok(ncomp == 2 && sizes[0] == 48 && sizes[1] == 48,
		   "two components of 48");
	}

	/* Rows typed from the reference table (§1.4). */
	{
		static const struct {
			unsigned c, n;
			uint8_t nb[6];
		} rows[] = {
			{0, 5, {1, 6, 12, 24, 48}},
			{1, 6, {0, 2, 7, 13, 25, 49}},
			{4, 6, {3, 5, 10, 16, 28, 52}},
			{47, 5, {23, 35, 41, 46, 95}},
			{58, 6, {10, 52, 57, 59, 70, 82}},
			{73, 6, {25, 49, 72, 74, 79, 85}},
			{94, 6, {46, 70, 82, 88, 93, 95}},
			{95, 5, {47, 71, 83, 89, 94}},
		};
		int match = 1;

		for (u = 0; u < sizeof(rows) / sizeof(rows[0]); u++) {
			atlas_class_neighbors(A, rows[u].c, nbr, &k, &err);
			match &= k == rows[u].n &&
				 memcmp(nbr, rows[u].nb, k) == 0;
		}
		ok(match, "neighbour rows typed from the reference");
	}

	is_int(atlas_class_neighbor(A, 1, 5, &out, &err), ATLAS_OK,
	       "neighbor(1, 5) ok");
	is_int(out, 49, "neighbor(1, 5) = 49");
	is_int(atlas_class_neighbor(A, 0, 5, &out, &err), ATLAS_ERR_ARG,
	       "neighbor(0, 5) past degree");
	is_str(err.msg, "neighbor index 5 out of range for class 0 (degree 5)",
	       "past-degree message");
	is_int(atlas_class_neighbors(A, 96, nbr, &k, &err), ATLAS_ERR_ARG,
	       "neighbors(96) rejected");
	is_str(err.msg, "invalid class index: 96 (must be < 96)",
	       "neighbors(96) message");
	is_int(atlas_class_neighbors(S, 0, nbr, &k, &err),
	       ATLAS_ERR_UNSUPPORTED, "sigil neighbours unsupported");
	is_str(err.msg, "the sigil numbering defines no neighbors",
	       "sigil neighbours message");

	is_int(atlas_class_check_hop(5, 5, &err), ATLAS_OK, "hop to self");
	is_int(atlas_class_check_hop(5, 2, &err), ATLAS_OK, "hop to mirror");
	is_int(atlas_class_check_hop(0, 48, &err), ATLAS_OK,
	       "hop to neighbour");
	is_int(atlas_class_check_hop(0, 2, &err), ATLAS_ERR_EXEC,
	       "illegal hop rejected");
	is_str(err.msg,
	       "illegal neighbor traversal: class 0 \u2192 2 not in 1-skeleton",
	       "illegal hop message");
}

static void test_numbering_names(void)
{
	enum atlas_numbering n = A;

	is_str(atlas_numbering_name(S), "sigil", "name sigil");
	is_str(atlas_numbering_name(A), "atlas", "name atlas");
	ok(atlas_numbering_parse("sigil", &n) == 0 && n == S, "parse sigil");
	ok(atlas_numbering_parse("graph", &n) == -1, "parse unknown");
}

static void test_phase(void)
{
	struct atlas_phase ph = {0, 0};
	int good;
	uint32_t p;

	atlas_phase_set(&ph, 770);
	is_int(ph.value, 2, "set 770 -> 2");
	atlas_phase_advance(&ph, 766);
	ok(ph.value == 0 && ph.epoch == 1, "advance wraps, epoch 1");
	atlas_phase_advance(&ph, 768 * 3 + 5);
	ok(ph.value == 5 && ph.epoch == 4, "advance 3 laps + 5");
	atlas_phase_advance(&ph, UINT64_MAX);
	ok(ph.value == (5 + UINT64_MAX % 768) % 768 &&
		   ph.epoch ==
			   4 + UINT64_MAX / 768 + (5 + UINT64_MAX % 768) / 768,
	   "advance by 2^64-1 without overflow");
	atlas_phase_reset(&ph);
	ok(ph.value == 0 && ph.epoch == 0, "reset");
	is_int(atlas_phase_class(767), 95, "class of 767");
	is_int(atlas_phase_sub(767), 7, "sub of 767");
	is_int(atlas_phase_class(100), 12, "class of 100");
	is_int(atlas_phase_sub(100), 4, "sub of 100");

	ok(atlas_phase_in_window(100, 100, 50) &&
		   atlas_phase_in_window(125, 100, 50) &&
		   atlas_phase_in_window(149, 100, 50) &&
		   !atlas_phase_in_window(150, 100, 50) &&
		   !atlas_phase_in_window(99, 100, 50),
	   "window (100, 50)");
	ok(atlas_phase_in_window(700, 700, 118) &&
		   atlas_phase_in_window(750, 700, 118) &&
		   atlas_phase_in_window(0, 700, 118) &&
		   atlas_phase_in_window(49, 700, 118) &&
		   !atlas_phase_in_window(50, 700, 118) &&
		   !atlas_phase_in_window(699, 700, 118),
	   "window (700, 118) wraps");
	good = 1;
	for (p = 0; p < 768; p++)
		good &= atlas_phase_in_window(p, 700, 100) ==
			(p >= 700 || p < 32);
	ok(good, "window (700, 100) = [700, 768) u [0, 32)");
	good = 1;
	for (p = 0; p < 768; p++)
		good &= atlas_phase_in_window(p, 123, 768) &&
			atlas_phase_in_window(p, 0, 1000);
	ok(good, "span >= 768: every phase");
	good = 1;
	for (p = 0; p < 768; p++)
		good &= !atlas_phase_in_window(p, 0, 0) &&
			!atlas_phase_in_window(p, 300, 0);
	ok(good, "span 0: empty");
	is_int(atlas_phase_window_end(700, 118), 50, "end of (700, 118)");
}

static void test_phi(void)
{
	struct atlas_error err;
	uint32_t x = 0, idx = 0;
	unsigned page = 0, byte = 0, c = 0;
	uint64_t off = 0;
	struct atlas_phi_desc d;

	atlas_phi_linear_index(0, 255, &idx, &err);
	is_int(idx, 255, "linear_index(0, 255)");
	atlas_phi_linear_index(47, 255, &idx, &err);
	is_int(idx, 12287, "linear_index(47, 255)");
	is_int(atlas_phi_linear_index(48, 0, &idx, &err), ATLAS_ERR_ARG,
	       "linear_index(48, 0) rejected");
	is_str(err.msg, "invalid page: 48 (must be in [0, 48))",
	       "invalid page message");
	is_int(atlas_phi_linear_index(0, 256, &idx, &err), ATLAS_ERR_ARG,
	       "linear_index(0, 256) rejected");
	is_str(err.msg, "invalid byte: 256 (must be in [0, 256))",
	       "invalid byte message");
	atlas_phi_lens_unmap(256, &page, &byte, &err);
	ok(page == 1 && byte == 0, "lens_unmap(256) = (1, 0)");
	is_int(atlas_phi_lens_unmap(20000, &page, &byte, &err), ATLAS_ERR_ARG,
	       "lens_unmap(20000) rejected");
	is_str(err.msg, "boundary out of range: (78, 32)",
	       "lens_unmap message");
	is_int(atlas_phi_lens_unmap(12288, &page, &byte, &err), ATLAS_ERR_ARG,
	       "lens_unmap(12288) rejected");

	atlas_phi_encode(7, 128, &x, &err);
	is_int(x, 0x00800007, "phi_encode(7, 128)");
	atlas_phi_decode(0x00800007, &page, &byte, &err);
	ok(page == 7 && byte == 128, "phi_decode(0x00800007)");
	atlas_phi_decode(0xFF800007, &page, &byte, &err);
	ok(page == 7 && byte == 128, "phi_decode ignores the top byte");
	is_int(atlas_phi_decode(0x00000030, &page, &byte, &err), ATLAS_ERR_ARG,
	       "phi_decode page 48 rejected");

	atlas_bound_map(5, 10, 20, &off, &err);
	is_int(off, 64020, "bound_map(5, 10, 20)");
	atlas_bound_map(0, 1, 0, &off, &err);
	is_int(off, 256, "bound_map(0, 1, 0)");
	atlas_bound_map(1, 0, 0, &off, &err);
	is_int(off, 12288, "bound_map(1, 0, 0)");
	atlas_bound_map(1, 2, 3, &off, &err);
	is_int(off, 12803, "bound_map(1, 2, 3)");
	atlas_bound_map(42, 10, 128, &off, &err);
	atlas_bound_unmap(off, &c, &page, &byte, &err);
	ok(c == 42 && page == 10 && byte == 128, "bound (42, 10, 128) trips");
	is_int(atlas_bound_map(96, 0, 0, &off, &err), ATLAS_ERR_ARG,
	       "bound_map class 96");
	is_str(err.msg, "invalid class ID 96 for BoundMap (must be < 96)",
	       "bound_map class message");
	is_int(atlas_bound_map(0, 48, 0, &off, &err), ATLAS_ERR_ARG,
	       "bound_map page 48");
	is_str(err.msg,
	       "invalid \u03a6-coordinate for BoundMap: invalid page: 48 "
	       "(must be in [0, 48))",
	       "bound_map page message");
	is_int(atlas_bound_unmap(ATLAS_POOL_BYTES, &c, &page, &byte, &err),
	       ATLAS_ERR_ARG, "bound_unmap past the pool");
	is_str(err.msg,
	       "boundary offset 1179648 out of range (must be < 1179648)",
	       "bound_unmap message");
	atlas_bound_unmap(ATLAS_POOL_BYTES - 1, &c, &page, &byte, &err);
	ok(c == 95 && page == 47 && byte == 255, "bound_unmap last byte");

	d = atlas_phi_desc_identity(0x1000);
	is_int(atlas_phi_desc_map(&d, 3, 2, 5), 0x1000 + 517,
	       "identity map ignores class");
	d = atlas_phi_desc_class_tiled(0);
	is_int(atlas_phi_desc_map(&d, 5, 10, 20), 64020,
	       "class_tiled map = bound_map");
	ok(atlas_phi_desc_in_window(&d, 47, 255) &&
		   !atlas_phi_desc_in_window(&d, 48, 0) &&
		   !atlas_phi_desc_in_window(&d, 0, 256),
	   "in_window half-open");
	d.stride_x = -256;
	d.base_ptr = 256 * 10;
	is_int(atlas_phi_desc_map(&d, 0, 10, 1), 1, "negative stride");
}

static void test_pool(void)
{
	struct atlas_error err;
	struct atlas_bound_pool *pool = atlas_bound_pool_new(&err);
	uint8_t *data, *view = NULL;
	size_t len = 0, i, nonzero = 0;

	ok(pool != NULL, "pool allocated");
	if (!pool)
		return;
	data = atlas_bound_pool_data(pool);
	is_int((uintptr_t)data % 64, 0, "pool 64-byte aligned");
	for (i = 0; i < ATLAS_POOL_BYTES; i++)
		nonzero += data[i] != 0;
	is_int(nonzero, 0, "pool zeroed");
	atlas_bound_pool_view(pool, 1, &view, &len, &err);
	ok(view == data + 0x3000 && len == 12288, "class 1 at 0x3000");
	/*
	 * The reference (§1.8) says class 95 is at 0x11E000, but 95 · 12288
	 * = 1167360 = 0x11D000 (0x11E000 is not a multiple of 12288).
	 */
	atlas_bound_pool_view(pool, 95, &view, &len, &err);
	ok(view == data + 0x11D000 && len == 12288, "class 95 at 0x11D000");
	ok(view + len == data + ATLAS_POOL_BYTES, "class 95 ends the pool");
	is_int(atlas_bound_pool_view(pool, 96, &view, &len, &err),
	       ATLAS_ERR_ARG, "view of class 96 rejected");
	diag("locked %d, huge pages %d", atlas_bound_pool_locked(pool),
	     atlas_bound_pool_huge(pool));
	atlas_bound_pool_free(pool);
	atlas_bound_pool_free(NULL);
}

static void test_bump(void)
{
	struct atlas_error err;
	struct atlas_bump b;
	uint64_t off = 99;

	atlas_bump_init(&b, ATLAS_POOL_BYTES);
	is_int(atlas_bump_alloc(&b, 10, 1, &off, &err), ATLAS_OK, "alloc 10");
	is_int(off, 0, "first at 0");
	atlas_bump_alloc(&b, 100, 64, &off, &err);
	is_int(off, 64, "aligned to 64");
	is_int(b.used, 164, "used 164");
	is_int(atlas_bump_alloc(&b, 0, 1, &off, &err), ATLAS_ERR_ARG,
	       "zero size");
	is_str(err.msg, "cannot allocate zero-sized buffer", "zero message");
	is_int(atlas_bump_alloc(&b, 8, 24, &off, &err), ATLAS_ERR_ARG,
	       "alignment 24");
	is_str(err.msg, "alignment 24 is not a power of two",
	       "alignment message");
	is_int(atlas_bump_alloc(&b, ATLAS_POOL_BYTES, 1, &off, &err),
	       ATLAS_ERR_LIMIT, "too large");
	is_str(err.msg,
	       "out of memory: requested 1179648 bytes, 1179484 "
	       "available",
	       "out-of-memory message");
	is_int(b.used, 164, "failure leaves the allocator unchanged");
	is_int(atlas_bump_alloc(&b, ATLAS_POOL_BYTES - 164, 1, &off, &err),
	       ATLAS_OK, "exactly the rest fits");
	atlas_bump_reset(&b);
	is_int(b.used, 0, "reset");
	atlas_bump_init(&b, 0);
	is_int(atlas_bump_alloc(&b, UINT64_C(1) << 40, 8, &off, &err), ATLAS_OK,
	       "unlimited pool");
}

static void test_mask(void)
{
	struct atlas_class_mask m = atlas_class_mask_none(), all, o;
	uint8_t act[96];

	is_int(atlas_class_mask_count(atlas_class_mask_all()), 96, "all: 96");
	atlas_class_mask_set(&m, 3);
	atlas_class_mask_set(&m, 70);
	atlas_class_mask_set(&m, 96); /* ignored */
	is_int(atlas_class_mask_count(m), 2, "set 3, 70");
	ok(m.low == 8 && m.high == 1u << 6, "mask bits");
	ok(atlas_class_mask_is_set(m, 70) && !atlas_class_mask_is_set(m, 71) &&
		   !atlas_class_mask_is_set(m, 96),
	   "is_set");
	is_int(atlas_class_mask_active(m, act), 2, "active count");
	ok(act[0] == 3 && act[1] == 70, "active ascending");
	o = atlas_class_mask_none();
	atlas_class_mask_set(&o, 70);
	ok(atlas_class_mask_overlaps(m, o) &&
		   !atlas_class_mask_is_disjoint(m, o),
	   "overlaps");
	atlas_class_mask_clear(&m, 70);
	ok(atlas_class_mask_is_disjoint(m, o), "disjoint after clear");
	all = atlas_class_mask_union(m, o);
	is_int(atlas_class_mask_count(all), 2, "union");
	is_int(atlas_class_mask_count(atlas_class_mask_intersection(all, o)), 1,
	       "intersection");
}

static void expect_invalid(const struct atlas_metadata *m, const char *want,
			   const char *name)
{
	struct atlas_error err = {0};

	is_int(atlas_metadata_validate(m, &err), ATLAS_ERR_VERIFY, name);
	is_str(err.msg, want, name);
}

static void test_metadata(void)
{
	struct atlas_metadata m;
	struct atlas_error err;
	struct atlas_buffer_range a = {1, 0, 0, 100}, b = {2, 0, 100, 50};

	atlas_metadata_init(&m, "k");
	ok(m.boundary.page_min == 0 && m.boundary.page_max == 47 &&
		   m.boundary.byte_min == 0 && m.boundary.byte_max == 255,
	   "default footprint {0, 47, 0, 255}");
	ok(m.phase.begin == 0 && m.phase.span == 768 && !m.mirror_safe &&
		   !m.unity_neutral && !m.uses_boundary,
	   "default window and flags");
	is_int(atlas_metadata_validate(&m, &err), ATLAS_OK, "defaults valid");

	m.name = "";
	m.classes_mask = atlas_class_mask_none(); /* name is checked first */
	expect_invalid(&m,
		       "invalid kernel metadata: kernel name cannot be empty",
		       "empty name");
	m.name = NULL;
	expect_invalid(&m,
		       "invalid kernel metadata: kernel name cannot be empty",
		       "null name");
	m.name = "k";
	m.boundary.page_min = 48;
	expect_invalid(&m,
		       "invalid kernel metadata: kernel must access at least "
		       "one class",
		       "no class");
	m.classes_mask = atlas_class_mask_all();
	expect_invalid(&m, "invalid page: 48 (must be in [0, 48))",
		       "page_min 48");
	m.boundary.page_min = 10;
	m.boundary.page_max = 200;
	expect_invalid(&m, "invalid page: 200 (must be in [0, 48))",
		       "page_max 200");
	m.boundary.page_max = 9;
	expect_invalid(&m, "invalid kernel metadata: page_min > page_max",
		       "page_min > page_max");
	m.boundary.page_max = 10;
	m.boundary.byte_min = 5;
	m.boundary.byte_max = 4;
	m.phase.begin = 768;
	expect_invalid(&m, "invalid kernel metadata: byte_min > byte_max",
		       "byte_min > byte_max");
	m.boundary.byte_max = 5;
	expect_invalid(&m, "invalid phase: 768 (must be in [0, 768))",
		       "phase begin 768");
	m.phase.begin = 0;
	m.phase.span = 769;
	expect_invalid(&m,
		       "invalid kernel metadata: phase span 769 exceeds "
		       "modulus 768",
		       "span 769");
	m.phase.span = 768;
	is_int(atlas_metadata_validate(&m, &err), ATLAS_OK, "span 768 valid");

	m.mirror_safe = 1;
	m.classes_mask = atlas_class_mask_none();
	atlas_class_mask_set(&m.classes_mask, 10);
	expect_invalid(&m,
		       "invalid kernel metadata: mirror pair 7 missing for "
		       "class 10",
		       "mirror {10}");
	is_int(atlas_metadata_check_mirror(&m, &err), ATLAS_ERR_EXEC,
	       "mirror safety check {10}");
	is_str(err.msg,
	       "mirror safety violation: class 10 and mirror 7 produced "
	       "different results",
	       "mirror safety message");
	atlas_class_mask_set(&m.classes_mask, 7);
	is_int(atlas_metadata_validate(&m, &err), ATLAS_OK, "mirror {10, 7}");
	is_int(atlas_metadata_check_mirror(&m, &err), ATLAS_OK,
	       "mirror safety {10, 7}");

	/* Runtime checks. */
	m.phase.begin = 700;
	m.phase.span = 118;
	is_int(atlas_metadata_check_phase(&m, 10, &err), ATLAS_OK,
	       "phase 10 in (700, 118)");
	is_int(atlas_metadata_check_phase(&m, 50, &err), ATLAS_ERR_EXEC,
	       "phase 50 outside (700, 118)");
	is_str(err.msg,
	       "phase window violation: current phase 50 not in [700, "
	       "50)",
	       "phase window message");
	m.phase.span = 0;
	is_int(atlas_metadata_check_phase(&m, 700, &err), ATLAS_ERR_EXEC,
	       "span 0 admits nothing");

	is_int(atlas_metadata_check_boundary(&m, 10, 5, &err), ATLAS_OK,
	       "footprint max inclusive");
	is_int(atlas_metadata_check_boundary(&m, 11, 5, &err), ATLAS_ERR_EXEC,
	       "page past footprint");
	is_str(err.msg,
	       "boundary violation: (11, 5) outside window ([10, 10], [5, 5])",
	       "boundary message");
	atlas_metadata_init(&m, "full");
	is_int(atlas_metadata_check_boundary(&m, 47, 255, &err), ATLAS_OK,
	       "full footprint admits (47, 255)");

	m.phase.begin = 100;
	m.phase.span = 50;
	is_int(atlas_metadata_check_launch(&m, 120, &err), ATLAS_OK,
	       "launch ok");
	m.name = "";
	is_int(atlas_metadata_check_launch(&m, 120, &err), ATLAS_ERR_VERIFY,
	       "launch with bad metadata");
	is_str(err.msg,
	       "invalid metadata: invalid kernel metadata: kernel name cannot "
	       "be empty",
	       "launch metadata message");
	is_int(atlas_metadata_check_launch(&m, 99, &err), ATLAS_ERR_EXEC,
	       "launch checks the phase first");

	is_int(atlas_metadata_check_alias(&a, &b, &err), ATLAS_OK,
	       "adjacent buffers do not alias");
	b.offset = 99;
	is_int(atlas_metadata_check_alias(&a, &b, &err), ATLAS_ERR_EXEC,
	       "overlapping buffers alias");
	is_str(err.msg, "aliasing violation: buffers 1 and 2 overlap",
	       "aliasing message");
	b.pool = 1;
	is_int(atlas_metadata_check_alias(&a, &b, &err), ATLAS_OK,
	       "other pool never aliases");
}

int main(void)
{
	test_byte_tables();
	test_class_sizes();
	test_canonical_bytes();
	test_mirror_unity();
	test_neighbors();
	test_numbering_names();
	test_phase();
	test_phi();
	test_pool();
	test_bump();
	test_mask();
	test_metadata();
	return done_testing();
}
