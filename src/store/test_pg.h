// The PostgreSQL server of the tests: ctest starts one (tests/pg/cluster, the `pg` fixture)
// and names its directory in VIGIE_TEST_PG_DIR; each test makes databases of its own in it.
#pragma once

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

namespace vigie::testing {

// The server's URL (its `postgres` database), or nullopt when no test server was started
// (the test binary run by hand, outside ctest).
inline std::optional<std::string> PgServer() {
  const char* dir = std::getenv("VIGIE_TEST_PG_DIR");
  if (!dir || !*dir) return std::nullopt;
  std::ifstream in(std::string(dir) + "/url");
  std::string url;
  std::getline(in, url);
  if (url.empty())
    ADD_FAILURE() << "VIGIE_TEST_PG_DIR=" << dir << " holds no url: did the pg fixture start?";
  return url;
}

// A new, empty database on the test server, named after `name` (unique in this process run):
// its URL.
inline std::string NewPgDatabase(const std::string& name) {
  static std::atomic<int> counter{0};
  const std::string server = PgServer().value_or("");
  const std::string db =
      "t" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" + name;
  PGconn* conn = PQconnectdb(server.c_str());
  EXPECT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
  PGresult* res = PQexec(conn, ("CREATE DATABASE \"" + db + "\"").c_str());
  EXPECT_EQ(PQresultStatus(res), PGRES_COMMAND_OK) << PQerrorMessage(conn);
  PQclear(res);
  PQfinish(conn);
  return server.substr(0, server.rfind('/') + 1) + db;
}

}  // namespace vigie::testing
