"""A real SMTP server on loopback (Debian's python3-aiosmtpd) that keeps what it accepts.

A message counts as delivered only once the server could answer 250 to it: a client that went
away while the server held its message (hold_at) delivered nothing, as RFC 5321 has it (the
server takes responsibility when it replies). Messages are parsed with Python's `email`
package (policy=default)."""
import asyncio
import email
import email.policy
import threading
import time

from aiosmtpd.controller import Controller

import harness


class SmtpSink:
    def __init__(self, refuse=(), keep=True):
        """refuse: recipient addresses answered 550 (a mailbox that does not exist).
        keep: False to only count what is accepted (a benchmark's 100,000 mails)."""
        self.keep = keep
        self.accepted = 0
        self.lock = threading.Lock()
        self.messages = []      # (envelope recipients, parsed message), in order
        self.raw = []
        self.refuse = set(refuse)
        self.hold = None        # hold the message number N (1-based) until released or dropped
        self.holding = threading.Event()
        self.released = threading.Event()
        self.seen = 0
        self.port = harness.free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.seen += 1
            number = self.seen
        if self.hold == number:
            self.holding.set()
            while not self.released.is_set():
                if server.transport is None or server.transport.is_closing():
                    return "451 4.3.0 the client went away"
                await asyncio.sleep(0.02)
        if server.transport is None or server.transport.is_closing():
            return "451 4.3.0 the client went away"
        if not self.keep:
            with self.lock:
                self.accepted += 1
            return "250 2.0.0 accepted"
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), msg))
            self.raw.append(envelope.content)
            self.accepted += 1
        return "250 2.0.0 accepted"

    def count(self):
        with self.lock:
            return len(self.messages)

    def to(self, address):
        with self.lock:
            return [m for rcpt, m in self.messages if address in rcpt]

    def wait(self, n, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.count() >= n:
                return
            time.sleep(0.05)
        raise AssertionError("expected %d mails, got %d in %d s" % (n, self.count(), timeout))

    def wait_to(self, address, n=1, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.to(address)
            if len(got) >= n:
                return got
            time.sleep(0.05)
        raise AssertionError("expected %d mails to %s, got %d" % (n, address, len(self.to(address))))

    def close(self):
        self.released.set()
        self.controller.stop()


def main():
    """Script mode, for tests in other languages (the browser tests): serves until killed,
    writing each message it accepts as DIR/NNN.eml and its decoded text part as DIR/NNN.txt,
    and the port it listens on to DIR/port once it does."""
    import argparse
    import os
    import signal

    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--count-only", action="store_true",
                        help="keep nothing: write the number accepted to DIR/count")
    args = parser.parse_args()
    sink = SmtpSink(keep=not args.count_only)
    written = 0
    with open(os.path.join(args.dir, "port.tmp"), "w") as f:
        f.write(str(sink.port))
    os.rename(os.path.join(args.dir, "port.tmp"), os.path.join(args.dir, "port"))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.is_set():
            with sink.lock:
                pending = list(zip(sink.raw[written:], sink.messages[written:]))
            for raw, (_, msg) in pending:
                written += 1
                base = os.path.join(args.dir, "%03d" % written)
                with open(base + ".eml.tmp", "wb") as f:
                    f.write(raw)
                with open(base + ".txt.tmp", "w") as f:
                    f.write("Subject: %s\nTo: %s\n\n%s" % (
                        msg["Subject"], msg["To"], msg.get_body(("plain",)).get_content()))
                os.rename(base + ".eml.tmp", base + ".eml")
                os.rename(base + ".txt.tmp", base + ".txt")
            with open(os.path.join(args.dir, "count.tmp"), "w") as f:
                f.write(str(sink.accepted))
            os.rename(os.path.join(args.dir, "count.tmp"), os.path.join(args.dir, "count"))
            stop.wait(0.05)
    finally:
        sink.close()


if __name__ == "__main__":
    main()
