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
               log2 C(86400e6, c) for c packets, and for a host counting
               its IP IDs up the order they take among those times,
               log2 c!
  sources      each distinct source once over the whole capture:
               log2 C(3.6e9, S)
  hosts        what the generator fixes per host and a record keeps, once
               per host: source port and window (Mirai), source port
               (masscan), TTL, the favourite port's place in the list of
               32 (masscan, zmap, stacks), the first IP ID (stacks), the
               service (backscatter)

Left out (so the true figure is higher): packets per source and day, the
days a host is active, the sensors it reaches, ports and tools chosen from
short lists, the roll-ups. Prints, per captured frame (the benchmark's
"stored bytes per packet" divides by frames too), two lines:
"BOUND B/packet over F frames (R records, D source-days, S sources)", then
the same bound for a store that codes each day alone, as teiten's
segments and roll-ups do: each day lists its own sources, and the hosts'
fixed values count once per source and day instead of once per host.

    python3 bench/info_bound.py CAPTURE.pcap
"""
import collections
import math
import struct
import sys

LOG2 = math.log2
DAY_US = 86400 * 10**6
TTL = LOG2(20)  # the generator's hop count: initial TTL - 5 - below(20)
TTL3 = LOG2(3 * 20)  # and the initial TTL too (64, 128 or 255)
PORT = LOG2(32)  # a host's favourite of the 32 common ports
# bits a host of each tool fixes (src/gen/gen.c make_hosts, tool_packet)
HOST_BITS = {
    "mirai": LOG2(64000) + 16 + TTL,
    "masscan": LOG2(64000) + TTL + PORT,
    "zmap": TTL + PORT,
    "stack": TTL3 + PORT + 16,
    "survey": TTL3 + 16,
    "udp": TTL3,
    "ping": TTL3,
    "backscatter": TTL3 + LOG2(6),
}
COUNTERS = ("stack", "survey")  # IP IDs counting up per packet sent


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
    tools = {}  # source -> its tool, where the headers tell
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
            tool = None
            if frag & 0x1FFF:
                b += 16
            elif proto == 6:
                if total < 40 or data[l4 + 12] >> 4 < 5:
                    continue
                _sp, _dp, seq, _ack, flags, win = struct.unpack_from(">HHIIxBH", data, l4)
                if flags == 0x02 and seq == dst:
                    b += 16  # Mirai: random IP ID
                    tool = "mirai"
                elif flags == 0x02 and win == 1024:
                    b += 32  # masscan: random seq
                    tool = "masscan"
                elif flags == 0x02 and win in (65535, 64240, 29200):
                    b += 32 + LOG2(28000)  # zmap, stacks, survey scanners
                    tool = {65535: "zmap", 64240: "stack", 29200: "survey"}[win]
                elif flags in (0x12, 0x14):
                    b += 32 + 32 + 16 + LOG2(64512)  # backscatter
                    tool = "backscatter"
                else:
                    b += 16
            elif proto == 17:
                if frag & 0x2000:
                    b += 16
                else:
                    if struct.unpack_from(">H", data, l4 + 4)[0] < 8:
                        continue
                    b += 16 + LOG2(28000) + LOG2(6)
                    tool = "udp"
            elif proto == 1:
                b += 32 if data[l4] == 3 else 16
                tool = "backscatter" if data[l4] == 3 else "ping"
            else:
                b += 16
            key = src
        elif ethertype == 0x86DD:
            ip = p + 14
            b = 64.0 + (32 + LOG2(28000) if data[ip + 6] == 6 else 0)
            key = data[ip + 8 : ip + 24]
            tool = None
        else:
            continue
        n += 1
        bits += b
        runs[(key, day)] += 1
        sources.add(key)
        if tool:
            tools[key] = tool
    bits += sum(c * LOG2(1024 * len(sensors[d])) for d, c in owned.items())
    bits += sum(lcomb(DAY_US, c) for c in runs.values())
    bits += sum(math.lgamma(c + 1) / math.log(2)
                for (k, _d), c in runs.items() if tools.get(k) in COUNTERS)
    once = lcomb(3.6e9, len(sources)) + sum(HOST_BITS[t] for t in tools.values())
    per_day = sum(HOST_BITS[tools[k]] for k, _d in runs if k in tools)
    per_day += sum(lcomb(3.6e9, c) for c in collections.Counter(d for _k, d in runs).values())
    print(f"{(bits + once) / frames / 8:.3f} B/packet over {frames} frames "
          f"({n} records, {len(runs)} source-days, {len(sources)} sources)")
    print(f"{(bits + per_day) / frames / 8:.3f} B/packet coding each day alone "
          "(each day's own sources; hosts' fixed values per source and day)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
