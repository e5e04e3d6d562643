/* errors.c — frost's statuses as Python exceptions: frost.Error (attributes status, code, node, op,
 * file_offset) and one subclass per frost_status, each also deriving from the built-in exception a
 * Python user would catch for that kind of problem (ValueError, OSError, TypeError, LookupError,
 * MemoryError). Every failure the module reports goes through here: it must never raise a bare
 * built-in exception for something frost or the caller's data got wrong. */
#include "frostpy.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

PyObject *frostpy_Error;

typedef struct error_kind {
    frost_status code;
    const char *name;      /* the class name in the module */
    PyObject **builtin;    /* the built-in base besides frost.Error, or NULL */
    const char *doc;
    PyObject *cls;
} error_kind;

static error_kind kinds[] = {
    {FROST_E_INVALID_ARG, "InvalidArgument", &PyExc_ValueError,
     "A bad argument: not a mapping, an input given twice or missing, a bad option.", NULL},
    {FROST_E_IO, "FileError", &PyExc_OSError, "The model file could not be opened or read.", NULL},
    {FROST_E_FORMAT, "FormatError", &PyExc_ValueError,
     "A malformed model file: bad magic, truncation, an offset out of range, a cycle.", NULL},
    {FROST_E_UNSUPPORTED, "Unsupported", NULL,
     "A well-formed model that uses ops, dtypes or layers frost cannot run (all named at once).",
     NULL},
    {FROST_E_LIMIT, "LimitError", &PyExc_ValueError,
     "A limit exceeded: file bytes, nodes, rank, tensor or arena bytes.", NULL},
    {FROST_E_SHAPE, "ShapeError", &PyExc_ValueError,
     "A shape incompatible with the model or with an op.", NULL},
    {FROST_E_DTYPE, "DtypeError", &PyExc_TypeError,
     "A dtype incompatible with the model (a float64 array for a float32 input).", NULL},
    {FROST_E_NOT_FOUND, "NotFound", &PyExc_LookupError,
     "No input, output, node or layer has that name; the message suggests the closest ones.",
     NULL},
    {FROST_E_NOMEM, "OutOfMemory", &PyExc_MemoryError, "An allocation failed.", NULL},
    {FROST_E_STATE, "StateError", NULL, "A call out of order.", NULL},
    {FROST_E_INTERNAL, "InternalError", NULL,
     "A bug in frost: please report it with the model.", NULL},
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

/* Class attributes, so that an Error made by Python code has them too. */
static PyObject *default_attributes(void) {
    PyObject *d = PyDict_New();
    if (!d) return NULL;
    const char *names[] = {"status", "code", "node", "op", "file_offset"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (PyDict_SetItemString(d, names[i], Py_None) < 0) {
            Py_DECREF(d);
            return NULL;
        }
    }
    return d;
}

int frostpy_errors_init(PyObject *module) {
    PyObject *attrs = default_attributes();
    if (!attrs) return -1;
    frostpy_Error = PyErr_NewExceptionWithDoc(
        "frost.Error",
        "Base class of every error frost reports. status: the frost_status name "
        "('FROST_E_SHAPE'); code: its number; node, op: the node or layer and op involved (None "
        "if none); file_offset: the byte offset in the model file (None if not applicable).",
        PyExc_Exception, attrs);
    Py_DECREF(attrs);
    if (!frostpy_Error) return -1;
    Py_INCREF(frostpy_Error);
    if (PyModule_AddObject(module, "Error", frostpy_Error) < 0) {
        Py_DECREF(frostpy_Error);
        return -1;
    }
    for (size_t i = 0; i < N_KINDS; i++) {
        char qualified[64];
        snprintf(qualified, sizeof qualified, "frost.%s", kinds[i].name);
        PyObject *bases = kinds[i].builtin ? PyTuple_Pack(2, frostpy_Error, *kinds[i].builtin)
                                           : PyTuple_Pack(1, frostpy_Error);
        if (!bases) return -1;
        kinds[i].cls = PyErr_NewExceptionWithDoc(qualified, kinds[i].doc, bases, NULL);
        Py_DECREF(bases);
        if (!kinds[i].cls) return -1;
        Py_INCREF(kinds[i].cls);
        if (PyModule_AddObject(module, kinds[i].name, kinds[i].cls) < 0) {
            Py_DECREF(kinds[i].cls);
            return -1;
        }
    }
    return 0;
}

PyObject *frostpy_error_class(frost_status code) {
    for (size_t i = 0; i < N_KINDS; i++)
        if (kinds[i].code == code && kinds[i].cls) return kinds[i].cls;
    return frostpy_Error;
}

static int set_text(PyObject *exc, const char *attr, const char *text) {
    if (!text || !text[0]) return 0;   /* the class default, None, stays */
    PyObject *v = PyUnicode_DecodeUTF8(text, (Py_ssize_t)strlen(text), "replace");
    if (!v) return -1;
    int rc = PyObject_SetAttrString(exc, attr, v);
    Py_DECREF(v);
    return rc;
}

static int set_long(PyObject *exc, const char *attr, long long value) {
    PyObject *v = PyLong_FromLongLong(value);
    if (!v) return -1;
    int rc = PyObject_SetAttrString(exc, attr, v);
    Py_DECREF(v);
    return rc;
}

PyObject *frostpy_raise(const frost_error *err) {
    frost_status code = err->code == FROST_OK ? FROST_E_INTERNAL : err->code;
    PyObject *cls = frostpy_error_class(code);
    const char *text = err->message[0] ? err->message : frost_status_name(code);
    PyObject *msg = PyUnicode_DecodeUTF8(text, (Py_ssize_t)strlen(text), "replace");
    if (!msg) return NULL;
    PyObject *exc = PyObject_CallFunctionObjArgs(cls, msg, NULL);
    Py_DECREF(msg);
    if (!exc) return NULL;
    if (set_text(exc, "status", frost_status_name(code)) < 0 || set_long(exc, "code", code) < 0 ||
        set_text(exc, "node", err->node) < 0 || set_text(exc, "op", err->op) < 0 ||
        (err->file_offset >= 0 && set_long(exc, "file_offset", err->file_offset) < 0)) {
        Py_DECREF(exc);
        return NULL;
    }
    PyErr_SetObject(cls, exc);
    Py_DECREF(exc);
    return NULL;
}

PyObject *frostpy_raise_msg(frost_status code, const char *fmt, ...) {
    frost_error err;
    memset(&err, 0, sizeof err);
    err.code = code;
    err.file_offset = -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err.message, sizeof err.message, fmt, ap);
    va_end(ap);
    return frostpy_raise(&err);
}
