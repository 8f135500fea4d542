/*
 * loadgen.c - closed-loop load generator for the tutorial "hello" TCP protocol.
 *
 * Protocol (server side):  on connect send "Welcome!" (8 bytes); then for every
 * name received reply "Hello, <name>!" (8 + L bytes); on "exit" or EOF close.
 * Messages are not framed, so each connection runs strictly in lock-step: it
 * sends the next name only after the whole previous reply has arrived.
 *
 * Each connection: connect, read exactly "Welcome!", then R times {send an
 * L-byte name, read exactly 8+L bytes and compare them byte for byte with
 * "Hello, <name>!"}, then send "exit" and close (with --wait-close it first
 * waits for the server's EOF and fails on any extra byte).
 *
 * Latency of one round trip = time from just before the send() of the name to
 * just after the recv() that completes the reply (CLOCK_MONOTONIC).
 * "setup" latency = connect() start until the full "Welcome!" was read.
 *
 * Exit status: 0 ok, 1 any protocol/connection error or mismatch,
 *              2 usage error, 3 time limit hit (bounded run).
 *
 * Build: gcc -O2 -Wall -Wextra -pthread -o loadgen loadgen.c
 * Only loopback (127.0.0.0/8) targets are accepted, on purpose.
 *
 * Copied from ../shared/perf/loadgen.c (the neutral yardstick) with one
 * addition for issue 17, which asks *which* connections wait and for how long:
 *   -S FILE   per-connection report: one `CONN id=.. port=.. rounds=.. max_us=..
 *             over_stall=..` line per connection, one `STALL id=.. port=..
 *             start_ms=.. dur_ms=..` line per round trip longer than -x, and a
 *             log2 histogram of the connections' worst round trips. `port` is the
 *             client's local port: it names the socket in `ss -tni` output.
 *   -x MS     a round trip longer than MS is a stall (default 100).
 * Without -S the output is identical to the original's.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { ST_CONNECTING, ST_WELCOME, ST_SEND, ST_REPLY, ST_EXIT, ST_WAIT_CLOSE, ST_DONE };

static const char WELCOME[] = "Welcome!";
#define WELCOME_LEN 8
#define HELLO_PREFIX "Hello, "
#define HELLO_PREFIX_LEN 7

typedef struct {
    int fd;
    int state;
    int id;
    int round;          /* completed round trips */
    size_t off;         /* progress inside the current send/receive */
    uint64_t t0;        /* start of current round trip (ns) */
    uint64_t t_setup0;  /* connect() start (ns) */
    char *msg;          /* expected reply: "Hello, " + name + "!"; name = msg + 7 */
    uint64_t max_rt;    /* worst round trip of this connection (ns) */
    uint64_t max_at;    /* when it started (ns, monotonic) */
    int over;           /* round trips longer than the stall threshold */
    int port;           /* local port, as ss shows it */
} conn_t;

typedef struct {
    int idx;
    int epfd;
    conn_t *conns;
    int nconns;
    int active;
    int next_start;     /* index of the next connection to start */
    int setting_up;     /* connections between connect() and full Welcome! */
    int max_setup;      /* limit on setting_up (0 = unlimited) */
    uint64_t *lat;      /* per round trip latency, ns */
    size_t nlat;
    uint64_t *setup;    /* per connection setup latency, ns */
    size_t nsetup;
    long errors;
    long rounds_done;
    int timed_out;
    char *rbuf;
    size_t rbuf_cap;
} thr_t;

/* configuration */
static struct sockaddr_in g_addr;
static int g_conns = 1, g_rounds = 1, g_len = 7, g_threads = 1;
static double g_time_limit = 60.0;
static int g_wait_close = 0;
static int g_max_connecting = 0;
static int g_quiet = 0;
static const char *g_stats_path = NULL;
static uint64_t g_stall_ns = 100000000ull;
static uint64_t g_t_start;
typedef struct { int id, port; uint64_t start, dur; } stall_t;
static stall_t *g_stalls;
static size_t g_nstalls, g_cap_stalls;
static pthread_mutex_t g_stall_lock = PTHREAD_MUTEX_INITIALIZER;

