/* eval.c — one node at a time, outside the run loop (see eval.h). Allocates freely: it only runs at
 * load and plan time. */
#include "ops/eval.h"

frost_status frost__infer_node(const frost__node *n, frost_dtype *dtype, frost__shape *shape,
                               void *const *data, bool planning, frost_error *err) {
    const frost__op_def *def = frost__op_get(n->op);
    if (!def || !def->infer)
        return frost__op_fail(n, err, FROST_E_UNSUPPORTED, "frost has no implementation of %s yet",
                              frost__op_name(n->op));
    enum { MAXIO = 64 };
    frost_dtype in_dt_s[MAXIO], out_dt_s[MAXIO];
    frost__shape in_sh_s[MAXIO], out_sh_s[MAXIO];
    const void *in_data_s[MAXIO];
    if (n->n_in > MAXIO || n->n_out > MAXIO) {
        /* Rare (Concat of many inputs): fall back to the heap-free path by refusing politely. */
        return frost__op_fail(n, err, FROST_E_LIMIT, "%d inputs / %d outputs exceed frost's limit of %d",
                              n->n_in, n->n_out, MAXIO);
    }
    for (int i = 0; i < n->n_in; i++) {
        int v = n->in[i];
        in_dt_s[i] = v >= 0 ? dtype[v] : FROST_DTYPE_INVALID;
        in_sh_s[i] = v >= 0 ? shape[v] : frost__shape_unknown();
        in_data_s[i] = v >= 0 ? data[v] : NULL;
    }
    for (int k = 0; k < n->n_out; k++) {
        out_dt_s[k] = FROST_DTYPE_INVALID;
        out_sh_s[k] = frost__shape_unknown();
    }
    frost__infer_ctx c = {
        .node = n, .n_in = n->n_in, .in_dtype = in_dt_s, .in_shape = in_sh_s,
        .in_data = in_data_s, .n_out = n->n_out, .out_dtype = out_dt_s, .out_shape = out_sh_s,
        .planning = planning, .err = err,
    };
    FROST_TRY(def->infer(&c));
    for (int k = 0; k < n->n_out; k++) {
        if (planning && (!frost__shape_known(&out_sh_s[k]) || out_dt_s[k] == FROST_DTYPE_INVALID)) {
            char sb[96];
            return frost__op_fail(n, err, FROST_E_SHAPE, "output %d has no definite shape (%s)", k,
                                  frost__shape_str(&out_sh_s[k], sb, sizeof sb));
        }
        if (out_sh_s[k].rank > FROST_MAX_RANK)
            return frost__op_fail(n, err, FROST_E_LIMIT, "output %d has rank %d > %d", k,
                                  out_sh_s[k].rank, FROST_MAX_RANK);
        /* Every later product of these dims (strides, outer/inner splits) stays in range. */
        int64_t numel;
        if (frost__shape_known(&out_sh_s[k]) && !frost__shape_numel_ok(&out_sh_s[k], &numel)) {
            char sb[96];
            return frost__op_fail(n, err, FROST_E_LIMIT, "output %d of shape %s has more elements "
                                  "than frost can count", k,
                                  frost__shape_str(&out_sh_s[k], sb, sizeof sb));
        }
        dtype[n->out[k]] = out_dt_s[k];
        shape[n->out[k]] = out_sh_s[k];
    }
    return FROST_OK;
}

frost_status frost__eval_node(const frost__node *n, const frost_allocator *a, frost_dtype *dtype,
                              frost__shape *shape, void **data, size_t *nbytes, frost_error *err) {
    const frost__op_def *def = frost__op_get(n->op);
    FROST_TRY(frost__infer_node(n, dtype, shape, data, true, err));
    if (!def->prepare && !(def->flags & FROST__OPF_VIEW))
        return frost__op_fail(n, err, FROST_E_UNSUPPORTED, "%s cannot run", frost__op_name(n->op));
    for (int k = 0; k < n->n_out; k++) data[n->out[k]] = NULL;
    frost_status st = FROST_OK;
    frost__step *step = frost__calloc(a, 1, sizeof *step);
    void *ws = NULL;
    if (!step) return frost__op_fail(n, err, FROST_E_NOMEM, "out of memory");
    for (int k = 0; k < n->n_out && st == FROST_OK; k++) {
        size_t bytes;
        int v = n->out[k];
        if (!frost__tensor_bytes(dtype[v], &shape[v], &bytes)) {
            st = frost__op_fail(n, err, FROST_E_LIMIT, "output %d size overflows", k);
            break;
        }
        data[v] = frost__alloc(a, bytes ? bytes : 1);
        if (!data[v]) st = frost__op_fail(n, err, FROST_E_NOMEM, "out of memory (%zu bytes)", bytes);
        if (nbytes) nbytes[v] = bytes;
    }
    if (st == FROST_OK && (def->flags & FROST__OPF_VIEW)) {
        /* A view's bytes are its input's bytes. */
        size_t bytes = 0;
        frost__tensor_bytes(dtype[n->out[0]], &shape[n->out[0]], &bytes);
        if (n->in[0] >= 0 && data[n->in[0]]) memcpy(data[n->out[0]], data[n->in[0]], bytes);
        else st = frost__op_fail(n, err, FROST_E_INTERNAL, "view of an unknown value");
    } else if (st == FROST_OK) {
        const frost_dtype *in_dt = dtype; /* indexed by value id through the node */
        enum { MAXIO = 64 };
        frost_dtype idt[MAXIO], odt[MAXIO];
        frost__shape ish[MAXIO], osh[MAXIO];
        const void *idata[MAXIO];
        for (int i = 0; i < n->n_in; i++) {
            int v = n->in[i];
            idt[i] = v >= 0 ? in_dt[v] : FROST_DTYPE_INVALID;
            ish[i] = v >= 0 ? shape[v] : frost__shape_unknown();
            idata[i] = v >= 0 ? data[v] : NULL;
        }
        for (int k = 0; k < n->n_out; k++) {
            odt[k] = dtype[n->out[k]];
            osh[k] = shape[n->out[k]];
        }
        frost__prepare_ctx pc = {
            .node = n, .in_dtype = idt, .out_dtype = odt, .in_shape = ish, .out_shape = osh,
            .in_data = idata, .cpu = frost__cpu_get(), .n_threads = 1, .err = err,
        };
        step->node = n;
        st = def->prepare(step, &pc);
        if (st == FROST_OK && !step->run)
            st = frost__op_fail(n, err, FROST_E_INTERNAL, "prepare chose no kernel");
        if (st == FROST_OK && step->ws_bytes) {
            ws = frost__alloc(a, step->ws_bytes);
            if (!ws) st = frost__op_fail(n, err, FROST_E_NOMEM, "out of memory for workspace");
        }
        if (st == FROST_OK) {
            frost__exec ex = {
                .ptr = data, .shape = shape, .dtype = dtype, .arena = ws, .pool = NULL, .err = err,
            };
            step->ws_offset = 0;
            st = step->run(step, &ex);
        }
    }
    frost__free(a, ws);
    frost__free(a, step);
    if (st != FROST_OK) {
        for (int k = 0; k < n->n_out; k++) {
            frost__free(a, data[n->out[k]]);
            data[n->out[k]] = NULL;
        }
    }
    return st;
}
