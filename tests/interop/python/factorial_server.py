# The tutorial's server6.py, from «25.Python 网络编程：TCP和UDP编程» (Alibaba
# Cloud developer community), example 5: unchanged but for the port: the test
# passes 0, and the script prints the port the kernel gave it.
import socket
import sys

def f(n): # 定义阶乘函数
    j = 1
    for i in range(1,n+1):
        j = j*i
    return j

s = socket.socket(socket.AF_INET,socket.SOCK_DGRAM) # 创建UDP套接字
s.bind(('127.0.0.1',int(sys.argv[1]))) # 绑定地址到套接字
print(s.getsockname()[1], flush=True)
data,addr = s.recvfrom(1024) # 接收
data = f(int(data))  # 调用阶乘函数,计算阶乘结果
send_data = str(data) # 把数字转换为字符串
print(data,addr) # 打印客户消息
s.sendto(send_data.encode(),addr) # 发送客户端
s.close() # 关闭
