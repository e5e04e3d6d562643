/* module.c — the extension module frost._frost: creates the types and exceptions, and holds the
 * module-level functions: inspect(path) (the same content as `frost inspect --json`, from the
 * shared writer tools/common/inspect_json.c) and the version. The package python/frost/__init__.py
 * re-exports all of it as `frost`. */
#include "frostpy.h"
#include "inspect_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static PyObject *module_inspect(PyObject *module, PyObject *arg) {
    PyObject *path = NULL;
    if (!PyUnicode_Check(arg) && !PyBytes_Check(arg) && !PyObject_HasAttrString(arg, "__fspath__"))
        return frostpy_raise_msg(FROST_E_INVALID_ARG, "inspect() takes a path (str or os.PathLike)");
    if (!PyUnicode_FSConverter(arg, &path)) return NULL;
    const char *p = PyBytes_AsString(path);
    frost_model *m = NULL;
    frost_error err;
    memset(&err, 0, sizeof err);
    err.file_offset = -1;
    frost_status st;
    char *text = NULL;
    size_t size = 0;
    int written = -1;
    Py_BEGIN_ALLOW_THREADS
    frost_load_options lo;
    memset(&lo, 0, sizeof lo);
    lo.struct_size = sizeof lo;
    st = frost_model_load_file(p, &lo, &m, &err);
    inspect_op_count *ops = NULL;
    int n_ops = st == FROST_OK ? inspect_op_histogram(m, &ops) : -1;
    FILE *f = n_ops >= 0 ? open_memstream(&text, &size) : NULL;
    if (f) {
        inspect_json_write(f, p, m, ops, n_ops, false, NULL, NULL);
        written = fclose(f) == 0 ? 0 : -1;
    }
    free(ops);
    frost_model_free(m);
    Py_END_ALLOW_THREADS
    Py_DECREF(path);
    if (st != FROST_OK) {
        free(text);
        if (err.code == FROST_OK) err.code = st;
        return frostpy_raise(&err);
    }
    if (written < 0) {
        free(text);
        return PyErr_NoMemory();
    }
    /* Names are the model's bytes: ones that are not UTF-8 come back as surrogates, the same str
     * Session.inputs and .outputs give for them. */
    PyObject *doc = PyUnicode_DecodeUTF8(text, (Py_ssize_t)size, "surrogateescape");
    free(text);
    if (!doc) return NULL;
    PyObject *json = PyImport_ImportModule("json");
    PyObject *result = json ? PyObject_CallMethod(json, "loads", "O", doc) : NULL;
    Py_XDECREF(json);
    Py_DECREF(doc);
    return result;
}

static PyMethodDef module_methods[] = {
    {"inspect", module_inspect, METH_O,
     "inspect(path) -> dict\n\n"
     "What a model is after frost's load-time cleaning, as `frost inspect --json` prints it:\n"
     "model, format, inputs and outputs (name, dtype, shape), param_count, param_bytes,\n"
     "node_count, ops (a histogram) and report (what the load-time passes did)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "frost._frost",
    .m_doc = "frost: trained neural networks run from C, called from Python (the C part).",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC PyInit__frost(void) {
    PyObject *m = PyModule_Create(&module_def);
    if (!m) return NULL;
    if (PyModule_AddStringConstant(m, "__version__", frost_version()) < 0 ||
        PyModule_AddIntConstant(m, "version_number", frost_version_number()) < 0 ||
        frostpy_errors_init(m) < 0 || frostpy_array_init(m) < 0 || frostpy_session_init(m) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