static void note_round_trip(conn_t *c, uint64_t t0, uint64_t dur) {
    if (dur > c->max_rt) { c->max_rt = dur; c->max_at = t0; }
    if (!g_stats_path || dur < g_stall_ns) return;
    c->over++;
    pthread_mutex_lock(&g_stall_lock);
    if (g_nstalls == g_cap_stalls) {
        g_cap_stalls = g_cap_stalls ? 2 * g_cap_stalls : 1024;
        g_stalls = realloc(g_stalls, g_cap_stalls * sizeof *g_stalls);
    }
    if (g_stalls) g_stalls[g_nstalls++] = (stall_t){c->id, c->port, t0, dur};
    pthread_mutex_unlock(&g_stall_lock);
}
static uint64_t g_deadline_ns;
static pthread_barrier_t g_barrier;
static pthread_mutex_t g_err_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_err_printed = 0;
#define MAX_ERR_PRINT 10

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void conn_fail(thr_t *t, conn_t *c, const char *fmt, ...) {
    pthread_mutex_lock(&g_err_lock);
    if (g_err_printed < MAX_ERR_PRINT) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "loadgen: conn %d (round %d, state %d): ", c->id, c->round, c->state);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
    } else if (g_err_printed == MAX_ERR_PRINT) {
        fprintf(stderr, "loadgen: further errors not printed\n");
    }
    g_err_printed++;
    pthread_mutex_unlock(&g_err_lock);
    t->errors++;
    if (c->state == ST_CONNECTING || c->state == ST_WELCOME) t->setting_up--;
    if (c->fd >= 0) { close(c->fd); c->fd = -1; }
    c->state = ST_DONE;
    t->active--;
}

static void conn_finish(thr_t *t, conn_t *c) {
    close(c->fd);
    c->fd = -1;
    c->state = ST_DONE;
    t->active--;
}

/* Deterministic, varying name: letters only, never equal to "exit". */
static void make_name(conn_t *c) {
    char *name = c->msg + HELLO_PREFIX_LEN;
    unsigned base = (unsigned)c->id * 131u + (unsigned)c->round * 17u;
    for (int i = 0; i < g_len; i++) name[i] = (char)('a' + (base + (unsigned)i * 7u) % 26u);
    if (g_len == 4 && memcmp(name, "exit", 4) == 0) name[0] = 'E';
}

/* Send buf[c->off..len). Returns 1 when complete, 0 when it would block, -1 on error. */
static int do_send(thr_t *t, conn_t *c, const char *buf, size_t len) {
    while (c->off < len) {
        ssize_t n = send(c->fd, buf + c->off, len - c->off, MSG_NOSIGNAL);
        if (n > 0) { c->off += (size_t)n; continue; }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
        conn_fail(t, c, "send: %s", n < 0 ? strerror(errno) : "returned 0");
        return -1;
    }
    return 1;
}

