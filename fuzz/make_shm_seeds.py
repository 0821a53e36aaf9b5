#!/usr/bin/env python3
# fuzz/make_shm_seeds.py - (re)writes the seed corpus of fuzz_shm_header:
# small rings laid out as shm/ring.h describes (header page, slots, stage),
# in the states a peer can leave them: empty, a request published (in its
# slot or in the stage), a result published, closed, plus copies with one
# header field damaged.
#
#   python3 fuzz/make_shm_seeds.py
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_shm_header")
MAGIC = 0x474E495238373248


def ring(slots=2, req=64, res=64, stage=128, head=0, tail=0, closed=0, requests=(), results=()):
    slot_size = 128 + req + res
    mem = bytearray(4096 + slots * slot_size + stage)
    struct.pack_into("<QIIIIIIQQQI", mem, 0, MAGIC, 2, 4096, slots, slot_size, req, res, 1234, 5678, 42, stage)
    struct.pack_into("<II", mem, 64, 1, 1)  # state SERVING, session 1
    struct.pack_into("<QI", mem, 128, head, closed)
    struct.pack_into("<Q", mem, 192, tail)
    for pos, length, meta, *staged in requests:  # staged: (stage offset,) for a payload in the stage
        off = 4096 + (pos % slots) * slot_size
        struct.pack_into("<QII4III", mem, off, pos + 1, length, 0, *meta, len(staged), *(staged or [0]))
        mem[off + 64:off + 64 + min(length, req)] = bytes((pos + i) & 0xFF for i in range(min(length, req)))
    for pos, length, status in results:
        off = 4096 + (pos % slots) * slot_size + 64 + req
        struct.pack_into("<QII", mem, off, pos + 1, length, status)
    return bytes(mem)


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        if old.startswith("seed-"):
            os.remove(os.path.join(OUT, old))
    seeds = {
        "empty": ring(),
        "request": ring(head=1, requests=[(0, 10, (100, 11, 0, 0))]),
        "two-requests": ring(head=2, requests=[(0, 64, (64, 11, 0, 0)), (1, 3, (5, 8, 0, 0))]),
        "result": ring(head=1, tail=1, requests=[(0, 10, (100, 11, 0, 0))], results=[(0, 10, 0)]),
        "closed": ring(head=1, closed=1, requests=[(0, 10, (100, 11, 0, 0))]),
        "closed-lying": ring(head=2, closed=1, requests=[(0, 10, (100, 11, 0, 0))]),
        "big-len": ring(head=1, requests=[(0, 1 << 30, (100, 11, 0, 0))]),
        "future-seq": ring(head=1, requests=[(2, 10, (100, 11, 0, 0))]),
        "staged": ring(head=2, requests=[(0, 40, (100, 11, 0, 0), 64), (1, 10, (9, 11, 0, 0))]),
        "staged-outside": ring(head=1, requests=[(0, 40, (100, 11, 0, 0), 100)]),
        "no-stage": ring(stage=0, head=1, requests=[(0, 10, (100, 11, 0, 0))]),
        "four-slots": ring(slots=4, req=128, res=256, head=3, tail=1,
                           requests=[(1, 100, (7, 11, 0, 0)), (2, 128, (9, 11, 0, 0))],
                           results=[(0, 256, 0)]),
        "header-only": ring()[:4096],
    }
    base = ring(head=1, requests=[(0, 10, (100, 11, 0, 0))])
    for name, off, value in [("bad-count", 16, 8), ("bad-slot-size", 20, 64), ("bad-capacity", 24, 65),
                             ("huge-count", 16, 1 << 31), ("bad-stage", 56, 100), ("huge-stage", 56, 1 << 31)]:
        mem = bytearray(base)
        struct.pack_into("<I", mem, off, value)
        seeds[name] = bytes(mem)
    for name, data in seeds.items():
        with open(os.path.join(OUT, "seed-" + name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
