/* frost.h — the only public header of frost, a small C runtime for trained neural networks.
 *
 * frost loads a model (TensorFlow GraphDef, ONNX, Keras .h5/.keras, TensorFlow.js), cleans it for
 * inference once at load (learning-phase branches resolved, dead nodes pruned, constants folded,
 * bias and activations fused), and runs it with zero heap allocations per call.
 *
 * Life cycle:
 *
 *   frost_model *m;   frost_error err;
 *   if (frost_model_load_file("mnist.pb", NULL, &m, &err) != FROST_OK) { puts(err.message); ... }
 *   frost_session *s;
 *   frost_session_create(m, NULL, &s, &err);       // plans memory for the model's own shapes
 *   float *x = frost_session_input_data(s, 0);     // or frost_session_set_input / bind_input
 *   ... fill x ...
 *   frost_session_run(s, &err);                    // never allocates
 *   const float *y = frost_session_output_data(s, 0, NULL);
 *   frost_session_free(s);  frost_model_free(m);
 *
 * Conventions, the same for every function below:
 * - Every fallible call returns a frost_status; FROST_OK is 0. When `err` is non-NULL it receives a
 *   one-line message naming the problem and, where known, the node, op and file offset.
 * - Out-parameters come last but one (before `err`) and are set to NULL/0 on failure.
 * - Every *_free accepts NULL and does nothing.
 * - Strings returned by frost are borrowed: never free them. Their lifetime is stated per function.
 * - There is no global mutable state. The only process-wide data is the CPU feature probe, computed
 *   once, thread-safely.
 * - Threads: a frost_model is immutable after load and may be shared by any number of threads and
 *   sessions. A frost_session must be used by one thread at a time.
 * - Versioned option structs (frost_load_options, frost_session_options): set struct_size to
 *   sizeof the struct. frost reads only the fields within the caller's struct_size, and every
 *   field it does not read, or that is 0, takes the default documented beside it; struct_size 0
 *   means the first release's struct (load options up to max_nodes, session options up to
 *   n_outputs). A struct_size smaller than that is refused (FROST_E_INVALID_ARG).
 * - The environment: FROST_MAX_ISA=ref|avx2|avx512 caps the kernels of the whole process (read
 *   once; frost_load_options.max_isa caps one model); FROST_CBLAS_ROUTE=off|all is
 *   frost_load_options.cblas_route's default. frost reads no other environment variable.
 */
#ifndef FROST_H
#define FROST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(FROST_BUILD_SHARED)
#define FROST_API __declspec(dllexport)
#elif defined(__GNUC__)
#define FROST_API __attribute__((visibility("default")))
#else
#define FROST_API
#endif

#define FROST_VERSION_MAJOR 0
#define FROST_VERSION_MINOR 1
#define FROST_VERSION_PATCH 0
/* "0.1.0": static string. */
FROST_API const char *frost_version(void);
/* The same as a number, MAJOR * 10000 + MINOR * 100 + PATCH (0.1.0 -> 100): the version of the
 * library actually loaded, to compare with the FROST_VERSION_* macros a program was compiled with. */
FROST_API int frost_version_number(void);

/* ==== Status and errors ======================================================================== */

typedef enum frost_status {
    FROST_OK = 0,
    FROST_E_INVALID_ARG,  /* caller bug: NULL where not allowed, index out of range               */
    FROST_E_IO,           /* the file could not be opened or read                                  */
    FROST_E_FORMAT,       /* malformed file: bad magic, truncation, offset out of range, cycles   */
    FROST_E_UNSUPPORTED,  /* well-formed, but uses an op, dtype or layer frost cannot run           */
    FROST_E_LIMIT,        /* exceeds a limit (file bytes, nodes, rank, tensor bytes, arena bytes)  */
    FROST_E_SHAPE,        /* a shape is incompatible with the model or with an op                  */
    FROST_E_DTYPE,        /* a dtype is incompatible with the model or with an op                  */
    FROST_E_NOT_FOUND,    /* no node, tensor or layer has that name                                */
    FROST_E_NOMEM,        /* an allocation failed                                                  */
    FROST_E_STATE,        /* a call out of order                                                   */
    FROST_E_INTERNAL      /* a frost bug: please report it with the model                          */
} frost_status;