/* Receive until c->off == len, comparing against expect. 1 complete, 0 would block, -1 error. */
static int do_recv_expect(thr_t *t, conn_t *c, const char *expect, size_t len) {
    while (c->off < len) {
        size_t want = len - c->off + 64; /* ask for more than needed to detect extra bytes */
        if (want > t->rbuf_cap) want = t->rbuf_cap;
        ssize_t n = recv(c->fd, t->rbuf, want, 0);
        if (n > 0) {
            if ((size_t)n > len - c->off) {
                conn_fail(t, c, "received %zd bytes, only %zu expected (extra data)", n, len - c->off);
                return -1;
            }
            if (memcmp(t->rbuf, expect + c->off, (size_t)n) != 0) {
                size_t k = 0;
                while (k < (size_t)n && t->rbuf[k] == expect[c->off + k]) k++;
                conn_fail(t, c, "mismatch at byte %zu of %zu: got 0x%02x, expected 0x%02x ('%c')",
                          c->off + k, len, (unsigned char)t->rbuf[k],
                          (unsigned char)expect[c->off + k], expect[c->off + k]);
                return -1;
            }
            c->off += (size_t)n;
            continue;
        }
        if (n == 0) {
            conn_fail(t, c, "premature EOF after %zu of %zu bytes", c->off, len);
            return -1;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
        conn_fail(t, c, "recv: %s", strerror(errno));
        return -1;
    }
    return 1;
}

static void progress(thr_t *t, conn_t *c, uint32_t ev) {
    for (;;) {
        int r;
        switch (c->state) {
        case ST_CONNECTING: {
            if (!(ev & (EPOLLOUT | EPOLLIN | EPOLLERR | EPOLLHUP))) return;
            int err = 0;
            socklen_t elen = sizeof err;
            if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0) err = errno;
            if (err == EINPROGRESS || err == EALREADY) return;
            if (err) { conn_fail(t, c, "connect: %s", strerror(err)); return; }
            c->state = ST_WELCOME;
            c->off = 0;
            {
                struct sockaddr_in la;
                socklen_t ll = sizeof la;
                if (getsockname(c->fd, (struct sockaddr *)&la, &ll) == 0) c->port = ntohs(la.sin_port);
            }
            break;
        }
        case ST_WELCOME:
            r = do_recv_expect(t, c, WELCOME, WELCOME_LEN);
            if (r <= 0) return;
            t->setup[t->nsetup++] = now_ns() - c->t_setup0;
            t->setting_up--;
            c->off = 0;
            c->state = (c->round < g_rounds) ? ST_SEND : ST_EXIT;
            if (c->state == ST_SEND) { make_name(c); c->t0 = now_ns(); }
            break;
        case ST_SEND:
            r = do_send(t, c, c->msg + HELLO_PREFIX_LEN, (size_t)g_len);
            if (r <= 0) return;
            c->off = 0;
            c->state = ST_REPLY;
            break;
        case ST_REPLY:
            r = do_recv_expect(t, c, c->msg, (size_t)g_len + 8);
            if (r <= 0) return;
            t->lat[t->nlat] = now_ns() - c->t0;
            note_round_trip(c, c->t0, t->lat[t->nlat++]);
            t->rounds_done++;
            c->round++;
            c->off = 0;
            if (c->round < g_rounds) {
                c->state = ST_SEND;
                make_name(c);
                c->t0 = now_ns();
            } else {
                c->state = ST_EXIT;
            }
            break;
        case ST_EXIT:
            r = do_send(t, c, "exit", 4);
            if (r <= 0) return;
            if (!g_wait_close) { conn_finish(t, c); return; }
            c->state = ST_WAIT_CLOSE;
            break;
        case ST_WAIT_CLOSE: {
            char b[64];
            ssize_t n = recv(c->fd, b, sizeof b, 0);
            if (n == 0) { conn_finish(t, c); return; }
            if (n > 0) { conn_fail(t, c, "%zd unexpected bytes after exit", n); return; }
            if (errno == EINTR) break;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            conn_fail(t, c, "recv after exit: %s", strerror(errno));
            return;
        }
        case ST_DONE:
        default:
            return;
        }
    }
}

static void start_conn(thr_t *t, conn_t *c) {
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    c->state = ST_CONNECTING;
    c->round = 0;
    c->off = 0;
    t->active++;
    t->setting_up++;
    if (c->fd < 0) { conn_fail(t, c, "socket: %s", strerror(errno)); return; }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLET, .data.ptr = c };
    if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
        conn_fail(t, c, "epoll_ctl: %s", strerror(errno));
        return;
    }
    c->t_setup0 = now_ns();
    int r = connect(c->fd, (struct sockaddr *)&g_addr, sizeof g_addr);
    if (r < 0 && errno != EINPROGRESS) { conn_fail(t, c, "connect: %s", strerror(errno)); return; }
    if (r == 0) progress(t, c, EPOLLOUT);
}

static void start_more(thr_t *t) {
    while (t->next_start < t->nconns && (t->max_setup == 0 || t->setting_up < t->max_setup))
        start_conn(t, &t->conns[t->next_start++]);
}

