// Boost.Beast lives in this translation unit only: it is slow to compile.
#include "http/server.h"

#include <sys/sendfile.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <ctime>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <utility>  // before Boost: asio/awaitable.hpp in 1.74 uses std::exchange
#include <vector>

#include "core/log.h"
#include "core/time.h"
#include "http/request_parser.h"

namespace vigie::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
// Coroutines, sockets and timers name their loop's executor type: no type-erased
// any_io_executor (an indirect call and a copy) on each operation.
using Executor = asio::io_context::executor_type;
using Socket = asio::basic_stream_socket<tcp, Executor>;
using Timer = asio::basic_waitable_timer<std::chrono::steady_clock,
                                         asio::wait_traits<std::chrono::steady_clock>, Executor>;
template <typename T>
using awaitable = asio::awaitable<T, Executor>;
constexpr asio::use_awaitable_t<Executor> use_awaitable;

// A connection's deadline, checked once a second by its loop's sweeper (a timer per
// operation would cost a timer-queue update under a lock on every read and write).
//
// The clock read twice a request is CLOCK_MONOTONIC_COARSE: the same time line as
// steady_clock (CLOCK_MONOTONIC), in ticks of a few milliseconds, read without the TSC.
std::chrono::steady_clock::time_point CoarseNow() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return std::chrono::steady_clock::time_point(std::chrono::seconds(ts.tv_sec) +
                                               std::chrono::nanoseconds(ts.tv_nsec));
}

struct Conn {
  Socket* socket;
  std::chrono::steady_clock::time_point deadline;
  void ExpireAfter(std::chrono::seconds d) { deadline = CoarseNow() + d; }
  void Never() { deadline = std::chrono::steady_clock::time_point::max(); }
};

struct Server::Impl {
  ServerOptions options;
  Handler handler;
  Blocking blocking;
  Observer observer;
  // The limits of `options` that SetLimits may change while serving (read where they apply).
  struct Limits {
    std::atomic<size_t> header_limit, body_limit;
    std::atomic<int64_t> read_timeout_s, idle_timeout_s, drain_timeout_s;
    std::atomic<int> max_connections, max_streams, max_streams_per_address;
    void Set(const ServerOptions& o) {
      header_limit = o.header_limit;
      body_limit = o.body_limit;
      read_timeout_s = o.read_timeout.count();
      idle_timeout_s = o.idle_timeout.count();
      drain_timeout_s = o.drain_timeout.count();
      max_connections = o.max_connections;
      max_streams = o.max_streams;
      max_streams_per_address = o.max_streams_per_address;
    }
    std::chrono::seconds read_timeout() const {
      return std::chrono::seconds(read_timeout_s.load());
    }
    std::chrono::seconds idle_timeout() const {
      return std::chrono::seconds(idle_timeout_s.load());
    }
  } limits;
  // One event loop per I/O thread; the acceptor runs on the first and hands connections
  // out in turn. A connection stays on its loop, so its state needs no strand.
  std::vector<std::unique_ptr<asio::io_context>> loops;
  std::vector<std::unordered_set<Conn*>> conns;  // by loop; touched by that loop only
  std::unique_ptr<asio::thread_pool> workers;
  asio::basic_socket_acceptor<tcp, Executor> acceptor;
  std::atomic<int> connections{0};
  // Requests in flight, by loop: a loop's thread alone counts its own, on a cache line of
  // its own (one shared counter went back and forth between the cores twice a request).
  // Drain sums them.
  struct alignas(64) InFlight {
    std::atomic<int> n{0};
  };
  std::unique_ptr<InFlight[]> in_flight;
  std::atomic<bool> stopping{false};
  uint16_t port = 0;

  // Open event streams, in total and by address (bounded: a stream is long-lived).
  std::mutex streams_mu;
  int streams = 0;
  std::map<std::string, int> streams_by_address;

  Impl(ServerOptions o, Handler h, Blocking b)
      : options(std::move(o)),
        handler(std::move(h)),
        blocking(std::move(b)),
        loops(MakeLoops(options.threads)),
        conns(loops.size()),
        acceptor(*loops.front()),
        in_flight(std::make_unique<InFlight[]>(loops.size())) {
    limits.Set(options);
  }

