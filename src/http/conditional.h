// Serving a pre-rendered Body: content negotiation (gzip), strong ETags, 304 answers to
// If-None-Match and If-Modified-Since, Last-Modified, Vary and Cache-Control.
#pragma once

#include <memory>
#include <string>

#include "core/body.h"
#include "http/message.h"

namespace vigie::http {

// Answers `req` with `body`: 200 with the best encoding, or 304 when the client's copy is
// current, with the body's prepared head (its fixed headers included). Allocates nothing.
Response ServeBody(const Request& req, std::shared_ptr<const Body> body);

// True when Accept-Encoding accepts `coding` (q > 0).
bool AcceptsEncoding(std::string_view accept_encoding, std::string_view coding);

}  // namespace vigie::http
