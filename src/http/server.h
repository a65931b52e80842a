// The HTTP/1.1 server: Boost.Beast's parser with C++20 coroutines, one event loop per I/O
// thread (a connection lives on one thread: no strands, and requests take no lock; only
// opening and closing a live-update stream does, to count streams per address and in
// total). It reads, dispatches to one handler, writes the response head it formats (or the
// one a cached Body prepared) and the body in one gather write, and applies limits and
// timeouts; it knows nothing of what it serves. Boost headers stay in server.cc.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "core/status.h"
#include "http/message.h"

namespace vigie::http {

struct ServerOptions {
  std::string address = "127.0.0.1";       // listen address (IPv4 or IPv6)
  uint16_t port = 8080;                    // 0 picks a free port
  int threads = 2;                         // I/O threads; each runs non-blocking handlers
  int workers = 2;                         // threads for blocking handlers (writes, logins)
  size_t header_limit = 16 * 1024;         // larger request headers get 431
  size_t body_limit = 1024 * 1024;         // larger request bodies get 413
  std::chrono::seconds read_timeout{10};   // to read a whole request once it has begun
  std::chrono::seconds idle_timeout{60};   // keep-alive wait for the next request
  int max_connections = 20000;             // beyond, new connections get 503 and are closed
  std::chrono::seconds drain_timeout{10};  // on SIGTERM, how long requests in flight may finish
  int max_streams = 5000;                  // open event streams at most, in total
  int max_streams_per_address = 32;        // and from one address (an office's NAT)
};

class Server {
 public:
  using Handler = std::function<Response(Request&)>;
  // True for the requests whose handler may block (database writes, password hashing):
  // those run on a small worker pool, never on an I/O thread, so that a write never stalls
  // the connections that thread serves. It may remember what it found in the request (the
  // route it matched) for the handler.
  using Blocking = std::function<bool(Request&)>;

  // Told of each answered request, on its I/O thread (`thread`: 0 .. threads-1), once the
  // answer is written: its status, body bytes and time from the request read to the answer
  // written. Not of event streams. It must be quick and never block (it counts).
  using Observer = std::function<void(const Request& req, size_t thread, int status, size_t bytes,
                                      std::chrono::steady_clock::duration took)>;

  Server(ServerOptions options, Handler handler, Blocking blocking = nullptr);
  ~Server();

  // Before Run.
  void SetObserver(Observer observer);
  // The limits of `options` (sizes, timeouts, connections, streams) from now on: what a
  // reload may change while serving (the address, port and threads need a restart).
  // Thread-safe; a connection already reading keeps the timeout it started with.
  void SetLimits(const ServerOptions& options);
  // Open connections and event streams now. Thread-safe.
  int Connections() const;
  int Streams() const;
  // Whether every event loop ran a task posted to it within `within`: the loops are not stuck
  // (what a watchdog wants to know). Thread-safe; while Run runs.
  bool Responsive(std::chrono::milliseconds within) const;

  // Binds the listening socket; the port is known afterwards.
  Status Listen();
  uint16_t port() const;
  // Serves until SIGINT or SIGTERM: then stops accepting, lets requests in flight finish
  // (up to drain_timeout), closes idle connections and returns.
  void Run();

  struct Impl;  // the Beast side, in server.cc

 private:
  Impl* impl_;
};

}  // namespace vigie::http