  int InFlightTotal() const {
    int total = 0;
    for (size_t i = 0; i < loops.size(); ++i) total += in_flight[i].n.load();
    return total;
  }

  static std::vector<std::unique_ptr<asio::io_context>> MakeLoops(int n) {
    std::vector<std::unique_ptr<asio::io_context>> loops;
    for (int i = 0; i < std::max(1, n); ++i) loops.push_back(std::make_unique<asio::io_context>(1));
    return loops;
  }
  void StopAll() {
    for (auto& loop : loops) loop->stop();
  }
};

namespace {

// After a read of `n` bytes that ended with `ec`: the same as ParseBuffered, and at the end
// of the stream, the end of a message delimited by it, or end_of_stream.
bool ParseRead(size_t n, beast::flat_buffer& buffer, RequestParser& parser, beast::error_code& ec) {
  buffer.commit(n);
  if (ec == asio::error::eof) {
    if (!parser.got_some()) {
      ec = bhttp::error::end_of_stream;
      return false;
    }
    ec = {};
    parser.put_eof(ec);
    return false;
  }
  if (ec) return false;
  return ParseBuffered(buffer, parser, ec);
}

// "Date: ...\r\n", formatted at most once per second per thread.
std::string_view DateLine() {
  thread_local std::string cached;
  thread_local int64_t cached_at = -1;
  const int64_t now = ::time(nullptr);  // whole seconds, read without the TSC
  if (now != cached_at) {
    cached_at = now;
    cached = "Date: " + FormatHttpDate(FromUnix(now)) + "\r\n";
  }
  return cached;
}

bool SafeHeader(std::string_view name, std::string_view value) {
  return !name.empty() && name.find_first_of("\r\n:") == std::string_view::npos &&
         value.find_first_of("\r\n") == std::string_view::npos;
}

// Formats what the server adds to a response's head into `out`: the status line and
// headers when nothing was prepared, then Date, Connection and the blank line.
void FormatHead(std::string& out, const Response& res, unsigned version, bool keep_alive) {
  out.clear();
  if (res.head.empty()) {
    out += "HTTP/1.1 ";
    out += std::to_string(res.status);
    out += ' ';
    const auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(res.status));
    out.append(reason.data(), reason.size());
    out += "\r\n";
    if (res.status != 304 && res.status != 204) {
      out += "Content-Length: ";
      out += std::to_string(res.body().size());
      out += "\r\n";
    }
  }
  for (const auto& [name, value] : res.headers) {
    if (!SafeHeader(name, value)) {
      LogError("header " + name + " dropped: it contains a line break");
      continue;
    }
    out.append(name).append(": ").append(value).append("\r\n");
  }
  out += DateLine();
  if (!keep_alive) {
    out += "Connection: close\r\n";
  } else if (version < 11) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
}

