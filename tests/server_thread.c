/* server_thread.c - see server_thread.h. */
#include "server_thread.h"

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
