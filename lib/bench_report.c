/*
 * bench_report.c - atlas-bench's measurements as text: the aligned table
 * and its header, JSON, CSV, the SVG chart of the kernels suite, and the
 * comparison with a baseline (a report of atlas-bench --json).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>
#include <hwloc.h>
#include <sodium.h>

#include "program.h"
#include "text_util.h"

const char *const *atlas_bench_libraries(void)
{
	static const char *v[12];
	const char *blas = atlas_blas_config();

	blas = blas ? blas + strspn(blas, " ") : "not available";
	if (strncmp(blas, "OpenBLAS ", 9) == 0)
		blas += 9;
	v[0] = "libatlas", v[1] = atlas_version();
	v[2] = "OpenBLAS", v[3] = blas;
	v[4] = "hwloc", v[5] = HWLOC_VERSION;
	v[6] = "cJSON", v[7] = cJSON_Version();
	v[8] = "libsodium", v[9] = sodium_version_string();
	return v;
}

/* A time in ns in human units: "812.0 ns", "3.25 us", "1.20 ms", "2.01 s". */
static void fmt_time(char *s, size_t cap, double ns)
{
	if (ns < 1e3)
		snprintf(s, cap, "%.1f ns", ns);
	else if (ns < 1e6)
		snprintf(s, cap, "%.2f us", ns / 1e3);
	else if (ns < 1e9)
		snprintf(s, cap, "%.2f ms", ns / 1e6);
	else
		snprintf(s, cap, "%.2f s", ns / 1e9);
}

/* Bytes in KiB, MiB or GiB when they divide exactly: "32 KiB"; 0: "?". */
static void fmt_bytes(char *s, size_t cap, uint64_t b)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB"};
	int u = 0;

	while (u < 3 && b && b % 1024 == 0)
		b /= 1024, u++;
	if (b)
		snprintf(s, cap, "%" PRIu64 " %s", b, unit[u]);
	else
		snprintf(s, cap, "?");
}

char *atlas_bench_header(const struct atlas_bench_machine *h)
{
	const struct atlas_topo *t = h->topo;
	struct strbuf sb;
	char c[3][32], reps[32] = "default";

	sb_init(&sb);
	fmt_bytes(c[0], sizeof c[0], t->l1d_size);
	fmt_bytes(c[1], sizeof c[1], t->l2_size);
	fmt_bytes(c[2], sizeof c[2], t->l3_size);
	sb_printf(&sb, "cpu:        %s\n", t->cpu[0] ? t->cpu : "unknown");
	sb_printf(&sb, "cores:      %u (L1d %s, L2 %s, L3 %s)\nlibraries: ",
		  t->cores, c[0], c[1], c[2]);
	for (const char *const *v = h->libraries; *v; v += 2)
		sb_printf(&sb, " %s %s%s", v[0], v[1], v[2] ? "," : "\n");
	if (h->reps)
		snprintf(reps, sizeof reps, "%u", h->reps);
	sb_printf(&sb, "run:        %u thread(s), %s repetitions%s\n\n",
		  h->threads ? h->threads : 1, reps, h->quick ? ", quick" : "");
	return sb_finish(&sb);
}

enum { COLS = 9 };

/* The cells of one table row. */
static void row(const struct atlas_measure *m, char c[COLS][80])
{
	const double t = m->throughput;

	snprintf(c[0], 80, "%s", m->suite);
	snprintf(c[1], 80, "%s", m->name);
	if (!m->size)
		snprintf(c[2], 80, "-");
	else if (strcmp(m->size_unit, "n") == 0)
		snprintf(c[2], 80, "n=%" PRIu64, m->size);
	else
		snprintf(c[2], 80, "%" PRIu64 " %s", m->size, m->size_unit);
	fmt_time(c[3], 80, m->median_ns);
	fmt_time(c[4], 80, m->min_ns);
	fmt_time(c[5], 80, m->max_ns);
	if (t <= 0)
		snprintf(c[6], 80, "-");
	else
		snprintf(c[6], 80,
			 t >= 100 ? "%.0f %s" :
			 t >= 1	  ? "%.2f %s" :
				    "%.3g %s",
			 t, m->throughput_unit);
	if (m->ratio > 0)
		snprintf(c[7], 80, "%.2fx", m->ratio);
	else
		snprintf(c[7], 80, "-");
	snprintf(c[8], 80, "%s", m->ratio > 0 ? m->against : "");
}

