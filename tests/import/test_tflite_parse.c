/* test_tflite_parse.c — frost's FlatBuffers reader (src/fmt/flatbuffers.c) against Debian's
 * python3-flatbuffers: both dump every .tflite file (the fixtures, and ../shared's real files when
 * present) in the same canonical text — operator codes, every tensor's name, type, shape, buffer
 * length and CRC-32 (buffers inside and after the FlatBuffer), quantization, the subgraph's inputs,
 * outputs and operators — and the two dumps must be identical. The Python side is
 * scripts/gen_tflite_fixtures.py dump, which reads the schema's fields with flatbuffers.table. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fmt/flatbuffers.h"
#include "import/tflite/tflite_internal.h"
#include "test.h"

typedef struct text {
    char *s;
    size_t n, cap;
} text;

static void put(text *t, const char *fmt, ...) FROST_PRINTF(2, 3);
static void put(text *t, const char *fmt, ...) {
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int k = vsnprintf(t->s ? t->s + t->n : NULL, t->s ? t->cap - t->n : 0, fmt, ap);
        va_end(ap);
        if (k >= 0 && t->s && t->n + (size_t)k < t->cap) {
            t->n += (size_t)k;
            return;
        }
        t->cap = t->cap * 2 + (size_t)k + 256;
        t->s = realloc(t->s, t->cap);
    }
}

static void ints(text *t, frost__fb *b, frost__fb_vec v) {
    for (uint32_t i = 0; i < v.len; i++) put(t, "%s%d", i ? "," : "", (int)frost__fb_vec_i32(b, v, i));
}

/* The canonical dump through frost's reader (the same lines as the Python dump). */
static bool c_dump(const unsigned char *p, size_t n, text *t) {
    frost__fb fb, *b = &fb;
    frost__fb_init(b, p, n);
    frost__fb_table m = frost__fb_root(b, "Model");
    put(t, "version %u\n", frost__fb_u32(b, m, TFL_MODEL_VERSION, 0));
    frost__fb_vec codes = frost__fb_vec_field(b, m, TFL_MODEL_OPCODES, 4, "codes");
    for (uint32_t i = 0; i < codes.len; i++) {
        frost__fb_table oc = frost__fb_vec_table(b, codes, i, "code");
        int32_t code = frost__fb_i32(b, oc, TFL_OPCODE_BUILTIN, 0);
        int32_t dep = frost__fb_i8(b, oc, TFL_OPCODE_DEPRECATED_BUILTIN, 0);
        const char *custom = frost__fb_string(b, oc, TFL_OPCODE_CUSTOM, NULL, "custom");
        put(t, "opcode %u %d v%d %s\n", i, code > dep ? code : dep,
            (int)frost__fb_i32(b, oc, TFL_OPCODE_VERSION, 1), custom ? custom : "");
    }
    frost__fb_vec buffers = frost__fb_vec_field(b, m, TFL_MODEL_BUFFERS, 4, "buffers");
    frost__fb_vec sgs = frost__fb_vec_field(b, m, TFL_MODEL_SUBGRAPHS, 4, "subgraphs");
    frost__fb_table sg = frost__fb_vec_table(b, sgs, 0, "subgraph");
    frost__fb_vec tensors = frost__fb_vec_field(b, sg, TFL_SUBGRAPH_TENSORS, 4, "tensors");
    for (uint32_t i = 0; i < tensors.len && !b->bad; i++) {
        frost__fb_table tt = frost__fb_vec_table(b, tensors, i, "tensor");
        const char *name = frost__fb_string(b, tt, TFL_TENSOR_NAME, NULL, "name");
        uint32_t bi = frost__fb_u32(b, tt, TFL_TENSOR_BUFFER, 0);
        const unsigned char *data = NULL;
        uint64_t len = 0;
        if (bi > 0 && bi < buffers.len) {
            frost__fb_table bt = frost__fb_vec_table(b, buffers, bi, "buffer");
            frost__fb_vec d = frost__fb_vec_field(b, bt, TFL_BUFFER_DATA, 1, "data");
            uint64_t off = frost__fb_u64(b, bt, TFL_BUFFER_OFFSET, 0), size = frost__fb_u64(b, bt, TFL_BUFFER_SIZE, 0);
            if (d.len) {
                data = frost__fb_vec_bytes(b, d);
                len = d.len;
            } else if (off > 1 && off <= n) {
                data = p + off;
                len = size <= n - off ? size : n - off;
            }
        }
        uLong crc = crc32(0, data ? data : (const Bytef *)"", (uInt)len);
        put(t, "tensor %u %s type %d shape ", i, name ? name : "", (int)frost__fb_i8(b, tt, TFL_TENSOR_TYPE, 0));
        if (frost__fb_present(b, tt, TFL_TENSOR_SHAPE))
            ints(t, b, frost__fb_vec_field(b, tt, TFL_TENSOR_SHAPE, 4, "shape"));
        else
            put(t, "-");
        put(t, " bytes %llu crc %08lx", (unsigned long long)len, (unsigned long)crc);
        frost__fb_table q = frost__fb_table_field(b, tt, TFL_TENSOR_QUANT, "quant");
        frost__fb_vec sc = frost__fb_vec_field(b, q, TFL_QUANT_SCALE, 4, "scale");
        if (q.pos && sc.len) {
            frost__fb_vec zp = frost__fb_vec_field(b, q, TFL_QUANT_ZERO_POINT, 8, "zp");
            put(t, " q ");
            for (uint32_t k = 0; k < sc.len; k++) put(t, "%s%.9g", k ? "," : "", (double)frost__fb_vec_f32(b, sc, k));
            put(t, " ");
            for (uint32_t k = 0; k < zp.len; k++) put(t, "%s%lld", k ? "," : "", (long long)frost__fb_vec_i64(b, zp, k));
            put(t, " axis %d", (int)frost__fb_i32(b, q, TFL_QUANT_DIM, 0));
        }
        put(t, "\n");
    }
    put(t, "inputs ");
    ints(t, b, frost__fb_vec_field(b, sg, TFL_SUBGRAPH_INPUTS, 4, "inputs"));
    put(t, "\noutputs ");
    ints(t, b, frost__fb_vec_field(b, sg, TFL_SUBGRAPH_OUTPUTS, 4, "outputs"));
    put(t, "\n");
    frost__fb_vec ops = frost__fb_vec_field(b, sg, TFL_SUBGRAPH_OPERATORS, 4, "operators");
    for (uint32_t i = 0; i < ops.len && !b->bad; i++) {
        frost__fb_table op = frost__fb_vec_table(b, ops, i, "op");
        put(t, "op %u opcode %u in ", i, frost__fb_u32(b, op, TFL_OP_OPCODE, 0));
        ints(t, b, frost__fb_vec_field(b, op, TFL_OP_INPUTS, 4, "in"));
        put(t, " out ");
        ints(t, b, frost__fb_vec_field(b, op, TFL_OP_OUTPUTS, 4, "out"));
        put(t, " options %u\n", frost__fb_u8(b, op, TFL_OP_OPTIONS_TYPE, 0));
    }
    if (b->bad) printf("frost's reader failed: %s at %lld\n", b->bad_what, (long long)b->bad_at);
    return !b->bad;
}

