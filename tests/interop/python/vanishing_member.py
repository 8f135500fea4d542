# A chat member whose socket vanishes without a word: no FIN, no RST, as if
# its machine lost power. TCP_REPAIR (Linux, needs CAP_NET_ADMIN) makes
# close() drop the socket silently. Prints the member's local port, then
# "vanished". With "probe" as the only argument: exits 0 if TCP_REPAIR is
# allowed here, 77 if not.
import socket
import sys

TCP_REPAIR = 19

if sys.argv[1] == "probe":
    listener = socket.create_server(("127.0.0.1", 0))
    s = socket.create_connection(listener.getsockname())
    try:
        s.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR, 1)
    except OSError:
        sys.exit(77)
    s.close()
    sys.exit(0)

port, name = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port))
s.sendall(name.encode() + b"\n")
welcome = b""
while not welcome.endswith(b"\n"):
    welcome += s.recv(1024)
print(s.getsockname()[1], flush=True)
s.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR, 1)
s.close()  # in repair mode: the socket is gone, and nothing is sent
print("vanished", flush=True)
