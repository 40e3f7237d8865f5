/*
 * kl_lower.c - lowering a kernel of the kernel language to an ISA program
 * (kl_lower in kl.h): the driver, parameters, registers, labels,
 * statements and control flow.  Expressions are in kl_lower_expr.c,
 * calls in kl_lower_call.c.
 *
 * TYPE RULES (man 1 atlas-compile copies this section)
 *
 * Types.  Parameters have the types of their annotations; bool scalars
 * and bool array elements are held as u8 (0 or 1).  get_global_id() is
 * u64.  A variable takes the type of the value first assigned to it, in
 * source order: an integer literal alone is i32 (i64, then u64, when it
 * does not fit), a float literal alone f32.  A variable must be assigned
 * before it is used; one first assigned inside an if, else or loop holds
 * 0 until it is assigned.  A for loop's variable takes the integer type
 * of range()'s arguments.
 *
 * Literals.  An integer literal takes the type of the other operand and
 * must fit in it ("integer literal 300 does not fit in u8"); next to a
 * float it becomes that float type.  A float literal takes the type of a
 * float operand, and is f32 next to an integer.  Operations on literals
 * alone are folded exactly (integers as Python integers within [-2^63,
 * 2^64), floats in double precision) before the result takes a type;
 * other constant subexpressions are folded with the instructions' own
 * semantics, so folding never changes a result.
 *
 * Arithmetic (+ - * // % and min, max, comparisons, the two sides of an
 * if-expression).  Of two integer types the wider wins (the narrower
 * operand is extended by its own signedness, then reinterpreted); two of
 * the same width and different signedness are an error ("mixing signed
 * and unsigned: i32 and u32") unless one side is a literal.  An integer
 * meeting a float converts to the float type.  Of two float types the
 * wider wins (f16, bf16 < f32 < f64; f16 with bf16 gives f32).  bool
 * meets only bool (comparisons, & | ^, if-expressions); a number and a
 * bool need a cast.  Integer arithmetic wraps in the width of its type.
 *
 * Division.  / always gives a float: f64 when either operand is f64, i64
 * or u64; otherwise the operands' float type when they have one; else
 * f32.  // and % follow Python for integers and floats: the quotient is
 * rounded toward minus infinity and the remainder takes the sign of the
 * divisor.  An integer division by zero is the run-time error "division
 * by zero" (a compile-time error when both sides are constants); a float
 * division by zero gives an infinity or NaN (// and % give NaN).
 *
 * Powers (** and pow()).  A float power when either side is a float
 * (integers convert as for /); x**0 is 1, x**1 is x, x**2 is x*x.  An
 * integer base needs a constant non-negative integer exponent and is
 * computed by repeated multiplication, wrapping.
 *
 * Bitwise operators & | ^ ~ << >> take integers (& | ^ also two bools).
 * A shift has the type of its left operand (a literal on the left takes
 * the count's type); the count is taken modulo the width and a constant
 * count must be below it; >> is arithmetic for signed types.
 *
 * Truth.  Comparisons give bool; a chain compares each neighbouring pair.
 * and, or and not take any number by its truth (nonzero; NaN is true) and
 * give bool; and and or short-circuit: the right side runs only when
 * needed.
 *
 * Conversions.  Assignment (to a variable, an array element, or as the
 * value of an atomic) converts implicitly from integer to float, between
 * integer types (wrapping) and between float types (rounding to
 * nearest); float to integer, and anything to or from bool, needs a cast
 * ("cannot assign f32 to i32 variable 'x' without a cast").  Casts:
 * float() is f32(), int() is i32(); i8() ... u64(), f16(), bf16(), f32(),
 * f64() and bool() (x != 0; of a float, NaN is true).  Float to integer
 * truncates toward zero: f32 to i32, u32, i64, u64 and f64 to i64, u64
 * saturate at the type's bounds (NaN gives 0); f64 to a narrower integer
 * converts to i64 first, f32 (and f16, bf16) to an 8- or 16-bit integer
 * to i32 first, saturating, and then wraps to the width.  bool converts
 * to a number as 0 or 1.  Conversions through an intermediate type
 * (i64 and u64 to f32 through f64; f64 and integers to f16 or bf16
 * through f32) may round twice; every other one rounds once or is exact.
 *
 * Functions.  exp log log2 log10 sqrt rsqrt sin cos tan tanh sigmoid erf
 * take a float (an integer converts to f32, a 64-bit one to f64) and
 * return its type.  floor, ceil and round (halfway cases to even, as
 * Python's round) return the type of their argument; an integer is
 * returned as it is.  abs, min and max take integers and floats (abs of
 * an unsigned integer is itself; min and max of NaN and a number give
 * the number).  1/(1 + exp(-x)) is computed as sigmoid(x).
 *
 * Arrays and loops.  An index is an integer of any type, converted to
 * u64 (so a negative one is out of bounds); a constant index must not be
 * negative.  for v in range(start, stop, step) evaluates its arguments
 * once; a constant step must not be 0 (a variable one of 0 runs no
 * iterations); after the loop v holds the first value that failed the
 * test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kl_lower.h"

/* ---- names --------------------------------------------------------------- */