/* "FROST_E_FORMAT" etc.: static string; unknown codes give "FROST_E_?". */
FROST_API const char *frost_status_name(frost_status s);

/* Copies `src` into dst (cap bytes, always NUL-terminated when cap > 0), writing control
 * characters and bytes that are not valid UTF-8 as \xNN: names read from a model file are data,
 * and this makes them safe to print. frost's own messages, the report and the CLI already use it.
 * Truncates at a character boundary. Returns the length written. */
FROST_API size_t frost_escape_text(char *dst, size_t cap, const char *src);

/* Caller-owned error details. frost never allocates to report an error, so this works at OOM. */
typedef struct frost_error {
    frost_status code;
    char message[512];    /* one line, no trailing newline; "" on success. Names from the model
                             file appear escaped (frost_escape_text)                             */
    char node[128];       /* node or layer name involved, "" if none (escaped)                    */
    char op[64];          /* op or layer type involved, "" if none                                */
    int64_t file_offset;  /* byte offset in the model file, -1 if not applicable                  */
} frost_error;

/* ==== Tensors ================================================================================== */

typedef enum frost_dtype {
    FROST_DTYPE_INVALID = 0,
    FROST_DTYPE_F32, FROST_DTYPE_F64, FROST_DTYPE_F16, FROST_DTYPE_BF16,
    FROST_DTYPE_I8, FROST_DTYPE_I16, FROST_DTYPE_I32, FROST_DTYPE_I64,
    FROST_DTYPE_U8, FROST_DTYPE_U16, FROST_DTYPE_U32, FROST_DTYPE_U64,
    FROST_DTYPE_BOOL,     /* one byte, 0 or 1 */
    FROST_DTYPE_STRING,   /* only ever reported, never computed on */
    FROST_DTYPE_COUNT
} frost_dtype;

/* "f32", "i64", "bool", ...: static string. */
FROST_API const char *frost_dtype_name(frost_dtype t);
/* Bytes per element; 0 for INVALID and STRING. */
FROST_API size_t frost_dtype_size(frost_dtype t);

#define FROST_MAX_RANK 8

typedef struct frost_tensor_info {
    const char *name;             /* borrowed; lives as long as the model                         */
    frost_dtype dtype;
    int rank;                     /* -1 when not even the rank is known                           */
    int64_t dims[FROST_MAX_RANK]; /* -1 for a dimension unknown until the caller sets a shape      */
} frost_tensor_info;

/* ==== Memory =================================================================================== */

/* Every allocation frost makes goes through this. `align` is a power of two <= 4096. alloc returns
 * NULL on failure; free accepts NULL. Both may be called from several threads at once when several
 * sessions or models use the same allocator. */
typedef struct frost_allocator {
    void *(*alloc)(void *user, size_t bytes, size_t align);
    void (*free)(void *user, void *ptr);
    void *user;
} frost_allocator;

/* ==== Models =================================================================================== */

typedef struct frost_model frost_model;

typedef enum frost_format {
    FROST_FORMAT_AUTO = 0,          /* detected from the content, then from the file extension    */
    FROST_FORMAT_TF_GRAPHDEF,       /* frozen TensorFlow GraphDef (.pb)                           */
    FROST_FORMAT_ONNX,
    FROST_FORMAT_KERAS_H5,
    FROST_FORMAT_KERAS_V3,
    FROST_FORMAT_TFJS_LAYERS,
    FROST_FORMAT_TFJS_GRAPH,        /* TensorFlow.js graph model: model.json + weight shards       */
    FROST_FORMAT_TFLITE,            /* .tflite FlatBuffers                                        */
    FROST_FORMAT_SAVED_MODEL        /* TensorFlow SavedModel directory (saved_model.pb + variables) */
} frost_format;

