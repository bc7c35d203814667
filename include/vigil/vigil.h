/* vigil/vigil.h - the whole public API of libvigil. */
#ifndef VIGIL_VIGIL_H
#define VIGIL_VIGIL_H
#include "status.h"
#include "limits.h"
#include "engine.h"
#include "result.h"
#include "scan.h"
#endif
