/*
 * main.c - the h278 command line: dispatch to subcommands.
 *
 * Usage follows gzip and zstd so that scripts can rely on it: one verb, the
 * input, -o for the output, -f to overwrite, "-" for stdin/stdout, exit
 * status 0 only on success, errors on stderr as "h278: FILE: message".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "fs.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"compress", h278_cmd_compress, "compress a file into the H278 format"},
    {"decompress", h278_cmd_decompress, "decompress an .h278 file (any decoder variant)"},
    {"verify", h278_cmd_verify, "decode every block and check its checksum"},
    {"info", h278_cmd_info, "show the file header and one line per block"},
    {"explain", h278_cmd_explain, "show each block's code: counts, lengths, codes, entropy, tables"},
    {"analyze", h278_cmd_analyze, "compare H278's code sizes with entropy and optimal Huffman"},
    {"serve", h278_cmd_serve, "decode blocks that producers send over shared memory"},
    {"feed", h278_cmd_feed, "send .h278 files to a running server and check what comes back"},
};

static void usage(FILE *to)
{
    fprintf(to, "usage: h278 COMMAND [ARGS]   (h278 help COMMAND or h278 COMMAND --help for details)\n\n"
                "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(to, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fprintf(to, "\nH278 %d.%d, container format versions %d to %d. See README.md and docs/.\n",
            H278_CLI_VERSION_MAJOR, H278_CLI_VERSION_MINOR, H278_VERSION_MIN, H278_VERSION);
}

/* What a command printed must have reached standard output (a full disk,
 * /dev/full, a closed pipe): otherwise the run failed. */
static int finish_stdout(int rc)
{
    if (fflush(stdout) != 0 || ferror(stdout))
        return h278_cli_error("(stdout)", "write failed: %s", strerror(errno));
    return rc;
}

int main(int argc, char **argv)
{
    h278_fs_binary_stdio();
    if (argc < 2) {
        usage(stderr);
        return 1;
    }
    if (h278_cli_is_help(argv[1])) {
        usage(stdout);
        return finish_stdout(0);
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("h278 %d.%d (format versions %d to %d)\n", H278_CLI_VERSION_MAJOR, H278_CLI_VERSION_MINOR,
               H278_VERSION_MIN, H278_VERSION);
        return finish_stdout(0);
    }
    /* "h278 help" is the usage; "h278 help CMD" is "h278 CMD --help". */
    char help_flag[] = "--help";
    if (strcmp(argv[1], "help") == 0) {
        if (argc == 2) {
            usage(stdout);
            return finish_stdout(0);
        }
        argv[1] = argv[2];
        argv[2] = help_flag;
        argc = 3;
    }
    const char *names[sizeof commands / sizeof commands[0]];
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[1], commands[i].name) == 0)
            return finish_stdout(commands[i].run(argc - 1, argv + 1));
        names[i] = commands[i].name;
    }
    const char *hint = h278_cli_closest(argv[1], names, sizeof names / sizeof names[0]);
    if (hint)
        h278_cli_error(NULL, "unknown command '%s': did you mean '%s'?", argv[1], hint);
    else
        h278_cli_error(NULL, "unknown command '%s'", argv[1]);
    usage(stderr);
    return 1;
}
