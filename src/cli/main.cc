// vigie: the command line. argv → one command of app/; exit code 0 on success, 1 on a
// failure of the system, 2 on bad input, always with a sentence on stderr.
#include <sodium.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "app/commands.h"
#include "app/config.h"
#include "core/log.h"

namespace {

struct Common {
  std::string config = "vigie.toml";
  std::string listen;
  std::string data;
  bool quiet = false;
  std::string log_format;  // text or json; empty: the journal's form under systemd, else text
};

void AddCommon(CLI::App* cmd, Common& c) {
  cmd->add_option("--config,-c", c.config, "configuration file")->capture_default_str();
  cmd->add_option("--data", c.data,
                  "the node's own folder (storage.data_dir); without storage.url, its vigie.db "
                  "is the database");
  cmd->add_flag("--quiet,-q", c.quiet, "log warnings and errors only, no access log");
  cmd->add_option("--log-format", c.log_format,
                  "text or json (one object per line, for log shippers); under systemd, "
                  "journald's form by default")
      ->check(CLI::IsMember({"text", "json"}));
}

// Logging as the flags say: `quiet` for the commands that only print their result.
void Logging(const Common& c, bool quiet) {
  vigie::InitLogging(quiet,
                     vigie::ParseLogFormat(c.log_format).value_or(vigie::DefaultLogFormat()));
}

// Reads the configuration and applies the flags; prints the errors and returns nullopt.
std::optional<vigie::Config> Load(const Common& c) {
  vigie::Result<vigie::Config> cfg = vigie::LoadConfig(c.config, vigie::VigieEnvironment());
  if (!cfg.ok()) {
    std::cerr << cfg.status().message() << "\n";
    return std::nullopt;
  }
  if (!c.data.empty()) {
    cfg->store.data_dir = c.data;
    cfg->data_from_flag = true;
  }
  if (!c.listen.empty()) {
    cfg->listen_from_flag = true;
    vigie::Status st = vigie::ParseListen(c.listen, cfg->server);
    if (!st.ok()) {
      std::cerr << "--listen: " << st.message() << "\n";
      return std::nullopt;
    }
  }
  return std::move(cfg).value();
}

// The model is a few hundred megabytes of small allocations at scale (100,000 events), and on
// a virtual machine the first touch of each 4 KiB page is a fault the hypervisor serves too:
// most of a cold start. With malloc's heap in 2 MiB pages (transparent huge pages, which the
// kernel gives a program that asks) the start takes a half to three quarters as long; RSS is
// the same. glibc reads its tunables only when a program starts, so `serve` starts once more
// with them, in the same process (execve keeps the process id, the open files and systemd's
// notify socket). An operator's own GLIBC_TUNABLES, even empty, is left as it is.
// The binary is started by its own path, not /proc/self/exe, so the process keeps its name
// (`ps`, `pidof vigie`, the journal).
void WithHugePages(char** argv) {
  if (getenv("GLIBC_TUNABLES") != nullptr) return;
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec || !std::filesystem::exists(self, ec)) return;  // replaced on disk since: as it is
  if (setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 1) != 0) return;
  execv(self.c_str(), argv);
  unsetenv("GLIBC_TUNABLES");  // could not: on with the small pages
}

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) {
    std::cerr << "vigie: libsodium failed to initialise\n";
    return 1;
  }
  CLI::App app{"Vigie: a public status site for a SaaS vendor's platforms and services."};
  app.require_subcommand(1);
  Common common;
  int code = 0;

  CLI::App* serve = app.add_subcommand("serve", "serve the site and its APIs until SIGTERM");
  AddCommon(serve, common);
  serve->add_option("--listen,-l", common.listen,
                    "ADDR:PORT to listen on (overrides server.listen)");
  vigie::ServeOptions serve_options;
  serve->add_option("--seed", serve_options.seed_scenario,
                    "scenario loaded on first start, after the catalog");
  serve->add_option("--clock-offset-file", serve_options.clock_offset_file,
                    "tests only: shift the clock by the seconds written in this file");
  serve->callback([&] {
    WithHugePages(argv);
    Logging(common, common.quiet);
    auto cfg = Load(common);
    serve_options.quiet = common.quiet;
    code = cfg ? vigie::RunServe(*cfg, serve_options) : 2;
  });

  CLI::App* migrate = app.add_subcommand("migrate", "bring the database schema up to date");
  AddCommon(migrate, common);
  migrate->callback([&] {
    Logging(common, true);
    auto cfg = Load(common);
    code = cfg ? vigie::RunMigrate(*cfg) : 2;
  });

  CLI::App* check = app.add_subcommand("check-config", "report errors in the configuration");
  AddCommon(check, common);
  check->callback([&] {
    auto cfg = Load(common);
    if (cfg) std::cout << common.config << ": ok\n";
    code = cfg ? 0 : 2;
  });

  CLI::App* import = app.add_subcommand("import", "load a catalog, a scenario or a dump");
  import->require_subcommand(1);
  std::string file;
  CLI::App* catalog = import->add_subcommand("catalog", "import platforms and services (TOML)");
  AddCommon(catalog, common);
  catalog->add_option("file", file, "catalog file (default: catalog.path of the configuration)");
  catalog->callback([&] {
    Logging(common, true);
    auto cfg = Load(common);
    code = cfg ? vigie::RunImportCatalog(*cfg, file.empty() ? cfg->catalog : file) : 2;
  });
  CLI::App* scenario =
      import->add_subcommand("scenario", "import events, messages and levels (TOML)");
  AddCommon(scenario, common);
  scenario->add_option("file", file, "scenario file")->required();
  scenario->callback([&] {
    Logging(common, true);
    auto cfg = Load(common);
    code = cfg ? vigie::RunImportScenario(*cfg, file) : 2;
  });
  CLI::App* dump = import->add_subcommand("dump", "load a `vigie export` into an empty database");
  AddCommon(dump, common);
  dump->add_option("file", file, "dump file (JSON)")->required();
  dump->callback([&] {
    Logging(common, true);
    auto cfg = Load(common);
    code = cfg ? vigie::RunImportDump(*cfg, file) : 2;
  });

  CLI::App* exp = app.add_subcommand("export", "write the whole database as JSON");
  AddCommon(exp, common);
  std::string output = "-";
  exp->add_option("--output,-o", output, "file to write, - for stdout")->capture_default_str();
  exp->callback([&] {
    Logging(common, true);
    auto cfg = Load(common);
    code = cfg ? vigie::RunExport(*cfg, output) : 2;
  });

  CLI::App* copy = app.add_subcommand(
      "copy-store", "copy a whole site into an empty store (SQLite <-> PostgreSQL)");
  AddCommon(copy, common);
  std::string copy_from, copy_to;
  copy->add_option("--from", copy_from, "the store to read: sqlite:PATH or postgresql://...")
      ->required();
  copy->add_option("--to", copy_to, "the empty store to fill: sqlite:PATH or postgresql://...")
      ->required();
  copy->callback([&] {
    Logging(common, true);
    auto cfg = Load(common);
    code = cfg ? vigie::RunCopyStore(*cfg, copy_from, copy_to) : 2;
  });

  CLI::App* backup = app.add_subcommand(
      "backup", "write a consistent copy of the store to a file while the site runs");
  AddCommon(backup, common);
  std::string backup_file;
  backup->add_option("file", backup_file, "the file to write")->required();
  backup->callback([&] {
    Logging(common, true);
    auto cfg = Load(common);
    code = cfg ? vigie::RunBackup(*cfg, backup_file) : 2;
  });
  CLI::App* restore = app.add_subcommand(
      "restore", "load a backup (or a dump) into an empty store, or --replace a site");
  AddCommon(restore, common);
  bool replace = false;
  restore->add_option("file", backup_file, "a file written by vigie backup or vigie export")
      ->required();
  restore->add_flag("--replace", replace, "replace everything the store holds");
  restore->callback([&] {
    Logging(common, true);
    auto cfg = Load(common);
    code = cfg ? vigie::RunRestore(*cfg, backup_file, replace) : 2;
  });

  CLI::App* mirror = app.add_subcommand(
      "mirror", "write every public answer as files, for a plain web server (deploy/)");
  AddCommon(mirror, common);
  std::string mirror_dir;
  mirror->add_option("--to", mirror_dir, "the mirror's folder (its current tree is replaced)")
      ->required();
  mirror->callback([&] {
    Logging(common, true);
    auto cfg = Load(common);
    code = cfg ? vigie::RunMirror(*cfg, mirror_dir) : 2;
  });

  CLI::App* user = app.add_subcommand("user", "operators of the back-office");
  user->require_subcommand(1);
  std::string name, role = "editor";
  CLI::App* user_add = user->add_subcommand("add", "add a user; the password is read from stdin");
  AddCommon(user_add, common);
  user_add->add_option("name", name, "user name")->required();
  user_add->add_option("--role", role, "editor or admin")->capture_default_str();
  user_add->callback([&] {
    Logging(common, true);
    auto cfg = Load(common);
    code = cfg ? vigie::RunUserAdd(*cfg, name, role) : 2;
  });
  CLI::App* user_passwd =
      user->add_subcommand("passwd", "change a password (read from stdin); ends every session");
  AddCommon(user_passwd, common);
  user_passwd->add_option("name", name, "user name")->required();
  user_passwd->callback([&] {
    Logging(common, true);
    auto cfg = Load(common);
    code = cfg ? vigie::RunUserPasswd(*cfg, name) : 2;
  });
  bool enable = false;
  CLI::App* user_disable = user->add_subcommand("disable", "disable a user (or --enable again)");
  AddCommon(user_disable, common);
  user_disable->add_option("name", name, "user name")->required();
  user_disable->add_flag("--enable", enable, "enable the user again");
  user_disable->callback([&] {
    Logging(common, true);
    auto cfg = Load(common);
    code = cfg ? vigie::RunUserDisable(*cfg, name, !enable) : 2;
  });
  CLI::App* user_list = user->add_subcommand("list", "list the users");
  AddCommon(user_list, common);
  user_list->callback([&] {
    Logging(common, true);
    auto cfg = Load(common);
    code = cfg ? vigie::RunUserList(*cfg) : 2;
  });

  CLI::App* token = app.add_subcommand("token", "API tokens of the admin JSON API");
  token->require_subcommand(1);
  CLI::App* token_create = token->add_subcommand("create", "create a token; printed once");
  AddCommon(token_create, common);
  token_create->add_option("name", name, "what the token is for")->required();
  token_create->add_option("--role", role, "editor or admin")->capture_default_str();
  token_create->callback([&] {
    Logging(common, true);
    auto cfg = Load(common);
    code = cfg ? vigie::RunTokenCreate(*cfg, name, role) : 2;
  });
  CLI::App* token_list = token->add_subcommand("list", "list the tokens");
  AddCommon(token_list, common);
  token_list->callback([&] {
    Logging(common, true);
    auto cfg = Load(common);
    code = cfg ? vigie::RunTokenList(*cfg) : 2;
  });
  int64_t token_id = 0;
  CLI::App* token_revoke = token->add_subcommand("revoke", "revoke a token by id");
  AddCommon(token_revoke, common);
  token_revoke->add_option("id", token_id, "token id (see token list)")->required();
  token_revoke->callback([&] {
    Logging(common, true);
    auto cfg = Load(common);
    code = cfg ? vigie::RunTokenRevoke(*cfg, token_id) : 2;
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return code;
}
