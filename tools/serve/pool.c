/* pool.c — a fixed pool of frost sessions for one model version. A frost_session belongs to one
 * thread at a time; the model itself is shared. Requests take a free session and give it back; the
 * lock is held only to pop or push an index, never while a model runs, so with as many sessions as
 * HTTP workers nobody waits. Sessions are created and planned here, at load, never on a request. */
#include "serve.h"

#include <stdlib.h>
#include <string.h>

bool serve_pool_init(serve_pool *p, const frost_model *m, int size, int model_threads,
                     serve_error *e) {
    memset(p, 0, sizeof *p);
    if (size < 1) size = 1;
    p->slots = calloc((size_t)size, sizeof *p->slots);
    p->free_list = calloc((size_t)size, sizeof *p->free_list);
    if (!p->slots || !p->free_list) {
        free(p->slots);
        free(p->free_list);
        return serve_fail(e, 500, "out of memory creating %d sessions", size);
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->freed, NULL);
    frost_session_options so = {.struct_size = sizeof so, .n_threads = model_threads, .spin_us = -1};
    for (int i = 0; i < size; i++) {
        frost_error err;
        serve_slot *s = &p->slots[i];
        if (frost_session_create(m, &so, &s->session, &err) != FROST_OK ||
            frost_session_plan(s->session, &err) != FROST_OK) {
            serve_fail(e, 500, "session %d: %s", i, err.message);
            p->size = i + 1;
            serve_pool_destroy(p);
            return false;
        }
        int n_in = frost_session_input_count(s->session);
        for (int k = 0; k < n_in && k < SERVE_MAX_IO; k++) {
            frost_tensor_info info;
            frost_session_input_info(s->session, k, &info);
            s->rank[k] = info.rank;
            memcpy(s->dims[k], info.dims, sizeof info.dims);
        }
        p->free_list[i] = i;
        p->size = i + 1;
    }
    p->n_free = size;
    return true;
}

void serve_pool_destroy(serve_pool *p) {
    if (!p->slots) return;
    for (int i = 0; i < p->size; i++) frost_session_free(p->slots[i].session);
    free(p->slots);
    free(p->free_list);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->freed);
    memset(p, 0, sizeof *p);
}

serve_slot *serve_pool_acquire(serve_pool *p) {
    pthread_mutex_lock(&p->lock);
    while (p->n_free == 0) pthread_cond_wait(&p->freed, &p->lock);
    serve_slot *s = &p->slots[p->free_list[--p->n_free]];
    pthread_mutex_unlock(&p->lock);
    return s;
}

void serve_pool_release(serve_pool *p, serve_slot *s) {
    pthread_mutex_lock(&p->lock);
    p->free_list[p->n_free++] = (int)(s - p->slots);
    pthread_mutex_unlock(&p->lock);
    pthread_cond_signal(&p->freed);
}