char *atlas_bench_table(const struct atlas_measure *v, size_t n)
{
	static const char *const head[COLS] = {
		"suite", "name",       "size",	"median", "min",
		"max",	 "throughput", "ratio", "against"};
	static const int right[COLS] = {0, 0, 1, 1, 1, 1, 1, 1, 0};
	char(*cell)[COLS][80] = calloc(n + 1, sizeof *cell);
	int w[COLS] = {0};
	struct strbuf sb;

	if (!cell)
		return NULL;
	sb_init(&sb);
	for (int k = 0; k < COLS; k++)
		snprintf(cell[0][k], 80, "%s", head[k]);
	for (size_t i = 0; i < n; i++)
		row(&v[i], cell[i + 1]);
	for (size_t i = 0; i <= n; i++)
		for (int k = 0; k < COLS; k++)
			if ((int)strlen(cell[i][k]) > w[k])
				w[k] = (int)strlen(cell[i][k]);
	for (size_t i = 0; i <= n; i++) {
		for (int k = 0; k < COLS - 1; k++)
			sb_printf(&sb, "%*s  ", right[k] ? w[k] : -w[k],
				  cell[i][k]);
		sb_printf(&sb, "%s\n", cell[i][COLS - 1]);
	}
	free(cell);
	return sb_finish(&sb);
}

