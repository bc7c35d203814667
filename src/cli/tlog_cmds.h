/* cli/tlog_cmds.h - transparency subcommands of `vigil` (cli/cmd_tlog.c):
 * keys, releases, the append-only log, witnesses, the updater and its
 * egress log. Each takes argc/argv starting at the subcommand's name and
 * returns the process exit status. */
#ifndef VG_CLI_TLOG_CMDS_H
#define VG_CLI_TLOG_CMDS_H

int vgcli_key(int argc, char **argv);     /* vigil key generate|vkey */
int vgcli_release(int argc, char **argv); /* vigil release create|bundle|show */
int vgcli_log(int argc, char **argv);     /* vigil log init|append|verify|monitor */
int vgcli_witness(int argc, char **argv); /* vigil witness cosign */
int vgcli_update(int argc, char **argv);  /* vigil update */
int vgcli_egress(int argc, char **argv);  /* vigil egress */

#endif