/* The slot of name, bound or not yet (see scan()), or NULL. */
struct lw_var *lw_var_slot(struct lw *w, const char *name)
{
	for (size_t i = 0; i < w->nvars; i++)
		if (strcmp(w->vars[i].name, name) == 0)
			return &w->vars[i];
	return NULL;
}

struct lw_var *lw_var_find(struct lw *w, const char *name)
{
	struct lw_var *v = lw_var_slot(w, name);

	return v && v->t >= 0 ? v : NULL;
}

long lw_param_find(const struct lw *w, const char *name)
{
	for (size_t i = 0; i < w->k->nparams; i++)
		if (strcmp(w->k->params[i].name, name) == 0)
			return (long)i;
	return -1;
}

int lw_param_type(const struct lw *w, long i)
{
	return w->k->params[i].type.elem;
}

/* Bind slot v to type t at its first assignment. */
static void var_bind(struct lw *w, struct lw_var *v, int t)
{
	v->t = t;
	v->nested = w->depth > 0 && v->reg != ISA_REG_GLOBAL_LANE;
}

/* How many times block b binds name (assignments, for loops). */
static unsigned count_bindings(const struct kl_block *b, const char *name)
{
	unsigned n = 0;

	for (size_t i = 0; i < b->n; i++) {
		const struct kl_stmt *s = b->v[i];

		switch (s->kind) {
		case KS_LET:
		case KS_FOR:
			n += strcmp(s->name, name) == 0;
			break;
		case KS_ASSIGN:
			n += s->target->kind == KE_VAR &&
			     strcmp(s->target->name, name) == 0;
			break;
		default:
			break;
		}
		n += count_bindings(&s->body, name);
		n += count_bindings(&s->orelse, name);
	}
	return n;
}

static int is_call0(const struct kl_expr *e, const char *name)
{
	return e && e->kind == KE_CALL && strcmp(e->name, name) == 0 &&
	       e->nargs == 0;
}

int lw_is_gid(struct lw *w, const struct kl_expr *e)
{
	const struct lw_var *v;

	if (is_call0(e, "get_global_id"))
		return 1;
	v = e->kind == KE_VAR ? lw_var_slot(w, e->name) : NULL;
	return v && v->reg == ISA_REG_GLOBAL_LANE;
}

/* ---- the scan before lowering --------------------------------------------
 *
 * Every variable gets its register before any code is made, so that no
 * temporary ever shares it (a variable first bound in a block is zeroed
 * at entry: nothing may use its register before).  A variable bound once,
 * to get_global_id(), is r255 itself.  The byte offsets of the lane id,
 * gid << log2(size), get registers set at entry too: most kernels index
 * with nothing else.
 */

static int scan_bind(struct lw *w, const char *name,
		     const struct kl_expr *value)
{
	struct lw_var *v;

	if (lw_param_find(w, name) >= 0 || lw_var_slot(w, name))
		return 0;
	if (w->nvars == w->vars_cap) {
		size_t cap = w->vars_cap ? 2 * w->vars_cap : 16;
		void *q = realloc(w->vars, cap * sizeof *w->vars);

		if (!q)
			return lw_nomem(w);
		w->vars = q;
		w->vars_cap = cap;
	}
	v = &w->vars[w->nvars++];
	memset(v, 0, sizeof *v);
	v->name = name;
	v->t = -1;
	if (is_call0(value, "get_global_id") &&
	    count_bindings(&w->k->body, name) == 1) {
		v->reg = ISA_REG_GLOBAL_LANE;
		return 0;
	}
	return lw_alloc(w, R_VAR, &v->reg);
}

