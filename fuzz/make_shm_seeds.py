#!/usr/bin/env python3
# fuzz/make_shm_seeds.py - (re)writes the seed corpora of the shared-memory
# targets. fuzz_shm_header: small rings laid out as shm/ring.h describes
# (header page, slots, stage), in the states a peer can leave them: empty, a
# request published (in its slot or in the stage), a result published,
# closed, plus copies with one header field damaged. fuzz_shm_live: producer
# scripts (fuzz_shm_live.c), honest ones and ones that write the header's
# fields or a slot header while blocks are in flight.
#
#   python3 fuzz/make_shm_seeds.py
import os
import struct

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
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


# fuzz_shm_live's steps (the first byte of each, modulo 8).
SCRIBBLE, GOOD, RAW, STAGED, PAUSE, DRAIN, FINISH = 0, 2, 3, 4, 5, 6, 7
# Offsets in the ring header (ring.h).
MAGIC_AT, SLOT_COUNT_AT, STATE_AT, PRODUCER_PID_AT, HEAD_AT, CLOSED_AT, TAIL_AT, RESULT_WANTED_AT = (
    0, 16, 64, 72, 128, 136, 192, 328)


def header_write(offset, data):
    return bytes([SCRIBBLE, 0, len(data) - 1]) + struct.pack("<H", offset) + data


def slot_write(result, slot, field, data):
    return bytes([SCRIBBLE, 2 if result else 1, len(data) - 1, slot, field]) + data


def live_seeds():
    end = bytes([DRAIN, FINISH])
    raw = bytes([RAW]) + struct.pack("<HBIH", 20000, 11, 0, 16) + bytes(range(16))
    return {
        "honest": bytes([GOOD, GOOD, DRAIN, GOOD]) + end,
        "staged": bytes([STAGED, 0, 0, STAGED, 0x10, 0]) + end,
        "raw": raw + bytes([GOOD]) + end,
        "magic": bytes([GOOD]) + header_write(MAGIC_AT, b"\xff" * 8) + end,
        "slot-count": header_write(SLOT_COUNT_AT, struct.pack("<I", 3)) + bytes([GOOD]) + end,
        "state": header_write(STATE_AT, struct.pack("<I", 2)) + bytes([GOOD]) + end,
        "producer-pid": bytes([GOOD]) + header_write(PRODUCER_PID_AT, bytes(8)) + bytes([GOOD]) + end,
        "head": bytes([GOOD]) + header_write(HEAD_AT, struct.pack("<Q", 1 << 40)) + end,
        "closed": header_write(CLOSED_AT, struct.pack("<I", 1)) + bytes([GOOD]) + end,
        "tail": bytes([GOOD, GOOD]) + header_write(TAIL_AT, struct.pack("<Q", 7)) + end,
        "result-wanted": bytes([GOOD]) + header_write(RESULT_WANTED_AT, struct.pack("<Q", 2**64 - 1)) + end,
        "request-seq": bytes([GOOD]) + slot_write(0, 0, 0, struct.pack("<Q", 5)) + bytes([PAUSE, 100]) + end,
        "request-len": bytes([GOOD]) + slot_write(0, 1, 8, struct.pack("<I", 0x7FFFFFFF)) + end,
        "request-meta": bytes([GOOD]) + slot_write(0, 0, 16, struct.pack("<II", 1 << 30, 99)) + end,
        "in-stage": bytes([STAGED, 0, 0]) + slot_write(0, 0, 32, struct.pack("<II", 1, 0xFFFF0000)) + end,
        "result-len": bytes([GOOD, PAUSE, 200]) + slot_write(1, 0, 8, struct.pack("<II", 0xFFFFFFFF, 0)) + end,
        "result-seq": bytes([GOOD, PAUSE, 200]) + slot_write(1, 0, 0, struct.pack("<Q", 9)) + end,
        "anywhere": bytes([GOOD, SCRIBBLE, 3, 15]) + struct.pack("<H", 20000) + b"\xa5" * 16 + end,
    }


def write_seeds(target, seeds):
    out = os.path.join(CORPUS, target)
    os.makedirs(out, exist_ok=True)
    for old in os.listdir(out):
        if old.startswith("seed-"):
            os.remove(os.path.join(out, old))
    for name, data in seeds.items():
        with open(os.path.join(out, "seed-" + name), "wb") as f:
            f.write(data)


def main():
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
    write_seeds("fuzz_shm_header", seeds)
    write_seeds("fuzz_shm_live", live_seeds())


if __name__ == "__main__":
    main()
