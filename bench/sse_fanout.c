// The SSE fan-out's client and its floor server for bench/events.sh, in C on epoll, so that neither
// side of the floor is an interpreter: the floor is what this machine's loopback can carry.
//
//   sse_fanout client HOST PORT KEY SINCE CLIENTS EXPECTED READY_FILE TIMEOUT
//       CLIENTS streams of GET /products/changes?since=SINCE (Accept: text/event-stream). Touches
//       READY_FILE once every stream has its first body bytes (the `: stream open` comment), then counts
//       each stream's "\nevent: product\n" until every one has EXPECTED, or TIMEOUT seconds later.
//       Prints JSON: when each stream had its first and its EXPECTED-th event (wall clock), bytes, CPU.
//   sse_fanout floor-server PORT_FILE BODY_FILE GO_FILE TIMEOUT
//       Answers each GET with SSE headers and `: stream open`; once GO_FILE exists, writes BODY_FILE
//       (one stream's events as the service sent them) to every stream as fast as each socket takes
//       it, then closes it. Prints JSON: when it started writing.
//
// Build: cc -O2 -o sse_fanout bench/sse_fanout.c
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char EVENT[] = "\nevent: product\n";
#define EVENT_LEN (sizeof(EVENT) - 1)
#define KEEP (EVENT_LEN - 1)
#define READ_SIZE (1 << 18)

