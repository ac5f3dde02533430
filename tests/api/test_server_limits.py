"""Issue 8, points 9-13: a server no one can tie up, and a data directory no one else can touch.

Raw sockets on 127.0.0.1 against a real `coffer server`. Deadlines are checked with generous
bounds only: a connection must be closed long before the client would stop on its own.
"""
import json
import os
import resource
import select
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
from harness import COFFER, Server, call  # noqa: E402


def sanitized_build():
    try:
        with open(os.path.join(os.path.dirname(COFFER), "CMakeCache.txt")) as f:
            return "CMAKE_BUILD_TYPE:STRING=Asan" in f.read()
    except OSError:
        return False


SANITIZED = sanitized_build()


def connect(server):
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def closed_by_peer(sock, wait):
    """True when the server closes `sock` (EOF or reset) within `wait` seconds."""
    end = time.time() + wait
    while time.time() < end:
        r, _, _ = select.select([sock], [], [], max(0.0, end - time.time()))
        if not r:
            continue
        try:
            if sock.recv(65536) == b"":
                return True
        except (ConnectionResetError, BrokenPipeError):
            return True
    return False


def read_response(sock, head=False):
    """Reads one HTTP/1.1 response with a Content-Length; returns (status, headers, body,
    bytes read past it)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"connection closed mid-response: {data[:200]!r}")
        data += chunk
    head_bytes, rest = data.split(b"\r\n\r\n", 1)
    lines = head_bytes.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
    length = 0 if head else int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return status, headers, rest[:length], rest[length:]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def make_cert(directory, name):
    cert, key = os.path.join(directory, name + ".pem"), os.path.join(directory, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                    "/CN=" + name, "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


def served_cert(server):
    """The DER certificate a new TLS connection is given."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with ctx.wrap_socket(connect(server)) as s:
        return s.getpeercert(binary_form=True)


def text(path):
    with open(path) as f:
        return f.read()


def der(cert_path):
    with open(cert_path) as f:
        return ssl.PEM_cert_to_DER_cert(f.read())


class ConnectionCap(unittest.TestCase):
    def test_connections_past_the_cap_are_closed_at_once_and_the_server_still_serves(self):
        with Server(extra_args=["--max-connections", "8"]) as s:
            held = [connect(s) for _ in range(8)]
            # Accepted and counted before the next ones arrive (the backlog is in order).
            held[0].sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual(read_response(held[0])[0], 200)
            start = time.time()
            extra = [connect(s) for _ in range(40)]
            for i, sock in enumerate(extra):
                self.assertTrue(closed_by_peer(sock, 10), f"connection {9 + i} was left open")
            elapsed = time.time() - start
            # The ones inside the cap still work.
            held[7].sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual(read_response(held[7])[0], 200)
            for sock in held + extra:
                sock.close()
            # Once they are gone, new connections are served again.
            end, status = time.time() + 10, None
            while time.time() < end and status != 200:
                try:
                    status = call(s.url, "GET", "/healthz").status
                except OSError:
                    time.sleep(0.1)
            self.assertEqual(status, 200)
            warnings = [l for l in s.stderr().splitlines() if "--max-connections" in l]
            self.assertGreaterEqual(len(warnings), 1)
            self.assertLessEqual(len(warnings), int(elapsed) + 2, warnings)  # one a second

    # UBSan's vptr check (make asan) probes memory through a pipe(): with no descriptor
    # left the probe fails and it reports a valid object as invalid, then aborts.
    @unittest.skipIf(SANITIZED, "the sanitizers need file descriptors of their own")
    def test_out_of_file_descriptors_backs_off_instead_of_spinning(self):
        def few_fds():
            resource.setrlimit(resource.RLIMIT_NOFILE, (48, 48))
        with Server(preexec_fn=few_fds) as s:
            socks = []
            try:
                for _ in range(80):
                    socks.append(connect(s))
                time.sleep(0.5)  # the server now fails to accept: EMFILE
                before, t0 = cpu_seconds(s.proc.pid), time.time()
                time.sleep(2)
                used, wall = cpu_seconds(s.proc.pid) - before, time.time() - t0
                # A tight accept loop would burn a whole core for the whole time.
                self.assertLess(used, wall / 2, f"{used:.2f} s of CPU in {wall:.2f} s")
                self.assertIn("cannot accept connections", s.stderr())
                self.assertEqual(s.proc.poll(), None)
            finally:
                for sock in socks:
                    sock.close()
            end, status = time.time() + 15, None
            while time.time() < end and status != 200:
                try:
                    status = call(s.url, "GET", "/healthz").status
                except OSError:
                    time.sleep(0.2)
            self.assertEqual(status, 200)
            lines = [l for l in s.stderr().splitlines() if "cannot accept connections" in l]
            self.assertLessEqual(len(lines), 30, lines[:3])


