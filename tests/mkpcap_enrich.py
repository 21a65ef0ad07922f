#!/usr/bin/env python3
"""Inputs and expected answers for tests/cli_enrich.sh (standard library only).

  mkpcap_enrich.py gen OUTDIR
      writes the region and AS tables (geo1.csv, geo2.csv, asn.csv, bad.csv),
      a sensors file, two classic pcaps (batch1.pcap: 2021-10-04..06, ingested
      with geo1; batch2.pcap: 2021-10-07, ingested after geo2 replaced geo1),
      expected.json (every view's expected rows) and views.txt (one line per
      view: PHASE NAME COMMAND ARGS...).
  mkpcap_enrich.py check OUTDIR PHASE RESULTDIR
      compares RESULTDIR/NAME.json (teiten's --json output) with the expected
      rows of every view of PHASE; one "PASS what" or "FAIL what: got, want"
      line per check.

Every expected number comes from the packet list written here, with the
country and AS each packet's source has in the tables that were installed
when its batch was ingested (narrowest range wins), never from teiten."""

import ipaddress
import json
import os
import random
import struct
import sys

DAY_US = 86400 * 1000000
HOUR_US = 3600 * 1000000
D0 = 18904  # 2021-10-04 as days since 1970-01-01


def day_label(d):
    import datetime
    return (datetime.date(1970, 1, 1) + datetime.timedelta(days=d)).isoformat()


def us(day, hour=0):
    return (D0 + day) * DAY_US + hour * HOUR_US


# ---- the tables ----------------------------------------------------------