static double wall(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void raise_file_limit(void) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

static int exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

static char tolower_ascii(char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static void die(const char *what) {
    printf("{\"error\": \"%s: %s\"}\n", what, strerror(errno));
    exit(1);
}

// --- client ----------------------------------------------------------------------------------------

typedef struct {
    int fd;
    int head_done, chunked, opened, failed;
    char head[8192];
    size_t head_len;
    long remaining;          // bytes left in the current chunk
    char line[64];           // a chunk-size line split across reads
    size_t line_len;
    char carry[KEEP];
    size_t carry_len;
    long count, bytes;
    double first_at, done_at;
    char error[160];
} stream_t;

static long expected_events;
static double cpu_at_first_event = -1;

static void fail(stream_t *s, const char *why) {
    if (!s->failed) snprintf(s->error, sizeof s->error, "%.150s", why);
    s->failed = 1;
}

static long count_in(const char *data, size_t n) {
    long count = 0;
    const char *p = data, *end = data + n;
    while ((size_t)(end - p) >= EVENT_LEN && (p = memmem(p, end - p, EVENT, EVENT_LEN))) {
        count++;
        p += EVENT_LEN;
    }
    return count;
}

// Body bytes (de-chunked): counts the events, including one that straddles two reads.
static void body(stream_t *s, const char *data, size_t n, double now) {
    if (!n) return;
    s->bytes += n;
    s->opened = 1;
    if (s->carry_len) {
        char joined[2 * KEEP];
        size_t head = n < KEEP ? n : KEEP;
        memcpy(joined, s->carry, s->carry_len);
        memcpy(joined + s->carry_len, data, head);
        s->count += count_in(joined, s->carry_len + head);
    }
    s->count += count_in(data, n);
    if (n >= KEEP) {
        memcpy(s->carry, data + n - KEEP, KEEP);
        s->carry_len = KEEP;
    } else {
        char joined[2 * KEEP];
        memcpy(joined, s->carry, s->carry_len);
        memcpy(joined + s->carry_len, data, n);
        size_t total = s->carry_len + n, keep = total < KEEP ? total : KEEP;
        memcpy(s->carry, joined + total - keep, keep);
        s->carry_len = keep;
    }
    if (s->count && !s->first_at) {
        s->first_at = now;
        if (cpu_at_first_event < 0) cpu_at_first_event = cpu();
    }
    if (s->count >= expected_events && !s->done_at) s->done_at = now;
}

static void feed(stream_t *s, const char *data, size_t n, double now) {
    if (!s->chunked) return body(s, data, n, now);
    size_t i = 0;
    while (i < n && !s->failed) {
        if (s->remaining) {
            size_t take = n - i < (size_t)s->remaining ? n - i : (size_t)s->remaining;
            body(s, data + i, take, now);
            s->remaining -= take;
            i += take;
            continue;
        }
        const char *nl = memchr(data + i, '\n', n - i);
        size_t piece = (nl ? (size_t)(nl - (data + i)) : n - i);
        if (s->line_len + piece >= sizeof s->line) return fail(s, "a chunk-size line too long");
        memcpy(s->line + s->line_len, data + i, piece);
        s->line_len += piece;
        if (!nl) return;
        i += piece + 1;
        s->line[s->line_len] = 0;
        s->line_len = 0;
        char *end;
        long size = strtol(s->line, &end, 16);
        if (end == s->line) continue;  // the CRLF after a chunk's data
        if (size == 0) return fail(s, "the server ended the stream");
        s->remaining = size;
    }
}

// The response head, then the start of the body.
static void received(stream_t *s, const char *data, size_t n, double now) {
    if (s->head_done) return feed(s, data, n, now);
    size_t take = n < sizeof s->head - 1 - s->head_len ? n : sizeof s->head - 1 - s->head_len;
    memcpy(s->head + s->head_len, data, take);
    s->head_len += take;
    s->head[s->head_len] = 0;
    char *end = strstr(s->head, "\r\n\r\n");
    if (!end) {
        if (s->head_len == sizeof s->head - 1) fail(s, "a response head over 8 KB");
        return;
    }
    s->head_done = 1;
    if (!strstr(s->head, " 200 ")) {
        char *eol = strstr(s->head, "\r\n");
        *eol = 0;
        return fail(s, s->head);
    }
    for (char *p = s->head; *p; p++) *p = (char)tolower_ascii(*p);
    s->chunked = strstr(s->head, "transfer-encoding: chunked") != NULL;
    size_t head_bytes = (size_t)(end + 4 - s->head) - (s->head_len - take);
    feed(s, data + head_bytes, n - head_bytes, now);
}

static int client(int argc, char **argv) {
    if (argc != 10) return fprintf(stderr, "usage: sse_fanout client HOST PORT KEY SINCE CLIENTS EXPECTED READY_FILE TIMEOUT\n"), 2;
    const char *host = argv[2], *key = argv[4], *since = argv[5], *ready_file = argv[8];
    int port = atoi(argv[3]), clients = atoi(argv[6]);
    expected_events = atol(argv[7]);
    double timeout = atof(argv[9]);
    raise_file_limit();

    stream_t *streams = calloc(clients, sizeof *streams);
    char request[1024];
    int request_len = snprintf(request, sizeof request,
        "GET /products/changes?since=%s HTTP/1.1\r\nHost: %s:%d\r\nX-API-Key: %s\r\nAccept: text/event-stream\r\n\r\n",
        since, host, port, key);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, host, &address.sin_addr);
    int epoll = epoll_create1(0);
    double started = wall();
    for (int i = 0; i < clients; i++) {
        stream_t *s = &streams[i];
        s->fd = socket(AF_INET, SOCK_STREAM, 0);
        if (s->fd < 0) die("socket");
        if (connect(s->fd, (struct sockaddr *)&address, sizeof address) != 0) die("connect");
        if (write(s->fd, request, request_len) != request_len) die("write");
        fcntl(s->fd, F_SETFL, O_NONBLOCK);
        struct epoll_event event = {.events = EPOLLIN, .data.ptr = s};
        epoll_ctl(epoll, EPOLL_CTL_ADD, s->fd, &event);
    }

    char *buffer = malloc(READ_SIZE);
    struct epoll_event events[256];
    int opened = 0, finished = 0, ready = 0;
    double connect_seconds = 0, deadline = started + 120;
    while (finished < clients && wall() < deadline) {
        int ready_count = epoll_wait(epoll, events, 256, 100);
        double now = wall();
        for (int e = 0; e < ready_count; e++) {
            stream_t *s = events[e].data.ptr;
            ssize_t n;
            while ((n = read(s->fd, buffer, READ_SIZE)) > 0) {
                int was_open = s->opened, was_done = s->done_at > 0;
                received(s, buffer, (size_t)n, now);
                opened += !was_open && s->opened;
                if ((!was_done && s->done_at > 0) || s->failed) break;
            }
            if (n == 0 && !s->done_at) fail(s, "the server closed the stream");
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) fail(s, strerror(errno));
            if (s->done_at > 0 || s->failed) {
                epoll_ctl(epoll, EPOLL_CTL_DEL, s->fd, NULL);
                close(s->fd);
                finished++;
                opened += !s->opened;  // a failed stream counts as settled for the ready file
                s->opened = 1;
            }
        }
        if (!ready && opened >= clients) {
            ready = 1;
            connect_seconds = wall() - started;
            for (int i = 0; i < clients; i++) {
                if (streams[i].failed) {
                    printf("{\"error\": \"a stream failed before the first event\", \"first_errors\": [\"%s\"]}\n", streams[i].error);
                    return 1;
                }
            }
            FILE *f = fopen(ready_file, "w");
            if (f) fclose(f);
            deadline = wall() + timeout;
        }
    }
    double cpu_seconds = cpu() - (cpu_at_first_event < 0 ? cpu() : cpu_at_first_event);
    if (!ready) {
        printf("{\"error\": \"%d streams not open after 120 s\"}\n", clients - opened);
        return 1;
    }

    double *done = malloc(clients * sizeof *done);
    int complete = 0;
    long min_count = -1, max_count = 0, total_bytes = 0;
    double first_event_at = 0;
    for (int i = 0; i < clients; i++) {
        stream_t *s = &streams[i];
        if (s->done_at > 0) done[complete++] = s->done_at;
        if (min_count < 0 || s->count < min_count) min_count = s->count;
        if (s->count > max_count) max_count = s->count;
        if (s->first_at > 0 && (!first_event_at || s->first_at < first_event_at)) first_event_at = s->first_at;
        total_bytes += s->bytes;
    }
    for (int i = 1; i < complete; i++)  // insertion sort: at most a few thousand
        for (int j = i; j > 0 && done[j] < done[j - 1]; j--) { double t = done[j]; done[j] = done[j - 1]; done[j - 1] = t; }
    printf("{\"clients\": %d, \"expected\": %ld, \"connect_seconds\": %.6f, \"complete\": %d, \"min_count\": %ld, "
           "\"max_count\": %ld, \"first_event_at\": ", clients, expected_events, connect_seconds, complete, min_count, max_count);
    if (first_event_at > 0) printf("%.6f", first_event_at); else printf("null");
    printf(", \"done_at\": [");
    for (int i = 0; i < complete; i++) printf("%s%.6f", i ? ", " : "", done[i]);
    printf("], \"bytes\": %ld, \"cpu_seconds\": %.6f, \"errors\": [", total_bytes, cpu_seconds);
    int shown = 0;
    for (int i = 0; i < clients && shown < 3; i++)
        if (streams[i].failed && !streams[i].done_at) printf("%s\"%s\"", shown++ ? ", " : "", streams[i].error);
    printf("]}\n");
    return complete == clients ? 0 : 1;
}

