/* sha256.c: SHA-256 through OpenSSL's EVP interface (see sha256.h). */
#include "base/sha256.h"

#include <openssl/evp.h>
#include <stdio.h>

void pf_sha256_begin(pf_sha256 *s)
{
    s->md = EVP_MD_CTX_new();
    s->ok = s->md && EVP_DigestInit_ex(s->md, EVP_sha256(), NULL);
}

void pf_sha256_add(pf_sha256 *s, const void *data, size_t n)
{
    if (s->ok && n > 0) s->ok = EVP_DigestUpdate(s->md, data, n);
}

int pf_sha256_end(pf_sha256 *s, unsigned char *digest, char *hex)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    int ok = s->ok && EVP_DigestFinal_ex(s->md, md, &len) && len == PF_SHA256_BYTES;
    EVP_MD_CTX_free(s->md);
    s->md = NULL;
    for (unsigned int i = 0; ok && i < len; i++) {
        if (digest) digest[i] = md[i];
        if (hex) snprintf(hex + 2 * i, 3, "%02x", md[i]);
    }
    return ok;
}

int pf_sha256_of(const void *data, size_t n, unsigned char *digest, char *hex)
{
    pf_sha256 s;
    pf_sha256_begin(&s);
    pf_sha256_add(&s, data, n);
    return pf_sha256_end(&s, digest, hex);
}
