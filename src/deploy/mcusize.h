/* mcusize.h: what an exported model costs on a microcontroller, measured by its compiler.
 *
 * The exported model.c (export.h) is compiled for an ARM Cortex-M4 with a hardware
 * single-precision FPU, the class of board affect models are deployed on, with Debian's
 * gcc-arm-none-eabi:
 *   arm-none-eabi-gcc -std=c99 -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -O2
 *                     -fstack-usage -c model.c
 * and measured from the object file (arm-none-eabi-size -A) and the compiler's stack report:
 *   flash  = .text (code) + .rodata* (the const weights, scales, indices, names) + .data;
 *   ram    = .data + .bss (both 0 for an export: it has no writable globals);
 *   stack  = the sum of the frames of every function of model.c (-fstack-usage): an upper
 *            bound of model_predict's stack, since no call chain holds a function twice.
 * Nothing runs on the board: these are the sizes a linker would place, without the C
 * library's own (fmaf, exp) that a firmware shares with everything else.
 * Definitions: docs/deploy.md#sizes-on-a-cortex-m4. */
#ifndef PF_MCUSIZE_H
#define PF_MCUSIZE_H

#include "base/error.h"

typedef struct {
    long flash; /* bytes in flash: code and constants */
    long ram;   /* bytes of static RAM (.data + .bss) */
    long stack; /* bytes of stack at most */
} pf_mcusize;

/* Whether arm-none-eabi-gcc and arm-none-eabi-size are on the PATH. */
int pf_mcusize_available(void);

/* Compile dir/model.c as above (in a temporary folder under dir, removed after) and measure it.
 * PF_ERUNTIME with the compiler's message when it fails or a tool is missing. */
int pf_mcusize_measure(const char *dir, pf_mcusize *out, pf_error *err);

#endif