/* Note arr[gid] for array parameter expression arr. */
static void scan_index(struct lw *w, const struct kl_expr *arr,
		       const struct kl_expr *idx)
{
	long pi = arr->kind == KE_VAR ? lw_param_find(w, arr->name) : -1;
	unsigned size;

	if (pi < 0 || !w->k->params[pi].type.array || !lw_is_gid(w, idx))
		return;
	size = lt_size(lw_param_type(w, pi));
	w->gid_off[size == 8 ? 3 : size == 4 ? 2 : size == 2 ? 1 : 0] = 1;
}

static void scan_expr(struct lw *w, const struct kl_expr *e)
{
	if (!e)
		return;
	if (e->kind == KE_INDEX)
		scan_index(w, e->a, e->b);
	if (e->kind == KE_CALL && e->nargs >= 2 &&
	    (strcmp(e->name, "atomic_add") == 0 ||
	     strcmp(e->name, "atomic_min") == 0))
		scan_index(w, e->args[0], e->args[1]);
	for (size_t i = 0; i < e->nargs; i++)
		scan_expr(w, e->args[i]);
	scan_expr(w, e->a);
	scan_expr(w, e->b);
	scan_expr(w, e->c);
}

static int scan_block(struct lw *w, const struct kl_block *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct kl_stmt *s = b->v[i];
		int rc = 0;

		if (s->kind == KS_LET || s->kind == KS_FOR)
			rc = scan_bind(w, s->name,
				       s->kind == KS_LET ? s->value : NULL);
		else if (s->kind == KS_ASSIGN && s->target->kind == KE_VAR)
			rc = scan_bind(w, s->target->name, s->value);
		if (rc)
			return -1;
		if (s->kind == KS_ASSIGN)
			scan_expr(w, s->target);
		scan_expr(w, s->value);
		scan_expr(w, s->start);
		scan_expr(w, s->stop);
		scan_expr(w, s->step);
		if (scan_block(w, &s->body) || scan_block(w, &s->orelse))
			return -1;
	}
	return 0;
}

static int scan(struct lw *w)
{
	for (int i = 0; i < 4; i++)
		w->gid_off[i] = 0;
	if (scan_block(w, &w->k->body))
		return -1;
	for (int i = 0; i < 4; i++) {
		uint16_t r = ISA_REG_GLOBAL_LANE;

		if (!w->gid_off[i])
			r = LW_NONE;
		else if (i > 0 && lw_alloc(w, R_FIXED, &r))
			return -1;
		w->gid_off[i] = r;
	}
	return 0;
}

/* A parameter as the target of an assignment is an error. */
static int param_target(struct lw *w, const char *name, uint32_t line,
			uint32_t col)
{
	long pi = lw_param_find(w, name);

	if (pi < 0)
		return 0;
	if (w->k->params[pi].type.array)
		return lw_fail(w, line, col,
			       "cannot assign to array parameter '%s'", name);
	return lw_fail(w, line, col, "cannot assign to scalar parameter '%s'",
		       name);
}

/* ---- statements -------------------------------------------------------- */

static int block(struct lw *w, const struct kl_block *b);

/* The end of a statement: its temporaries, remembered values and
   predicates are free again. */
static void stmt_end(struct lw *w)
{
	for (unsigned i = 1; i <= LW_LASTREG; i++)
		if (w->rs[i] == R_TEMP || w->rs[i] == R_CACHE)
			w->rs[i] = R_FREE;
	w->ncache = 0;
	w->preds = 0;
}

/* name = value */
static int assign_var(struct lw *w, const char *name,
		      const struct kl_expr *value, uint32_t line, uint32_t col)
{
	struct lw_var *var;
	struct val v;
	char what[160];
	uint16_t r = 0;
	int t;

	if (param_target(w, name, line, col))
		return -1;
	var = lw_var_slot(w, name);
	if (!var) /* every binding has a slot (scan) */
		return lw_fail(w, line, col, "undeclared name '%s'", name);
	if (var->t >= 0) {
		snprintf(what, sizeof what, "%s variable '%s'", lt_name(var->t),
			 name);
		return lw_into(w, value, var->t, var->reg, what);
	}
	if (var->reg == ISA_REG_GLOBAL_LANE) { /* holds the lane id only */
		var_bind(w, var, ATLAS_U64);
		return 0;
	}
	r = var->reg;
	if (lw_expr(w, value, &v, r, LT_ANY))
		return -1;
	t = v.k == VK_REG || v.k == VK_CONST ? v.t : lw_lit_type(&v);
	if (!(v.k == VK_REG && v.reg == r) && lw_put(w, &v, t, r))
		return -1;
	var_bind(w, var, t);
	return 0;
}

