/* core/pages.h - hand pages of a read-only file mapping back to the page
 * cache (MADV_DONTNEED on the whole pages inside [p, p+len)). Checking a
 * mapped .vdb reads every page; releasing them as they are checked keeps
 * them from counting against the process, so a reload does not hold the
 * new file resident next to the old engine. The bytes stay readable: a
 * later access faults them back in from the page cache. */
#ifndef VG_CORE_PAGES_H
#define VG_CORE_PAGES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

static inline void vgpages_release(const void *p, size_t len)
{
    uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
    uintptr_t e = ((uintptr_t)p + len) & ~(uintptr_t)4095;
    if (e > a)
        madvise((void *)a, e - a, MADV_DONTNEED);
}

#endif
