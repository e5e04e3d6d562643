/* numbers.c — JSON number text to float, double and integers, exactly, without strtof's cost for
 * every pixel of a request (bench/serve/json_read_bench measures the whole reader). The common
 * case takes the exact fast path: up to 19 significant digits and a power of ten up to 1e22 are
 * both exact doubles, and one IEEE multiply or divide rounds their product correctly. Rounding that
 * double again to float is also correct unless the double lies exactly halfway between two floats
 * (then strtof decides), or the value is outside the normal float range. Everything else goes to
 * strtod/strtof. It must never accept a fraction or an exponent as an integer, or wrap on overflow. */
#include "serve.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* The exact fast path; false when the number needs the slow one. */
static bool fast_double(const char *s, size_t len, double *out) {
    size_t i = 0;
    bool neg = false;
    if (i < len && s[i] == '-') neg = true, i++;
    uint64_t m = 0;
    int digits = 0;          /* significant digits kept in m */
    int64_t exp10 = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        if (m == 0 && s[i] == '0') continue;
        if (++digits > 19) return false;
        m = m * 10 + (uint64_t)(s[i] - '0');
    }
    if (i < len && s[i] == '.') {
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            exp10--;
            if (m == 0 && s[i] == '0') continue;
            if (++digits > 19) return false;
            m = m * 10 + (uint64_t)(s[i] - '0');
        }
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < len && (s[i] == '+' || s[i] == '-')) eneg = s[i] == '-', i++;
        int64_t e = 0;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            if (e > 100000) return false;   /* absurd exponents: the slow path saturates them */
            e = e * 10 + (s[i] - '0');
        }
        exp10 += eneg ? -e : e;
    }
    if (m == 0) {
        *out = neg ? -0.0 : 0.0;
        return true;
    }
    if (m > (1ull << 53) || exp10 < -22 || exp10 > 22) return false;
    double d = (double)m;
    d = exp10 < 0 ? d / pow10_exact[-exp10] : d * pow10_exact[exp10];
    *out = neg ? -d : d;
    return true;
}

/* A NUL-terminated copy for the C library (the reader caps numbers at 4096 bytes). */
static void terminated(const char *s, size_t len, char *buf) {
    memcpy(buf, s, len);
    buf[len] = 0;
}

bool serve_number_f64(const char *s, size_t len, double *out) {
    if (len > 4096) return false;
    if (fast_double(s, len, out)) return true;
    char buf[4097];
    terminated(s, len, buf);
    double d = strtod(buf, NULL);
    if (isinf(d)) return false;
    *out = d;
    return true;
}

/* True when d sits exactly halfway between two adjacent normal floats. */
static bool float_midpoint(double d) {
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    return (bits & ((1ull << 29) - 1)) == (1ull << 28);
}

bool serve_number_f32(const char *s, size_t len, float *out) {
    if (len > 4096) return false;
    double d;
    if (fast_double(s, len, &d)) {
        double a = fabs(d);
        if (a == 0.0 || (a >= FLT_MIN && a < FLT_MAX && !float_midpoint(d))) {
            *out = (float)d;
            return true;
        }
    }
    char buf[4097];
    terminated(s, len, buf);
    float f = strtof(buf, NULL);
    if (isinf(f)) return false;
    *out = f;
    return true;
}

bool serve_number_u64(const char *s, size_t len, uint64_t *out) {
    if (len == 0) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

bool serve_number_i64(const char *s, size_t len, int64_t *out) {
    bool neg = len > 0 && s[0] == '-';
    uint64_t mag;
    if (!serve_number_u64(s + neg, len - neg, &mag)) return false;
    if (neg) {
        if (mag > (uint64_t)INT64_MAX + 1) return false;
        *out = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
    } else {
        if (mag > (uint64_t)INT64_MAX) return false;
        *out = (int64_t)mag;
    }
    return true;
}
