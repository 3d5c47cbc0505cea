/* sha256.h: SHA-256 (OpenSSL's), the one way prunefair digests bytes: the config hash, the data
 * file's identity, the seal of results and shard files, the integrity of checkpoints. */
#ifndef PF_SHA256_H
#define PF_SHA256_H

#include <stddef.h>

#define PF_SHA256_BYTES 32
#define PF_SHA256_HEX   (2 * PF_SHA256_BYTES + 1) /* lowercase hex digits and a NUL */

/* A digest under way. */
typedef struct {
    void *md; /* OpenSSL's EVP_MD_CTX */
    int ok;   /* 0 once anything failed */
} pf_sha256;

/* Start, feed n bytes (any number of times), end: the digest into digest and/or its 64
 * lowercase hex digits into hex (either may be NULL). end frees what begin took and returns
 * 1, or 0 when OpenSSL failed (out of memory) at any step. */
void pf_sha256_begin(pf_sha256 *s);
void pf_sha256_add(pf_sha256 *s, const void *data, size_t n);
int pf_sha256_end(pf_sha256 *s, unsigned char *digest, char *hex);

/* The digest of n bytes at once (begin, add, end). */
int pf_sha256_of(const void *data, size_t n, unsigned char *digest, char *hex);

#endif