/* A model input fixed to a constant at load (`--set NAME=VALUE`): the usual passes then resolve the
 * branches it selects (keep_prob = 1, is_train = false) and the input disappears from the model's
 * inputs. Scalars only; the value is converted to the input's dtype (bool: value != 0). */
typedef struct frost_fixed_input {
    const char *name;               /* any name frost_model_find accepts for the input            */
    double value;
} frost_fixed_input;

/* A file held in memory, for models made of several files (TF.js weight shards, a SavedModel's
 * variables): `name` is the path relative to the model's own file, as the model refers to it
 * ("group1-shard1of2", "variables/variables.index"). */
typedef struct frost_memory_file {
    const char *name;
    const void *data;
    size_t size;
} frost_memory_file;

typedef struct frost_load_options {
    size_t struct_size;             /* sizeof(frost_load_options): lets the struct grow safely    */
    frost_format format;
    const frost_allocator *allocator; /* NULL: malloc/free. Copied; must outlive the model.       */
    /* Graph outputs: node or tensor names. NULL: every node nobody consumes (the graph's sinks). */
    const char *const *outputs;
    int n_outputs;
    /* Limits, checked before anything is allocated. 0 means the default given here. */
    uint64_t max_file_bytes;        /* default 2 GiB                                              */
    uint64_t max_tensor_bytes;      /* default 1 GiB                                              */
    int64_t max_nodes;              /* default 1,000,000                                          */
    /* Later limits: read only when struct_size covers them (or struct_size is 0). 0: the default. */
    uint64_t max_arena_bytes;       /* default 4 GiB: one session's arena (activations and
                                       workspace), checked when a session plans                  */
    int64_t max_attr_len;           /* default 1,000,000: entries in one attribute list of a
                                       GraphDef or ONNX node (ints, floats, strings, shapes, ...)  */
    /* Opt-in reduced precision for constant weights, a frost_precision (0: FROST_PRECISION_F32,
     * exact). FROST_PRECISION_BF16: Dense/MatMul and Conv weights stored as bf16, the layers'
     * inputs rounded to bf16, fp32 sums (CPUs with AVX512_BF16). FROST_PRECISION_INT8: Dense/MatMul
     * weights as int8 with a scale per output column, inputs quantized per row and per call, exact
     * int32 sums (CPUs with AVX512_VNNI; convs get bf16). Layers where it does not pay (fewer than
     * 16 outputs, K < 64) and CPUs without the instructions stay fp32. Outputs differ from fp32 by
     * ~1e-2 relative; classification accuracy by a fraction of a point (docs/benchmarks-speed.md). */
    int weights_precision;
    /* ONNX (IR >= 4) lets an initializer also be listed as a graph input: a default the caller may
     * override. Such initializers are nearly always weights (older PyTorch exports list them all),
     * and an overridable weight can be neither folded nor packed: 0 (default) loads them as
     * constants, like every other initializer; 1 keeps them as inputs with a default value. */
    int onnx_feedable_initializers;
    /* Inputs fixed at load (see frost_fixed_input). Names that match no input fail the load. */
    const frost_fixed_input *fixed_inputs;
    int n_fixed_inputs;
    /* SavedModel: the MetaGraph's tag (NULL: "serve") and the signature whose keys become the
     * feed/fetch names (NULL: "serving_default"). Other formats ignore them. */
    const char *tag;
    const char *signature;
    /* frost_model_load_memory: the model's companion files (weight shards, variables), looked up
     * by their relative name. frost_model_load_file reads them from beside the file instead.
     * Honoured today by TensorFlow.js graph models (FROST_FORMAT_TFJS_GRAPH: the weightsManifest's
     * shard paths); other formats ignore them. The bytes are read during the call only. */
    const frost_memory_file *files;
    int n_files;
    /* A frost_isa: the widest instructions this model's kernels may use (0: the CPU's best). The
     * environment's FROST_MAX_ISA=ref|avx2|avx512, read once per process, caps every model;
     * this caps one model further (testing, reproducing a result from another machine). */
    int max_isa;
    /* Builds with -DFROST_CBLAS only, which f32 weights the BLAS multiplies: 0 the measured
     * default (>= 16 columns and >= 4096 weights), 1 none, 2 all. 0 also reads the environment's
     * FROST_CBLAS_ROUTE=off|all, its equivalent. */
    int cblas_route;
} frost_load_options;