/* arr[index] = value */
static int assign_elem(struct lw *w, const struct kl_stmt *s)
{
	const struct kl_expr *tg = s->target, *arr = tg->a;
	struct isa_addr addr;
	struct isa_insn in;
	struct val v;
	char what[160];
	long pi;
	int t;

	pi = lw_array_of(w, arr);
	if (pi < 0)
		return -1;
	t = lw_param_type(w, pi);
	/* The address first: the value's last instruction then comes right
	   before the store, where the engine computes it in place. */
	if (lw_addr(w, pi, tg->b, &addr) ||
	    lw_expr(w, s->value, &v, LW_NONE, LT_ANY))
		return -1;
	snprintf(what, sizeof what, "%s element of '%s'", lt_name(t),
		 arr->name);
	if (!lw_implicit_ok(lw_vtype(&v), t))
		return lw_efail(w, s->value,
				"cannot assign %s to %s without a cast",
				lt_name(v.k == VK_INT	? lw_lit_type(&v) :
					v.k == VK_FLOAT ? ATLAS_F32 :
							  v.t),
				what);
	if (lw_to(w, &v, t, LW_NONE, s->value) || lw_reg(w, &v))
		return -1;
	w->line = s->line;
	w->col = s->col;
	lw_insn_init(&in, OP_STG, t);
	in.addr = addr;
	in.src[0] = v.reg;
	return lw_emit(w, &in);
}

static int ends_in_jump(const struct kl_block *b)
{
	if (b->n == 0)
		return 0;
	switch (b->v[b->n - 1]->kind) {
	case KS_BREAK:
	case KS_CONTINUE:
	case KS_RETURN:
		return 1;
	default:
		return 0;
	}
}

/* if c: body else: orelse, with the else branch first: for conditions
   that jump when true more cheaply (ordered float comparisons). */
static int lower_if_swapped(struct lw *w, const struct kl_stmt *s)
{
	long l_then = lw_label(w, "then"), l_end = lw_label(w, "endif");

	if (l_then < 0 || l_end < 0 || lw_cond(w, s->value, l_then, 1))
		return -1;
	stmt_end(w);
	if (block(w, &s->orelse))
		return -1;
	if (!ends_in_jump(&s->orelse) && lw_emit_bra(w, l_end, ISA_NO_PRED))
		return -1;
	if (lw_place(w, l_then) || block(w, &s->body))
		return -1;
	return lw_place(w, l_end);
}

static int lower_if(struct lw *w, const struct kl_stmt *s)
{
	long l_else, l_end;
	int swap;

	/* if c: break / continue: one conditional jump */
	if (s->orelse.n == 0 && s->body.n == 1 && w->nloops &&
	    (s->body.v[0]->kind == KS_BREAK ||
	     s->body.v[0]->kind == KS_CONTINUE)) {
		const struct lw_loop *l = &w->loops[w->nloops - 1];

		if (lw_cond(w, s->value,
			    s->body.v[0]->kind == KS_BREAK ? l->brk : l->cont,
			    1))
			return -1;
		stmt_end(w);
		return 0;
	}
	if (s->orelse.n && lw_prefers_true(w, s->value, &swap))
		return -1;
	if (s->orelse.n && swap)
		return lower_if_swapped(w, s);
	l_else = lw_label(w, "else");
	if (l_else < 0 || lw_cond(w, s->value, l_else, 0))
		return -1;
	stmt_end(w);
	if (block(w, &s->body))
		return -1;
	if (s->orelse.n == 0)
		return lw_place(w, l_else);
	l_end = lw_label(w, "endif");
	if (l_end < 0)
		return -1;
	if (!ends_in_jump(&s->body) && lw_emit_bra(w, l_end, ISA_NO_PRED))
		return -1;
	if (lw_place(w, l_else) || block(w, &s->orelse))
		return -1;
	return lw_place(w, l_end);
}

