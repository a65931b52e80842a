#include "app/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "app/importers.h"

namespace vigie {
namespace {

std::string WriteTemp(const std::string& text) {
  static int n = 0;
  const std::string path =
      (std::filesystem::temp_directory_path() /
       ("vigie-config-test-" + std::to_string(getpid()) + "-" + std::to_string(n++) + ".toml"))
          .string();
  std::ofstream(path) << text;
  return path;
}

const char* kMinimal = R"(
[site]
[[site.regions]]
id = "fr"
time_zone = "Europe/Paris"
)";

TEST(Config, TheShippedFileIsValid) {
  Result<Config> cfg = LoadConfig(std::string(VIGIE_SOURCE_DIR) + "/vigie.toml", {});
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  ASSERT_EQ(cfg->site.regions.size(), 2u);
  EXPECT_EQ(cfg->site.regions[0].hosts[0], "status.divalto.com");
  EXPECT_EQ(cfg->site.regions[1].time_zone, "America/Toronto");
  EXPECT_EQ(cfg->site.regions[1].default_lang, Lang::kEn);
  EXPECT_EQ(cfg->server.port, 8080);
}

TEST(Config, DefaultsFillWhatIsNotSaid) {
  Result<Config> cfg = LoadConfig(WriteTemp(kMinimal), {});
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  EXPECT_EQ(cfg->site.default_region, "fr");
  EXPECT_EQ(cfg->server.header_limit, 16u * 1024);
  EXPECT_EQ(cfg->storage, "");
  EXPECT_EQ(cfg->store.data_dir, "data");
  EXPECT_EQ(StoreName(cfg->storage, cfg->store), "sqlite:data/vigie.db");
}

TEST(Config, EnvironmentOverridesTheFile) {
  Result<Config> cfg = LoadConfig(WriteTemp(kMinimal), {{"VIGIE_SERVER_LISTEN", "0.0.0.0:9000"},
                                                        {"VIGIE_SERVER_THREADS", "4"},
                                                        {"VIGIE_STORAGE_URL", "sqlite:/x.db"}});
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  EXPECT_EQ(cfg->server.address, "0.0.0.0");
  EXPECT_EQ(cfg->server.port, 9000);
  EXPECT_EQ(cfg->server.threads, 4);
  EXPECT_EQ(cfg->storage, "sqlite:/x.db");
  Result<Config> dir = LoadConfig(WriteTemp(kMinimal), {{"VIGIE_STORAGE_DATA_DIR", "/srv/node1"}});
  ASSERT_TRUE(dir.ok()) << dir.status().message();
  EXPECT_EQ(StoreName(dir->storage, dir->store), "sqlite:/srv/node1/vigie.db");
  EXPECT_FALSE(LoadConfig(WriteTemp(kMinimal), {{"VIGIE_SERVER_THREADS", "many"}}).ok());
}

TEST(Config, ErrorsNameTheFileAndLine) {
  struct Case {
    std::string text;
    std::string expected;
  } cases[] = {
      {std::string(kMinimal) + "\n[server]\nthreads = 0\n", ":8: server.threads must be between"},
      {"[site]\n[[site.regions]]\nid = \"fr\"\ntime_zone = \"Mars/Olympus\"\n",
       ":2: region \"fr\": unknown time zone"},
      {std::string(kMinimal) + "\n[server]\nlisten = \"127.0.0.1:8080\"\nthreds = 2\n",
       ":9: unknown key server.threds"},
      {"[server\nlisten = 1", ":1:"},
      {"[site]\n", "define at least one region"},
      // A float where a whole number goes: refused, never converted (1e24 fits no integer).
      {std::string(kMinimal) + "\n[server]\nthreads = 1e24\n",
       ":8: threads must be a whole number"},
      {std::string(kMinimal) + "\n[notify]\nretry_seconds = 2.5\n", ":8: retry_seconds must be"},
  };
  for (const Case& c : cases) {
    const std::string path = WriteTemp(c.text);
    Result<Config> cfg = LoadConfig(path, {});
    ASSERT_FALSE(cfg.ok()) << c.text;
    EXPECT_NE(cfg.status().message().find(c.expected), std::string::npos)
        << "got: " << cfg.status().message();
    EXPECT_NE(cfg.status().message().find(path), std::string::npos) << cfg.status().message();
  }
  EXPECT_FALSE(LoadConfig("/no/such/file.toml", {}).ok());
}

TEST(ScenarioTime, RelativeAndNextWeekday) {
  const Time now = *ParseRfc3339("2026-11-26T10:00:00Z");  // a Thursday
  EXPECT_EQ(FormatRfc3339(*ResolveTime("now-1h30m", now, "UTC")), "2026-11-26T08:30:00Z");
  EXPECT_EQ(FormatRfc3339(*ResolveTime("now+2d", now, "UTC")), "2026-11-28T10:00:00Z");
  // Sunday 22:00 in Paris (UTC+1 in winter) is 21:00 UTC.
  EXPECT_EQ(FormatRfc3339(*ResolveTime("next sunday 22:00", now, "Europe/Paris")),
            "2026-11-29T21:00:00Z");
  EXPECT_EQ(FormatRfc3339(*ResolveTime("next thursday 09:00", now, "UTC")), "2026-12-03T09:00:00Z");
  EXPECT_FALSE(ResolveTime("next funday 22:00", now, "UTC").ok());
  EXPECT_FALSE(ResolveTime("tomorrow", now, "UTC").ok());
}

}  // namespace
}  // namespace vigie