// Sends the head (flagged MSG_MORE, so it leaves with the body's first bytes), then the
// body from its file with sendfile(): the kernel sends the file's pages without a copy
// from user space. The socket is non-blocking (asio made it so); when full, wait for it.
awaitable<void> SendWithFile(Socket& socket, const Response& res, std::string& scratch,
                             beast::error_code& ec) {
  scratch.insert(0, res.head);
  size_t sent = 0;
  while (sent < scratch.size()) {
    sent += co_await socket.async_send(asio::buffer(scratch.data() + sent, scratch.size() - sent),
                                       MSG_MORE, asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
  }
  off_t offset = 0;
  size_t left = res.body().size();
  while (left > 0) {
    const ssize_t n = ::sendfile(socket.native_handle(), res.body_file, &offset, left);
    if (n > 0) {
      left -= static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      co_await socket.async_wait(tcp::socket::wait_write, asio::redirect_error(use_awaitable, ec));
      if (ec) co_return;
    } else {
      ec = beast::error_code(n < 0 ? errno : EIO, boost::system::system_category());
      co_return;
    }
  }
}

// Writing a response: [prepared head] + formatted head + body, without a body for HEAD and
// 304 (a HEAD's Content-Length is the GET one); `scratch` is reused between the requests of a
// connection. StartWrite formats the head, then sends what the socket takes at once with a
// non-blocking send: most answers fit in its buffer, and so need no asynchronous write (an
// allocation and a trip through the loop's queue). FinishWrite sends the rest, if any; a
// large identity body goes with sendfile() there.
struct StartedWrite {
  std::array<asio::const_buffer, 3> buffers;
  size_t sent = 0;
  bool done = false;
  bool file = false;  // the body goes with SendWithFile, in FinishWrite
};

StartedWrite StartWrite(Socket& socket, const Response& res, unsigned version, bool head,
                        bool keep_alive, std::string& scratch, beast::error_code& ec) {
  FormatHead(scratch, res, version, keep_alive);
  const bool no_body = head || res.status == 304 || res.status == 204;
  const std::string_view body = no_body ? std::string_view() : res.body();
  StartedWrite w;
  if (!body.empty() && res.body_file >= 0) {
    w.file = true;
    return w;
  }
  w.buffers = {asio::buffer(res.head.data(), res.head.size()), asio::buffer(scratch),
               asio::buffer(body.data(), body.size())};
  w.sent = socket.send(w.buffers, 0, ec);  // the socket is non-blocking (see Session)
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    ec = {};
    w.sent = 0;
  }
  w.done = ec || w.sent == asio::buffer_size(w.buffers);
  return w;
}

awaitable<void> FinishWrite(Socket& socket, const Response& res, const StartedWrite& w,
                            std::string& scratch, beast::error_code& ec) {
  if (w.file) {
    co_await SendWithFile(socket, res, scratch, ec);
    co_return;
  }
  beast::buffers_suffix<std::array<asio::const_buffer, 3>> rest(w.buffers);
  rest.consume(w.sent);
  co_await asio::async_write(socket, rest, asio::redirect_error(use_awaitable, ec));
}

// Writes `res` whole: what the socket takes at once, then the rest asynchronously.
awaitable<void> WriteResponse(Socket& socket, const Response& res, unsigned version, bool head,
                              bool keep_alive, std::string& scratch, beast::error_code& ec) {
  const StartedWrite w = StartWrite(socket, res, version, head, keep_alive, scratch, ec);
  if (!w.done) co_await FinishWrite(socket, res, w, scratch, ec);
}

Response PlainError(int status, std::string text) {
  Response r;
  r.status = status;
  r.Set("Content-Type", "text/plain; charset=utf-8");
  r.SetBody(std::move(text) + "\n");
  return r;
}

// Takes a stream slot for `remote`; false when a cap is reached.
bool OpenStream(Server::Impl& s, const std::string& remote) {
  std::lock_guard lock(s.streams_mu);
  int& mine = s.streams_by_address[remote];
  if (s.streams >= s.limits.max_streams.load() || mine >= s.limits.max_streams_per_address.load()) {
    if (mine == 0) s.streams_by_address.erase(remote);
    return false;
  }
  ++s.streams;
  ++mine;
  return true;
}

void CloseStream(Server::Impl& s, const std::string& remote) {
  std::lock_guard lock(s.streams_mu);
  --s.streams;
  if (--s.streams_by_address[remote] <= 0) s.streams_by_address.erase(remote);
}

// Notices that a stream's client went away: a client sends nothing on a stream, so a read
// that completes means it closed (or broke) the connection.
struct StreamWatch {
  bool closed = false;
  bool done = false;
};

awaitable<void> WatchClose(Socket& socket, std::shared_ptr<StreamWatch> watch) {
  char buf[256];
  beast::error_code ec;
  while (!ec)
    co_await socket.async_read_some(asio::buffer(buf), asio::redirect_error(use_awaitable, ec));
  watch->closed = true;
  watch->done = true;
}

