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
    h278_test_region_name(name, sizeof name, "back-to-back");

    static h278_test_block tb;
    CHECK(h278_test_block_make(&tb, 5) == 0);

    static h278_test_server s;
    s.o.name = name;
    s.o.threads = 1;
    s.o.stop = &s.stop;
    CHECK(h278_test_server_start(&s) == 0);

    unsigned served = 0;
    char first_err[400] = "";
    for (int i = 0; i < FEEDS; i++) {
        char err[320];
        if (h278_test_feed_block(name, 0, &tb, err, sizeof err) == 0)
            served++;
        else if (!first_err[0])
            snprintf(first_err, sizeof first_err, "feed %d: %s", i, err);
    }
    CHECKF(served == FEEDS, "%u of %d back-to-back feeds served; first failure: %s", served, FEEDS, first_err);
    h278_test_server_join(&s);
    CHECKF(s.rc == 0, "%s", s.err);
    return h278_test_finish();
}
