# A Python client for lesson 05's framed server, written the way the
# tutorials write clients, plus the framing they leave out: each message goes
# out as a 4-byte big-endian length (struct.pack('!I', n)) and its bytes, and
# each reply is read the same way, however the stream is cut. The test passes
# the port, then the messages; the client prints one upper-cased reply a line.
import socket
import struct
import sys


def recv_exactly(s, n):
    # recv(n) may return fewer bytes than asked for (半包): loop until n.
    data = b''
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise EOFError('the server closed the connection mid-frame')
        data += chunk
    return data


port = int(sys.argv[1])
messages = sys.argv[2:]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(5)  # a missing reply fails the test instead of hanging it
# 建立连接:
s.connect(('127.0.0.1', port))
# All frames back to back, in one sendall: they arrive stuck together (粘包),
# and the length prefixes are how the server tells them apart.
s.sendall(b''.join(struct.pack('!I', len(m.encode('utf-8'))) + m.encode('utf-8')
                   for m in messages))
s.shutdown(socket.SHUT_WR)  # no more frames
for _ in messages:
    (n,) = struct.unpack('!I', recv_exactly(s, 4))
    print(recv_exactly(s, n).decode('utf-8'))
# After the last reply, the server closes its side too.
assert s.recv(1) == b'', 'expected the end of the stream after the last reply'
s.close()