static int loop_push(struct lw *w, long brk, long cont)
{
	if (w->nloops == w->loops_cap) {
		size_t cap = w->loops_cap ? 2 * w->loops_cap : 8;
		void *q = realloc(w->loops, cap * sizeof *w->loops);

		if (!q)
			return lw_nomem(w);
		w->loops = q;
		w->loops_cap = cap;
	}
	w->loops[w->nloops].brk = brk;
	w->loops[w->nloops].cont = cont;
	w->nloops++;
	return 0;
}

/* The loop body: break goes to brk, continue to cont. */
static int loop_body(struct lw *w, const struct kl_block *b, long brk,
		     long cont)
{
	if (loop_push(w, brk, cont))
		return -1;
	if (block(w, b))
		return -1;
	w->nloops--;
	return 0;
}

/* while cond: body, rotated: the test at the bottom, entered once. */
static int lower_while(struct lw *w, const struct kl_stmt *s)
{
	long l_body = lw_label(w, "while"), l_cond = lw_label(w, "wcond"),
	     l_end = lw_label(w, "wend");

	if (l_body < 0 || l_cond < 0 || l_end < 0 ||
	    lw_emit_bra(w, l_cond, ISA_NO_PRED) || lw_place(w, l_body) ||
	    loop_body(w, &s->body, l_end, l_cond) || lw_place(w, l_cond))
		return -1;
	w->line = s->line;
	w->col = s->col;
	if (lw_cond(w, s->value, l_body, 1))
		return -1;
	stmt_end(w);
	return lw_place(w, l_end);
}

/*
 * Keep v alive through for loop s in a register: a temporary becomes
 * held; a variable the loop assigns (its own variable included) is
 * copied; a constant is loaded.  *held is set when the register must be
 * freed after the loop.
 */
static int hold(struct lw *w, struct val *v, int t, const struct kl_stmt *s,
		int *held)
{
	uint16_t r = 0;

	*held = 0;
	if (v->k == VK_REG) {
		const struct lw_var *var = NULL;

		if (w->rs[v->reg] == R_TEMP || w->rs[v->reg] == R_CACHE) {
			w->rs[v->reg] = R_HELD;
			*held = 1;
			lw_cache_clear(w);
			return 0;
		}
		for (size_t i = 0; i < w->nvars; i++)
			if (w->vars[i].reg == v->reg)
				var = &w->vars[i];
		if (!var || (count_bindings(&s->body, var->name) == 0 &&
			     strcmp(var->name, s->name) != 0))
			return 0;
	}
	if (lw_alloc(w, R_HELD, &r) || lw_put(w, v, t, r))
		return -1;
	*held = 1;
	v->k = VK_REG;
	v->t = t;
	v->reg = r;
	return 0;
}

/* The value of a range() argument, NULL giving dflt. */
static int range_arg(struct lw *w, const struct kl_expr *e, int dflt,
		     struct val *v)
{
	if (!e) {
		memset(v, 0, sizeof *v);
		v->k = VK_INT;
		v->i = dflt;
		return 0;
	}
	if (lw_expr(w, e, v, LW_NONE, LT_ANY))
		return -1;
	if (v->k == VK_FLOAT ||
	    ((v->k == VK_REG || v->k == VK_CONST) && !lt_int(v->t)))
		return lw_efail(w, e,
				"range() arguments must be integers, got %s",
				lt_name(v->k == VK_FLOAT ? ATLAS_F32 : v->t));
	return 0;
}

/* The integer type of a new loop variable from range()'s arguments. */
static int range_type(struct lw *w, const struct kl_stmt *s,
		      const struct val *v)
{
	const struct kl_expr *args[3] = {s->start, s->stop, s->step};
	int t = LT_ILIT;

	for (int i = 0; i < 3; i++) {
		t = lw_meet(w, t, lw_vtype(&v[i]), args[i] ? args[i] : s->stop);
		if (t < 0)
			return -1;
	}
	if (t != LT_ILIT)
		return t;
	for (int i = 0; i < 3; i++)
		if (lw_lit_type(&v[i]) != ATLAS_I32)
			t = lw_lit_type(&v[i]);
	return t == LT_ILIT ? ATLAS_I32 : t;
}

/* The sign of a constant step (0 when unknown), after conversion to t. */
static int step_sign(const struct val *v, int t)
{
	__int128 x;

	if (v->k != VK_CONST)
		return lt_signed(t) ? 0 : 1;
	x = lw_const_int(v);
	return x > 0 ? 1 : x < 0 ? -1 : 0;
}