// --- floor server ----------------------------------------------------------------------------------

typedef struct {
    int fd, streaming;
    char head[8192];
    size_t head_len, sent;
} connection_t;

static const char OPENING[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n: stream open\n\n";

static int floor_server(int argc, char **argv) {
    if (argc != 6) return fprintf(stderr, "usage: sse_fanout floor-server PORT_FILE BODY_FILE GO_FILE TIMEOUT\n"), 2;
    const char *port_file = argv[2], *body_file = argv[3], *go_file = argv[4];
    double deadline = wall() + atof(argv[5]);
    raise_file_limit();

    FILE *f = fopen(body_file, "rb");
    if (!f) die("body file");
    fseek(f, 0, SEEK_END);
    size_t body_len = (size_t)ftell(f);
    rewind(f);
    char *body_bytes = malloc(body_len ? body_len : 1);
    if (fread(body_bytes, 1, body_len, f) != body_len) die("body file");
    fclose(f);

    int listener = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t length = sizeof address;
    if (bind(listener, (struct sockaddr *)&address, sizeof address) || listen(listener, 1024)) die("listen");
    getsockname(listener, (struct sockaddr *)&address, &length);
    fcntl(listener, F_SETFL, O_NONBLOCK);
    char temporary[4096];
    snprintf(temporary, sizeof temporary, "%s.tmp", port_file);
    f = fopen(temporary, "w");
    fprintf(f, "%d", ntohs(address.sin_port));
    fclose(f);
    rename(temporary, port_file);

    int epoll = epoll_create1(0);
    struct epoll_event event = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event);
    connection_t **connections = NULL;
    int count = 0, capacity = 0, open_streams = 0, going = 0;
    double started = 0;
    struct epoll_event events[256];
    while (wall() < deadline && (!going || open_streams > 0)) {
        if (!going && exists(go_file)) {
            going = 1;
            started = wall();
            for (int i = 0; i < count; i++) {
                if (!connections[i]->streaming) continue;
                struct epoll_event out = {.events = EPOLLOUT, .data.ptr = connections[i]};
                epoll_ctl(epoll, EPOLL_CTL_MOD, connections[i]->fd, &out);
            }
        }
        int ready = epoll_wait(epoll, events, 256, going ? 100 : 10);
        for (int e = 0; e < ready; e++) {
            connection_t *c = events[e].data.ptr;
            if (!c) {  // the listener
                int fd;
                while ((fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    if (count == capacity) connections = realloc(connections, (capacity = capacity ? 2 * capacity : 1024) * sizeof *connections);
                    connection_t *new = calloc(1, sizeof *new);
                    new->fd = fd;
                    connections[count++] = new;
                    struct epoll_event in = {.events = EPOLLIN, .data.ptr = new};
                    epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &in);
                }
                continue;
            }
            if (!c->streaming) {  // reading the request head
                ssize_t n = read(c->fd, c->head + c->head_len, sizeof c->head - 1 - c->head_len);
                if (n <= 0) {
                    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
                    epoll_ctl(epoll, EPOLL_CTL_DEL, c->fd, NULL);
                    close(c->fd);
                    continue;
                }
                c->head_len += (size_t)n;
                c->head[c->head_len] = 0;
                if (!strstr(c->head, "\r\n\r\n")) continue;
                if (write(c->fd, OPENING, sizeof OPENING - 1) != (ssize_t)(sizeof OPENING - 1)) die("write");
                c->streaming = 1;
                open_streams++;
                struct epoll_event next = {.events = going ? EPOLLOUT : 0, .data.ptr = c};
                epoll_ctl(epoll, EPOLL_CTL_MOD, c->fd, &next);
                continue;
            }
            while (c->sent < body_len) {  // writing the body as fast as the socket takes it
                ssize_t n = write(c->fd, body_bytes + c->sent, body_len - c->sent);
                if (n <= 0) break;
                c->sent += (size_t)n;
            }
            if (c->sent == body_len || (errno != EAGAIN && errno != EWOULDBLOCK)) {
                epoll_ctl(epoll, EPOLL_CTL_DEL, c->fd, NULL);
                close(c->fd);
                c->streaming = 0;
                c->sent = body_len;
                open_streams--;
            }
        }
    }
    printf("{\"started_at\": %.6f, \"streams\": %d, \"body_bytes\": %zu}\n", started, count, body_len);
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    if (argc > 1 && !strcmp(argv[1], "client")) return client(argc, argv);
    if (argc > 1 && !strcmp(argv[1], "floor-server")) return floor_server(argc, argv);
    fprintf(stderr, "usage: sse_fanout client ... | sse_fanout floor-server ...\n");
    return 2;
}
