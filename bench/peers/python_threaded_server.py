"""The tutorial's thread-per-client TCP server (seed 003), as a benchmark peer.

    python3 bench/peers/python_threaded_server.py PORT [HOST]

The tutorial's code with three changes, all so the comparison is fair:
- no `time.sleep(1)` after each read (the tutorial's demo of slowness);
- `listen(511)` instead of `listen(5)`: Deno and Node both use 511, and with
  a backlog of 5, 1,000 clients connecting at once would overflow the accept
  queue and wait out SYN retransmits (1 s, 3 s...), measuring the backlog, not
  the threads;
- the open-file limit is raised to its hard maximum (Deno and Node do this
  themselves at start-up; Python does not), so 1,000 clients fit.
Threads are daemons so that SIGTERM/SIGINT end the process at once.
"""

import resource
import socket
import sys
import threading


def raise_open_file_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def tcplink(sock, addr):
    print('Accept new connection from %s:%s...' % addr)
    try:
        sock.send(b'Welcome!')
        while True:
            data = sock.recv(1024)
            if not data or data.decode('utf-8') == 'exit':
                break
            sock.send(('Hello, %s!' % data.decode('utf-8')).encode('utf-8'))
    except (OSError, UnicodeDecodeError) as err:
        print('Connection from %s:%s failed: %s' % (addr[0], addr[1], err))
    sock.close()
    print('Connection from %s:%s closed.' % addr)


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9999
    host = sys.argv[2] if len(sys.argv) > 2 else '127.0.0.1'
    raise_open_file_limit()
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((host, port))
    s.listen(511)
    print('Listening on %s:%s. Waiting for connection...' % s.getsockname(), flush=True)
    while True:
        sock, addr = s.accept()
        t = threading.Thread(target=tcplink, args=(sock, addr), daemon=True)
        t.start()


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        pass