static void *thread_main(void *arg) {
    thr_t *t = arg;
    struct epoll_event evs[256];
    pthread_barrier_wait(&g_barrier);
    start_more(t);
    while (t->active > 0 || t->next_start < t->nconns) {
        start_more(t);
        if (t->active == 0) continue;
        int n = epoll_wait(t->epfd, evs, 256, 100);
        if (n < 0) {
            if (errno == EINTR) continue;
            perror("epoll_wait");
            break;
        }
        for (int i = 0; i < n; i++) progress(t, evs[i].data.ptr, evs[i].events);
        start_more(t);
        if (now_ns() > g_deadline_ns) { t->timed_out = 1; break; }
    }
    /* anything not finished (time limit) counts as an error */
    for (int i = 0; i < t->nconns; i++) {
        conn_t *c = &t->conns[i];
        if (i >= t->next_start) { /* never started */
            t->errors++;
            continue;
        }
        if (c->state != ST_DONE) conn_fail(t, c, "not finished within time limit");
    }
    return NULL;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* nearest-rank percentile of a sorted array, in microseconds */
static double pct_us(const uint64_t *v, size_t n, double p) {
    if (n == 0) return 0.0;
    size_t rank = (size_t)((p / 100.0) * (double)n + 0.999999999);
    if (rank < 1) rank = 1;
    if (rank > n) rank = n;
    return (double)v[rank - 1] / 1000.0;
}

/* The -S report: per connection, per stall, and how the worst round trips spread. */
static void write_stats(const conn_t *conns) {
    FILE *f = strcmp(g_stats_path, "-") == 0 ? stdout : fopen(g_stats_path, "w");
    if (!f) { perror(g_stats_path); return; }
    long hist[40] = {0};
    int starved = 0;
    for (int i = 0; i < g_conns; i++) {
        const conn_t *c = &conns[i];
        uint64_t us = c->max_rt / 1000;
        int b = 0;
        while (b < 39 && (2ull << b) <= us) b++;
        if (c->round > 0) hist[b]++;
        if (c->over > 0) starved++;
        fprintf(f, "CONN id=%d port=%d rounds=%d max_us=%llu max_at_ms=%.1f over_stall=%d\n", c->id,
                c->port, c->round, (unsigned long long)us,
                c->max_rt ? (double)(c->max_at - g_t_start) / 1e6 : 0.0, c->over);
    }
    for (size_t i = 0; i < g_nstalls; i++)
        fprintf(f, "STALL id=%d port=%d start_ms=%.1f dur_ms=%.1f\n", g_stalls[i].id,
                g_stalls[i].port, (double)(g_stalls[i].start - g_t_start) / 1e6,
                (double)g_stalls[i].dur / 1e6);
    fprintf(f, "SUMMARY stall_ms=%.0f stalls=%zu connections_with_a_stall=%d of %d\n",
            (double)g_stall_ns / 1e6, g_nstalls, starved, g_conns);
    fprintf(f, "HIST worst round trip per connection (us, log2 buckets):\n");
    for (int b = 0; b < 40; b++)
        if (hist[b]) fprintf(f, "HIST [%llu, %llu) %ld\n", b ? 1ull << b : 0ull, 2ull << b, hist[b]);
    if (f != stdout) fclose(f);
}

static void usage(const char *argv0) {
    fprintf(stderr,
            "usage: %s [options]\n"
            "  -H, --host ADDR        IPv4 loopback address (default 127.0.0.1)\n"
            "  -p, --port PORT        server port (required)\n"
            "  -c, --conns C          concurrent connections (default 1)\n"
            "  -r, --rounds R         round trips per connection (default 1)\n"
            "  -l, --name-len L       name length in bytes (default 7)\n"
            "  -t, --threads T        epoll threads, 1 or 2 (default 1)\n"
            "  -T, --time-limit SEC   abort (exit 3) after SEC seconds (default 60)\n"
            "  -w, --wait-close       after 'exit', wait for the server's EOF (strict check)\n"
            "  -m, --max-connecting N at most N connections between connect() and full\n"
            "                         Welcome! at a time (0 = open all C at once, default)\n"
            "  -q, --quiet            only print the RESULT line\n"
            "  -S, --stats FILE       per-connection worst round trips, stalls, histogram\n"
            "  -x, --stall-ms MS      a round trip over MS is a stall (default 100)\n",
            argv0);
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1";
    int port = -1;
    static const struct option opts[] = {
        {"host", required_argument, 0, 'H'},    {"port", required_argument, 0, 'p'},
        {"conns", required_argument, 0, 'c'},   {"rounds", required_argument, 0, 'r'},
        {"name-len", required_argument, 0, 'l'}, {"threads", required_argument, 0, 't'},
        {"time-limit", required_argument, 0, 'T'}, {"wait-close", no_argument, 0, 'w'},
        {"max-connecting", required_argument, 0, 'm'},
        {"quiet", no_argument, 0, 'q'},         {"stats", required_argument, 0, 'S'},
        {"stall-ms", required_argument, 0, 'x'},         {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int o;
    while ((o = getopt_long(argc, argv, "H:p:c:r:l:t:T:m:S:x:wqh", opts, NULL)) != -1) {
        switch (o) {
        case 'H': host = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'c': g_conns = atoi(optarg); break;
        case 'r': g_rounds = atoi(optarg); break;
        case 'l': g_len = atoi(optarg); break;
        case 't': g_threads = atoi(optarg); break;
        case 'T': g_time_limit = atof(optarg); break;
        case 'w': g_wait_close = 1; break;
        case 'm': g_max_connecting = atoi(optarg); break;
        case 'q': g_quiet = 1; break;
        case 'S': g_stats_path = optarg; break;
        case 'x': g_stall_ns = (uint64_t)(atof(optarg) * 1e6); break;
        case 'h': usage(argv[0]); return 0;
        default: usage(argv[0]); return 2;
        }
    }
    if (port <= 0 || port > 65535 || g_conns < 1 || g_rounds < 0 || g_len < 1 ||
        g_len > 1 << 20 || g_threads < 1 || g_threads > 2 || g_time_limit <= 0 ||
        g_time_limit > 3600 || g_max_connecting < 0) {
        usage(argv[0]);
        return 2;
    }
    if (g_threads > g_conns) g_threads = g_conns;
    memset(&g_addr, 0, sizeof g_addr);
    g_addr.sin_family = AF_INET;
    g_addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &g_addr.sin_addr) != 1) {
        fprintf(stderr, "loadgen: bad IPv4 address '%s'\n", host);
        return 2;
    }
    if ((ntohl(g_addr.sin_addr.s_addr) >> 24) != 127) {
        fprintf(stderr, "loadgen: refusing non-loopback target %s (loopback only)\n", host);
        return 2;
    }

    /* make sure C sockets fit */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)g_conns + 16) {
        fprintf(stderr, "loadgen: RLIMIT_NOFILE %llu too small for %d connections\n",
                (unsigned long long)rl.rlim_cur, g_conns);
        return 2;
    }

    thr_t *thr = calloc((size_t)g_threads, sizeof *thr);
    conn_t *conns = calloc((size_t)g_conns, sizeof *conns);
    if (!thr || !conns) { perror("calloc"); return 2; }
    for (int i = 0; i < g_conns; i++) {
        conns[i].id = i;
        conns[i].fd = -1;
        conns[i].msg = malloc((size_t)g_len + 8);
        if (!conns[i].msg) { perror("malloc"); return 2; }
        memcpy(conns[i].msg, HELLO_PREFIX, HELLO_PREFIX_LEN);
        conns[i].msg[HELLO_PREFIX_LEN + g_len] = '!';
    }
    /* contiguous split of connections across threads */
    int per = g_conns / g_threads, extra = g_conns % g_threads, start = 0;
    for (int i = 0; i < g_threads; i++) {
        thr_t *t = &thr[i];
        t->idx = i;
        t->nconns = per + (i < extra ? 1 : 0);
        t->conns = conns + start;
        start += t->nconns;
        t->max_setup = g_max_connecting ? (g_max_connecting + g_threads - 1) / g_threads : 0;
        t->epfd = epoll_create1(EPOLL_CLOEXEC);
        t->lat = malloc(sizeof(uint64_t) * ((size_t)t->nconns * (size_t)g_rounds + 1));
        t->setup = malloc(sizeof(uint64_t) * ((size_t)t->nconns + 1));
        t->rbuf_cap = (size_t)g_len + 8 + 64;
        t->rbuf = malloc(t->rbuf_cap);
        if (t->epfd < 0 || !t->lat || !t->setup || !t->rbuf) { perror("setup"); return 2; }
    }

    pthread_barrier_init(&g_barrier, NULL, (unsigned)g_threads + 1);
    pthread_t *tids = calloc((size_t)g_threads, sizeof *tids);
    for (int i = 0; i < g_threads; i++) pthread_create(&tids[i], NULL, thread_main, &thr[i]);
    uint64_t t_start = now_ns();
    g_t_start = t_start;
    g_deadline_ns = t_start + (uint64_t)(g_time_limit * 1e9);
    pthread_barrier_wait(&g_barrier);
    for (int i = 0; i < g_threads; i++) pthread_join(tids[i], NULL);
    uint64_t t_end = now_ns();

    /* merge stats */
    size_t nlat = 0, nsetup = 0;
    long errors = 0, rounds = 0;
    int timed_out = 0;
    for (int i = 0; i < g_threads; i++) {
        nlat += thr[i].nlat;
        nsetup += thr[i].nsetup;
        errors += thr[i].errors;
        rounds += thr[i].rounds_done;
        timed_out |= thr[i].timed_out;
    }
    uint64_t *lat = malloc(sizeof(uint64_t) * (nlat + 1));
    uint64_t *setup = malloc(sizeof(uint64_t) * (nsetup + 1));
    size_t k = 0, ks = 0;
    for (int i = 0; i < g_threads; i++) {
        memcpy(lat + k, thr[i].lat, thr[i].nlat * sizeof(uint64_t));
        k += thr[i].nlat;
        memcpy(setup + ks, thr[i].setup, thr[i].nsetup * sizeof(uint64_t));
        ks += thr[i].nsetup;
    }
    qsort(lat, nlat, sizeof(uint64_t), cmp_u64);
    qsort(setup, nsetup, sizeof(uint64_t), cmp_u64);
    double wall = (double)(t_end - t_start) / 1e9;
    double rps = wall > 0 ? (double)rounds / wall : 0.0;
    double mean = 0;
    for (size_t i = 0; i < nlat; i++) mean += (double)lat[i];
    mean = nlat ? mean / (double)nlat / 1000.0 : 0.0;

    if (!g_quiet) {
        printf("target      %s:%d  conns=%d rounds=%d name_len=%d threads=%d wait_close=%d "
               "max_connecting=%d\n", host, port, g_conns, g_rounds, g_len, g_threads, g_wait_close,
               g_max_connecting);
        printf("round trips %ld (expected %ld)\n", rounds, (long)g_conns * g_rounds);
        printf("wall        %.3f s\n", wall);
        printf("throughput  %.0f round trips/s\n", rps);
        printf("latency us  p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f  mean %.1f\n",
               pct_us(lat, nlat, 50), pct_us(lat, nlat, 90), pct_us(lat, nlat, 99),
               pct_us(lat, nlat, 99.9), nlat ? (double)lat[nlat - 1] / 1000.0 : 0.0, mean);
        printf("setup us    p50 %.1f  p99 %.1f  max %.1f   (connect() -> full Welcome!)\n",
               pct_us(setup, nsetup, 50), pct_us(setup, nsetup, 99),
               nsetup ? (double)setup[nsetup - 1] / 1000.0 : 0.0);
        printf("errors      %ld%s\n", errors, timed_out ? " (time limit hit)" : "");
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                   (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    if (!g_quiet) printf("loadgen cpu %.3f s (user+sys, whole process)\n", cpu_s);
    printf("RESULT conns=%d rounds=%d name_len=%d threads=%d max_connecting=%d round_trips=%ld wall_s=%.4f "
           "rt_per_s=%.1f p50_us=%.1f p99_us=%.1f max_us=%.1f setup_p50_us=%.1f "
           "setup_p99_us=%.1f errors=%ld timed_out=%d loadgen_cpu_s=%.3f\n",
           g_conns, g_rounds, g_len, g_threads, g_max_connecting, rounds, wall, rps,
           pct_us(lat, nlat, 50), pct_us(lat, nlat, 99), nlat ? (double)lat[nlat - 1] / 1000.0 : 0.0,
           pct_us(setup, nsetup, 50), pct_us(setup, nsetup, 99), errors, timed_out, cpu_s);
    fflush(stdout);
    if (g_stats_path) write_stats(conns);
    if (timed_out) return 3;
    if (errors > 0 || rounds != (long)g_conns * g_rounds) return 1;
    return 0;
}