typedef enum frost_isa {
    FROST_ISA_AUTO = 0,      /* the best this CPU runs                                           */
    FROST_ISA_PORTABLE = 1,  /* the portable C kernels only (what other architectures run)       */
    FROST_ISA_AVX2 = 2,      /* up to AVX2 + FMA                                                 */
    FROST_ISA_AVX512 = 3     /* up to AVX-512 (with BF16 / VNNI where the CPU has them)          */
} frost_isa;

typedef enum frost_precision {
    FROST_PRECISION_F32 = 0,
    FROST_PRECISION_BF16 = 1,
    FROST_PRECISION_INT8 = 2
} frost_precision;

/* Loads a model file. `opts` may be NULL. On success *out owns everything it needs: the file is not
 * kept open. On failure *out is NULL and `err` says why. May allocate; thread-safe. */
FROST_API frost_status frost_model_load_file(const char *path, const frost_load_options *opts,
                                             frost_model **out, frost_error *err);
/* Same from memory, for every format load_file reads. Models made of several files (TF.js weight
 * shards, a Keras JSON's weights .h5) take their companions from opts->files, by the names the
 * model uses; a missing one fails with FROST_E_IO naming it. The bytes are read during the call
 * only; the caller keeps ownership. */
FROST_API frost_status frost_model_load_memory(const void *data, size_t size,
                                               const frost_load_options *opts, frost_model **out,
                                               frost_error *err);
/* Frees the model. Every session made from it must have been freed first. */
FROST_API void frost_model_free(frost_model *m);

/* Inputs: the values the caller may feed (placeholders that the graph needs). Outputs: see
 * frost_load_options.outputs. Counts never fail; info fails only for a bad index. */
FROST_API int frost_model_input_count(const frost_model *m);
FROST_API int frost_model_output_count(const frost_model *m);
FROST_API frost_status frost_model_input_info(const frost_model *m, int index, frost_tensor_info *out);
FROST_API frost_status frost_model_output_info(const frost_model *m, int index, frost_tensor_info *out);

/* Looks a tensor up by any of its names: the node name ("softmax"), the tensor name ("softmax:0") or,
 * for Keras models, the layer name. On a miss returns FROST_E_NOT_FOUND with a message suggesting
 * the closest existing names ("did you mean 'Softmax'?"). `out` may be NULL to only test. */
FROST_API frost_status frost_model_find(const frost_model *m, const char *name,
                                        frost_tensor_info *out, frost_error *err);

/* How a quantized integer tensor maps to real values, as the model file states it (TFLite):
 * real = scale[i] * (q - zero_point[i]), with one pair for the whole tensor (count 1) or one per
 * slice along `axis` (count > 1). count 0: the tensor is not quantized. The arrays are borrowed and
 * live as long as the model. */
typedef struct frost_quantization {
    int count;
    int axis;
    const float *scale;
    const int64_t *zero_point;
} frost_quantization;
/* The quantization of the tensor `name` (any name frost_model_find accepts). FROST_OK with
 * count 0 for a tensor that is not quantized; FROST_E_NOT_FOUND (with suggestions) for a miss. */
FROST_API frost_status frost_model_quantization(const frost_model *m, const char *name,
                                                frost_quantization *out, frost_error *err);

/* Nodes after load-time cleaning, in execution order: for `frost inspect --nodes`. The strings live
 * as long as the model. */
typedef struct frost_node_info {
    const char *name;
    const char *op;           /* op type as written in the model file ("Conv2D", "Gemm", "Dense")  */
    int n_inputs, n_outputs;
} frost_node_info;
FROST_API int frost_model_node_count(const frost_model *m);
FROST_API frost_status frost_model_node_info(const frost_model *m, int index, frost_node_info *out);

