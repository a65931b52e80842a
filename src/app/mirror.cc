#include "app/mirror.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "app/site.h"
#include "core/body.h"
#include "core/files.h"
#include "core/log.h"
#include "core/priority.h"

namespace vigie {

namespace fs = std::filesystem;

namespace {

// One public answer to mirror: where it is asked, and what kind of file it makes.
struct Url {
  enum class Kind { kPage, kJson, kFile };
  std::string path;   // "/fr/infinity/history"
  std::string query;  // "page=2", or ""
  Kind kind;

  // Its file in a region's tree (see mirror.h).
  std::string File() const {
    const std::string rel = path.substr(1);
    if (kind == Kind::kFile) return rel;
    return rel + (rel.empty() ? "" : "/") + (query.empty() ? "index" : query) +
           (kind == Kind::kPage ? ".html" : ".json");
  }
};

constexpr Url::Kind kPage = Url::Kind::kPage, kJson = Url::Kind::kJson, kFile = Url::Kind::kFile;

// The events a region's mirror has pages for: the open ones, and as many of each platform's
// newest as its mirrored history pages list (and a page more, for the kinds' first pages).
std::vector<int64_t> MirroredEvents(const Snapshot& snap, const Region& region, int64_t pages) {
  std::set<int64_t> ids;
  for (const Event* e : snap.index().events.Open()) {
    if (e->InRegion(region.id)) ids.insert(e->id);
  }
  const size_t wanted = static_cast<size_t>(pages + 1) * 20;
  for (const Platform& p : snap.model().platforms) {
    const auto& list = snap.index().events.OfPlatform(p.slug);
    size_t taken = 0;
    for (auto it = list.rbegin(); it != list.rend() && taken < wanted; ++it) {
      if ((*it)->InRegion(region.id)) {
        ids.insert((*it)->id);
        ++taken;
      }
    }
  }
  return {ids.begin(), ids.end()};
}

std::vector<Url> UrlsOf(const Snapshot& snap, const Region& region, int64_t history_pages,
                        const WebAssets& web) {
  const Model& m = snap.model();
  std::vector<Url> urls;
  const auto add = [&](std::string path, Url::Kind kind, std::string query = {}) {
    urls.push_back({std::move(path), std::move(query), kind});
  };
  const std::vector<int64_t> events = MirroredEvents(snap, region, history_pages);
  for (const Lang lang : kAllLangs) {
    const std::string l(LangId(lang));
    add("/" + l, kPage);
    for (const char* format : {"rss", "atom", "json"}) {
      add("/feeds/" + l + "/messages." + format, kFile);
    }
    for (const Platform& p : m.platforms) {
      const std::string at = "/" + l + "/" + p.slug;
      add(at, kPage);
      add(at + "/embed", kPage);
      add(at + "/history", kPage);
      for (int64_t page = 2; page <= history_pages; ++page) {
        add(at + "/history", kPage, "page=" + std::to_string(page));
      }
      for (const EventKind kind : kAllEventKinds) {
        add(at + "/history", kPage, "kind=" + std::string(EventKindId(kind)));
      }
      const std::string feeds = "/feeds/" + l + "/" + p.slug;
      for (const char* name : {"status", "events", "messages"}) {
        for (const char* format : {"rss", "atom", "json"}) {
          add(feeds + "/" + name + "." + format, kFile);
        }
      }
      add(feeds + "/maintenance.ics", kFile);
      add("/badge/" + l + "/" + p.slug + ".svg", kFile);
      for (const Service& s : m.services) {
        if (s.platform != p.slug || s.retired) continue;
        add(at + "/services/" + s.slug, kPage);
        for (const char* format : {"rss", "atom", "json"}) {
          add(feeds + "/services/" + s.slug + "." + format, kFile);
        }
        add("/badge/" + l + "/" + p.slug + "/" + s.slug + ".svg", kFile);
      }
    }
    for (const int64_t id : events) add("/" + l + "/events/" + std::to_string(id), kPage);
  }
  // The JSON API v1 in the region's language and in each language.
  std::vector<std::string> api = {"/api/v1/regions", "/api/v1/platforms", "/api/v1/messages"};
  for (const Platform& p : m.platforms) {
    const std::string at = "/api/v1/platforms/" + p.slug;
    for (const std::string& path : {at, at + "/events", at + "/messages"}) api.push_back(path);
    for (const Service& s : m.services) {
      if (s.platform == p.slug && !s.retired) api.push_back(at + "/services/" + s.slug);
    }
  }
  for (const int64_t id : events) api.push_back("/api/v1/events/" + std::to_string(id));
  for (const std::string& path : api) {
    add(path, kJson);
    for (const Lang lang : kAllLangs) add(path, kJson, "lang=" + std::string(LangId(lang)));
  }
  // Statuspage's API v2, for the region and for each platform.
  std::vector<std::string> scopes = {""};
  for (const Platform& p : m.platforms) scopes.push_back("/" + p.slug);
  for (const std::string& at : scopes) {
    for (const char* name :
         {"summary.json", "status.json", "components.json", "incidents.json",
          "incidents/unresolved.json", "scheduled-maintenances.json",
          "scheduled-maintenances/upcoming.json", "scheduled-maintenances/active.json"}) {
      add(at + "/api/v2/" + name, kFile);
    }
  }
  add("/history.rss", kFile);
  add("/history.atom", kFile);
  for (const auto& [key, body] : web.statics) add("/static/" + key, kFile);
  return urls;
}

// The previous tree's files: path -> ETag.
std::map<std::string, std::string> ReadManifest(const fs::path& tree) {
  std::map<std::string, std::string> out;
  std::ifstream in(tree / ".manifest");
  std::string line;
  while (std::getline(in, line)) {
    const size_t tab = line.find('\t');
    if (tab != std::string::npos) out.emplace(line.substr(tab + 1), line.substr(0, tab));
  }
  return out;
}

Status WriteFile(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return Status::Unavailable("cannot write " + path.string());
  return Status::Ok();
}

}  // namespace

std::string Mirror::Stats::ToString() const {
  char text[200];
  std::snprintf(text, sizeof text,
                "%zu answers, %zu files (%zu written, %zu unchanged), %.1f MB, in %.2f s", bodies,
                files, written, linked, static_cast<double>(bytes) / 1e6, seconds);
  return text;
}

Mirror::Mirror(const Site& site, const Config& config) : site_(site), config_(config) {}

Mirror::~Mirror() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Mirror::Offer(std::shared_ptr<const Snapshot> snap) {
  {
    std::lock_guard lock(mu_);
    pending_ = std::move(snap);
    if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
  }
  cv_.notify_all();
}

void Mirror::Loop() {
  // Serving comes first: the mirror takes what the cores leave.
  LowerThreadPriority();
  bool failing = false;
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || pending_; });
    if (!pending_) return;  // stopping, nothing left to write
    std::shared_ptr<const Snapshot> snap = std::move(pending_);
    pending_.reset();
    lock.unlock();
    Result<Stats> stats = Write(snap);
    if (!stats.ok() && !failing)
      LogError("the static mirror is not written: " + stats.status().message());
    if (stats.ok())
      LogInfo("static mirror of snapshot " + std::to_string(snap->version()) + ": " +
              stats->ToString());
    failing = !stats.ok();
    snap.reset();
    lock.lock();
  }
}

