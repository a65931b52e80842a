// The public site's request handling: the one route table, and the handlers that answer from
// the current snapshot (never the database). Region comes from the Host header (or ?region=),
// language from ?lang= (or the region's default).
#pragma once

#include <map>
#include <memory>

#include "admin/web.h"
#include "app/config.h"
#include "core/body.h"
#include "http/message.h"
#include "http/router.h"
#include "render/assets.h"
#include "render/messages.h"
#include "render/pages.h"
#include "snapshot/publisher.h"
#include "store/store.h"

namespace vigie {

// What the pages are made of, loaded and checked once at start: the assets (embedded or
// overridden), the message catalogs, the templates, and the static files as bodies under
// content-hashed URLs.
struct WebAssets {
  Assets assets;
  Messages messages;
  Templates templates;
  StaticUrls urls;
  std::map<std::string, std::shared_ptr<const Body>, std::less<>> statics;  // by "HASH/NAME"

  static Result<std::shared_ptr<const WebAssets>> Load(const std::string& override_dir);
};

class Site {
 public:
  // All references must outlive the Site. No public route touches the store: /readyz reads
  // `health`, which a background ping and the writes keep.
  Site(const Config& config, Publisher& publisher, const StoreHealth& health,
       const WebAssets& web, AdminWeb& admin);

  // Every answer carries nosniff and a Referrer-Policy, and HTML refuses to be framed but
  // for the embed page (prepared bodies have them in their heads; see ServeRendered).
  http::Response Handle(http::Request& req) const;
  // The requests that may wait on the database or hash a password: every write and the
  // back-office. The server runs them off its I/O threads.
  static bool Blocking(const http::Request& req);

 private:
  void AddRoutes();

  const Config& config_;
  Publisher& publisher_;
  const StoreHealth& health_;
  const WebAssets& web_;
  AdminWeb& admin_;
  http::Router router_;
};


}  // namespace vigie
