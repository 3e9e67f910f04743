#!/usr/bin/python3
"""Varied lab traffic for `make run`: run inside the lab namespace, writes exact frames
to an interface with an AF_PACKET socket (IPv4/IPv6, TCP with SYN..FIN, UDP, ICMP, ICMPv6).

usage: lab-traffic.py IFNAME DST_MAC [PPS]
Destinations are documentation addresses the host does not own, so the host stays silent.
"""
import random
import socket
import struct
import sys
import time


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, tos=0):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(payload), random.getrandbits(16),
                      0, 64, proto, 0, socket.inet_aton(src), socket.inet_aton(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def ipv6(src, dst, nh, payload):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nh, 64,
                       socket.inet_pton(socket.AF_INET6, src),
                       socket.inet_pton(socket.AF_INET6, dst)) + payload


def tcp(sport, dport, flags, size):
    return struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, flags, 65535, 0, 0) + bytes(size)


def udp(sport, dport, size):
    return struct.pack("!HHHH", sport, dport, 8 + size, 0) + bytes(size)


def icmp(typ, code, size):
    return struct.pack("!BBHHH", typ, code, 0, 1, 1) + bytes(size)


def main():
    ifname, dst_mac = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", ""))
    pps = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    src_mac = s.getsockname()[4]
    eth4 = dst_mac + src_mac + b"\x08\x00"
    eth6 = dst_mac + src_mac + b"\x86\xdd"
    clients = ["198.51.100.%d" % i for i in range(10, 20)]
    servers = ["203.0.113.%d" % i for i in range(1, 8)]
    tcp_flows = {}
    n = 0
    while True:
        r = random.random()
        c, sv = random.choice(clients), random.choice(servers)
        if r < 0.45:  # TCP conversations: SYN, data, FIN
            key = (c, sv, random.choice([80, 443, 22]))
            sport = tcp_flows.get(key)
            if sport is None:
                sport = tcp_flows[key] = random.randint(32768, 60999)
                frame = eth4 + ipv4(c, sv, 6, tcp(sport, key[2], 0x02, 0))
            elif random.random() < 0.05:
                frame = eth4 + ipv4(c, sv, 6, tcp(sport, key[2], 0x11, 0))
                del tcp_flows[key]
            else:
                frame = eth4 + ipv4(c, sv, 6, tcp(sport, key[2], 0x18, random.randint(0, 1400)), tos=0x10)
        elif r < 0.75:
            frame = eth4 + ipv4(c, sv, 17, udp(random.choice([5353, 40000, 51000]), random.choice([53, 123, 443]),
                                              random.randint(20, 1200)))
        elif r < 0.85:
            frame = eth4 + ipv4(c, sv, 1, icmp(8, 0, 56))
        elif r < 0.95:
            frame = eth6 + ipv6("2001:db8:1::%x" % random.randint(1, 9), "2001:db8:2::%x" % random.randint(1, 5),
                                17, udp(random.randint(1024, 1100), 443, random.randint(20, 1200)))
        else:
            frame = eth6 + ipv6("2001:db8:1::1", "2001:db8:2::1", 58, icmp(128, 0, 56))
        s.send(frame)
        n += 1
        time.sleep(1.0 / pps)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
