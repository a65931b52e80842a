#include "app/metrics.h"

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <sstream>

namespace vigie {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// The statuses Vigie answers with, each counted apart; anything else is "other".
constexpr std::array<int, 21> kCodes = {200, 201, 204, 206, 301, 302, 303, 304, 400, 401, 403,
                                        404, 405, 409, 413, 415, 422, 429, 431, 500, 503};
constexpr size_t kOtherCode = kCodes.size();

// Upper bounds of the request-duration buckets, in seconds: a cached answer takes tens of
// microseconds, a write tens of milliseconds.
constexpr std::array<double, 14> kRequestBuckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
// Publishes and writes: milliseconds to seconds.
constexpr std::array<double, 11> kSlowBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                 0.1,   0.25,   0.5,   1,    2.5};

size_t CodeIndex(int status) {
  for (size_t i = 0; i < kCodes.size(); ++i) {
    if (kCodes[i] == status) return i;
  }
  return kOtherCode;
}

double Seconds(Metrics::Duration d) { return std::chrono::duration<double>(d).count(); }

template <size_t N>
ClientMetric::Histogram HistogramOf(const std::array<double, N>& bounds,
                                    const std::array<uint64_t, N + 1>& counts, uint64_t count,
                                    double sum) {
  ClientMetric::Histogram h;
  uint64_t cumulative = 0;
  for (size_t b = 0; b < N; ++b) {
    cumulative += counts[b];
    h.bucket.push_back({cumulative, bounds[b]});
  }
  h.bucket.push_back({count, std::numeric_limits<double>::infinity()});
  h.sample_count = count;
  h.sample_sum = sum;
  return h;
}

MetricFamily Family(std::string name, std::string help, MetricType type) {
  return MetricFamily{std::move(name), std::move(help), type, {}};
}

ClientMetric Gauge(double v) {
  ClientMetric m;
  m.gauge.value = v;
  return m;
}

}  // namespace

// One I/O thread's counts: by route (the last slot: requests no route took) and status.
struct Metrics::PerThread {
  struct alignas(64) Route {
    std::array<std::atomic<uint64_t>, kCodes.size() + 1> codes{};
    std::array<std::atomic<uint64_t>, kRequestBuckets.size() + 1> buckets{};
    std::atomic<uint64_t> nanos{0};
    std::atomic<uint64_t> bytes{0};
  };
  explicit PerThread(size_t routes) : routes(routes + 1) {}
  std::vector<Route> routes;
};

struct Metrics::Timings {
  // Observations sorted into buckets (not cumulative), their count and their sum.
  template <size_t N>
  struct Buckets {
    std::array<uint64_t, N + 1> counts{};  // the last one: above every bound
    uint64_t count = 0;
    double sum = 0;

    void Observe(const std::array<double, N>& bounds, double v) {
      size_t b = 0;
      while (b < N && v > bounds[b]) ++b;
      ++counts[b];
      ++count;
      sum += v;
    }
  };
  mutable std::mutex mu;
  Buckets<kSlowBuckets.size()> load, build, warm, writes;
  std::array<uint64_t, 5> results{};  // ok, conflict, invalid, unavailable, other
};

Metrics::Metrics() : timings_(std::make_unique<Timings>()) {}

Metrics::~Metrics() = default;

void Metrics::Attach(const http::PathTable& routes, const http::Server& server, size_t threads,
                     const Publisher& publisher, const StoreHealth& health) {
  routes_ = &routes;
  server_ = &server;
  publisher_ = &publisher;
  health_ = &health;
  for (size_t i = 0; i < threads; ++i)
    threads_.push_back(std::make_unique<PerThread>(routes.size()));
}

void Metrics::Request(const http::Request& req, size_t thread, int status, size_t bytes,
                      Duration took) {
  if (thread >= threads_.size()) return;
  std::vector<PerThread::Route>& routes = threads_[thread]->routes;
  PerThread::Route& r = routes[std::min(req.route, routes.size() - 1)];
  constexpr auto relaxed = std::memory_order_relaxed;
  r.codes[CodeIndex(status)].fetch_add(1, relaxed);
  const double s = Seconds(took);
  size_t b = 0;
  while (b < kRequestBuckets.size() && s > kRequestBuckets[b]) ++b;
  r.buckets[b].fetch_add(1, relaxed);
  r.nanos.fetch_add(std::chrono::duration_cast<std::chrono::nanoseconds>(took).count(), relaxed);
  r.bytes.fetch_add(bytes, relaxed);
}

void Metrics::Published(const Publisher::Times& times) {
  std::lock_guard lock(timings_->mu);
  timings_->load.Observe(kSlowBuckets, Seconds(times.load));
  timings_->build.Observe(kSlowBuckets, Seconds(times.build));
  timings_->warm.Observe(kSlowBuckets, Seconds(times.warm));
}

void Metrics::Wrote(const Status& st, Duration took) {
  size_t result = 4;
  switch (st.code()) {
    case Status::Code::kOk:
      result = 0;
      break;
    case Status::Code::kConflict:
      result = 1;
      break;
    case Status::Code::kInvalid:
    case Status::Code::kNotFound:
      result = 2;
      break;
    case Status::Code::kUnavailable:
      result = 3;
      break;
    default:
      break;
  }
  std::lock_guard lock(timings_->mu);
  ++timings_->results[result];
  timings_->writes.Observe(kSlowBuckets, Seconds(took));
}