class Deadlines(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(extra_args=["--request-timeout", "2", "--idle-timeout", "1"])

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def trickle_is_cut_off(self, start, byte=b"x"):
        sock = connect(self.server)
        sock.sendall(start)
        begin = time.time()
        try:
            # Without one deadline per request this would go on for 30 s (a byte every 0.5 s,
            # well inside any per-read timeout).
            for _ in range(60):
                if closed_by_peer(sock, 0.5):
                    return time.time() - begin
                try:
                    sock.sendall(byte)
                except (BrokenPipeError, ConnectionResetError):
                    return time.time() - begin
            self.fail("the trickling client was never cut off")
        finally:
            sock.close()

    def test_trickled_headers_are_cut_off_at_the_request_deadline(self):
        took = self.trickle_is_cut_off(b"GET /healthz HTTP/1.1\r\nX-Slow: ")
        self.assertLess(took, 20)

    def test_trickled_body_is_cut_off_at_the_request_deadline(self):
        took = self.trickle_is_cut_off(
            b"POST /api/v1beta/secrets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100000\r\n\r\n{", byte=b" ")
        self.assertLess(took, 20)

    def test_trickle_after_a_413_is_cut_off_at_the_same_deadline(self):
        sock = connect(self.server)
        try:
            sock.sendall(b"POST /api/v1beta/secrets HTTP/1.1\r\nHost: x\r\n"
                         b"Content-Length: 99999999\r\n\r\n")
            status, _, _, _ = read_response(sock)
            self.assertEqual(status, 413)
            for _ in range(60):  # the drain reads on, but only until the request's deadline
                try:
                    sock.sendall(b"x")
                except (BrokenPipeError, ConnectionResetError):
                    break
                if closed_by_peer(sock, 0.5):
                    break
            else:
                self.fail("the drain after a 413 was never cut off")
        finally:
            sock.close()

    def test_a_keep_alive_connection_left_idle_is_closed(self):
        sock = connect(self.server)
        try:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            status, headers, _, _ = read_response(sock)
            self.assertEqual(status, 200)
            self.assertNotEqual(headers.get("connection"), "close")
            self.assertTrue(closed_by_peer(sock, 20), "the idle connection stayed open")
        finally:
            sock.close()

    def test_a_request_that_arrives_whole_is_answered(self):
        sock = connect(self.server)
        try:
            for _ in range(3):  # keep-alive: three in a row on one connection
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                self.assertEqual(read_response(sock)[0], 200)
        finally:
            sock.close()

    def test_pipelined_requests_on_io_and_worker_threads_are_answered_in_order(self):
        # /healthz is answered on the I/O thread, the others on a worker: sent in one
        # write, the answers still come back one per request, in the order asked.
        token = self.server.token
        reqs = [b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: r1\r\n\r\n",
                b"GET /api/v1beta/secrets HTTP/1.1\r\nHost: x\r\nX-Request-Id: r2\r\n"
                b"Authorization: Token " + token.encode() + b"\r\n\r\n",
                b"HEAD /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: r3\r\n\r\n",
                b"GET /healthz?x=1 HTTP/1.1\r\nHost: x\r\nX-Request-Id: r4\r\n\r\n",
                b"GET /api/v1beta/secrets HTTP/1.1\r\nHost: x\r\nX-Request-Id: r5\r\n\r\n",
                b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: r6\r\n\r\n"]
        sock = connect(self.server)
        try:
            sock.sendall(b"".join(reqs))
            rest = b""
            seen = []
            for i in range(len(reqs)):
                data = rest
                while b"\r\n\r\n" not in data:
                    chunk = sock.recv(65536)
                    self.assertTrue(chunk, f"closed after {seen}")
                    data += chunk
                head, rest = data.split(b"\r\n\r\n", 1)
                lines = head.decode().split("\r\n")
                fields = {k.lower(): v.strip() for k, v in
                          (l.split(":", 1) for l in lines[1:])}
                length = 0 if i == 2 else int(fields["content-length"])  # HEAD: no body
                while len(rest) < length:
                    rest += sock.recv(65536)
                rest = rest[length:]
                seen.append((fields["x-request-id"], int(lines[0].split()[1])))
            self.assertEqual(seen, [("r1", 200), ("r2", 200), ("r3", 200), ("r4", 200),
                                    ("r5", 401), ("r6", 200)])
        finally:
            sock.close()


class Head(unittest.TestCase):
    def test_head_answers_carry_no_body(self):
        with Server() as s:
            for path in ("/healthz", "/api/v1beta/secrets", "/nope"):
                with self.subTest(path=path):
                    sock = connect(s)
                    try:
                        # HEAD then GET, pipelined: the GET's answer must follow the HEAD's
                        # headers at once, with no body bytes between them.
                        sock.sendall(f"HEAD {path} HTTP/1.1\r\nHost: x\r\n\r\n"
                                     f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                        status, headers, _, rest = read_response(sock, head=True)
                        self.assertTrue(rest == b"" or rest.startswith(b"HTTP/1.1 "), rest[:80])
                        more = rest
                        while b"\r\n\r\n" not in more:
                            more += sock.recv(65536)
                        self.assertTrue(more.startswith(b"HTTP/1.1 "), more[:80])
                        get_head, get_body = more.split(b"\r\n\r\n", 1)
                        get_len = [l for l in get_head.decode().split("\r\n")
                                   if l.lower().startswith("content-length:")]
                        if "content-length" in headers:
                            self.assertEqual(headers["content-length"],
                                             get_len[0].split(":")[1].strip())
                    finally:
                        sock.close()


class ChunkedBodies(unittest.TestCase):
    def test_a_chunked_body_is_read_whole_and_one_over_the_limit_is_a_413(self):
        # Chunked bodies grow as they arrive (into memory wiped on every regrowth).
        with Server() as s:
            body = json.dumps({"metadata": {"name": "chunked"},
                               "data": {"env_vars": [{"name": "A", "value": "c" * 300000}]}})
            chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 7000]), body[i:i + 7000].encode())
                              for i in range(0, len(body), 7000))
            sock = connect(s)
            try:
                sock.sendall(b"POST /api/v1beta/secrets HTTP/1.1\r\nHost: x\r\n"
                             b"Authorization: Token " + s.token.encode() + b"\r\n"
                             b"Content-Type: application/json\r\n"
                             b"Transfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n")
                status, _, reply, _ = read_response(sock)
                self.assertEqual(status, 200, reply[:200])
            finally:
                sock.close()
            self.assertEqual(call(s.url, "GET", "/api/v1beta/secrets/chunked", s.token).status, 200)
            sock = connect(s)
            try:
                sock.sendall(b"POST /api/v1beta/secrets HTTP/1.1\r\nHost: x\r\n"
                             b"Transfer-Encoding: chunked\r\n\r\n")
                chunk = b"x" * (1 << 20)
                try:
                    for _ in range(9):
                        sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.assertEqual(read_response(sock)[0], 413)
            finally:
                sock.close()


