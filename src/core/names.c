/* names.c — name lookup for the graph. The table owns a copy of every name, so values can be
 * renamed, merged (fusion) and dropped (compaction) without leaving a dangling key. Suggestions rank every name by a case-insensitive edit distance
 * where a difference only in case costs little: the classic 'softmax' vs 'Softmax' trap. */
#include "core/names.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t hash_str(const char *s) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

int frost__names_get(const frost__graph *g, const char *name) {
    if (!g->names_cap || !name) return -1;
    size_t mask = (size_t)g->names_cap - 1;
    for (size_t i = hash_str(name) & mask;; i = (i + 1) & mask) {
        const frost__name_entry *e = &g->names[i];
        if (!e->name) return -1;
        if (strcmp(e->name, name) == 0) return e->value;
    }
}

/* Puts (name, value) into a table with room. The table takes ownership of `name`; when the key is
 * already there the duplicate is freed (through `a`) and the value replaced. */
static bool insert_raw(frost__name_entry *tab, int cap, char *name, int value, const frost_allocator *a) {
    size_t mask = (size_t)cap - 1;
    for (size_t i = hash_str(name) & mask;; i = (i + 1) & mask) {
        if (!tab[i].name) {
            tab[i].name = name;
            tab[i].value = value;
            return true;
        }
        if (strcmp(tab[i].name, name) == 0) {
            if (tab[i].name != name) frost__free(a, name);
            tab[i].value = value;
            return false;
        }
    }
}

/* Rebuilds the table at `cap` slots, dropping entries whose value is -1 (retired ones stay). */
static frost_status rehash(frost__graph *g, int cap) {
    frost__name_entry *tab = frost__calloc(&g->alloc, (size_t)cap, sizeof *tab);
    if (!tab) return FROST_E_NOMEM;
    int used = 0;
    for (int i = 0; i < g->names_cap; i++) {
        char *name = g->names[i].name;
        if (!name) continue;
        if (g->names[i].value == -1) {
            frost__free(&g->alloc, name);
            continue;
        }
        if (insert_raw(tab, cap, name, g->names[i].value, &g->alloc)) used++;
    }
    frost__free(&g->alloc, g->names);
    g->names = tab;
    g->names_cap = cap;
    g->names_used = used;
    return FROST_OK;
}

frost_status frost__names_put(frost__graph *g, const char *name, int value) {
    if ((g->names_used + 1) * 2 > g->names_cap) {
        int cap = g->names_cap ? g->names_cap * 2 : 64;
        if (cap > (1 << 28)) return FROST_E_NOMEM;
        FROST_TRY(rehash(g, cap));
    }
    char *copy = frost__strdup(&g->alloc, name);
    if (!copy) return FROST_E_NOMEM;
    if (insert_raw(g->names, g->names_cap, copy, value, &g->alloc)) g->names_used++;
    return FROST_OK;
}

void frost__names_free(frost__graph *g) {
    for (int i = 0; i < g->names_cap; i++) frost__free(&g->alloc, g->names[i].name);
    frost__free(&g->alloc, g->names);
    g->names = NULL;
    g->names_cap = g->names_used = 0;
}

void frost__names_retire(frost__graph *g, int value) {
    for (int i = 0; i < g->names_cap; i++)
        if (g->names[i].name && g->names[i].value == value) g->names[i].value = FROST__NAME_RETIRED;
}

void frost__names_retarget(frost__graph *g, int from, int to) {
    for (int i = 0; i < g->names_cap; i++)
        if (g->names[i].name && g->names[i].value == from) g->names[i].value = to;
}

frost_status frost__names_remap(frost__graph *g, const int *new_id_plus1, int n_new) {
    (void)n_new;
    /* Entries follow their value's new id; those of dropped values go. Rebuilding (same size)
     * keeps probe chains valid after the removals. */
    for (int i = 0; i < g->names_cap; i++) {
        frost__name_entry *e = &g->names[i];
        if (e->name && e->value >= 0) e->value = new_id_plus1[e->value] - 1;
    }
    return rehash(g, g->names_cap ? g->names_cap : 64);
}

static int lower(int c) { return tolower((unsigned char)c); }

/* Edit distance ×2, where substituting a letter by the same letter in another case costs 1. */
static int distance(const char *a, const char *b, int cap) {
    int la = (int)strlen(a), lb = (int)strlen(b);
    if (la > 200 || lb > 200) return cap + 1;
    if (abs(la - lb) * 2 > cap) return cap + 1;
    int prev[201], cur[201];
    for (int j = 0; j <= lb; j++) prev[j] = 2 * j;
    for (int i = 1; i <= la; i++) {
        cur[0] = 2 * i;
        int row_min = cur[0];
        for (int j = 1; j <= lb; j++) {
            int sub = a[i - 1] == b[j - 1] ? 0 : lower(a[i - 1]) == lower(b[j - 1]) ? 1 : 2;
            int v = prev[j - 1] + sub;
            if (prev[j] + 2 < v) v = prev[j] + 2;
            if (cur[j - 1] + 2 < v) v = cur[j - 1] + 2;
            cur[j] = v;
            if (v < row_min) row_min = v;
        }
        if (row_min > cap) return cap + 1;
        memcpy(prev, cur, sizeof(int) * (size_t)(lb + 1));
    }
    return prev[lb];
}

void frost__names_suggest(const frost__graph *g, const char *name, char *buf, size_t cap) {
    enum { TOP = 3 };
    const char *best[TOP] = {0};
    int best_d[TOP] = {0};
    int n_best = 0;
    int len = (int)strlen(name);
    int limit = len < 4 ? 2 : (len * 2) / 3; /* ×2 units: about a third of the letters */
    if (limit < 2) limit = 2;
    for (int i = 0; i < g->names_cap; i++) {
        const frost__name_entry *e = &g->names[i];
        if (!e->name || e->value < 0) continue;
        int d = distance(name, e->name, limit);
        /* A name that contains the query (scope prefixes: 'dense_1/Softmax') is also close. */
        if (d > limit && len >= 3) {
            const char *slash = strrchr(e->name, '/');
            if (slash && distance(name, slash + 1, limit) <= 1) d = limit;
        }
        if (d > limit) continue;
        int at = n_best;
        while (at > 0 && (best_d[at - 1] > d ||
                          (best_d[at - 1] == d && strcmp(best[at - 1], e->name) > 0)))
            at--;
        if (at >= TOP) continue;
        int last = n_best < TOP ? n_best : TOP - 1;
        for (int k = last; k > at; k--) {
            best[k] = best[k - 1];
            best_d[k] = best_d[k - 1];
        }
        best[at] = e->name;
        best_d[at] = d;
        if (n_best < TOP) n_best++;
    }
    size_t used = 0;
    buf[0] = 0;
    for (int i = 0; i < n_best && used < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used, "%s'%s'", i ? " or " : "", best[i]);
}