# start, end, cc (documentation ranges with made-up assignments). The KR
# /25 nests inside the US /24: the narrower wins.
GEO1 = [
    ("192.0.2.0", "192.0.2.255", "JP"),
    ("198.51.100.0", "198.51.100.255", "US"),
    ("198.51.100.128", "198.51.100.255", "KR"),
    ("203.0.113.0", "203.0.113.255", "CN"),
    ("2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "DE"),
]
GEO1_KR_LINE = 4  # the header is line 1
GEO1_US_LINE = 3
# The replacement: different countries, no nested range, a new range for
# sources that were unknown.
GEO2 = [
    ("192.0.2.0", "192.0.2.255", "FR"),
    ("198.51.100.0", "198.51.100.255", "US"),
    ("203.0.113.0", "203.0.113.255", "BR"),
    ("100.100.5.0", "100.100.5.255", "SE"),
    ("2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "NL"),
]
# start, end, asn, name (quoted, with commas and a doubled quote)
ASN = [
    ("192.0.2.0", "192.0.2.127", 64500, "Example Net, Tokyo"),
    ("192.0.2.128", "192.0.2.255", 64501, "Sample ISP, Inc."),
    ("198.51.100.0", "198.51.100.255", 64502, 'Doc "Test" Networks, LLC'),
    ("203.0.113.0", "203.0.113.255", 64503, "Fake Cloud, Ltd."),
    ("100.100.5.2", "100.100.5.2", 64505, "Nowhere Co., Ltd."),
    ("2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 64504, "Beispiel GmbH, Berlin"),
]

NAMES = {
    "en": {"JP": "Japan", "US": "United States", "KR": "South Korea", "CN": "China",
           "DE": "Germany", "FR": "France", "BR": "Brazil", "SE": "Sweden",
           "NL": "Netherlands", None: "unknown"},
    "ja": {"JP": "日本", "US": "米国", "KR": "韓国", "CN": "中国", "DE": "ドイツ",
           "FR": "フランス", "BR": "ブラジル", "SE": "スウェーデン", "NL": "オランダ",
           None: "不明"},
}

SENSORS = {  # name: (id, IPv4 /24, IPv6 /48)
    "sensor-a": (1, "100.64.0.0/24", "3fff:0:a::/48"),
    "sensor-b": (2, "100.64.1.0/24", "3fff:0:b::/48"),
}
UNATTRIBUTED_DST = "100.64.9.9"


def ip_int(a):
    return int(ipaddress.ip_address(a))


def lookup(table, addr):
    """The narrowest range of table holding addr: its row, or None."""
    a = ipaddress.ip_address(addr)
    best = None
    for row in table:
        lo, hi = ipaddress.ip_address(row[0]), ipaddress.ip_address(row[1])
        if lo.version == a.version and lo <= a <= hi:
            if best is None or int(hi) - int(lo) < best[0]:
                best = (int(hi) - int(lo), row)
    return best[1] if best else None


def cc_of(geo, addr):
    r = lookup(geo, addr)
    return r[2] if r else None


def asn_of(addr):
    r = lookup(ASN, addr)
    return r[2] if r else 0


# ---- the traffic ---------------------------------------------------------

# source, packets on 2021-10-04, -05, -06, what it sends. The DE sources
# start on 10-05 (so DE is "out of top" there); boundary addresses of each
# range are included (198.51.100.127 is US, .128 and .255 KR).
BATCH1 = [
    ("192.0.2.10", (6, 4, 3), "mix"),
    ("192.0.2.11", (3, 0, 5), "mix"),
    ("192.0.2.12", (0, 2, 2), "udp"),
    ("192.0.2.200", (4, 1, 0), "icmp"),
    ("198.51.100.5", (5, 6, 2), "tcp"),
    ("198.51.100.6", (2, 0, 0), "icmp"),
    ("198.51.100.127", (1, 2, 0), "mix"),
    ("198.51.100.128", (2, 0, 1), "tcp"),
    ("198.51.100.130", (3, 5, 4), "tcp"),
    ("198.51.100.131", (0, 4, 6), "mix"),
    ("198.51.100.255", (1, 1, 1), "udp"),
    ("203.0.113.7", (9, 7, 8), "tcp"),
    ("203.0.113.8", (7, 6, 9), "tcp"),
    ("203.0.113.9", (0, 5, 7), "mix"),
    ("2001:db8::1", (0, 3, 4), "tcp"),
    ("2001:db8:0:1::2", (0, 2, 3), "tcp"),
    ("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", (0, 1, 1), "tcp"),
    ("100.100.5.1", (2, 3, 1), "mix"),
    ("100.100.5.2", (3, 0, 2), "udp"),
    ("3fff:ff::1", (1, 1, 0), "tcp"),
]
# Packets to no sensor's prefix: stored, but in no answer without
# --unattributed. 192.0.2.99 sends nothing else.
UNATTRIBUTED = [("192.0.2.99", 1, 3), ("203.0.113.7", 1, 2)]  # source, day, packets
# 2021-10-07, ingested after GEO2 was installed.
BATCH2 = [
    ("192.0.2.10", (0, 0, 0, 5), "tcp"),
    ("198.51.100.130", (0, 0, 0, 3), "tcp"),
    ("100.100.5.1", (0, 0, 0, 4), "mix"),
    ("2001:db8::1", (0, 0, 0, 2), "tcp"),
]

SERVICES = {"tcp": [("tcp", 23), ("tcp", 6379), ("tcp", 22)],
            "udp": [("udp", 53), ("udp", 123)],
            "icmp": [("icmp", None)]}
SERVICES["mix"] = SERVICES["tcp"] + SERVICES["udp"] + SERVICES["icmp"]


def make_packets(rng, plan, geo):
    pkts = []
    for src, days, what in plan:
        v6 = ":" in src
        for day, n in enumerate(days):
            for _ in range(n):
                proto, port = rng.choice(SERVICES["tcp"] if v6 else SERVICES[what])
                sensor = rng.choice(sorted(SENSORS))
                pkts.append(packet(rng, src, day, proto, port, sensor, geo))
    for src, day, n in UNATTRIBUTED if plan is BATCH1 else []:
        for _ in range(n):
            pkts.append(packet(rng, src, day, "tcp", 23, None, geo))
    pkts.sort(key=lambda p: p["ts"])
    return pkts


def packet(rng, src, day, proto, port, sensor, geo):
    v6 = ":" in src
    ts = us(day) + rng.randrange(DAY_US)
    if sensor is None:
        dst = UNATTRIBUTED_DST
    else:
        net = ipaddress.ip_network(SENSORS[sensor][2 if v6 else 1])
        dst = str(net[rng.randrange(1, 255)])
    l4 = {"tcp": 20, "udp": 8 + 12, "icmp": 8 + 8}[proto]
    return {"ts": ts, "day": D0 + day, "hour": (ts // HOUR_US), "src": src, "dst": dst,
            "v6": v6, "proto": proto, "port": port, "sensor": sensor,
            "cc": cc_of(geo, src), "asn": asn_of(src), "bytes": (40 if v6 else 20) + l4,
            "sport": rng.randrange(1024, 65536), "seq": rng.randrange(1 << 32),
            "id": rng.randrange(1 << 16)}


# ---- pcap ----------------------------------------------------------------

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def l4_bytes(p, pseudo):
    if p["proto"] == "tcp":
        h = struct.pack("!HHIIBBHHH", p["sport"], p["port"], p["seq"], 0, 5 << 4, 0x02,
                        65535, 0, 0)
        c = csum(pseudo(6, len(h)) + h)
        return 6, h[:16] + struct.pack("!H", c) + h[18:]
    if p["proto"] == "udp":
        body = struct.pack("!HHHHHH", p["id"], 0x0100, 1, 0, 0, 0)  # a DNS-style header
        h = struct.pack("!HHHH", p["sport"], p["port"], 8 + len(body), 0) + body
        c = csum(pseudo(17, len(h)) + h) or 0xFFFF
        return 17, h[:6] + struct.pack("!H", c) + h[8:]
    h = struct.pack("!BBHHH", 8, 0, 0, p["id"], 1) + b"teiten!!"  # echo request
    return 1, h[:2] + struct.pack("!H", csum(h)) + h[4:]


def frame(p):
    s, d = ipaddress.ip_address(p["src"]).packed, ipaddress.ip_address(p["dst"]).packed
    eth = bytes.fromhex("00005e005301") + bytes.fromhex("00005e005302")
    if p["v6"]:
        proto, l4 = l4_bytes(p, lambda nh, n: s + d + struct.pack("!IxxxB", n, nh))
        ip = struct.pack("!IHBB", 6 << 28, len(l4), proto, 64) + s + d
        return eth + b"\x86\xdd" + ip + l4
    proto, l4 = l4_bytes(p, lambda nh, n: s + d + struct.pack("!xBH", nh, n))
    ip = struct.pack("!BBHHHBBH", 0x45, 0, 20 + len(l4), p["id"], 0x4000, 64, proto, 0) + s + d
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return eth + b"\x08\x00" + ip + l4


def write_pcap(path, pkts):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))  # Ethernet, us
        for p in pkts:
            fr = frame(p)
            assert len(fr) == 14 + p["bytes"]
            f.write(struct.pack("<IIII", p["ts"] // 1000000, p["ts"] % 1000000, len(fr),
                                len(fr)) + fr)


# ---- expected answers ----------------------------------------------------

def cc_key(cc):
    return 0 if cc is None else ord(cc[0]) << 8 | ord(cc[1])


def matches(p, f):
    if p["sensor"] is None:
        return False
    if f.get("sensor") and p["sensor"] != f["sensor"]:
        return False
    if f.get("proto") and p["proto"] != f["proto"]:
        return False
    if f.get("port") is not None and p["port"] != f["port"]:
        return False
    return f["from"] <= p["ts"] < f["to"]


def grouped(pkts, f, by):
    g = {}
    for p in pkts:
        if matches(p, f):
            k = p["cc"] if by == "country" else p["asn"]
            e = g.setdefault(k, {"packets": 0, "bytes": 0, "src": set()})
            e["packets"] += 1
            e["bytes"] += p["bytes"]
            e["src"].add(p["src"])
    key = (lambda k: cc_key(k)) if by == "country" else (lambda k: k)
    order = sorted(g, key=lambda k: (-g[k]["packets"], key(k)))
    return g, order


def top_view(pkts, by, f, n, lang, ranged):
    g, order = grouped(pkts, f, by)
    prev_order = []
    if ranged:
        length = f["to"] - f["from"]
        pf = dict(f, **{"from": f["from"] - length, "to": f["from"]})
        prev_order = grouped(pkts, pf, by)[1][:n]
    total = sum(e["packets"] for e in g.values())
    names = {r[2]: r[3] for r in ASN}
    rows = []
    for i, k in enumerate(order[:n]):
        e = g[k]
        if by == "country":
            label, name = (k or "--"), NAMES[lang][k]
        else:
            label, name = ("AS%d" % k if k else "unknown"), names.get(k, "")
        if not ranged:
            prev = "-"
        elif k in prev_order:
            prev = str(prev_order.index(k) + 1)
        else:
            prev = "out of top %d" % n
        rows.append({"rank": i + 1, by: label, "name": name, "packets": e["packets"],
                     "sources": len(e["src"]),
                     "share_pct": round(100.0 * e["packets"] / total, 2), "prev_rank": prev})
    return rows


def series_view(pkts, by, f, step):
    rows = {}
    for p in pkts:
        if not matches(p, f):
            continue
        if step == "hour":
            h = p["hour"]
            t = "%sT%02d" % (day_label(h // 24), h % 24)
        else:
            t = day_label(p["day"])
        g = NAMES["en"][p["cc"]] if by == "country" else ("AS%d" % p["asn"] if p["asn"]
                                                          else "unknown")
        e = rows.setdefault(t + "|" + g, {"time": t, "group": g, "packets": 0, "bytes": 0,
                                          "srcs": set()})
        e["packets"] += 1
        e["bytes"] += p["bytes"]
        e["srcs"].add(p["src"])
    for e in rows.values():
        srcs = e.pop("srcs")
        if by == "country" and step == "day":  # distinct sources per day and country
            e["sources"] = len(srcs)
    return sorted(rows.values(), key=lambda r: (r["time"], r["group"]))


def views(b1, both):
    """(phase, name, command, args, kind, expected rows) for every view.
    Phase 1 runs on the batch-1 store (before and after the region
    database is replaced), phase 2 after batch 2 was ingested too."""
    out = []

    def top(phase, name, pkts, by, args, f, n=10, lang="en", ranged=False):
        out.append((phase, name, "top", [("countries" if by == "country" else "asns")] + args,
                    "top", top_view(pkts, by, f, n, lang, ranged)))

    def series(phase, name, pkts, by, args, f, step="day"):
        out.append((phase, name, "series", args + ["--by", by, "--step", step], "series",
                    series_view(pkts, by, f, step)))

    part = {"from": us(0, 6), "to": us(0, 13)}  # --to 2021-10-04T12 takes in its hour
    part_args = ["--from", "2021-10-04T06", "--to", "2021-10-04T12"]
    # Phase 2 repeats what batch 2 changes: the whole store, 10-07 (enriched
    # with geo2) and 10-06 (its previous day).
    for phase, pkts, days in (("1", b1, (0, 1, 2)), ("2", both, (2, 3))):
        whole = {"from": us(0), "to": us(days[-1] + 1)}
        p = "p%s_" % phase
        for by in ("country", "asn"):
            top(phase, p + by + "_all", pkts, by, [], whole)
            for proto in ("tcp", "udp", "icmp"):
                top(phase, p + by + "_" + proto, pkts, by, ["--proto", proto],
                    dict(whole, proto=proto))
            for port in (23, 6379):
                top(phase, "%s%s_port%d" % (p, by, port), pkts, by, ["--port", "%d/tcp" % port],
                    dict(whole, proto="tcp", port=port))
            for s in sorted(SENSORS):
                top(phase, p + by + "_" + s, pkts, by, ["--sensor", s], dict(whole, sensor=s))
            for d in days:
                df = {"from": us(d), "to": us(d + 1)}
                top(phase, "%s%s_day%d" % (p, by, d), pkts, by, [day_label(D0 + d)], df,
                    ranged=True)
            series(phase, p + "series_" + by, pkts, by, [], whole)
            if phase == "2":
                continue
            top(phase, p + by + "_day1_tcp", pkts, by, [day_label(D0 + 1), "--proto", "tcp"],
                {"from": us(1), "to": us(2), "proto": "tcp"}, ranged=True)
            top(phase, p + by + "_day1_n2", pkts, by, [day_label(D0 + 1), "-n", "2"],
                {"from": us(1), "to": us(2)}, n=2, ranged=True)
            top(phase, p + by + "_part", pkts, by, part_args, part, ranged=True)
            top(phase, p + by + "_part_tcp", pkts, by, part_args + ["--proto", "tcp"],
                dict(part, proto="tcp"), ranged=True)
        series(phase, p + "series_country_part", pkts, "country", part_args, part, "hour")
        top(phase, p + "country_day2_ja", pkts, "country", [day_label(D0 + 2), "--lang", "ja"],
            {"from": us(2), "to": us(3)}, lang="ja", ranged=True)
        top(phase, p + "country_day1_sensor_b_udp", pkts, "country",
            [day_label(D0 + 1), "--sensor", "sensor-b", "--proto", "udp"],
            {"from": us(1), "to": us(2), "sensor": "sensor-b", "proto": "udp"}, ranged=True)
    return out


def top_ports_expected(pkts):
    n = {}
    for p in pkts:
        if p["sensor"] is not None and p["proto"] == "tcp":
            n[p["port"]] = n.get(p["port"], 0) + 1
    return n


def lookups():
    """address -> (cc in geo1, cc in geo2, asn, as name, sensor)."""
    addrs = ["192.0.2.10", "192.0.2.200", "198.51.100.127", "198.51.100.128",
             "198.51.100.255", "203.0.113.9", "2001:db8::1", "100.100.5.1", "100.100.5.2",
             "3fff:ff::1", "100.64.0.5", "100.64.1.77", "3fff:0:b::9"]
    out = {}
    for a in addrs:
        r = lookup(ASN, a)
        sensor = "-"
        for name, (_, v4, v6) in SENSORS.items():
            if ipaddress.ip_address(a) in ipaddress.ip_network(v6 if ":" in a else v4):
                sensor = name
        out[a] = {"cc1": cc_of(GEO1, a), "cc2": cc_of(GEO2, a),
                  "asn": "AS%d" % r[2] if r else "-", "as_name": r[3] if r else "",
                  "sensor": sensor}
    return out


def csv_quote(s):
    return '"' + s.replace('"', '""') + '"'


def gen(outdir):
    os.makedirs(outdir, exist_ok=True)
    rng = random.Random(20211004)
    b1 = make_packets(rng, BATCH1, GEO1)
    b2 = make_packets(rng, BATCH2, GEO2)
    write_pcap(os.path.join(outdir, "batch1.pcap"), b1)
    write_pcap(os.path.join(outdir, "batch2.pcap"), b2)
    with open(os.path.join(outdir, "geo1.csv"), "w") as f:
        f.write("start_ip,end_ip,cc\n")
        f.writelines("%s,%s,%s\n" % r for r in GEO1)
    with open(os.path.join(outdir, "geo2.csv"), "w") as f:
        f.writelines("%s,%s,%s\n" % r for r in GEO2)  # no header this time
    with open(os.path.join(outdir, "asn.csv"), "w") as f:
        f.write("start,end,asn,name\n")
        f.writelines("%s,%s,%d,%s\n" % (a, b, n, csv_quote(s)) for a, b, n, s in ASN)
    with open(os.path.join(outdir, "bad.csv"), "w") as f:
        f.write("192.0.2.0,192.0.2.127,JP\n\n192.0.2.128,192.0.2.255,JPN\n")  # line 3
    with open(os.path.join(outdir, "sensors.conf"), "w") as f:
        for name, (sid, v4, v6) in sorted(SENSORS.items()):
            f.write("[sensor %s]\nid = %d\nprefix = %s\nprefix = %s\ncountry = JP\n\n"
                    % (name, sid, v4, v6))
    both = b1 + b2
    vs = views(b1, both)
    # The partial-day checks must be able to tell exact sources from the
    # whole day's: some country has a source on 10-04 outside 06:00-13:00 only.
    inside = {p["src"] for p in b1 if us(0, 6) <= p["ts"] < us(0, 13) and p["sensor"]}
    day0 = {p["src"] for p in b1 if us(0) <= p["ts"] < us(1) and p["sensor"]}
    in_cc = {p["cc"] for p in b1 if p["src"] in inside}
    assert any(p["cc"] in in_cc and p["src"] not in inside for p in b1 if p["src"] in day0)
    exp = {"views": [{"phase": v[0], "name": v[1], "cmd": v[2], "args": v[3], "kind": v[4],
                      "rows": v[5]} for v in vs],
           "ports": {"1": top_ports_expected(b1), "2": top_ports_expected(both)},
           "lookups": lookups(), "names": NAMES,
           "geo1_overlap": {"range": "198.51.100.128-198.51.100.255",
                            "us_line": GEO1_US_LINE, "kr_line": GEO1_KR_LINE},
           "packets": {"1": len(b1), "2": len(b2)}}
    with open(os.path.join(outdir, "expected.json"), "w") as f:
        json.dump(exp, f, indent=1, ensure_ascii=False)
    with open(os.path.join(outdir, "views.txt"), "w") as f:
        for v in vs:
            f.write("%s %s %s %s\n" % (v[0], v[1], v[2], " ".join(v[3])))


def check(outdir, phase, resdir):
    with open(os.path.join(outdir, "expected.json")) as f:
        exp = json.load(f)
    for v in exp["views"]:
        if v["phase"] != phase:
            continue
        what = "%s (%s %s)" % (v["name"], v["cmd"], " ".join(v["args"]))
        try:
            with open(os.path.join(resdir, v["name"] + ".json")) as f:
                got = json.load(f)
        except (OSError, ValueError) as e:
            print("FAIL %s: no JSON output: %s" % (what, e))
            continue
        want = v["rows"]
        if v["kind"] == "series":
            got = sorted(({k: r.get(k) for k in ("time", "group", "packets", "bytes", "sources")}
                          for r in got), key=lambda r: (r["time"], r["group"]))
        report(what + ": rows", len(got), len(want))
        for i, w in enumerate(want):
            g = got[i] if i < len(got) else None
            if g is not None and "share_pct" in w:
                share = g.get("share_pct")
                if isinstance(share, (int, float)) and abs(share - w["share_pct"]) < 0.006:
                    g = dict(g, share_pct=w["share_pct"])
            if g is not None:
                g = {k: g.get(k) for k in w}
            report("%s: row %d" % (what, i + 1), g, w)


def report(what, got, want):
    if got == want:
        print("PASS " + what)
    else:
        print("FAIL %s: got %s, want %s" % (what, json.dumps(got, ensure_ascii=False),
                                            json.dumps(want, ensure_ascii=False)))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "gen":
        gen(sys.argv[2])
    elif len(sys.argv) == 5 and sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
