/*
 * test_back_to_back_feeds.c - one server, 100 producers one after another,
 * each attaching the moment the previous one has finished and without
 * waiting for the server (wait_ms 0, `h278 feed`'s default): every one is
 * served. A server still finishing the previous session is waited for
 * (bounded, H278_FEED_BUSY_WAIT_MS), not reported as busy.
 */
#include <stdio.h>
#include <string.h>

#include "h278.h"
#include "server_thread.h"
#include "testutil.h"

#define FEEDS 100

int main(void)
{
    char name[64];
    uint64_t pid, start;
    h278_shm_self(&pid, &start);
    snprintf(name, sizeof name, "test-back-to-back-%llu", (unsigned long long)pid);

    uint8_t data[4000], packed[16384];
    h278_test_fill_text_like(data, sizeof data, 5, 'a');
    h278_enc_params p;
    h278_enc_params_default(&p);
    size_t n;
    CHECK(h278_compress(data, sizeof data, &p, packed, sizeof packed, &n) == H278_OK);
    h278_block b;
    CHECK(h278_read_block(packed + H278_FILE_HEADER_SIZE, n - H278_FILE_HEADER_SIZE, sizeof data, p.max_len, &b) ==
          H278_OK);

    static h278_test_server s;
    s.o.name = name;
    s.o.threads = 1;
    s.o.stop = &s.stop;
    CHECK(h278_test_server_start(&s) == 0);

    unsigned served = 0;
    char first_err[400] = "";
    for (int i = 0; i < FEEDS; i++) {
        h278_feed_opts fo = {name, 0, 0, 0, 0};
        char err[320];
        h278_feed *f = h278_feed_open(&fo, err, sizeof err);
        if (!f) {
            if (!first_err[0])
                snprintf(first_err, sizeof first_err, "feed %d: %s", i, err);
            continue;
        }
        if (h278_feed_send(f, packed + H278_FILE_HEADER_SIZE, b.total_size, sizeof data, p.max_len, b.checksum,
                           NULL, NULL) == 0 &&
            h278_feed_finish(f, NULL, NULL) == 0)
            served++;
        else if (!first_err[0])
            snprintf(first_err, sizeof first_err, "feed %d: %s", i, h278_feed_error(f));
        h278_feed_free(f);
    }
    CHECKF(served == FEEDS, "%u of %d back-to-back feeds served; first failure: %s", served, FEEDS, first_err);
    h278_test_server_join(&s);
    CHECKF(s.rc == 0, "%s", s.err);
    return h278_test_finish();
}
