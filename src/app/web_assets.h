// What the pages are made of, loaded and checked once at start: the assets (embedded or
// overridden), the message catalogs, the templates, and the static files as bodies under
// content-hashed URLs.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/body.h"
#include "render/assets.h"
#include "render/messages.h"
#include "render/pages.h"

namespace vigie {

struct WebAssets {
  Assets assets;
  Messages messages;
  Templates templates;
  StaticUrls urls;
  std::map<std::string, std::shared_ptr<const Body>, std::less<>> statics;  // by "HASH/NAME"

  // Invalid when a template does not parse, a catalog misses a key or a required static
  // file (vigie.css, vigie.js, logo.svg, favicon.svg, admin.css, admin.js) is missing.
  static Result<std::shared_ptr<const WebAssets>> Load(const std::string& override_dir);
};

}  // namespace vigie
