/* cli/cli.h - subcommands of the vigil command line. */
#ifndef VG_CLI_H
#define VG_CLI_H

int vgcli_scan(int argc, char **argv);
int vgcli_db(int argc, char **argv);
int vgcli_quarantine(int argc, char **argv); /* cmd_quarantine.c */
int vgcli_watch(int argc, char **argv);      /* cmd_watch.c */

/* `vigil scan --json --quarantine`: the line for a moved file ({"path",
 * "quarantined": ID}) or for a failed move ({"path", "quarantine_error"}). */
struct vgout_buf;
void vgcli_json_quarantined(struct vgout_buf *ob, const char *path, const char *id,
                            const char *err);

/* "100M" / "1G" / "512K" / "4096" -> bytes; -1 on error. */
int vgcli_parse_size(const char *s, unsigned long long *out);

#endif
