/* tsan_suppressions.c — ThreadSanitizer's built-in suppressions for every test binary (linked only
 * in FROST_TSAN builds, where the sanitizer runtime asks for this function).
 *
 * libzip reads the local time zone (glibc's tzset) when it opens an archive; glibc serializes tzset
 * with an internal lock TSan cannot see, libc not being instrumented. Anything else is a finding. */
const char *__tsan_default_suppressions(void);
const char *__tsan_default_suppressions(void) { return "race:tzset_internal\n"; }
