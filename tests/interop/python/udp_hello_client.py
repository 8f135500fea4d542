# The tutorial's UDP client, from Liao Xuefeng's «UDP编程» (reposted in
# 呆贝斯's «Socket网络编程学习笔记»): unchanged but for the port, which the test
# passes as the first argument, and a timeout so a lost reply fails the test
# instead of hanging it.
import socket
import sys

port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
for data in [b'Michael', b'Tracy', b'Sarah']:
    # 发送数据:
    s.sendto(data, ('127.0.0.1', port))
    # 接收数据:
    print(s.recv(1024).decode('utf-8'))
s.close()