/* What the load-time passes did, one human-readable line each ("pruned 14 nodes unreachable from
 * the outputs: RandomUniform x1, ..."). Lines live as long as the model. */
FROST_API int frost_model_report_count(const frost_model *m);
FROST_API const char *frost_model_report_line(const frost_model *m, int index);

/* Totals over the model's constant tensors. */
FROST_API int64_t frost_model_param_count(const frost_model *m);
FROST_API int64_t frost_model_param_bytes(const frost_model *m);
FROST_API frost_format frost_model_format(const frost_model *m);

/* ==== TensorFlow SavedModels and TF1 checkpoints ============================================== */

/* frost_model_load_file loads these directly. This part of the API reads what a SavedModel holds
 * without choosing one signature (what `frost inspect DIR` shows) and writes the frozen GraphDef
 * of one signature (what `frost freeze` writes). */
typedef struct frost_saved_model frost_saved_model;

typedef struct frost_saved_model_tensor {
    const char *key;         /* signature key ("input_1")                                       */
    const char *name;        /* TensorFlow tensor name ("serving_default_input_1:0"), "" if none */
    frost_dtype dtype;       /* FROST_DTYPE_INVALID when frost has no such dtype                 */
    const char *tf_dtype;    /* TensorFlow's name for it ("DT_FLOAT", "DT_STRING")               */
    int rank;                /* -1 unknown                                                       */
    int64_t dims[FROST_MAX_RANK]; /* -1 unknown                                                  */
} frost_saved_model_tensor;

typedef struct frost_saved_model_signature {
    const char *key;         /* "serving_default"                                               */
    const char *method;      /* "tensorflow/serving/predict", "" if none                         */
    int n_inputs, n_outputs;
    const frost_saved_model_tensor *inputs, *outputs;
} frost_saved_model_signature;

typedef struct frost_saved_model_variable {
    const char *key;         /* checkpoint key                                                  */
    const char *tf_dtype;
    int rank;
    int64_t dims[FROST_MAX_RANK];
    uint64_t bytes;
} frost_saved_model_variable;

typedef struct frost_saved_model_info {
    const char *kind;        /* "SavedModel" or "TF1 checkpoint"                                 */
    const char *tf_version;  /* "2.12.0", "" if unknown                                          */
    int n_meta_graphs;
    const char *const *meta_graph_tags; /* per MetaGraph, its tags joined: "serve,gpu"          */
    int n_signatures;
    const frost_saved_model_signature *signatures;
    int n_variables;
    const frost_saved_model_variable *variables;
    int n_shards, n_functions, n_graph_nodes;
} frost_saved_model_info;

/* Whether frost reads `path` as a SavedModel or TF1 checkpoint: a directory holding saved_model.pb
 * (or a TF1 `checkpoint` file), a saved_model.pb, or a .meta file. */
FROST_API int frost_is_saved_model(const char *path);
/* Opens one for reading: the MetaGraph by opts->tag (default "serve"); opts->signature and
 * opts->outputs choose what frost_saved_model_freeze writes. `opts` may be NULL. */
FROST_API frost_status frost_saved_model_open(const char *path, const frost_load_options *opts,
                                              frost_saved_model **out, frost_error *err);
FROST_API void frost_saved_model_close(frost_saved_model *sm);
/* Every signature, MetaGraph and variable. Pointers live until frost_saved_model_close. */
FROST_API frost_status frost_saved_model_describe(frost_saved_model *sm, frost_saved_model_info *out);
/* The frozen GraphDef of the chosen signature (or outputs): Placeholders for its inputs, variables
 * as constants, functions inlined, only TensorFlow's own ops and attributes. *graphdef is
 * allocated with the load options' allocator; free it with frost_saved_model_free_bytes. */
FROST_API frost_status frost_saved_model_freeze(frost_saved_model *sm, void **graphdef,
                                                size_t *size, frost_error *err);
