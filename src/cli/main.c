/* cli/main.c - `vigil`: dispatch to subcommands in the style of git. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "vigil/vigil.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: vigil <command> [options]\n"
            "\n"
            "Commands:\n"
            "  scan [options] PATH...   scan files and directories (see vigil scan --help)\n"
            "  db build|info|verify|list|diff   compiled databases (see vigil db --help)\n"
            "  help                     this text\n"
            "  version                  print the version\n"
            "\n"
            "vigil is an open anti-virus engine: ClamAV signature formats, one-pass\n"
            "matching on all cores, clamscan-compatible output and exit codes\n"
            "(0 clean, 1 found, 2 error). See vigil(1).\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "scan"))
        return vgcli_scan(argc - 1, argv + 1);
    if (!strcmp(cmd, "db"))
        return vgcli_db(argc - 1, argv + 1);
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("vigil %s\n", vg_version());
        return 0;
    }
    fprintf(stderr, "vigil: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
