// The node's Prometheus metrics, served on an address of their own ([metrics] listen), never
// on the public port. Requests are counted on the hot path with relaxed atomics in one block per
// I/O thread (no lock, no cache line shared between the threads); everything is read into
// prometheus-cpp's data model, and written in its text format, when scraped.
//
//   vigie_http_requests_total{method,route,code}      answers, by route pattern and status
//   vigie_http_request_duration_seconds{route}        from the request read to the answer sent
//   vigie_http_response_bytes_total{route}            body bytes sent
//   vigie_http_connections, vigie_http_streams        open connections, open live-update streams
//   vigie_snapshot_version, vigie_snapshot_age_seconds  the snapshot served and how old it is
//   vigie_publish_{load,build,warm}_duration_seconds  each publish: model load, snapshot, warming
//   vigie_store_writes_total{result}, vigie_store_write_duration_seconds   every write
//   vigie_database_up, vigie_clock_leader, vigie_serving_local_copy         what the node knows
//   vigie_notify_deliveries_total{result}, vigie_notify_pending   mails sent by this node, and
//                                                    deliveries waiting (when it sends them)
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "http/message.h"
#include "http/router.h"
#include "http/server.h"
#include "notify/sender.h"
#include "snapshot/publisher.h"
#include "store/health.h"

namespace vigie {

class Metrics {
 public:
  using Duration = std::chrono::steady_clock::duration;

  // Made before the Publisher it counts the publishes and writes of (Published, Wrote).
  Metrics();
  ~Metrics();

  // What the rest is read from: the routes requests are counted against (by req.route), the
  // server whose I/O threads call Request, the publisher and the database's health. Once,
  // before the server runs; each must outlive it.
  void Attach(const http::PathTable& routes, const http::Server& server, size_t threads,
              const Publisher& publisher, const StoreHealth& health);

  // The sender of the subscribers' mails, when there is one (before the server runs).
  void AttachSender(const Sender& sender) { sender_ = &sender; }

  // One answered request, on I/O thread `thread`. Lock-free.
  void Request(const http::Request& req, size_t thread, int status, size_t bytes, Duration took);
  // One publish's times; one write's outcome and time. Thread-safe.
  void Published(const Publisher::Times& times);
  void Wrote(const Status& st, Duration took);

  // Every metric in Prometheus' text exposition format (0.0.4). Thread-safe.
  std::string Text() const;

 private:
  struct PerThread;
  struct Timings;

  const Publisher* publisher_ = nullptr;
  const StoreHealth* health_ = nullptr;
  const http::PathTable* routes_ = nullptr;
  const http::Server* server_ = nullptr;
  const Sender* sender_ = nullptr;
  std::vector<std::unique_ptr<PerThread>> threads_;
  std::unique_ptr<Timings> timings_;  // publishes and writes: rare, under a lock
};

}  // namespace vigie