class Signals(unittest.TestCase):
    def test_sigterm_answers_the_slow_request_in_flight_then_exits_0(self):
        data = tempfile.mkdtemp(prefix="coffer-limits-")
        s = Server(data_dir=data)
        try:
            idle = connect(s)
            idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual(read_response(idle)[0], 200)
            body = json.dumps({"metadata": {"name": "inflight"},
                               "data": {"env_vars": [{"name": "A", "value": "v" * 1000}]}})
            body = (body + " " * (200000 - len(body))).encode()
            slow = connect(s)
            slow.sendall(b"POST /api/v1beta/secrets HTTP/1.1\r\nHost: x\r\n"
                         b"Authorization: Token " + s.token.encode() + b"\r\n"
                         b"Content-Type: application/json\r\n"
                         b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n")
            slow.sendall(body[:1000])
            time.sleep(0.3)
            s.proc.send_signal(signal.SIGTERM)
            # It stops accepting at once, and closes the idle keep-alive connection...
            end, refused = time.time() + 10, False
            while time.time() < end and not refused:
                try:
                    socket.create_connection(("127.0.0.1", s.port), timeout=2).close()
                    time.sleep(0.05)
                except (ConnectionRefusedError, ConnectionResetError):
                    # Refused, or reset when the listener closed with this connection still
                    # queued on it: either way the server no longer accepts.
                    refused = True
            self.assertTrue(refused, "still accepting after SIGTERM")
            self.assertTrue(closed_by_peer(idle, 10), "the idle connection was kept")
            idle.close()
            # ...but reads the rest of the request in flight, commits it and answers it.
            for i in range(1000, len(body), 20000):
                slow.sendall(body[i:i + 20000])
                time.sleep(0.05)
            status, headers, reply, _ = read_response(slow)
            self.assertEqual(status, 200, reply[:200])
            self.assertEqual(headers.get("connection"), "close")
            slow.close()
            self.assertEqual(s.proc.wait(timeout=20), 0)
        finally:
            s.cleanup()
        with Server(data_dir=data) as again:
            r = call(again.url, "GET", "/api/v1beta/secrets/inflight", s.token)
            self.assertEqual(r.status, 200, r)
        subprocess.run(["rm", "-rf", data])

    def test_sighup_keeps_serving_and_new_connections_get_the_replaced_certificate(self):
        d = tempfile.mkdtemp(prefix="coffer-tls-")
        cert_a, key_a = make_cert(d, "a")
        cert_b, key_b = make_cert(d, "b")
        cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
        os.rename(cert_a, cert)
        os.rename(key_a, key)
        log = os.path.join(d, "coffer.log")
        try:
            with Server(extra_args=["--tls-cert", cert, "--tls-key", key,
                                    "--log-file", log]) as s:
                a = der(cert)
                self.assertEqual(served_cert(s), a)
                os.rename(cert_b, cert)
                os.rename(key_b, key)
                os.rename(log, log + ".1")  # as logrotate does
                s.proc.send_signal(signal.SIGHUP)
                end = time.time() + 10
                while time.time() < end and served_cert(s) == a:
                    time.sleep(0.1)
                self.assertEqual(served_cert(s), der(cert))
                self.assertIsNone(s.proc.poll())
                # The log was reopened: the new file gets the new lines.
                ctx = ssl.create_default_context(cafile=cert)
                self.assertEqual(call(s.url, "GET", "/healthz", context=ctx).status, 200)
                self.assertTrue(os.path.exists(log))
                end = time.time() + 10
                while time.time() < end and "/healthz" not in text(log):
                    time.sleep(0.1)
                self.assertIn("/healthz", text(log))
                # A certificate that does not load is refused; the one in use stays.
                b = der(cert)
                with open(cert, "w") as f:
                    f.write("not a certificate\n")
                s.proc.send_signal(signal.SIGHUP)
                end = time.time() + 10
                while time.time() < end and "still serving" not in text(log):
                    time.sleep(0.1)
                self.assertIn("still serving the certificate loaded before", text(log))
                self.assertEqual(served_cert(s), b)
                self.assertIsNone(s.proc.poll())
        finally:
            subprocess.run(["rm", "-rf", d])


class DataDirectory(unittest.TestCase):
    def test_database_files_are_created_0600_whatever_the_umask(self):
        def open_umask():
            os.umask(0)
        with Server(preexec_fn=open_umask) as s:
            r = call(s.url, "POST", "/api/v1beta/secrets", s.token,
                     {"metadata": {"name": "m"}, "data": {"env_vars": [{"name": "A", "value": "aaaa"}]}})
            self.assertEqual(r.status, 200, r)
            for name in ("coffer.db", "coffer.db-wal", "coffer.db-shm"):
                with self.subTest(name=name):
                    mode = os.stat(os.path.join(s.data_dir, name)).st_mode & 0o777
                    self.assertEqual(mode, 0o600, oct(mode))
            self.assertEqual(os.stat(s.data_dir).st_mode & 0o777, 0o700)

    def refused(self, data):
        r = subprocess.run([COFFER, "server", "--data-dir", data, "--listen", "127.0.0.1:0"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")
        lines = r.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertFalse(os.path.exists(os.path.join(data, "coffer.db")))
        return lines[0]

    def test_refuses_to_start_on_a_data_dir_writable_by_others(self):
        for mode in (0o777, 0o770, 0o702):
            with self.subTest(mode=oct(mode)), tempfile.TemporaryDirectory() as d:
                os.chmod(d, mode)
                self.assertIn("writable by group or others", self.refused(d))

    def test_refuses_to_start_on_a_data_dir_owned_by_another_user(self):
        with tempfile.TemporaryDirectory() as d:
            os.chown(d, 65534, 65534)  # nobody
            self.assertIn("is owned by uid 65534", self.refused(d))


if __name__ == "__main__":
    unittest.main()
