// libFuzzer: bytes from a client, as the server parses them (pipelined requests included),
// and what the handlers then ask of each request.
#include <cstddef>
#include <cstdint>

#include "http/request_parser.h"

using namespace vigie::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  beast::flat_buffer buffer;
  auto room = buffer.prepare(size);
  std::memcpy(room.data(), data, size);
  buffer.commit(size);
  Request req;
  for (int i = 0; i < 8 && buffer.size() > 0; ++i) {  // as a keep-alive connection
    RequestParser parser(req);
    parser.header_limit(16 * 1024);
    parser.body_limit(64 * 1024);
    parser.eager(true);
    beast::error_code ec;
    const bool more = ParseBuffered(buffer, parser, ec);
    if (more || ec || !parser.is_done()) break;
    (void)req.Query("lang");
    (void)req.Query("next");
    (void)req.Cookie("vigie_lang");
    (void)req.Host();
    (void)req.HostName();
    (void)IsLocalTarget(req.target);
    (void)UrlEncoded(req.body).All();
  }
  return 0;
}
