// How the public site answers from a snapshot: the context every public request resolves
// first (snapshot, region, language), the cache of rendered bodies, and the small answers
// (redirects, error pages) its handlers share. Used by the handler files of app/ only.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "app/config.h"
#include "app/web_assets.h"
#include "domain/view.h"
#include "http/message.h"
#include "http/router.h"
#include "render/pages.h"
#include "snapshot/snapshot.h"

namespace vigie {

using Snap = std::shared_ptr<const Snapshot>;

inline constexpr const char* kJsonType = "application/json; charset=utf-8";
inline constexpr const char* kHtmlType = "text/html; charset=utf-8";
inline constexpr const char* kApiCache = "public, max-age=15";
inline constexpr const char* kPageCache = "public, max-age=15";
inline constexpr const char* kFeedCache = "public, max-age=60";
inline constexpr const char* kLangCookie = "vigie_lang";

// Every public answer has nosniff and a Referrer-Policy, and HTML refuses to be framed unless
// it says otherwise (the embed page). Prepared heads carry them already; this adds them to
// the others.
void AddSecurityHeaders(http::Response& res);

// What every public request resolves first: the snapshot, the region and the language.
struct Context {
  Snap snap;
  const Region* region = nullptr;
  Lang lang = Lang::kFr;

  View ViewOf() const {
    return View{snap->model(), snap->derived(), snap->index(), snap->as_of(), *region, lang};
  }
  // The cache key of a body: its kind, the path and everything else the body depends on
  // (`extra`: a typed query's Key()). Built in a buffer of the thread (no allocation once
  // warm); valid until the next call. The path goes in as the router reads it (runs of '/'
  // are one, a trailing '/' is none), so that /fr//infinity/ and /fr/infinity share a body.
  std::string_view Key(std::string_view kind, const http::Request& req,
                       std::string_view extra = {}) const;
};

// The region from ?region= or the Host header (else the default region), the language from
// ?lang= (else the region's). Invalid: an unknown region or language.
Result<Context> Resolve(const http::Request& req, Snap snap, const Config& config);

// Renders a body; may lower `last_modified` (preset to the region's last change) to the last
// change of what it shows.
using RenderBody = std::function<Result<std::string>(Time& last_modified)>;

// A header sent with every answer of a route (CORS, Content-Language).
struct FixedHeader {
  const char* name;
  std::string_view value;
};
using FixedHeaders = std::initializer_list<FixedHeader>;
inline constexpr FixedHeader kCors{"Access-Control-Allow-Origin", "*"};

// What a rendered answer is: its key in the snapshot's cache, its type, its caching and the
// headers it always has.
struct Rendering {
  std::string_view key;
  const char* content_type;
  const char* cache_control;
  FixedHeaders fixed;
};

// Asks the same question of another snapshot: what the Publisher calls to warm the next one.
using AskAgain = std::function<void(http::Request&, const Snap&)>;

// Serves the body under r.key from the snapshot's cache, rendering it on first use (its
// response head, with Cache-Control and r.fixed, is prepared then too). A failed rendering
// (an unknown slug) is not kept; `fail` builds its answer.
http::Response ServeRendered(const http::Request& req, const Context& c, const Rendering& r,
                             const RenderBody& render, const AskAgain& again,
                             const std::function<http::Response(const Status&)>& fail);

// The pages' view of a context.
PageView PageViewOf(const Context& c, const Config& config, const WebAssets& web);

// The one public error answer: JSON (with CORS) or a page in the visitor's language (the
// path's {lang}, else the first segment if it is a language, else the region's).
http::Response PublicError(const http::Request& req, http::Errors style, int status,
                           const std::string& message, const Snap& snap, const Config& config,
                           const WebAssets& web);

http::Response Redirect(int status, const std::string& location);

}  // namespace vigie