/* s as a JSON string. */
static void json_string(struct strbuf *sb, const char *s)
{
	sb_puts(sb, "\"");
	for (; *s; s++) {
		const unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			sb_printf(sb, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			sb_printf(sb, "\\u%04x", ch);
		else
			sb_add(sb, s, 1);
	}
	sb_puts(sb, "\"");
}

/* The fields of a measurement in JSON and CSV, in order; which are numbers. */
static const char *const field[] = {
	"suite",	   "name",   "size",   "size_unit",
	"median_ns",	   "min_ns", "max_ns", "throughput",
	"throughput_unit", "ratio",  "against"};
enum { NFIELDS = 11, NUMBERS = 1 << 2 | 0xf << 4 | 1 << 9 };

/* A number, or "" (none: null in JSON) when it is not finite, or 0. */
static void num(char *s, double x, int zero_none)
{
	s[0] = '\0';
	if (isfinite(x) && (x != 0 || !zero_none))
		snprintf(s, 64, "%.15g", x);
}

/* The fields of m as text. */
static void values(const struct atlas_measure *m, char v[NFIELDS][64])
{
	snprintf(v[0], 64, "%s", m->suite);
	snprintf(v[1], 64, "%s", m->name);
	snprintf(v[2], 64, "%" PRIu64, m->size);
	snprintf(v[3], 64, "%s", m->size_unit);
	num(v[4], m->median_ns, 0);
	num(v[5], m->min_ns, 0);
	num(v[6], m->max_ns, 0);
	num(v[7], m->throughput, 0);
	snprintf(v[8], 64, "%s", m->throughput_unit);
	num(v[9], m->ratio, 1);
	snprintf(v[10], 64, "%s", m->ratio != 0 ? m->against : "");
}

char *atlas_bench_json(const struct atlas_measure *m, size_t n,
		       const struct atlas_bench_machine *h)
{
	const struct atlas_topo *t = h->topo;
	struct strbuf sb;
	char v[NFIELDS][64];

	sb_init(&sb);
	sb_puts(&sb, "{\"machine\": {\"cpu\": ");
	json_string(&sb, t->cpu);
	sb_printf(&sb,
		  ", \"cores\": %u, \"l1d_bytes\": %" PRIu64
		  ", \"l2_bytes\": %" PRIu64 ", \"l3_bytes\": %" PRIu64
		  ", \"libraries\": {",
		  t->cores, t->l1d_size, t->l2_size, t->l3_size);
	for (const char *const *l = h->libraries; *l; l += 2) {
		json_string(&sb, l[0]);
		sb_puts(&sb, ": ");
		json_string(&sb, l[1]);
		sb_puts(&sb, l[2] ? ", " : "}},\n");
	}
	snprintf(v[0], 64, h->reps ? "%u" : "null", h->reps);
	sb_printf(&sb,
		  " \"run\": {\"threads\": %u, \"reps\": %s, \"quick\": %s},\n"
		  " \"measurements\": [",
		  h->threads ? h->threads : 1, v[0],
		  h->quick ? "true" : "false");
	for (size_t i = 0; i < n; i++) {
		values(&m[i], v);
		sb_puts(&sb, i ? ",\n  {" : "\n  {");
		for (int k = 0; k < NFIELDS; k++) {
			sb_printf(&sb, "%s\"%s\": ", k ? ", " : "", field[k]);
			if (NUMBERS >> k & 1)
				sb_puts(&sb, v[k][0] ? v[k] : "null");
			else
				json_string(&sb, v[k]);
		}
		sb_puts(&sb, "}");
	}
	sb_puts(&sb, n ? "\n]}\n" : "]}\n");
	return sb_finish(&sb);
}

/* A CSV record (RFC 4180): fields quoted when they must be. */
static void csv_record(struct strbuf *sb, const char *const *v)
{
	for (int k = 0; k < NFIELDS; k++) {
		const char *s = v[k];

		if (k)
			sb_puts(sb, ",");
		if (!s[strcspn(s, ",\"\r\n")]) {
			sb_puts(sb, s);
			continue;
		}
		sb_puts(sb, "\"");
		for (; *s; s++)
			if (*s == '"')
				sb_puts(sb, "\"\"");
			else
				sb_add(sb, s, 1);
		sb_puts(sb, "\"");
	}
	sb_puts(sb, "\r\n");
}

char *atlas_bench_csv(const struct atlas_measure *m, size_t n)
{
	char v[NFIELDS][64];
	const char *p[NFIELDS];
	struct strbuf sb;

	sb_init(&sb);
	csv_record(&sb, field);
	for (size_t i = 0; i < n; i++) {
		values(&m[i], v);
		for (int k = 0; k < NFIELDS; k++)
			p[k] = v[k];
		csv_record(&sb, p);
	}
	return sb_finish(&sb);
}

/* ---- the baseline ------------------------------------------------------ */

struct atlas_bench_baseline {
	cJSON *m; /* the report's "measurements" array */
};

struct atlas_bench_baseline *atlas_bench_baseline_parse(const char *text,
							size_t len,
							struct atlas_error *err)
{
	struct atlas_bench_baseline *b = malloc(sizeof *b);
	cJSON *doc;

	if (!b) {
		atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
		return NULL;
	}
	doc = cJSON_ParseWithLength(text, len);
	b->m = cJSON_DetachItemFromObjectCaseSensitive(doc, "measurements");
	cJSON_Delete(doc);
	if (!cJSON_IsArray(b->m)) {
		atlas_bench_baseline_free(b);
		atlas_error_set(err, ATLAS_ERR_PARSE, 0, 0,
				"not a report of atlas-bench --json");
		return NULL;
	}
	return b;
}

void atlas_bench_baseline_free(struct atlas_bench_baseline *b)
{
	if (!b)
		return;
	cJSON_Delete(b->m);
	free(b);
}

/* The baseline's median of the measurement like m, or 0 if none. */
static double baseline_median(const struct atlas_bench_baseline *base,
			      const struct atlas_measure *m)
{
	const cJSON *b;

	cJSON_ArrayForEach(b, base->m)
	{
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(b, "suite");
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(b, "name");
		const cJSON *z = cJSON_GetObjectItemCaseSensitive(b, "size");
		const cJSON *t =
			cJSON_GetObjectItemCaseSensitive(b, "median_ns");

		if (cJSON_IsString(s) &&
		    strcmp(s->valuestring, m->suite) == 0 &&
		    cJSON_IsString(n) && strcmp(n->valuestring, m->name) == 0 &&
		    cJSON_IsNumber(z) && z->valuedouble == (double)m->size &&
		    cJSON_IsNumber(t))
			return t->valuedouble > 0 ? t->valuedouble : 0;
	}
	return 0;
}

size_t atlas_bench_compare(const struct atlas_bench_baseline *base,
			   const struct atlas_measure *m, size_t n,
			   double threshold, struct atlas_bench_delta *d)
{
	size_t regressions = 0;

	for (size_t i = 0; i < n; i++) {
		const double b = baseline_median(base, &m[i]);

		d[i].baseline_ns = b;
		d[i].pct = b > 0 ? (m[i].median_ns / b - 1) * 100 : 0;
		d[i].regression = b > 0 && d[i].pct > threshold;
		regressions += (size_t)d[i].regression;
	}
	return regressions;
}

/* ---- the chart --------------------------------------------------------- */

/* s with the XML special characters escaped. */
static void xml_text(struct strbuf *sb, const char *s)
{
	for (; *s; s++)
		if (strchr("&<>\"", *s))
			sb_printf(sb, "&#%d;", *s);
		else if ((unsigned char)*s >= 0x20)
			sb_add(sb, s, 1);
}

/* Is m[i] a point of the chart: 1; and the first of its kernel: 2. */
static int drawn(const struct atlas_measure *v, size_t i)
{
	const struct atlas_measure *m = &v[i];
	int first = 2;

	if (strcmp(m->suite, "kernels") || !m->size || !(m->throughput > 0) ||
	    !isfinite(m->throughput))
		return 0;
	for (size_t j = 0; j < i && first == 2; j++)
		if (strcmp(v[j].suite, "kernels") == 0 &&
		    strcmp(v[j].name, m->name) == 0)
			first = 1;
	return first;
}

/* The chart's axes: log2 of sizes in [lo, hi], throughput in [0, top]. */
struct axes {
	double lo, hi, top;
};
#define PX(s) (70 + (log2((double)(s)) - ax->lo) / (ax->hi - ax->lo) * 490)
#define PY(t) (400 - (t) / ax->top * 360)

/* The polyline (0) or the dots (1) of the kernel of v[i]. */
static void series(struct strbuf *sb, const struct axes *ax,
		   const struct atlas_measure *v, size_t n, size_t i, int dots)
{
	sb_puts(sb, dots ? "" : "<polyline fill=\"none\" points=\"");
	for (size_t j = i; j < n; j++)
		if (drawn(v, j) && strcmp(v[j].name, v[i].name) == 0)
			sb_printf(sb,
				  dots ? "<circle cx=\"%.1f\" cy=\"%.1f\" "
					 "r=\"3\"/>\n" :
					 "%.1f,%.1f ",
				  PX(v[j].size), PY(v[j].throughput));
	sb_puts(sb, dots ? "" : "\"/>\n");
}

char *atlas_bench_svg(const struct atlas_measure *v, size_t n)
{
	static const char *const color[] = {"#1f77b4", "#d62728", "#2ca02c",
					    "#ff7f0e", "#9467bd", "#8c564b",
					    "#e377c2", "#17becf"};
	const char *unit = "", *sunit = "";
	struct axes axes = {INFINITY, 0, 0}, *ax = &axes;
	struct strbuf sb;
	size_t nk = 0;

	sb_init(&sb);
	for (size_t i = 0; i < n; i++)
		if (drawn(v, i)) {
			ax->lo = fmin(ax->lo, floor(log2((double)v[i].size)));
			ax->hi = fmax(ax->hi, ceil(log2((double)v[i].size)));
			ax->top = fmax(ax->top, v[i].throughput * 1.1);
			unit = v[i].throughput_unit, sunit = v[i].size_unit;
		}
	if (!(ax->lo < ax->hi))
		ax->lo = isfinite(ax->lo) ? ax->lo : 0, ax->hi = ax->lo + 1;
	ax->top = ax->top > 0 ? ax->top : 1;
	sb_puts(&sb,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" "
		"height=\"450\" font-family=\"sans-serif\" font-size=\"12\">\n"
		"<rect width=\"760\" height=\"450\" fill=\"white\"/>\n"
		"<text x=\"315\" y=\"24\" text-anchor=\"middle\" "
		"font-size=\"15\">atlas-bench: kernels</text>\n");
	for (int k = 0; k <= 5; k++) /* horizontal grid, throughput labels */
		sb_printf(
			&sb,
			"<path d=\"M70 %.1fH560\" stroke=\"#ddd\"/><text "
			"x=\"64\" y=\"%.1f\" text-anchor=\"end\">%.3g</text>\n",
			PY(ax->top * k / 5), PY(ax->top * k / 5) + 4,
			ax->top * k / 5);
	for (double e = ax->lo; e <= ax->hi; e += ax->hi - ax->lo > 12 ? 2 : 1)
		sb_printf(&sb,
			  "<path d=\"M%.1f 40V400\" stroke=\"#ddd\"/><text "
			  "x=\"%.1f\" y=\"416\" "
			  "text-anchor=\"middle\">2^%.0f</text>\n",
			  PX(exp2(e)), PX(exp2(e)), e);
	sb_puts(&sb,
		"<path d=\"M70 40V400H560\" fill=\"none\" stroke=\"black\"/>\n"
		"<text x=\"315\" y=\"438\" text-anchor=\"middle\">size (");
	xml_text(&sb, sunit);
	sb_puts(&sb, ")</text>\n<text transform=\"translate(18 220) "
		     "rotate(-90)\" text-anchor=\"middle\">throughput (");
	xml_text(&sb, unit);
	sb_puts(&sb, ")</text>\n");
	for (size_t i = 0; i < n; i++) {
		if (drawn(v, i) != 2)
			continue;
		sb_printf(&sb, "<g stroke=\"%s\" fill=\"%s\"><title>",
			  color[nk % 8], color[nk % 8]);
		xml_text(&sb, v[i].name);
		sb_puts(&sb, "</title>\n");
		series(&sb, ax, v, n, i, 0);
		series(&sb, ax, v, n, i, 1);
		sb_printf(&sb,
			  "<path d=\"M580 %zuh14\" stroke-width=\"3\"/><text "
			  "x=\"600\" y=\"%zu\" stroke=\"none\" fill=\"black\">",
			  50 + 20 * nk, 55 + 20 * nk);
		xml_text(&sb, v[i].name);
		sb_puts(&sb, "</text></g>\n");
		nk++;
	}
	if (!nk)
		sb_puts(&sb, "<text x=\"315\" y=\"220\" text-anchor=\"middle\">"
			     "no measurements</text>\n");
	sb_puts(&sb, "</svg>\n");
	return sb_finish(&sb);
}
