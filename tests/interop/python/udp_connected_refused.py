# What a UDP client hears when nothing listens on the port it sends to. The
# kernel answers with an ICMP "port unreachable"; Linux reports it only to a
# *connected* UDP socket. Prints one line per socket.
import socket
import sys

port = int(sys.argv[1])  # a port nothing listens on

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
s.sendto(b'Michael', ('127.0.0.1', port))
try:
    s.recvfrom(1024)
    print('unconnected: a reply?')
except Exception as e:
    print('unconnected:', type(e).__name__)

c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.settimeout(0.5)
c.connect(('127.0.0.1', port))
c.send(b'Michael')
try:
    c.recv(1024)
    print('connected: a reply?')
except Exception as e:
    print('connected:', type(e).__name__)
