/* cli/main.c - `vigil`: dispatch to subcommands in the style of git. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/tlog_cmds.h"
#include "vigil/vigil.h"

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: vigil <command> [options]\n"
            "\n"
            "Commands:\n"
            "  scan [options] [PATH...]  scan files, directories and stdin ('-') for\n"
            "                            malware; see 'vigil scan --help'\n"
            "  watch [options] PATH...   on-access scanning: block opens and execs of\n"
            "                            infected files (fanotify); see 'vigil watch --help'\n"
            "  quarantine list|restore|delete\n"
            "                            files moved by 'scan --quarantine'; see\n"
            "                            'vigil quarantine --help'\n"
            "  db build|info|verify|list|diff\n"
            "                            compiled databases (.vdb); see 'vigil db --help'\n"
            "  key generate              Ed25519 keys in signed-note format\n"
            "  release create            turn a .vdb into a signed release\n"
            "  log init|append|verify|monitor\n"
            "                            the append-only transparency log of releases\n"
            "  witness cosign            cosign a log checkpoint after checking it\n"
            "  update                    fetch, verify and install the newest release\n"
            "  egress                    print what 'update' sent and received\n"
            "  help [scan|watch|quarantine]\n"
            "                            this text, or the help of a command\n"
            "  version                   print the version\n"
            "\n"
            "Options:\n"
            "  -h, --help                this text\n"
            "  -V, --version             print the version\n"
            "\n"
            "vigil is an anti-virus engine: ClamAV signature databases (.hdb .hsb\n"
            ".fp .sfp .ndb .ldb .cdb, compiled .vdb) and YARA rules (.yar .yara), one-pass\n"
            "matching on all cores, clamscan-compatible output and exit codes\n"
            "(0 clean, 1 found, 2 error). Once the databases are loaded, scan and\n"
            "watch run in a seccomp sandbox: no network, no programs, no writes\n"
            "outside the quarantine store ('--no-sandbox' to debug). See vigil(1).\n");
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
    if (!strcmp(cmd, "quarantine"))
        return vgcli_quarantine(argc - 1, argv + 1);
    if (!strcmp(cmd, "watch"))
        return vgcli_watch(argc - 1, argv + 1);
    if (!strcmp(cmd, "key"))
        return vgcli_key(argc - 1, argv + 1);
    if (!strcmp(cmd, "release"))
        return vgcli_release(argc - 1, argv + 1);
    if (!strcmp(cmd, "log"))
        return vgcli_log(argc - 1, argv + 1);
    if (!strcmp(cmd, "witness"))
        return vgcli_witness(argc - 1, argv + 1);
    if (!strcmp(cmd, "update"))
        return vgcli_update(argc - 1, argv + 1);
    if (!strcmp(cmd, "egress"))
        return vgcli_egress(argc - 1, argv + 1);
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        if (argc > 2 && !strcmp(argv[2], "scan")) {
            char *av[] = {argv[2], "--help", NULL};
            return vgcli_scan(2, av);
        }
        if (argc > 2 && !strcmp(argv[2], "watch")) {
            char *av[] = {argv[2], "--help", NULL};
            return vgcli_watch(2, av);
        }
        if (argc > 2 && !strcmp(argv[2], "quarantine")) {
            char *av[] = {argv[2], "--help", NULL};
            return vgcli_quarantine(2, av);
        }
        if (argc > 2) {
            fprintf(stderr, "vigil: no help for '%s'\n", argv[2]);
            return 2;
        }
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("vigil %s\n", vg_version());
        return 0;
    }
    fprintf(stderr, "vigil: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return 2;
}