FROST_API void frost_saved_model_free_bytes(frost_saved_model *sm, void *bytes);

/* ==== Sessions ================================================================================= */

typedef struct frost_session frost_session;

typedef struct frost_session_options {
    size_t struct_size;           /* sizeof(frost_session_options)                                */
    int n_threads;                /* 0 or 1: run on the caller's thread only                      */
    /* Tensors to compute: names as for frost_model_find. NULL: the model's outputs. */
    const char *const *outputs;
    int n_outputs;
    /* Microseconds a worker spins waiting for work before it sleeps. <0: the default (50). */
    int spin_us;
    int keep_denormals;           /* 0: flush denormals to zero on every thread of a run, the
                                     caller's included (faster); 1: keep them (IEEE)             */
    /* 1: outputs identical to the bit whatever n_threads is (work is split the same way for any
     * thread count; reductions keep one order). 0: the fastest split. */
    int deterministic;
    /* 1: time every step of every run, for frost_session_profile_step (`frost bench --profile`):
     * two clock reads per step, into a table allocated when the session plans. 0 (default): the
     * run loop has no timing in it. */
    int profile;
} frost_session_options;

/* Creates a session. Unknown input dimensions default to 1 until frost_session_set_input_shape.
 * Plans for those shapes; when a model with unknown input dimensions cannot run at the stand-in
 * size 1 (a shape, dtype or unsupported-shape error), the session is still created and the error
 * comes from frost_session_plan or the first run if the real shapes do not fix it. Allocates (the
 * plan and the arena). Thread-safe for the same model from several threads. */
FROST_API frost_status frost_session_create(const frost_model *m, const frost_session_options *opts,
                                            frost_session **out, frost_error *err);
FROST_API void frost_session_free(frost_session *s);

/* Inputs and outputs of the session, indexed as the model's inputs and the session's outputs. */
FROST_API int frost_session_input_count(const frost_session *s);
FROST_API int frost_session_output_count(const frost_session *s);
/* Index of an input or output by any of its names, or FROST_E_NOT_FOUND with suggestions. */
FROST_API frost_status frost_session_input_index(const frost_session *s, const char *name,
                                                 int *out, frost_error *err);
FROST_API frost_status frost_session_output_index(const frost_session *s, const char *name,
                                                  int *out, frost_error *err);
/* Current shapes (after the last plan). */
FROST_API frost_status frost_session_input_info(const frost_session *s, int index, frost_tensor_info *out);
FROST_API frost_status frost_session_output_info(const frost_session *s, int index, frost_tensor_info *out);

/* Sets an input's shape (e.g. a new batch size). Dimensions fixed by the model must match. Marks the
 * session for re-planning at the next run only if the shape changed; never allocates itself. With
 * several inputs, set every shape before feeding data: the plan needs them all to agree. */
FROST_API frost_status frost_session_set_input_shape(frost_session *s, int index, int rank,
                                                     const int64_t *dims, frost_error *err);

/* Plans now for the current input shapes (the next run would otherwise do it): call it after
 * setting every shape so that the first run is a steady-state one, with the arena allocated and
 * touched and the packed weights read into the cache. The first call after a (re-)plan also runs
 * the plan once on the arena's zeros, result discarded, to warm code, caches and worker threads;
 * it is skipped while any input or output is bound to a caller's buffer. Reports the shape errors
 * the run would. Does nothing when nothing changed. Allocates. */
FROST_API frost_status frost_session_plan(frost_session *s, frost_error *err);

/* The session's own buffer for an input, sized for the current shape. Re-plans first if needed (and
 * so may allocate). The pointer is valid until the next re-plan or bind; what was written there is
 * kept across re-plans that leave this input's shape unchanged. NULL on error. */
FROST_API void *frost_session_input_data(frost_session *s, int index);
/* Copies `bytes` (must equal the input's size for the current shape) into the input. */
FROST_API frost_status frost_session_set_input(frost_session *s, int index, const void *data,
                                               size_t bytes, frost_error *err);
