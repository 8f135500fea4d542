// The page lesson 02 serves (lessons/02_hello_http.ts `PAGE`), for the HTTP peers.
export const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>客户端请求</title></head>
<body><h1>Hello World</h1><p>这一页来自一个原始的 TCP 套接字。</p></body></html>
`;
