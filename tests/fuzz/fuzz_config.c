/* fuzz_config.c: libFuzzer harness for the INI config parser (DESIGN 11). Any input must
 * either load or be refused with PF_EINPUT and a message -- never crash, hang or leak.
 * Built and run by scripts/fuzz.sh. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    pf_config cfg;
    pf_error err = {0};
    int rc = pf_config_load_text(&cfg, text, "fuzz.ini", &err);
    if (rc != PF_OK && (rc != PF_EINPUT || err.msg[0] == '\0')) abort();
    if (rc == PF_OK) {
        /* The canonical dump of anything accepted must load back to the same hash. */
        char *dump = pf_config_dump(&cfg, 0);
        pf_config again;
        pf_error err2 = {0};
        if (!dump || pf_config_load_text(&again, dump, "dump", &err2) != PF_OK ||
            strcmp(again.hash, cfg.hash) != 0)
            abort();
        free(dump);
    }
    free(text);
    return 0;
}