// Serves a Server-Sent Events stream until the client leaves or the server stops. The
// response is delimited by the connection's close.
awaitable<void> ServeStream(Server::Impl& s, Socket& socket, Conn& conn, const Response& res,
                            const std::string& remote) {
  beast::error_code ec;
  if (!OpenStream(s, remote)) {
    std::string scratch;
    co_await WriteResponse(socket, PlainError(503, "too many open event streams"), 11, false, false,
                           scratch, ec);
    co_return;
  }
  std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
      "Cache-Control: no-store\r\nConnection: close\r\nX-Accel-Buffering: no\r\n";
  for (const auto& [k, v] : res.headers) {
    if (k != "Content-Type" && k != "Cache-Control") head += k + ": " + v + "\r\n";
  }
  head += "\r\nretry: 2000\n\n";
  conn.Never();
  co_await asio::async_write(socket, asio::buffer(head), asio::redirect_error(use_awaitable, ec));
  Timer timer(socket.get_executor());
  // Both coroutines run on the connection's loop.
  auto watch = std::make_shared<StreamWatch>();
  asio::co_spawn(socket.get_executor(), WatchClose(socket, watch), asio::detached);
  auto last_sent = std::chrono::steady_clock::now();
  while (!ec && !s.stopping && !watch->closed) {
    std::string chunk = res.stream();
    const auto now = std::chrono::steady_clock::now();
    if (chunk.empty() && now - last_sent >= std::chrono::seconds(15)) chunk = ": heartbeat\n\n";
    if (!chunk.empty()) {
      co_await asio::async_write(socket, asio::buffer(chunk),
                                 asio::redirect_error(use_awaitable, ec));
      last_sent = now;
      if (ec) break;
    }
    timer.expires_after(std::chrono::milliseconds(250));
    co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
  }
  // Stop the watcher and wait for it, so that it never outlives the socket.
  beast::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.cancel(ignored);
  while (!watch->done) {
    timer.expires_after(std::chrono::milliseconds(5));
    co_await timer.async_wait(asio::redirect_error(use_awaitable, ignored));
  }
  CloseStream(s, remote);
}

// Runs the handler; an exception becomes a 500.
Response Call(Server::Impl& s, Request& req) {
  try {
    return s.handler(req);
  } catch (const std::exception& e) {
    LogError(std::string("handler failed on ") + req.target + ": " + e.what());
    return PlainError(500, "internal error");
  }
}

