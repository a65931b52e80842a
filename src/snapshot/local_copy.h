// The node's own copy of its last published state, on local disk: what a node whose database
// is on another machine (PostgreSQL) serves when it starts while that database cannot be
// reached. Written after each publish on a thread of its own, at a low priority and resting
// between copies four times as long as the last one took (a newer state offered meanwhile
// replaces the one waiting), streamed to the file, atomically (a new file renamed over the old
// one), so a crash leaves the previous copy or the new one, never half of one. A compact binary
// file with a checksum: read in a fraction of a second even at 100,000 events.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "core/status.h"
#include "core/time.h"
#include "domain/model.h"

namespace vigie {

class Snapshot;

class LocalCopy {
 public:
  // Copies to `path` (its folder must exist). Starts the writing thread.
  explicit LocalCopy(std::string path);
  // Writes what is waiting, then stops.
  ~LocalCopy();
  LocalCopy(const LocalCopy&) = delete;
  LocalCopy& operator=(const LocalCopy&) = delete;

  // Saves `snap`'s model soon, dated by its as_of. Thread-safe; never waits for the disk.
  void Offer(std::shared_ptr<const Snapshot> snap);

  struct Saved {
    Model model;  // without regions (they come from the configuration)
    Time saved_at{};
  };
  // The copy at `path`. NotFound when there is none; Invalid when it is damaged or from
  // another version of Vigie (then it is ignored).
  static Result<Saved> Read(const std::string& path);
  // Writes `model` to `path` now, atomically and durably (fsync before the rename).
  static Status Write(const std::string& path, const Model& model, Time saved_at);

 private:
  void Loop();
  static constexpr int kRestFactor = 4;

  const std::string path_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<const Snapshot> pending_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::thread thread_;
};

}  // namespace vigie