std::string Metrics::Text() const {
  std::vector<MetricFamily> families;
  // ---- Requests, summed over the I/O threads.
  MetricFamily requests = Family("vigie_http_requests_total",
                                 "HTTP answers by route pattern and status", MetricType::Counter);
  MetricFamily durations =
      Family("vigie_http_request_duration_seconds",
             "Time from a request read to its answer sent, by route", MetricType::Histogram);
  MetricFamily bytes =
      Family("vigie_http_response_bytes_total", "Body bytes sent, by route", MetricType::Counter);
  const size_t slots = routes_ ? routes_->size() + 1 : 0;
  for (size_t r = 0; r < slots; ++r) {
    const bool none = r + 1 == slots;
    const std::string route = none ? "none" : routes_->PatternOf(r);
    const std::string method = none ? "any" : routes_->MethodOf(r);
    std::array<uint64_t, kCodes.size() + 1> codes{};
    std::array<uint64_t, kRequestBuckets.size() + 1> buckets{};
    uint64_t nanos = 0, sent = 0, count = 0;
    for (const auto& t : threads_) {
      const PerThread::Route& x = t->routes[r];
      for (size_t c = 0; c < codes.size(); ++c) codes[c] += x.codes[c].load();
      for (size_t b = 0; b < buckets.size(); ++b) buckets[b] += x.buckets[b].load();
      nanos += x.nanos.load();
      sent += x.bytes.load();
    }
    for (uint64_t c : codes) count += c;
    if (count == 0) continue;  // a route nobody asked for yet says nothing
    for (size_t c = 0; c < codes.size(); ++c) {
      if (codes[c] == 0) continue;
      ClientMetric m;
      m.label = {{"code", c == kOtherCode ? "other" : std::to_string(kCodes[c])},
                 {"method", method},
                 {"route", route}};
      m.counter.value = static_cast<double>(codes[c]);
      requests.metric.push_back(std::move(m));
    }
    ClientMetric d;
    d.label = {{"route", route}};
    d.histogram = HistogramOf(kRequestBuckets, buckets, count, static_cast<double>(nanos) / 1e9);
    durations.metric.push_back(std::move(d));
    ClientMetric b;
    b.label = {{"route", route}};
    b.counter.value = static_cast<double>(sent);
    bytes.metric.push_back(std::move(b));
  }
  families.push_back(std::move(requests));
  families.push_back(std::move(durations));
  families.push_back(std::move(bytes));

  // ---- Gauges read now.
  const auto gauge = [&](const char* name, const char* help, double v) {
    MetricFamily f = Family(name, help, MetricType::Gauge);
    f.metric.push_back(Gauge(v));
    families.push_back(std::move(f));
  };
  gauge("vigie_http_connections", "Open HTTP connections", server_ ? server_->Connections() : 0);
  gauge("vigie_http_streams", "Open live-update (Server-Sent Events) streams",
        server_ ? server_->Streams() : 0);
  if (!publisher_ || !health_) {
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, families);
    return out.str();
  }
  const std::shared_ptr<const Snapshot> snap = publisher_->Current();
  gauge("vigie_snapshot_version", "Version of the snapshot served (grows with each publish)",
        snap ? static_cast<double>(snap->version()) : 0);
  gauge(
      "vigie_snapshot_age_seconds", "Time since the snapshot served was published",
      snap ? std::chrono::duration<double>(std::chrono::system_clock::now() - snap->as_of()).count()
           : 0);
  const StoreHealth::State health = health_->Get();
  gauge("vigie_database_up", "1 when the database answered its last ping and write",
        health.reachable ? 1 : 0);
  gauge("vigie_clock_leader", "1 when this node holds the clock lease",
        publisher_->leader() ? 1 : 0);
  gauge("vigie_serving_local_copy",
        "1 when the node serves its local copy of the last state (started without the database)",
        publisher_->ServingLocalCopy() ? 1 : 0);

  if (sender_) {
    const Sender::Counts& c = sender_->counts();
    MetricFamily f =
        Family("vigie_notify_deliveries_total",
               "Deliveries to subscribers attempted by this node, by result", MetricType::Counter);
    const std::pair<const char*, int64_t> results[] = {
        {"sent", c.sent.load()}, {"retried", c.retried.load()}, {"failed", c.failed.load()}};
    for (const auto& [name, n] : results) {
      ClientMetric m;
      m.label = {{"result", name}};
      m.counter.value = static_cast<double>(n);
      f.metric.push_back(std::move(m));
    }
    families.push_back(std::move(f));
    gauge("vigie_notify_pending",
          "Deliveries waiting to be made, as the sender last counted them (it counts on the node "
          "holding the clock lease)",
          static_cast<double>(c.pending.load()));
  }

  // ---- Publishes and writes.
  {
    std::lock_guard lock(timings_->mu);
    const auto histogram = [&](const char* name, const char* help, const auto& b) {
      MetricFamily f = Family(name, help, MetricType::Histogram);
      ClientMetric m;
      m.histogram = HistogramOf(kSlowBuckets, b.counts, b.count, b.sum);
      f.metric.push_back(std::move(m));
      families.push_back(std::move(f));
    };
    histogram("vigie_publish_load_duration_seconds",
              "Reading the model for a publish (what changed, or all of it)", timings_->load);
    histogram("vigie_publish_build_duration_seconds", "Building a snapshot", timings_->build);
    histogram("vigie_publish_warm_duration_seconds",
              "Rendering again, before the swap, what readers asked for", timings_->warm);
    histogram("vigie_store_write_duration_seconds",
              "A write, from its call to its commit (waiting for the writes before it included)",
              timings_->writes);
    MetricFamily results =
        Family("vigie_store_writes_total", "Writes by result", MetricType::Counter);
    const char* names[] = {"ok", "conflict", "invalid", "unavailable", "error"};
    for (size_t i = 0; i < timings_->results.size(); ++i) {
      ClientMetric m;
      m.label = {{"result", names[i]}};
      m.counter.value = static_cast<double>(timings_->results[i]);
      results.metric.push_back(std::move(m));
    }
    families.push_back(std::move(results));
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace vigie
