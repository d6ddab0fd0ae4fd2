"""Outages: a TCP forwarder between the servers and PostgreSQL or Redis that a test
can cut, as when a service fails or the network does, and restore; and a server that
accepts connections and never answers, as a cache that hangs."""

from __future__ import annotations

import contextlib
import socket
import threading

from tests.integration.machine import HOST, free_port


class Forwarder:
    """Forwards 127.0.0.1:<port> to a target port; ``cut()`` refuses new connections
    and drops the open ones, as a failed server or network would; ``restore()`` listens
    again on the same port."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.port = free_port()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.restore()

    def restore(self) -> None:
        """Listen on the forwarder's port again, forwarding each new connection."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, self.port))
        listener.listen(64)
        listener.settimeout(0.1)  # so that the accepting thread notices cut()
        self._listener = listener
        self._thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._thread.start()

    def _accept(self, listener: socket.socket) -> None:
        """Take connections on ``listener`` until it is cut, each piped both ways."""
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            try:
                upstream = socket.create_connection((HOST, self.target), timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)  # an idle connection stays open, as without it
            with self._lock:
                self._sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        """Copy ``source`` to ``sink`` until either ends, then close both."""
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                self._close(sock)

    def _close(self, sock: socket.socket) -> None:
        """Shut ``sock`` down both ways and close it."""
        with self._lock:
            self._sockets.discard(sock)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def cut(self) -> None:
        """Stop listening and drop every open connection."""
        listener, self._listener = self._listener, None
        if self._thread is not None:
            self._thread.join(timeout=5)
        if listener is not None:
            listener.close()
        with self._lock:
            open_sockets = list(self._sockets)
        for sock in open_sockets:
            # Both directions end at once, as when the server process dies.
            self._close(sock)


class HangingServer:
    """Listens on 127.0.0.1:<port>, accepts every connection and never answers: a cache
    server that hangs (stopped, swapping, its network black-holing replies). Connections
    stay open until :meth:`stop`, so a client waits for its own timeout."""

    def __init__(self) -> None:
        self.port = free_port()
        self.accepted = 0
        self._connections: list[socket.socket] = []
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((HOST, self.port))
        self._listener.listen(64)
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        """Take every connection and keep it, unread, until stopped."""
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return  # stopped
            self._connections.append(connection)
            self.accepted += 1

    def stop(self) -> None:
        """Stop listening and close every connection it holds."""
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._thread.join(timeout=5)
        for connection in self._connections:
            connection.close()
