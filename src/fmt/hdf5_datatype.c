/* hdf5_datatype.c — HDF5 datatype and dataspace messages, and the conversion of stored numbers to
 * f32.
 *
 * Numbers frost converts: fixed-point integers of 1, 2, 4 or 8 bytes (signed or not) and IEEE
 * floats of 2, 4 or 8 bytes, in either byte order, with no padding bits. Anything else parses (so
 * its class can be named) but is marked unsupported. Conversion follows C: integers and doubles
 * round to the nearest float, doubles beyond the float range become infinities. It never reads
 * outside the message it is given. */
#include "fmt/hdf5_internal.h"

frost_status frost__h5_datatype(const h5_image *img, h5_cursor *c, h5_datatype *t,
                                frost_error *err) {
    memset(t, 0, sizeof *t);
    uint64_t at = h5_here(c);
    unsigned head = (unsigned)h5_get(c, 1);
    unsigned bits = (unsigned)h5_get(c, 3);
    t->size = (uint32_t)h5_get(c, 4);
    t->cls = (int)(head & 0x0f);
    if (c->bad) return frost__h5_corrupt(img, err, at, "datatype at offset 0x%llx is cut short",
                                              (unsigned long long)at);
    if (t->cls == H5T_FIXED || t->cls == H5T_FLOATING) {
        t->big_endian = bits & 1;
        unsigned offset = (unsigned)h5_get(c, 2), precision = (unsigned)h5_get(c, 2);
        if (c->bad) return frost__h5_corrupt(img, err, at, "datatype at offset 0x%llx is cut short",
                                              (unsigned long long)at);
        bool plain = offset == 0 && precision == t->size * 8;
        if (t->cls == H5T_FIXED) {
            t->is_signed = bits & 0x08;
            t->supported_number = plain && (t->size == 1 || t->size == 2 || t->size == 4 ||
                                            t->size == 8);
        } else {
            unsigned exp_loc = (unsigned)h5_get(c, 1), exp_size = (unsigned)h5_get(c, 1);
            unsigned mant_loc = (unsigned)h5_get(c, 1), mant_size = (unsigned)h5_get(c, 1);
            uint32_t bias = (uint32_t)h5_get(c, 4);
            unsigned sign = (bits >> 8) & 0xff, norm = (bits >> 4) & 3;
            if (c->bad) return frost__h5_corrupt(img, err, at, "datatype at offset 0x%llx is cut short",
                                              (unsigned long long)at);
            bool vax = bits & 0x40;
            static const struct { unsigned size, exp_loc, exp_size, mant_size, bias; } ieee[] = {
                {2, 10, 5, 10, 15}, {4, 23, 8, 23, 127}, {8, 52, 11, 52, 1023}};
            for (size_t i = 0; i < FROST_ARRAY_LEN(ieee); i++)
                if (plain && !vax && norm == 2 && t->size == ieee[i].size &&
                    exp_loc == ieee[i].exp_loc && exp_size == ieee[i].exp_size && mant_loc == 0 &&
                    mant_size == ieee[i].mant_size && bias == ieee[i].bias &&
                    sign == t->size * 8 - 1) {
                    t->supported_number = true;
                    t->float_bits = (int)t->size * 8;
                }
        }
    } else if (t->cls == H5T_VLEN) {
        t->vlen_string = (bits & 0x0f) == 1;
    }
    return FROST_OK;
}

frost_status frost__h5_dataspace(const h5_image *img, h5_cursor *c, h5_dataspace *s,
                                 frost_error *err) {
    memset(s, 0, sizeof *s);
    uint64_t at = h5_here(c);
    unsigned version = (unsigned)h5_get(c, 1);
    unsigned rank = (unsigned)h5_get(c, 1);
    unsigned flags = (unsigned)h5_get(c, 1);
    if (version == 1) {
        h5_skip(c, 5);
    } else if (version == 2) {
        unsigned type = (unsigned)h5_get(c, 1);
        if (type == 2) s->null = true;
        else if (type > 2)
            return frost__h5_corrupt(img, err, at, "dataspace at offset 0x%llx has type %u",
                                         (unsigned long long)at, type);
    } else {
        return frost__h5_corrupt(img, err, at, "dataspace at offset 0x%llx has version %u",
                                 (unsigned long long)at, version);
    }
    if (rank > 32) return frost__h5_corrupt(img, err, at, "dataspace at offset 0x%llx has rank %u (HDF5 allows 32)",
                                 (unsigned long long)at, rank);
    s->rank = s->null ? 0 : (int)rank;
    for (unsigned i = 0; i < rank; i++) {
        uint64_t d = h5_len(img, c);
        if (i < 32) s->dims[i] = d;
    }
    if (flags & 1)
        for (unsigned i = 0; i < rank; i++) h5_len(img, c);   /* maximum dimensions */
    if (c->bad) return frost__h5_corrupt(img, err, at, "dataspace at offset 0x%llx is cut short",
                                              (unsigned long long)at);
    return FROST_OK;
}

bool frost__h5_dataspace_count(const h5_dataspace *s, uint64_t *count) {
    uint64_t n = s->null ? 0 : 1;
    for (int i = 0; i < s->rank; i++)
        if (__builtin_mul_overflow(n, s->dims[i], &n)) return false;
    *count = n;
    return true;
}

static uint64_t load(const uint8_t *p, unsigned size, bool big) {
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) v |= (uint64_t)p[big ? size - 1 - i : i] << (8 * i);
    return v;
}

static float half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, mant = h & 0x3ff, bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (mant << 13);
    } else if (exp != 0) {
        bits = sign | ((exp + 112) << 23) | (mant << 13);
    } else if (mant == 0) {
        bits = sign;
    } else {   /* subnormal half: normalize */
        int e = -1;
        do {
            mant <<= 1;
            e++;
        } while (!(mant & 0x400));
        bits = sign | ((uint32_t)(112 - e) << 23) | ((mant & 0x3ff) << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static float convert(const h5_datatype *t, const uint8_t *p) {
    uint64_t v = load(p, t->size, t->big_endian);
    if (t->cls == H5T_FLOATING) {
        if (t->float_bits == 16) return half_to_float((uint16_t)v);
        if (t->float_bits == 32) {
            uint32_t u = (uint32_t)v;
            float f;
            memcpy(&f, &u, 4);
            return f;
        }
        double d;
        memcpy(&d, &v, 8);
        return (float)d;
    }
    if (!t->is_signed) return (float)v;
    unsigned shift = 64 - 8 * t->size;
    int64_t s = (int64_t)(v << shift) >> shift;   /* sign-extend */
    return (float)s;
}

void frost__h5_to_f32(const h5_datatype *t, void *buf, size_t n) {
    uint8_t *b = buf;
    float *out = buf;
    /* In place: wider elements convert front to back, narrower ones back to front, so every element
     * is read before its bytes are overwritten. */
    if (t->size >= 4) {
        for (size_t i = 0; i < n; i++) {
            float f = convert(t, b + i * t->size);
            out[i] = f;
        }
    } else {
        for (size_t i = n; i-- > 0;) {
            float f = convert(t, b + i * t->size);
            out[i] = f;
        }
    }
}