static bool py_dump(const char *path, text *t) {
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/scripts/gen_tflite_fixtures.py' dump '%s'",
             FROST_SOURCE_DIR, path);
    FILE *f = popen(cmd, "r");
    if (!f) return false;
    char buf[4096];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, f)) > 0) put(t, "%.*s", (int)k, buf);
    return pclose(f) == 0;
}

static int compared;

static void compare(const char *path) {
    size_t n;
    unsigned char *bytes = frost_test_read_file(path, &n);
    if (!CHECK_MSG(bytes != NULL, "cannot read %s", path)) return;
    text a = {0}, b = {0};
    bool ok_c = c_dump(bytes, n, &a), ok_py = py_dump(path, &b);
    if (CHECK_MSG(ok_c && ok_py, "%s: a dump failed", path)) {
        /* Python prints a trailing newline after the last line as well. */
        bool same = a.n == b.n && memcmp(a.s, b.s, a.n) == 0;
        if (!same) {
            size_t i = 0;
            while (i < a.n && i < b.n && a.s[i] == b.s[i]) i++;
            size_t from = i > 80 ? i - 80 : 0;
            printf("%s differs at byte %zu:\n frost: %.160s\n python: %.160s\n", path, i, a.s + from,
                   b.s + from);
        }
        CHECK_MSG(same, "%s: frost's parse differs from python3-flatbuffers'", path);
        compared++;
    }
    free(a.s);
    free(b.s);
    free(bytes);
}

static void compare_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char path[2048];
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l < 8 || strcmp(e->d_name + l - 7, ".tflite") != 0) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        compare(path);
    }
    closedir(d);
}

int main(void) {
    if (system("/usr/bin/python3 -c 'import flatbuffers' 2>/dev/null") != 0)
        frost_test_skip("python3-flatbuffers is not installed (scripts/setup-debian.sh installs it)");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", frost_test_data("tflite"));
    compare_dir(dir);
    static const char *const real[] = {"nnstreamer", "tflite_micro", "tflite_micro_seanet"};
    for (size_t i = 0; i < sizeof real / sizeof real[0]; i++) {
        const char *p = frost_test_shared(frost_test_fmt("testdata/real/tflite/%s", real[i]));
        if (p) {
            snprintf(dir, sizeof dir, "%s", p);
            compare_dir(dir);
        }
    }
    printf("compared %d files\n", compared);
    CHECK(compared >= 12);
    return frost_test_finish();
}
