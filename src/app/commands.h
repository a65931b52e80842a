// The CLI's commands, wired from the configuration: the only place that sees every part.
#pragma once

#include <optional>
#include <string>

#include "app/config.h"

namespace vigie {

struct ServeOptions {
  // A scenario loaded on first start only (a fresh database), after the catalog.
  std::string seed_scenario;
};

// Each returns the process exit code, having printed a sentence on failure.
int RunServe(const Config& config, const ServeOptions& options);
int RunMigrate(const Config& config);
int RunImportCatalog(const Config& config, const std::string& path);
int RunImportScenario(const Config& config, const std::string& path);
int RunImportDump(const Config& config, const std::string& path);
int RunExport(const Config& config, const std::string& output);  // "-" is stdout

}  // namespace vigie
