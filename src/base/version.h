/* version.h: the program's version, the one definition every file that records it includes.
 * configure writes it into buildinfo.h; a build without configure (the fuzzers of
 * scripts/fuzz.sh) gets "dev". */
#ifndef PF_VERSION_H
#define PF_VERSION_H

#ifdef HAVE_CONFIG_H
#include "buildinfo.h"
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

#endif
