/* locktest: byte-range and whole-file locks from the guest, which busybox cannot take.
 *   locktest flock-hold FILE SECONDS   flock(LOCK_EX) FILE, print "held", sleep, release
 *   locktest fcntl-try FILE            try an fcntl write lock on all of FILE: exit 0 if granted,
 *                                      3 if another process holds a conflicting lock
 *   locktest fcntl-hold FILE UNTIL     take an fcntl write lock on all of FILE, print "held",
 *                                      keep it until the file UNTIL exists (at most 600 s)
 * Built static by run.sh so that it runs in the busybox guest. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  int fd = open(argv[2], O_RDWR);
  if (fd < 0) { perror("open"); return 2; }
  if (strcmp(argv[1], "flock-hold") == 0 && argc == 4) {
    if (flock(fd, LOCK_EX) != 0) { perror("flock"); return 2; }
    printf("held\n");
    fflush(stdout);
    sleep((unsigned)atoi(argv[3]));
    return 0;
  }
  struct flock lk;
  memset(&lk, 0, sizeof lk);
  lk.l_type = F_WRLCK;
  lk.l_whence = SEEK_SET;
  if (strcmp(argv[1], "fcntl-hold") == 0 && argc == 4) {
    if (fcntl(fd, F_SETLKW, &lk) != 0) { perror("fcntl"); return 2; }
    printf("held\n");
    fflush(stdout);
    for (int i = 0; i < 6000 && access(argv[3], F_OK) != 0; ++i) usleep(100000);
    return 0;
  }
  if (strcmp(argv[1], "fcntl-try") == 0) {
    if (fcntl(fd, F_SETLK, &lk) == 0) return 0;
    if (errno == EAGAIN || errno == EACCES) return 3;
    perror("fcntl");
    return 2;
  }
  return 2;
}
