#!/usr/bin/env python3
"""A loopback HTTP server that misbehaves on purpose, for the remote cache's failure tests.

Usage: misbehaving_server.py PORT MODE
  stall       answer 200 with Content-Length 1000000, send 1000 bytes, then send nothing for 120 s
  trickle     answer 200 with Content-Length 1000000, then send one byte every 0.2 s
  paced       answer 200 with 1000000 bytes of "x", sent in 20 pieces 0.1 s apart (a healthy store
              on a slow link: never idle for long, 2 s in all)
  status:NNN  answer every request with status NNN and a short body
  slowput:FILE  take every PUT (201), reading its body 64 KiB every 5 ms; append "head" to FILE when
              a request's head has arrived and "done" when its body has
  record:FILE take every PUT (201), answer anything else 404, and append a line to FILE for each
              request: the method, the path, the bytes of its head (request line to blank line
              included), of its body, and the names of its headers
Each connection is served on its own thread; the process runs until it is killed (and at most 300 s).
"""
import socket, sys, threading, time

port, mode = int(sys.argv[1]), sys.argv[2]


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    if mode.startswith("slowput:"):
        with open(mode[len("slowput:"):], "a") as log:
            log.write("head\n")
    length = 0
    names = []
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        names.append(name.strip().decode())
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    rest = bytearray(rest)
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        rest += chunk
        if mode.startswith("slowput:"):
            time.sleep(0.005)
    if mode.startswith("slowput:"):
        with open(mode[len("slowput:"):], "a") as log:
            log.write("done\n")
    method, path = head.split(b" ")[:2]
    if mode.startswith("record:"):
        with open(mode[len("record:"):], "a") as log:
            log.write(f"{method.decode()} {path.decode()} {len(head) + 4} {len(rest)} {','.join(names)}\n")
    return method


def serve(conn):
    try:
        while True:
            method = read_request(conn)
            if method is None:
                return
            if mode.startswith("record:") or mode.startswith("slowput:"):
                status = b"201 Created" if method == b"PUT" else b"404 Not Found"
                conn.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Length: 0\r\n\r\n")
                continue
            if mode.startswith("status:"):
                code = int(mode.split(":")[1])
                body = b"" if method == b"HEAD" else b"<Error><Code>Scripted</Code><Message>scripted failure</Message></Error>"
                conn.sendall(b"HTTP/1.1 %d Scripted\r\nContent-Length: %d\r\n\r\n" % (code, len(body)) + body)
                continue
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")
            if mode == "stall":
                conn.sendall(b"x" * 1000)
                time.sleep(120)
            elif mode == "paced":
                for _ in range(20):
                    conn.sendall(b"x" * 50000)
                    time.sleep(0.1)
                continue
            else:
                for _ in range(1500):
                    conn.sendall(b"x")
                    time.sleep(0.2)
            return
    except OSError:
        pass
    finally:
        conn.close()


listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", port))
listener.listen(64)
threading.Timer(300, lambda: __import__("os")._exit(0)).start()
while True:
    connection, _ = listener.accept()
    threading.Thread(target=serve, args=(connection,), daemon=True).start()
