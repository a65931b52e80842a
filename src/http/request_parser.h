// The HTTP/1.1 request parser of the server: Beast's basic_parser, filling a reused Request,
// with the framing rules Vigie adds (one Host, no obs-fold). Beast is heavy to compile: only
// http/server.cc and the parser's fuzz harness include this header.
#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <string_view>
#include <utility>  // before Boost: asio/awaitable.hpp in 1.74 uses std::exchange

#include "http/message.h"

namespace vigie::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

// Parses a request straight into the Request its connection keeps from one request to the
// next (Beast's own request_parser would fill a basic_fields, one allocation per field, that
// we would then copy). Strings are assigned, not rebuilt: once a connection has served a
// request, the next one of the same shape allocates nothing.
class RequestParser : public bhttp::basic_parser<true> {
 public:
  explicit RequestParser(Request& req) : req_(req) {}
  bhttp::verb method() const { return method_; }
  unsigned version() const { return version_; }

 private:
  void on_request_impl(bhttp::verb method, beast::string_view method_str, beast::string_view target,
                       int version, beast::error_code&) override {
    method_ = method;
    version_ = static_cast<unsigned>(version);
    req_.method.assign(method_str.data(), method_str.size());
    req_.target.assign(target.data(), target.size());
    const std::string_view t = req_.target;
    const size_t q = t.find('?');
    PercentDecodeTo(t.substr(0, q), false, req_.path);
    if (q == std::string_view::npos) {
      req_.query.clear();
    } else {
      req_.query.assign(t.substr(q + 1));
    }
    req_.body.clear();
    req_.params.clear();  // the router sets them on a match only
    req_.route = SIZE_MAX;
    fields_ = 0;
    hosts_ = 0;
  }
  void on_response_impl(int, beast::string_view, int, beast::error_code&) override {}
  void on_field_impl(bhttp::field, beast::string_view name, beast::string_view value,
                     beast::error_code&) override {
    if (fields_ == req_.headers.size()) req_.headers.emplace_back();
    auto& [lower, text] = req_.headers[fields_++];
    lower.assign(name.data(), name.size());
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    text.assign(value.data(), value.size());
    if (lower == "host") ++hosts_;
  }
  // RFC 9112 3.2: one Host header, and HTTP/1.1 must send it. A proxy that reads the other
  // copy would cache one region's answer under another's host.
  void on_header_impl(beast::error_code& ec) override {
    req_.headers.resize(fields_);
    if (hosts_ > 1 || (version_ >= 11 && hosts_ == 0)) ec = bhttp::error::bad_value;
  }
  void on_body_init_impl(const boost::optional<std::uint64_t>& length,
                         beast::error_code&) override {
    // The parser has checked the length against the body limit.
    if (length) req_.body.reserve(static_cast<size_t>(*length));
  }
  size_t on_body_impl(beast::string_view body, beast::error_code&) override {
    req_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, beast::error_code&) override {
    req_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(beast::error_code&) override {}

  Request& req_;
  bhttp::verb method_ = bhttp::verb::unknown;
  unsigned version_ = 11;
  size_t fields_ = 0;
  int hosts_ = 0;
};

// Whether the complete header at the start of `data` continues a line on the next (obs-fold,
// a CRLF then a space or tab). RFC 9112 5.2 lets a server refuse it, and we do: proxies
// disagree on what a folded Transfer-Encoding or Content-Length means. False while the
// header is incomplete (Beast keeps an incomplete header whole in the buffer).
inline bool HasObsFold(std::string_view data) {
  while (data.substr(0, 2) == "\r\n") data.remove_prefix(2);  // empty lines before a request
  const size_t end = data.find("\r\n\r\n");
  if (end == std::string_view::npos) return false;
  const std::string_view header = data.substr(0, end + 2);
  return header.find("\r\n ") != std::string_view::npos ||
         header.find("\r\n\t") != std::string_view::npos;
}

// Reading a request: the same steps as Beast's http::async_read, written out in Session so
// that a request costs one asynchronous read and no composed operation (with its
// allocation and dispatch). Errors as Beast gives them: end_of_stream when the client
// closed between requests.
//
// Parses what `buffer` holds (the rest of an earlier read, or what was just read). Returns
// true when the parser needs more bytes; false when the request is complete or `ec` is set.
inline bool ParseBuffered(beast::flat_buffer& buffer, RequestParser& parser,
                          beast::error_code& ec) {
  while (buffer.size() > 0) {
    if (!parser.is_header_done() &&
        HasObsFold({static_cast<const char*>(buffer.data().data()), buffer.size()})) {
      ec = bhttp::error::bad_value;
      return false;
    }
    buffer.consume(parser.put(buffer.data(), ec));
    if (ec == bhttp::error::need_more) {
      ec = {};
      return true;
    }
    if (ec || parser.is_done()) return false;
    // The header is done; its body follows in the buffer or in the next read.
  }
  return true;
}

}  // namespace vigie::http
