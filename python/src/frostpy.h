/* frostpy.h — what the files of the Python extension module `frost._frost` share: its types and
 * exceptions, and the conversions between frost's dtypes and Python's buffer formats. The module
 * is built against the stable ABI (Py_LIMITED_API, Python >= 3.11: one binary for every later
 * CPython) and calls frost only through its public header. */
#ifndef FROSTPY_H
#define FROSTPY_H

#define PY_SSIZE_T_CLEAN
#ifndef Py_LIMITED_API
#define Py_LIMITED_API 0x030B0000
#endif
#include <Python.h>

#include "frost.h"

/* ---- exceptions (errors.c) ---- */

/* frost.Error and one subclass per frost_status; NULL until frostpy_errors_init. */
extern PyObject *frostpy_Error;
/* Creates the exception classes and adds them to the module. Returns 0, or -1 with an exception. */
int frostpy_errors_init(PyObject *module);
/* Raises the exception for err->code with err's message, node, op and offset; returns NULL. */
PyObject *frostpy_raise(const frost_error *err);
/* Raises the exception for `code` with a formatted message (no node, op or offset); returns NULL. */
PyObject *frostpy_raise_msg(frost_status code, const char *fmt, ...);
/* The class for a status (frost.Error for an unknown one): a borrowed reference. */
PyObject *frostpy_error_class(frost_status code);

/* ---- dtypes (dtype.c) ---- */

/* "float32", "int64", "bool", ...: NumPy's names ("bfloat16", "str" where NumPy has none). */
const char *frostpy_dtype_name(frost_dtype t);
/* The struct-module format of one element ("f", "q", "?"); NULL when Python has none. */
const char *frostpy_dtype_format(frost_dtype t);
/* The frost dtype of a buffer's elements from its format and item size, or FROST_DTYPE_INVALID
 * (a big-endian, compound or unknown format). */
frost_dtype frostpy_dtype_of_buffer(const Py_buffer *view);
/* "float64", "'>f' (big-endian)", ...: how to name a buffer's element type in a message. */
void frostpy_describe_buffer(const Py_buffer *view, char *buf, size_t cap);

/* ---- frost.Array (array.c): an output tensor that owns its bytes and exports them ---- */

extern PyTypeObject *frostpy_ArrayType;
int frostpy_array_init(PyObject *module);
/* A new array of that dtype and shape, its bytes zeroed; *data and *bytes receive them. */
PyObject *frostpy_array_new(frost_dtype dtype, int rank, const int64_t *dims, void **data,
                            size_t *bytes);

/* ---- frost.Session and frost.TensorInfo (session.c) ---- */

int frostpy_session_init(PyObject *module);

#endif
