/* quarantine/quarantine.h - a store for infected files: move in, list,
 * restore byte for byte, delete. Internal to vigil (prefix vgq_); the CLI
 * (`vigil scan --quarantine`, `vigil quarantine ...`) is its user.
 *
 * The store is one directory (default VGQ_DEFAULT_DIR, mode 0700). Each
 * entry is two files named by a 16-hex-digit id:
 *
 *   ID.data  "VIGILQ1\n" then the file's bytes XOR-ed with a fixed 16-byte
 *            key (mode 0600): not executable, and not the bytes any
 *            signature was written for, so a scan of the store finds
 *            nothing (tests/e2e/quarantine_store.sh checks it).
 *   ID.meta  the record, text, one "key value" line each, in this order:
 *
 *     line              value
 *     ----------------  --------------------------------------------------
 *     vigil-quarantine  format version, "1"
 *     id                the id (16 lower-case hex digits)
 *     path              absolute original path, escaped (see below)
 *     uid, gid          numeric owner and group
 *     mode              st_mode in octal (file type bits included)
 *     size              bytes
 *     atime, mtime,     seconds.nanoseconds since the epoch
 *     ctime
 *     sha256            of the original bytes, lower-case hex
 *     time              when it was quarantined, seconds since the epoch
 *     signature         a signature name; one line per name, 0 or more
 *     end               (no value) the record is complete
 *
 *   Escaping: '\\' is "\\\\", bytes below 0x20 and 0x7f are "\\xHH"; so a
 *   value never holds a newline. Unknown keys are skipped (newer writers).
 *
 * Nothing is ever lost (the move order, each step durable before the next):
 *   1. copy the bytes into ID.data (O_EXCL), fsync it;
 *   2. write ID.meta.tmp, fsync, rename to ID.meta, fsync the store;
 *   3. check the path still names the file that was copied, unlink it,
 *      fsync its directory.
 * An entry exists iff ID.meta exists (a rename is atomic). Killed during 1
 * or 2: the original is untouched and the leftover ID.data / *.tmp are
 * removed by the next vgq_open that finds no other user of the store
 * (flock on "lock": users hold it shared, the clean-up takes it
 * exclusively and without waiting). Killed during 3: the file is both in
 * place and in the store, which loses nothing. tests/e2e/quarantine_kill.sh
 * kills a quarantining scan with SIGKILL at random points to check this.
 *
 * Restore writes a temporary file next to the target, checks the SHA-256,
 * sets owner, mode and times, fsyncs, and renames it into place (without
 * force, with RENAME_NOREPLACE: an existing file is never overwritten),
 * then removes the entry (ID.meta first).
 *
 * All writes go through openat/renameat/unlinkat on the store's directory
 * descriptor (vgq_dirfd), which lets the scan sandbox allow writes there
 * and nowhere else (src/sandbox/seccomp.h). */
#ifndef VG_QUARANTINE_H
#define VG_QUARANTINE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "vigil/status.h"

#define VGQ_DEFAULT_DIR "/var/lib/vigil/quarantine"
#define VGQ_ID_LEN 16
#define VGQ_MAX_META (64u * 1024u) /* a record larger than this is refused */

typedef struct vgq_store vgq_store;

typedef struct vgq_entry {
    char id[VGQ_ID_LEN + 1];
    char *path;
    uid_t uid;
    gid_t gid;
    mode_t mode;
    uint64_t size;
    struct timespec atime, mtime, ctime;
    char sha256[65];
    int64_t time; /* quarantined at */
    char **sigs;
    size_t nsigs;
} vgq_entry;

/* Open the store in `dir`, creating it (and missing parents, mode 0700)
 * when `create`. The store keeps a directory descriptor and a shared lock
 * until vgq_close. On failure *out is NULL and, when errbuf is given, it
 * holds the reason. */
vg_status vgq_open(const char *dir, int create, vgq_store **out, char *errbuf,
                   size_t errlen);
void vgq_close(vgq_store *q); /* NULL ok */
int vgq_dirfd(const vgq_store *q);

/* The reason for the last failure on this handle ("" when none). Calls may
 * come from several threads; the text is then one of theirs. */
const char *vgq_error(const vgq_store *q);

/* Move the regular file at `path` into the store with these signature
 * names. On VG_OK the file is gone from `path` and id_out (VGQ_ID_LEN+1
 * bytes) holds the new id. Thread-safe. */
vg_status vgq_move(vgq_store *q, const char *path, const char *const *sigs,
                   size_t nsigs, char *id_out);

/* All complete entries, oldest first (then by id). Free with
 * vgq_entries_free. */
vg_status vgq_list(vgq_store *q, vgq_entry **out, size_t *n);
void vgq_entries_free(vgq_entry *e, size_t n);

/* One entry by id; free with vgq_entry_clear. VG_ENOENT if there is none. */
vg_status vgq_get(vgq_store *q, const char *id, vgq_entry *out);
void vgq_entry_clear(vgq_entry *e);

/* Put the bytes back at `to` (NULL: the original path; an existing
 * directory: the original file name inside it), with the recorded owner,
 * group, mode and times, then drop the entry. Without `force` an existing
 * file at the target is an error (VG_ESTATE) and is left alone. */
vg_status vgq_restore(vgq_store *q, const char *id, const char *to, int force);

/* Remove an entry and its bytes for good. */
vg_status vgq_delete(vgq_store *q, const char *id);

/* Decode an entry's bytes into a buffer (tests, `restore` checks): the
 * SHA-256 is verified. *out is malloc'ed. */
vg_status vgq_read_bytes(vgq_store *q, const char *id, uint8_t **out, size_t *len);

#endif
