// The public site's request handling: the one route table, and the handlers that answer from
// the current snapshot (never the database). Region comes from the Host header (or ?region=),
// language from ?lang= (or the region's default).
#pragma once

#include "app/config.h"
#include "http/message.h"
#include "http/router.h"
#include "snapshot/publisher.h"
#include "store/store.h"

namespace vigie {

class Site {
 public:
  // All references must outlive the Site.
  Site(const Config& config, Publisher& publisher, Store& store);

  http::Response Handle(http::Request& req) const { return router_.Handle(req); }

 private:
  void AddRoutes();

  const Config& config_;
  Publisher& publisher_;
  Store& store_;
  http::Router router_;
};

// One place maps a Status to an HTTP status code.
int HttpStatusOf(const Status& st);

}  // namespace vigie