struct for_regs {
	uint16_t ctr; /* the counter */
	struct val stop, step, zero;
	int held[4]; /* ctr, stop, step, zero */
};

/* The loop test at the bottom: jump to l_body while the counter has not
   passed stop in the direction of the step. */
static int for_test(struct lw *w, const struct for_regs *f, int t, int sign,
		    long l_body, long l_end)
{
	uint16_t p = 0;
	long l_pos;

	if (lw_palloc(w, &p))
		return -1;
	if (sign) {
		if (lw_emit_setcc(w, sign > 0 ? COND_LT : COND_GT, t, p, f->ctr,
				  f->stop.reg) ||
		    lw_emit_bra(w, l_body, p))
			return -1;
		lw_pfree(w, p);
		return 0;
	}
	l_pos = lw_label(w, "fpos");
	if (l_pos < 0 ||
	    lw_emit_setcc(w, COND_GT, t, p, f->step.reg, f->zero.reg) ||
	    lw_emit_bra(w, l_pos, p) ||
	    lw_emit_setcc(w, COND_GT, t, p, f->ctr, f->stop.reg) ||
	    lw_emit_bra(w, l_body, p) || lw_emit_bra(w, l_end, ISA_NO_PRED) ||
	    lw_place(w, l_pos) ||
	    lw_emit_setcc(w, COND_LT, t, p, f->ctr, f->stop.reg) ||
	    lw_emit_bra(w, l_body, p))
		return -1;
	lw_pfree(w, p);
	return 0;
}

/*
 * for v in range(start, stop, step): v = start; then, rotated, the body
 * while v < stop (v > stop for a negative step), v += step after it.  A
 * body that assigns v gets a hidden counter copied into v each time.
 */
static int lower_for(struct lw *w, const struct kl_stmt *s)
{
	struct val v[3];
	struct for_regs f;
	struct lw_var *var;
	long l_body, l_next, l_cond, l_end;
	int t, sign, hidden, created = 0;

	memset(&f, 0, sizeof f);
	if (param_target(w, s->name, s->line, s->col) ||
	    range_arg(w, s->start, 0, &v[0]) ||
	    range_arg(w, s->stop, 0, &v[1]) || range_arg(w, s->step, 1, &v[2]))
		return -1;
	var = lw_var_find(w, s->name);
	if (var && !lt_int(var->t))
		return lw_fail(w, s->line, s->col,
			       "loop variable '%s' must be an integer, got %s",
			       s->name, lt_name(var->t));
	t = var ? var->t : range_type(w, s, v);
	if (t < 0)
		return -1;
	for (int i = 1; i < 3; i++)
		if (lw_to(w, &v[i], t, LW_NONE, i == 1 ? s->stop : s->step))
			return -1;
	sign = step_sign(&v[2], t);
	if (v[2].k == VK_CONST && sign == 0)
		return lw_efail(w, s->step, "range() step must not be zero");
	if (!var) {
		var = lw_var_slot(w, s->name);
		var_bind(w, var, t);
		created = 1;
	}
	hidden = count_bindings(&s->body, s->name) > 0;
	if (hidden && created)
		var->nested = 1; /* bound only inside the loop */
	f.ctr = var->reg;
	if (hidden && lw_alloc(w, R_HELD, &f.ctr))
		return -1;
	f.held[0] = hidden;
	/* the bounds first: the counter may be a variable they read */
	f.stop = v[1];
	f.step = v[2];
	if (hold(w, &f.stop, t, s, &f.held[1]) ||
	    hold(w, &f.step, t, s, &f.held[2]))
		return -1;
	if (sign == 0) {
		memset(&f.zero, 0, sizeof f.zero);
		f.zero.k = VK_CONST;
		f.zero.t = t;
		if (hold(w, &f.zero, t, s, &f.held[3]))
			return -1;
	}
	if (lw_to(w, &v[0], t, f.ctr, s->start) || lw_put(w, &v[0], t, f.ctr))
		return -1;
	stmt_end(w);
	l_body = lw_label(w, "for");
	l_next = lw_label(w, "fnext");
	l_cond = lw_label(w, "fcond");
	l_end = lw_label(w, "fend");
	if (l_body < 0 || l_next < 0 || l_cond < 0 || l_end < 0 ||
	    lw_emit_bra(w, l_cond, ISA_NO_PRED) || lw_place(w, l_body))
		return -1;
	if (hidden && lw_emit_un(w, OP_MOV, t, var->reg, f.ctr))
		return -1;
	if (loop_body(w, &s->body, l_end, l_next) || lw_place(w, l_next))
		return -1;
	w->line = s->line;
	w->col = s->col;
	if (lw_emit_bin(w, OP_ADD, t, f.ctr, f.ctr, f.step.reg) ||
	    lw_place(w, l_cond) || for_test(w, &f, t, sign, l_body, l_end) ||
	    lw_place(w, l_end))
		return -1;
	if (f.held[0])
		lw_free(w, f.ctr);
	if (f.held[1])
		lw_free(w, f.stop.reg);
	if (f.held[2])
		lw_free(w, f.step.reg);
	if (f.held[3])
		lw_free(w, f.zero.reg);
	stmt_end(w);
	return 0;
}