awaitable<void> Session(Server::Impl& s, size_t loop, Socket socket) {
  beast::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  const std::string remote = ec ? std::string("?") : endpoint.address().to_string();
  // Non-blocking: SendWithFile's sendfile() must never block, and StartWrite's send() must
  // return what it could not send at once.
  socket.native_non_blocking(true, ec);
  socket.non_blocking(true, ec);
  Conn conn{&socket, {}};
  std::unordered_set<Conn*>& registry = s.conns[loop];
  registry.insert(&conn);
  beast::flat_buffer buffer;
  std::string scratch;
  Request req;  // reused by each request of the connection (see RequestParser)
  req.remote = remote;
  bool first = true;
  while (!s.stopping) {
    RequestParser parser(req);
    parser.header_limit(static_cast<std::uint32_t>(s.limits.header_limit.load()));
    parser.body_limit(s.limits.body_limit.load());
    parser.eager(true);
    conn.ExpireAfter(first ? s.limits.read_timeout() : s.limits.idle_timeout());
    for (bool more = ParseBuffered(buffer, parser, ec); more;) {
      const size_t room = beast::read_size(buffer, 65536);  // as Beast: 512 B to 64 KB
      if (room == 0) {
        ec = bhttp::error::buffer_overflow;
        break;
      }
      const size_t n = co_await socket.async_read_some(buffer.prepare(room),
                                                       asio::redirect_error(use_awaitable, ec));
      more = ParseRead(n, buffer, parser, ec);
    }
    if (ec) {
      // A client closing or going quiet is not an error worth logging.
      Response refusal;
      if (ec == bhttp::error::header_limit) {
        refusal = PlainError(431, "request header fields too large");
      } else if (ec == bhttp::error::body_limit) {
        refusal = PlainError(413, "request body too large");
      } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
                 ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
        refusal = PlainError(400, "malformed HTTP request");
      } else {
        break;
      }
      conn.ExpireAfter(s.limits.read_timeout());
      co_await WriteResponse(socket, refusal, 11, false, false, scratch, ec);
      if (AccessLogOn()) LogAccess(remote + " \"-\" " + std::to_string(refusal.status) + " 0 0");
      break;
    }
    first = false;
    std::atomic<int>& in_flight = s.in_flight[loop].n;
    in_flight.fetch_add(1, std::memory_order_relaxed);
    const auto started = AccessLogOn() || s.observer ? std::chrono::steady_clock::now()
                                                     : std::chrono::steady_clock::time_point();
    const unsigned version = parser.version();
    const bool is_get = parser.method() == bhttp::verb::get;
    const bool is_head = parser.method() == bhttp::verb::head;
    const bool client_keep_alive = parser.keep_alive();
    Response res;
    conn.Never();  // the handler's time is not the client's
    if (s.blocking && s.workers && s.blocking(req)) {
      // Off the I/O thread; the coroutine resumes here once the worker is done.
      res = co_await asio::co_spawn(
          s.workers->get_executor(), [&]() -> asio::awaitable<Response> { co_return Call(s, req); },
          use_awaitable);
    } else {
      res = Call(s, req);
    }
    if (res.stream && res.status == 200 && is_get) {
      // A stream does not hold a clean shutdown back.
      in_flight.fetch_sub(1, std::memory_order_relaxed);
      if (AccessLogOn())
        LogAccess(remote + " \"" + req.method + " " + req.target + "\" 200 stream");
      co_await ServeStream(s, socket, conn, res, remote);
      break;
    }
    const bool keep_alive = client_keep_alive && !s.stopping;
    conn.ExpireAfter(s.limits.read_timeout());
    // WriteResponse's two steps, written out: no coroutine frame when the send is done at once.
    const StartedWrite w = StartWrite(socket, res, version, is_head, keep_alive, scratch, ec);
    if (!w.done) co_await FinishWrite(socket, res, w, scratch, ec);
    in_flight.fetch_sub(1, std::memory_order_relaxed);
    if (s.observer) {
      s.observer(req, loop, res.status, res.body().size(),
                 std::chrono::steady_clock::now() - started);
    }
    if (AccessLogOn()) {
      const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::steady_clock::now() - started)
                              .count();
      LogAccess(remote + " \"" + req.method + " " + req.target + "\" " +
                std::to_string(res.status) + " " + std::to_string(res.body().size()) + " " +
                std::to_string(micros) + "us");
    }
    if (ec || !keep_alive) break;
  }
  registry.erase(&conn);
  socket.shutdown(tcp::socket::shutdown_send, ec);
  --s.connections;
}

// Once a second, cancels what the connections of one loop wait for past their deadline:
// their read or write then fails and the session ends.
awaitable<void> Sweep(Server::Impl& s, size_t loop) {
  Timer timer(*s.loops[loop]);
  for (;;) {
    timer.expires_after(std::chrono::seconds(1));
    beast::error_code ec;
    co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
    const auto now = std::chrono::steady_clock::now();
    for (Conn* c : s.conns[loop]) {
      if (c->deadline < now) {
        c->Never();
        c->socket->cancel(ec);
      }
    }
  }
}

// Answers 503 on a connection over the limit and closes it. The answer is short enough for a
// fresh socket's buffer: one non-blocking send, nothing to wait for.
void Refuse(Socket socket) {
  beast::error_code ec;
  socket.non_blocking(true, ec);
  std::string scratch;
  StartWrite(socket, PlainError(503, "too many connections, try again shortly"), 11, false, false,
             scratch, ec);
  socket.shutdown(tcp::socket::shutdown_send, ec);
}

