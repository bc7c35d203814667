/* db/builtin.h - the default database compiled into libvigil from db/. */
#ifndef VG_DB_BUILTIN_H
#define VG_DB_BUILTIN_H
#include <stddef.h>
struct vgdb_builtin_file {
    const char *name;
    const char *text;
    size_t len;
};
extern const struct vgdb_builtin_file vgdb_builtin_files[];
#endif
