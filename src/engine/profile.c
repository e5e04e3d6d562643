/* profile.c — the public profile of a session (frost_session_options.profile): per step of the
 * current plan, its node, what kernel prepare chose, the FLOPs it computes and the wall time the
 * run loop measured around it (engine/session.c). Reading a profile never allocates and never
 * touches the plan; the timings are reset by a re-plan or frost_session_profile_reset. */
#include "engine/session.h"

int frost_session_profile_count(const frost_session *s) {
    return s && s->prof_ns && s->planned ? s->n_steps : 0;
}

frost_status frost_session_profile_step(const frost_session *s, int index, frost_step_profile *out) {
    if (!s || !out) return FROST_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    if (!s->prof_ns || !s->planned) return FROST_E_STATE;
    if (index < 0 || index >= s->n_steps) return FROST_E_INVALID_ARG;
    const frost__step *st = &s->steps[index];
    const frost__node *n = st->node;
    out->node = n ? n->name : "";
    out->op = n ? n->src_op : "";
    out->kernel = st->label[0] ? st->label : n ? frost__op_name(n->op) : "";
    out->runs = s->prof_runs;
    const size_t n_nodes = (size_t)(s->m->g.n_nodes ? s->m->g.n_nodes : 1);
    out->total_us = (double)s->prof_ns[index] / 1e3;
    /* A step on an If's untaken side keeps its "never ran" fastest time. */
    const uint64_t fastest = s->prof_ns[n_nodes + (size_t)index];
    out->min_us = s->prof_runs && fastest != UINT64_MAX ? (double)fastest / 1e3 : 0;
    out->flops = n ? frost__node_flops(s, n) : 0;
    return FROST_OK;
}

void frost_session_profile_reset(frost_session *s) {
    if (!s || !s->prof_ns) return;
    const size_t n_nodes = (size_t)(s->m->g.n_nodes ? s->m->g.n_nodes : 1);
    memset(s->prof_ns, 0, n_nodes * sizeof *s->prof_ns);
    for (size_t i = 0; i < n_nodes; i++) s->prof_ns[n_nodes + i] = UINT64_MAX;
    s->prof_runs = 0;
}