static int lower_jump(struct lw *w, const struct kl_stmt *s)
{
	const char *what = s->kind == KS_BREAK ? "break" : "continue";

	if (w->nloops == 0)
		return lw_fail(w, s->line, s->col, "'%s' outside a loop", what);
	return lw_emit_bra(w,
			   s->kind == KS_BREAK ? w->loops[w->nloops - 1].brk :
						 w->loops[w->nloops - 1].cont,
			   ISA_NO_PRED);
}

static int stmt(struct lw *w, const struct kl_stmt *s)
{
	int rc;

	w->line = s->line;
	w->col = s->col;
	switch (s->kind) {
	case KS_LET:
		rc = assign_var(w, s->name, s->value, s->line, s->col);
		break;
	case KS_ASSIGN:
		if (s->target->kind == KE_VAR)
			rc = assign_var(w, s->target->name, s->value,
					s->target->line, s->target->col);
		else if (s->target->kind == KE_INDEX)
			rc = assign_elem(w, s);
		else
			rc = lw_efail(w, s->target,
				      "cannot assign to this "
				      "expression");
		break;
	case KS_IF:
		rc = lower_if(w, s);
		break;
	case KS_FOR:
		rc = lower_for(w, s);
		break;
	case KS_WHILE:
		rc = lower_while(w, s);
		break;
	case KS_BREAK:
	case KS_CONTINUE:
		rc = lower_jump(w, s);
		break;
	case KS_RETURN:
		if (s->value)
			return lw_efail(w, s->value,
					"a kernel cannot return a value");
		rc = lw_emit_exit(w);
		break;
	default: /* KS_EXPR */
		rc = lw_expr_stmt(w, s->value);
		break;
	}
	stmt_end(w);
	return rc;
}

static int block(struct lw *w, const struct kl_block *b)
{
	int rc = 0;

	w->depth++;
	for (size_t i = 0; i < b->n && rc == 0; i++)
		rc = stmt(w, b->v[i]);
	w->depth--;
	return rc;
}

/* ---- the kernel ---------------------------------------------------------- */

static int add_params(struct lw *w)
{
	const struct kl_func *k = w->k;

	if (k->nparams > LW_LASTREG - 8)
		return lw_fail(w, k->line, k->col,
			       "too many parameters (at most %d)",
			       LW_LASTREG - 8);
	for (size_t i = 0; i < k->nparams; i++) {
		const struct kl_param *q = &k->params[i];
		enum atlas_param_kind kind = q->type.array ? ATLAS_PARAM_ARRAY :
							     ATLAS_PARAM_SCALAR;
		enum atlas_param_use use = q->type.array ? ATLAS_USE_IN :
							   ATLAS_USE_VALUE;

		enum atlas_status st = program_add_param(w->p, q->name, kind,
							 lt_isa(q->type.elem),
							 use, (unsigned)(i + 1),
							 w->err);

		if (st != ATLAS_OK) {
			w->failed = st;
			if (w->err && st != ATLAS_ERR_NOMEM) {
				w->err->line = q->line;
				w->err->col = q->col;
			}
			return -1;
		}
		w->p->params[i].line = q->line;
		w->p->params[i].col = q->col;
		w->rs[i + 1] = R_FIXED;
	}
	return 0;
}

