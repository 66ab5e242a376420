// Bounded UDP sender for bench/live-capture.bench.ts: sends exactly COUNT datagrams of SIZE
// payload bytes to DST:PORT with sendmmsg (64 per call), paced to PPS packets/s when given,
// then prints {"sent":N,"seconds":S}. A Node sender tops out far below what the capture can
// take, so the bench needs this to measure the capture and not the sender.
//
// Usage: udp-blast DST PORT COUNT SIZE [PPS]
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { BATCH = 64, MAX_PAYLOAD = 1472 };
static const long MAX_COUNT = 100000000;  // a bound, whatever the caller asks

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: %s DST PORT COUNT SIZE [PPS]\n", argv[0]);
    return 2;
  }
  const long count = atol(argv[3]);
  const int size = atoi(argv[4]);
  const double pps = argc > 5 ? atof(argv[5]) : 0;
  if (count < 1 || count > MAX_COUNT || size < 1 || size > MAX_PAYLOAD) {
    fprintf(stderr, "COUNT must be 1..%ld, SIZE 1..%d\n", MAX_COUNT, MAX_PAYLOAD);
    return 2;
  }
  struct sockaddr_in dst;
  memset(&dst, 0, sizeof(dst));
  dst.sin_family = AF_INET;
  dst.sin_port = htons((unsigned short)atoi(argv[2]));
  if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1) {
    fprintf(stderr, "bad address %s\n", argv[1]);
    return 2;
  }
  // Not connected: a connected socket would fail its next send with ECONNREFUSED after an ICMP
  // port unreachable, and the inline bench's datagrams reach a port nobody listens on.
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) {
    perror("socket");
    return 1;
  }
  static char payload[MAX_PAYLOAD];
  memset(payload, 'r', sizeof(payload));
  struct iovec iov[BATCH];
  struct mmsghdr msgs[BATCH];
  memset(msgs, 0, sizeof(msgs));
  for (int i = 0; i < BATCH; i++) {
    iov[i].iov_base = payload;
    iov[i].iov_len = (size_t)size;
    msgs[i].msg_hdr.msg_name = &dst;
    msgs[i].msg_hdr.msg_namelen = sizeof(dst);
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  const double start = now_seconds();
  long sent = 0;
  while (sent < count) {
    const int n = count - sent < BATCH ? (int)(count - sent) : BATCH;
    if (pps > 0) {
      const double due = start + (double)sent / pps;
      const double wait = due - now_seconds();
      if (wait > 0) {
        struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
        nanosleep(&ts, NULL);
      }
    }
    const int r = sendmmsg(fd, msgs, (unsigned)n, 0);
    if (r < 0) {
      // The device queue is full: try again, the count stays exact.
      if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) continue;
      perror("sendmmsg");
      return 1;
    }
    sent += r;
  }
  printf("{\"sent\":%ld,\"seconds\":%.6f}\n", sent, now_seconds() - start);
  close(fd);
  return 0;
}
