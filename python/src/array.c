/* array.c — frost.Array: an output of Session.run, owning its bytes in the same allocation as the
 * object. It exports them through the buffer protocol (C-contiguous, writable, the element's
 * struct format), so numpy.asarray(a) and memoryview(a) are views of it, never copies; numpy is not
 * needed to make or use one. The bytes never move or change size while the object lives. */
#include "frostpy.h"

#include <stdint.h>
#include <string.h>

#define ALIGN 16   /* every element type, and what a SIMD load of a row likes */

typedef struct ArrayObject {
    PyObject_VAR_HEAD
    frost_dtype dtype;
    int ndim;
    Py_ssize_t itemsize, nbytes;
    Py_ssize_t shape[FROST_MAX_RANK];
    Py_ssize_t strides[FROST_MAX_RANK];
    char *data;   /* inside this object, ALIGN-aligned */
} ArrayObject;

PyTypeObject *frostpy_ArrayType;

PyObject *frostpy_array_new(frost_dtype dtype, int rank, const int64_t *dims, void **data,
                            size_t *bytes) {
    size_t itemsize = frost_dtype_size(dtype);
    const char *format = frostpy_dtype_format(dtype);
    if (!itemsize || !format)
        return frostpy_raise_msg(FROST_E_DTYPE, "frost cannot return a %s tensor to Python",
                                 frostpy_dtype_name(dtype));
    if (rank < 0 || rank > FROST_MAX_RANK)
        return frostpy_raise_msg(FROST_E_SHAPE, "an output of unknown rank (%d)", rank);
    Py_ssize_t n = (Py_ssize_t)itemsize;
    for (int i = 0; i < rank; i++) {
        if (dims[i] < 0 || dims[i] > PY_SSIZE_T_MAX / (n ? n : 1))
            return frostpy_raise_msg(FROST_E_SHAPE, "an output with dimension %d = %lld", i,
                                     (long long)dims[i]);
        n *= (Py_ssize_t)dims[i];
    }
    if (n > PY_SSIZE_T_MAX - ALIGN) return PyErr_NoMemory();
    ArrayObject *a = (ArrayObject *)PyType_GenericAlloc(frostpy_ArrayType, n + ALIGN);
    if (!a) return NULL;
    a->dtype = dtype;
    a->ndim = rank;
    a->itemsize = (Py_ssize_t)itemsize;
    a->nbytes = n;
    Py_ssize_t stride = (Py_ssize_t)itemsize;
    for (int i = rank - 1; i >= 0; i--) {
        a->shape[i] = (Py_ssize_t)dims[i];
        a->strides[i] = stride;
        stride *= a->shape[i];
    }
    uintptr_t p = (uintptr_t)((char *)a + sizeof(ArrayObject));
    a->data = (char *)((p + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1));
    *data = a->data;
    *bytes = (size_t)n;
    return (PyObject *)a;
}

static int array_getbuffer(PyObject *self, Py_buffer *view, int flags) {
    ArrayObject *a = (ArrayObject *)self;
    view->obj = Py_NewRef(self);
    view->buf = a->data;
    view->len = a->nbytes;
    view->readonly = 0;
    view->itemsize = a->itemsize;
    view->format = (flags & PyBUF_FORMAT) ? (char *)frostpy_dtype_format(a->dtype) : NULL;
    view->ndim = a->ndim;
    view->shape = (flags & PyBUF_ND) ? a->shape : NULL;
    view->strides = (flags & PyBUF_STRIDES) ? a->strides : NULL;
    view->suboffsets = NULL;
    view->internal = NULL;
    if (!(flags & PyBUF_ND)) view->ndim = 1;   /* a plain run of bytes, as the protocol says */
    return 0;
}

static PyObject *shape_tuple(const ArrayObject *a) {
    PyObject *t = PyTuple_New(a->ndim);
    if (!t) return NULL;
    for (int i = 0; i < a->ndim; i++) {
        PyObject *d = PyLong_FromSsize_t(a->shape[i]);
        if (!d) {
            Py_DECREF(t);
            return NULL;
        }
        PyTuple_SetItem(t, i, d);
    }
    return t;
}

static PyObject *array_shape(PyObject *self, void *closure) {
    return shape_tuple((ArrayObject *)self);
}

static PyObject *array_dtype(PyObject *self, void *closure) {
    return PyUnicode_FromString(frostpy_dtype_name(((ArrayObject *)self)->dtype));
}

static PyObject *array_nbytes(PyObject *self, void *closure) {
    return PyLong_FromSsize_t(((ArrayObject *)self)->nbytes);
}

static PyObject *array_ndim(PyObject *self, void *closure) {
    return PyLong_FromLong(((ArrayObject *)self)->ndim);
}

static PyObject *array_tolist(PyObject *self, PyObject *unused) {
    PyObject *view = PyMemoryView_FromObject(self);
    if (!view) return NULL;
    PyObject *list = PyObject_CallMethod(view, "tolist", NULL);
    Py_DECREF(view);
    return list;
}

static PyObject *array_repr(PyObject *self) {
    PyObject *shape = shape_tuple((ArrayObject *)self);
    if (!shape) return NULL;
    PyObject *r = PyUnicode_FromFormat("frost.Array(dtype='%s', shape=%R)",
                                       frostpy_dtype_name(((ArrayObject *)self)->dtype), shape);
    Py_DECREF(shape);
    return r;
}

static Py_ssize_t array_len(PyObject *self) {
    ArrayObject *a = (ArrayObject *)self;
    if (a->ndim == 0) {
        PyErr_SetString(PyExc_TypeError, "len() of a 0-d frost.Array");
        return -1;
    }
    return a->shape[0];
}

static PyGetSetDef array_getset[] = {
    {"shape", array_shape, NULL, "The dimensions, a tuple of ints.", NULL},
    {"dtype", array_dtype, NULL, "NumPy's name of the element type ('float32').", NULL},
    {"nbytes", array_nbytes, NULL, "Bytes of data.", NULL},
    {"ndim", array_ndim, NULL, "Number of dimensions.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef array_methods[] = {
    {"tolist", array_tolist, METH_NOARGS, "The elements as nested Python lists."},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot array_slots[] = {
    {Py_tp_doc, (void *)"An output tensor of Session.run. It owns its bytes and exports them "
                        "through the buffer protocol: numpy.asarray(a) and memoryview(a) are views, "
                        "not copies."},
    {Py_tp_getset, array_getset},
    {Py_tp_methods, array_methods},
    {Py_tp_repr, array_repr},
    {Py_sq_length, array_len},
    {Py_bf_getbuffer, array_getbuffer},
    {0, NULL},
};

static PyType_Spec array_spec = {
    .name = "frost.Array",
    .basicsize = sizeof(ArrayObject),
    .itemsize = 1,
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = array_slots,
};

int frostpy_array_init(PyObject *module) {
    frostpy_ArrayType = (PyTypeObject *)PyType_FromSpec(&array_spec);
    if (!frostpy_ArrayType) return -1;
    Py_INCREF((PyObject *)frostpy_ArrayType);
    if (PyModule_AddObject(module, "Array", (PyObject *)frostpy_ArrayType) < 0) {
        Py_DECREF((PyObject *)frostpy_ArrayType);
        return -1;
    }
    return 0;
}