/* Uses and access classes from the analysis (kl_access.c). */
static int set_access(struct lw *w)
{
	const struct kl_func *k = w->k;
	struct kl_access *acc =
		calloc(k->nparams ? k->nparams : 1, sizeof *acc);
	enum atlas_status st;

	if (!acc)
		return lw_nomem(w);
	st = kl_analyse_access(k, acc, w->err);
	for (size_t i = 0; i < k->nparams && st == ATLAS_OK; i++) {
		struct isa_param *q = &w->p->params[i];

		if (q->kind == ATLAS_PARAM_SCALAR) {
			q->use = acc[i].guard ? ATLAS_USE_GUARD :
						ATLAS_USE_VALUE;
			continue;
		}
		q->use = acc[i].written ? (acc[i].read ? ATLAS_USE_INOUT :
							 ATLAS_USE_OUT) :
					  ATLAS_USE_IN;
		st = program_set_access(w->p, i, acc[i].cls, acc[i].record_len,
					acc[i].record_param, w->err);
	}
	free(acc);
	if (st != ATLAS_OK)
		w->failed = st;
	return st == ATLAS_OK ? 0 : -1;
}

/*
 * Variables first bound inside a block may be read where no binding
 * reached (the verifier requires a definition on every path): they start
 * as 0, set by instructions put in front of the program.
 */
static int prologue(struct lw *w)
{
	struct atlas_program *p = w->p;
	size_t n = 0, k = 0;
	struct isa_insn pad;

	for (int i = 1; i < 4; i++)
		n += w->gid_off[i] != LW_NONE ? 2 : 0;
	for (size_t i = 0; i < w->nvars; i++)
		n += w->vars[i].nested;
	if (n == 0)
		return 0;
	lw_insn_init(&pad, OP_EXIT, -1);
	for (size_t i = 0; i < n; i++) /* grow by n */
		if (program_emit(p, &pad) != ATLAS_OK)
			return lw_nomem(w);
	memmove(p->insns + n, p->insns, (p->ninsns - n) * sizeof *p->insns);
	for (int i = 1; i < 4; i++) {
		struct isa_insn *in = &p->insns[k];

		if (w->gid_off[i] == LW_NONE)
			continue;
		/* mov_imm.u32 r0, i; shl.u64 rO, r255, r0 */
		lw_insn_init(in, OP_MOV_IMM, ATLAS_U32);
		in->imm = (uint64_t)i;
		lw_insn_init(in + 1, OP_SHL, ATLAS_U64);
		in[1].dst = w->gid_off[i];
		in[1].src[0] = ISA_REG_GLOBAL_LANE;
		in[0].line = in[1].line = w->k->line;
		in[0].col = in[1].col = w->k->col;
		k += 2;
	}
	for (size_t i = 0; i < w->nvars; i++) {
		struct isa_insn *in = &p->insns[k];

		if (!w->vars[i].nested)
			continue;
		lw_insn_init(in, OP_MOV_IMM, w->vars[i].t);
		in->dst = w->vars[i].reg;
		in->line = w->k->line;
		in->col = w->k->col;
		k++;
	}
	for (size_t i = 0; i < p->nlabels; i++)
		p->labels[i].target += (uint32_t)n;
	return 0;
}

enum atlas_status kl_lower(const struct kl_func *k, struct atlas_program **out,
			   struct atlas_error *err)
{
	struct lw w;
	int rc;

	*out = NULL;
	memset(&w, 0, sizeof w);
	w.k = k;
	w.err = err;
	w.line = k->line;
	w.col = k->col;
	w.p = program_new(k->name);
	if (!w.p) {
		atlas_error_set(err, ATLAS_ERR_NOMEM, 0, 0, "out of memory");
		return ATLAS_ERR_NOMEM;
	}
	w.rs[0] = R_FIXED;
	for (unsigned i = LW_LASTREG + 1; i < ISA_NREGS; i++)
		w.rs[i] = R_FIXED;
	rc = add_params(&w);
	if (rc == 0)
		rc = scan(&w);
	for (size_t i = 0; i < k->body.n && rc == 0; i++)
		rc = stmt(&w, k->body.v[i]);
	if (rc == 0 &&
	    (w.p->ninsns == 0 || w.p->insns[w.p->ninsns - 1].op != OP_EXIT)) {
		w.line = k->line;
		w.col = k->col;
		rc = lw_emit_exit(&w);
	}
	if (rc == 0)
		rc = prologue(&w);
	if (rc == 0)
		rc = set_access(&w);
	free(w.vars);
	free(w.loops);
	if (rc) {
		atlas_program_free(w.p);
		return w.failed ? (enum atlas_status)w.failed : ATLAS_ERR_PARSE;
	}
	*out = w.p;
	return ATLAS_OK;
}
