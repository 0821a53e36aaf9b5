/* server_thread.c - see server_thread.h. */
#include "server_thread.h"

#include <stdio.h>

#include "testutil.h"

static void on_ready(void *ctx)
{
    h278_test_server *s = ctx;
    if (s->on_ready)
        s->on_ready(s);
    atomic_store(&s->ready, 1);
}

static void server_main(void *arg)
{
    h278_test_server *s = arg;
    s->rc = h278_serve(&s->o, &s->st, s->err, sizeof s->err);
    atomic_store(&s->done, 1);
}

void h278_test_region_name(char *name, size_t size, const char *what)
{
    uint64_t pid, start;
    h278_shm_self(&pid, &start);
    snprintf(name, size, "test-%s-%llu", what, (unsigned long long)pid);
}

int h278_test_server_start(h278_test_server *s)
{
    s->o.ready = on_ready;
    s->o.ctx = s;
    if (h278_shm_thread_start(&s->thread, server_main, s) != 0)
        return 1;
    for (int i = 0; i < 10000 && !atomic_load(&s->ready) && !atomic_load(&s->done); i++)
        h278_shm_sleep_ms(1);
    return atomic_load(&s->ready) ? 0 : 1;
}

void h278_test_server_join(h278_test_server *s)
{
    atomic_store(&s->stop, 1);
    h278_shm_thread_join(s->thread);
}

int h278_test_block_make(h278_test_block *b, uint64_t seed)
{
    size_t n;
    h278_test_fill_text_like(b->data, sizeof b->data, seed, 'a');
    h278_enc_params_default(&b->params);
    if (h278_compress(b->data, sizeof b->data, &b->params, b->packed, sizeof b->packed, &n) != H278_OK)
        return 1;
    return h278_read_block(b->packed + H278_FILE_HEADER_SIZE, n - H278_FILE_HEADER_SIZE, sizeof b->data,
                           b->params.max_len, &b->block) != H278_OK;
}

int h278_test_feed_block(const char *name, uint32_t wait_ms, const h278_test_block *b, char *why, size_t why_size)
{
    h278_feed_opts fo = {name, wait_ms, 0, 0, 0};
    h278_feed *f = h278_feed_open(&fo, why, why_size);
    if (!f)
        return 1;
    const int failed = h278_feed_send(f, b->packed + H278_FILE_HEADER_SIZE, b->block.total_size, sizeof b->data,
                                      b->params.max_len, b->block.checksum, NULL, NULL) != 0 ||
                       h278_feed_finish(f, NULL, NULL) != 0;
    if (failed)
        snprintf(why, why_size, "%s", h278_feed_error(f));
    h278_feed_free(f);
    return failed;
}
