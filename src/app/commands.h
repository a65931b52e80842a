// The CLI's commands, wired from the configuration: the only place that sees every part.
#pragma once

#include <optional>
#include <string>

#include "app/config.h"

namespace vigie {

struct ServeOptions {
  // A scenario loaded on first start only (a fresh database), after the catalog.
  std::string seed_scenario;
  // For tests: the clock is shifted by the seconds written in this file (FileOffsetClock),
  // so a test moves time forward instead of sleeping. Empty: the wall clock.
  std::string clock_offset_file;
  // --quiet: warnings and errors only, no access log, whatever the configuration says.
  bool quiet = false;
};

// Each returns the process exit code, having printed a sentence on failure.
int RunServe(const Config& config, const ServeOptions& options);
int RunMigrate(const Config& config);
int RunImportCatalog(const Config& config, const std::string& path);
int RunImportScenario(const Config& config, const std::string& path);
int RunImportDump(const Config& config, const std::string& path);
int RunExport(const Config& config, const std::string& output);  // "-" is stdout
// Moves a whole site from the store `from` names to the (empty) one `to` names, e.g. SQLite to
// PostgreSQL and back: every table a dump holds (history, accounts, tokens, audit; not the
// sessions, so operators sign in again). The source is only read.
int RunCopyStore(const Config& config, const std::string& from, const std::string& to);
// Writes a consistent copy of the configuration's store to `file` while the site runs and
// writes go on (a SQLite store: a SQLite file; PostgreSQL: a dump).
int RunBackup(const Config& config, const std::string& file);
// Loads a backup (a SQLite backup, or any dump) into the configuration's store: an empty one,
// or, with `replace`, one whose whole content it replaces (in one transaction). A damaged or
// truncated backup is refused and nothing is written.
int RunRestore(const Config& config, const std::string& file, bool replace);
// Writes the static mirror of the store's current state into `dir` once (app/mirror.h).
int RunMirror(const Config& config, const std::string& dir);

// Operators. Passwords are read from standard input (one line; not echoed on a terminal).
int RunUserAdd(const Config& config, const std::string& name, const std::string& role);
int RunUserPasswd(const Config& config, const std::string& name);
int RunUserDisable(const Config& config, const std::string& name, bool disabled);
int RunUserList(const Config& config);
// Prints the token once; only its hash is kept.
int RunTokenCreate(const Config& config, const std::string& name, const std::string& role);
int RunTokenList(const Config& config);
int RunTokenRevoke(const Config& config, int64_t id);

}  // namespace vigie
