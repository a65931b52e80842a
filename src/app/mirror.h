// The static mirror: every public body of a snapshot written as files, so that a plain web
// server (deploy/nginx-mirror.conf) on this host or another, or a CDN, keeps the site up when
// every node and the database are gone.
//
// Layout under the mirror's folder:
//   current -> trees/NAME        the tree a server serves; replaced atomically (a new tree is
//                                built beside it, then the link is renamed over the old one),
//                                so a reader sees the old site or the new one, never a mix
//   trees/NAME/REGION/...        one tree per region (the server picks it by Host):
//     fr/infinity/index.html     a page: PATH/index.html
//     fr/infinity/history/page=2.html     a page with a query: PATH/QUERY.html
//     api/v1/platforms/index.json         the JSON API: PATH/index.json, PATH/lang=en.json
//     feeds/fr/infinity/status.rss        anything whose name has an extension: PATH
//     ... each with FILE.gz and FILE.br beside it when compressing pays (the bytes Vigie sends)
//   trees/NAME/.manifest         each file's ETag: the next tree links the files whose ETag did
//                                not change instead of writing them again
//   regions.map, languages.map   Host -> region and region -> language, for nginx's maps
//                                (from the configuration)
// What is written: for each region and language, the home page, every platform's page,
// history (history_pages pages, and the first page of each kind), embed page and feeds, every
// service's page and feeds, the events of the open lists and of those history pages; the
// JSON API v1 and the Statuspage API v2 of the region; badges; the static files.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "app/config.h"
#include "core/status.h"
#include "snapshot/snapshot.h"

namespace vigie {

class Site;

class Mirror {
 public:
  struct Stats {
    size_t bodies = 0;   // public answers written
    size_t files = 0;    // files in the tree (bodies and their .gz and .br)
    size_t written = 0;  // files written anew
    size_t linked = 0;   // files linked from the previous tree, unchanged
    uint64_t bytes = 0;  // in the tree
    double seconds = 0;
    std::string ToString() const;
  };

  // Mirrors through `site` (which answers each URL from a snapshot) into config.mirror.dir.
  // `site` and `config` must outlive it. Starts no thread until Offer.
  Mirror(const Site& site, const Config& config);
  // Finishes the tree being written, then stops.
  ~Mirror();
  Mirror(const Mirror&) = delete;
  Mirror& operator=(const Mirror&) = delete;

  // Mirrors `snap` soon, on the mirror's own thread (at a low priority): the write that
  // published it does not wait. A newer snapshot offered meanwhile replaces one not started.
  // Thread-safe; never blocks.
  void Offer(std::shared_ptr<const Snapshot> snap);
  // Mirrors `snap` now, on the caller's thread (`vigie mirror --to DIR`).
  Result<Stats> Write(const std::shared_ptr<const Snapshot>& snap);

 private:
  void Loop();

  const Site& site_;
  const Config& config_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<const Snapshot> pending_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::thread thread_;                       // started by the first Offer
  uint64_t trees_ = 0;                       // trees written by this process
};

}  // namespace vigie