/* Zero-copy: the session reads this input from / writes this output to the caller's buffer, which
 * must stay valid, hold at least the tensor's bytes for the current shape, and be aligned to its
 * element size. NULL unbinds (back to the session's own buffer). A re-plan keeps the binding but
 * checks the size again, failing the run if the buffer became too small. A bound input is only
 * ever read (it may be in read-only memory). Swapping one bound buffer for another neither
 * re-plans nor allocates; binding an output that was unbound (or unbinding it) re-plans at the
 * next run, as the step that computes it then writes the buffer directly. */
FROST_API frost_status frost_session_bind_input(frost_session *s, int index, const void *data,
                                                size_t bytes, frost_error *err);
FROST_API frost_status frost_session_bind_output(frost_session *s, int index, void *data,
                                                 size_t bytes, frost_error *err);

/* Runs the model. Re-plans first if an input shape changed (that run may allocate); otherwise never
 * allocates or does I/O. Locks: none with n_threads 1, nor while the workers are spinning (for
 * spin_us after their last work); a run that finds them asleep wakes them with one
 * pthread_cond_broadcast under the pool's mutex, held only for that call. The calling thread runs
 * in the session's denormal mode (keep_denormals) for the call and gets its own back after. */
FROST_API frost_status frost_session_run(frost_session *s, frost_error *err);

/* An output of the last run (the session's buffer, or the bound one). `info` (optional) receives its
 * name, dtype and shape. Valid until the next run, re-plan or bind. NULL for a bad index. */
FROST_API const void *frost_session_output_data(const frost_session *s, int index,
                                                frost_tensor_info *info);

/* What one run of the current plan computes and must read, for rooflines (`frost bench` divides
 * them by the measured time and this machine's limits). */
typedef struct frost_cost {
    double flops;         /* a multiply-add counts 2; convolutions as the direct algorithm (the
                           * Winograd path does fewer: its rate is "effective"); other ops one per
                           * output element, pooling one per window element                      */
    double weight_bytes;  /* every constant operand once, as stored for its kernel (packed)        */
    double io_bytes;      /* inputs read and outputs written                                       */
} frost_cost;
/* Plans first if needed (and so may allocate). */
FROST_API frost_status frost_session_cost(frost_session *s, frost_cost *out, frost_error *err);

/* Bytes of the session's arena (activations and workspace) for the current plan. */
FROST_API size_t frost_session_arena_bytes(const frost_session *s);

/* ==== Profiling (frost_session_options.profile = 1) ========================================== */

/* Where one step of the plan spends its time. A step is a node after load-time fusion, so a
 * Conv with its Relu fused is one step. */
typedef struct frost_step_profile {
    const char *node;     /* the node's name as in the model file (data: escape it to print);
                             lives as long as the model                                          */
    const char *op;       /* its op type as in the model file ("Conv", "Conv+Relu" after fusion)  */
    const char *kernel;   /* how frost computes it here ("Conv2D 3x3/1 im2col+gemm avx512");
                             valid until the next re-plan                                        */
    int64_t runs;         /* runs timed since the last plan or frost_session_profile_reset        */
    double total_us;      /* wall time of the step on the calling thread over those runs          */
    double min_us;        /* its fastest run: on a busy machine, what the step costs when the
                             thread is not interrupted (0 before the first timed run, and for a
                             step on an If's side that no timed run took)                        */
    double flops;         /* per run, counted as frost_cost counts them                           */
} frost_step_profile;
/* Steps of the current plan (0 when the session was created without profile or is not planned). */
FROST_API int frost_session_profile_count(const frost_session *s);
/* Step `index` in execution order. FROST_E_STATE without profile; FROST_E_INVALID_ARG for a bad
 * index. Never allocates. */
FROST_API frost_status frost_session_profile_step(const frost_session *s, int index,
                                                  frost_step_profile *out);
/* Zeroes the timings (after warm-up runs, say). A re-plan zeroes them too. */
FROST_API void frost_session_profile_reset(frost_session *s);

#ifdef __cplusplus
}
#endif
#endif /* FROST_H */