awaitable<void> Accept(Server::Impl& s) {
  size_t next = 0;
  for (;;) {
    beast::error_code ec;
    const size_t index = next++ % s.loops.size();
    asio::io_context& loop = *s.loops[index];
    Socket socket(co_await s.acceptor.async_accept(loop.get_executor(),
                                                   asio::redirect_error(use_awaitable, ec)));
    if (ec) {
      if (s.stopping || ec == asio::error::operation_aborted) co_return;
      // Out of file descriptors and the like: wait a little rather than spin.
      LogWarn("accept failed: " + ec.message());
      Timer t(s.acceptor.get_executor(), std::chrono::milliseconds(50));
      co_await t.async_wait(asio::redirect_error(use_awaitable, ec));
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    if (s.connections.load() >= s.limits.max_connections.load()) {
      Refuse(std::move(socket));
      continue;
    }
    ++s.connections;
    auto ex = socket.get_executor();
    asio::co_spawn(ex, Session(s, index, std::move(socket)), asio::detached);
  }
}

awaitable<void> Drain(Server::Impl& s) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(s.limits.drain_timeout_s.load());
  Timer t(*s.loops.front());
  while (s.InFlightTotal() > 0 && std::chrono::steady_clock::now() < deadline) {
    t.expires_after(std::chrono::milliseconds(10));
    beast::error_code ec;
    co_await t.async_wait(asio::redirect_error(use_awaitable, ec));
  }
  s.StopAll();
}

}  // namespace

Server::Server(ServerOptions options, Handler handler, Blocking blocking)
    : impl_(new Impl(std::move(options), std::move(handler), std::move(blocking))) {}

Server::~Server() { delete impl_; }

uint16_t Server::port() const { return impl_->port; }

void Server::SetObserver(Observer observer) { impl_->observer = std::move(observer); }

void Server::SetLimits(const ServerOptions& options) { impl_->limits.Set(options); }

int Server::Connections() const { return impl_->connections.load(std::memory_order_relaxed); }

bool Server::Responsive(std::chrono::milliseconds within) const {
  // Shared: a loop that answers after the deadline still finds it.
  auto answered = std::make_shared<std::atomic<size_t>>(0);
  for (const auto& loop : impl_->loops) {
    asio::post(*loop, [answered] { answered->fetch_add(1); });
  }
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (answered->load() < impl_->loops.size()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

int Server::Streams() const {
  std::lock_guard lock(impl_->streams_mu);
  return impl_->streams;
}

Status Server::Listen() {
  beast::error_code ec;
  const auto address = asio::ip::make_address(impl_->options.address, ec);
  if (ec) return Status::Invalid("bad listen address \"" + impl_->options.address + "\"");
  const tcp::endpoint endpoint(address, impl_->options.port);
  auto& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Unavailable("cannot listen on " + impl_->options.address + ":" +
                               std::to_string(impl_->options.port) + ": " + ec.message());
  }
  impl_->port = a.local_endpoint().port();
  return Status::Ok();
}

void Server::Run() {
  Impl& s = *impl_;
  asio::io_context& main = *s.loops.front();
  s.workers = std::make_unique<asio::thread_pool>(std::max(1, s.options.workers));
  // A peer that resets its connection makes the next write to it raise SIGPIPE, whose default
  // action ends the process. Asio's sends say MSG_NOSIGNAL; sendfile() cannot: ignore it, and
  // take the EPIPE as that connection's end.
  ::signal(SIGPIPE, SIG_IGN);
  asio::signal_set signals(main, SIGINT, SIGTERM);
  signals.async_wait([&s, &main](const beast::error_code& ec, int) {
    if (ec) return;
    LogInfo("shutting down: no new connections, draining requests in flight");
    s.stopping = true;
    beast::error_code ignored;
    s.acceptor.close(ignored);
    asio::co_spawn(main, Drain(s), asio::detached);
  });
  asio::co_spawn(main, Accept(s), asio::detached);
  for (size_t i = 0; i < s.loops.size(); ++i)
    asio::co_spawn(*s.loops[i], Sweep(s, i), asio::detached);
  // Each loop keeps running while it has no connection yet.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (auto& loop : s.loops) guards.push_back(asio::make_work_guard(*loop));
  std::vector<std::thread> threads;
  for (size_t i = 1; i < s.loops.size(); ++i) {
    threads.emplace_back([&s, i] { s.loops[i]->run(); });
  }
  main.run();
  s.StopAll();
  for (std::thread& t : threads) t.join();
  s.workers->join();
}

}  // namespace vigie::http