Result<Mirror::Stats> Mirror::Write(const std::shared_ptr<const Snapshot>& snap) {
  const auto started = std::chrono::steady_clock::now();
  const fs::path root(config_.mirror.dir);
  const fs::path trees = root / "trees";
  std::error_code ec;
  fs::create_directories(trees, ec);
  if (ec) return Status::Unavailable("cannot create " + trees.string() + ": " + ec.message());
  // The tree now served, whose unchanged files the new one links.
  fs::path previous;
  if (fs::is_symlink(root / "current", ec))
    previous = root / fs::read_symlink(root / "current", ec);
  const std::map<std::string, std::string> before =
      previous.empty() ? std::map<std::string, std::string>() : ReadManifest(previous);
  const std::string name = "v" + std::to_string(snap->version()) + "-" + std::to_string(getpid()) +
                           "-" + std::to_string(++trees_) + "-" +
                           std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count());
  const fs::path tree = trees / name;
  fs::remove_all(tree, ec);
  // A snapshot of its own, keeping no body: the mirror neither fills the served snapshot's
  // cache nor makes the Publisher warm what only the mirror asked for.
  const auto shadow =
      std::make_shared<const Snapshot>(snap->model(), snap->as_of(), snap->version(),
                                       snap->index().changes, snap.get(), /*cache_budget=*/0);
  Stats stats;
  std::ostringstream manifest;
  std::set<fs::path> made;  // folders created in the new tree
  const auto folder_of = [&](const fs::path& file) -> Status {
    if (const fs::path dir = file.parent_path(); made.insert(dir).second) {
      fs::create_directories(dir, ec);
      if (ec) return Status::Unavailable("cannot create " + dir.string() + ": " + ec.message());
    }
    return Status::Ok();
  };
  const auto counted = [&](const fs::path& file) {
    ++stats.files;
    stats.bytes += fs::file_size(file, ec);
  };
  // The previous tree's file, linked into the new one: false when it cannot be.
  const auto link = [&](const std::string& rel) {
    const fs::path to = tree / rel;
    if (!folder_of(to).ok() || ::link((previous / rel).c_str(), to.c_str()) != 0) return false;
    ++stats.linked;
    counted(to);
    return true;
  };
  // A file written anew, dated as the body's Last-Modified: a web server serving the file
  // then says what Vigie says.
  const auto put = [&](const std::string& rel, std::string_view bytes, Time modified) -> Status {
    const fs::path to = tree / rel;
    VIGIE_RETURN_IF_ERROR(folder_of(to));
    VIGIE_RETURN_IF_ERROR(WriteFile(to, bytes));
    const timespec times[2] = {{ToUnix(modified), 0}, {ToUnix(modified), 0}};
    ::utimensat(AT_FDCWD, to.c_str(), times, 0);
    ++stats.written;
    counted(to);
    return Status::Ok();
  };
  constexpr std::pair<const char*, Coding> kCodings[] = {{".gz", Coding::kGzip},
                                                         {".br", Coding::kBrotli}};
  for (const Region& region : snap->model().regions) {
    const bool reachable = !region.hosts.empty() || region.id == config_.site.default_region;
    if (!reachable) continue;  // no host names it: nothing to serve it by
    for (const Url& url : UrlsOf(*snap, region, config_.mirror.history_pages, site_.web())) {
      http::Request req;
      req.method = "GET";
      req.path = url.path;
      req.query = url.query;
      req.target = url.path + (url.query.empty() ? "" : "?" + url.query);
      if (!region.hosts.empty()) req.headers.emplace_back("host", region.hosts.front());
      http::Response res = site_.Handle(req, shadow);
      if (res.status != 200) continue;  // a retired service, an event of another region
      const std::string etag(res.HeaderValue("ETag"));
      const Result<Time> modified = ParseHttpDate(res.HeaderValue("Last-Modified"));
      const std::string rel = region.id + "/" + url.File();
      const std::string_view body = res.body();
      const auto it = before.find(rel);
      const bool unchanged = !etag.empty() && it != before.end() && it->second == etag;
      if (unchanged && link(rel)) {
        for (const auto& [ext, coding] : kCodings) {
          if (fs::exists(previous / (rel + ext), ec) && !link(rel + ext)) {
            return Status::Unavailable("cannot link " + (tree / (rel + ext)).string());
          }
        }
      } else {
        const Time when = modified.ok() ? *modified : snap->as_of();
        VIGIE_RETURN_IF_ERROR(put(rel, body, when));
        // The codings Vigie sends, when they pay (as Body::Compressed decides).
        for (const auto& [ext, coding] : kCodings) {
          if (body.size() < 256) continue;
          Result<std::string> out =
              coding == Coding::kGzip ? Gzip(body, kGzipLevel) : Brotli(body, kBrotliQuality);
          if (!out.ok()) return out.status();
          if (out->size() < body.size()) VIGIE_RETURN_IF_ERROR(put(rel + ext, *out, when));
        }
      }
      if (!etag.empty()) manifest << etag << '\t' << rel << '\n';
      ++stats.bodies;
    }
  }
  VIGIE_RETURN_IF_ERROR(WriteFileAtomically((tree / ".manifest").string(), {manifest.str()}));
  // Host -> region and region -> language, for the web server's maps (the configuration's).
  std::string regions = "default " + config_.site.default_region + ";\n", languages;
  for (const Region& r : snap->model().regions) {
    for (const std::string& host : r.hosts) regions += host + " " + r.id + ";\n";
    languages += r.id + " " + std::string(LangId(r.default_lang)) + ";\n";
  }
  VIGIE_RETURN_IF_ERROR(WriteFileAtomically((root / "regions.map").string(), {regions}));
  VIGIE_RETURN_IF_ERROR(WriteFileAtomically((root / "languages.map").string(), {languages}));
  // The switch: a new link renamed over the old one.
  const fs::path next = root / "current.tmp";
  fs::remove(next, ec);
  fs::create_symlink(fs::path("trees") / name, next, ec);
  if (ec) return Status::Unavailable("cannot link " + next.string() + ": " + ec.message());
  VIGIE_RETURN_IF_ERROR(SyncAndRename(next.string(), (root / "current").string()));
  // The tree before stays for the readers still in it; older ones go.
  for (const auto& entry : fs::directory_iterator(trees, ec)) {
    if (entry.path().filename() != name &&
        (previous.empty() || !fs::equivalent(entry.path(), previous, ec))) {
      fs::remove_all(entry.path(), ec);
    }
  }
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return stats;
}

}  // namespace vigie
