#!/usr/bin/env python3
"""A lower bound on the information in a capture made by `teiten gen`.

No lossless store of its records can take fewer bytes than this, so the
benchmark's stored bytes per packet are read against it. It counts only what
the generator draws at random, uniformly, and a record keeps exactly
(src/gen/gen.c), told apart per packet by the tool signature in its headers:

  destination  log2(addresses of the sensors up that day), or of the 32 Ki
               unowned addresses; 64 bits for IPv6 (random interface id)
  fields       seq 32 bits (all but Mirai), IP ID 16 (Mirai, UDP, ICMP,
               backscatter, fragments), source port log2(28000) (zmap,
               stacks, UDP, IPv6), ack 32 and destination port log2(64512)
               (backscatter), quoted source port 16 (ICMP errors), UDP probe
               log2(6)
  times        per source and day, the set of its microsecond times:
               log2 C(86400e6, c) for c packets
  sources      each distinct source once over the whole capture:
               log2 C(3.6e9, S)

Left out (so the true figure is higher): packets per source and day, the
days a host is active, ports and tools chosen from short lists, the hosts'
fixed header values, the roll-ups. Prints, per captured frame (the
benchmark's "stored bytes per packet" divides by frames too):
"BOUND B/packet over F frames (R records, D source-days, S sources)".

    python3 bench/info_bound.py CAPTURE.pcap
"""
import collections
import math
import struct
import sys

LOG2 = math.log2
DAY_US = 86400 * 10**6


def lcomb(n, k):
    return (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)) / math.log(2)


def main(path):
    data = open(path, "rb").read()
    magic = struct.unpack_from("<I", data, 0)[0]
    if magic != 0xA1B2C3D4:
        sys.exit(f"{path}: not a little-endian microsecond pcap (teiten gen writes those)")
    off, n, frames, bits = 24, 0, 0, 0.0
    runs = collections.Counter()
    sources = set()
    owned = collections.Counter()  # attributed IPv4 packets per day
    sensors = collections.defaultdict(set)  # day -> /22 prefixes seen
    while off + 16 <= len(data):
        sec, _usec, incl, _orig = struct.unpack_from("<IIII", data, off)
        off += 16
        p, off = off, off + incl
        frames += 1
        if incl < 34:
            continue
        day = sec // 86400
        ethertype = struct.unpack_from(">H", data, p + 12)[0]
        if ethertype == 0x0800:
            ip = p + 14
            if data[ip] != 0x45:
                continue  # malformed on purpose: not stored
            total, ipid, frag, _ttl, proto = struct.unpack_from(">HHHBB", data, ip + 2)
            if total + 14 > incl or total < 20:
                continue
            src, dst = struct.unpack_from(">II", data, ip + 12)
            l4 = ip + 20
            b = 0.0
            if dst >> 15 == 0xC6138000 >> 15:
                b += 15  # to no sensor: 32 Ki addresses
            else:
                owned[day] += 1
                sensors[day].add(dst >> 10)
            if frag & 0x1FFF:
                b += 16
            elif proto == 6:
                if total < 40 or data[l4 + 12] >> 4 < 5:
                    continue
                _sp, _dp, seq, _ack, flags, win = struct.unpack_from(">HHIIxBH", data, l4)
                if flags == 0x02 and seq == dst:
                    b += 16  # Mirai: random IP ID
                elif flags == 0x02 and win == 1024:
                    b += 32  # masscan: random seq
                elif flags == 0x02 and win in (65535, 64240, 29200):
                    b += 32 + LOG2(28000)  # zmap, stacks, survey scanners
                elif flags in (0x12, 0x14):
                    b += 32 + 32 + 16 + LOG2(64512)  # backscatter
                else:
                    b += 16
            elif proto == 17:
                if frag & 0x2000:
                    b += 16
                else:
                    if struct.unpack_from(">H", data, l4 + 4)[0] < 8:
                        continue
                    b += 16 + LOG2(28000) + LOG2(6)
            elif proto == 1:
                b += 32 if data[l4] == 3 else 16
            else:
                b += 16
            key = src
        elif ethertype == 0x86DD:
            ip = p + 14
            b = 64.0 + (32 + LOG2(28000) if data[ip + 6] == 6 else 0)
            key = data[ip + 8 : ip + 24]
        else:
            continue
        n += 1
        bits += b
        runs[(key, day)] += 1
        sources.add(key)
    bits += sum(c * LOG2(1024 * len(sensors[d])) for d, c in owned.items())
    bits += sum(lcomb(DAY_US, c) for c in runs.values())
    bits += lcomb(3.6e9, len(sources))
    print(f"{bits / frames / 8:.3f} B/packet over {frames} frames "
          f"({n} records, {len(runs)} source-days, {len(sources)} sources)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
