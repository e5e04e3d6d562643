/* dtype.c — frost's element types against Python's: NumPy's dtype names for TensorInfo.dtype and
 * Array.dtype, and the struct-module formats of the buffer protocol, both ways. A buffer is
 * matched by the kind of its format character and its item size, so "l" (8 bytes natively) and
 * "<q" are both int64; a big-endian or compound format matches nothing (it is never reinterpreted). */
#include "frostpy.h"

#include <stdio.h>
#include <string.h>

const char *frostpy_dtype_name(frost_dtype t) {
    switch (t) {
    case FROST_DTYPE_F32: return "float32";
    case FROST_DTYPE_F64: return "float64";
    case FROST_DTYPE_F16: return "float16";
    case FROST_DTYPE_BF16: return "bfloat16";
    case FROST_DTYPE_I8: return "int8";
    case FROST_DTYPE_I16: return "int16";
    case FROST_DTYPE_I32: return "int32";
    case FROST_DTYPE_I64: return "int64";
    case FROST_DTYPE_U8: return "uint8";
    case FROST_DTYPE_U16: return "uint16";
    case FROST_DTYPE_U32: return "uint32";
    case FROST_DTYPE_U64: return "uint64";
    case FROST_DTYPE_BOOL: return "bool";
    case FROST_DTYPE_STRING: return "str";
    default: return "invalid";
    }
}

const char *frostpy_dtype_format(frost_dtype t) {
    switch (t) {
    case FROST_DTYPE_F32: return "f";
    case FROST_DTYPE_F64: return "d";
    case FROST_DTYPE_F16: return "e";
    case FROST_DTYPE_I8: return "b";
    case FROST_DTYPE_I16: return "h";
    case FROST_DTYPE_I32: return "i";
    case FROST_DTYPE_I64: return "q";
    case FROST_DTYPE_U8: return "B";
    case FROST_DTYPE_U16: return "H";
    case FROST_DTYPE_U32: return "I";
    case FROST_DTYPE_U64: return "Q";
    case FROST_DTYPE_BOOL: return "?";
    default: return NULL;   /* bf16 and strings have no struct format */
    }
}

typedef enum kind { KIND_NONE, KIND_FLOAT, KIND_SIGNED, KIND_UNSIGNED, KIND_BOOL } kind;

static kind kind_of(char c) {
    switch (c) {
    case 'e': case 'f': case 'd': return KIND_FLOAT;
    case 'b': case 'h': case 'i': case 'l': case 'q': case 'n': return KIND_SIGNED;
    case 'B': case 'H': case 'I': case 'L': case 'Q': case 'N': return KIND_UNSIGNED;
    case '?': return KIND_BOOL;
    default: return KIND_NONE;
    }
}

/* The single element character of a format with an optional native or little-endian prefix;
 * 0 for anything else. An absent format means unsigned bytes. */
static char element_char(const char *format) {
    if (!format) return 'B';
    const char *p = format;
    if (*p == '@' || *p == '=' || *p == '<') p++;
    if (!p[0] || p[1]) return 0;
    return p[0];
}

frost_dtype frostpy_dtype_of_buffer(const Py_buffer *view) {
    char c = element_char(view->format);
    Py_ssize_t size = view->itemsize;
    switch (kind_of(c)) {
    case KIND_FLOAT:
        return size == 2 ? FROST_DTYPE_F16 : size == 4 ? FROST_DTYPE_F32 : size == 8 ? FROST_DTYPE_F64
                                                                                   : FROST_DTYPE_INVALID;
    case KIND_SIGNED:
        return size == 1 ? FROST_DTYPE_I8 : size == 2 ? FROST_DTYPE_I16 : size == 4 ? FROST_DTYPE_I32
             : size == 8 ? FROST_DTYPE_I64 : FROST_DTYPE_INVALID;
    case KIND_UNSIGNED:
        return size == 1 ? FROST_DTYPE_U8 : size == 2 ? FROST_DTYPE_U16 : size == 4 ? FROST_DTYPE_U32
             : size == 8 ? FROST_DTYPE_U64 : FROST_DTYPE_INVALID;
    case KIND_BOOL:
        return size == 1 ? FROST_DTYPE_BOOL : FROST_DTYPE_INVALID;
    default:
        return FROST_DTYPE_INVALID;
    }
}

void frostpy_describe_buffer(const Py_buffer *view, char *buf, size_t cap) {
    frost_dtype t = frostpy_dtype_of_buffer(view);
    const char *format = view->format ? view->format : "B";
    if (t != FROST_DTYPE_INVALID)
        snprintf(buf, cap, "%s", frostpy_dtype_name(t));
    else if (format[0] == '>' || format[0] == '!')
        snprintf(buf, cap, "'%.40s' (big-endian)", format);
    else
        snprintf(buf, cap, "'%.40s' (%zd-byte items)", format, (Py_ssize_t)view->itemsize);
}
