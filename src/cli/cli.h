/* cli/cli.h - subcommands of the vigil command line. */
#ifndef VG_CLI_H
#define VG_CLI_H

int vgcli_scan(int argc, char **argv);
int vgcli_db(int argc, char **argv);

/* "100M" / "1G" / "512K" / "4096" -> bytes; -1 on error. */
int vgcli_parse_size(const char *s, unsigned long long *out);

#endif
