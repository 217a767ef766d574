/*
 * orbis lab: the `btfs` executable of the stand-in release tarballs. A real ELF for its
 * architecture (so tests can check which tarball a Pi picked with `file`), embedding the
 * stand-in program (btfs.py, as the byte array in program.h) that it runs with the Pi's
 * python3. Built statically so it needs nothing from the host but /usr/bin/python3.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "program.h" /* static const unsigned char btfs_program[]; (NUL-terminated) */

#ifndef BTFS_ARCH
#error "build with -DBTFS_ARCH=\"amd64\" or \"arm64\""
#endif

int main(int argc, char **argv) {
    char **args = calloc((size_t)argc + 3, sizeof *args);
    if (args == NULL) {
        perror("btfs");
        return 1;
    }
    args[0] = "python3";
    args[1] = "-c";
    args[2] = (char *)btfs_program;
    for (int i = 1; i < argc; i++) args[i + 2] = argv[i];
    args[argc + 2] = NULL;
    setenv("BTFS_STANDIN_ARCH", BTFS_ARCH, 1);
    execv("/usr/bin/python3", args);
    fprintf(stderr, "btfs: cannot run /usr/bin/python3: %s (the orbis lab stand-in needs python3)\n",
            strerror(errno));
    return 127;
}
