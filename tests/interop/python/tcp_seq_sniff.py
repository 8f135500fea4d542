# Watches the loopback interface for TCP segments whose payload is exactly one
# of the messages given as arguments, and prints one line per segment:
#   <source port> <destination port> <sequence number> <payload length> <payload>
# Lesson 05 teaches that TCP numbers bytes, not packets (RFC 9293 section 3.4);
# this shows the numbers on the wire. It needs a packet socket (root or
# CAP_NET_RAW, Linux only). It prints "ready" once it is listening, and stops
# when its stdin closes, after the segments already queued.
import select
import socket
import struct
import sys

ETH_P_ALL = 3
SO_RCVBUFFORCE = 33
wanted = {m.encode('utf-8') for m in sys.argv[1:]}

sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
try:
    sniff.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 64 << 20)  # other tests talk on lo too
except OSError:
    pass
sniff.bind(('lo', 0))
print('ready', flush=True)

stopping = False  # stdin closed: read the packets already queued, then stop
while True:
    watched = [sniff] if stopping else [sniff, sys.stdin]
    readable, _, _ = select.select(watched, [], [], 0 if stopping else 10)
    if not readable:
        break
    if sys.stdin in readable:
        stopping = True
        continue
    packet, addr = sniff.recvfrom(65535)
    if addr[2] == socket.PACKET_OUTGOING:
        continue  # on lo every packet is seen twice: going out and coming in
    ip = packet[14:]  # after the (fake) Ethernet header
    if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != socket.IPPROTO_TCP:
        continue
    ip_header = (ip[0] & 0x0f) * 4
    total = struct.unpack('!H', ip[2:4])[0]
    tcp = ip[ip_header:total]
    sport, dport, seq = struct.unpack('!HHI', tcp[:8])
    payload = tcp[(tcp[12] >> 4) * 4:]
    if payload in wanted:
        print(sport, dport, seq, len(payload), payload.decode('utf-8'), flush=True)
