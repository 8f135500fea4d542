# The tutorial's client6.py, from «25.Python 网络编程：TCP和UDP编程» (Alibaba
# Cloud developer community), example 5: unchanged but for the port, which the
# test passes as the first argument, and a timeout so a lost reply fails the
# test instead of hanging it. The test types n on stdin, as a person would.
import socket
import sys

port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM) # 创建套接字
s.settimeout(5)
data = int(input('请输入一个大于1的整数:'))
s.sendto(str(data).encode(),('127.0.0.1',port)) # 发送
print('计算结果:',s.recv(1024).decode('utf-8')) # 接收
s.close() # 关闭
